"""The member portal on a phone: logging in (password and SMS code), the service grid, the profile, language."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from gonghui.accounts.sms import LoggingSender
from gonghui.core.seed.demo import ACCOUNTS
from gonghui.portal.services_grid import TILES

from .helpers import assert_fits_phone, current_totp, login, snap, zh

pytestmark = pytest.mark.browser

MEMBER = next(a for a in ACCOUNTS if a.role is None)  # 张伟, a worker in district A with no role
CADRE = next(a for a in ACCOUNTS if a.what.startswith("district cadre A"))


def test_a_member_logs_in_on_a_phone_sees_the_grid_and_the_masked_profile_then_logs_out(
    phone: Page, demo
) -> None:
    page = phone
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".hero h1")).to_have_text(zh("Services at your fingertips"))
    # Anonymous visitors see only the tiles that need no login, and a way to log in.
    public = [t for t in TILES if not t.needs_login]
    expect(page.locator(".grid .tile")).to_have_count(len(public))
    snap(page, "portal-home-anonymous-phone")

    page.locator("main").get_by_role("link", name=zh("Log in")).click()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("tab", name=zh("Password"))).to_have_class(re.compile(r"\bactive\b"))
    snap(page, "portal-login-phone")

    form = page.locator("#password-login")
    form.get_by_label(zh("Mobile number")).fill(MEMBER.mobile)
    form.get_by_label(zh("Password")).fill(settings.GONGHUI_DEMO_PASSWORD)
    form.get_by_role("button", name=zh("Log in")).click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".hero h1")).to_contain_text(MEMBER.name)
    tiles = page.locator(".grid .tile")
    expect(tiles).to_have_count(len(TILES))  # a member holds no role: no console tile
    for tile in TILES:
        expect(page.locator(f'.tile[data-tile="{tile.key}"]')).to_contain_text(zh(str(tile.label)))
    expect(page.locator('.tile[data-tile="console"]')).to_have_count(0)
    snap(page, "portal-home-member-phone")

    page.locator('.tile[data-tile="profile"]').click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    masked = f"{MEMBER.mobile[:3]}****{MEMBER.mobile[-4:]}"  # 139****0001
    expect(page.locator(".facts")).to_contain_text(masked)
    expect(page.locator("body")).not_to_contain_text(MEMBER.mobile)
    snap(page, "portal-profile-phone")

    page.get_by_role("button", name=zh("Log out"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".hero h1")).to_have_text(zh("Services at your fingertips"))
    page.goto("/me/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/me/"))


def test_a_wrong_password_shows_the_translated_error_and_does_not_log_in(phone: Page, demo) -> None:
    page = phone
    page.goto("/login/")
    form = page.locator("#password-login")
    form.get_by_label(zh("Mobile number")).fill(MEMBER.mobile)
    form.get_by_label(zh("Password")).fill("not-the-password")
    form.get_by_role("button", name=zh("Log in")).click()

    alert = page.get_by_role("alert")
    expect(alert).to_have_text(zh("Wrong mobile number or password."))
    expect(page).to_have_url(re.compile(r"/login/"))
    # The mobile number stays filled in; the password does not.
    expect(form.get_by_label(zh("Mobile number"))).to_have_value(MEMBER.mobile)
    expect(form.get_by_label(zh("Password"))).to_have_value("")
    snap(page, "portal-login-wrong-password-phone")

    page.goto("/me/")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_a_member_logs_in_with_an_sms_code_sent_through_htmx(phone: Page, demo, settings) -> None:
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    page = phone
    page.goto("/login/")
    page.get_by_role("tab", name=zh("SMS code")).click()
    expect(page).to_have_url(re.compile(r"mode=sms"))
    form = page.locator("#sms-login")
    form.get_by_label(zh("Mobile number")).fill(MEMBER.mobile)
    form.get_by_role("button", name=zh("Send code")).click()
    expect(page.locator("#sms-status")).to_have_text(
        zh("If this number has an account, a code is on its way.")
    )
    assert_fits_phone(page)
    snap(page, "portal-login-sms-phone")

    assert [m for m, _ in LoggingSender.outbox] == [MEMBER.mobile]
    code = re.search(r"\b(\d{6})\b", LoggingSender.outbox[-1][1]).group(1)  # type: ignore[union-attr]
    form.get_by_label(zh("SMS code")).fill(code)
    form.get_by_role("button", name=zh("Log in")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator('[data-testid="me"]')).to_have_text(MEMBER.name)


def test_sms_login_without_a_configured_sender_says_so_instead_of_pretending(phone: Page, demo) -> None:
    page = phone
    page.goto("/login/?mode=sms")
    form = page.locator("#sms-login")
    form.get_by_label(zh("Mobile number")).fill(MEMBER.mobile)
    form.get_by_role("button", name=zh("Send code")).click()
    expect(page.locator("#sms-status .error")).to_have_text(
        zh("SMS login is not available: no SMS sender is configured. Log in with your password.")
    )


def test_switching_the_language_to_english_and_back_changes_the_visible_text(phone: Page, demo) -> None:
    page = phone
    login(page, MEMBER.mobile, settings.GONGHUI_DEMO_PASSWORD)
    page.goto("/language/")
    heading = page.locator("main h1")
    expect(heading).to_have_text(zh("Language"))
    assert zh("Language") != "Language", "the zh_Hans catalogue must translate the UI (run `make messages`)"
    snap(page, "portal-language-zh-phone")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Language")
    expect(page.get_by_role("button", name="English")).to_have_class(re.compile(r"btn-primary"))
    snap(page, "portal-language-en-phone")
    # The choice sticks for the next pages.
    page.goto("/")
    expect(page.locator(".hero h1")).to_contain_text(f"Hello, {MEMBER.name}")
    expect(page.locator('.tile[data-tile="profile"]')).to_contain_text("My account")

    page.goto("/language/")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(heading).to_have_text(zh("Language"))
    page.goto("/")
    expect(page.locator('.tile[data-tile="profile"]')).to_contain_text(zh("My account"))


def test_a_cadre_sees_the_console_tile_on_the_portal(phone: Page, demo) -> None:
    page = phone
    login(page, CADRE.mobile, settings.GONGHUI_DEMO_PASSWORD)
    tile = page.locator('.tile[data-tile="console"]')
    expect(tile).to_contain_text(zh("Cadre console"))
    tile.click()
    # An administrator confirms the session with the second factor before the console opens.
    expect(page).to_have_url(re.compile(r"/me/2fa/verify/"))
    snap(page, "portal-2fa-verify-phone")
    page.get_by_label(zh("Code"), exact=True).fill(current_totp(CADRE.mobile))
    page.get_by_role("button", name=zh("Verify")).click()
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator("main h1")).to_have_text("杭州市西湖区总工会")


def test_a_worker_asks_for_a_new_union_from_the_portal(phone: Page, demo) -> None:
    page = phone
    login(page, MEMBER.mobile, settings.GONGHUI_DEMO_PASSWORD)
    page.locator('.tile[data-tile="setup"]').click()
    expect(page).to_have_url(re.compile(r"/unions/new/$"))
    snap(page, "portal-org-request-phone")
    page.get_by_label(zh("Code of the union one level up")).fill("330106-CY")
    page.get_by_label(zh("Name of the new union")).fill("杭州翠苑书店有限公司工会委员会")
    page.get_by_label(zh("Number of staff")).fill("35")
    page.get_by_role("button", name=zh("Send the request")).click()
    expect(page).to_have_url(re.compile(r"/unions/requests/\d+/$"))
    expect(page.locator("main h1")).to_have_text("杭州翠苑书店有限公司工会委员会")
    expect(page.locator(".facts")).to_contain_text("西湖区翠苑街道总工会")
    expect(page.locator(".badge")).to_have_text(zh("Pending"))
    snap(page, "portal-org-request-done-phone")


def test_a_member_sees_their_own_data_masked_on_a_phone(phone: Page, demo) -> None:
    page = phone
    login(page, MEMBER.mobile, settings.GONGHUI_DEMO_PASSWORD)
    page.locator('.tile[data-tile="mydata"]').click()
    expect(page.locator("main h1").first).to_have_text(zh("My data"))
    expect(page.locator(".facts")).to_contain_text(f"{MEMBER.mobile[:3]}****{MEMBER.mobile[-4:]}")
    expect(page.locator("body")).not_to_contain_text(MEMBER.mobile)
    assert_fits_phone(page)
    snap(page, "portal-my-data-phone")
