"""Worker stations in the console and the portal: the journeys work, list pages cost fixed queries, and every
page answers 404 to another union and 403 to a role that may not do it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.orgs.models import Role
from gonghui.stations import services
from gonghui.stations.models import Station, StationDay, StationManager, StationPhoto, StationPolicy, Visit
from tests.conftest import CastClient, make_user
from tests.test_stations import PNG, new_station

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 11, 10, 0, tzinfo=SH)


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def handler_a(tree):
    """A case handler in district A: sees the union in the tree, but not its worker services."""
    return make_user("13800000021", "孙专员", Role.CASE_HANDLER, tree.district_a)


@pytest.fixture
def keeper(tree):
    return make_user("13700000101", "赵站长")


@pytest.fixture
def world(tree, district_cadre_a, keeper, member_a):
    station = new_station(district_cadre_a, tree.street_a)
    services.station_manager_add(actor=district_cadre_a, station=station, mobile="13700000101")
    photo = services.station_photo_add(
        actor=district_cadre_a, station=station, file=SimpleUploadedFile("door.png", PNG)
    )
    services.station_checkin(user=member_a, token=station.token)
    return {"station": station, "photo": photo}


FORM = {
    "name": "文新街道户外劳动者服务站",
    "address": "西湖区文二西路 358 号",
    "division_code": "330106",
    "lat": "30.2875",
    "lng": "120.1213",
    "datum": "wgs84",
    "day0": "08:00-20:00",
    "day5": "22:00-06:00",
    "closures": "2026-10-01 2026-10-03 国庆节",
    "amenities": ["hot_water", "wifi"],
    "status": "open",
}


# --- console ----------------------------------------------------------------------------------------------


def test_a_cadre_registers_a_station_and_sees_its_qr_code(tree, district_cadre_a):
    client = logged_in(district_cadre_a)
    assert client.get(reverse("console:station_new")).status_code == 200
    response = client.post(reverse("console:station_new"), {**FORM, "code": "zj-hz-0100"})
    station = Station.objects.get(code="ZJ-HZ-0100")
    assert response.status_code == 302 and response.url == reverse(
        "console:station_detail", args=[station.pk]
    )
    assert station.org == tree.district_a and station.hours["week"]["5"] == [["22:00", "06:00"]]
    page = client.get(response.url).content.decode()
    assert "<svg" in page and station.token in page and "国庆节" in page


def test_typed_hours_that_overlap_show_the_error_on_the_field(tree, district_cadre_a):
    client = logged_in(district_cadre_a)
    response = client.post(
        reverse("console:station_new"), {**FORM, "code": "ZJ-1", "day0": "08:00-12:00, 11:00-13:00"}
    )
    assert response.status_code == 200 and not Station.objects.exists()
    assert response.context["form"].errors["day0"]


def test_the_station_list_costs_the_same_queries_for_one_or_six_stations(tree, district_cadre_a, world):
    client = logged_in(district_cadre_a)
    url = reverse("console:station_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        new_station(district_cadre_a, tree.street_a, code=f"ZJ-HZ-01{n:02d}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    assert "ZJ-HZ-0104" in html


def test_the_cadre_edits_assigns_tallies_and_prints_the_poster(tree, district_cadre_a, member_b, world):
    station = world["station"]
    client = logged_in(district_cadre_a)
    r = client.post(reverse("console:station_edit", args=[station.pk]), {**FORM, "name": "文新驿站"})
    assert r.status_code == 302
    station.refresh_from_db()
    assert station.name == "文新驿站"
    client.post(reverse("console:station_manager_add", args=[station.pk]), {"mobile": "13900000002"})
    assert StationManager.objects.filter(station=station, user=member_b).exists()
    client.post(reverse("console:station_walkins", args=[station.pk]), {"day": "2026-03-10", "count": "14"})
    assert StationDay.objects.get(station=station, day=datetime.date(2026, 3, 10)).walkins == 14
    pdf = client.get(reverse("console:station_poster", args=[station.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    photo = client.get(reverse("console:station_photo", args=[station.pk, world["photo"].pk]))
    assert photo["Content-Type"] == "image/png" and photo["X-Content-Type-Options"] == "nosniff"


def test_the_statistics_page_charts_use_by_union(tree, district_cadre_a, world):
    html = logged_in(district_cadre_a).get(reverse("console:station_stats")).content.decode()
    assert 'data-chart="station-per-day"' in html and tree.street_a.name in html


def test_the_check_in_rule_page_sets_the_gap(tree, district_cadre_a):
    client = logged_in(district_cadre_a)
    assert client.post(reverse("console:station_policy"), {"checkin_gap_hours": "4"}).status_code == 302
    assert StationPolicy.objects.get(org=tree.district_a).checkin_gap_hours == 4


CONSOLE_READ = ["station_detail", "station_photo", "station_poster"]
CONSOLE_WRITE_GET = ["station_edit"]
CONSOLE_WRITE_POST = [
    "station_manager_add",
    "station_manager_remove",
    "station_photo_add",
    "station_photo_remove",
    "station_walkins",
    "station_token_renew",
]


def _url(name, world):
    s, p = world["station"], world["photo"]
    args = {
        "station_photo": [s.pk, p.pk],
        "station_photo_remove": [s.pk, p.pk],
        "station_manager_remove": [s.pk, s.managers.get().user_id],
    }.get(name, [s.pk])
    return reverse(f"console:{name}", args=args)


@pytest.mark.parametrize("name", CONSOLE_READ + CONSOLE_WRITE_GET + CONSOLE_WRITE_POST)
def test_another_district_gets_404_on_every_console_page(tree, district_cadre_b, world, name):
    client = logged_in(district_cadre_b)
    method = client.post if name in CONSOLE_WRITE_POST else client.get
    assert (
        method(_url(name, world), {"mobile": "13900000002", "day": "2026-03-10", "count": "1"}).status_code
        == 404
    )


@pytest.mark.parametrize("name", CONSOLE_WRITE_GET + CONSOLE_WRITE_POST)
def test_a_viewer_gets_403_on_every_console_write(tree, viewer_a, world, name):
    client = logged_in(viewer_a)
    method = client.post if name in CONSOLE_WRITE_POST else client.get
    token = world["station"].token
    assert (
        method(_url(name, world), {"mobile": "13900000002", "day": "2026-03-10", "count": "1"}).status_code
        == 403
    )
    assert StationManager.objects.count() == 1 and StationPhoto.objects.count() == 1
    assert Station.objects.get().token == token


@pytest.mark.parametrize("name", CONSOLE_READ)
def test_a_role_without_services_view_gets_403_on_console_reads(tree, handler_a, world, name):
    assert logged_in(handler_a).get(_url(name, world)).status_code == 403


@pytest.mark.parametrize("name", ["station_list", "station_stats", "station_policy", "station_new"])
def test_console_lists_refuse_a_role_without_services_view(tree, handler_a, keeper, world, name):
    assert logged_in(handler_a).get(reverse(f"console:{name}")).status_code == 403
    assert logged_in(keeper).get(reverse(f"console:{name}")).status_code == 403  # a manager has no console


def test_a_viewer_may_not_register_a_station_or_set_the_gap(tree, viewer_a):
    client = logged_in(viewer_a)
    assert client.post(reverse("console:station_new"), {**FORM, "code": "ZJ-9"}).status_code == 403
    assert client.post(reverse("console:station_policy"), {"checkin_gap_hours": "4"}).status_code == 403
    assert not Station.objects.exists() and not StationPolicy.objects.exists()


# --- portal -----------------------------------------------------------------------------------------------


def test_anyone_finds_the_nearest_open_stations_with_distances(tree, client, world):
    html = client.get(reverse("portal:stations"), {"lat": "30.2885", "lng": "120.1213"}).content.decode()
    assert "文新街道户外劳动者服务站" in html and 'data-testid="distance"' in html
    assert "110 m" in html or "110 米" in html


def test_without_a_position_a_district_or_typed_place_finds_stations(tree, client, world):
    page = client.get(reverse("portal:stations")).content.decode()
    assert 'value="330106"' in page  # the district list
    by_division = client.get(reverse("portal:stations"), {"division": "330106"}).content.decode()
    assert "文新街道户外劳动者服务站" in by_division
    by_text = client.get(reverse("portal:stations"), {"q": "文二西路"}).content.decode()
    assert "文新街道户外劳动者服务站" in by_text


def test_the_search_is_limited_per_address(tree, client, world, settings):
    settings.GONGHUI_STATION_SEARCHES_PER_MINUTE = 2
    for _ in range(2):
        assert client.get(reverse("portal:stations"), {"lat": "30.28", "lng": "120.12"}).status_code == 200
    assert client.get(reverse("portal:stations"), {"lat": "30.28", "lng": "120.12"}).status_code == 429


def test_a_map_appears_only_when_tiles_are_configured(tree, client, world, settings):
    params = {"lat": "30.2885", "lng": "120.1213"}
    assert 'data-testid="station-map"' not in client.get(reverse("portal:stations"), params).content.decode()
    settings.GONGHUI_MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    response = client.get(reverse("portal:stations"), params)
    assert 'data-testid="station-map"' in response.content.decode()
    assert "https://*.tiles.example.org" in response["Content-Security-Policy"]


def test_the_station_page_shows_hours_amenities_photos_and_a_navigate_link(tree, client, world):
    station = world["station"]
    html = client.get(reverse("portal:station_detail", args=[station.pk])).content.decode()
    assert "geo:30.287500,120.121300" in html
    assert reverse("portal:station_photo", args=[station.pk, world["photo"].pk]) in html
    assert (
        client.get(reverse("portal:station_photo", args=[station.pk, world["photo"].pk])).status_code == 200
    )


def test_a_closed_down_station_is_not_shown(tree, district_cadre_a, client, world):
    station = world["station"]
    from tests.test_stations import data

    services.station_update(actor=district_cadre_a, station=station, data=data(status="closed"))
    assert client.get(reverse("portal:station_detail", args=[station.pk])).status_code == 404
    assert client.get(reverse("portal:station_checkin", args=[station.token])).status_code == 404


def test_scanning_the_qr_checks_in_once_and_a_repeat_says_already(tree, member_b, world, frozen):
    station = world["station"]
    client = logged_in(member_b)
    url = reverse("portal:station_checkin", args=[station.token])
    assert 'data-testid="checkin"' in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()
    assert Visit.objects.filter(user=member_b).count() == 1
    frozen.shift(datetime.timedelta(minutes=30))
    again = client.post(url, follow=True).content.decode()
    assert Visit.objects.filter(user=member_b).count() == 1
    assert "10:00" in again and page != again


def test_an_anonymous_visitor_is_asked_to_sign_in_to_check_in(tree, client, world):
    url = reverse("portal:station_checkin", args=[world["station"].token])
    html = client.get(url).content.decode()
    assert 'data-testid="login-to-checkin"' in html
    response = client.post(url)
    assert response.status_code == 302 and "/login/" in response.url
    assert Visit.objects.count() == 1  # only the world's own


def test_an_unknown_qr_code_is_404(tree, client, member_a, world):
    assert logged_in(member_a).post(reverse("portal:station_checkin", args=["nope"])).status_code == 404


def test_the_manager_keeps_the_hours_and_tallies_walk_ins_in_the_portal(tree, keeper, world):
    station = world["station"]
    client = logged_in(keeper)
    mine = client.get(reverse("portal:station_mine")).content.decode()
    assert reverse("portal:station_manage", args=[station.pk]) in mine
    r = client.post(
        reverse("portal:station_manage", args=[station.pk]),
        {**FORM, "always": "", "day6": "09:00-17:00", "status": "paused"},
    )
    assert r.status_code == 302
    station.refresh_from_db()
    assert station.hours["week"]["6"] == [["09:00", "17:00"]] and station.status == "paused"
    client.post(
        reverse("portal:station_manage_walkins", args=[station.pk]), {"day": "2026-03-11", "count": "6"}
    )
    assert StationDay.objects.get(station=station, day=datetime.date(2026, 3, 11)).walkins == 6
    client.post(
        reverse("portal:station_manage_photo", args=[station.pk]),
        {"file": SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64)},
    )
    assert station.photos.count() == 2
    pdf = client.get(reverse("portal:station_manage_poster", args=[station.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_a_manager_cannot_close_the_station_down_in_the_portal(tree, keeper, world):
    station = world["station"]
    response = logged_in(keeper).post(
        reverse("portal:station_manage", args=[station.pk]), {**FORM, "status": "closed"}
    )
    assert response.status_code == 200  # "closed" is not among the manager's choices
    station.refresh_from_db()
    assert station.status == "open"


@pytest.mark.parametrize(
    "name,method",
    [
        ("station_manage", "get"),
        ("station_manage", "post"),
        ("station_manage_walkins", "post"),
        ("station_manage_photo", "post"),
        ("station_manage_poster", "get"),
    ],
)
def test_someone_who_does_not_keep_the_station_gets_404_in_the_portal(
    tree, member_b, district_cadre_b, world, name, method
):
    station = world["station"]
    for person in (member_b, district_cadre_b):
        client = logged_in(person)
        response = getattr(client, method)(
            reverse(f"portal:{name}", args=[station.pk]), {"day": "2026-03-11", "count": "1"}
        )
        assert response.status_code == 404
    assert StationDay.objects.get(station=station).walkins == 0


def test_a_viewer_of_the_district_gets_403_on_the_manager_pages(tree, viewer_a, world):
    assert (
        logged_in(viewer_a).get(reverse("portal:station_manage", args=[world["station"].pk])).status_code
        == 403
    )


def test_the_manager_pages_ask_to_log_in(tree, client, world):
    response = client.get(reverse("portal:station_manage", args=[world["station"].pk]))
    assert response.status_code == 302 and "/login/" in response.url
