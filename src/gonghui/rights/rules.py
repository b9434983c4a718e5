"""Pure rules of rights protection (DOMAIN §4): default service levels, what makes a case collective, and
which deadline stages the sweep must remind or escalate; the risk score of an employer. No queries here."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .models import Category, RiskIndicator, RiskLevel, Stage

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


# --- labour-relations risk warning -------------------------------------------------------------------------------
#
# An employer's score is the sum over indicators of min(value x points per unit, cap); the level is the highest
# threshold the score reaches. Weights and thresholds are data (RiskWeight, RiskPolicy rows, the nearest
# ancestor's applying); these are the defaults. Imports go through Decimal so that a score is exact.

RISK_INDICATORS: tuple[str, ...] = tuple(RiskIndicator.values)
# The indicators that come from outside (file or API); the others are counted from the platform's own cases.
EXTERNAL_INDICATORS: tuple[str, ...] = (
    RiskIndicator.SOCIAL_INSURANCE_ARREARS,
    RiskIndicator.UTILITY_ARREARS,
    RiskIndicator.ARBITRATION_CASES,
)
CASE_INDICATORS: tuple[str, ...] = tuple(i for i in RISK_INDICATORS if i not in EXTERNAL_INDICATORS)
LEVEL_ORDER: dict[str, int] = {RiskLevel.NONE: 0, RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}


@dataclass(frozen=True)
class Weight:
    points: Decimal  # per unit of the indicator
    cap: Decimal  # the most the indicator may add to the score


# Why these numbers (defaults, not law; every union may set its own):
# - Wage-arrears requests: one complaint may be a misunderstanding, four in the window are a pattern (the usual
#   forerunner of a collective dispute), so 10 each up to 40 reaches orange on wages alone but never red.
# - Collective cases (ten or more workers) are already a dispute: 20 each, up to 40.
# - A closure is the gravest single sign (wages and severance at stake for everyone): 40, orange on its own.
#   Layoffs and relocations disturb many workers but the employer goes on: 20 each, yellow on their own.
# - Social-insurance arrears are the signal the human-resources bureaus weigh most: 8 per month owed, up to 40
#   (five months). Utility arrears say cash is short but are noisier: 5 per month, up to 20. Arbitration cases
#   come in batches for one dispute: 5 each, up to 30.
# Any two strong signals together (e.g. a closure and two wage complaints) reach red at 60.
DEFAULT_WEIGHTS: dict[str, Weight] = {
    RiskIndicator.WAGE_REQUESTS: Weight(Decimal(10), Decimal(40)),
    RiskIndicator.COLLECTIVE_CASES: Weight(Decimal(20), Decimal(40)),
    RiskIndicator.LAYOFFS: Weight(Decimal(20), Decimal(20)),
    RiskIndicator.CLOSURES: Weight(Decimal(40), Decimal(40)),
    RiskIndicator.RELOCATIONS: Weight(Decimal(20), Decimal(20)),
    RiskIndicator.SOCIAL_INSURANCE_ARREARS: Weight(Decimal(8), Decimal(40)),
    RiskIndicator.UTILITY_ARREARS: Weight(Decimal(5), Decimal(20)),
    RiskIndicator.ARBITRATION_CASES: Weight(Decimal(5), Decimal(30)),
}


@dataclass(frozen=True)
class Thresholds:
    """The score from which each level applies (a score exactly at a threshold reaches that level)."""

    yellow: int = 20
    orange: int = 40
    red: int = 60


DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_WINDOW_DAYS = 90
MAX_POINTS = Decimal(1000)


@dataclass(frozen=True)
class Reason:
    indicator: str
    value: Decimal
    points: Decimal

    def as_json(self) -> dict[str, str]:
        return {
            "indicator": self.indicator,
            "value": plain_number(self.value),
            "points": plain_number(self.points),
        }


def plain_number(number: Decimal) -> str:
    """3 rather than 3.00 or 3E+1: how a number reads on a page."""
    return format(Decimal(number).normalize(), "f")


def risk_level(score: Decimal, thresholds: Thresholds) -> str:
    if score >= thresholds.red:
        return RiskLevel.RED
    if score >= thresholds.orange:
        return RiskLevel.ORANGE
    if score >= thresholds.yellow:
        return RiskLevel.YELLOW
    return RiskLevel.NONE


def score(
    values: Mapping[str, Decimal | int],
    weights: Mapping[str, Weight],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[Decimal, str, list[Reason]]:
    """(score, level, reasons): each indicator adds min(value x points, cap); indicators that add nothing are
    not reasons. Reasons come largest first (ties in the order of RiskIndicator, so the list is stable)."""
    reasons: list[Reason] = []
    for indicator in RISK_INDICATORS:
        value = Decimal(values.get(indicator, 0) or 0)
        weight = weights.get(indicator, DEFAULT_WEIGHTS[indicator])
        if value <= 0 or weight.points <= 0 or weight.cap <= 0:
            continue
        points = min(value * weight.points, weight.cap)
        reasons.append(Reason(indicator, value, points))
    reasons.sort(key=lambda r: (-r.points, RISK_INDICATORS.index(r.indicator)))
    total = sum((r.points for r in reasons), Decimal(0))
    return total, risk_level(total, thresholds), reasons


def in_window(received_on: datetime.date, today: datetime.date, days: int) -> bool:
    """Whether a case received on a day counts in "the last `days` days" (today included, so a window of 90
    days reaches back to 89 days ago)."""
    return today - datetime.timedelta(days=days) < received_on <= today


def rises(level: str, notified: str) -> bool:
    return LEVEL_ORDER.get(level, 0) > LEVEL_ORDER.get(notified, 0)


# An employer is known by its credit code. Cases that name only the employer's union (no code) are grouped by
# that union under this key instead; cases with neither are not scored (nothing says two names are one firm).
ORG_KEY_PREFIX = "org-"


def employer_key(uscc: str, employer_org_id: int | None) -> str:
    if uscc:
        return uscc
    return f"{ORG_KEY_PREFIX}{employer_org_id}" if employer_org_id else ""


def org_key_id(key: str) -> int | None:
    """The union id of a key made by employer_key from a union, else None (a credit code)."""
    if key.startswith(ORG_KEY_PREFIX) and key[len(ORG_KEY_PREFIX) :].isdigit():
        return int(key[len(ORG_KEY_PREFIX) :])
    return None


# --- mediation and arbitration (Labour Dispute Mediation and Arbitration Law, 劳动争议调解仲裁法) ----------------
#
# Art. 14: when no mediation agreement is reached within 15 days of the mediation organisation receiving the
# application, a party may apply for arbitration. The law counts calendar days, and a period counted in days
# starts on the day after the event (Civil Code art. 201), so the fifteenth day is received_on + 15.
#
# Art. 27: the limitation period for applying for labour arbitration is one year from the day the party knew or
# should have known of the infringement. A period in years ends on the corresponding day of the final year, or
# on the last day of that month when it has none (Civil Code art. 202): known on 29 February 2024, the period
# ends on 28 February 2025. The period is interrupted (it starts again) when a party claims its rights from
# the other, asks the authorities for help or the other side agrees to perform (art. 27 para. 2), and
# suspended by force majeure (para. 3); a period whose last day is a public holiday ends the day after the
# holiday (Civil Code art. 203); and wage arrears during a continuing employment are not bound by it, only
# within a year of the employment ending (para. 4). All of these can only make the date later, so the
# platform shows the plain date as the latest safe day: "at the latest ... unless interrupted".
MEDIATION_DAYS = 15
LIMITATION_YEARS = 1


def mediation_due(received_on: datetime.date) -> datetime.date:
    """The last day of the 15-day mediation period for an application received on `received_on`."""
    return received_on + datetime.timedelta(days=MEDIATION_DAYS)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The corresponding day `years` later, or the last day of that month when there is none (29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def arbitration_limitation(known_on: datetime.date) -> datetime.date:
    """The plain last day to apply for labour arbitration (one year from `known_on`), before any interruption,
    suspension or holiday that would move it later."""
    return add_years(known_on, LIMITATION_YEARS)


def mediation_action(
    *,
    today: datetime.date,
    due_on: datetime.date,
    warn_days_before: int,
    warned: bool,
    told: bool,
) -> str:
    """What the sweep must do for an open mediation: "tell" the parties they may apply for arbitration once the
    15 days have passed (once), "warn" the committee's union when the limit is `warn_days_before` calendar days
    away or less (once, and never after the parties were told), or "" for nothing. A sweep after downtime goes
    straight to "tell" for a mediation whose limit passed meanwhile."""
    if today > due_on:
        return "" if told else "tell"
    if not warned and not told and (due_on - today).days <= warn_days_before:
        return "warn"
    return ""
