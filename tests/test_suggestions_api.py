"""The suggestions API: a member submits and follows their own; a cadre evaluates, decides, records the
implementation and the reward; the annual list, its workbook and the roll-up. Scope on every endpoint."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine

from gonghui.suggestions.models import Suggestion

from .conftest import CastClient, make_user
from .suggestion_helpers import make_member
from .test_suggestions import adopted, submitted

BASE = "/api/v1/suggestions"
NOV = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=datetime.UTC)
BODY = {
    "title": "仓库叉车通道改造",
    "category": "safety",
    "situation": "叉车和行人共用通道，去年发生两次险情。",
    "measures": "划出人车分离通道，加装凸面镜和限速标志。",
}


def call(client, method, path, data=None):
    return client.generic(method, BASE + path, json.dumps(data or {}), content_type="application/json")


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


@pytest.fixture
def zhang(tree, chair_a, member_a):
    return make_member(chair_a, tree.grassroots_a, member_a, 1)


@pytest.fixture
def liu(tree, chair_b, member_b):
    return make_member(chair_b, tree.grassroots_b, member_b, 2, region="330108")


def test_a_member_submits_and_follows_through_the_api(tree, zhang, member_a):
    client = logged_in(member_a)
    response = call(client, "POST", "/mine", BODY)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["status"] == "submitted" and out["org"]["id"] == tree.grassroots_a.pk
    assert [e["kind"] for e in out["events"]] == ["submitted"]
    assert [s["id"] for s in call(client, "GET", "/mine").json()] == [out["id"]]
    assert call(client, "GET", f"/mine/{out['id']}").status_code == 200


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(tree, zhang, member_a):
    client = logged_in(member_a)
    response = call(client, "POST", "/mine", {**BODY, "measures": "短"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "measures"
    response = call(client, "POST", "/mine", {"title": "x"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
    assert Suggestion.objects.count() == 0


def test_a_non_member_is_refused_with_403(tree, member_a):
    response = call(logged_in(member_a), "POST", "/mine", BODY)
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_member"


def test_anonymous_callers_are_refused(tree):
    assert call(CastClient(), "GET", "/mine").status_code == 401


def test_another_members_suggestion_is_404(tree, zhang, liu, member_a, member_b):
    s = submitted(member_a)
    assert call(logged_in(member_b), "GET", f"/mine/{s.pk}").status_code == 404


def test_the_cadre_works_a_suggestion_through_the_api(tree, zhang, member_a, chair_a):
    s = submitted(member_a)
    client = logged_in(chair_a)
    assert [r["id"] for r in call(client, "GET", "/queue?status=open").json()["items"]] == [s.pk]
    assert call(client, "POST", f"/{s.pk}/evaluate").json()["status"] == "evaluating"
    assert call(client, "POST", f"/{s.pk}/note", {"text": "请设备科评估"}).status_code == 200
    response = call(client, "POST", f"/{s.pk}/decide", {"adopt": False})
    assert response.status_code == 400 and response.json()["error"]["code"] == "reason_required"
    assert call(client, "POST", f"/{s.pk}/decide", {"adopt": True}).json()["status"] == "adopted"
    out = call(client, "POST", f"/{s.pk}/implement", {"note": "已完成通道划线", "benefit_amount": "0"}).json()
    assert out["status"] == "implemented"
    response = call(client, "POST", f"/{s.pk}/reward", {"form": "cash"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "amount"
    out = call(
        client, "POST", f"/{s.pk}/reward", {"form": "cash", "amount": "500", "benefit_amount": "20000"}
    ).json()
    assert (
        out["status"] == "rewarded"
        and out["reward_amount"] == "500.00"
        and out["benefit_amount"] == "20000.00"
    )
    assert "请设备科评估" in out["evaluation_notes"]
    response = call(client, "POST", f"/{s.pk}/evaluate")
    assert response.status_code == 409 and response.json()["error"]["code"] == "wrong_state"


def test_the_annual_list_its_workbook_and_the_roll_up(
    tree, zhang, liu, member_a, member_b, chair_a, chair_b, district_cadre_a
):
    with time_machine.travel(NOV, tick=False):
        s = adopted(member_a, chair_a)
        submitted(member_b)
        client = logged_in(district_cadre_a)
        rows = call(client, "GET", f"/annual/{tree.district_a.pk}?year=2026").json()
        assert [r["id"] for r in rows] == [s.pk]
        xlsx = client.get(f"{BASE}/annual/{tree.district_a.pk}/xlsx?year=2026")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        stats = call(client, "GET", f"/stats/{tree.district_a.pk}?year=2026").json()
        assert stats["totals"]["adopted"] == 1 and stats["by_union"][0]["org"]["id"] == tree.street_a.pk
        adopted_list = call(logged_in(member_a), "GET", "/adopted").json()
        assert [r["id"] for r in adopted_list] == [s.pk]


ENDPOINTS = [
    ("GET", "/{id}", None),
    ("POST", "/{id}/evaluate", None),
    ("POST", "/{id}/note", {"text": "x"}),
    ("POST", "/{id}/decide", {"adopt": True}),
    ("POST", "/{id}/implement", {"note": "x"}),
    ("POST", "/{id}/reward", {"form": "certificate"}),
]
ORG_ENDPOINTS = [
    "/annual/{org}?year=2026",
    "/annual/{org}/xlsx?year=2026",
    "/stats/{org}",
    "/queue?org_id={org}",
]


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_every_endpoint_is_404_for_another_union(tree, zhang, member_a, chair_b, method, path, data):
    s = submitted(member_a)
    response = call(logged_in(chair_b), method, path.format(id=s.pk), data)
    assert response.status_code == 404
    s.refresh_from_db()
    assert s.status == "submitted"


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_every_endpoint_is_403_for_a_role_without_democratic_management(
    tree, zhang, member_a, method, path, data
):
    handler = make_user("13800000020", "赵维权", "case_handler", tree.district_a)
    s = submitted(member_a)
    assert call(logged_in(handler), method, path.format(id=s.pk), data).status_code == 403


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS[1:])
def test_a_viewer_may_read_but_every_step_is_403(tree, zhang, member_a, viewer_a, method, path, data):
    s = submitted(member_a)
    client = logged_in(viewer_a)
    assert call(client, "GET", f"/{s.pk}").status_code == 200
    assert call(client, method, path.format(id=s.pk), data).status_code == 403


@pytest.mark.parametrize("path", ORG_ENDPOINTS)
def test_the_union_endpoints_are_404_outside_scope_and_403_for_the_wrong_role(tree, chair_b, path):
    handler = make_user("13800000020", "赵维权", "case_handler", tree.district_a)
    assert call(logged_in(chair_b), "GET", path.format(org=tree.grassroots_a.pk)).status_code == 404
    assert call(logged_in(handler), "GET", path.format(org=tree.grassroots_a.pk)).status_code == 403


def test_a_cadre_records_a_paper_suggestion_for_a_member_in_scope_only(
    tree, zhang, liu, chair_a, chair_b, viewer_a
):
    body = {**BODY, "member_id": zhang.pk}
    assert call(logged_in(chair_b), "POST", "/record", body).status_code == 404
    assert call(logged_in(viewer_a), "POST", "/record", body).status_code == 403
    assert call(logged_in(chair_a), "POST", "/record", {**body, "member_id": 999999}).status_code == 404
    response = call(logged_in(chair_a), "POST", "/record", body)
    assert response.status_code == 201 and response.json()["submitter_name"] == "张伟"
    assert Suggestion.objects.get().org == tree.grassroots_a
    response = call(logged_in(chair_a), "POST", "/record", {**body, "measures": "短"})
    assert response.status_code == 400 and Suggestion.objects.count() == 1
