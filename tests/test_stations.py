"""Worker stations: the rules of opening hours, distance and datums; the registry, managers, check-ins,
walk-ins and statistics; and the nearest-station search checked against brute force."""

from __future__ import annotations

import datetime
import math
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.audit import AuditRecord
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.stations import rules, selectors, services
from gonghui.stations.models import Station, StationDay, StationManager, StationStatus, Visit
from tests.conftest import make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 11, 10, 0, tzinfo=SH)  # a Wednesday
ALWAYS = {"always": True}
DAYTIME = {"week": {str(d): [["08:00", "20:00"]] for d in range(7)}}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(y, m, d, hh, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=SH)


def data(**kw):
    base = dict(
        name="文新街道户外劳动者服务站",
        address="西湖区文二西路 358 号",
        lat=30.2875,
        lng=120.1213,
        hours=ALWAYS,
        amenities=["hot_water", "microwave"],
        division_code="330106",
    )
    base.update(kw)
    return services.StationInput(**base)


def new_station(actor, org, code="ZJ-HZ-0001", **kw):
    return services.station_create(actor=actor, org=org, code=code, data=data(**kw))


def raw_station(org, code, lat, lng, hours=None, amenities="", status=StationStatus.OPEN):
    return Station(
        org=org,
        code=code,
        name=code,
        address="—",
        lat=lat,
        lng=lng,
        lat_band=rules.lat_band(lat),
        hours=hours or {"always": True},
        amenities=amenities,
        status=status,
    )


# --- rules: opening hours ---------------------------------------------------------------------------------


OVERNIGHT = rules.normalize_hours({"week": {"5": [["22:00", "06:00"]], "6": [["22:00", "06:00"]]}})


@pytest.mark.parametrize(
    "when,expected",
    [
        (at(2026, 3, 14, 21, 59), False),  # Saturday before it opens
        (at(2026, 3, 14, 22, 0), True),  # Saturday 22:00 opens
        (at(2026, 3, 14, 23, 59), True),
        (at(2026, 3, 15, 0, 0), True),  # Sunday just after midnight: Saturday's period goes on
        (at(2026, 3, 15, 5, 59), True),
        (at(2026, 3, 15, 6, 0), False),  # Sunday 06:00 closes
        (at(2026, 3, 15, 22, 30), True),  # Sunday's own night period
        (at(2026, 3, 16, 3, 0), True),  # Monday early: Sunday's period wraps across the week
        (at(2026, 3, 16, 22, 30), False),  # Monday has no period
        (at(2026, 3, 14, 3, 0), False),  # Saturday early: Friday had no period
    ],
)
def test_an_overnight_period_runs_past_midnight_and_across_the_week(when, expected):
    assert rules.is_open(OVERNIGHT, when) is expected


def test_a_period_to_2400_ends_at_midnight():
    hours = rules.normalize_hours({"week": {"2": [["20:00", "24:00"]]}})
    assert rules.is_open(hours, at(2026, 3, 11, 23, 59))
    assert not rules.is_open(hours, at(2026, 3, 12, 0, 0))
    assert not rules.is_open(hours, at(2026, 3, 11, 19, 59))


def test_open_now_is_judged_in_shanghai_time_whatever_the_zone():
    hours = rules.normalize_hours(DAYTIME)
    # 00:30 UTC is 08:30 in Shanghai: open; 12:30 UTC is 20:30: closed.
    assert rules.is_open(hours, datetime.datetime(2026, 3, 11, 0, 30, tzinfo=datetime.UTC))
    assert not rules.is_open(hours, datetime.datetime(2026, 3, 11, 12, 30, tzinfo=datetime.UTC))


def test_a_closure_wins_over_24_hours_and_over_last_nights_period():
    always = rules.normalize_hours({"always": True, "closures": [{"from": "2026-10-01", "to": "2026-10-03"}]})
    assert not rules.is_open(always, at(2026, 10, 1, 0, 0))
    assert not rules.is_open(always, at(2026, 10, 3, 23, 59))
    assert rules.is_open(always, at(2026, 10, 4, 0, 0))
    assert rules.is_open(always, at(2026, 9, 30, 23, 59))
    night = rules.normalize_hours(
        {"week": {"1": [["22:00", "06:00"]]}, "closures": [{"from": "2026-03-11", "to": "2026-03-11"}]}
    )
    assert rules.is_open(night, at(2026, 3, 10, 23, 0))
    assert not rules.is_open(night, at(2026, 3, 11, 2, 0))  # Wednesday is closed all day


