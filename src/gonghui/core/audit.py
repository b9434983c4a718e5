"""log_action: the single way to write an audit record."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import current_request_info
from .models import AuditRecord


def log_action(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    result: str = AuditRecord.Result.OK,
    org_path: str = "",
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Write one audit record; `action` is a dotted code such as ``gonghui.org.moved``.

    The IP address and user agent come from the request being served, when there is one.
    """
    info = current_request_info()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if obj is not None and not org_path:
        org_path = getattr(obj, "path", "") or ""
        if not org_path and getattr(obj, "org_id", None):
            org_path = getattr(obj.org, "path", "")  # type: ignore[attr-defined]
    return AuditRecord.objects.create(
        actor=actor if is_user else None,
        actor_label=(str(actor) if is_user else (actor if isinstance(actor, str) else ""))[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        org_path=org_path,
        result=result,
        ip=info.ip,
        user_agent=info.user_agent,
        data=data or {},
    )
