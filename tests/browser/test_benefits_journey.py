"""Member days on a phone: the demo member 张伟 signs up for the supermarket vouchers; the sign-up closes; the
chair 吴主席 closes it on her phone (the seed commitment is published) and draws; 张伟 sees that he won, with
the voucher QR, and anyone can check the lottery; the supermarket's cashier redeems the voucher on her phone.
Screenshots of every step in test-artifacts/screenshots/benefits-*.png."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gonghui.benefits import rules, services
from gonghui.benefits.models import Draw, Entry, EntryStatus, Offer, Voucher, VoucherStatus
from gonghui.core.seed.demo_benefits import SHOP_MOBILE, seed_benefits

from .helpers import PHONE, login, snap, zh

pytestmark = pytest.mark.browser

MEMBER = "13900000001"  # 张伟, a member of 杭州西溪数智科技有限公司工会
CHAIR = "13800000006"  # 吴主席, its chair


def seed_in_favour_of(tickets: list[int], quota: int, ticket: int) -> str:
    """A fixed seed under which `ticket` wins (the test needs 张伟 to win to show the voucher; the draw itself
    runs unchanged)."""
    for i in range(10_000):
        seed = hashlib.sha256(f"journey-{i}".encode()).hexdigest()
        if ticket in rules.draw(tickets, seed, quota).winners:
            return seed
    raise AssertionError("no seed found")


def test_a_member_signs_up_the_chair_draws_the_member_gets_a_voucher_and_the_shop_redeems_it(
    phone: Page, browser: Browser, live_server, demo, monkeypatch
) -> None:
    seed_benefits()
    offer = Offer.objects.get(title="会员日超市购物券（100元）")
    page = phone
    login(page, MEMBER, settings.GONGHUI_DEMO_PASSWORD, next_url="/benefits/")
    expect(page).to_have_url(re.compile(r"/benefits/$"))
    expect(page.get_by_test_id("benefits-open")).to_contain_text(offer.title)
    snap(page, "benefits-home-phone")

    page.get_by_test_id(f"offer-{offer.pk}").click()
    expect(page.get_by_test_id("apply")).to_be_visible()
    snap(page, "benefits-offer-phone")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("ticket-number")).to_have_text("0006")
    snap(page, "benefits-signed-up-phone")
    entry = Entry.objects.get(offer=offer, user__real_name="张伟")
    assert entry.status == EntryStatus.APPLIED

    # Time passes: the sign-up window ends. The seed the platform will commit to is fixed for the test.
    Offer.objects.filter(pk=offer.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    tickets = list(Entry.objects.filter(offer=offer).values_list("number", flat=True))
    seed = seed_in_favour_of(tickets, offer.quota, entry.number)
    monkeypatch.setattr(services, "new_seed", lambda: seed)

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    console = context.new_page()
    login(console, CHAIR, settings.GONGHUI_DEMO_PASSWORD, next_url=f"/console/benefits/{offer.pk}/")
    console.get_by_test_id("close").click()
    expect(console.get_by_test_id("commitment")).to_have_text(rules.commitment(seed))
    expect(console.get_by_test_id("seed")).to_have_count(0)
    snap(console, "benefits-console-closed-phone")
    console.get_by_test_id("draw").click()
    expect(console.get_by_test_id("seed")).to_have_text(seed)
    expect(console.get_by_test_id("winners")).to_contain_text("0006")
    snap(console, "benefits-console-drawn-phone")
    context.close()
    assert Draw.objects.get(offer=offer).drawn_at is not None

    page.reload()
    expect(page.get_by_test_id("entry-status")).to_contain_text(zh("Place confirmed"))
    expect(page.get_by_test_id("voucher-qr")).to_be_visible()
    voucher = Voucher.objects.get(entry=entry)
    expect(page.get_by_test_id("voucher-code")).to_have_text(voucher.code)
    snap(page, "benefits-voucher-phone")

    page.goto(f"/benefits/{offer.pk}/lottery/")
    expect(page.get_by_test_id("verified")).to_have_class(re.compile("bn-ok"))
    expect(page.get_by_test_id("seed")).to_have_text(seed)
    snap(page, "benefits-lottery-phone")

    shop_context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    shop = shop_context.new_page()
    login(shop, SHOP_MOBILE, settings.GONGHUI_DEMO_PASSWORD, next_url="/benefits/merchant/")
    expect(shop.get_by_test_id("merchant-offers")).to_contain_text(offer.title)
    shop.locator("#id_code").fill(voucher.code.lower())
    shop.get_by_test_id("code-submit").click()
    expect(shop.get_by_test_id("redeem")).to_be_visible()
    snap(shop, "benefits-merchant-voucher-phone")
    shop.get_by_test_id("redeem").click()
    expect(shop.get_by_test_id("redeemed")).to_be_visible()
    snap(shop, "benefits-merchant-redeemed-phone")
    shop_context.close()
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED

    page.goto(f"/benefits/tickets/{entry.pk}/")
    expect(page.get_by_test_id("voucher-status")).to_have_text(zh("Redeemed"))
