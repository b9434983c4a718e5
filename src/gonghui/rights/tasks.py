"""Background tasks of rights protection; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_deadlines() -> dict[str, int]:
    """Remind before each request deadline and escalate overdue stages to the parent union."""
    from .services import cases_sweep

    return cases_sweep()


@task()
def compute_risks(
    only: list[str] | None = None, coordinates: dict[str, list[str]] | None = None
) -> dict[str, int]:
    """Score every employer (or those in `only`, after a large import, with the coordinates it gave) and warn
    the responsible unions whose employers' levels rose."""
    from decimal import Decimal

    from .services.risk import risk_coordinates_set, risks_compute

    r = risks_compute(only=only)
    if coordinates:
        risk_coordinates_set({k: (Decimal(lat), Decimal(lng)) for k, (lat, lng) in coordinates.items()})
    return {"employers": r.employers, "scored": r.scored, "warned": r.warned, "skipped": r.skipped}


@task()
def sweep_mediations() -> dict[str, int]:
    """Warn before the 15-day mediation limit and tell the parties about arbitration once it has passed."""
    from .services import mediations_sweep

    return mediations_sweep()
