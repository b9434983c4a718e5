"""Background tasks of rights protection; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_deadlines() -> dict[str, int]:
    """Remind before each request deadline and escalate overdue stages to the parent union."""
    from .services import cases_sweep

    return cases_sweep()