def test_split_shifts_are_open_only_inside_each_period():
    hours = rules.normalize_hours({"week": {"2": [["11:00", "14:00"], ["04:30", "09:00"]]}})
    assert hours["week"]["2"] == [["04:30", "09:00"], ["11:00", "14:00"]]
    assert rules.is_open(hours, at(2026, 3, 11, 4, 30))
    assert not rules.is_open(hours, at(2026, 3, 11, 10, 0))
    assert rules.is_open(hours, at(2026, 3, 11, 13, 59))


@pytest.mark.parametrize(
    "hours,code",
    [
        ({"week": {"0": [["08:00", "12:00"], ["11:00", "14:00"]]}}, "overlapping_ranges"),
        ({"week": {"0": [["22:00", "06:00"], ["23:00", "23:30"]]}}, "overlapping_ranges"),
        ({"week": {"0": [["08:00", "08:00"]]}}, "empty_range"),
        ({"week": {"0": [["8点", "12:00"]]}}, "invalid_time"),
        ({"week": {"0": [["08:00", "24:30"]]}}, "invalid_time"),
        ({"week": {"7": [["08:00", "12:00"]]}}, "invalid_weekday"),
        ({"week": {}}, "no_hours"),
        ({"always": True, "closures": [{"from": "2026-10-03", "to": "2026-10-01"}]}, "invalid_closure"),
        ({"always": True, "closures": [{"from": "10月1日"}]}, "invalid_closure"),
        ({"week": {"0": [["08:00", "09:00"]] * 5}}, "too_many_ranges"),
    ],
)
def test_unusable_hours_are_refused_with_a_reason(hours, code):
    with pytest.raises(rules.HoursError) as exc:
        rules.normalize_hours(hours)
    assert exc.value.code == code


def test_hours_typed_in_a_form_accept_chinese_punctuation():
    hours = rules.hours_from_text(
        always=False,
        days=["08：00-12:00，14:00至18:00", "", "", "", "", "09:00~17:00", ""],
        closures="2026-10-01 2026-10-03 国庆节\n2026-05-01 劳动节",
    )
    assert hours["week"] == {"0": [["08:00", "12:00"], ["14:00", "18:00"]], "5": [["09:00", "17:00"]]}
    assert hours["closures"] == [
        {"from": "2026-05-01", "to": "2026-05-01", "note": "劳动节"},
        {"from": "2026-10-01", "to": "2026-10-03", "note": "国庆节"},
    ]
    assert rules.day_text(hours, 0) == "08:00-12:00, 14:00-18:00"


# --- rules: distances, the grid and datums ----------------------------------------------------------------


def test_a_degree_of_latitude_is_about_111_km_and_hangzhou_to_ningbo_about_145():
    assert rules.haversine_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.01)
    assert rules.haversine_km(30.2741, 120.1551, 29.8683, 121.5440) == pytest.approx(141.5, abs=2)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-60, 60),
    lng=st.floats(-170, 170),
    radius=st.floats(0.1, 2000),
    bearing=st.floats(0, 2 * math.pi),
    frac=st.floats(0, 0.999),
)
def test_the_bounding_box_holds_every_point_of_the_circle(lat, lng, radius, bearing, frac):
    # A point at distance frac * radius in any direction lies inside the box.
    d = radius * frac / rules.EARTH_RADIUS_KM
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    plat, plng = math.degrees(p2), math.degrees(l2)
    if not -180 <= plng <= 180:
        return  # across the antimeridian: outside China, not searched
    min_lat, max_lat, min_lng, max_lng = rules.bounding_box(lat, lng, radius)
    assert min_lat - 1e-9 <= plat <= max_lat + 1e-9
    assert min_lng - 1e-9 <= plng <= max_lng + 1e-9
    assert rules.lat_band(plat) in rules.bands(min_lat, max_lat)


