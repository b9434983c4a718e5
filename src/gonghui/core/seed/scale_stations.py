"""Synthetic worker stations at national scale, for bench/stations.py: about 186,000 stations existed by the end of
2024 (DOMAIN §5), so the benchmark writes 200,000.

Stations cluster where people work: 60% lie around 40 large cities (a Gaussian of about 15 km), the rest are
scattered far around them (about 200 km) inside China's extent, so the search meets both dense city centres
and sparse countryside. Hours are a mix of 24-hour, daytime and night stations; a few are paused or closed.
Rows are written with PostgreSQL's COPY (as members/bulk.py does) or bulk_create on SQLite, in batches.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from gonghui.orgs.models import Org
from gonghui.stations import rules
from gonghui.stations.models import Amenity, Station

# (city, province code, lat, lng, weight): the provincial capitals and other large cities.
CITIES: list[tuple[str, str, float, float, int]] = [
    ("北京", "11", 39.904, 116.407, 10),
    ("天津", "12", 39.084, 117.201, 6),
    ("石家庄", "13", 38.042, 114.515, 4),
    ("太原", "14", 37.870, 112.549, 3),
    ("呼和浩特", "15", 40.842, 111.749, 2),
    ("沈阳", "21", 41.805, 123.431, 4),
    ("大连", "21", 38.914, 121.615, 3),
    ("长春", "22", 43.817, 125.324, 3),
    ("哈尔滨", "23", 45.803, 126.535, 3),
    ("上海", "31", 31.230, 121.474, 10),
    ("南京", "32", 32.060, 118.797, 5),
    ("苏州", "32", 31.299, 120.585, 5),
    ("杭州", "33", 30.274, 120.155, 6),
    ("宁波", "33", 29.868, 121.544, 4),
    ("合肥", "34", 31.821, 117.227, 4),
    ("福州", "35", 26.074, 119.296, 3),
    ("厦门", "35", 24.480, 118.089, 3),
    ("南昌", "36", 28.682, 115.858, 3),
    ("济南", "37", 36.651, 117.120, 4),
    ("青岛", "37", 36.067, 120.383, 4),
    ("郑州", "41", 34.746, 113.625, 5),
    ("武汉", "42", 30.593, 114.305, 6),
    ("长沙", "43", 28.228, 112.939, 5),
    ("广州", "44", 23.129, 113.264, 8),
    ("深圳", "44", 22.543, 114.058, 8),
    ("东莞", "44", 23.021, 113.752, 4),
    ("南宁", "45", 22.817, 108.366, 3),
    ("海口", "46", 20.044, 110.199, 2),
    ("重庆", "50", 29.563, 106.551, 7),
    ("成都", "51", 30.573, 104.066, 7),
    ("贵阳", "52", 26.647, 106.630, 3),
    ("昆明", "53", 25.038, 102.718, 3),
    ("拉萨", "54", 29.652, 91.172, 1),
    ("西安", "61", 34.341, 108.940, 5),
    ("兰州", "62", 36.061, 103.834, 2),
    ("西宁", "63", 36.617, 101.778, 1),
    ("银川", "64", 38.487, 106.231, 1),
    ("乌鲁木齐", "65", 43.826, 87.617, 2),
    ("喀什", "65", 39.470, 75.990, 1),
    ("徐州", "32", 34.205, 117.285, 3),
]
CHINA = (18.2, 53.5, 73.6, 134.8)  # min lat, max lat, min lng, max lng

HOURS = [
    ({"always": True, "week": {}, "closures": []}, 35),
    ({"always": False, "week": {str(d): [["07:00", "21:00"]] for d in range(7)}, "closures": []}, 35),
    (
        {
            "always": False,
            "week": {**{str(d): [["08:30", "18:00"]] for d in range(5)}, "5": [["09:00", "17:00"]]},
            "closures": [],
        },
        15,
    ),
    ({"always": False, "week": {str(d): [["18:00", "08:00"]] for d in range(7)}, "closures": []}, 15),
]
AMENITY_CODES = list(Amenity.values)
STATUSES = (["open"] * 95) + (["paused"] * 3) + (["closed"] * 2)
CITY_SHARE = 0.6
CITY_SIGMA = 0.14  # degrees, about 15 km
RURAL_SIGMA = 1.8  # degrees, about 200 km


def _clip(lat: float, lng: float) -> tuple[float, float]:
    return min(max(lat, CHINA[0]), CHINA[1]), min(max(lng, CHINA[2]), CHINA[3])


def station_point(rng: random.Random) -> tuple[float, float, str]:
    """A point and the province code of the city it clusters around."""
    _name, province, clat, clng, _w = rng.choices(CITIES, weights=[c[4] for c in CITIES])[0]
    sigma = CITY_SIGMA if rng.random() < CITY_SHARE else RURAL_SIGMA
    lat, lng = _clip(rng.gauss(clat, sigma), rng.gauss(clng, sigma))
    return lat, lng, province


def query_points(n: int, *, seed: int) -> list[tuple[str, float, float]]:
    """Points to search from: half in city centres (within about 5 km of a large city), half in the
    countryside, drawn like the scattered stations (about 200 km around a city, any city equally, so remote
    provinces count as much as crowded ones), independently of them."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        _name, _p, clat, clng, _w = rng.choice(CITIES)
        if i % 2 == 0:
            out.append(("city", clat + rng.gauss(0, 0.04), clng + rng.gauss(0, 0.04)))
        else:
            out.append(("rural", *_clip(rng.gauss(clat, RURAL_SIGMA), rng.gauss(clng, RURAL_SIGMA))))
    return out


