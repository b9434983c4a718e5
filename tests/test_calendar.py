from datetime import date

import pytest

from gonghui.core import calendar
from gonghui.core.models import ScheduleYear, WorkdayOverride

pytestmark = pytest.mark.django_db


def test_a_moved_weekend_is_a_working_day():
    # 2026-10-10 is a Saturday made a working day for the National Day holiday.
    assert date(2026, 10, 10).weekday() == 5
    assert calendar.is_workday(date(2026, 10, 10))


def test_a_holiday_on_a_weekday_is_not_a_working_day():
    assert date(2026, 10, 5).weekday() == 0
    assert not calendar.is_workday(date(2026, 10, 5))


def test_add_workdays_skips_the_national_day_holiday():
    # From Wednesday 30 September 2026: 1-7 October are holidays, 8 and 9 October are working days,
    # Saturday 10 October is a moved working day.
    assert calendar.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert calendar.add_workdays(date(2026, 9, 30), 0) == date(2026, 9, 30)


def test_add_workdays_goes_backwards_for_negative_days():
    assert calendar.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)


def test_a_year_without_a_schedule_is_weekdays_and_provisional():
    day = date(2031, 5, 1)  # a Thursday; the real schedule will surely make it a holiday
    assert calendar.is_workday(day)
    assert calendar.is_provisional(day)
    result, provisional = calendar.add_workdays_checked(date(2031, 4, 30), 1)
    assert result == day
    assert provisional


def test_an_administrator_entered_schedule_is_used_and_not_provisional():
    WorkdayOverride.objects.create(day=date(2031, 5, 1), is_workday=False, name="劳动节")
    WorkdayOverride.objects.create(day=date(2031, 4, 27), is_workday=True, name="劳动节调休")  # a Sunday
    ScheduleYear.objects.create(year=2031)
    assert not calendar.is_workday(date(2031, 5, 1))
    assert calendar.is_workday(date(2031, 4, 27))
    assert not calendar.is_provisional(date(2031, 5, 1))
    assert calendar.add_workdays(date(2031, 4, 30), 1) == date(2031, 5, 2)


def test_a_known_year_is_not_provisional():
    assert not calendar.is_provisional(date(2026, 3, 2))
    assert calendar.add_workdays_checked(date(2026, 3, 2), 5) == (date(2026, 3, 9), False)


def test_workdays_between_counts_working_days_after_start():
    assert calendar.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert calendar.workdays_between(date(2026, 10, 10), date(2026, 9, 30)) == 0


def test_add_workdays_makes_a_constant_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        calendar.add_workdays(date(2026, 1, 1), 250)
