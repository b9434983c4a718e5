"""The one small scheduler: enqueues periodic jobs as tasks for the db_worker processes.

Every job is idempotent, and a job whose interval has passed (also while the scheduler was down) is
enqueued once at the next tick: catching up, never piling up. Modules add their jobs to JOBS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledJob


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django-tasks task
    every: timedelta


JOBS: list[Job] = [
    Job("core.requeue_stale_tasks", "gonghui.core.tasks.requeue_stale_tasks", timedelta(minutes=5)),
    Job("orgs.reconcile_rollups", "gonghui.orgs.tasks.reconcile_rollups", timedelta(hours=24)),
    Job("members.sweep_deadlines", "gonghui.members.tasks.sweep_deadlines", timedelta(hours=1)),
    Job("members.propose_lapses", "gonghui.members.tasks.propose_lapses", timedelta(hours=24)),
    Job("members.sweep_import_files", "gonghui.members.tasks.sweep_import_files", timedelta(hours=24)),
    Job("rights.sweep_deadlines", "gonghui.rights.tasks.sweep_deadlines", timedelta(hours=1)),
    Job("rights.sweep_mediations", "gonghui.rights.tasks.sweep_mediations", timedelta(hours=1)),
    Job("rights.compute_risks", "gonghui.rights.tasks.compute_risks", timedelta(hours=24)),
    Job("disclosure.flag_overdue", "gonghui.disclosure.tasks.flag_overdue", timedelta(hours=24)),
    Job("contracts.sweep", "gonghui.contracts.tasks.sweep", timedelta(hours=24)),
    Job("proposals.sweep_answers", "gonghui.proposals.tasks.sweep_answers", timedelta(hours=24)),
    Job("aid.sweep", "gonghui.aid.tasks.sweep_aid", timedelta(hours=24)),
    Job("medical.accident_cover_sweep", "gonghui.medical.tasks.accident_cover_sweep", timedelta(hours=24)),
    Job("benefits.close_windows", "gonghui.benefits.tasks.close_windows", timedelta(minutes=15)),
    Job("benefits.expire_vouchers", "gonghui.benefits.tasks.expire_vouchers", timedelta(hours=1)),
    Job("recuperation.sweep", "gonghui.recuperation.tasks.sweep", timedelta(hours=6)),
]


def due_jobs(now: Any = None) -> list[Job]:
    now = now or timezone.now()
    last = dict(ScheduledJob.objects.values_list("name", "last_enqueued_at"))
    due = []
    for job in JOBS:
        previous = last.get(job.name)
        if previous is None or previous + job.every <= now:
            due.append(job)
    return due


def tick(now: Any = None, enqueue: Callable[[Job], None] | None = None) -> list[str]:
    """Enqueue every due job once; returns the names enqueued."""
    now = now or timezone.now()
    done = []
    for job in due_jobs(now):
        with transaction.atomic():
            row, _ = ScheduledJob.objects.select_for_update().get_or_create(name=job.name)
            if row.last_enqueued_at is not None and row.last_enqueued_at + job.every > now:
                continue  # another scheduler got there first
            row.last_enqueued_at = now
            row.save(update_fields=["last_enqueued_at"])
            if enqueue is not None:
                enqueue(job)
            else:
                task = import_string(job.task)
                transaction.on_commit(task.enqueue)
        done.append(job.name)
    return done
