"""Background tasks of rights protection; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_deadlines() -> dict[str, int]:
    """Remind before each request deadline and escalate overdue stages to the parent union."""
    from .services import cases_sweep

    return cases_sweep()


@task()
def compute_risks() -> dict[str, int]:
    """Score every employer and warn the responsible unions whose employers' levels rose."""
    from .services import risks_compute

    r = risks_compute()
    return {"employers": r.employers, "scored": r.scored, "warned": r.warned, "skipped": r.skipped}


@task()
def sweep_mediations() -> dict[str, int]:
    """Warn before the 15-day mediation limit and tell the parties about arbitration once it has passed."""
    from .services import mediations_sweep

    return mediations_sweep()
