"""The pure rules of recuperation (疗休养): spending limits, quotas, eligibility, priority and the allocation.

Nothing here touches the database or the clock. The numbers come from the union's RecuperationPolicy (data);
only the arithmetic and the order of the list live here.

Priority: points for a model worker, for a front-line post and per whole year of membership (capped). Ties go to
the earlier application, then the lower application id, so the same data always gives the same list.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# --- the plan of a batch ------------------------------------------------------------------------------------


def batch_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    """Days of a batch, counting the first and the last."""
    return (ends_on - starts_on).days + 1


def cost_limit(*, days: int, daily_limit: Decimal) -> Decimal:
    """The most a batch may cost per person: days × the limit per person per day."""
    return daily_limit * days


def plan_problems(*, days: int, cost_per_person: Decimal, daily_limit: Decimal, max_days: int) -> list[str]:
    """Why a batch plan breaks the spending rules (empty: within them)."""
    problems = []
    if days > max_days:
        problems.append("too_many_days")
    if cost_per_person > cost_limit(days=days, daily_limit=daily_limit):
        problems.append("over_limit")
    return problems


def split_fits(*, held: int, given: Iterable[int], new: int) -> bool:
    """Places given down (those already given plus the new quota) never exceed the places held."""
    return new >= 0 and sum(given) + new <= held


# --- eligibility --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    statuses: frozenset[str] = frozenset({"active"})
    min_membership_years: int = 1
    interval_years: int = 3
    only_designations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Facts:
    has_quota: bool
    status: str
    joined_on: datetime.date | None
    today: datetime.date
    year: int
    designations: frozenset[str] = frozenset()
    last_year: int | None = None  # the last year the member went (or holds a place)
    placed_this_year: bool = False
    already_applied: bool = False


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.problems


def membership_years(joined_on: datetime.date | None, today: datetime.date) -> int:
    """Whole years of membership on `today` (a year counts once its anniversary is reached)."""
    if joined_on is None:
        return 0
    years = today.year - joined_on.year
    if (today.month, today.day) < (joined_on.month, joined_on.day):
        years -= 1
    return max(years, 0)


def check(rule: Eligibility, facts: Facts) -> Verdict:
    """Every reason the member may not apply, as codes (empty: eligible)."""
    v = Verdict()
    if not facts.has_quota:
        v.problems.append("no_quota")
    if facts.status not in rule.statuses:
        v.problems.append("member_status")
    if membership_years(facts.joined_on, facts.today) < rule.min_membership_years:
        v.problems.append("membership_too_short")
    if rule.only_designations and not (rule.only_designations & facts.designations):
        v.problems.append("designation")
    if facts.placed_this_year:
        v.problems.append("place_this_year")
    elif (
        rule.interval_years
        and facts.last_year is not None
        and facts.year - facts.last_year < rule.interval_years
    ):
        v.problems.append("too_recent")
    if facts.already_applied:
        v.problems.append("already_applied")
    return v


# --- priority and allocation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Points:
    model_worker: int = 50
    frontline: int = 20
    per_year: int = 2
    max_service: int = 30


def score(points: Points, *, designations: Iterable[str], years: int) -> tuple[int, dict[str, int]]:
    """The priority points of a member and where they come from."""
    kinds = set(designations)
    detail = {
        "model_worker": points.model_worker if "model_worker" in kinds else 0,
        "frontline": points.frontline if "frontline" in kinds else 0,
        "service": min(max(years, 0) * points.per_year, points.max_service),
    }
    return sum(detail.values()), detail


@dataclass(frozen=True)
class Candidate:
    id: int
    points: int
    applied_at: datetime.datetime


def rank(candidates: Iterable[Candidate]) -> list[int]:
    """Ids by priority: most points first, then the earlier application, then the lower id."""
    return [c.id for c in sorted(candidates, key=lambda c: (-c.points, c.applied_at, c.id))]


@dataclass(frozen=True)
class AllocationResult:
    allocated: list[int]
    waiting: list[int]


def allocate(ranked: Sequence[int], places: int) -> AllocationResult:
    """Fill the free places from the top of the ranking; the rest wait in that order."""
    places = max(places, 0)
    return AllocationResult(allocated=list(ranked[:places]), waiting=list(ranked[places:]))


def cancel_allowed(*, today: datetime.date, starts_on: datetime.date, days_before: int) -> bool:
    """A member may cancel up to `days_before` days before the start (inclusive)."""
    return today <= starts_on - datetime.timedelta(days=days_before)


def window_state(*, now: datetime.datetime, opens_at: datetime.datetime, closes_at: datetime.datetime) -> str:
    if now < opens_at:
        return "before"
    if now < closes_at:
        return "open"
    return "closed"
