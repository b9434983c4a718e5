"""The rules of a rationalisation suggestion's life, pure and without queries.

submitted -> evaluating -> adopted | not_adopted; adopted -> implemented -> rewarded. A suggestion that was not
adopted, or was rewarded, is finished.
"""

from __future__ import annotations

from decimal import Decimal

from .models import SuggestionStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.EVALUATING}),
    S.EVALUATING: frozenset({S.ADOPTED, S.NOT_ADOPTED}),
    S.ADOPTED: frozenset({S.IMPLEMENTED}),
    S.IMPLEMENTED: frozenset({S.REWARDED}),
    S.NOT_ADOPTED: frozenset(),
    S.REWARDED: frozenset(),
}

FINISHED = frozenset({S.NOT_ADOPTED, S.REWARDED})

# Lengths a person may type; the services refuse more with a sentence, not a database error.
TITLE_MIN, TITLE_MAX = 4, 120
TEXT_MIN, TEXT_MAX = 10, 5000
# Amounts in yuan: a reward of a grassroots union, and a benefit, which may be large (a production line).
REWARD_MAX = Decimal("1000000")
BENEFIT_MAX = Decimal("999999999999")


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def amount_ok(value: Decimal | None, *, maximum: Decimal) -> bool:
    """An amount in yuan: not negative, at most two decimals, not above the maximum."""
    if value is None:
        return True
    if not value.is_finite() or value < 0 or value > maximum:
        return False
    return value == value.quantize(Decimal("0.01"))
