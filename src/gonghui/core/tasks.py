"""Periodic housekeeping tasks of the platform itself."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("gonghui.tasks")

# A task that has been RUNNING longer than this has lost its worker (django-tasks-db does not re-queue it).
STALE_AFTER = timedelta(minutes=30)


@task()
def requeue_stale_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - STALE_AFTER
    count = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(status="READY")
    if count:
        logger.warning("Re-queued %s tasks left running by a worker that died", count)
    return count


@task()
def reconcile_rollups() -> int:
    """Nightly check of the roll-up counters; drift is repaired and audited, so dashboards stay right."""
    from gonghui.core.audit import log_action
    from gonghui.orgs.rollups import find_drift, repair

    drift = find_drift()
    if drift:
        repaired = repair(drift)
        log_action(actor="system", action="gonghui.rollup.repaired", data={"orgs": repaired})
        logger.warning("Roll-up drift repaired in %s orgs", repaired)
    return len(drift)
