"""Showing a personal value in full: only with a permission and a reason, and always audited (DOMAIN §8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import log_action
from .errors import PermissionDenied, ServiceError

REASON_MAX = 200


def reveal(
    *,
    actor: Any,
    obj: models.Model,
    field: str,
    reason: str,
    permission_check: Callable[[Any, models.Model], bool],
) -> str:
    """The plaintext of `obj.<field>` for `actor`, who gave `reason`.

    `permission_check(actor, obj)` is the caller's rule (for example ``actor_can(actor, "member.reveal",
    obj.org)``): the domain knows who may see what, this function makes sure it is asked and recorded.
    A refusal is audited too. The value itself never goes into the audit record.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("reason_required", _("Say why you need to see the full value."), field="reason")
    data = {"field": field, "reason": reason[:REASON_MAX]}
    if not permission_check(actor, obj):
        log_action(actor=actor, action="gonghui.pii.revealed", obj=obj, result="denied", data=data)
        raise PermissionDenied(_("You may not see this value in full."))
    value = getattr(obj, field)
    log_action(actor=actor, action="gonghui.pii.revealed", obj=obj, data=data)
    return "" if value is None else str(value)
