"""Schemas of the proposals API (api/routers/proposals.py). Generous bounds only: the services give the real
limits with their own messages."""

import datetime

from ninja import Field, Schema

from gonghui.proposals.models import Proposal, ProposalCategory, ProposalStatus, Satisfaction

from .member_schemas import OrgRef, label


class ProposalIn(Schema):
    congress_id: int
    meeting_id: int | None = None
    title: str = Field(max_length=500)
    category: str = Field(description="operations, wages, safety, management, training, life or other")
    reasons: str = Field(max_length=40000)
    measures: str = Field(max_length=40000)


class PaperProposalIn(Schema):
    congress_id: int
    delegate_id: int = Field(description="The serving delegate who handed in the paper form")
    meeting_id: int | None = None
    title: str = Field(max_length=500)
    category: str
    reasons: str = Field(max_length=40000)
    measures: str = Field(max_length=40000)


class DelegateIn(Schema):
    delegate_id: int


class DecisionIn(Schema):
    decision: str = Field(description="accept, convert (to a rationalisation suggestion) or reject")
    note: str = Field(default="", max_length=20000, description="The reason; required to reject")


class AssignIn(Schema):
    department_id: int
    workdays: int | None = Field(
        default=None, description="Working days to answer; the congress's setting if left out"
    )
    note: str = Field(default="", max_length=500)


class AnswerIn(Schema):
    text: str = Field(max_length=40000)


class RateIn(Schema):
    satisfaction: str = Field(description="satisfied, basically or not_satisfied")
    comment: str = Field(default="", max_length=500)


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=2000)


class DepartmentIn(Schema):
    org_id: int
    name: str = Field(max_length=200)
    contact_user_id: int | None = None


class DepartmentOut(Schema):
    id: int
    name: str
    active: bool
    contact_name: str

    @staticmethod
    def resolve_contact_name(obj: object) -> str:
        contact = getattr(obj, "contact", None)
        return getattr(contact, "real_name", "") if contact else ""


class ProposalOut(Schema):
    id: int
    number: str
    org: OrgRef
    congress_id: int
    meeting_id: int | None
    title: str
    category: str
    category_label: str
    status: str
    status_label: str
    proposer_name: str
    cosigner_count: int
    created_at: datetime.datetime
    due_on: datetime.date | None

    @staticmethod
    def resolve_category_label(obj: Proposal) -> str:
        return label(ProposalCategory, obj.category)

    @staticmethod
    def resolve_status_label(obj: Proposal) -> str:
        return label(ProposalStatus, obj.status)


class EventOut(Schema):
    kind: str
    at: datetime.datetime
    note: str


class ProposalDetailOut(ProposalOut):
    reasons: str
    measures: str
    decision_note: str
    suggestion_id: int | None
    department: DepartmentOut | None
    due_provisional: bool
    reassigned: bool
    answer: str
    answered_at: datetime.datetime | None
    satisfaction: str
    satisfaction_label: str
    satisfaction_comment: str
    cosigners: list[str] = []
    events: list[EventOut] = []

    @staticmethod
    def resolve_satisfaction_label(obj: Proposal) -> str:
        return label(Satisfaction, obj.satisfaction) if obj.satisfaction else ""


class ReportRowOut(Schema):
    number: str
    title: str
    proposer: str
    category: str
    cosigners: int
    status: str
    status_label: str
    decision_note: str
    suggestion: str
    department: str
    due_on: str
    answered_on: str
    on_time: bool
    answer: str
    satisfaction: str


class ReportOut(Schema):
    congress_id: int
    since: datetime.datetime | None
    totals: dict[str, int]
    rows: list[ReportRowOut]


class PublishedReportOut(Schema):
    id: int
    title: str
    published_at: datetime.datetime
    totals: dict[str, int]
    rows: list[ReportRowOut]
