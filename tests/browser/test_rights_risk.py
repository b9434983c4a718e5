"""The risk-warning pages in Chromium: the list and the map fit a phone, and the map draws one coloured circle per
employer with coordinates, without any tile server (the default on an intranet)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from gonghui.core.seed.demo import ACCOUNTS
from gonghui.rights.models import EmployerRisk

from .helpers import login, snap

pytestmark = pytest.mark.browser

CITY = next(a for a in ACCOUNTS if a.what == "city cadre (Hangzhou)")


@pytest.fixture
def risks(demo) -> int:
    from gonghui.rights.services import risks_compute

    risks_compute()
    rows = list(EmployerRisk.objects.order_by("pk"))
    assert rows, "the demo requests give at least one scored employer"
    for i, row in enumerate(rows):
        EmployerRisk.objects.filter(pk=row.pk).update(
            latitude=Decimal("30.27") + Decimal(i) / 100, longitude=Decimal("120.15") + Decimal(i) / 100
        )
    return len(rows)


def test_the_risk_list_and_map_fit_a_phone_and_the_map_draws_every_employer(phone: Page, risks: int) -> None:
    page = phone
    login(page, CITY.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/")
    page.goto("/console/rights/risk/?level=all")
    expect(page.get_by_test_id("risk-list")).to_be_visible()
    snap(page, "fit-console-risk-list")
    page.goto("/console/rights/risk/map/?level=all")
    expect(page.get_by_test_id("risk-map-no-tiles")).to_be_visible()
    expect(page.locator(".risk-map path.leaflet-interactive")).to_have_count(risks)
    snap(page, "fit-console-risk-map")
    first = EmployerRisk.objects.order_by("pk").first()
    assert first is not None
    for name, path in [
        ("risk-detail", f"/console/rights/risk/{first.pk}/"),
        ("risk-import", "/console/rights/risk/import/"),
        ("risk-rules", "/console/rights/risk/rules/"),
    ]:
        page.goto(path)
        snap(page, f"fit-console-{name}")
