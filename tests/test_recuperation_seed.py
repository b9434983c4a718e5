"""The recuperation demo seed: the province's rules and sites, an allocated batch with a waiting list in 西湖区,
an open batch 张伟 may apply to, a model workers' batch held by Hangzhou, and a second run that creates
nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.core.seed.demo import seed_demo
from gonghui.core.seed.demo_recuperation import seed_recuperation
from gonghui.recuperation import selectors, services
from gonghui.recuperation.models import Application, Batch, Designation, Quota, Site

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_the_recuperation_demo_shows_the_workflow_and_is_idempotent():
    with time_machine.travel(NOW, tick=False):
        seed_demo(worker_services=False)
        first = seed_recuperation(now=NOW)
        second = seed_recuperation(now=NOW)
        zhang = User.objects.get(blind_q(User, "mobile", "13900000001"))
        open_batches = list(selectors.member_batches(user=zhang))
        verdicts = {
            b.title: services.eligibility_check(
                batch=b, member=selectors.live_member(user=zhang), user=zhang, today=NOW.date()
            ).problems
            for b in open_batches
        }
    assert first == {"recuperation_batches": 3} and second == {"recuperation_batches": 0}
    assert Site.objects.filter(org__code="330000").count() == 2
    assert Batch.objects.count() == 3
    lake = Batch.objects.get(title__contains="千岛湖")
    district = Quota.objects.get(batch=lake, org__code="330106")
    assert district.allocated_at is not None
    statuses = list(Application.objects.filter(batch=lake).values_list("status", flat=True))
    assert statuses.count("allocated") == 8 and statuses.count("waiting") == 4
    # The model workers come first: both got places.
    model_workers = Designation.objects.filter(kind="model_worker").values_list("member_id", flat=True)
    assert set(
        Application.objects.filter(batch=lake, member_id__in=model_workers).values_list("status", flat=True)
    ) == {"allocated"}
    # 张伟 sees the three published batches; he may apply to the open one, not to the model workers' batch.
    assert len(open_batches) == 3
    assert verdicts["一线职工疗休养（莫干山第五期）"] == []
    assert verdicts["劳模疗休养（莫干山专期）"] == ["designation"]
