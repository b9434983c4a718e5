"""Helpers shared by the medical aid tests: a Zhejiang plan for 2026 and members of the cast's unions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.medical import services as svc
from gonghui.members.models import EmploymentForm

from .suggestion_helpers import make_member

# Sunday 15 March 2026, 10:00 in Shanghai: the 2026 enrolment window is open, the cover period has started.
NOW = datetime.datetime(2026, 3, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
TODAY = NOW.date()


def plan_input(**kw) -> svc.PlanInput:
    values = {
        "year": 2026,
        "code": "basic",
        "name": "职工住院医疗互助",
        "contribution": Decimal("30"),
        "enrol_opens": datetime.date(2025, 12, 1),
        "enrol_closes": datetime.date(2026, 3, 31),
        "cover_starts": datetime.date(2026, 1, 1),
        "cover_ends": datetime.date(2026, 12, 31),
        "waiting_days": 90,
        "claim_deadline_days": 180,
        "hospital_deductible": Decimal("1000"),
        "hospital_tiers": [["10000", "0.5"], ["30000", "0.6"], [None, "0.7"]],
        "per_stay_cap": Decimal("20000"),
        "annual_cap": Decimal("30000"),
        "accident_cover_for_new_employment": True,
    }
    values.update(kw)
    return svc.PlanInput(**values)


def pdf(name: str = "发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )


def hospital(**kw) -> svc.ClaimInput:
    values = {
        "kind": "hospital",
        "event_on": datetime.date(2026, 2, 10),
        "discharged_on": datetime.date(2026, 2, 20),
        "hospital": "浙江大学医学院附属第一医院",
        "total_amount": Decimal("20000"),
        "insurance_amount": Decimal("12000"),
        "out_of_pocket": Decimal("8000"),
    }
    values.update(kw)
    return svc.ClaimInput(**values)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(tree, province_cadre, frozen):
    """The province's 2026 plan, with free accident cover for new-employment members."""
    return svc.plan_set(actor=province_cadre, org=tree.province, data=plan_input())


@pytest.fixture
def zhang(tree, chair_a, member_a):
    """张伟 (member_a) as an active member of grassroots union A."""
    return make_member(chair_a, tree.grassroots_a, member_a, 1)


@pytest.fixture
def liu(tree, chair_b, member_b):
    """刘芳 (member_b) as an active member of grassroots union B."""
    return make_member(chair_b, tree.grassroots_b, member_b, 2, region="330108")


@pytest.fixture
def enrolled(plan, zhang, chair_a, tree):
    """张伟 enrolled by his unit before the window closes (covered from 1 January)."""
    svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026, today=datetime.date(2025, 12, 20))
    return zhang.medical_enrolments.get()


def rider(actor, org, user, n: int):
    member = make_member(actor, org, user, n)
    member.employment_form = EmploymentForm.DELIVERY_RIDER
    member.save(update_fields=["employment_form"])
    return member
