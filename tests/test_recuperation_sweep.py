"""The recuperation sweep on the real task worker: once applications close, the union holding places with
applications waiting is told to allocate (once); members with a place are reminded three days before the start
(once); nothing is said about an allocated quota, a cancelled batch or a member on the waiting list."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from gonghui.core.models import Notice
from gonghui.recuperation import services
from gonghui.recuperation.models import Application, Quota
from gonghui.recuperation.tasks import sweep
from tests.recuperation_support import CLOSED, NOW, batch, crowd, frozen, site

__all__ = ["batch", "frozen", "site"]


def _apply(batch, chair_a, tree, n):
    return [
        services.application_submit(user=u, batch_id=batch.pk) for u in crowd(chair_a, tree.grassroots_a, n)
    ]


def _told(user, text):
    return Notice.objects.filter(user=user, text__contains=text).count()


@pytest.mark.django_db(transaction=True)
def test_the_worker_tells_the_district_to_allocate_once_and_reminds_members_before_the_start(
    batch, chair_a, district_cadre_a, province_cadre, tree, frozen
):
    apps = _apply(batch, chair_a, tree, 8)
    assert services.recuperation_sweep() == {"unions_told": 0, "members_reminded": 0}  # still open

    frozen.move_to(CLOSED)
    sweep.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert DBTaskResult.objects.get().return_value == {"unions_told": 1, "members_reminded": 0}
    assert _told(district_cadre_a, "8") == 1 and _told(province_cadre, batch.title) == 0
    # Run again: nobody is told twice.
    assert services.recuperation_sweep() == {"unions_told": 0, "members_reminded": 0}

    quota = Quota.objects.get(batch=batch, org=tree.district_a)
    services.quota_allocate(actor=district_cadre_a, quota=quota)
    placed = list(Application.objects.filter(batch=batch, status="allocated"))
    waiting = Application.objects.filter(batch=batch, status="waiting").first()
    assert len(placed) == 6 and waiting is not None

    frozen.move_to(datetime.datetime.combine(batch.starts_on - datetime.timedelta(days=4), NOW.timetz()))
    assert services.recuperation_sweep()["members_reminded"] == 0  # four days before: not yet
    frozen.move_to(datetime.datetime.combine(batch.starts_on - datetime.timedelta(days=3), NOW.timetz()))
    assert services.recuperation_sweep() == {"unions_told": 0, "members_reminded": 6}
    assert services.recuperation_sweep() == {"unions_told": 0, "members_reminded": 0}
    starts = batch.site.name  # the reminder names the site; the allocation notice does not
    assert all(_told(a.user, starts) == 1 for a in placed)
    assert _told(waiting.user, starts) == 0
    assert len(apps) == 8


@pytest.mark.django_db
def test_a_cancelled_batch_or_an_allocated_quota_is_left_alone(
    batch, chair_a, district_cadre_a, province_cadre, tree, frozen
):
    _apply(batch, chair_a, tree, 2)
    frozen.move_to(CLOSED)
    services.quota_allocate(actor=district_cadre_a, quota=Quota.objects.get(batch=batch, org=tree.district_a))
    assert services.recuperation_sweep()["unions_told"] == 0
    services.batch_cancel(actor=province_cadre, batch=batch, reason="疫情防控")
    frozen.move_to(datetime.datetime.combine(batch.starts_on - datetime.timedelta(days=2), NOW.timetz()))
    assert services.recuperation_sweep() == {"unions_told": 0, "members_reminded": 0}
