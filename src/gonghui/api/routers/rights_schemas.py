"""Schemas of the rights-protection API (api/routers/rights.py).

Two views of a request. The worker's (`WorkerCaseOut`) shows where the request is, what the union replied
and the deadlines; never an internal note, the handler's name or the contact's mobile number. The cadre's
(`CaseOut`, `CaseDetailOut`) shows the full record, with the contact's mobile number masked and no contact
at all for an anonymous request.
"""

import datetime

from ninja import Field, Schema

from gonghui.core.masking import mask_mobile
from gonghui.orgs.models import Org
from gonghui.rights.models import Case, CaseEvent, CaseStatus, Category, Channel, Outcome, Stage

from .member_schemas import OrgRef, label

# --- input ---------------------------------------------------------------------------------------------------

# Generous upper bounds only: the services give the real limits with their own messages (a description of
# 5,001 characters is a 400 with a sentence, not a schema error).


class CaseIn(Schema):
    category: str = Field(
        description="wages, contract, social_insurance, injury, hours, dismissal, safety, ..."
    )
    description: str = Field(max_length=20000)
    employer_org_id: int | None = Field(
        default=None, description="An employer's union from members/employers"
    )
    employer_name: str = Field(default="", max_length=200)
    employer_uscc: str = Field(default="", max_length=30)
    work_division_code: str = Field(default="", max_length=10, description="GB/T 2260 code of the district")
    work_place: str = Field(default="", max_length=300)
    workers_affected: int = Field(default=1, ge=0, le=10_000_000)
    contact_name: str = Field(default="", max_length=100)
    contact_mobile: str = Field(default="", max_length=20)
    anonymous: bool = Field(default=False, description="Keep no name, number or account with the request")


class HotlineIn(CaseIn):
    org_id: int = Field(description="The operator's union, where the call was received")
    keep: bool = Field(default=False, description="Keep the request at the operator's union and handle it")


class CodeIn(Schema):
    code: str = Field(max_length=40, description="The follow-up code given when the request was made")


class RateIn(Schema):
    rating: int = Field(description="1 to 5")
    comment: str = Field(default="", max_length=300)


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=2000)


class CodeRateIn(CodeIn, RateIn):
    pass


class CodeReasonIn(CodeIn, ReasonIn):
    pass


class RecordIn(Schema):
    kind: str = Field(
        description="note (internal), contact (with the employer) or response (the worker reads it)"
    )
    text: str = Field(max_length=5000)


class HandoverIn(Schema):
    to_user_id: int
    note: str = Field(max_length=500)


class TransferIn(Schema):
    to_org_id: int
    reason: str = Field(max_length=300)


class CloseIn(Schema):
    outcome: str = Field(description="resolved, arbitration, inspection or unfounded")
    summary: str = Field(max_length=5000)


class LevelIn(Schema):
    category: str
    ack_workdays: int
    respond_workdays: int
    conclude_workdays: int


class PolicyIn(Schema):
    remind_workdays_before: int
    reopen_days: int


# --- the worker's view -----------------------------------------------------------------------------------------


class WorkerEventOut(Schema):
    """A step of the request as the worker reads it: what happened, when, at which union; never who."""

    kind: str
    kind_label: str
    at: datetime.datetime
    org: OrgRef | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: CaseEvent) -> str:
        return label(CaseEvent.Kind, obj.kind)


class WorkerCaseOut(Schema):
    id: int
    number: str
    channel: str
    category: str
    category_label: str
    status: str
    status_label: str
    anonymous: bool
    org: OrgRef = Field(description="The union responsible for the request")
    route_explanation: str
    description: str
    employer_name: str
    workers_affected: int
    received_at: datetime.datetime
    ack_due: datetime.date
    respond_due: datetime.date
    conclude_due: datetime.date
    due_provisional: bool = Field(description="A deadline was computed without an official holiday schedule")
    acknowledged_at: datetime.datetime | None
    responded_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    outcome: str
    outcome_label: str
    summary: str
    rating: int | None
    rating_comment: str
    reopen_until: datetime.date | None = None
    can_rate: bool = False
    can_reopen: bool = False
    events: list[WorkerEventOut] = []

    @staticmethod
    def resolve_category_label(obj: Case) -> str:
        return label(Category, obj.category)

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return label(CaseStatus, obj.status)

    @staticmethod
    def resolve_outcome_label(obj: Case) -> str:
        return label(Outcome, obj.outcome) if obj.outcome else ""

    @staticmethod
    def resolve_route_explanation(obj: Case) -> str:
        return obj.route_note


class SubmittedOut(WorkerCaseOut):
    follow_code: str = Field(
        default="", description="Shown only this once: the worker follows the request with it"
    )


class WorkerCaseListOut(Schema):
    id: int
    number: str
    category: str
    category_label: str
    status: str
    status_label: str
    org: OrgRef
    received_at: datetime.datetime
    conclude_due: datetime.date
    outcome: str

    @staticmethod
    def resolve_category_label(obj: Case) -> str:
        return label(Category, obj.category)

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return label(CaseStatus, obj.status)


# --- the cadre's view ------------------------------------------------------------------------------------------


def _org_ref(org: Org | None) -> OrgRef | None:
    return None if org is None else OrgRef(id=org.pk, name=org.name)


class UserRef(Schema):
    id: int
    name: str


