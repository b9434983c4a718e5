"""The hardship-aid API: a worker applies on their file and follows it; cadres review level by level, the
limits and double-payment checks answer 409 with a clear message, payment follows the announcement; scope on
every endpoint (another union 404, a read-only role 403), and the rules are set as data."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
import time_machine

from gonghui.aid import services
from gonghui.aid.models import AidApplication, AidPolicy, AppState
from tests.conftest import CastClient, make_user
from tests.suggestion_helpers import make_member
from tests.test_api import bearer, issue

from .aid_helpers import approve_all, cadres, medical, verified_file, zhejiang_chain

pytestmark = pytest.mark.django_db

BASE = "/api/v1/aid"
TUESDAY = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=datetime.UTC)
AFTER = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


def call(client, method, path, data=None, **extra):
    body = json.dumps(data if data is not None else {})
    return client.generic(method, BASE + path, body, content_type="application/json", **extra)


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


@pytest.fixture
def cast(tree, chair_a, district_cadre_a):
    zhejiang_chain(tree)
    return cadres(tree, chair_a, district_cadre_a)


@pytest.fixture
def zhang_file(tree, cast, member_a):
    return verified_file(tree, cast, member_a)


@pytest.fixture
def submitted(tree, cast, member_a, zhang_file):
    with time_machine.travel(TUESDAY, tick=False):
        return services.application_submit(user=member_a, file=zhang_file, data=medical("3000"))


@pytest.fixture
def announced(cast, submitted):
    with time_machine.travel(TUESDAY, tick=False):
        return approve_all(submitted, cast)


@time_machine.travel(TUESDAY, tick=False)
def test_a_worker_applies_and_follows_the_chain(tree, cast, member_a, zhang_file):
    client = logged_in(member_a)
    mine = call(client, "GET", "/files/mine").json()
    assert mine[0]["category"] == "deep" and mine[0]["verified"] is True
    response = call(
        client,
        "POST",
        "/applications",
        {"aid_type": "education", "amount": "2000", "reason": "孩子上大学学费", "school_year": "2026-2027"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["org"]["id"] for s in body["steps"]] == [tree.grassroots_a.pk, tree.district_a.pk, tree.city.pk]
    assert body["steps"][0]["current"] is True
    listed = call(client, "GET", "/applications/mine").json()
    assert listed[0]["number"] == body["number"]
    assert call(client, "GET", f"/applications/mine/{body['id']}").status_code == 200


def test_a_bad_detail_is_a_400_on_its_field(tree, cast, member_a, zhang_file):
    response = call(
        logged_in(member_a),
        "POST",
        "/applications",
        {"aid_type": "living", "amount": "500", "reason": "生活困难，房租"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "period"


def test_a_worker_without_a_file_cannot_apply(tree, member_a):
    response = call(
        logged_in(member_a),
        "POST",
        "/applications",
        {"aid_type": "living", "amount": "500", "reason": "生活困难"},
    )
    assert response.status_code == 404


def test_cadres_approve_level_by_level_through_the_api(tree, cast, submitted):
    assert [
        a["number"]
        for a in call(logged_in(cast.grassroots), "GET", f"/queue?org_id={tree.grassroots_a.pk}").json()
    ] == [submitted.number]
    for who in (cast.grassroots, cast.district, cast.city):
        response = call(logged_in(who), "POST", f"/applications/{submitted.pk}/approve", {"amount": "2800"})
        assert response.status_code == 200, response.content
    assert response.json()["state"] == "announced" and Decimal(response.json()["amount_approved"]) == Decimal(
        "2800"
    )


@time_machine.travel(TUESDAY, tick=False)
def test_double_payment_and_caps_answer_409_with_a_clear_message(tree, cast, member_a, zhang_file, announced):
    AidPolicy.objects.create(org=tree.province, single_illness_once_a_year=False)
    again = services.application_submit(user=member_a, file=zhang_file, data=medical("1000"))
    response = call(logged_in(cast.grassroots), "POST", f"/applications/{again.pk}/approve")
    assert response.status_code == 409 and response.json()["error"]["code"] == "double_payment"
    assert tree.grassroots_a.name in response.json()["error"]["message"]
    other = services.application_submit(user=member_a, file=zhang_file, data=medical("9000", code="I21.9"))
    response = call(logged_in(cast.grassroots), "POST", f"/applications/{other.pk}/approve")
    assert response.status_code == 409 and response.json()["error"]["code"] == "over_cap"


def test_reject_needs_a_reason(tree, cast, submitted):
    client = logged_in(cast.grassroots)
    assert call(client, "POST", f"/applications/{submitted.pk}/reject", {"reason": ""}).status_code == 400
    response = call(client, "POST", f"/applications/{submitted.pk}/reject", {"reason": "材料不全"})
    assert response.json()["state"] == "rejected"


def test_announcement_objection_and_payment(tree, cast, announced):
    coworker = make_user("13900000050", "李同事")
    make_member(cast.grassroots, tree.grassroots_a, coworker, 41)
    with time_machine.travel(datetime.datetime(2026, 11, 19, 9, 0, tzinfo=datetime.UTC), tick=False):
        board = call(logged_in(coworker), "GET", "/announcements").json()
        assert board[0]["masked_name"] == "张*" and Decimal(board[0]["amount"]) == Decimal("3000")
        response = call(
            logged_in(coworker), "POST", f"/announcements/{announced.pk}/objections", {"text": "家里新买了车"}
        )
        assert response.status_code == 201
    objection_id = response.json()["id"]
    city = logged_in(cast.city)
    with time_machine.travel(AFTER, tick=False):
        held = call(city, "POST", f"/applications/{announced.pk}/payment", {"method": "transfer"})
        assert held.status_code == 409 and held.json()["error"]["code"] == "objection_open"
        resolved = call(
            city, "POST", f"/objections/{objection_id}/resolve", {"upheld": False, "finding": "亲属车辆"}
        )
        assert resolved.json()["outcome"] == "dismissed"
        cash = call(city, "POST", f"/applications/{announced.pk}/payment", {"method": "cash"})
        assert cash.status_code == 400 and cash.json()["error"]["code"] == "no_cash"
        paid = call(
            city, "POST", f"/applications/{announced.pk}/payment", {"method": "transfer", "reference": "HZ1"}
        )
        assert paid.status_code == 201 and paid.json()["org"]["id"] == tree.city.pk
        stats = call(city, "GET", f"/stats?org_id={tree.city.pk}&year=2026").json()
    assert {k: Decimal(v) for k, v in stats["paid_by_type"].items()} == {
        "medical": Decimal("3000")
    } and stats["files_by_category"] == {"deep": 1}
    assert AidApplication.objects.get(pk=announced.pk).state == AppState.PAID


def test_files_are_opened_verified_reviewed_and_exited_through_the_api(tree, cast, member_a):
    member = make_member(cast.grassroots, tree.grassroots_a, member_a, 1)
    created = call(
        logged_in(cast.grassroots),
        "POST",
        "/files",
        {
            "org_id": tree.grassroots_a.pk,
            "member_number": member.number,
            "category": "relative",
            "situation": "单亲家庭",
            "worker_income": "1800",
            "household": [{"name": "张小明", "relation": "child", "monthly_income": "0"}],
        },
    )
    assert created.status_code == 201, created.content
    file_id = created.json()["id"]
    assert Decimal(created.json()["per_capita_income"]) == Decimal("900")
    assert call(logged_in(cast.grassroots_2), "POST", f"/files/{file_id}/verify").json()["verified"] is True
    reviewed = call(
        logged_in(cast.district),
        "POST",
        f"/files/{file_id}/review",
        {"category": "relative", "monthly_income": "2000", "household_size": 2},
    )
    assert Decimal(reviewed.json()["per_capita_income"]) == Decimal("1000")
    listed = call(logged_in(cast.district), "GET", f"/files?org_id={tree.district_a.pk}").json()
    assert [f["id"] for f in listed] == [file_id]
    exited = call(logged_in(cast.grassroots), "POST", f"/files/{file_id}/exit", {"reason": "已就业"})
    assert exited.json()["status"] == "exited"


def test_rules_and_chain_are_set_as_data(tree, cast, province_cadre, district_cadre_a):
    client = logged_in(province_cadre)
    response = call(
        client, "PUT", f"/policy/{tree.province.pk}", {"cap_holiday": "2200", "announce_workdays": 7}
    )
    assert response.status_code == 200 and response.json()["announce_workdays"] == 7
    assert response.json()["chain"] == ["grassroots", "district", "city"]
    bad = call(client, "PUT", f"/chain/{tree.province.pk}", {"levels": ["grassroots", "moon"]})
    assert bad.status_code == 400
    seen = call(logged_in(district_cadre_a), "GET", f"/policy/{tree.district_a.pk}").json()
    assert seen["announce_workdays"] == 7 and Decimal(seen["cap_holiday"]) == Decimal("2200")


def test_another_union_gets_404_everywhere(tree, cast, announced, zhang_file, district_cadre_b):
    client = logged_in(district_cadre_b)
    assert call(client, "GET", f"/applications/{announced.pk}").status_code == 404
    assert call(client, "POST", f"/applications/{announced.pk}/approve").status_code == 404
    assert call(client, "POST", f"/applications/{announced.pk}/reject", {"reason": "不对"}).status_code == 404
    assert (
        call(client, "POST", f"/applications/{announced.pk}/payment", {"method": "transfer"}).status_code
        == 404
    )
    assert call(client, "GET", f"/files/{zhang_file.pk}").status_code == 404
    assert call(client, "POST", f"/files/{zhang_file.pk}/exit", {"reason": "不对"}).status_code == 404
    assert call(client, "GET", f"/queue?org_id={tree.grassroots_a.pk}").status_code == 404
    assert call(client, "GET", f"/stats?org_id={tree.district_a.pk}").status_code == 404
    assert call(client, "PUT", f"/policy/{tree.district_a.pk}", {"no_cash": False}).status_code == 404


def test_a_read_only_viewer_gets_403_on_writes(tree, cast, submitted, zhang_file, viewer_a):
    client = logged_in(viewer_a)
    assert call(client, "GET", f"/applications/{submitted.pk}").status_code == 200
    assert call(client, "POST", f"/applications/{submitted.pk}/approve").status_code == 403
    assert call(client, "POST", f"/files/{zhang_file.pk}/verify").status_code == 403
    assert call(client, "GET", f"/queue?org_id={tree.grassroots_a.pk}").status_code == 403
    assert call(client, "PUT", f"/policy/{tree.district_a.pk}", {"no_cash": False}).status_code == 403


def test_a_worker_cannot_read_someone_elses_application(tree, cast, submitted, member_b):
    assert call(logged_in(member_b), "GET", f"/applications/mine/{submitted.pk}").status_code == 404
    assert call(logged_in(member_b), "GET", f"/applications/{submitted.pk}").status_code == 404


def test_a_bearer_token_works_for_the_queue(client, tree, cast, submitted):
    token = issue(client, cast.grassroots)["token"]
    response = call(CastClient(), "GET", f"/queue?org_id={tree.grassroots_a.pk}", **bearer(token))
    assert response.status_code == 200 and response.json()[0]["number"] == submitted.number
