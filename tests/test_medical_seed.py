"""The medical aid demo seed: a Zhejiang plan, the demo unit enrolled, riders covered, claims in every state
(one of 张伟's, paid), and a second run that creates nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from gonghui.core.seed.demo import seed_demo
from gonghui.core.seed.demo_medical import seed_medical
from gonghui.medical.models import AccidentCover, Claim, Enrolment, Plan

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_the_medical_demo_shows_the_workflow_and_is_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        seed_demo(worker_services=False)
        first = seed_medical(now=NOW)
        second = seed_medical(now=NOW)
    assert first["plans"] == 2 and first["enrolments"] > 10 and first["accident_covers"] > 0
    assert {k: n for k, n in second.items() if n} == {}
    assert Plan.objects.filter(org__code="330000", year=2026).count() == 2
    assert Enrolment.objects.filter(org__code="330106-G01", year=2026).exists()
    assert AccidentCover.objects.filter(member__employment_form="delivery_rider").exists()
    states = set(Claim.objects.values_list("status", flat=True))
    assert {"submitted", "more_info", "approved", "rejected", "paid"} <= states
    zhang = Claim.objects.get(member__user__real_name="张伟")
    assert zhang.status == "paid" and zhang.approved_amount == zhang.computed_amount > 0
