"""Background tasks of congress proposals; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_answers() -> dict[str, int]:
    """Remind departments before a proposal's answer is due and flag overdue answers, once each."""
    from .services import proposals_sweep

    return proposals_sweep()
