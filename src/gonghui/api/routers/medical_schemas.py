"""Schemas of the mutual medical aid API (api/routers/medical.py)."""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from .member_schemas import OrgRef


class PlanIn(Schema):
    org_id: int
    year: int = Field(ge=2000, le=2100)
    code: str = Field(default="basic", pattern=r"^[a-z0-9_-]{1,20}$")
    name: str = Field(max_length=80)
    contribution: Decimal = Field(ge=0, max_digits=8, decimal_places=2)
    enrol_opens: datetime.date
    enrol_closes: datetime.date
    cover_starts: datetime.date
    cover_ends: datetime.date
    waiting_days: int = Field(default=90, ge=0, le=366)
    claim_deadline_days: int = Field(default=180, ge=1, le=3650)
    hospital_deductible: Decimal = Field(default=Decimal(1000), ge=0, max_digits=10, decimal_places=2)
    hospital_tiers: list[list[Any]] | None = Field(
        default=None, description="[[upper bound of the bracket above the deductible or null, rate], ...]"
    )
    per_stay_cap: Decimal = Field(default=Decimal(20000), ge=0, max_digits=10, decimal_places=2)
    annual_cap: Decimal = Field(default=Decimal(50000), ge=0, max_digits=10, decimal_places=2)
    illnesses: list[dict[str, Any]] | None = Field(default=None, description="[{code, name, amount}, ...]")
    accident_cover_for_new_employment: bool = False
    accident_benefits: list[dict[str, Any]] | None = None


class PlanOut(Schema):
    id: int
    org: OrgRef
    year: int
    code: str
    name: str
    contribution: Decimal
    enrol_opens: datetime.date
    enrol_closes: datetime.date
    cover_starts: datetime.date
    cover_ends: datetime.date
    waiting_days: int
    claim_deadline_days: int
    hospital_deductible: Decimal
    hospital_tiers: list[list[Any]]
    per_stay_cap: Decimal
    annual_cap: Decimal
    illnesses: list[dict[str, Any]]
    accident_cover_for_new_employment: bool
    accident_benefits: list[dict[str, Any]]


class MemberRef(Schema):
    id: int
    number: str
    name: str


class EnrolmentOut(Schema):
    id: int
    year: int
    plan_code: str = Field(alias="plan.code")
    member: MemberRef
    org: OrgRef
    via: str
    enrolled_on: datetime.date
    cover_from: datetime.date
    cover_until: datetime.date
    payment: str
    amount: Decimal
    payment_ref: str


class EnrolIn(Schema):
    org_id: int
    year: int = Field(ge=2000, le=2100)
    numbers: list[str] | None = Field(
        default=None, description="Member numbers; null enrols every live member"
    )
    plan_code: str = ""
    payment_ref: str = Field(default="", max_length=60)


class ProblemOut(Schema):
    row: int
    number: str
    message: str


class EnrolResultOut(Schema):
    created: int
    already: int
    problems: list[ProblemOut]


class SelfEnrolIn(Schema):
    plan_code: str = ""
    payment_ref: str = Field(default="", max_length=60)


class CoverOut(Schema):
    year: int
    cover_from: datetime.date
    cover_until: datetime.date


class DocumentOut(Schema):
    id: int
    kind: str
    original_name: str
    size: int
    added_at: datetime.datetime


class EventOut(Schema):
    status: str
    at: datetime.datetime
    note: str


class ClaimOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    year: int
    member: MemberRef
    org: OrgRef
    event_on: datetime.date
    discharged_on: datetime.date | None
    hospital: str
    total_amount: Decimal
    insurance_amount: Decimal
    out_of_pocket: Decimal
    item_code: str
    item_name: str
    computed_amount: Decimal
    approved_amount: Decimal | None
    reason: str
    by_member: bool
    submitted_at: datetime.datetime
    paid_on: datetime.date | None
    payment_ref: str


class ClaimDetailOut(ClaimOut):
    documents: list[DocumentOut] = []
    events: list[EventOut] = []


class MineOut(Schema):
    member_number: str | None
    year: int
    plans: list[PlanOut]
    enrolment: EnrolmentOut | None
    accident_cover: CoverOut | None
    claims: list[ClaimOut]


class ApproveIn(Schema):
    amount: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    reason: str = Field(default="", max_length=500)


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class PayIn(Schema):
    payment_ref: str = Field(max_length=60)
    paid_on: datetime.date | None = None


class UnionStatsOut(Schema):
    org: OrgRef
    enrolled: int
    claims: int
    paid: Decimal


class YearPaidOut(Schema):
    year: int
    paid: Decimal


class StatsOut(Schema):
    year: int
    enrolled: int
    accident_covered: int
    by_status: dict[str, int]
    paid: Decimal
    by_union: list[UnionStatsOut]
    paid_by_year: list[YearPaidOut]
