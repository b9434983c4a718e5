"""The recuperation API: the member's batches, every reason they may not apply, applying and cancelling; the
union's rules, designations, sites, batches within the spending limit, quotas split down, allocation after the
close, taking a place back, attendance and roll-up counts. Scope on every cadre endpoint: another district a
404, a read-only viewer a 403 on writes, a member without a role no cadre endpoint at all; bad input a 400 or
422 with a message, and nothing changed."""

from __future__ import annotations

import datetime

import pytest

from gonghui.members.models import Member
from gonghui.recuperation import services
from gonghui.recuperation.models import (
    Application,
    ApplicationStatus,
    Batch,
    Designation,
    Quota,
    RecuperationPolicy,
    Site,
)
from tests.conftest import make_user
from tests.recuperation_support import (
    API,
    CLOSED,
    NOW,
    batch,
    call,
    crowd,
    frozen,
    join,
    liu,
    logged_in,
    make_batch,
    make_site,
    site,
    zhang,
)

pytestmark = pytest.mark.django_db
__all__ = ["batch", "frozen", "liu", "site", "zhang"]

STARTS = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=NOW.tzinfo)


def batch_body(site_id: int, **kw) -> dict:
    body = {
        "site_id": site_id,
        "title": "2026年第二期一线职工疗休养",
        "theme": "一线职工疗休养",
        "starts_on": "2026-06-10",
        "ends_on": "2026-06-11",
        "capacity": 30,
        "opens_at": "2026-04-02T09:00:00+08:00",
        "closes_at": "2026-04-20T17:00:00+08:00",
        "cost_per_person": "780.00",
    }
    body.update(kw)
    return body


# --- the member ---------------------------------------------------------------------------------------------


