"""Periodic work of mutual medical aid."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def accident_cover_sweep() -> int:
    """Free accident cover for new-employment members where the province offers it (daily, idempotent)."""
    return services.accident_cover_sweep()