def generate_rows(n: int, *, seed: int, org: Org) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    hours = [h for h, _w in HOURS]
    weights = [w for _h, w in HOURS]
    for k in range(n):
        lat, lng, province = station_point(rng)
        amen = sorted(rng.sample(range(len(AMENITY_CODES)), rng.randint(2, 7)))
        codes = [AMENITY_CODES[i] for i in amen]
        yield {
            "org_id": org.pk,
            "code": f"BENCH-{province}-{k:07d}",
            "name": f"户外劳动者服务站 {k:07d}",
            "address": f"{province} 测试路 {k % 9999} 号",
            "division_code": f"{province}0000",
            "phone": "",
            "lat": round(lat, 6),
            "lng": round(lng, 6),
            "lat_band": rules.lat_band(round(lat, 6)),
            "hours": rng.choices(hours, weights)[0],
            "amenities": f",{','.join(codes)},",
            "notes": "",
            "status": rng.choice(STATUSES),
            "token": secrets.token_urlsafe(18),
        }


COLUMNS = (
    "org_id",
    "code",
    "name",
    "address",
    "division_code",
    "phone",
    "lat",
    "lng",
    "lat_band",
    "hours",
    "amenities",
    "notes",
    "status",
    "token",
    "created_at",
    "updated_at",
)


def write_stations(n: int, *, seed: int, org: Org, batch: int = 10_000) -> int:
    """Write `n` synthetic stations of `org`: COPY on PostgreSQL, bulk_create in batches on SQLite."""
    now = timezone.now()
    rows = generate_rows(n, seed=seed, org=org)
    written = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for copy()
            with raw.copy(f"COPY {Station._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        tuple(
                            json.dumps(row["hours"]) if c == "hours" else now if c.endswith("_at") else row[c]
                            for c in COLUMNS
                        )
                    )
                    written += 1
        return written
    chunk: list[Station] = []
    for row in rows:
        chunk.append(Station(**row))
        if len(chunk) >= batch:
            Station.objects.bulk_create(chunk)
            written += len(chunk)
            chunk = []
    if chunk:
        Station.objects.bulk_create(chunk)
        written += len(chunk)
    return written