def test_a_member_sees_the_batch_applies_and_cancels(batch, tree, zhang, member_a):
    client = logged_in(member_a)
    mine = client.get(API + "/mine").json()
    assert mine["member_number"] == zhang.number and mine["union"]["id"] == tree.grassroots_a.pk
    (listed,) = mine["batches"]
    assert (listed["id"], listed["window"], listed["my_status"]) == (batch.pk, "open", None)
    detail = client.get(f"{API}/mine/batches/{batch.pk}").json()
    assert detail["can_apply"] is True and detail["problems"] == []

    response = call(client, "POST", f"/mine/batches/{batch.pk}/apply")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "applied" and body["union"]["id"] == tree.district_a.pk
    assert body["points"] == 10 and body["points_detail"]["service"] == 10 and body["can_cancel"] is True
    assert client.get(API + "/mine").json()["batches"][0]["my_status"] == "applied"
    again = client.get(f"{API}/mine/batches/{batch.pk}").json()
    assert again["can_apply"] is False and [p["code"] for p in again["problems"]] == ["already_applied"]

    twice = call(client, "POST", f"/mine/batches/{batch.pk}/apply")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "already_applied"
    assert twice.json()["error"]["message"] == "你已报名本批次。"
    assert Application.objects.count() == 1

    cancelled = call(client, "POST", f"/mine/applications/{body['id']}/cancel", {"reason": "家中有事"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["can_cancel"] is False
    assert Application.objects.get().cancel_reason == "家中有事"
    assert client.get(f"{API}/mine/applications/{body['id']}").json()["status"] == "cancelled"


def test_every_reason_comes_back_and_applying_is_refused_with_the_first(
    site, province_cadre, tree, chair_a, member_a
):
    only_models = make_batch(province_cadre, site, only_designations=["model_worker"])
    join(chair_a, tree.grassroots_a, member_a, n=1, years=0)
    client = logged_in(member_a)
    body = client.get(f"{API}/mine/batches/{only_models.pk}").json()
    assert body["can_apply"] is False
    assert [p["code"] for p in body["problems"]] == ["membership_too_short", "designation"]
    assert body["problems"][0]["message"] == "报名需要至少 1 年会龄。"
    refused = call(client, "POST", f"/mine/batches/{only_models.pk}/apply")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "membership_too_short"
    assert Application.objects.count() == 0


def test_before_the_window_opens_the_window_is_the_first_reason(site, province_cadre, zhang, member_a):
    later = make_batch(province_cadre, site, opens_at=NOW + datetime.timedelta(days=2))
    client = logged_in(member_a)
    body = client.get(f"{API}/mine/batches/{later.pk}").json()
    assert body["window"] == "before" and [p["code"] for p in body["problems"]] == ["window_closed"]
    refused = call(client, "POST", f"/mine/batches/{later.pk}/apply")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "window_closed"


def test_anothers_application_and_batches_for_a_non_member_are_not_found(
    batch, zhang, member_a, liu, member_b
):
    app = services.application_submit(user=member_a, batch_id=batch.pk)
    client = logged_in(member_b)
    # 刘芳 in district B sees the batch (the city holds places for her), but 张伟's application is not hers.
    assert client.get(f"{API}/mine/applications/{app.pk}").status_code == 404
    assert call(client, "POST", f"/mine/applications/{app.pk}/cancel", {}).status_code == 404
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.APPLIED
    nobody = make_user("13700009999", "路人")
    stranger = logged_in(nobody)
    assert stranger.get(API + "/mine").json() == {
        "member_number": None,
        "union": None,
        "batches": [],
        "applications": [],
    }
    assert stranger.get(f"{API}/mine/batches/{batch.pk}").status_code == 404
    assert call(stranger, "POST", f"/mine/batches/{batch.pk}/apply").status_code == 404


def test_a_draft_is_not_shown_to_members(site, province_cadre, zhang, member_a):
    draft = make_batch(province_cadre, site, publish=False)
    client = logged_in(member_a)
    assert client.get(API + "/mine").json()["batches"] == []
    assert call(client, "POST", f"/mine/batches/{draft.pk}/apply").status_code == 404


# --- the union's rules and designations ---------------------------------------------------------------------


def test_the_province_sets_its_rules_and_the_district_reads_them_inherited(
    tree, province_cadre, district_cadre_a
):
    client = logged_in(province_cadre)
    response = call(
        client, "PUT", f"/policy?org_id={tree.province.pk}", {"daily_limit": "300", "max_days": 3}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["daily_limit"], body["max_days"], body["cancel_days_before"]) == ("300.00", 3, 7)
    inherited = logged_in(district_cadre_a).get(f"{API}/policy?org_id={tree.district_a.pk}").json()
    assert inherited["source"]["id"] == tree.province.pk and inherited["daily_limit"] == "300.00"
    # A union setting one rule of its own keeps the rest as in force above it, not the defaults.
    call(logged_in(district_cadre_a), "PUT", f"/policy?org_id={tree.district_a.pk}", {"interval_years": 0})
    own = RecuperationPolicy.objects.get(org=tree.district_a)
    assert (own.daily_limit, own.max_days, own.interval_years) == (300, 3, 0)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"max_days": 0}, "max_days"),
        ({"daily_limit": "-5"}, "daily_limit"),
        ({"frontline_points": -1}, "frontline_points"),
    ],
)
def test_bad_rules_are_refused_with_the_field_and_nothing_changes(tree, province_cadre, data, field):
    response = call(logged_in(province_cadre), "PUT", f"/policy?org_id={tree.province.pk}", data)
    assert response.status_code == 400 and response.json()["error"]["field"] == field
    assert response.json()["error"]["message"]
    assert not RecuperationPolicy.objects.exists()


