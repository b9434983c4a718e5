"""Telling people things: a Notice row shown in the portal and console, and an SMS when a number is known.

Services call these inside their transaction; the SMS goes out only after commit, so a rolled-back change
never reaches a phone. A deployment without an SMS sender still gets the in-app notices.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction

from .models import Notice


def notify_users(users: Iterable[Any], text: str, url: str = "") -> int:
    rows = [Notice(user_id=getattr(u, "pk", u), text=str(text)[:300], url=url) for u in users]
    Notice.objects.bulk_create(rows)
    return len(rows)


def holder_ids(org: Any, perm: str) -> list[int]:
    """The active people holding a role with `perm` at `org` itself (not its ancestors). One query."""
    from gonghui.orgs.models import RoleAssignment
    from gonghui.orgs.rules import roles_with

    return sorted(
        set(
            RoleAssignment.objects.filter(
                org=org, role__in=roles_with(perm), user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


def notify_org(org: Any, perm: str, text: str, url: str = "") -> int:
    """Notify the people holding a role with `perm` at `org` itself (not its ancestors: escalation is a
    separate, explicit step)."""
    return notify_users(holder_ids(org, perm), text, url)


def send_sms(mobile: str, text: str) -> None:
    """Send after commit through the configured sender; no sender configured means no SMS."""
    if not mobile or not getattr(settings, "GONGHUI_SMS_SENDER", ""):
        return
    from gonghui.accounts.sms import get_sender

    message = str(text)
    transaction.on_commit(lambda: get_sender().send(mobile, message))
