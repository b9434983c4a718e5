"""Reads owned by core, scoped by the actor's place in the tree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ExportRequest


def export_requests(*, actor: Any) -> QuerySet[ExportRequest]:
    """Export requests of the unions whose lists the actor administers."""
    from gonghui.orgs.selectors import scope_q

    return ExportRequest.objects.filter(scope_q(actor, "role.manage", field="org__path")).select_related(
        "org", "requested_by", "decided_by"
    )