def _user_ref(user: object | None) -> UserRef | None:
    if user is None:
        return None
    return UserRef(id=user.pk, name=getattr(user, "real_name", ""))  # type: ignore[attr-defined]


class CaseOut(Schema):
    """A request in the cadre's queue."""

    id: int
    number: str
    channel: str
    channel_label: str
    category: str
    category_label: str
    status: str
    status_label: str
    org: OrgRef
    handler: UserRef | None
    anonymous: bool
    collective: bool
    workers_affected: int
    employer_name: str
    received_at: datetime.datetime
    ack_due: datetime.date
    respond_due: datetime.date
    conclude_due: datetime.date
    due_provisional: bool
    escalated_stages: list[str]
    escalated_to: OrgRef | None
    outcome: str

    @staticmethod
    def resolve_channel_label(obj: Case) -> str:
        return label(Channel, obj.channel)

    @staticmethod
    def resolve_category_label(obj: Case) -> str:
        return label(Category, obj.category)

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return label(CaseStatus, obj.status)

    @staticmethod
    def resolve_handler(obj: Case) -> UserRef | None:
        return _user_ref(obj.handler if obj.handler_id else None)

    @staticmethod
    def resolve_escalated_stages(obj: Case) -> list[str]:
        return [s for s in obj.escalated.split(",") if s]

    @staticmethod
    def resolve_escalated_to(obj: Case) -> OrgRef | None:
        return _org_ref(obj.escalated_to if obj.escalated_to_id else None)


class EventOut(Schema):
    kind: str
    kind_label: str
    at: datetime.datetime
    actor: UserRef | None
    org: OrgRef | None
    stage: str
    note: str
    visible_to_worker: bool

    @staticmethod
    def resolve_kind_label(obj: CaseEvent) -> str:
        return label(CaseEvent.Kind, obj.kind)

    @staticmethod
    def resolve_actor(obj: CaseEvent) -> UserRef | None:
        return _user_ref(obj.actor if obj.actor_id else None)


class DocumentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    by_worker: bool
    added_at: datetime.datetime


class DeadlineOut(Schema):
    stage: str
    label: str
    due: datetime.date
    done_at: datetime.datetime | None
    provisional: bool


class CaseDetailOut(CaseOut):
    description: str
    employer_org: OrgRef | None
    employer_uscc: str
    work_division_code: str
    work_place: str
    route_code: str
    route_explanation: str
    contact_name: str
    contact_mobile_masked: str
    has_account: bool = Field(description="The worker made the request signed in and is told in the app")
    summary: str
    outcome_label: str
    acknowledged_at: datetime.datetime | None
    responded_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    reopened_count: int
    rating: int | None
    rating_comment: str
    deadlines: list[DeadlineOut] = []
    events: list[EventOut] = []
    documents: list[DocumentOut] = []

    @staticmethod
    def resolve_employer_org(obj: Case) -> OrgRef | None:
        return _org_ref(obj.employer_org if obj.employer_org_id else None)

    @staticmethod
    def resolve_route_explanation(obj: Case) -> str:
        return obj.route_note

    @staticmethod
    def resolve_contact_name(obj: Case) -> str:
        return "" if obj.anonymous else obj.contact_name

    @staticmethod
    def resolve_contact_mobile_masked(obj: Case) -> str:
        return "" if obj.anonymous else mask_mobile(obj.contact_mobile)

    @staticmethod
    def resolve_has_account(obj: Case) -> bool:
        return obj.requester_id is not None

    @staticmethod
    def resolve_outcome_label(obj: Case) -> str:
        return label(Outcome, obj.outcome) if obj.outcome else ""

    @staticmethod
    def resolve_deadlines(obj: Case) -> list[DeadlineOut]:
        stages = (
            (Stage.ACK, obj.ack_due, obj.acknowledged_at),
            (Stage.RESPOND, obj.respond_due, obj.responded_at),
            (Stage.CONCLUDE, obj.conclude_due, obj.closed_at),
        )
        return [
            DeadlineOut(
                stage=s, label=label(Stage, s), due=due, done_at=done, provisional=obj.due_provisional
            )
            for s, due, done in stages
        ]


class RecordedOut(CaseDetailOut):
    follow_code: str = Field(default="", description="Read it to the caller: shown only this once")


class CountOut(Schema):
    label: str
    count: int


class UnionCountOut(Schema):
    org: OrgRef
    count: int
    open: int


class StatsOut(Schema):
    org_id: int
    since: datetime.date | None
    total: int
    open: int
    overdue: int
    closed: int
    on_time: int
    on_time_rate: float | None = Field(description="Per cent of closed requests concluded by their deadline")
    handling_days_avg: float | None = Field(description="Average days from receipt to conclusion")
    rated: int
    rating_avg: float | None = Field(description="Average satisfaction, 1 to 5")
    by_category: list[CountOut]
    by_outcome: list[CountOut]
    by_union: list[UnionCountOut]


class LevelOut(Schema):
    category: str
    label: str
    ack_workdays: int
    respond_workdays: int
    conclude_workdays: int
    source_org: OrgRef | None = Field(
        description="The union whose level applies; null for the platform default"
    )


class PolicyOut(Schema):
    org_id: int
    source_org_id: int | None = Field(description="The union whose rules apply; null for the defaults")
    remind_workdays_before: int
    reopen_days: int