def test_gcj02_is_a_few_hundred_metres_off_in_china_and_converts_back_exactly():
    lat, lng = 30.28752, 120.12134
    glat, glng = rules.wgs84_to_gcj02(lat, lng)
    assert 0.2 < rules.haversine_km(lat, lng, glat, glng) < 0.8
    back = rules.gcj02_to_wgs84(glat, glng)
    assert rules.haversine_km(lat, lng, *back) < 0.001
    assert rules.wgs84_to_gcj02(48.85, 2.35) == (48.85, 2.35)  # outside China nothing changes


def test_a_second_scan_counts_only_after_the_gap():
    last = at(2026, 3, 11, 10, 0)
    assert not rules.checkin_counts(
        last_at=last, now=last + datetime.timedelta(hours=1, minutes=59), gap_hours=2
    )
    assert rules.checkin_counts(last_at=last, now=last + datetime.timedelta(hours=2), gap_hours=2)
    assert rules.checkin_counts(last_at=None, now=last, gap_hours=2)


def test_station_codes_are_upper_case_letters_digits_and_hyphens():
    assert rules.clean_code(" zj-hz-0001 ") == "ZJ-HZ-0001"
    for bad in ["", "ZJ", "ZJ HZ 1", "驿站-1", "-ZJ-1"]:
        with pytest.raises(rules.HoursError):
            rules.clean_code(bad)


def test_the_navigate_link_is_a_geo_uri():
    assert rules.geo_uri(30.2875, 120.1213, "驿站") == "geo:30.287500,120.121300?q=30.287500,120.121300(驿站)"


# --- the registry ---------------------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def keeper(tree):
    """赵站长 keeps one station in district A; he holds no role anywhere."""
    return make_user("13700000101", "赵站长")


@pytest.fixture
def station(tree, district_cadre_a, keeper, frozen):
    s = new_station(district_cadre_a, tree.street_a)
    services.station_manager_add(actor=district_cadre_a, station=s, mobile="13700000101")
    return s


@pytest.mark.django_db
def test_a_district_cadre_registers_a_station_with_its_grid_band_and_an_audit_record(tree, district_cadre_a):
    s = new_station(district_cadre_a, tree.street_a, code="zj-hz-0009")
    assert s.code == "ZJ-HZ-0009" and s.lat_band == 302 and s.amenities == ",hot_water,microwave,"
    assert len(s.token) >= 20
    assert AuditRecord.objects.filter(action="gonghui.station.created", object_id=str(s.pk)).exists()


@pytest.mark.django_db
def test_coordinates_from_a_chinese_map_are_stored_in_wgs84(tree, district_cadre_a):
    glat, glng = rules.wgs84_to_gcj02(30.2875, 120.1213)
    s = new_station(district_cadre_a, tree.street_a, lat=glat, lng=glng, datum="gcj02")
    assert rules.haversine_km(s.lat, s.lng, 30.2875, 120.1213) < 0.001


@pytest.mark.django_db
def test_a_station_code_is_unique(tree, district_cadre_a, district_cadre_b):
    new_station(district_cadre_a, tree.street_a)
    with pytest.raises(ServiceError) as exc:
        new_station(district_cadre_b, tree.district_b)
    assert exc.value.code == "code_taken" and exc.value.status == 409


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kw,code",
    [
        ({"lat": 95}, "invalid_location"),
        ({"lng": float("nan")}, "invalid_location"),
        ({"amenities": ["sauna"]}, "invalid_amenity"),
        ({"hours": {"week": {}}}, "no_hours"),
        ({"division_code": "33010"}, "invalid_division_code"),
        ({"name": "  "}, "text_required"),
        ({"status": "gone"}, "invalid_status"),
        ({"datum": "bd09"}, "invalid_datum"),
    ],
)
def test_bad_station_details_are_refused_and_nothing_is_written(tree, district_cadre_a, kw, code):
    with pytest.raises(ServiceError) as exc:
        new_station(district_cadre_a, tree.street_a, **kw)
    assert exc.value.code == code
    assert not Station.objects.exists()


