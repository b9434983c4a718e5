"""What the recuperation tests share: a frozen clock, members with portal accounts, a site and batches made
through the services (import the fixtures into a test module to use them)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gonghui.members.services import member_create, person_clean
from gonghui.recuperation import services
from gonghui.recuperation.models import Batch, Site
from tests.conftest import CastClient, fake_id, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)
CLOSED = NOW + datetime.timedelta(days=10, minutes=1)
API = "/api/v1/recuperation"


def logged_in(user: Any) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


def call(client: Any, method: str, path: str, data: Any = None) -> Any:
    body = json.dumps(data if data is not None else {})
    return client.generic(method, API + path, body, content_type="application/json")


def join(actor: Any, org: Any, user: Any = None, n: int = 1, years: int = 5, **kw: Any) -> Any:
    """An active member of `org` for `years` years, linked to the portal account `user`."""
    person = person_clean(
        name=kw.pop("name", "张伟"),
        id_number=fake_id(n),
        mobile=getattr(user, "mobile", "") or f"1370000{n:04d}",
        work_division_code="330106",
        employment_form="regular",
    )
    joined = NOW.date() - datetime.timedelta(days=int(365.25 * years) + 1)
    return member_create(actor=actor, org=org, person=person, user=user, joined_on=joined)


def crowd(actor: Any, org: Any, count: int, start: int = 100, years: int = 5) -> list[Any]:
    users = []
    for i in range(count):
        n = start + i
        user = make_user(f"1371111{n:04d}", f"职工{n}")
        join(
            actor,
            org,
            user,
            n=n,
            years=years,
            name=f"王{'一二三四五六七八九十'[n % 10]}{'明华强军平安春秋冬夏'[n // 10 % 10]}",
        )
        users.append(user)
    return users


def make_site(actor: Any, org: Any, **kw: Any) -> Site:
    base: dict[str, Any] = {
        "name": "浙江省总工会湖州莫干山职工疗休养基地",
        "kind": "base",
        "address": "湖州市德清县莫干山镇",
        "capacity": 120,
        "contact": "0572-0000000",
    }
    base.update(kw)
    return services.site_create(actor=actor, org=org, **base)


def batch_input(**kw: Any) -> services.BatchInput:
    base: dict[str, Any] = {
        "title": "2026年第一期劳模疗休养",
        "theme": "劳模疗休养",
        "starts_on": datetime.date(2026, 5, 20),
        "ends_on": datetime.date(2026, 5, 21),
        "capacity": 40,
        "opens_at": NOW - datetime.timedelta(hours=1),
        "closes_at": NOW + datetime.timedelta(days=10),
        "cost_per_person": Decimal("780"),
    }
    base.update(kw)
    return services.BatchInput(**base)


def make_batch(actor: Any, site: Site, *, publish: bool = True, **kw: Any) -> Batch:
    batch = services.batch_create(actor=actor, site=site, data=batch_input(**kw))
    if publish:
        batch = services.batch_publish(actor=actor, batch=batch)
    return batch


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def zhang(tree, chair_a, member_a):
    """张伟 (member_a), an active member of grassroots union A for five years."""
    return join(chair_a, tree.grassroots_a, member_a, n=1)


@pytest.fixture
def liu(tree, chair_b, member_b):
    """刘芳 (member_b), an active member of grassroots union B (district B) for five years."""
    return join(chair_b, tree.grassroots_b, member_b, n=10, name="刘芳")


@pytest.fixture
def site(tree, province_cadre):
    return make_site(province_cadre, tree.province)


@pytest.fixture
def batch(site, province_cadre, tree, district_cadre_a):
    """A published batch of 40 places: 10 to Hangzhou, of which 6 to district A (西湖区)."""
    b = make_batch(province_cadre, site)
    services.quota_set(actor=province_cadre, batch=b, org=tree.city, places=10)
    services.quota_set(actor=province_cadre, batch=b, org=tree.district_a, places=6)
    return b
