"""Background tasks of the membership module; all idempotent, all catch up after downtime."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def sweep_deadlines() -> dict[str, int]:
    """Remind before review deadlines and escalate overdue applications and transfers to the parent union."""
    from .services import deadlines_sweep

    return deadlines_sweep()


@task()
def propose_lapses() -> int:
    """Propose, for cadres to confirm one by one, members with six months of neither dues nor participation."""
    from .services import lapse_sweep

    return lapse_sweep()


@task()
def run_import(job_id: int, phase: str) -> Any:
    """Check (dry run) or commit an import job."""
    from .imports import import_check, import_commit

    return import_check(job_id=job_id) if phase == "check" else import_commit(job_id=job_id)


@task()
def sweep_import_files() -> int:
    """Delete uploaded rosters that were checked but never committed (they hold personal data in clear)."""
    from .imports import import_files_sweep

    return import_files_sweep()
