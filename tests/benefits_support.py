"""What the member-day tests share: a frozen clock, members of union A with portal accounts, and offers made
through the services (import the fixtures into a test module to use them)."""

from __future__ import annotations

import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gonghui.benefits import services
from gonghui.benefits.models import Offer
from gonghui.members.services import member_create, person_clean
from tests.conftest import CastClient, fake_id, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI)
API = "/api/v1/benefits"


def logged_in(user: Any) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


def call(client: Any, method: str, path: str, data: Any = None) -> Any:
    body = json.dumps(data if data is not None else {})
    return client.generic(method, API + path, body, content_type="application/json")


def join(actor: Any, org: Any, user: Any = None, n: int = 1, **kw: Any) -> Any:
    """An active member of `org`, linked to the portal account `user`."""
    person = person_clean(
        name=kw.pop("name", "张伟"),
        id_number=fake_id(n),
        mobile=getattr(user, "mobile", "") or f"1370000{n:04d}",
        work_division_code="330106",
        employment_form=kw.pop("employment_form", "regular"),
    )
    return member_create(actor=actor, org=org, person=person, user=user, joined_on=kw.pop("joined_on", None))


def crowd(actor: Any, org: Any, count: int, start: int = 100) -> list[Any]:
    """`count` more members of `org`, each with a portal account; returns the accounts."""
    users = []
    for i in range(count):
        n = start + i
        user = make_user(f"1371111{n:04d}", f"职工{i}")
        given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞"
        join(
            actor,
            org,
            user,
            n=n,
            name=f"{'王李赵陈杨黄周吴徐孙'[i % 10]}{given[i % 20]}{given[(i * 7 + 3) % 20]}",
        )
        users.append(user)
    return users


def offer_input(**kw: Any) -> services.OfferInput:
    base: dict[str, Any] = {
        "kind": "activity",
        "category": "观影",
        "title": "会员日观影《长津湖》",
        "description": "周六下午场，每人一张票。",
        "place": "西湖文化广场影城 3 号厅",
        "starts_at": NOW + datetime.timedelta(days=6),
        "ends_at": NOW + datetime.timedelta(days=6, hours=3),
        "quota": 3,
        "opens_at": NOW - datetime.timedelta(hours=1),
        "closes_at": NOW + datetime.timedelta(days=2),
        "allocation": "lottery",
    }
    base.update(kw)
    return services.OfferInput(**base)


def make_offer(actor: Any, org: Any, *, publish: bool = True, **kw: Any) -> Offer:
    offer = services.offer_create(actor=actor, org=org, data=offer_input(**kw))
    if publish:
        offer = services.offer_publish(actor=actor, offer=offer)
    return offer


def voucher_offer(actor: Any, org: Any, **kw: Any) -> Offer:
    defaults: dict[str, Any] = {
        "kind": "offer",
        "category": "体检优惠",
        "title": "职工体检 5 折",
        "place": "",
        "starts_at": None,
        "ends_at": None,
        "allocation": "first_come",
        "quota": 2,
    }
    defaults.update(kw)
    return make_offer(actor, org, **defaults)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def zhang(tree, chair_a, member_a):
    """张伟 (member_a), an active member of grassroots union A for two years."""
    return join(
        chair_a, tree.grassroots_a, member_a, n=1, joined_on=NOW.date() - datetime.timedelta(days=730)
    )


@pytest.fixture
def liu(tree, chair_b, member_b):
    """刘芳 (member_b), an active member of grassroots union B (district B)."""
    return join(chair_b, tree.grassroots_b, member_b, n=10, name="刘芳")
