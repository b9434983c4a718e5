"""Background tasks of enterprise disclosure; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def flag_overdue() -> dict[str, int]:
    """Tell each union, once per due date, about plan entries whose due date passed without a disclosure."""
    from .services import disclosure_overdue_sweep

    return disclosure_overdue_sweep()