def test_rules_keep_to_scope_and_role(tree, district_cadre_b, viewer_a, member_a):
    assert logged_in(district_cadre_b).get(f"{API}/policy?org_id={tree.district_a.pk}").status_code == 404
    assert logged_in(viewer_a).get(f"{API}/policy?org_id={tree.district_a.pk}").status_code == 200
    put = call(logged_in(viewer_a), "PUT", f"/policy?org_id={tree.district_a.pk}", {"max_days": 2})
    assert put.status_code == 403
    assert call(logged_in(member_a), "PUT", "/policy", {"max_days": 2}).status_code == 404
    assert not RecuperationPolicy.objects.exists()


def test_the_chair_records_and_removes_a_designation(tree, zhang, chair_a, chair_b, viewer_a):
    client = logged_in(chair_a)
    data = {"member_number": zhang.number, "kind": "model_worker", "title": "浙江省劳动模范", "year": 2020}
    response = call(client, "POST", "/designations", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["member"]["number"] == zhang.number and body["org"]["id"] == tree.grassroots_a.pk
    assert body["kind_label"] == "劳模"
    listed = client.get(f"{API}/designations?org_id={tree.grassroots_a.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "浙江省劳动模范"

    bad = call(client, "POST", "/designations", {**data, "kind": "hero"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "kind"
    unknown = call(client, "POST", "/designations", {**data, "member_number": "00000000000X"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_member"
    # A chair in district B may not learn that the number exists.
    elsewhere = call(logged_in(chair_b), "POST", "/designations", data)
    assert elsewhere.status_code == 400 and elsewhere.json()["error"]["code"] == "unknown_member"
    assert call(logged_in(viewer_a), "POST", "/designations", data).status_code == 403
    assert Designation.objects.count() == 1

    row = Designation.objects.get()
    assert call(logged_in(chair_b), "DELETE", f"/designations/{row.pk}").status_code == 404
    assert call(logged_in(viewer_a), "DELETE", f"/designations/{row.pk}").status_code == 403
    assert call(client, "DELETE", f"/designations/{row.pk}").status_code == 204
    assert not Designation.objects.exists()


# --- sites and batches --------------------------------------------------------------------------------------


def test_the_province_adds_a_site_plans_a_batch_within_the_limit_and_publishes(tree, province_cadre):
    client = logged_in(province_cadre)
    site_data = {
        "org_id": tree.province.pk,
        "name": "浙江省总工会千岛湖职工疗休养院",
        "kind": "sanatorium",
        "address": "杭州市淳安县千岛湖镇",
        "capacity": 80,
    }
    response = call(client, "POST", "/sites", site_data)
    assert response.status_code == 201, response.content
    site_id = response.json()["id"]
    assert response.json()["kind_label"] == "疗养院"
    assert client.get(f"{API}/sites?org_id={tree.province.pk}").json()["count"] == 1

    over = call(client, "POST", "/batches", batch_body(site_id, cost_per_person="800.01"))
    assert over.status_code == 400
    assert (over.json()["error"]["code"], over.json()["error"]["field"]) == ("over_limit", "cost_per_person")
    assert "800" in over.json()["error"]["message"]
    too_many = call(client, "POST", "/batches", batch_body(site_id, capacity=81))
    assert too_many.status_code == 400 and too_many.json()["error"]["field"] == "capacity"
    assert not Batch.objects.exists()

    created = call(client, "POST", "/batches", batch_body(site_id, only_designations=["frontline"]))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["days"], body["cost_limit"], body["window"]) == (
        "draft",
        2,
        "800.00",
        "before",
    )
    (root,) = body["quotas"]
    assert (root["org"]["id"], root["places"], root["kept"], root["can_manage"]) == (
        tree.province.pk,
        30,
        30,
        True,
    )
    published = call(client, "POST", f"/batches/{body['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "open"
    again = call(client, "POST", f"/batches/{body['id']}/publish")
    assert again.status_code == 400 and again.json()["error"]["code"] == "not_draft"


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"kind": "castle"}, 400, "kind"),
        ({"capacity": -3}, 400, "capacity"),
        ({"name": ""}, 400, "name"),
        ({"capacity": "many"}, 422, "capacity"),
    ],
)
def test_a_bad_site_is_refused_with_its_field_and_nothing_is_added(tree, province_cadre, data, status, field):
    body = {"org_id": tree.province.pk, "name": "基地", "kind": "base", "address": "德清县", "capacity": 10}
    response = call(logged_in(province_cadre), "POST", "/sites", {**body, **data})
    assert response.status_code == status
    assert response.json()["error"]["field"] == field and response.json()["error"]["message"]
    assert not Site.objects.exists()


def test_bad_batch_input_is_refused_and_nothing_is_added(site, province_cadre):
    client = logged_in(province_cadre)
    bad_kind = call(client, "POST", "/batches", batch_body(site.pk, only_designations=["boss"]))
    assert bad_kind.status_code == 400 and bad_kind.json()["error"]["field"] == "only_designations"
    late = call(client, "POST", "/batches", batch_body(site.pk, closes_at="2026-06-10T09:00:00+08:00"))
    assert late.status_code == 400 and late.json()["error"]["code"] == "window_late"
    bad_date = call(client, "POST", "/batches", batch_body(site.pk, starts_on="2026-13-01"))
    assert bad_date.status_code == 422 and bad_date.json()["error"]["field"] == "starts_on"
    assert not Batch.objects.exists()
    status = client.get(f"{API}/batches?status=finished")
    assert status.status_code == 400 and status.json()["error"]["field"] == "status"


def test_a_time_without_an_offset_is_china_time(site, province_cadre):
    body = batch_body(site.pk, opens_at="2026-04-02T09:00:00", closes_at="2026-04-20T17:00:00")
    response = call(logged_in(province_cadre), "POST", "/batches", body)
    assert response.status_code == 201, response.content
    assert Batch.objects.get().opens_at == datetime.datetime(2026, 4, 2, 1, 0, tzinfo=datetime.UTC)


def test_cancelling_a_batch_needs_a_reason_and_cancels_its_applications(
    batch, province_cadre, zhang, member_a
):
    services.application_submit(user=member_a, batch_id=batch.pk)
    client = logged_in(province_cadre)
    blank = call(client, "POST", f"/batches/{batch.pk}/cancel", {"reason": " "})
    assert blank.status_code == 400 and blank.json()["error"]["field"] == "reason"
    assert Application.objects.get().status == ApplicationStatus.APPLIED
    response = call(client, "POST", f"/batches/{batch.pk}/cancel", {"reason": "基地检修"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Application.objects.get().status == ApplicationStatus.CANCELLED


# --- quotas, allocation, applications -----------------------------------------------------------------------


def test_the_district_gives_places_down_but_never_more_than_it_holds(
    batch, tree, district_cadre_a, province_cadre
):
    client = logged_in(district_cadre_a)
    url = f"/batches/{batch.pk}/quotas"
    over = call(client, "PUT", url, {"org_id": tree.street_a.pk, "places": 7})
    assert over.status_code == 400 and over.json()["error"]["code"] == "over_quota"
    assert "6" in over.json()["error"]["message"]
    negative = call(client, "PUT", url, {"org_id": tree.street_a.pk, "places": -1})
    assert negative.status_code == 400 and negative.json()["error"]["field"] == "places"
    assert not Quota.objects.filter(org=tree.street_a).exists()

    given = call(client, "PUT", url, {"org_id": tree.street_a.pk, "places": 2})
    assert given.status_code == 200, given.content
    assert given.json()["places"] == 2 and given.json()["parent_org"]["id"] == tree.district_a.pk
    quotas = {q["org"]["id"]: q for q in client.get(f"{API}/batches/{batch.pk}").json()["quotas"]}
    assert set(quotas) == {tree.district_a.pk, tree.street_a.pk}
    assert (quotas[tree.district_a.pk]["given"], quotas[tree.district_a.pk]["kept"]) == (2, 4)
    everything = logged_in(province_cadre).get(f"{API}/batches/{batch.pk}").json()["quotas"]
    assert [q["org"]["id"] for q in everything] == [
        tree.province.pk,
        tree.city.pk,
        tree.district_a.pk,
        tree.street_a.pk,
    ]
    assert (everything[0]["given"], everything[0]["kept"]) == (10, 30)


def test_the_district_allocates_after_the_close_takes_a_place_back_and_records_attendance(
    batch, tree, chair_a, district_cadre_a, frozen
):
    users = crowd(chair_a, tree.grassroots_a, 7)
    apps = [services.application_submit(user=u, batch_id=batch.pk) for u in users]
    quota = Quota.objects.get(batch=batch, org=tree.district_a)
    client = logged_in(district_cadre_a)
    early = call(client, "POST", f"/quotas/{quota.pk}/allocate")
    assert early.status_code == 409 and early.json()["error"]["code"] == "window_open"
    assert not Application.objects.filter(status=ApplicationStatus.ALLOCATED).exists()

    frozen.move_to(CLOSED)
    client = logged_in(district_cadre_a)
    response = call(client, "POST", f"/quotas/{quota.pk}/allocate")
    assert response.status_code == 200 and response.json() == {"allocated": 6, "waiting": 1}
    placed = client.get(f"{API}/batches/{batch.pk}/applications?status=allocated").json()
    assert placed["count"] == 6
    assert (
        placed["items"][0]["member"]["number"] and placed["items"][0]["quota_org"]["id"] == tree.district_a.pk
    )
    (waiting,) = client.get(f"{API}/batches/{batch.pk}/applications?status=waiting").json()["items"]
    assert waiting["waiting_position"] == 1

    blank = call(client, "POST", f"/applications/{apps[0].pk}/withdraw", {"reason": ""})
    assert blank.status_code == 400 and blank.json()["error"]["code"] == "reason_required"
    taken = call(client, "POST", f"/applications/{apps[0].pk}/withdraw", {"reason": "生产任务紧"})
    assert taken.status_code == 200 and taken.json()["status"] == "cancelled"
    moved_up = client.get(f"{API}/applications/{waiting['id']}").json()
    assert moved_up["status"] == "allocated" and moved_up["promoted"] is True

    early = call(client, "POST", f"/applications/{apps[1].pk}/attendance", {"attended": True})
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_started"
    frozen.move_to(STARTS)
    client = logged_in(district_cadre_a)
    came = call(client, "POST", f"/applications/{apps[1].pk}/attendance", {"attended": True})
    assert came.status_code == 200 and came.json()["status"] == "attended"
    stayed = call(client, "POST", f"/applications/{apps[2].pk}/attendance", {"attended": False})
    assert stayed.json()["status"] == "absent"
    cancelled = call(client, "POST", f"/applications/{apps[0].pk}/attendance", {"attended": True})
    assert cancelled.status_code == 409 and cancelled.json()["error"]["code"] == "no_place"
    assert call(client, "POST", f"/applications/{apps[1].pk}/attendance", {}).status_code == 422


def test_the_roll_up_counts_by_child_union(
    batch, tree, zhang, member_a, liu, member_b, province_cadre, frozen
):
    services.application_submit(user=member_a, batch_id=batch.pk)
    services.application_submit(user=member_b, batch_id=batch.pk)
    frozen.move_to(CLOSED)
    for org in (tree.city, tree.district_a):  # 刘芳 in district B goes through the city's quota
        services.quota_allocate(actor=province_cadre, quota=Quota.objects.get(batch=batch, org=org))
    body = logged_in(province_cadre).get(f"{API}/stats?org_id={tree.province.pk}&year=2026").json()
    assert (body["places"], body["applications"], body["allocated"], body["attended"]) == (40, 2, 2, 0)
    rows = {row["org"]["id"]: row for row in body["rows"]}
    assert rows[tree.province.pk]["own"] is True and rows[tree.province.pk]["places"] == 30
    assert (rows[tree.city.pk]["places"], rows[tree.city.pk]["applications"]) == (10, 2)


# --- scope --------------------------------------------------------------------------------------------------


@pytest.fixture
def world(batch, tree, zhang, member_a, district_cadre_a):
    app = services.application_submit(user=member_a, batch_id=batch.pk)
    return {"batch": batch.pk, "quota": Quota.objects.get(batch=batch, org=tree.district_a).pk, "app": app.pk}


SCOPED = [
    ("GET", "/batches/{batch}", None, 200),
    ("GET", "/batches/{batch}/applications", None, 200),
    ("GET", "/applications/{app}", None, 200),
    ("PUT", "/batches/{batch}/quotas", {"org_id": "{street}", "places": 1}, 403),
    ("POST", "/quotas/{quota}/allocate", None, 403),
    ("POST", "/applications/{app}/withdraw", {"reason": "x"}, 403),
    ("POST", "/applications/{app}/attendance", {"attended": True}, 403),
]


@pytest.mark.parametrize(("method", "path", "data", "viewer_status"), SCOPED)
def test_another_district_gets_404_and_a_viewer_403_on_writes(
    world, tree, district_cadre_b, viewer_a, member_a, method, path, data, viewer_status
):
    url = path.format(**world)
    if data and data.get("org_id") == "{street}":
        data = {**data, "org_id": tree.street_a.pk}
    response = call(logged_in(district_cadre_b), method, url, data)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert call(logged_in(viewer_a), method, url, data).status_code == viewer_status
    assert call(logged_in(member_a), method, url, data).status_code == 404
    assert Application.objects.get(pk=world["app"]).status == ApplicationStatus.APPLIED
    assert not Quota.objects.filter(org=tree.street_a).exists()


def test_a_viewer_may_not_plan_publish_or_cancel_a_districts_batch(tree, district_cadre_a, viewer_a):
    site = make_site(district_cadre_a, tree.district_a, name="西湖区职工疗休养点", capacity=20)
    draft = make_batch(district_cadre_a, site, publish=False, capacity=10)
    client = logged_in(viewer_a)
    assert client.get(f"{API}/batches/{draft.pk}").status_code == 200
    assert call(client, "POST", f"/batches/{draft.pk}/publish").status_code == 403
    assert call(client, "POST", f"/batches/{draft.pk}/cancel", {"reason": "x"}).status_code == 403
    assert call(client, "POST", "/batches", batch_body(site.pk)).status_code == 403
    site_body = {
        "org_id": tree.district_a.pk,
        "name": "新点",
        "kind": "hotel",
        "address": "西湖区",
        "capacity": 5,
    }
    assert call(client, "POST", "/sites", site_body).status_code == 403
    assert Batch.objects.get().status == "draft" and Site.objects.count() == 1


def test_another_district_does_not_see_the_districts_sites_or_batches(
    tree, district_cadre_a, district_cadre_b
):
    site = make_site(district_cadre_a, tree.district_a, name="西湖区职工疗休养点", capacity=20)
    draft = make_batch(district_cadre_a, site, publish=False, capacity=10)
    client = logged_in(district_cadre_b)
    assert client.get(f"{API}/sites?org_id={tree.district_a.pk}").status_code == 404
    assert client.get(f"{API}/batches").json()["count"] == 0
    assert client.get(f"{API}/batches/{draft.pk}").status_code == 404
    assert call(client, "POST", "/batches", batch_body(site.pk)).status_code == 404
    assert call(client, "POST", f"/batches/{draft.pk}/publish").status_code == 404
    assert client.get(f"{API}/stats?org_id={tree.district_a.pk}").status_code == 404


NO_ROLE = [
    ("GET", "/batches", None),
    ("GET", "/sites", None),
    ("GET", "/designations", None),
    ("GET", "/stats", None),
    ("GET", "/policy", None),
    ("PUT", "/policy", {"max_days": 2}),
    ("POST", "/sites", {"name": "基地", "kind": "base", "address": "德清县", "capacity": 10}),
    ("POST", "/designations", {"member_number": "{number}", "kind": "frontline"}),
    ("POST", "/batches", "batch"),
]


@pytest.mark.parametrize(("method", "path", "data"), NO_ROLE)
def test_a_member_without_a_role_has_no_cadre_endpoint(batch, site, zhang, member_a, method, path, data):
    if data == "batch":
        data = batch_body(site.pk)
    elif data and data.get("member_number"):
        data = {**data, "member_number": zhang.number}
    response = call(logged_in(member_a), method, path, data)
    # Without a role nothing is in scope: no union, no member, no site to act on.
    expected = 400 if path == "/designations" and method == "POST" else 404
    assert response.status_code == expected
    assert Batch.objects.count() == 1 and Site.objects.count() == 1
    assert not Designation.objects.exists() and not RecuperationPolicy.objects.exists()


def test_an_anonymous_caller_must_log_in(client, batch):
    assert client.get(API + "/mine").status_code == 401
    assert client.get(f"{API}/batches/{batch.pk}").status_code == 401


# --- fixed queries ------------------------------------------------------------------------------------------


def test_the_batch_list_costs_the_same_queries_for_one_batch_or_many(
    batch, site, province_cadre, django_assert_max_num_queries
):
    client = logged_in(province_cadre)
    client.get(API + "/batches")
    with django_assert_max_num_queries(20) as one:
        client.get(API + "/batches")
    for i in range(4):
        make_batch(province_cadre, site, title=f"第{i}期")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(API + "/batches")
    assert response.json()["count"] == 5 and response.json()["items"][0]["n_applications"] == 0


def test_the_application_list_costs_the_same_queries_for_one_or_many(
    batch, tree, chair_a, district_cadre_a, django_assert_max_num_queries
):
    first, *rest = crowd(chair_a, tree.grassroots_a, 6)
    services.application_submit(user=first, batch_id=batch.pk)
    client = logged_in(district_cadre_a)
    url = f"{API}/batches/{batch.pk}/applications"
    client.get(url)
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    for user in rest:
        services.application_submit(user=user, batch_id=batch.pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.json()["count"] == 6


def test_the_designation_list_costs_the_same_queries_for_one_or_many(
    tree, chair_a, django_assert_max_num_queries
):
    users = crowd(chair_a, tree.grassroots_a, 5)
    members = [Member.objects.get(user=u) for u in users]
    services.designation_add(actor=chair_a, member=members[0], kind="frontline")
    client = logged_in(chair_a)
    client.get(API + "/designations")
    with django_assert_max_num_queries(20) as one:
        client.get(API + "/designations")
    for member in members[1:]:
        services.designation_add(actor=chair_a, member=member, kind="model_worker")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(API + "/designations")
    assert response.json()["count"] == 5


def test_the_recuperation_endpoints_are_in_the_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/recuperation/mine",
        "/api/v1/recuperation/mine/batches/{batch_id}/apply",
        "/api/v1/recuperation/quotas/{quota_id}/allocate",
        "/api/v1/recuperation/batches/{batch_id}/quotas",
    } <= set(paths)


def test_a_site_is_retired_and_reinstated_through_the_api(site, province_cadre, district_cadre_a, viewer_a):
    client = logged_in(province_cadre)
    response = call(client, "POST", f"/sites/{site.pk}/active", {"active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert call(
        logged_in(district_cadre_a), "POST", f"/sites/{site.pk}/active", {"active": True}
    ).status_code in (
        403,
        404,
    )
    site.refresh_from_db()
    assert site.is_active is False
    assert call(client, "POST", f"/sites/{site.pk}/active", {"active": True}).json()["is_active"] is True
