"""The three separated administrator duties (三员, MLPS level 3) and the one check every layer uses.

The values live here, below every domain app, so that core, orgs and the console can check a duty without
importing accounts; accounts.models.AdminDuty names them for forms and the database.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from .errors import ServiceError

SYSTEM = "system_admin"  # accounts and configuration
SECURITY = "security_admin"  # roles, permissions, unlocking accounts
AUDIT = "audit_admin"  # reads and exports audit records only


def has_duty(actor: Any, duty: str) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and getattr(actor, "admin_duty", "") == duty


def require_duty(actor: Any, duty: str, message: str | Promise) -> None:
    if not has_duty(actor, duty):
        raise ServiceError("permission_denied", message, status=403)
