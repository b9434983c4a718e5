"""Deadlines of applications and transfers: the sweep that reminds before a deadline and escalates to the
parent union after it."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.calendar import workdays_between
from gonghui.core.notify import notify_org
from gonghui.orgs.models import Org

from ..models import Application, ApplicationStep, Transfer
from ..selectors import policy_for
from .people import _step

# --- deadlines ---------------------------------------------------------------------------------------------


def deadlines_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Remind before the deadline and escalate to the parent union after it, for applications and transfers.

    Run by the scheduler; idempotent (the reminded/escalated times are the memory), and it catches up after
    downtime: an application that went overdue while the worker was down is escalated on the next run."""
    today = today or timezone.localdate()
    done = {"reminded": 0, "escalated": 0}
    remind_before: dict[int, int] = {}  # union -> its rule, read once per union rather than once per item
    for model, url_name in ((Application, "console:application"), (Transfer, "console:transfer")):
        org_field = "org" if model is Application else "to_org"
        pending = model.objects.filter(status="pending").select_related(org_field, f"{org_field}__parent")  # type: ignore[attr-defined]
        for item in pending.filter(escalated_at__isnull=True, due_on__lt=today).iterator(chunk_size=500):
            with transaction.atomic():
                _escalate(item, getattr(item, org_field), url_name, done)
        for item in pending.filter(
            reminded_at__isnull=True, escalated_at__isnull=True, due_on__gte=today
        ).iterator(chunk_size=500):
            org = getattr(item, org_field)
            if org.pk not in remind_before:
                remind_before[org.pk] = policy_for(org).remind_workdays_before
            before = remind_before[org.pk]
            if workdays_between(today, item.due_on) <= before:
                with transaction.atomic():
                    fresh = model.objects.select_for_update().get(pk=item.pk)  # type: ignore[attr-defined]
                    if fresh.reminded_at is not None or fresh.status != "pending":
                        continue
                    fresh.reminded_at = timezone.now()
                    fresh.save(update_fields=["reminded_at"])
                    notify_org(
                        org,
                        "review",
                        str(_("A membership decision is due by %(date)s"))
                        % {"date": item.due_on.isoformat()},
                        reverse(url_name, args=[item.pk]),
                    )
                    if isinstance(fresh, Application):
                        _step(fresh, ApplicationStep.Kind.REMINDED, visible=False)
                    log_action(actor="system", action="gonghui.member.deadline_reminded", obj=fresh)
                    done["reminded"] += 1
    return done


def _escalate(item: Any, org: Org, url_name: str, done: dict[str, int]) -> None:
    fresh = type(item).objects.select_for_update().get(pk=item.pk)
    if fresh.escalated_at is not None or fresh.status != "pending":
        return
    parent = org.parent
    fresh.escalated_at = timezone.now()
    fresh.escalated_to = parent
    fresh.save(update_fields=["escalated_at", "escalated_to"])
    if parent is not None:
        notify_org(
            parent,
            "review",
            str(_("Overdue membership decision at %(org)s")) % {"org": org.name},
            reverse(url_name, args=[fresh.pk]),
        )
    notify_org(
        org,
        "review",
        str(_("A membership decision is overdue and was escalated")),
        reverse(url_name, args=[fresh.pk]),
    )
    if isinstance(fresh, Application):
        _step(fresh, ApplicationStep.Kind.ESCALATED, org=parent or org)
    log_action(
        actor="system",
        action="gonghui.member.deadline_escalated",
        obj=fresh,
        org_path=org.path,
        data={"to": getattr(parent, "pk", None)},
    )
    done["escalated"] += 1
