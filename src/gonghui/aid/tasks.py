"""Background tasks of hardship aid; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_aid() -> dict[str, int]:
    """Tell the paying union when an announcement ends, and grassroots unions when a file's yearly review is
    due within 30 days. Each once."""
    from .services import aid_sweep

    return aid_sweep()
