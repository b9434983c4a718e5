"""The stations API: the public nearest search (no account, limited per address), check-in, the registry,
managers, walk-ins, statistics and the check-in gap; 404 for another union and 403 for the wrong role on
every endpoint."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.orgs.models import Role
from gonghui.stations import services
from gonghui.stations.models import Station, StationDay, StationManager, Visit
from tests.conftest import CastClient, make_user
from tests.test_stations import PNG, new_station

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 11, 10, 0, tzinfo=SH)
API = "/api/v1/stations"


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


def call(client, method, path, data=None):
    return client.generic(method, API + path, json.dumps(data or {}), content_type="application/json")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def handler_a(tree):
    return make_user("13800000021", "孙专员", Role.CASE_HANDLER, tree.district_a)


@pytest.fixture
def keeper(tree):
    return make_user("13700000101", "赵站长")


@pytest.fixture
def world(tree, district_cadre_a, keeper):
    station = new_station(district_cadre_a, tree.street_a)
    services.station_manager_add(actor=district_cadre_a, station=station, mobile="13700000101")
    far = new_station(
        district_cadre_a, tree.street_a, code="ZJ-HZ-0002", name="三墩驿站", lat=30.3256, lng=120.0948
    )
    return {"station": station, "far": far}


BODY = {
    "name": "长河街道户外劳动者服务站",
    "address": "滨江区长河路 475 号",
    "lat": 30.1953,
    "lng": 120.2001,
    "hours": {"always": False, "week": {"0": [["08:00", "20:00"]]}, "closures": []},
    "amenities": ["hot_water", "toilet"],
    "division_code": "330108",
}


def test_anyone_finds_the_nearest_stations_without_an_account(tree, client, world):
    r = client.get(f"{API}/nearest", {"lat": 30.2875, "lng": 120.1213, "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert [s["code"] for s in body["results"]] == ["ZJ-HZ-0001", "ZJ-HZ-0002"]
    assert body["results"][0]["distance_km"] == 0.0 and body["results"][1]["distance_km"] > 4
    assert "token" not in body["results"][0]
    assert (
        client.get(f"{API}/nearest", {"lat": 30.28, "lng": 120.12, "amenity": "wifi"}).json()["results"] == []
    )


def test_the_nearest_search_refuses_a_bad_point_and_too_many_searches(tree, client, world, settings):
    assert client.get(f"{API}/nearest", {"lat": 91, "lng": 120}).status_code == 400
    settings.GONGHUI_STATION_SEARCHES_PER_MINUTE = 3
    codes = [client.get(f"{API}/nearest", {"lat": 30.28, "lng": 120.12}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_station_is_public_without_its_token(tree, client, world):
    body = client.get(f"{API}/public/{world['station'].pk}").json()
    assert body["name"] == "文新街道户外劳动者服务站" and body["open_now"] is True and "token" not in body


def test_a_worker_checks_in_once_within_the_gap(tree, member_a, world):
    client = logged_in(member_a)
    token = world["station"].token
    first = call(client, "post", "/checkin", {"token": token}).json()
    assert first["created"] is True and first["gap_hours"] == 2
    again = call(client, "post", "/checkin", {"token": token}).json()
    assert again["created"] is False and again["visit_id"] == first["visit_id"]
    assert call(client, "post", "/checkin", {"token": "nope"}).status_code == 404
    assert call(CastClient(), "post", "/checkin", {"token": token}).status_code == 401
    assert Visit.objects.count() == 1


def test_the_api_walks_register_assign_keep_tally_and_count(tree, district_cadre_a, keeper, member_a, world):
    cadre = logged_in(district_cadre_a)
    r = call(cadre, "post", f"?org_id={tree.district_a.pk}", {**BODY, "code": "ZJ-HZ-0100"})
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert r.json()["amenities"] == ["hot_water", "toilet"]
    assert call(cadre, "post", f"/{sid}/managers", {"mobile": "13700000101"}).status_code == 201
    assert [m["name"] for m in call(cadre, "get", f"/{sid}/managers").json()] == ["赵站长"]
    manager = logged_in(keeper)
    assert {s["code"] for s in call(manager, "get", "/mine").json()} == {"ZJ-HZ-0001", "ZJ-HZ-0100"}
    assert call(manager, "get", f"/{sid}").status_code == 200
    upd = call(manager, "put", f"/{sid}", {**BODY, "hours": {"always": True}, "amenities": ["wifi"]})
    assert upd.status_code == 200 and upd.json()["hours"]["always"] is True
    assert call(manager, "put", f"/{sid}/walkins", {"day": "2026-03-11", "count": 7}).json()["walkins"] == 7
    photo = manager.post(f"{API}/{sid}/photos", {"file": SimpleUploadedFile("a.png", PNG), "caption": "门"})
    assert photo.status_code == 201, photo.content
    token = Station.objects.get(pk=sid).token
    call(logged_in(member_a), "post", "/checkin", {"token": token})
    stats = call(cadre, "get", f"/stats?org_id={tree.district_a.pk}").json()
    assert stats["checkins"] == 1 and stats["walkins"] == 7 and stats["stations"] == {"open": 3}
    assert stats["by_union"][0]["org"]["name"] == tree.district_a.name
    days = call(cadre, "get", f"/{sid}/days").json()
    assert days == [{"day": "2026-03-11", "checkins": 1, "walkins": 7}]
    listing = call(cadre, "get", f"?org_id={tree.district_a.pk}").json()
    assert listing["count"] == 3
    assert call(cadre, "put", f"/policy?org_id={tree.district_a.pk}", {"checkin_gap_hours": 3}).json()["own"]
    assert call(cadre, "get", f"/policy?org_id={tree.street_a.pk}").json()["checkin_gap_hours"] == 3
    assert call(cadre, "delete", f"/{sid}/managers/{keeper.pk}").status_code == 204
    assert call(manager, "get", f"/{sid}").status_code == 404


def test_the_api_refuses_bad_input_with_the_field_and_changes_nothing(tree, district_cadre_a, world):
    cadre = logged_in(district_cadre_a)
    r = call(cadre, "post", f"?org_id={tree.district_a.pk}", {**BODY, "code": "ZJ-HZ-0001"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "code_taken"
    r = call(cadre, "post", f"?org_id={tree.district_a.pk}", {**BODY, "code": "X-1", "hours": {"week": {}}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "no_hours"
    r = call(cadre, "put", f"/{world['station'].pk}/walkins", {"day": "2026-03-12", "count": 1})
    assert r.status_code == 400 and r.json()["error"]["field"] == "day"
    assert Station.objects.count() == 2 and not StationDay.objects.exists()


def test_a_manager_may_not_close_the_station_through_the_api(tree, keeper, world):
    sid = world["station"].pk
    r = call(logged_in(keeper), "put", f"/{sid}", {**BODY, "status": "closed"})
    assert r.status_code == 403
    assert Station.objects.get(pk=sid).status == "open"


API_CADRE = [
    ("get", "?org_id={org}"),
    ("post", "?org_id={org}"),
    ("get", "/stats?org_id={org}"),
    ("get", "/policy?org_id={org}"),
    ("put", "/policy?org_id={org}"),
    ("get", "/{station}"),
    ("put", "/{station}"),
    ("post", "/{station}/token"),
    ("get", "/{station}/managers"),
    ("post", "/{station}/managers"),
    ("delete", "/{station}/managers/{keeper}"),
    ("put", "/{station}/walkins"),
    ("get", "/{station}/days"),
]
BODIES = {
    "?org_id={org}": {**BODY, "code": "ZJ-HZ-0999"},
    "/policy?org_id={org}": {"checkin_gap_hours": 5},
    "/{station}": BODY,
    "/{station}/managers": {"mobile": "13900000002"},
    "/{station}/walkins": {"day": "2026-03-11", "count": 3},
}


def _path(path, tree, world, keeper):
    return path.format(org=tree.street_a.pk, station=world["station"].pk, keeper=keeper.pk)


def _unchanged(world):
    assert Station.objects.count() == 2 and StationManager.objects.count() == 1
    station = Station.objects.get(pk=world["station"].pk)
    assert station.name == "文新街道户外劳动者服务站" and station.token == world["station"].token
    assert not StationDay.objects.exists()


@pytest.mark.parametrize("method,path", API_CADRE)
def test_another_district_gets_404_on_every_endpoint(tree, district_cadre_b, keeper, world, method, path):
    r = call(logged_in(district_cadre_b), method, _path(path, tree, world, keeper), BODIES.get(path))
    assert r.status_code == 404, r.content
    _unchanged(world)


@pytest.mark.parametrize("method,path", [(m, p) for m, p in API_CADRE if m != "get"])
def test_a_viewer_gets_403_on_every_write_endpoint(tree, viewer_a, keeper, world, method, path):
    r = call(logged_in(viewer_a), method, _path(path, tree, world, keeper), BODIES.get(path))
    assert r.status_code == 403, r.content
    _unchanged(world)


@pytest.mark.parametrize("method,path", [(m, p) for m, p in API_CADRE if m == "get"])
def test_a_role_without_services_view_gets_403_on_every_read_endpoint(
    tree, handler_a, keeper, world, method, path
):
    assert call(logged_in(handler_a), method, _path(path, tree, world, keeper)).status_code == 403


@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/{station}/token"),
        ("post", "/{station}/managers"),
        ("delete", "/{station}/managers/{keeper}"),
    ],
)
def test_a_manager_may_not_renew_the_qr_or_change_managers(tree, keeper, world, method, path):
    r = call(logged_in(keeper), method, _path(path, tree, world, keeper), BODIES.get(path))
    assert r.status_code == 404
    _unchanged(world)


@pytest.mark.parametrize(
    "method,path", [("get", "/{station}"), ("put", "/{station}"), ("put", "/{station}/walkins")]
)
def test_a_worker_who_does_not_keep_the_station_gets_404(tree, member_b, keeper, world, method, path):
    r = call(logged_in(member_b), method, _path(path, tree, world, keeper), BODIES.get(path))
    assert r.status_code == 404
    _unchanged(world)


def test_the_photo_endpoint_refuses_a_fake_image(tree, keeper, world):
    r = logged_in(keeper).post(
        f"{API}/{world['station'].pk}/photos", {"file": SimpleUploadedFile("a.png", b"GIF89a not png")}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "upload_type"
