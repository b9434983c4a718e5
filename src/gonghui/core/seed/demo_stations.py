"""Demo worker stations (工会驿站): 30 stations around Hangzhou's Xihu and Binjiang districts and Ningbo's
Yinzhou and Haishu districts, run by the street, district and joint unions of the demo tree, with realistic
names, opening hours (24 hours, daytime, split shifts for sanitation workers, a National Day closure),
amenities, one paused and one closed-down station.

A station manager without any union role, 赵站长 (13700000101, the demo password), keeps 文新街道户外劳动者服务站.
The last 60 days of use are written as day counts (check-ins and walk-ins), so the console's statistics and
charts have something to show; the demo members 张伟 and 刘芳 also checked in through the service this week.

Stations are written through the services (audited) except the history of day counts. Idempotent: skipped
once the first station exists.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.conf import settings
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.orgs.models import Org
from gonghui.stations import services
from gonghui.stations.models import Station, StationDay, StationStatus

MANAGER_MOBILE = "13700000101"
MANAGER_NAME = "赵站长"
CADRE = "13800000001"  # the national administrator registers the stations (any cadre above them could)

DAILY = {"week": {str(d): [["07:00", "21:00"]] for d in range(7)}}
OFFICE = {
    "week": {
        **{str(d): [["08:30", "18:00"]] for d in range(5)},
        "5": [["09:00", "17:00"]],
        "6": [["09:00", "17:00"]],
    }
}
SANITATION = {
    "week": {str(d): [["04:30", "09:00"], ["11:00", "14:00"], ["16:30", "20:00"]] for d in range(7)}
}
NIGHT = {"week": {str(d): [["18:00", "08:00"]] for d in range(7)}}  # for night-shift delivery and drivers
ALWAYS = {"always": True}

BASIC = ["hot_water", "seats", "phone_charging", "toilet"]
FULL = [
    "hot_water",
    "microwave",
    "phone_charging",
    "ebike_charging",
    "toilet",
    "seats",
    "first_aid",
    "wifi",
    "air_conditioning",
]

# code, name, owner, address, division, lat, lng, hours, amenities, status
STATIONS: list[tuple[str, str, str, str, str, float, float, dict[str, Any], list[str], str]] = [
    (
        "ZJ-HZ-XH-0001",
        "文新街道户外劳动者服务站",
        "330106-WX",
        "西湖区文二西路 358 号文新街道社区服务中心一楼",
        "330106",
        30.28752,
        120.12134,
        ALWAYS,
        FULL,
        "open",
    ),
    (
        "ZJ-HZ-XH-0002",
        "文新街道骆家庄社区爱心驿站",
        "330106-WX",
        "西湖区骆家庄东苑 12 幢底商",
        "330106",
        30.29405,
        120.11112,
        DAILY,
        [*BASIC, "microwave", "books"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0003",
        "文一西路快递小哥暖心驿站",
        "330106-WX",
        "西湖区文一西路 588 号西溪数智园北门",
        "330106",
        30.29021,
        120.10340,
        NIGHT,
        ["hot_water", "phone_charging", "ebike_charging", "seats", "umbrella"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0004",
        "翠苑街道工会驿站（翠苑一区）",
        "330106-CY",
        "西湖区翠苑一区 31 幢旁",
        "330106",
        30.28803,
        120.13651,
        OFFICE,
        [*BASIC, "microwave", "first_aid"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0005",
        "翠苑街道环卫工人休息点",
        "330106-CY",
        "西湖区学院路 77 号环卫所一楼",
        "330106",
        30.28216,
        120.13937,
        SANITATION,
        ["hot_water", "microwave", "seats", "toilet", "refrigerator"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0006",
        "西湖区新就业形态劳动者服务站（古墩路）",
        "330106-XJY",
        "西湖区古墩路 656 号",
        "330106",
        30.30012,
        120.10945,
        ALWAYS,
        [*FULL, "refrigerator"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0007",
        "蒋村街道西溪湿地户外劳动者驿站",
        "330106",
        "西湖区天目山路 518 号西溪湿地东门",
        "330106",
        30.27207,
        120.07735,
        DAILY,
        [*BASIC, "first_aid", "umbrella"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0008",
        "三墩镇振华路工会驿站",
        "330106",
        "西湖区三墩镇振华路 200 号",
        "330106",
        30.32561,
        120.09482,
        OFFICE,
        [*BASIC, "wifi"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0009",
        "北山街道断桥户外劳动者服务站",
        "330106",
        "西湖区北山街 1 号断桥东侧",
        "330106",
        30.25932,
        120.15127,
        DAILY,
        [*BASIC, "first_aid", "air_conditioning"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0010",
        "灵隐街道环卫驿站",
        "330106",
        "西湖区灵隐路 18 号",
        "330106",
        30.24212,
        120.10563,
        SANITATION,
        ["hot_water", "microwave", "seats", "toilet"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0011",
        "转塘街道货车司机之家",
        "330106",
        "西湖区转塘街道美院南路 88 号",
        "330106",
        30.16988,
        120.08762,
        ALWAYS,
        ["hot_water", "toilet", "seats", "wifi", "phone_charging", "microwave"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0012",
        "西湖区总工会职工服务中心驿站",
        "330106",
        "西湖区保俶路 136 号",
        "330106",
        30.27118,
        120.14405,
        OFFICE,
        [*FULL, "books"],
        "open",
    ),
    (
        "ZJ-HZ-XH-0013",
        "留下街道加油站爱心驿站",
        "330106",
        "西湖区留下街道留和路 300 号中石化加油站内",
        "330106",
        30.25421,
        120.05216,
        ALWAYS,
        ["hot_water", "toilet", "phone_charging", "seats"],
        "open",
    ),
    (
        "ZJ-HZ-BJ-0001",
        "长河街道户外劳动者服务站",
        "330108-CH",
        "滨江区长河路 475 号",
        "330108",
        30.19532,
        120.20011,
        ALWAYS,
        FULL,
        "open",
    ),
    (
        "ZJ-HZ-BJ-0002",
        "长河街道江南大道骑手驿站",
        "330108-CH",
        "滨江区江南大道 3688 号",
        "330108",
        30.19925,
        120.20782,
        NIGHT,
        ["hot_water", "phone_charging", "ebike_charging", "seats", "microwave"],
        "open",
    ),
    (
        "ZJ-HZ-BJ-0003",
        "物联网产业园工会驿站",
        "330108-IOT",
        "滨江区物联网街 451 号",
        "330108",
        30.19105,
        120.18433,
        OFFICE,
        [*BASIC, "wifi", "microwave", "air_conditioning"],
        "open",
    ),
    (
        "ZJ-HZ-BJ-0004",
        "西兴街道网商路快递小哥之家",
        "330108",
        "滨江区网商路 699 号东门",
        "330108",
        30.20851,
        120.19024,
        DAILY,
        ["hot_water", "phone_charging", "ebike_charging", "seats", "umbrella"],
        "open",
    ),
    (
        "ZJ-HZ-BJ-0005",
        "浦沿街道环卫工人爱心驿站",
        "330108",
        "滨江区浦沿路 88 号",
        "330108",
        30.17592,
        120.16511,
        SANITATION,
        ["hot_water", "microwave", "seats", "toilet"],
        "open",
    ),
    (
        "ZJ-HZ-BJ-0006",
        "滨江区总工会奥体户外劳动者服务站",
        "330108",
        "滨江区飞虹路 3 号奥体中心南广场",
        "330108",
        30.23012,
        120.22534,
        DAILY,
        FULL,
        "open",
    ),
    (
        "ZJ-HZ-BJ-0007",
        "西兴地铁站工会驿站",
        "330108",
        "滨江区江汉路西兴地铁站 C 口",
        "330108",
        30.21705,
        120.21341,
        DAILY,
        BASIC,
        "paused",
    ),
    (
        "ZJ-NB-YZ-0001",
        "首南街道户外劳动者服务站",
        "330212-SN",
        "鄞州区首南中路 1155 号",
        "330212",
        29.82084,
        121.54803,
        ALWAYS,
        FULL,
        "open",
    ),
    (
        "ZJ-NB-YZ-0002",
        "首南街道天童南路骑手驿站",
        "330212-SN",
        "鄞州区天童南路 588 号",
        "330212",
        29.81512,
        121.55911,
        NIGHT,
        ["hot_water", "phone_charging", "ebike_charging", "seats"],
        "open",
    ),
    (
        "ZJ-NB-YZ-0003",
        "鄞州区快递物流行业工会驿站",
        "330212-KD",
        "鄞州区钱湖北路 328 号",
        "330212",
        29.83562,
        121.57520,
        DAILY,
        [*BASIC, "ebike_charging", "microwave"],
        "open",
    ),
    (
        "ZJ-NB-YZ-0004",
        "钟公庙街道环卫工人休息室",
        "330212",
        "鄞州区泰康中路 201 号",
        "330212",
        29.83455,
        121.53012,
        SANITATION,
        ["hot_water", "microwave", "seats", "toilet", "refrigerator"],
        "open",
    ),
    (
        "ZJ-NB-YZ-0005",
        "下应街道货车司机之家",
        "330212",
        "鄞州区下应北路 800 号",
        "330212",
        29.82011,
        121.58342,
        ALWAYS,
        ["hot_water", "toilet", "seats", "wifi", "phone_charging"],
        "open",
    ),
    (
        "ZJ-NB-YZ-0006",
        "鄞州区总工会职工服务驿站",
        "330212",
        "鄞州区惠风东路 568 号",
        "330212",
        29.81822,
        121.56213,
        OFFICE,
        [*FULL, "books"],
        "open",
    ),
    (
        "ZJ-NB-HS-0001",
        "鼓楼街道户外劳动者服务站",
        "330203",
        "海曙区中山西路 2 号鼓楼步行街口",
        "330203",
        29.87385,
        121.54952,
        DAILY,
        FULL,
        "open",
    ),
    (
        "ZJ-NB-HS-0002",
        "南门街道天一广场爱心驿站",
        "330203",
        "海曙区药行街天一广场西侧",
        "330203",
        29.86801,
        121.55482,
        ALWAYS,
        [*BASIC, "first_aid", "wifi"],
        "open",
    ),
    (
        "ZJ-NB-HS-0003",
        "望春街道工会驿站",
        "330203",
        "海曙区望春路 300 号",
        "330203",
        29.87902,
        121.50533,
        OFFICE,
        BASIC,
        "open",
    ),
    (
        "ZJ-NB-HS-0004",
        "海曙区环卫工人暖心驿站（月湖）",
        "330203",
        "海曙区偃月街 12 号",
        "330203",
        29.86512,
        121.54201,
        SANITATION,
        ["hot_water", "seats"],
        "closed",
    ),
]


def _user(mobile: str) -> User | None:
    return User.objects.filter(blind_q(User, "mobile", mobile)).first()


def _hours(base: dict[str, Any], today: datetime.date, index: int) -> dict[str, Any]:
    hours = {"always": False, "week": {}, "closures": [], **base}
    if index % 7 == 3:
        # Daytime stations close over the next National Day holiday.
        year = today.year if today < datetime.date(today.year, 10, 1) else today.year + 1
        hours["closures"] = [{"from": f"{year}-10-01", "to": f"{year}-10-03", "note": "国庆节休息"}]
    return hours


def seed_stations(*, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    cadre = _user(CADRE)
    if cadre is None or Station.objects.filter(code=STATIONS[0][0]).exists():
        return {"stations": 0}
    orgs = {o.code: o for o in Org.objects.filter(code__in={row[2] for row in STATIONS})}
    today = timezone.localdate(now)
    created: list[Station] = []
    for i, (code, name, owner, address, division, lat, lng, hours, amenities, status) in enumerate(STATIONS):
        org = orgs.get(owner)
        if org is None:
            continue
        station = services.station_create(
            actor=cadre,
            org=org,
            code=code,
            data=services.StationInput(
                name=name,
                address=address,
                lat=lat,
                lng=lng,
                hours=_hours(hours, today, i),
                amenities=amenities,
                division_code=division,
                phone=f"0{'571' if code.startswith('ZJ-HZ') else '574'}-8{i:03d}{(i * 37) % 10000:04d}",
                notes="夏季提供防暑降温药品和绿豆汤。" if "air_conditioning" in amenities else "",
                status=status,
            ),
        )
        created.append(station)
    manager = _user(MANAGER_MOBILE)
    if manager is None:
        manager = User.objects.create_user(
            MANAGER_MOBILE, settings.GONGHUI_DEMO_PASSWORD, real_name=MANAGER_NAME
        )
    if created:
        services.station_manager_add(actor=cadre, station=created[0], mobile=MANAGER_MOBILE)
    # Sixty days of use as day counts: busier at 24-hour and full stations, quieter at weekends.
    rng = random.Random(20261127)
    rows = []
    for station in created:
        if station.status == StationStatus.CLOSED:
            continue
        base = 14 if station.hours.get("always") else 8
        base += 4 if "microwave" in station.amenities else 0
        for back in range(1, 61):
            day = today - datetime.timedelta(days=back)
            factor = 0.7 if day.weekday() >= 5 else 1.0
            if station.status == StationStatus.PAUSED and back < 20:
                continue
            rows.append(
                StationDay(
                    station=station,
                    day=day,
                    checkins=max(0, int(rng.gauss(base * factor, base / 3))),
                    walkins=max(0, int(rng.gauss(base * factor / 2, base / 4))),
                    walkins_recorded_by=manager if station == created[0] else None,
                )
            )
    StationDay.objects.bulk_create(rows, batch_size=1000)
    # This week: the demo members checked in by scanning the door QR codes.
    visits = 0
    for mobile, picks in (("13900000001", [0, 5, 13]), ("13900000002", [20, 22])):
        user = _user(mobile)
        if user is None:
            continue
        for n, idx in enumerate(picks):
            if idx < len(created) and created[idx].status == StationStatus.OPEN:
                at = now - datetime.timedelta(days=n + 1, hours=2)
                result = services.station_checkin(user=user, token=created[idx].token, now=at)
                visits += int(result.created)
    return {"stations": len(created), "station_days": len(rows), "station_visits": visits}
