"""The pure rules of hardship aid: no database, no request. The limits themselves are data (AidPolicy);
these functions apply them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_CHAIN = ("grassroots",)
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NO_CASH_METHODS = frozenset({"cash", "shopping_card"})


def per_capita(monthly_income: Decimal, household_size: int) -> Decimal:
    """Household monthly income per person, to the fen."""
    size = max(household_size, 1)
    return (Decimal(monthly_income) / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def within_threshold(per_capita_income: Decimal, threshold: Decimal) -> bool:
    """At or below the local threshold: eligible as deep or relative hardship."""
    return Decimal(per_capita_income) <= Decimal(threshold)


def need_key(
    aid_type: str, *, illness_code: str = "", school_year: str = "", season: str = "", period: str = ""
) -> str:
    """What makes two applications "the same need": the same illness (medical), the same school year
    (education), the same holiday season (holiday visits), the same month (living aid)."""
    if aid_type == "medical":
        return f"medical:{illness_code.strip().upper()}"
    if aid_type == "education":
        return f"education:{school_year.strip()}"
    if aid_type == "holiday":
        return f"holiday:{season.strip()}"
    return f"living:{period.strip()}"


def need_problem(
    aid_type: str, *, illness_code: str = "", school_year: str = "", season: str = "", period: str = ""
) -> tuple[str, str] | None:
    """(field, code) of the detail a type of aid needs and lacks, else None."""
    if aid_type == "medical" and not ICD10.match(illness_code.strip().upper()):
        return "illness_code", "illness_code"
    if aid_type == "education":
        m = SCHOOL_YEAR.match(school_year.strip())
        if not m or int(m.group(2)) != int(m.group(1)) + 1:
            return "school_year", "school_year"
    if aid_type == "holiday" and not season.strip():
        return "season", "season"
    if aid_type == "living" and not PERIOD.match(period.strip()):
        return "period", "period"
    return None


def over_cap(granted_this_year: Decimal, amount: Decimal, cap: Decimal) -> bool:
    """True when this amount would take the household's total for the type and year over the cap."""
    return Decimal(granted_this_year) + Decimal(amount) > Decimal(cap)


def method_allowed(method: str, *, no_cash: bool) -> bool:
    return not (no_cash and method in NO_CASH_METHODS)


def resolve_chain(levels: Sequence[str], lineage: Sequence[tuple[int, str]]) -> list[int]:
    """The org ids an application climbs through. `lineage` is the applicant's union and its ancestors,
    nearest first, as (id, kind). For each level kind in order, the nearest org of that kind above the
    previous step; a kind missing from the lineage is skipped. Never empty: the applicant's union reviews
    when nothing else matches."""
    chain: list[int] = []
    start = 0
    for kind in levels:
        for i in range(start, len(lineage)):
            org_id, org_kind = lineage[i]
            if org_kind == kind:
                chain.append(org_id)
                start = i + 1
                break
    if not chain and lineage:
        chain.append(lineage[0][0])
    return chain


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    return day  # pragma: no cover
