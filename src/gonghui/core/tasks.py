"""Periodic housekeeping tasks of the platform itself."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("gonghui.tasks")


@task()
def requeue_stale_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    # A task RUNNING longer than this has lost its worker (django-tasks-db does not re-queue it). The setting
    # must exceed the longest legitimate task, or a slow task would run twice at once.
    cutoff = timezone.now() - timedelta(minutes=settings.GONGHUI_TASK_STALE_MINUTES)
    count = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(status="READY")
    if count:
        logger.warning("Re-queued %s tasks left running by a worker that died", count)
    return count