@pytest.mark.django_db
def test_another_district_cannot_register_or_change_a_station_here(tree, district_cadre_b, station):
    with pytest.raises(NotFound):
        new_station(district_cadre_b, tree.street_a, code="ZJ-HZ-0002")
    with pytest.raises(NotFound):
        services.station_update(actor=district_cadre_b, station=station, data=data(name="x"))


@pytest.mark.django_db
def test_a_viewer_may_read_but_not_register(tree, viewer_a, station):
    assert selectors.station_get(actor=viewer_a, station_id=station.pk) == station
    with pytest.raises(PermissionDenied):
        new_station(viewer_a, tree.street_a, code="ZJ-HZ-0002")
    with pytest.raises(PermissionDenied):
        services.station_update(actor=viewer_a, station=station, data=data(name="x"))


# --- managers -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_keeps_his_station_without_any_role(tree, keeper, station):
    got = selectors.station_for_edit(actor=keeper, station_id=station.pk)
    services.station_update(
        actor=keeper, station=got, data=data(hours=DAYTIME, amenities=["wifi"], status=StationStatus.PAUSED)
    )
    station.refresh_from_db()
    assert station.status == "paused" and station.amenities == ",wifi," and not station.hours["always"]
    record = AuditRecord.objects.filter(action="gonghui.station.updated").latest("pk")
    assert record.data["as_manager"] is True and "hours" in record.data["fields"]
    with pytest.raises(NotFound):
        selectors.station_get(actor=keeper, station_id=station.pk)  # no console view of the tree


@pytest.mark.django_db
def test_a_manager_may_not_close_a_station_down(tree, keeper, station):
    with pytest.raises(PermissionDenied):
        services.station_update(actor=keeper, station=station, data=data(status=StationStatus.CLOSED))
    station.refresh_from_db()
    assert station.status == "open"


@pytest.mark.django_db
def test_a_manager_of_one_station_gets_404_on_another(tree, district_cadre_a, keeper, station):
    other = new_station(district_cadre_a, tree.street_a, code="ZJ-HZ-0002")
    with pytest.raises(NotFound):
        selectors.station_for_edit(actor=keeper, station_id=other.pk)
    with pytest.raises(NotFound):
        services.station_update(actor=keeper, station=other, data=data())
    with pytest.raises(NotFound):
        services.station_manager_add(actor=keeper, station=station, mobile="13900000001")


@pytest.mark.django_db
def test_only_an_existing_account_becomes_a_manager_and_only_once(tree, district_cadre_a, station):
    with pytest.raises(ServiceError) as exc:
        services.station_manager_add(actor=district_cadre_a, station=station, mobile="13911112222")
    assert exc.value.code == "no_account"
    with pytest.raises(ServiceError) as exc:
        services.station_manager_add(actor=district_cadre_a, station=station, mobile="13700000101")
    assert exc.value.code == "already_manager"
    services.station_manager_remove(
        actor=district_cadre_a, station=station, user_id=station.managers.get().user_id
    )
    assert not StationManager.objects.exists()


# --- check-ins, walk-ins and the gap --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_scan_records_a_visit_and_a_repeat_within_two_hours_does_not(tree, member_a, station, frozen):
    first = services.station_checkin(user=member_a, token=station.token)
    assert first.created and first.gap_hours == 2
    frozen.shift(datetime.timedelta(hours=1, minutes=59))
    again = services.station_checkin(user=member_a, token=station.token)
    assert not again.created and again.visit == first.visit
    frozen.shift(datetime.timedelta(minutes=1))
    assert services.station_checkin(user=member_a, token=station.token).created
    assert Visit.objects.count() == 2
    assert StationDay.objects.get(station=station, day=NOW.date()).checkins == 2


@pytest.mark.django_db
def test_the_gap_is_data_inherited_down_the_tree(tree, district_cadre_a, member_a, station, frozen):
    services.station_policy_set(actor=district_cadre_a, org=tree.district_a, checkin_gap_hours=6)
    assert selectors.checkin_gap_hours(org=tree.street_a) == 6
    assert selectors.checkin_gap_hours(org=tree.district_b) == rules.DEFAULT_CHECKIN_GAP_HOURS
    services.station_checkin(user=member_a, token=station.token)
    frozen.shift(datetime.timedelta(hours=5))
    assert not services.station_checkin(user=member_a, token=station.token).created
    with pytest.raises(ServiceError) as exc:
        services.station_policy_set(actor=district_cadre_a, org=tree.district_a, checkin_gap_hours=0)
    assert exc.value.code == "invalid_gap"


