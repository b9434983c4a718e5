"""Worker stations on a phone: 张伟, a courier, lets the portal read his position (faked at 文二西路), finds the
nearest open station, opens it, scans its door QR code (opens the check-in address), signs in and checks in;
a second scan says he already did. Without a shared position, the district list finds stations. The station
manager 赵站长, who holds no union role, changes the Sunday hours from his phone. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, expect

from gonghui.core.seed.demo_stations import MANAGER_MOBILE, seed_stations
from gonghui.stations.models import Station, Visit

from .helpers import PHONE, login, snap, zh

pytestmark = pytest.mark.browser

WORKER = "13900000001"  # 张伟
HERE = {"latitude": 30.28830, "longitude": 120.12190}  # about 100 m from 文新街道户外劳动者服务站


def test_a_worker_finds_the_nearest_station_and_checks_in_and_the_manager_edits_hours(
    browser: Browser, live_server, demo
) -> None:
    seed_stations()
    station = Station.objects.get(code="ZJ-HZ-XH-0001")
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", geolocation=HERE, permissions=["geolocation"], **PHONE
    )
    page = context.new_page()
    page.goto("/stations/")
    snap(page, "stations-find-phone")
    page.get_by_test_id("locate").click()
    expect(page).to_have_url(re.compile(r"lat=30\.2883"))
    results = page.get_by_test_id("station-results")
    expect(results.locator("li").first).to_contain_text(station.name)
    expect(results.get_by_test_id("distance").first).to_contain_text(re.compile(r"\d"))
    snap(page, "stations-nearest-phone")

    page.get_by_test_id(f"station-{station.pk}").click()
    expect(page.get_by_test_id("station-name")).to_have_text(station.name)
    expect(page.get_by_test_id("always-open")).to_be_visible()
    expect(page.get_by_test_id("navigate")).to_have_attribute("href", re.compile(r"^geo:30\.28"))
    snap(page, "stations-station-phone")

    # Scanning the QR code on the door opens the check-in address; he is asked to sign in first.
    page.goto(f"/stations/c/{station.token}/")
    page.get_by_test_id("login-to-checkin").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    login(page, WORKER, settings.GONGHUI_DEMO_PASSWORD, next_url=f"/stations/c/{station.token}/")
    expect(page.get_by_test_id("checkin")).to_be_visible()
    page.get_by_test_id("checkin").click()
    expect(page.locator(".messages")).to_contain_text(zh("Checked in. Welcome to the station!"))
    snap(page, "stations-checked-in-phone")
    page.get_by_test_id("checkin").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"\d\d:\d\d"))
    snap(page, "stations-already-phone")
    assert (
        Visit.objects.filter(station=station, user__real_name="张伟").count() == 2
    )  # the seed's and today's
    context.close()

    # A phone that does not share its position: the district list.
    denied = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    page = denied.new_page()
    page.goto("/stations/")
    page.get_by_test_id("division-form").locator("select").select_option("330108")
    page.get_by_test_id("division-form").get_by_role("button").click()
    expect(page.get_by_test_id("station-results")).to_contain_text("长河街道户外劳动者服务站")
    snap(page, "stations-by-district-phone")
    denied.close()

    # The manager keeps the station from his phone, without any role in the console.
    keeper = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    page = keeper.new_page()
    login(page, MANAGER_MOBILE, settings.GONGHUI_DEMO_PASSWORD, next_url="/stations/mine/")
    page.get_by_test_id(f"manage-{station.pk}").click()
    snap(page, "stations-manage-phone")
    page.locator("#id_always").uncheck()
    for d in range(6):
        page.locator(f"#id_day{d}").fill("07:00-22:00")
    page.locator("#id_day6").fill("09:00-17:00")
    page.get_by_test_id("save-station").click()
    expect(page.locator(".messages")).to_contain_text(zh("The station was saved."))
    snap(page, "stations-manager-saved-phone")
    station.refresh_from_db()
    assert station.hours["week"]["6"] == [["09:00", "17:00"]] and not station.hours["always"]
    page.goto(f"/stations/{station.pk}/")
    expect(page.get_by_test_id("hours")).to_contain_text("09:00-17:00")
    snap(page, "stations-new-hours-phone")
    keeper.close()
