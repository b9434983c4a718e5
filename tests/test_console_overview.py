"""The worker-services panel of the console overview, on the demo data: one figure per service for the current
union's subtree, each linking to its statistics; not shown to a role without "services.view"; a fixed number of
queries whatever the size of the subtree."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.aid.models import AidApplication, AppState
from gonghui.core.fields import blind_q
from gonghui.core.seed.demo import seed_demo
from gonghui.medical.models import Enrolment
from gonghui.orgs.models import Org
from gonghui.recuperation.models import Application
from gonghui.stations.models import Station
from tests.conftest import CastClient

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False) as traveller:
        seed_demo()
        yield traveller


def as_(mobile: str) -> CastClient:
    client = CastClient()
    client.force_login(User.objects.get(blind_q(User, "mobile", mobile)))
    return client


def tile(page: str, key: str) -> str:
    start = page.rindex("<a ", 0, page.index(f'data-testid="services-{key}"'))
    return page[start : page.index("</a>", start)]


def test_the_district_overview_counts_each_service_in_its_subtree(demo):
    district = Org.objects.get(code="330106")
    page = as_("13800000004").get(reverse("console:dashboard")).content.decode()  # 李区干, 西湖区
    assert 'data-testid="services-overview"' in page
    # Recuperation: 西湖区's 8 places of the 千岛湖 batch; 12 + 3 applications this year.
    assert "<b>8</b>" in tile(page, "recuperation") and "15" in tile(page, "recuperation")
    assert reverse("console:recuperation_stats") in tile(page, "recuperation")
    # The others, counted here another way: row by row.
    paid = sum(
        (
            a.payment.amount
            for a in AidApplication.objects.filter(state=AppState.PAID)
            if a.org.path.startswith(district.path)
        ),
        Decimal(0),
    )
    assert paid > 0 and f"<b>{int(paid):,}</b>" in tile(page, "aid")
    enrolled = sum(1 for e in Enrolment.objects.filter(year=2026) if e.org.path.startswith(district.path))
    assert enrolled > 0 and f"<b>{enrolled:,}</b>" in tile(page, "medical")
    stations = sum(1 for s in Station.objects.filter(status="open") if s.org.path.startswith(district.path))
    assert stations > 0 and f"{stations}" in tile(page, "stations")
    assert Application.objects.filter(year=2026).count() == 15


def test_a_union_outside_the_demo_services_shows_zeros_and_a_case_handler_sees_no_panel(demo):
    page = as_("13800000005").get(reverse("console:dashboard")).content.decode()  # 周区干, 鄞州区
    assert "<b>0</b>" in tile(page, "recuperation")
    handler = as_("13800000009").get(reverse("console:dashboard")).content.decode()  # 冯专干: case handler
    assert 'data-testid="services-overview"' not in handler


def test_the_panel_costs_the_same_queries_for_a_grassroots_union_and_the_province(demo):
    def queries(mobile: str) -> int:
        client = as_(mobile)
        client.get(reverse("console:dashboard"))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("console:dashboard")).status_code == 200
        return sum(1 for q in ctx.captured_queries if "station" in q["sql"] or "recuperation" in q["sql"])

    assert queries("13800000006") == queries("13800000002") == 3  # 吴主席 (grassroots) and 钱省干 (province)
