"""Writes to the working-day calendar: the system administrator enters a year's State Council schedule."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .audit import log_action
from .errors import ServiceError
from .models import ScheduleYear, WorkdayOverride


def _require_system_admin(actor: Any) -> None:
    if getattr(actor, "admin_duty", "") != "system_admin":
        raise ServiceError(
            "permission_denied", _("Only the system administrator changes the calendar."), status=403
        )


@transaction.atomic
def workday_override_set(*, actor: Any, day: date, is_workday: bool, name: str = "") -> WorkdayOverride:
    """A holiday on a weekday, or a weekend day moved to be a working day (调休)."""
    _require_system_admin(actor)
    override, _created = WorkdayOverride.objects.update_or_create(
        day=day, defaults={"is_workday": is_workday, "name": name.strip()[:50]}
    )
    log_action(
        actor=actor,
        action="gonghui.calendar.day_set",
        obj=override,
        data={"day": day.isoformat(), "is_workday": is_workday, "name": name},
    )
    return override


@transaction.atomic
def workday_override_remove(*, actor: Any, override_id: int) -> None:
    _require_system_admin(actor)
    override = WorkdayOverride.objects.filter(pk=override_id).first()
    if override is None:
        return  # already removed: removing twice changes nothing
    log_action(
        actor=actor,
        action="gonghui.calendar.day_removed",
        obj=override,
        data={"day": override.day.isoformat()},
    )
    override.delete()


@transaction.atomic
def schedule_year_mark_official(*, actor: Any, year: int, note: str = "") -> ScheduleYear:
    """From now on deadlines in this year are no longer provisional."""
    _require_system_admin(actor)
    if not 2000 <= year <= 2100:
        raise ServiceError("invalid_year", _("Give a year between 2000 and 2100."), field="year")
    marked, _created = ScheduleYear.objects.get_or_create(year=year, defaults={"note": note[:200]})
    log_action(actor=actor, action="gonghui.calendar.year_official", obj=marked, data={"year": year})
    return marked
