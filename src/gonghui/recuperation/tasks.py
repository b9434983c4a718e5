"""Background tasks of recuperation; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep() -> dict[str, int]:
    """Tell unions to allocate once applications close, and remind members with a place before the start."""
    from .services import recuperation_sweep

    return recuperation_sweep()