@pytest.mark.django_db
def test_two_people_each_count_and_a_visit_after_midnight_counts_on_the_new_day(
    tree, member_a, member_b, station, frozen
):
    frozen.move_to(at(2026, 3, 11, 23, 30))
    services.station_checkin(user=member_a, token=station.token)
    services.station_checkin(user=member_b, token=station.token)
    frozen.move_to(at(2026, 3, 12, 1, 20))
    services.station_checkin(user=member_a, token=station.token)  # within 2 hours: not counted
    frozen.move_to(at(2026, 3, 12, 1, 25))
    services.station_checkin(user=member_b, token=station.token)  # not counted either
    frozen.move_to(at(2026, 3, 12, 1, 30))
    services.station_checkin(user=member_a, token=station.token)  # two hours on: counted, on the new day
    counts = dict(StationDay.objects.values_list("day", "checkins"))
    assert counts == {datetime.date(2026, 3, 11): 2, datetime.date(2026, 3, 12): 1}


@pytest.mark.django_db
def test_checking_in_is_refused_when_paused_closed_unknown_or_anonymous(
    tree, district_cadre_a, member_a, station
):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ServiceError) as exc:
        services.station_checkin(user=AnonymousUser(), token=station.token)
    assert exc.value.status == 401
    with pytest.raises(ServiceError) as exc:
        services.station_checkin(user=member_a, token="nope")
    assert exc.value.status == 404
    services.station_update(actor=district_cadre_a, station=station, data=data(status="paused"))
    with pytest.raises(ServiceError) as exc:
        services.station_checkin(user=member_a, token=station.token)
    assert exc.value.code == "station_paused"
    services.station_update(actor=district_cadre_a, station=station, data=data(status="closed"))
    with pytest.raises(ServiceError) as exc:
        services.station_checkin(user=member_a, token=station.token)
    assert exc.value.status == 404
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_a_new_qr_code_stops_the_old_one(tree, district_cadre_a, member_a, station):
    old = station.token
    services.station_token_renew(actor=district_cadre_a, station=station)
    assert station.token != old
    with pytest.raises(ServiceError):
        services.station_checkin(user=member_a, token=old)


@pytest.mark.django_db
def test_a_manager_tallies_walk_ins_per_day_replacing_the_figure(tree, keeper, member_a, station, frozen):
    services.station_checkin(user=member_a, token=station.token)
    services.station_walkins_record(actor=keeper, station=station, day=NOW.date(), count=12)
    row = services.station_walkins_record(actor=keeper, station=station, day=NOW.date(), count=9)
    assert (row.checkins, row.walkins, row.walkins_recorded_by) == (1, 9, keeper)
    for day, count, code in [
        (NOW.date() + datetime.timedelta(days=1), 1, "invalid_day"),
        (NOW.date() - datetime.timedelta(days=32), 1, "invalid_day"),
        (NOW.date(), -1, "invalid_count"),
        (NOW.date(), 5001, "invalid_count"),
    ]:
        with pytest.raises(ServiceError) as exc:
            services.station_walkins_record(actor=keeper, station=station, day=day, count=count)
        assert exc.value.code == code


@pytest.mark.django_db
def test_another_district_may_not_tally_walk_ins(tree, district_cadre_b, station, frozen):
    with pytest.raises(NotFound):
        services.station_walkins_record(actor=district_cadre_b, station=station, day=NOW.date(), count=3)


# --- photos ---------------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_a_manager_adds_a_real_photo_and_a_fake_one_is_refused(tree, keeper, station, media):
    photo = services.station_photo_add(
        actor=keeper, station=station, file=SimpleUploadedFile("door.png", PNG), caption="门口"
    )
    assert photo.content_type == "image/png"
    with pytest.raises(ServiceError) as exc:
        services.station_photo_add(actor=keeper, station=station, file=SimpleUploadedFile("x.png", b"<svg>"))
    assert exc.value.code == "upload_type"
    services.station_photo_remove(actor=keeper, station=station, photo=photo)
    assert not station.photos.exists()


