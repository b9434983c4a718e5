"""Rationalisation suggestions on a phone: the member 张伟 makes a suggestion to his union from the portal, the
union's chair 吴主席 evaluates and adopts it in the console on her phone, and 张伟 sees it adopted and on his
union's list of adopted suggestions. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from gonghui.core.seed.demo import ACCOUNTS
from gonghui.core.seed.demo_suggestions import seed_suggestions
from gonghui.suggestions.models import Suggestion

from .helpers import PHONE, login, snap

pytestmark = pytest.mark.browser

MEMBER = next(a for a in ACCOUNTS if a.what == "member in district A")  # 张伟, 西溪数智
CHAIR = next(a for a in ACCOUNTS if a.what == "grassroots chair in district A")  # 吴主席


def test_a_member_makes_a_suggestion_and_the_chair_adopts_it(
    phone: Page, browser: Browser, live_server, demo
) -> None:
    seed_suggestions()
    page = phone
    login(page, MEMBER.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/suggestions/")
    expect(page.get_by_test_id("my-suggestions")).to_be_visible()
    snap(page, "suggestions-home-phone")
    page.get_by_test_id("suggestion-new").click()
    page.locator("#id_title").fill("会议室预订改为线上")
    page.locator("#id_category").select_option("management")
    page.locator("#id_situation").fill("会议室靠纸质登记，经常撞车，临时找会议室很难。")
    page.locator("#id_measures").fill("用企业微信预订会议室，门口贴二维码扫码签到，超时十五分钟自动释放。")
    snap(page, "suggestions-new-filled-phone")
    page.get_by_test_id("suggestion-submit").click()
    expect(page).to_have_url(re.compile(r"/suggestions/\d+/$"))
    suggestion = Suggestion.objects.get(title="会议室预订改为线上")
    assert suggestion.org.code == "330106-G01" and suggestion.status == "submitted"
    snap(page, "suggestions-submitted-phone")

    # The chair evaluates and adopts it in the console, on her phone.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    chair = context.new_page()
    login(chair, CHAIR.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/suggestions/")
    expect(chair.get_by_test_id("suggestion-queue")).to_contain_text("会议室预订改为线上")
    snap(chair, "suggestions-console-queue-phone")
    chair.goto(f"/console/suggestions/{suggestion.pk}/")
    chair.get_by_test_id("suggestion-evaluate").click()
    expect(chair.get_by_test_id("decide-form")).to_be_visible()
    chair.locator("#id_decision").select_option("adopt")
    chair.locator("#id_notes").fill("行政部确认可行，下月上线。")
    snap(chair, "suggestions-console-decide-phone")
    chair.get_by_test_id("decide-submit").click()
    expect(chair.get_by_test_id("suggestion-status")).to_have_attribute("class", re.compile("badge-adopted"))
    snap(chair, "suggestions-console-adopted-phone")
    context.close()

    # 张伟 sees it adopted, and on his union's list of adopted suggestions of the year.
    page.reload()
    expect(page.get_by_test_id("status")).to_have_attribute("class", re.compile("badge-adopted"))
    page.goto("/suggestions/adopted/")
    expect(page.get_by_test_id("adopted-list")).to_contain_text("会议室预订改为线上")
    snap(page, "suggestions-adopted-list-phone")
    suggestion.refresh_from_db()
    assert suggestion.status == "adopted" and suggestion.decided_by is not None
