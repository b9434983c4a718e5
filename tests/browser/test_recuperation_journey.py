"""Recuperation on a phone: the demo member 张伟 applies for the open 莫干山 batch in a tap; applications close;
the 西湖区 cadre 李区干 allocates the district's places by priority on her phone; 张伟 sees that he has a place.
Screenshots of every step in test-artifacts/screenshots/recuperation-*.png."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gonghui.recuperation.models import Application, ApplicationStatus, Batch

from .helpers import PHONE, login, snap, zh

pytestmark = pytest.mark.browser

MEMBER = "13900000001"  # 张伟, a member of 杭州西溪数智科技有限公司工会 in 西湖区
DISTRICT_CADRE = "13800000004"  # 李区干, who holds 西湖区's places


def test_a_member_applies_the_district_allocates_and_the_member_has_a_place(
    phone: Page, browser: Browser, live_server, demo
) -> None:
    batch = Batch.objects.get(title="一线职工疗休养（莫干山第五期）")
    page = phone
    login(page, MEMBER, settings.GONGHUI_DEMO_PASSWORD, next_url="/recuperation/")
    expect(page).to_have_url(re.compile(r"/recuperation/$"))
    expect(page.get_by_test_id("recup-batches")).to_contain_text(batch.title)
    snap(page, "recuperation-home-phone")

    page.get_by_test_id(f"batch-{batch.pk}").click()
    expect(page.get_by_test_id("apply")).to_be_visible()
    snap(page, "recuperation-batch-phone")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("application-status")).to_have_text(zh("Applied"))
    expect(page.get_by_test_id("result-pending")).to_be_visible()
    snap(page, "recuperation-applied-phone")
    app = Application.objects.get(batch=batch, user__real_name="张伟")
    assert app.quota.org.code == "330106" and app.status == ApplicationStatus.APPLIED

    # The model workers' batch says why 张伟 may not apply.
    other = Batch.objects.get(title="劳模疗休养（莫干山专期）")
    page.goto(f"/recuperation/{other.pk}/")
    expect(page.get_by_test_id("not-eligible")).to_be_visible()
    expect(page.get_by_test_id("apply")).to_have_count(0)
    snap(page, "recuperation-not-eligible-phone")

    # Time passes: applications close.
    Batch.objects.filter(pk=batch.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    console = context.new_page()
    login(
        console, DISTRICT_CADRE, settings.GONGHUI_DEMO_PASSWORD, next_url=f"/console/recuperation/{batch.pk}/"
    )
    expect(console.get_by_test_id("recup-applications")).to_contain_text("张伟")
    snap(console, "recuperation-console-before-phone")
    console.get_by_test_id("allocate-330106").click()
    expect(console.locator(".messages, .alert, [role=status]").first).to_be_visible()
    snap(console, "recuperation-console-allocated-phone")
    console.goto("/console/recuperation/stats/")
    expect(console.get_by_test_id("recup-rollup")).to_be_visible()
    snap(console, "recuperation-console-stats-phone")
    context.close()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.ALLOCATED

    page.goto(f"/recuperation/mine/{app.pk}/")
    expect(page.get_by_test_id("application-status")).to_have_text(zh("Place allocated"))
    expect(page.get_by_test_id("result-placed")).to_be_visible()
    snap(page, "recuperation-placed-phone")
