"""Disclosure on a phone: the demo member 张伟 opens what his union disclosed, acknowledges it and asks a
question; the chair 吴主席 answers in the console; 张伟 reads the answer. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from gonghui.core.seed.demo_disclosure import seed_disclosure
from gonghui.disclosure.models import Acknowledgement, Item, Question

from .helpers import DESKTOP, login, snap

pytestmark = pytest.mark.browser

MEMBER = "13900000001"  # 张伟, a member of 杭州西溪数智科技有限公司工会
CHAIR = "13800000006"  # 吴主席, its chair


def test_a_member_acknowledges_a_disclosure_and_asks_and_the_chair_answers(
    phone: Page, browser: Browser, live_server, demo
) -> None:
    seed_disclosure()
    item = Item.objects.get(title__endswith="工资发放情况", status="published")
    page = phone
    login(page, MEMBER, settings.GONGHUI_DEMO_PASSWORD, next_url="/disclosure/")
    expect(page).to_have_url(re.compile(r"/disclosure/$"))
    expect(page.get_by_test_id("disclosure-list")).to_contain_text(item.title)
    snap(page, "disclosure-home-phone")

    page.get_by_test_id(f"disclosure-{item.pk}").click()
    expect(page.get_by_test_id("item-body")).to_contain_text("足额发放")
    snap(page, "disclosure-item-phone")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    page.locator("#id_text").fill("加班费是否一并在本月工资中发放？")
    page.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("my-questions")).to_contain_text("加班费是否一并")
    snap(page, "disclosure-asked-phone")
    assert Acknowledgement.objects.filter(item=item).count() == 1
    question = Question.objects.get(item=item, text__startswith="加班费")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    console = context.new_page()
    login(console, CHAIR, settings.GONGHUI_DEMO_PASSWORD, next_url=f"/console/disclosure/{item.pk}/")
    expect(console.get_by_test_id("ack-rate")).to_be_visible()
    expect(console.get_by_test_id("item-questions")).to_contain_text("加班费是否一并")
    console.locator(f"#id_q{question.pk}-answer").fill("是的，上月加班费随本月工资一并发放。")
    console.get_by_test_id(f"answer-submit-{question.pk}").click()
    expect(console.get_by_test_id(f"answer-{question.pk}")).to_contain_text("随本月工资一并发放")
    snap(console, "disclosure-console-answered-desktop")
    context.close()

    page.reload()
    expect(page.get_by_test_id("my-questions")).to_contain_text("随本月工资一并发放")
    snap(page, "disclosure-answered-phone")
