"""The recuperation planning pages on a phone: the 西湖区 cadre 李区干 adds a site, plans a batch (an over-limit cost
is refused on its field, then corrected), publishes it, records a model worker and looks at the union's rules.
Every page must fit a 375-pixel screen; screenshots in test-artifacts/screenshots/recuperation-console-*.png."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from gonghui.members.models import Member
from gonghui.recuperation.models import Batch, BatchStatus, Designation

from .helpers import login, snap

pytestmark = pytest.mark.browser

DISTRICT_CADRE = "13800000004"  # 李区干, who administers 西湖区 (330106)
SITE = "西湖区龙井职工疗休养点（测试）"


def test_a_district_cadre_plans_and_publishes_a_batch_on_a_phone(phone: Page, demo) -> None:
    page = phone
    login(page, DISTRICT_CADRE, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/recuperation/")
    expect(page.get_by_test_id("recup-tabs")).to_be_visible()
    snap(page, "recuperation-console-list-phone")

    page.get_by_test_id("recup-sites-link").click()
    page.get_by_test_id("site-new").click()
    form = page.get_by_test_id("site-form")
    form.locator('[name="name"]').fill(SITE)
    form.locator('[name="kind"]').select_option("hotel")
    form.locator('[name="address"]').fill("杭州市西湖区龙井路1号")
    form.locator('[name="capacity"]').fill("30")
    snap(page, "recuperation-console-site-form-phone")
    page.get_by_test_id("site-save").click()
    expect(page.get_by_test_id("recup-sites")).to_contain_text(SITE)
    snap(page, "recuperation-console-sites-phone")

    page.goto("/console/recuperation/new/")
    expect(page.get_by_test_id("limit-in-force")).to_be_visible()
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=40)
    form = page.get_by_test_id("batch-form")
    form.locator('[name="site"]').select_option(label=SITE)
    form.locator('[name="title"]').fill("西湖区一线职工疗休养（龙井）")
    form.locator('[name="theme"]').fill("一线职工疗休养")
    form.locator('[name="starts_on"]').fill(starts.isoformat())
    form.locator('[name="ends_on"]').fill((starts + datetime.timedelta(days=1)).isoformat())
    form.locator('[name="capacity"]').fill("20")
    form.locator('[name="opens_at"]').fill(f"{today.isoformat()}T00:00")
    form.locator('[name="closes_at"]').fill(f"{(today + datetime.timedelta(days=20)).isoformat()}T17:00")
    form.locator('[name="cost_per_person"]').fill("99999")
    form.locator('[name="only_designations"][value="frontline"]').check()
    page.get_by_test_id("batch-save").click()
    expect(page.locator(".has-error [name='cost_per_person']")).to_be_visible()
    snap(page, "recuperation-console-over-limit-phone")
    assert not Batch.objects.filter(site__name=SITE).exists()

    page.get_by_test_id("batch-form").locator('[name="cost_per_person"]').fill("600")
    page.get_by_test_id("batch-save").click()
    expect(page.get_by_test_id("batch-publish")).to_be_visible()
    snap(page, "recuperation-console-draft-phone")
    page.get_by_test_id("batch-publish").click()
    expect(page.get_by_test_id("batch-publish")).to_have_count(0)
    assert Batch.objects.get(site__name=SITE).status == BatchStatus.OPEN
    page.get_by_test_id("batch-cancel").locator("summary").click()
    snap(page, "recuperation-console-published-phone")

    member = Member.objects.filter(user__real_name="张伟", status="active").first()
    assert member is not None
    page.goto("/console/recuperation/designations/")
    page.get_by_test_id("designation-new").click()
    form = page.get_by_test_id("designation-form")
    form.locator('[name="member_number"]').fill(member.number)
    form.locator('[name="kind"]').select_option("model_worker")
    form.locator('[name="title"]').fill("浙江省劳动模范")
    page.get_by_test_id("designation-save").click()
    expect(page.get_by_test_id("recup-designations")).to_contain_text(member.number)
    assert Designation.objects.filter(member=member, kind="model_worker").exists()
    snap(page, "recuperation-console-designations-phone")

    page.goto("/console/recuperation/policy/")
    page.get_by_test_id("policy-edit").click()
    snap(page, "recuperation-console-policy-phone")
