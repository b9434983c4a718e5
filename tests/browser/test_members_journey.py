"""Joining on a phone: a delivery rider applies, the district's cadre approves, the rider opens the member card
and its QR code checks out on the public page. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from gonghui.accounts.sms import LoggingSender
from gonghui.core.seed.demo import ACCOUNTS
from gonghui.members.models import Application, Member

from ..conftest import fake_id
from .helpers import DESKTOP, login, snap, zh

pytestmark = pytest.mark.browser

CADRE = next(a for a in ACCOUNTS if a.what.startswith("district cadre A"))  # 李区干, 西湖区
RIDER_MOBILE = "13912345601"
RIDER_ID = fake_id(77, birth="19960312")


def test_a_rider_joins_on_a_phone_the_cadre_approves_and_the_card_verifies(
    phone: Page, browser: Browser, live_server, demo, settings_sms
) -> None:
    page = phone
    page.goto("/join/")
    expect(page.locator("h1")).to_have_text(zh("Join the union"))
    snap(page, "members-join-empty-phone")

    page.locator("#id_name").fill("马骁骑")
    page.locator("#id_id_number").fill(RIDER_ID.lower())  # a lower-case x or not, the form takes it
    page.locator("#id_mobile").fill(RIDER_MOBILE)
    page.locator("#send-code").click()
    expect(page.locator("#code-status")).not_to_be_empty()
    code = re.search(r"\d{6}", LoggingSender.outbox[-1][1]).group(0)  # type: ignore[union-attr]
    page.locator("#id_code").fill(code)
    page.locator("#id_employment_form").select_option("delivery_rider")
    page.locator("#id_work_division_code").select_option("330106")
    page.locator("#id_work_place").fill("西湖区文三路沿线配送站")
    page.locator("#id_consent").check()
    snap(page, "members-join-filled-phone")
    page.get_by_test_id("join-submit").click()

    # The progress page says where the application went and why: the district's joint union for new-employment
    # workers, since the rider named no platform union.
    expect(page).to_have_url(re.compile(r"/me/applications/\d+/$"))
    expect(page.locator("main")).to_contain_text("西湖区新就业形态劳动者联合工会")
    application = Application.objects.get(applicant__real_name="马骁骑")
    assert application.route_code == "joint_local" and application.status == "pending"
    snap(page, "members-application-progress-phone")

    # The district cadre approves it in the console.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    console = context.new_page()
    login(console, CADRE.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/applications/")
    expect(console.locator("main")).to_contain_text("马")
    console.goto(f"/console/applications/{application.pk}/")
    expect(console.locator("main")).to_contain_text("西湖区新就业形态劳动者联合工会")
    snap(console, "members-console-application-desktop")
    console.get_by_test_id("approve").click()
    expect(console.get_by_role("alert").or_(console.locator(".messages"))).to_be_visible()
    member = Member.objects.get(user=application.applicant)
    assert member.org.code == "330106-XJY" and member.status == "active"
    context.close()

    # The rider sees the decision, opens the card, and the QR code's page confirms the card.
    page.goto(f"/me/applications/{application.pk}/")
    expect(page.locator("main")).to_contain_text(zh("Approved"))
    page.goto("/me/membership/")
    expect(page.locator("main")).to_contain_text(member.number)
    qr = page.get_by_test_id("card-qr")
    expect(qr.locator("svg")).to_be_visible()
    snap(page, "members-card-phone")
    verify_url = qr.get_attribute("href")
    assert verify_url and "/card/" in verify_url

    checker = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    anyone = checker.new_page()  # a stranger who scans the card: no login
    anyone.goto(re.sub(r"^https?://[^/]+", "", verify_url))
    main = anyone.locator("main")
    expect(main).to_contain_text("马*骑")
    expect(main).to_contain_text("西湖区新就业形态劳动者联合工会")
    expect(main).not_to_contain_text("马骁骑")
    expect(main).not_to_contain_text(member.number)
    snap(anyone, "members-card-verified")
    anyone.goto("/card/000000000019-0123456789/")
    expect(anyone.locator("main")).to_contain_text(zh("Not a valid member card"))
    checker.close()


@pytest.fixture
def settings_sms(settings):  # type: ignore[no-untyped-def]
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    return settings
