"""Background tasks of member days and benefits; idempotent, and they catch up after downtime."""

from __future__ import annotations

from django_tasks import task


@task()
def close_windows() -> dict[str, int]:
    """Close the sign-up of every published offer whose window has ended: lotteries get their seed commitment
    and frozen ticket list published, the others their results."""
    from .services import offers_close_due

    return {"closed": offers_close_due()}


@task()
def expire_vouchers() -> dict[str, int]:
    """Mark unused vouchers past their date as expired."""
    from .services import vouchers_expire

    return {"expired": vouchers_expire()}
