"""The rules of mutual medical aid, pure and without queries. The figures (deductible, tiers, caps, sums,
deadlines) come from the Plan row; the functions here take them as arguments."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gonghui.members.rules import NEW_EMPLOYMENT_FORMS

CENT = Decimal("0.01")
ZERO = Decimal(0)


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tier:
    upto: Decimal | None  # upper bound of the bracket of the amount above the deductible; None: no bound
    rate: Decimal


def parse_tiers(raw: Sequence[Sequence[Any]]) -> list[Tier]:
    """Tiers as stored in the plan ([[upper bound or None, rate], ...]); checked to rise and end unbounded."""
    tiers = [
        Tier(None if upto in (None, "") else Decimal(str(upto)), Decimal(str(rate))) for upto, rate in raw
    ]
    if not tiers:
        raise ValueError("no tiers")
    last = ZERO
    for i, tier in enumerate(tiers):
        if not ZERO <= tier.rate <= 1:
            raise ValueError("rate out of range")
        if tier.upto is None:
            if i != len(tiers) - 1:
                raise ValueError("only the last tier may be unbounded")
        else:
            if tier.upto <= last:
                raise ValueError("tiers must rise")
            last = tier.upto
    return tiers


def hospital_payout(
    *,
    out_of_pocket: Decimal,
    deductible: Decimal,
    tiers: Sequence[Tier],
    per_stay_cap: Decimal,
    annual_cap: Decimal,
    paid_this_year: Decimal = ZERO,
) -> Decimal:
    """The payout for one hospital stay: the out-of-pocket part above the deductible, paid bracket by bracket
    at each tier's rate, then limited by the per-stay cap and by what is left of the annual cap."""
    eligible = max(ZERO, Decimal(out_of_pocket) - Decimal(deductible))
    total = ZERO
    lower = ZERO
    for tier in tiers:
        upper = tier.upto if tier.upto is not None else eligible
        portion = min(eligible, upper) - lower
        if portion <= 0:
            break
        total += portion * tier.rate
        lower = upper
    total = min(money(total), Decimal(per_stay_cap))
    left = max(ZERO, Decimal(annual_cap) - Decimal(paid_this_year))
    return money(min(total, left))


def listed_sum(items: Iterable[dict[str, Any]], code: str) -> tuple[str, Decimal] | None:
    """(name, fixed sum) of a listed illness or accident benefit, None when the code is not on the list."""
    for item in items:
        if item.get("code") == code:
            return str(item.get("name", code)), money(item.get("amount", 0))
    return None


def enrolment_open(*, opens: datetime.date, closes: datetime.date, today: datetime.date) -> bool:
    return opens <= today <= closes


def cover_from(
    *, cover_starts: datetime.date, enrolled_on: datetime.date, waiting_days: int
) -> datetime.date:
    """Enrolled before the cover period starts: covered from its first day. Enrolled later: after the
    waiting period, so that nobody enrols on the way to hospital."""
    if enrolled_on <= cover_starts:
        return cover_starts
    return enrolled_on + datetime.timedelta(days=waiting_days)


def in_cover(*, on: datetime.date, cover_from: datetime.date, cover_until: datetime.date) -> bool:
    return cover_from <= on <= cover_until


def claim_deadline(*, ended_on: datetime.date, days: int) -> datetime.date:
    """The last day to claim: `days` after discharge (or diagnosis or accident)."""
    return ended_on + datetime.timedelta(days=days)


def amounts_valid(*, total: Decimal, insurance: Decimal, out_of_pocket: Decimal) -> bool:
    """Out of pocket and the insurance share are not negative and together do not exceed the total."""
    return min(total, insurance, out_of_pocket) >= 0 and insurance + out_of_pocket <= total


def gets_accident_cover(*, employment_form: str, province_offers: bool) -> bool:
    """Free accident cover is for new-employment members (riders, couriers, drivers...) where offered."""
    return province_offers and employment_form in NEW_EMPLOYMENT_FORMS
