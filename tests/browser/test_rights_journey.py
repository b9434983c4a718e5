"""Rights protection on a phone: a courier with no account reports unpaid wages, the district union's case
handler takes it on, replies and closes it in the console, and the courier follows the progress with the
follow-up code and rates the handling. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from gonghui.core.seed.demo import ACCOUNTS
from gonghui.rights.models import Case

from .helpers import DESKTOP, PHONE, login, snap, zh

pytestmark = pytest.mark.browser

HANDLER = next(a for a in ACCOUNTS if a.what.startswith("case handler"))  # 冯专干, 西湖区总工会


def test_a_courier_reports_unpaid_wages_the_district_handles_it_and_the_courier_rates_it(
    phone: Page, browser: Browser, live_server, demo
) -> None:
    page = phone
    page.goto("/")
    page.locator("a[href='/rights/']").first.click()
    expect(page.locator("h1")).to_have_text(zh("Ask the union for help"))
    snap(page, "rights-home-phone")
    page.get_by_test_id("rights-new").click()

    page.locator("#id_category").select_option("wages")
    page.locator("#id_description").fill("快递站点两个月没发工资了，站长说等总部打款，一直拖着。")
    page.locator("#id_workers_affected").fill("3")
    page.locator("#id_employer_name").fill("极速达快递文三路站点")
    page.locator("#id_work_division_code").select_option("330106")
    page.locator("#id_work_place").fill("西湖区文三路")
    page.locator("#id_contact_name").fill("黄快递")
    page.locator("#id_contact_mobile").fill("13912345602")
    snap(page, "rights-new-filled-phone")
    page.get_by_test_id("rights-submit").click()

    # The progress page names the district union, says why, and shows the follow-up code once.
    expect(page).to_have_url(re.compile(r"/rights/\d+/$"))
    main = page.locator("main")
    expect(main).to_contain_text("杭州市西湖区总工会")
    code = page.get_by_test_id("follow-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", code)
    case = Case.objects.get(contact_name="黄快递")
    assert case.org.code == "330106" and case.route_code == "local" and case.requester is None
    snap(page, "rights-received-phone")

    # The district's case handler takes it on, replies, and closes it.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    console = context.new_page()
    login(console, HANDLER.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/rights/")
    queue = console.get_by_test_id("case-queue")
    expect(queue).to_contain_text(case.number)
    snap(console, "rights-console-queue-desktop")
    console.goto(f"/console/rights/{case.pk}/")
    console.get_by_test_id("take-case").click()
    expect(console.get_by_test_id("case-handler")).to_contain_text(HANDLER.name)
    console.locator("#id_kind").select_option("response")
    console.locator("#id_text").fill("已联系快递公司区域负责人，承诺本周五前补发工资。")
    console.get_by_test_id("record-submit").click()
    expect(console.get_by_test_id("case-record")).to_contain_text("承诺本周五前补发工资")
    snap(console, "rights-console-case-desktop")
    console.locator("#id_outcome").select_option("resolved")
    console.locator("#id_summary").fill("工资已于周五全部补发到账。")
    console.get_by_test_id("close-submit").click()
    expect(console.get_by_test_id("case-status")).to_have_text(zh("Closed"))
    context.close()

    # The courier, on another phone without an account, follows the request with the code and rates it.
    other = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    courier = other.new_page()
    courier.goto("/rights/")
    courier.locator("#id_code").fill(code.lower())
    courier.get_by_test_id("follow-form").locator("button").click()
    expect(courier).to_have_url(re.compile(rf"/rights/{case.pk}/$"))
    progress = courier.get_by_test_id("progress")
    expect(progress).to_contain_text("承诺本周五前补发工资")
    expect(courier.get_by_test_id("summary")).to_contain_text("全部补发")
    snap(courier, "rights-closed-phone")
    courier.locator("input[name='rating'][value='5']").check()
    courier.locator("#id_comment").fill("工会很给力")
    courier.get_by_test_id("rate-submit").click()
    expect(courier.get_by_test_id("rating")).to_contain_text("5/5")
    snap(courier, "rights-rated-phone")
    other.close()
    case.refresh_from_db()
    assert case.status == "closed" and case.rating == 5 and case.handler is not None