@pytest.mark.django_db
def test_a_station_has_at_most_eight_photos(tree, keeper, station, media):
    for n in range(services.MAX_PHOTOS):
        services.station_photo_add(actor=keeper, station=station, file=SimpleUploadedFile(f"{n}.png", PNG))
    with pytest.raises(ServiceError) as exc:
        services.station_photo_add(actor=keeper, station=station, file=SimpleUploadedFile("9.png", PNG))
    assert exc.value.code == "too_many_photos"


# --- the nearest-station search -------------------------------------------------------------------------------


def brute_force(stations, lat, lng, k, *, open_now, at_time, amenity=""):
    out = []
    for s in stations:
        if s.status != "open" or (amenity and f",{amenity}," not in s.amenities):
            continue
        if open_now and not rules.is_open(s.hours, at_time):
            continue
        d = rules.haversine_km(lat, lng, s.lat, s.lng)
        if d <= rules.SEARCH_MAX_KM:
            out.append(d)
    return sorted(out)[:k]


@pytest.mark.django_db
def test_the_nearest_search_agrees_with_brute_force_on_random_points(tree):
    rng = random.Random(7)
    hours_choices = [
        {"always": True, "week": {}, "closures": []},
        rules.normalize_hours(DAYTIME),
        rules.normalize_hours({"week": {str(d): [["18:00", "08:00"]] for d in range(7)}}),
    ]
    stations = []
    # Dense clusters (city centres) and a sparse scatter (the countryside), some paused or closed.
    centres = [(30.27, 120.15), (29.87, 121.55), (39.90, 116.40)]
    for n in range(900):
        if n < 600:
            clat, clng = centres[n % 3]
            lat, lng = clat + rng.gauss(0, 0.05), clng + rng.gauss(0, 0.05)
        else:
            lat, lng = rng.uniform(20, 50), rng.uniform(80, 130)
        status = rng.choices(["open", "paused", "closed"], [0.85, 0.1, 0.05])[0]
        amen = rng.choice(["", ",wifi,", ",hot_water,wifi,", ",microwave,"])
        stations.append(
            raw_station(tree.district_a, f"S-{n:05d}", lat, lng, rng.choice(hours_choices), amen, status)
        )
    Station.objects.bulk_create(stations)
    times = [at(2026, 3, 11, 10, 0), at(2026, 3, 11, 23, 0)]
    for q in range(120):
        if q % 2:
            clat, clng = centres[q % 3]
            lat, lng = clat + rng.gauss(0, 0.08), clng + rng.gauss(0, 0.08)
        else:
            lat, lng = rng.uniform(18, 52), rng.uniform(75, 135)
        k = rng.choice([1, 5, 10, 20])
        open_now = bool(q % 3)
        amenity = "wifi" if q % 5 == 0 else ""
        when = times[q % 2]
        got = selectors.nearest_stations(lat=lat, lng=lng, k=k, open_now=open_now, at=when, amenity=amenity)
        want = brute_force(stations, lat, lng, k, open_now=open_now, at_time=when, amenity=amenity)
        assert [round(n.distance_km, 3) for n in got] == [round(d, 3) for d in want], (lat, lng, k)
        for n in got:
            assert n.station.status == "open"
            assert not open_now or n.open_now


@pytest.mark.django_db
def test_the_search_leaves_out_closed_now_paused_and_closed_down_stations(tree):
    night_only = {"always": False, "week": {str(d): [["18:00", "08:00"]] for d in range(7)}, "closures": []}
    Station.objects.bulk_create(
        [
            raw_station(tree.district_a, "A", 30.2800, 120.1200),
            raw_station(tree.district_a, "B", 30.2801, 120.1201, hours=night_only),
            raw_station(tree.district_a, "C", 30.2802, 120.1202, status="paused"),
            raw_station(tree.district_a, "D", 30.2803, 120.1203, status="closed"),
            raw_station(tree.district_a, "E", 30.3500, 120.1200, amenities=",wifi,"),
        ]
    )
    noon = at(2026, 3, 11, 12, 0)
    found = selectors.nearest_stations(lat=30.28, lng=120.12, k=10, at=noon)
    assert [n.station.code for n in found] == ["A", "E"]
    anyhour = selectors.nearest_stations(lat=30.28, lng=120.12, k=10, at=noon, open_now=False)
    assert [n.station.code for n in anyhour] == ["A", "B", "E"] and not anyhour[1].open_now
    assert [
        n.station.code for n in selectors.nearest_stations(lat=30.28, lng=120.12, amenity="wifi", at=noon)
    ] == ["E"]
    assert found[1].distance_text in ("7.8 km", "7.8 公里") and found[0].distance_text.endswith(("m", "米"))


