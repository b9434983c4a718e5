"""Law-level membership rules (DOMAIN §2), pure and without queries. Figures a province may change live in
MemberPolicy rows; the functions here take them as arguments."""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from stdnum.iso7064 import mod_11_2

from gonghui.orgs.models import OrgKind

from .models import EmploymentForm, MemberStatus

# New forms of employment (新就业形态), the eight groups of the 2018 drive among them. These workers may join at
# their platform's union, an industry or regional joint union, or the local union where they work.
NEW_EMPLOYMENT_FORMS = frozenset(
    {
        EmploymentForm.DELIVERY_RIDER,
        EmploymentForm.COURIER,
        EmploymentForm.RIDE_HAILING,
        EmploymentForm.TRUCK_DRIVER,
        EmploymentForm.DOMESTIC,
        EmploymentForm.CARE_WORKER,
        EmploymentForm.SECURITY_GUARD,
        EmploymentForm.MALL_STAFF,
        EmploymentForm.REAL_ESTATE_AGENT,
        EmploymentForm.LIVE_STREAMER,
        EmploymentForm.OTHER_PLATFORM,
    }
)
EIGHT_GROUPS = frozenset(
    {
        EmploymentForm.TRUCK_DRIVER,
        EmploymentForm.COURIER,
        EmploymentForm.CARE_WORKER,
        EmploymentForm.DOMESTIC,
        EmploymentForm.MALL_STAFF,
        EmploymentForm.DELIVERY_RIDER,
        EmploymentForm.REAL_ESTATE_AGENT,
        EmploymentForm.SECURITY_GUARD,
    }
)

# Unions that hold member records directly. A territorial union above the street does not: an application
# routed to a district is placed by its cadre in one of these (re-routing), or held by a joint union.
HOLDING_KINDS = frozenset({OrgKind.GRASSROOTS, OrgKind.JOINT, OrgKind.STREET, OrgKind.PARK, OrgKind.BRANCH})

# Which status changes a cadre may make by hand. Transfers and lapsing have their own workflows.
STATUS_CHANGES: dict[str, frozenset[str]] = {
    MemberStatus.ACTIVE: frozenset({MemberStatus.RETAINED, MemberStatus.WITHDRAWN, MemberStatus.EXPELLED}),
    MemberStatus.RETAINED: frozenset({MemberStatus.ACTIVE, MemberStatus.WITHDRAWN, MemberStatus.EXPELLED}),
    MemberStatus.TRANSFERRING: frozenset(),
    MemberStatus.WITHDRAWN: frozenset(),
    MemberStatus.EXPELLED: frozenset(),
    MemberStatus.LAPSED: frozenset(),
}

# Statuses that pay dues. Retained members (retired, unemployed) are waived; late payment never ends a
# membership: only the reviewed lapse workflow does.
DUES_PAYING = frozenset({MemberStatus.ACTIVE, MemberStatus.TRANSFERRING})

NUMBER_BODY = 11  # digits before the check character


def member_number(serial: int) -> str:
    """The member number for a serial: 11 digits and an ISO 7064 MOD 11-2 check character (0-9 or X, the
    scheme of the resident ID number, which catches every single-digit typo and every adjacent swap)."""
    if serial <= 0 or serial >= 10**NUMBER_BODY:
        raise ValueError("member serial out of range")
    body = str(serial).zfill(NUMBER_BODY)
    return body + mod_11_2.calc_check_digit(body)


def member_number_valid(number: str) -> bool:
    number = number.strip().upper()
    return len(number) == NUMBER_BODY + 1 and number[:-1].isdigit() and mod_11_2.is_valid(number)


_QUANT = {"fen": Decimal("0.01"), "jiao": Decimal("0.1"), "yuan": Decimal("1"), "jiao_up": Decimal("0.1")}


def dues_amount(wage: Decimal, *, permille: Decimal = Decimal(5), rounding: str = "fen") -> Decimal:
    """Monthly dues: `permille` ‰ of the wage base (5‰ by law), rounded as the province rules say."""
    if wage < 0:
        raise ValueError("negative wage")
    raw = wage * permille / Decimal(1000)
    mode = ROUND_CEILING if rounding.endswith("_up") else ROUND_HALF_UP
    return raw.quantize(_QUANT.get(rounding, Decimal("0.01")), rounding=mode).quantize(Decimal("0.01"))


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` before the month of `day`."""
    index = day.year * 12 + (day.month - 1) - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def lapse_due(
    *,
    today: datetime.date,
    joined_on: datetime.date,
    last_paid_month: datetime.date | None,
    last_participated_on: datetime.date | None,
    months: int = 6,
) -> bool:
    """Whether a member has, for `months` consecutive whole months, neither paid dues nor taken part in union
    life (DOMAIN §2), counting from joining when nothing was ever recorded. Only a proposal: a cadre decides."""
    cutoff = months_back(today, months)  # activity in or after this month keeps the membership
    last = max(d for d in (joined_on, last_paid_month, last_participated_on) if d is not None)
    return month_start(last) < cutoff
