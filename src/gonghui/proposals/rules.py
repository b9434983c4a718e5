"""The rules of a congress proposal's life, pure and without queries.

collecting -> submitted (enough co-signers) -> accepted | converted | rejected; accepted -> assigned -> answered ->
closed (the proposer rated it). A proposal rated "not satisfied" may be assigned once more (closed -> assigned).
The proposer may withdraw it until the committee decides.
"""

from __future__ import annotations

from .models import ProposalStatus as P
from .models import Satisfaction

TRANSITIONS: dict[str, frozenset[str]] = {
    P.COLLECTING: frozenset({P.SUBMITTED, P.WITHDRAWN}),
    P.SUBMITTED: frozenset({P.ACCEPTED, P.CONVERTED, P.REJECTED, P.WITHDRAWN}),
    P.ACCEPTED: frozenset({P.ASSIGNED}),
    P.ASSIGNED: frozenset({P.ANSWERED}),
    P.ANSWERED: frozenset({P.CLOSED}),
    P.CLOSED: frozenset({P.ASSIGNED}),
    P.CONVERTED: frozenset(),
    P.REJECTED: frozenset(),
    P.WITHDRAWN: frozenset(),
}

# Co-signatures are taken until the committee decides.
COSIGN_OPEN = frozenset({P.COLLECTING, P.SUBMITTED})
# Working days before the deadline when the department is reminded.
REMIND_WORKDAYS_BEFORE = 3
MAX_ANSWER_DAYS = 120
TITLE_MIN, TITLE_MAX = 4, 120
TEXT_MIN, TEXT_MAX = 10, 10000


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def reaches_committee(cosigners: int, minimum: int) -> bool:
    """A proposal goes to the committee once it has at least the congress's minimum of co-signers."""
    return cosigners >= minimum


def may_reassign(status: str, satisfaction: str, reassigned: bool) -> bool:
    """The committee may assign a proposal once more when the proposer was not satisfied with the answer."""
    return status == P.CLOSED and satisfaction == Satisfaction.NOT_SATISFIED and not reassigned


def sweep_action(
    *,
    due_days_left: int,
    overdue: bool,
    reminded: bool,
    flagged: bool,
    remind_before: int = REMIND_WORKDAYS_BEFORE,
) -> str:
    """What the daily sweep does for an unanswered, assigned proposal: "overdue" (once, after the deadline),
    "remind" (once, within `remind_before` working days of it), or "" (nothing)."""
    if overdue:
        return "" if flagged else "overdue"
    if due_days_left <= remind_before and not reminded:
        return "remind"
    return ""
