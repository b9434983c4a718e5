"""Schemas of the membership API (api/routers/members.py). ID and mobile numbers only ever leave masked;
dates are ISO strings, money a string with two decimals, states a code with a translated label."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.members.models import (
    Application,
    ApplicationStep,
    DuesMonth,
    EmploymentForm,
    ImportJob,
    LapseProposal,
    Member,
    MemberEvent,
    MemberStatus,
    Transfer,
)
from gonghui.orgs.models import Org, OrgKind


def money(value: Decimal | None) -> str | None:
    """Money as a string with two decimals ("32.50"), never a float."""
    return None if value is None else f"{Decimal(value):.2f}"


def label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- schemas -----------------------------------------------------------------------------------------------


class OrgRef(Schema):
    id: int
    name: str


class EmployerOut(Schema):
    id: int
    name: str
    uscc: str | None


class UnionOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    division_code: str

    @staticmethod
    def resolve_kind_label(obj: Org) -> str:
        return label(OrgKind, obj.kind)


class JoinCodeIn(Schema):
    mobile: str = Field(max_length=20)


class SentOut(Schema):
    sent: bool


class CardCheckOut(Schema):
    valid: bool
    number: str
    name: str = Field(description="The member's name, masked")
    union: str
    status: str
    status_label: str


class PersonIn(Schema):
    name: str = Field(max_length=60)
    id_number: str = Field(max_length=30)
    mobile: str = Field(default="", max_length=20)
    employment_form: str = EmploymentForm.REGULAR
    employer_name: str = Field(default="", max_length=120)
    employer_uscc: str = Field(default="", max_length=30)
    work_division_code: str = Field(default="", max_length=10)
    work_place: str = Field(default="", max_length=200)


class ApplicationIn(PersonIn):
    consent: bool = Field(
        default=False,
        description="Separate consent to keep the ID number for membership (PIPL art. 29)",
    )
    code: str = Field(
        default="",
        max_length=10,
        description="SMS code from POST join/code; needed when the mobile differs from the account's",
    )
    employer_org_id: int | None = None
    platform_org_id: int | None = None
    preferred_org_id: int | None = None


class StepOut(Schema):
    kind: str
    kind_label: str
    at: datetime.datetime
    org: OrgRef | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: ApplicationStep) -> str:
        return label(ApplicationStep.Kind, obj.kind)


class OwnApplicationOut(Schema):
    """An application as the applicant sees it."""

    id: int
    org: OrgRef
    status: str
    status_label: str
    route_code: str
    route_explanation: str
    employment_form: str
    submitted_at: datetime.datetime
    due_on: datetime.date
    due_provisional: bool
    decided_at: datetime.datetime | None
    reason: str
    member_number: str | None
    timeline: list[StepOut] = []

    @staticmethod
    def resolve_status_label(obj: Application) -> str:
        return label(Application.Status, obj.status)

    @staticmethod
    def resolve_route_explanation(obj: Application) -> str:
        return obj.route_note

    @staticmethod
    def resolve_member_number(obj: Application) -> str | None:
        return obj.member.number if obj.member_id and obj.member else None


class ApplicationOut(Schema):
    """An application as a reviewing cadre sees it: numbers masked."""

    id: int
    name: str
    id_number_masked: str
    mobile_masked: str
    sex: str
    employment_form: str
    employment_form_label: str
    employer_name: str
    org: OrgRef
    status: str
    status_label: str
    route_code: str
    route_explanation: str
    submitted_at: datetime.datetime
    due_on: datetime.date
    due_provisional: bool
    escalated_to: OrgRef | None

    @staticmethod
    def resolve_id_number_masked(obj: Application) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_mobile_masked(obj: Application) -> str:
        return mask_mobile(obj.mobile)

    @staticmethod
    def resolve_employment_form_label(obj: Application) -> str:
        return label(EmploymentForm, obj.employment_form)

    @staticmethod
    def resolve_status_label(obj: Application) -> str:
        return label(Application.Status, obj.status)

    @staticmethod
    def resolve_route_explanation(obj: Application) -> str:
        return obj.route_note


class ApplicationDetailOut(ApplicationOut):
    employer_uscc: str
    work_division_code: str
    work_place: str
    employer_org: OrgRef | None
    platform_org: OrgRef | None
    reason: str
    decided_at: datetime.datetime | None
    member_id: int | None
    transfer_id: int | None
    timeline: list[StepOut] = []


class ApproveIn(Schema):
    place_in_org_id: int | None = Field(
        default=None, description="A holding union to place the member in (needed when a district approves)"
    )


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class RerouteIn(Schema):
    org_id: int
    reason: str = Field(max_length=300)


class BatchIn(Schema):
    ids: list[int] = Field(min_length=1, max_length=200)


class BatchApproved(Schema):
    application_id: int
    member_id: int
    number: str


class BatchFailed(Schema):
    application_id: int
    reason: str


class BatchOut(Schema):
    approved: list[BatchApproved]
    failed: list[BatchFailed]


class MemberBase(Schema):
    """What the cadre's member list and the member's own card share: numbers masked, codes with labels."""

    id: int
    number: str
    name: str
    id_number_masked: str
    mobile_masked: str
    org: OrgRef
    status: str
    status_label: str
    employment_form: str
    employment_form_label: str
    joined_on: datetime.date

    @staticmethod
    def resolve_id_number_masked(obj: Member) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_mobile_masked(obj: Member) -> str:
        return mask_mobile(obj.mobile)

    @staticmethod
    def resolve_status_label(obj: Member) -> str:
        return label(MemberStatus, obj.status)

    @staticmethod
    def resolve_employment_form_label(obj: Member) -> str:
        return label(EmploymentForm, obj.employment_form)


class MemberOut(MemberBase):
    sex: str
    left_on: datetime.date | None


class EventOut(Schema):
    kind: str
    kind_label: str
    at: datetime.datetime
    org: OrgRef
    other_org: OrgRef | None
    from_status: str
    to_status: str
    note: str
    actor_name: str

    @staticmethod
    def resolve_kind_label(obj: MemberEvent) -> str:
        return label(MemberEvent.Kind, obj.kind)

    @staticmethod
    def resolve_actor_name(obj: MemberEvent) -> str:
        return obj.actor.real_name if obj.actor_id and obj.actor else ""


class MemberDetailOut(MemberOut):
    employer_name: str
    employer_uscc: str
    work_division_code: str
    work_place: str
    retained_reason: str
    last_participated_on: datetime.date | None
    has_account: bool
    history: list[EventOut] = []

    @staticmethod
    def resolve_has_account(obj: Member) -> bool:
        return obj.user_id is not None


class MemberCreateIn(PersonIn):
    org_id: int
    joined_on: datetime.date | None = None


class MemberUpdateIn(Schema):
    mobile: str | None = Field(default=None, max_length=20)
    employer_name: str | None = Field(default=None, max_length=120)
    employer_uscc: str | None = Field(default=None, max_length=30)
    employment_form: str | None = None
    work_division_code: str | None = Field(default=None, max_length=10)
    work_place: str | None = Field(default=None, max_length=200)


class RevealIn(Schema):
    field: Literal["id_number", "mobile"]
    reason: str = Field(max_length=500)


class RevealOut(Schema):
    field: str
    value: str


class StatusIn(Schema):
    status: str
    reason: str = Field(max_length=500)
    retained_reason: str = ""
    decision: str = Field(
        default="", max_length=300, description="Needed to expel: the member meeting's decision"
    )


class TransferIn(Schema):
    to_org_id: int
    reason: str = Field(default="", max_length=500)
    new_employer_name: str = Field(default="", max_length=120)
    new_employer_uscc: str = Field(default="", max_length=30)


class NoteIn(Schema):
    note: str = Field(default="", max_length=500)


class TransferOut(Schema):
    id: int
    member_id: int
    member_number: str
    member_name: str
    from_org: OrgRef
    to_org: OrgRef
    started_by: str
    started_by_label: str
    status: str
    status_label: str
    reason: str
    new_employer_name: str
    started_at: datetime.datetime
    due_on: datetime.date
    due_provisional: bool
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_member_number(obj: Transfer) -> str:
        return obj.member.number

    @staticmethod
    def resolve_member_name(obj: Transfer) -> str:
        return obj.member.name

    @staticmethod
    def resolve_started_by_label(obj: Transfer) -> str:
        return label(Transfer.StartedBy, obj.started_by)

    @staticmethod
    def resolve_status_label(obj: Transfer) -> str:
        return label(Transfer.Status, obj.status)


class MembershipOut(MemberBase):
    """The member card: what the member shows, and the code a QR scanner checks."""

    card_code: str = ""
    verify_url: str = ""
    transfers: list[TransferOut] = []


class LapseOut(Schema):
    id: int
    member_id: int
    member_number: str
    member_name: str
    org: OrgRef
    proposed_on: datetime.date
    last_paid_month: datetime.date | None
    last_participated_on: datetime.date | None
    status: str
    status_label: str
    note: str

    @staticmethod
    def resolve_member_number(obj: LapseProposal) -> str:
        return obj.member.number

    @staticmethod
    def resolve_member_name(obj: LapseProposal) -> str:
        return obj.member.name

    @staticmethod
    def resolve_status_label(obj: LapseProposal) -> str:
        return label(LapseProposal.Status, obj.status)


class DuesOut(Schema):
    month: str = Field(description="YYYY-MM")
    wage_base: str | None
    due: str
    paid: str
    owed: str
    paid_on: datetime.date | None
    waived: bool

    @staticmethod
    def resolve_month(obj: DuesMonth) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_wage_base(obj: DuesMonth) -> str | None:
        return money(obj.wage_base)

    @staticmethod
    def resolve_due(obj: DuesMonth) -> str:
        return money(obj.due) or "0.00"

    @staticmethod
    def resolve_paid(obj: DuesMonth) -> str:
        return money(obj.paid) or "0.00"

    @staticmethod
    def resolve_owed(obj: DuesMonth) -> str:
        owed = Decimal(0) if obj.waived else max(Decimal(obj.due) - Decimal(obj.paid), Decimal(0))
        return money(owed) or "0.00"


class DuesIn(Schema):
    wage_base: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    paid: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    paid_on: datetime.date | None = None


class ArrearsOut(Schema):
    member_id: int
    number: str
    name: str
    org: OrgRef
    months: int
    owed: str
    last_paid_month: datetime.date | None


class CountsOut(Schema):
    org_id: int
    status: dict[str, int]
    employment_form: dict[str, int]
    joined: dict[str, int] = Field(description="Memberships by month joined (YYYY-MM)")


class PolicyOut(Schema):
    org_id: int
    source_org_id: int | None = Field(description="The union whose rules apply; null for the defaults")
    review_workdays: int
    transfer_workdays: int
    remind_workdays_before: int
    dues_permille: str
    dues_rounding: str
    dues_rounding_label: str
    lapse_months: int


class PolicyIn(Schema):
    review_workdays: int | None = Field(default=None, ge=1, le=30)
    transfer_workdays: int | None = Field(default=None, ge=1, le=30)
    remind_workdays_before: int | None = Field(default=None, ge=0, le=30)
    dues_permille: Decimal | None = Field(default=None, ge=0, le=100, max_digits=5, decimal_places=2)
    dues_rounding: str | None = None
    lapse_months: int | None = Field(default=None, ge=1, le=36)


# --- imports -----------------------------------------------------------------------------------------------


class ProblemOut(Schema):
    row: int = Field(description="The row as numbered in the spreadsheet")
    column: str
    reason: str


class ImportOut(Schema):
    id: int
    org: OrgRef
    kind: str
    kind_label: str
    status: str
    status_label: str
    mode: str
    original_name: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    total_rows: int
    processed_rows: int
    progress_percent: int
    valid_rows: int
    error_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    message: str
    problems: list[ProblemOut] = Field(default=[], description="The first problems, in row order")

    @staticmethod
    def resolve_kind_label(obj: ImportJob) -> str:
        return label(ImportJob.Kind, obj.kind)

    @staticmethod
    def resolve_status_label(obj: ImportJob) -> str:
        return label(ImportJob.Status, obj.status)


class CommitIn(Schema):
    mode: str = Field(description='"all" (all or nothing) or "valid" (the valid rows only)')
