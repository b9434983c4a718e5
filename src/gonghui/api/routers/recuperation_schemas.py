"""Schemas of the recuperation API (api/routers/recuperation.py).

Money is a string with two decimals, states a code with a translated label. A cadre's lists show a member's
name and member number (as the other cadre APIs do), never an ID or mobile number. Computed fields are read
from attributes that both a model row and an already-built schema have, so a schema validated again on the way
out gives the same answer.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from gonghui.recuperation import rules
from gonghui.recuperation.models import (
    Application,
    ApplicationStatus,
    BatchStatus,
    Designation,
    DesignationKind,
    Quota,
    SiteKind,
)

from .member_schemas import OrgRef, label


def _window(obj: Any) -> str:
    return rules.window_state(now=timezone.now(), opens_at=obj.opens_at, closes_at=obj.closes_at)


# --- shared pieces ------------------------------------------------------------------------------------------


class SiteRef(Schema):
    id: int
    name: str


class MemberRef(Schema):
    id: int
    number: str
    name: str


class ProblemOut(Schema):
    code: str
    message: str


class ReasonIn(Schema):
    reason: str = Field(max_length=2000)


class CancelIn(Schema):
    reason: str = Field(default="", max_length=2000)


# --- rules and designations ---------------------------------------------------------------------------------


class PolicyIn(Schema):
    """Rules left out (or null) keep the value in force at the union (its own or inherited)."""

    daily_limit: Decimal | None = Field(default=None, max_digits=8, decimal_places=2)
    max_days: int | None = None
    min_membership_years: int | None = None
    interval_years: int | None = Field(default=None, description="0: no such rule")
    cancel_days_before: int | None = None
    model_worker_points: int | None = None
    frontline_points: int | None = None
    points_per_year: int | None = None
    max_service_points: int | None = None


class PolicyOut(Schema):
    org: OrgRef
    source: OrgRef | None = Field(description="The union whose row is in force; null: the defaults")
    daily_limit: Decimal
    max_days: int
    min_membership_years: int
    interval_years: int
    cancel_days_before: int
    model_worker_points: int
    frontline_points: int
    points_per_year: int
    max_service_points: int


class DesignationIn(Schema):
    member_number: str = Field(max_length=40)
    kind: str = Field(max_length=40, description="model_worker or frontline")
    title: str = Field(default="", max_length=500, description="e.g. 浙江省劳动模范")
    year: int | None = Field(default=None, ge=1950, le=2100)


class DesignationOut(Schema):
    id: int
    member: MemberRef
    org: OrgRef
    kind: str
    kind_label: str
    title: str
    year: int | None
    added_at: datetime.datetime

    @staticmethod
    def resolve_org(obj: Any) -> Any:
        return obj.member.org if isinstance(obj, Designation) else obj.org

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return label(DesignationKind, obj.kind)


# --- sites --------------------------------------------------------------------------------------------------


class SiteIn(Schema):
    org_id: int | None = None
    name: str = Field(max_length=500)
    kind: str = Field(max_length=40, description="sanatorium, base or hotel")
    address: str = Field(max_length=1000)
    capacity: int = Field(description="beds, 1 to 10,000")
    contact: str = Field(default="", max_length=500)
    description: str = Field(default="", max_length=5000)


class SiteOut(Schema):
    id: int
    org: OrgRef
    name: str
    kind: str
    kind_label: str
    address: str
    capacity: int
    contact: str
    description: str
    is_active: bool
    n_batches: int = 0

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return label(SiteKind, obj.kind)

    @staticmethod
    def resolve_n_batches(obj: Any) -> int:
        return int(getattr(obj, "n_batches", 0) or 0)


# --- batches and quotas -------------------------------------------------------------------------------------


class BatchIn(Schema):
    site_id: int
    title: str = Field(max_length=500)
    theme: str = Field(max_length=500, description="e.g. 劳模疗休养, 一线职工疗休养")
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: int
    opens_at: datetime.datetime = Field(description="without an offset: China Standard Time")
    closes_at: datetime.datetime
    cost_per_person: Decimal = Field(max_digits=10, decimal_places=2)
    only_designations: list[str] = Field(
        default_factory=list, description="model_worker and/or frontline; empty: every member"
    )


class BatchOut(Schema):
    id: int
    org: OrgRef
    site: SiteRef
    year: int
    title: str
    theme: str
    starts_on: datetime.date
    ends_on: datetime.date
    days: int
    capacity: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    window: str = Field(default="", description="before, open or closed")
    cost_per_person: Decimal
    daily_limit: Decimal
    only_designations: list[str]
    status: str
    status_label: str = ""
    published_at: datetime.datetime | None
    n_applications: int = 0
    n_allocated: int = 0
    n_waiting: int = 0

    @staticmethod
    def resolve_window(obj: Any) -> str:
        return _window(obj)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return label(BatchStatus, obj.status)

    @staticmethod
    def resolve_n_applications(obj: Any) -> int:
        return int(getattr(obj, "n_applications", 0) or 0)

    @staticmethod
    def resolve_n_allocated(obj: Any) -> int:
        return int(getattr(obj, "n_allocated", 0) or 0)

    @staticmethod
    def resolve_n_waiting(obj: Any) -> int:
        return int(getattr(obj, "n_waiting", 0) or 0)


class QuotaOut(Schema):
    """`given`: places passed down to the unions below; `kept`: places for the union's own members;
    `free`: kept places not yet allocated."""

    id: int
    org: OrgRef
    parent_org: OrgRef | None = None
    places: int
    given: int = 0
    kept: int = 0
    n_allocated: int = 0
    n_waiting: int = 0
    n_applied: int = 0
    free: int = 0
    allocated_at: datetime.datetime | None
    can_manage: bool = False

    @staticmethod
    def resolve_parent_org(obj: Any) -> Any:
        if isinstance(obj, Quota):
            return obj.parent.org if obj.parent_id and obj.parent else None
        return obj.parent_org

    @staticmethod
    def resolve_given(obj: Any) -> int:
        return int(getattr(obj, "given", 0) or 0)

    @staticmethod
    def resolve_kept(obj: Any) -> int:
        return obj.places - int(getattr(obj, "given", 0) or 0)

    @staticmethod
    def resolve_n_applied(obj: Any) -> int:
        return int(getattr(obj, "n_applied", 0) or 0)

    @staticmethod
    def resolve_n_waiting(obj: Any) -> int:
        return int(getattr(obj, "n_waiting", 0) or 0)

    @staticmethod
    def resolve_free(obj: Any) -> int:
        given = int(getattr(obj, "given", 0) or 0)
        return max(obj.places - given - int(getattr(obj, "n_allocated", 0) or 0), 0)


class BatchDetailOut(BatchOut):
    cost_limit: Decimal = Decimal(0)
    quotas: list[QuotaOut] = []

    @staticmethod
    def resolve_cost_limit(obj: Any) -> Decimal:
        return rules.cost_limit(days=obj.days, daily_limit=obj.daily_limit)


class QuotaIn(Schema):
    org_id: int
    places: int = Field(le=1_000_000)


class AllocationOut(Schema):
    allocated: int
    waiting: int


# --- applications -------------------------------------------------------------------------------------------


class _ApplicationState(Schema):
    """Where an application stands: what the union's list and the member's own list both show."""

    id: int
    status: str
    status_label: str = ""
    points: int
    waiting_position: int | None
    promoted: bool
    created_at: datetime.datetime
    allocated_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    cancel_reason: str
    attended_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return label(ApplicationStatus, obj.status)


class ApplicationOut(_ApplicationState):
    batch_id: int
    member: MemberRef
    org: OrgRef
    quota_org: OrgRef
    points_detail: dict[str, int]

    @staticmethod
    def resolve_quota_org(obj: Any) -> Any:
        return obj.quota.org if isinstance(obj, Application) else obj.quota_org


class AttendanceIn(Schema):
    attended: bool


class StatsRowOut(Schema):
    org: OrgRef
    own: bool
    places: int
    applications: int
    allocated: int
    attended: int


class StatsOut(Schema):
    org: OrgRef
    year: int
    places: int
    applications: int
    allocated: int
    attended: int
    rows: list[StatsRowOut]


# --- the member ---------------------------------------------------------------------------------------------


class SiteBrief(SiteRef):
    kind: str
    address: str


class MineBatchOut(Schema):
    id: int
    org: OrgRef
    site: SiteBrief
    title: str
    theme: str
    starts_on: datetime.date
    ends_on: datetime.date
    days: int
    cost_per_person: Decimal
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    window: str = Field(default="", description="before, open or closed")
    only_designations: list[str]
    my_status: str | None = Field(default=None, description="My application's status; null: not applied")
    my_application: int | None = None

    @staticmethod
    def resolve_window(obj: Any) -> str:
        return _window(obj)


class MineBatchDetailOut(MineBatchOut):
    can_apply: bool = False
    problems: list[ProblemOut] = Field(
        default_factory=list, description="Every reason I may not apply now, translated"
    )


class BatchBrief(Schema):
    id: int
    title: str
    theme: str
    starts_on: datetime.date
    ends_on: datetime.date
    site: SiteRef


class MyApplicationOut(_ApplicationState):
    batch: BatchBrief
    union: OrgRef = Field(description="The union whose places the application competes for")

    @staticmethod
    def resolve_union(obj: Any) -> Any:
        return obj.quota.org if isinstance(obj, Application) else obj.union


class MyApplicationDetailOut(MyApplicationOut):
    points_detail: dict[str, int]
    can_cancel: bool = False
    cancel_until: datetime.date | None = Field(
        default=None, description="The last day a place can be given back"
    )


class MineOut(Schema):
    member_number: str | None
    union: OrgRef | None
    batches: list[MineBatchOut]
    applications: list[MyApplicationOut]


class ActiveIn(Schema):
    active: bool
