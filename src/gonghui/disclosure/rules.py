"""The rules of enterprise disclosure (厂务公开/企务公开, DOMAIN §3), pure and without queries.

A grassroots union keeps a disclosure plan: for each category, how often the enterprise discloses it and
when the next disclosure is due. Publishing an item against a plan entry settles one period and moves the
due date on by one period from the date that was due (not from the day of publishing), so a union that
skipped periods stays overdue until it has caught up, and a late disclosure does not shift the calendar.

Month arithmetic keeps the plan's day of the month: an entry due on the 31st is due on the last day of
shorter months and back on the 31st when the month has one (it never drifts to the 28th).
"""

from __future__ import annotations

import calendar
import datetime

MONTHLY = "monthly"
QUARTERLY = "quarterly"
HALF_YEARLY = "half_yearly"
YEARLY = "yearly"
ONCE = "once"

# Months per period; a one-off entry has no next period.
PERIOD_MONTHS: dict[str, int] = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6, YEARLY: 12}
FREQUENCIES = (MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY, ONCE)


def add_months(day: datetime.date, months: int, *, anchor_day: int | None = None) -> datetime.date:
    """`day` moved by `months` calendar months, on `anchor_day` (default: `day`'s own day of the month),
    clamped to the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(anchor_day or day.day, last))


def next_due(due: datetime.date, frequency: str, *, anchor_day: int | None = None) -> datetime.date | None:
    """The due date after `due` for an entry of `frequency`; None for a one-off entry (it is done)."""
    if frequency == ONCE:
        return None
    if frequency not in PERIOD_MONTHS:
        raise ValueError(f"unknown frequency {frequency!r}")
    return add_months(due, PERIOD_MONTHS[frequency], anchor_day=anchor_day)


def is_overdue(*, due: datetime.date | None, today: datetime.date, active: bool = True) -> bool:
    """An entry is overdue once its due date has passed (the due day itself is still on time)."""
    return active and due is not None and today > due


def should_flag(
    *, due: datetime.date | None, today: datetime.date, flagged_for: datetime.date | None, active: bool = True
) -> bool:
    """Whether the daily sweep tells the union now: overdue, and not yet told for this due date. Once per due
    date: publishing moves the due date on, and a new due date that passes is flagged again."""
    return is_overdue(due=due, today=today, active=active) and flagged_for != due


def days_overdue(*, due: datetime.date, today: datetime.date) -> int:
    return max(0, (today - due).days)


def ack_rate(acknowledged: int, audience: int) -> int | None:
    """Acknowledgements as a whole percentage of the members the item was published to (None with no
    audience); never above 100, since a member who joined after publishing may acknowledge too."""
    if audience <= 0:
        return None
    return min(100, (acknowledged * 100) // audience)
