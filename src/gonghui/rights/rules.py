"""Pure rules of rights protection (DOMAIN §4): default service levels, what makes a case collective, and
which deadline stages the sweep must remind or escalate. No queries here."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from .models import Category, Stage

# Our default service levels in working days (DOMAIN §4; not law, so every union may set its own per
# category in ServiceLevel rows): acknowledge within 1, first substantive response within 5, conclude within 15.
# Unpaid wages and work injuries cannot wait: they get a faster first response by default.
DEFAULT_LEVEL = (1, 5, 15)
DEFAULT_LEVELS: dict[str, tuple[int, int, int]] = {c: DEFAULT_LEVEL for c in Category.values}
DEFAULT_LEVELS[Category.WAGES] = (1, 3, 15)
DEFAULT_LEVELS[Category.INJURY] = (1, 3, 15)

# A labour dispute with ten or more workers on one side is collective (Labour Dispute Mediation and
# Arbitration Law, art. 7): it is flagged and handled by the district union at least.
COLLECTIVE_THRESHOLD = 10

STAGES: tuple[str, ...] = (Stage.ACK, Stage.RESPOND, Stage.CONCLUDE)


def is_collective(workers_affected: int) -> bool:
    return workers_affected >= COLLECTIVE_THRESHOLD


def stage_set(text: str) -> set[str]:
    return {s for s in text.split(",") if s}


def stage_text(stages: set[str]) -> str:
    return ",".join(s for s in STAGES if s in stages)


@dataclass(frozen=True)
class CaseClock:
    """What the sweep needs of a case: each stage's deadline, whether it is done, and what was already done."""

    due: dict[str, datetime.date]
    done: set[str]
    reminded: set[str]
    escalated: set[str]


def stage_actions(
    clock: CaseClock,
    today: datetime.date,
    *,
    remind_before: int,
    workdays_between: Callable[[datetime.date, datetime.date], int],
) -> list[tuple[str, str]]:
    """(stage, "remind" | "escalate") for every unfinished stage: escalate once when its deadline has passed;
    remind once when it is at most `remind_before` working days away. Stages are independent, so a sweep that
    runs after days of downtime escalates every stage that went overdue meanwhile, each exactly once."""
    actions: list[tuple[str, str]] = []
    for stage in STAGES:
        if stage in clock.done:
            continue
        due = clock.due[stage]
        if today > due:
            if stage not in clock.escalated:
                actions.append((stage, "escalate"))
        elif (
            stage not in clock.reminded
            and stage not in clock.escalated
            and workdays_between(today, due) <= remind_before
        ):
            actions.append((stage, "remind"))
    return actions