@pytest.mark.django_db
def test_a_search_in_a_dense_city_reads_one_small_box(tree):
    rng = random.Random(3)
    Station.objects.bulk_create(
        [
            raw_station(tree.district_a, f"D{n}", 30.27 + rng.gauss(0, 0.02), 120.15 + rng.gauss(0, 0.02))
            for n in range(300)
        ]
    )
    result = selectors.nearest_search(lat=30.27, lng=120.15, k=10)
    assert result.queries == 2 and result.radius_km == rules.SEARCH_START_KM
    assert result.scanned < 300


@pytest.mark.django_db
def test_text_search_and_districts_help_when_the_position_is_not_shared(tree, district_cadre_a, frozen):
    new_station(district_cadre_a, tree.street_a)
    new_station(district_cadre_a, tree.district_a, code="ZJ-HZ-0002", name="翠苑驿站")
    assert [n.station.code for n in selectors.text_search(q="翠苑")] == ["ZJ-HZ-0002"]
    assert len(selectors.text_search(q="330106")) == 2
    divisions = selectors.division_choices()
    assert [(d.code, d.label, d.stations) for d in divisions] == [("330106", "西湖区", 2)]


# --- statistics -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_use_is_rolled_up_by_union_below_in_a_fixed_number_of_queries(
    tree, district_cadre_a, national_admin, member_a, django_assert_num_queries, frozen
):
    a1 = new_station(district_cadre_a, tree.street_a)
    a2 = new_station(district_cadre_a, tree.district_a, code="ZJ-HZ-0002")
    b1 = new_station(national_admin, tree.district_b, code="ZJ-HZ-0003")
    for s, c, w in [(a1, 5, 2), (a2, 3, 0), (b1, 7, 1)]:
        StationDay.objects.create(
            station=s, day=NOW.date() - datetime.timedelta(days=1), checkins=c, walkins=w
        )
    since, until = NOW.date() - datetime.timedelta(days=29), NOW.date()
    with django_assert_num_queries(9):
        stats = selectors.station_stats(actor=national_admin, org=tree.city, since=since, until=until)
    assert (stats.checkins, stats.walkins) == (15, 3)
    assert [(o.name, n, c, w) for o, n, c, w in stats.by_union] == [
        (tree.district_a.name, 2, 8, 2),
        (tree.district_b.name, 1, 7, 1),
    ]
    assert stats.top[0][0] == b1
    district = selectors.station_stats(actor=district_cadre_a, org=tree.district_a, since=since, until=until)
    assert (district.checkins, district.stations) == (8, {"open": 2})
    assert [(o.name, n) for o, n, _c, _w in district.by_union] == [
        (tree.street_a.name, 1),
        (tree.district_a.name, 1),
    ]


# --- the demo seed --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_seed_makes_thirty_stations_with_use_once(frozen):
    from gonghui.core.seed.demo import seed_demo
    from gonghui.core.seed.demo_stations import seed_stations

    seed_demo(worker_services=False)
    made = seed_stations(now=NOW)
    assert made["stations"] == 30 and made["station_visits"] == 5 and made["station_days"] > 1000
    assert seed_stations(now=NOW) == {"stations": 0}
    near = selectors.nearest_stations(lat=30.2875, lng=120.1213, k=3, at=NOW)
    assert near[0].station.name == "文新街道户外劳动者服务站"
    keeper = StationManager.objects.get()
    assert keeper.user.real_name == "赵站长" and keeper.station.code == "ZJ-HZ-XH-0001"
