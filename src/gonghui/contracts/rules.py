"""The law-level rules of collective contracts (集体合同, DOMAIN §3), pure and without queries.

Sources: the Labour Contract Law (劳动合同法) arts. 51-56 and the Provisions on Collective Contracts
(集体合同规定, 2004) arts. 38-44.
- A collective contract (comprehensive, or special: wages, women workers' rights, work safety and others)
  has a term of one to three years.
- After signing it goes to the labour administration. If the administration raises no objection within
  15 days of receiving it, the contract takes effect (art. 54): on the 15th calendar day after receipt.
  The administration may also confirm earlier. An objection sends it back to negotiation.
- It expires at the end of its term. The union is reminded well before (the lead time is the union's
  setting, ContractPolicy; DEFAULT_REMIND_DAYS when none is set).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

REVIEW_DAYS = 15  # calendar days the labour administration has to object, counted from its receipt
MIN_TERM_YEARS = 1
MAX_TERM_YEARS = 3
DEFAULT_REMIND_DAYS = 60
MAX_REMIND_DAYS = 365

# The workflow. An objected contract goes back to negotiation; an effective one expires at the end of its term.
DRAFTING = "drafting"
NEGOTIATING = "negotiating"
SIGNED = "signed"
SUBMITTED = "submitted"
EFFECTIVE = "effective"
OBJECTED = "objected"
EXPIRED = "expired"

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFTING: frozenset({NEGOTIATING}),
    NEGOTIATING: frozenset({SIGNED}),
    SIGNED: frozenset({SUBMITTED, NEGOTIATING}),
    SUBMITTED: frozenset({EFFECTIVE, OBJECTED}),
    OBJECTED: frozenset({NEGOTIATING}),
    EFFECTIVE: frozenset({EXPIRED}),
    EXPIRED: frozenset(),
}
EDITABLE = frozenset({DRAFTING, NEGOTIATING, OBJECTED})


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    year = day.year + years
    return datetime.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass(frozen=True)
class TermProblem:
    code: str  # end_before_start, term_too_short, term_too_long


def term_problem(start: datetime.date, end: datetime.date) -> TermProblem | None:
    """Whether a term from `start` to `end` (both days included) is one to three years long.

    A one-year term from 1 January 2026 ends on 31 December 2026; a three-year term from then ends at the
    latest on 31 December 2028. So the end lies on or after the day before the first anniversary and on or
    before the day before the third."""
    if end <= start:
        return TermProblem("end_before_start")
    shortest = add_years(start, MIN_TERM_YEARS) - datetime.timedelta(days=1)
    longest = add_years(start, MAX_TERM_YEARS) - datetime.timedelta(days=1)
    if end < shortest:
        return TermProblem("term_too_short")
    if end > longest:
        return TermProblem("term_too_long")
    return None


def review_ends(received_on: datetime.date) -> datetime.date:
    """The day the contract takes effect if the labour administration raised no objection: the 15th calendar
    day after its receipt."""
    return received_on + datetime.timedelta(days=REVIEW_DAYS)


def takes_effect(*, received_on: datetime.date | None, today: datetime.date) -> bool:
    """Day 14 after receipt: still under review. Day 15: in effect."""
    return received_on is not None and today >= review_ends(received_on)


def remind_on(end: datetime.date, remind_days: int) -> datetime.date:
    return end - datetime.timedelta(days=remind_days)


def should_remind(
    *, end: datetime.date, today: datetime.date, remind_days: int, reminded_for: datetime.date | None
) -> bool:
    """Remind once, from `remind_days` before the end of the term up to the end itself."""
    return remind_on(end, remind_days) <= today <= end and reminded_for != end


def has_expired(*, end: datetime.date, today: datetime.date) -> bool:
    """The end date is the term's last day: the contract expires the day after."""
    return today > end
