"""Hardship aid on a phone: 张伟, on file as a deep-hardship household, applies for living aid in a few taps;
the grassroots chair, the district and the city approve it in turn from their phones (Zhejiang's chain); 张伟
sees it approved and announced. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gonghui.aid.models import AidApplication, AppState

from .helpers import PHONE, login, snap, zh

pytestmark = pytest.mark.browser

ZHANG = "13900000001"
REVIEWERS = [("13800000006", "grassroots"), ("13800000004", "district"), ("13800000003", "city")]


def test_a_worker_applies_for_living_aid_and_three_levels_approve_it_on_phones(
    phone: Page, browser: Browser, live_server, demo
) -> None:
    from gonghui.aid.models import HardshipFile
    from gonghui.core.seed.demo_aid import seed_aid

    seed_aid()  # the demo fixture's seed already made the files; this run adds nothing
    assert HardshipFile.objects.exists()
    page = phone
    password = settings.GONGHUI_DEMO_PASSWORD
    login(page, ZHANG, password, next_url="/aid/")
    page.goto("/aid/")
    expect(page.locator("h1")).to_have_text(zh("Hardship aid"))
    expect(page.get_by_test_id("my-file")).to_be_visible()
    snap(page, "aid-home-phone")

    page.get_by_test_id("aid-apply").click()
    page.locator("#id_aid_type").select_option("living")
    page.locator("#id_amount").fill("1000")
    page.locator("#id_reason").fill("妻子化疗期间无法工作，本月房租和生活费不够。")
    page.locator("#id_period").fill(f"{timezone.localdate():%Y-%m}")
    snap(page, "aid-apply-filled-phone")
    page.get_by_test_id("apply-submit").click()

    expect(page).to_have_url(re.compile(r"/aid/applications/\d+/$"))
    expect(page.get_by_test_id("app-progress")).to_contain_text("杭州西溪数智科技有限公司")
    expect(page.get_by_test_id("app-state")).to_have_text(zh("Under review"))
    snap(page, "aid-submitted-phone")
    app = AidApplication.objects.get(aid_type="living", file__member__user__real_name="张伟")

    for mobile, level in REVIEWERS:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
        cadre = context.new_page()
        login(cadre, mobile, password, next_url="/console/aid/")
        cadre.goto("/console/aid/")
        expect(cadre.get_by_test_id("aid-queue")).to_contain_text(app.number)
        snap(cadre, f"aid-queue-{level}-phone")
        cadre.get_by_test_id("aid-queue").get_by_role("link", name=app.number).click()
        expect(cadre.get_by_test_id("review-actions")).to_be_visible()
        cadre.get_by_test_id("approve").click()
        expect(cadre.get_by_test_id("app-chain")).to_contain_text(zh("Approved"))
        snap(cadre, f"aid-approved-{level}-phone")
        context.close()

    app.refresh_from_db()
    assert app.state == AppState.ANNOUNCED and app.amount_approved == 1000
    page.reload()
    expect(page.get_by_test_id("app-state")).to_have_text(zh("Approved, announced"))
    expect(page.get_by_test_id("app-approved")).to_contain_text("1000")
    snap(page, "aid-announced-phone")
