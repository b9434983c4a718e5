"""Mutual medical aid on a phone: 张伟 sees his cover and claims for a hospital stay with the invoice
attached, the chair of his union reviews the claim on her phone, approves it at the schedule's payout and records
the payment, and 张伟 sees the result. Screenshots of every step."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gonghui.core.seed.demo import ACCOUNTS
from gonghui.core.seed.demo_medical import seed_medical
from gonghui.medical.models import Claim

from .helpers import PHONE, login, snap, zh

pytestmark = pytest.mark.browser

ZHANG = next(a for a in ACCOUNTS if a.mobile == "13900000001")
CHAIR = next(a for a in ACCOUNTS if a.what.startswith("grassroots chair in district A"))  # 吴主席, 330106-G01
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_zhang_claims_a_hospital_stay_the_chair_approves_and_pays_and_zhang_sees_it(
    phone: Page, browser: Browser, live_server, demo, settings_media
) -> None:
    seed_medical()
    today = timezone.localdate()
    admitted = max(today - datetime.timedelta(days=12), datetime.date(today.year, 1, 1))
    discharged = max(today - datetime.timedelta(days=4), admitted)

    page = phone
    login(page, ZHANG.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/medical/")
    expect(page.locator("h1")).to_have_text(zh("Mutual medical aid"))
    expect(page.get_by_test_id("my-enrolment")).to_be_visible()
    snap(page, "medical-home-phone")
    page.get_by_test_id("claim-new").click()

    page.locator("#id_kind").select_option("hospital")
    page.locator("#id_hospital").fill("杭州市西溪医院")
    page.locator("#id_event_on").fill(admitted.isoformat())
    page.locator("#id_discharged_on").fill(discharged.isoformat())
    page.locator("#id_total_amount").fill("15000")
    page.locator("#id_insurance_amount").fill("9000")
    page.locator("#id_out_of_pocket").fill("6000")
    page.locator("#id_invoice").set_input_files(
        files=[{"name": "住院发票.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    snap(page, "medical-claim-filled-phone")
    page.get_by_test_id("claim-submit").click()

    expect(page).to_have_url(re.compile(r"/medical/claims/\d+/$"))
    claim = Claim.objects.filter(hospital="杭州市西溪医院").get()
    # 6,000 out of pocket - 1,000 deductible = 5,000 at 50% (the Zhejiang basic plan), within every cap.
    assert claim.computed_amount == Decimal("2500.00") and claim.by_member
    expect(page.get_by_test_id("computed")).to_have_text("2500.00")
    expect(page.get_by_test_id("claim-status")).to_have_text(zh("Waiting for review"))
    snap(page, "medical-claim-submitted-phone")

    # The chair of 张伟's union handles it on her phone.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    console = context.new_page()
    login(console, CHAIR.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/medical/")
    expect(console.get_by_test_id("claim-queue")).to_contain_text(claim.number)
    snap(console, "medical-console-queue-phone")
    console.goto(f"/console/medical/claims/{claim.pk}/")
    snap(console, "medical-console-claim-phone")
    console.get_by_test_id("approve").click()
    expect(console.get_by_test_id("claim-status")).to_have_text(zh("Approved"))
    console.locator("#id_payment_ref").fill("ZF-2026-0815")
    console.get_by_test_id("pay").click()
    expect(console.get_by_test_id("claim-status")).to_have_text(zh("Paid out"))
    snap(console, "medical-console-paid-phone")
    context.close()

    # 张伟 sees the result and the notice.
    page.goto(f"/medical/claims/{claim.pk}/")
    expect(page.get_by_test_id("claim-status")).to_have_text(zh("Paid out"))
    expect(page.get_by_test_id("approved")).to_have_text("2500.00")
    expect(page.get_by_test_id("claim-events")).to_contain_text(zh("Paid out"))
    snap(page, "medical-claim-paid-phone")
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.payment_ref == "ZF-2026-0815"


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
