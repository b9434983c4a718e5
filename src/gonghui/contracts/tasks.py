"""Background tasks of collective contracts; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep() -> dict[str, int]:
    """Put contracts into effect on the 15th day after the labour administration's receipt, remind once
    before expiry and mark expired contracts."""
    from .services import contracts_sweep

    return contracts_sweep()
