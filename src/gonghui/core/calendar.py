"""The one working-day calendar of the platform (DOMAIN §4).

Working days follow the State Council's yearly holiday schedule, including weekend days moved to be
working days (调休). The bundled `chinese_calendar` knows the official schedule up to its release year;
administrators enter later years as WorkdayOverride rows and mark a year complete with ScheduleYear.
For a year known to neither, a day is judged as Monday-to-Friday and the answer is *provisional*:
callers show such deadlines as provisional instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import chinese_calendar
from chinese_calendar import constants as _cc_constants

if TYPE_CHECKING:
    from .models import WorkdayOverride


@lru_cache(maxsize=1)
def _library_years() -> frozenset[int]:
    return frozenset(d.year for d in _cc_constants.holidays)


def _overrides_for_year(year: int) -> dict[date, bool]:
    from .models import WorkdayOverride

    return dict(
        WorkdayOverride.objects.filter(day__year=year).values_list("day", "is_workday")  # type: ignore[arg-type]
    )


def _official_admin_years() -> set[int]:
    from .models import ScheduleYear

    return set(ScheduleYear.objects.values_list("year", flat=True))


class _Schedule:
    """Per-call cache of the database overrides so add_workdays makes a constant number of queries."""

    def __init__(self) -> None:
        self._overrides: dict[int, dict[date, bool]] = {}
        self._admin_years: set[int] | None = None

    def overrides(self, year: int) -> dict[date, bool]:
        if year not in self._overrides:
            self._overrides[year] = _overrides_for_year(year)
        return self._overrides[year]

    def admin_years(self) -> set[int]:
        if self._admin_years is None:
            self._admin_years = _official_admin_years()
        return self._admin_years

    def is_workday(self, day: date) -> bool:
        override = self.overrides(day.year).get(day)
        if override is not None:
            return override
        if day.year in _library_years():
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def is_provisional(self, day: date) -> bool:
        return day.year not in _library_years() and day.year not in self.admin_years()


def is_workday(day: date) -> bool:
    """True when `day` is a working day under the official schedule (or provisionally, a weekday)."""
    return _Schedule().is_workday(day)


def is_provisional(day: date) -> bool:
    """True when no official schedule is known for `day`'s year, so its answer may still change."""
    return _Schedule().is_provisional(day)


def add_workdays(start: date, days: int) -> date:
    """The date `days` working days after `start` (before it when negative); `start` itself never counts.

    add_workdays(d, 0) is d itself.
    """
    schedule = _Schedule()
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += timedelta(days=step)
        if schedule.is_workday(current):
            remaining -= 1
    return current


def add_workdays_checked(start: date, days: int) -> tuple[date, bool]:
    """Like add_workdays, and also whether any day counted lies in a provisional year."""
    result = add_workdays(start, days)
    schedule = _Schedule()
    low, high = sorted((start, result))
    provisional = any(schedule.is_provisional(date(year, 1, 1)) for year in range(low.year, high.year + 1))
    return result, provisional


def workdays_between(start: date, end: date) -> int:
    """The number of working days after `start` up to and including `end` (0 when end <= start)."""
    return _count_workdays(_Schedule(), start, end)


def workdays_counter() -> Callable[[date, date], int]:
    """`workdays_between` for a job that counts many spans in one run (the deadline sweep): the entered
    schedule is read once for the run, not once per count, and each answer is remembered."""
    schedule = _Schedule()

    @lru_cache(maxsize=4096)
    def count(start: date, end: date) -> int:
        return _count_workdays(schedule, start, end)

    return count


def _count_workdays(schedule: _Schedule, start: date, end: date) -> int:
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if schedule.is_workday(current):
            count += 1
    return count


def entered_schedule(year: int) -> tuple[list[WorkdayOverride], bool]:
    """The days an administrator entered for `year`, and whether the year is marked official."""
    from .models import ScheduleYear, WorkdayOverride

    days = list(WorkdayOverride.objects.filter(day__year=year))
    return days, ScheduleYear.objects.filter(year=year).exists()
