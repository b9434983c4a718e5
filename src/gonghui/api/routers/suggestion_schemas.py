"""Schemas of the suggestions API (api/routers/suggestions.py). Generous bounds only: the services give the real
limits with their own messages."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from gonghui.suggestions.models import RewardForm, Suggestion, SuggestionCategory, SuggestionStatus

from .member_schemas import OrgRef, label


class SuggestionIn(Schema):
    title: str = Field(max_length=500)
    category: str = Field(description="technology, safety, quality, cost, management, welfare or other")
    situation: str = Field(max_length=20000)
    measures: str = Field(max_length=20000)
    expected_benefit: str = Field(default="", max_length=20000)


class PaperSuggestionIn(SuggestionIn):
    member_id: int = Field(description="The member who handed in the suggestion")


class DecideIn(Schema):
    adopt: bool
    reason: str = Field(default="", max_length=20000, description="Required when not adopting")
    notes: str = Field(default="", max_length=20000)


class NoteIn(Schema):
    text: str = Field(max_length=20000)


class ImplementIn(Schema):
    implemented_on: datetime.date | None = None
    note: str = Field(max_length=20000)
    benefit_amount: Decimal | None = None
    benefit_description: str = Field(default="", max_length=20000)


class RewardIn(Schema):
    form: str = Field(description="cash, certificate, goods, points or other")
    amount: Decimal | None = Field(default=None, description="In yuan; required for a cash bonus")
    note: str = Field(default="", max_length=300)
    benefit_amount: Decimal | None = None
    benefit_description: str = Field(default="", max_length=20000)


class SuggestionOut(Schema):
    id: int
    number: str
    org: OrgRef
    title: str
    category: str
    category_label: str
    status: str
    status_label: str
    source: str
    submitter_name: str
    year: int
    submitted_at: datetime.datetime

    @staticmethod
    def resolve_category_label(obj: Suggestion) -> str:
        return label(SuggestionCategory, obj.category)

    @staticmethod
    def resolve_status_label(obj: Suggestion) -> str:
        return label(SuggestionStatus, obj.status)


class SuggestionDetailOut(SuggestionOut):
    situation: str
    measures: str
    expected_benefit: str
    reason: str
    decided_at: datetime.datetime | None
    implemented_on: datetime.date | None
    implementation_note: str
    benefit_amount: Decimal | None
    benefit_description: str
    reward_form: str
    reward_form_label: str
    reward_amount: Decimal | None
    rewarded_on: datetime.date | None

    @staticmethod
    def resolve_reward_form_label(obj: Suggestion) -> str:
        return label(RewardForm, obj.reward_form) if obj.reward_form else ""


class EventOut(Schema):
    kind: str
    at: datetime.datetime
    note: str


class CadreSuggestionOut(SuggestionDetailOut):
    evaluation_notes: str
    events: list[EventOut] = []


class MemberSuggestionOut(SuggestionDetailOut):
    events: list[EventOut] = []


class AdoptedOut(Schema):
    id: int
    number: str
    title: str
    category: str
    status: str
    submitter_name: str
    benefit_amount: Decimal | None
    benefit_description: str


class TotalsOut(Schema):
    total: int
    open: int
    adopted: int
    not_adopted: int
    implemented: int
    rewarded: int
    reward_sum: Decimal
    benefit_sum: Decimal
    adoption_rate: float | None


class UnionTotalsOut(TotalsOut):
    org: OrgRef


class StatsOut(Schema):
    org_id: int
    year: int | None
    totals: TotalsOut
    by_union: list[UnionTotalsOut]
