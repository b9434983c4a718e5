"""Pure rules of worker stations: opening hours and "open now", distances and the search grid, map datums,
check-in spacing and station codes. No queries, no clock: callers pass the time.

Opening hours are data (`Station.hours`)::

    {"always": false,
     "week": {"0": [["08:00", "20:00"]], "5": [["22:00", "06:00"]], ...},   # 0 = Monday ... 6 = Sunday
     "closures": [{"from": "2026-10-01", "to": "2026-10-03", "note": "国庆"}]}

A range whose end is earlier than its start runs past midnight into the next day ("22:00"-"06:00" on Saturday
covers Saturday 22:00 to Sunday 06:00); "24:00" is the end of the day. A weekday without ranges is closed.
"always" means open 24 hours every day. A closure covers whole calendar days, from 00:00 on "from" to 24:00 on
"to", and wins over everything else, including a range that started the evening before. "Open now" is judged
in Asia/Shanghai time, whatever zone the caller's datetime is in.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import json
import math
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # about 111.2 km per degree of latitude
BAND = 10  # lat_band = floor(lat * BAND): bands of 0.1 degree, about 11 km
MAX_RANGES_PER_DAY = 4
MAX_CLOSURES = 60
MAX_CLOSURE_DAYS = 366
DEFAULT_CHECKIN_GAP_HOURS = 2
# The search starts with a small box and widens it until enough stations lie within the circle it holds.
SEARCH_START_KM = 3.0
SEARCH_GROWTH = 2.5
SEARCH_MAX_KM = 2000.0
MAX_RESULTS = 50

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]

_TIME = re.compile(r"^([01]?\d|2[0-4])[:：]([0-5]\d)$")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


class HoursError(ValueError):
    """Opening hours that cannot be used; `message` is translatable, `field` names the weekday or closure."""

    def __init__(self, code: str, message: Any, field: str = "hours") -> None:
        super().__init__(str(message))
        self.code, self.message, self.field = code, message, field


# --- opening hours ----------------------------------------------------------------------------------------


def parse_time(text: str) -> int:
    """Minutes after midnight of "HH:MM" (0 .. 1440; "24:00" is the end of the day)."""
    match = _TIME.match(str(text).strip())
    if not match:
        raise HoursError("invalid_time", _("Write times as HH:MM, for example 08:30."))
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 24 * 60:
        raise HoursError("invalid_time", _("Write times as HH:MM, for example 08:30."))
    return minutes


def fmt_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise HoursError(
            "invalid_closure", _("Write closure dates as YYYY-MM-DD."), field="closures"
        ) from None


def normalize_hours(data: Any) -> dict[str, Any]:
    """Check opening hours and return them in the stored shape; HoursError names what is wrong."""
    if not isinstance(data, dict):
        raise HoursError("invalid_hours", _("Give the opening hours."))
    always = bool(data.get("always", False))
    week_in = data.get("week") or {}
    if not isinstance(week_in, dict):
        raise HoursError("invalid_hours", _("Give the opening hours."))
    week: dict[str, list[list[str]]] = {}
    for key, ranges in week_in.items():
        if str(key) not in {str(d) for d in range(7)}:
            raise HoursError("invalid_weekday", _("Weekdays are numbered 0 (Monday) to 6 (Sunday)."))
        if not ranges:
            continue
        if not isinstance(ranges, list) or len(ranges) > MAX_RANGES_PER_DAY:
            raise HoursError(
                "too_many_ranges",
                _("Give at most %(n)s opening periods a day.") % {"n": MAX_RANGES_PER_DAY},
                field=f"day{key}",
            )
        day: list[tuple[int, int]] = []
        for pair in ranges:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise HoursError("invalid_range", _("Write each period as HH:MM-HH:MM."), field=f"day{key}")
            start, end = parse_time(pair[0]), parse_time(pair[1])
            if start == end or start == 24 * 60:
                raise HoursError(
                    "empty_range",
                    _('A period must not start and end at the same time; tick "open 24 hours" instead.'),
                    field=f"day{key}",
                )
            day.append((start, end))
        day.sort()
        # Ranges of one day must not overlap (an overnight range runs to the end of its day).
        for (s1, e1), (s2, _e2) in itertools.pairwise(day):
            if (e1 if e1 > s1 else 24 * 60) > s2:
                raise HoursError("overlapping_ranges", _("Opening periods overlap."), field=f"day{key}")
        overnight = [r for r in day if r[1] < r[0]]
        if len(overnight) > 1 or (overnight and overnight[0] != day[-1]):
            raise HoursError("overlapping_ranges", _("Opening periods overlap."), field=f"day{key}")
        week[str(key)] = [[fmt_time(s), fmt_time(e)] for s, e in day]
    closures: list[dict[str, str]] = []
    raw_closures = data.get("closures") or []
    if not isinstance(raw_closures, list) or len(raw_closures) > MAX_CLOSURES:
        raise HoursError(
            "too_many_closures",
            _("Give at most %(n)s closures.") % {"n": MAX_CLOSURES},
            field="closures",
        )
    for c in raw_closures:
        if not isinstance(c, dict):
            raise HoursError("invalid_closure", _("Write closure dates as YYYY-MM-DD."), field="closures")
        first = _date(c.get("from"))
        last = _date(c.get("to") or c.get("from"))
        if last < first or (last - first).days >= MAX_CLOSURE_DAYS:
            raise HoursError(
                "invalid_closure",
                _("A closure ends on or after its first day and lasts at most a year."),
                field="closures",
            )
        closures.append(
            {"from": first.isoformat(), "to": last.isoformat(), "note": str(c.get("note", ""))[:60]}
        )
    closures.sort(key=lambda c: c["from"])
    if not always and not week:
        raise HoursError("no_hours", _("Give the opening hours of at least one day, or open 24 hours."))
    return {"always": always, "week": {} if always else week, "closures": closures}


def _local(at: datetime.datetime) -> datetime.datetime:
    if at.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return at.astimezone(SHANGHAI)


def closed_on(hours: dict[str, Any], day: datetime.date) -> dict[str, str] | None:
    """The closure covering `day`, if any."""
    iso = day.isoformat()
    for c in hours.get("closures") or ():
        if c["from"] <= iso <= c["to"]:
            return dict(c)
    return None


@dataclass(frozen=True)
class Parsed:
    """Opening hours ready for "open now" checks: minutes after midnight per weekday, closures as ISO dates."""

    always: bool
    week: tuple[tuple[tuple[int, int], ...], ...]  # 7 weekdays, Monday first
    closures: tuple[tuple[str, str], ...]


def parse_hours(hours: dict[str, Any]) -> Parsed:
    week = hours.get("week") or {}
    return Parsed(
        always=bool(hours.get("always")),
        week=tuple(tuple((parse_time(s), parse_time(e)) for s, e in week.get(str(d), ())) for d in range(7)),
        closures=tuple((c["from"], c["to"]) for c in hours.get("closures") or ()),
    )


@functools.lru_cache(maxsize=4096)
def parse_hours_text(text: str) -> Parsed:
    """The same from the stored JSON text; most stations share a few timetables, so this is cached."""
    return parse_hours(json.loads(text) if text else {})


@dataclass(frozen=True)
class Moment:
    """A moment as the hours need it: Shanghai weekday, minute of the day and ISO date."""

    weekday: int
    minute: int
    iso: str


def moment(at: datetime.datetime) -> Moment:
    local = _local(at)
    return Moment(local.weekday(), local.hour * 60 + local.minute, local.date().isoformat())


def open_at(parsed: Parsed, m: Moment) -> bool:
    if any(first <= m.iso <= last for first, last in parsed.closures):
        return False
    if parsed.always:
        return True
    for start, end in parsed.week[m.weekday]:
        if start < end and start <= m.minute < end:
            return True
        if end < start and m.minute >= start:  # an overnight range, before midnight
            return True
    # After midnight: the overnight range that began yesterday.
    return any(end < start and m.minute < end for start, end in parsed.week[(m.weekday - 1) % 7])


def is_open(hours: dict[str, Any], at: datetime.datetime) -> bool:
    """Whether the station is open at `at` (judged in Asia/Shanghai)."""
    if not hours:
        return False
    return open_at(parse_hours(hours), moment(at))


def day_text(hours: dict[str, Any], weekday: int) -> str:
    """One weekday's periods as text ("08:00-12:00, 14:00-20:00"), "" when closed that day."""
    if hours.get("always"):
        return "00:00-24:00"
    return ", ".join(f"{s}-{e}" for s, e in (hours.get("week") or {}).get(str(weekday), ()))


def week_table(hours: dict[str, Any]) -> list[tuple[Any, str]]:
    """(weekday label, periods) for Monday to Sunday, for display."""
    return [(WEEKDAYS[d], day_text(hours, d)) for d in range(7)]


def parse_day_text(text: str, *, field: str = "hours") -> list[list[str]]:
    """Periods typed as "08:00-12:00, 14:00-20:00" (Chinese punctuation accepted); "" is closed."""
    text = (text or "").strip().replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",")
    text = text.replace("—", "-").replace("～", "-").replace("~", "-").replace("至", "-")
    if not text:
        return []
    periods = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        bits = [b.strip() for b in part.split("-")]
        if len(bits) != 2:
            raise HoursError("invalid_range", _("Write each period as HH:MM-HH:MM."), field=field)
        parse_time(bits[0])
        parse_time(bits[1])
        periods.append([bits[0].replace("：", ":"), bits[1].replace("：", ":")])
    return periods


def parse_closures_text(text: str) -> list[dict[str, str]]:
    """Closures typed one a line: "2026-10-01 2026-10-03 国庆" or "2026-10-01 国庆" (one day)."""
    closures = []
    for line in (text or "").splitlines():
        bits = line.split(None, 2)
        if not bits:
            continue
        start = _date(bits[0])
        end = start
        note = ""
        if len(bits) > 1:
            try:
                end = _date(bits[1])
                note = bits[2] if len(bits) > 2 else ""
            except HoursError:
                note = " ".join(bits[1:])
        closures.append({"from": start.isoformat(), "to": end.isoformat(), "note": note})
    return closures


def closures_text(hours: dict[str, Any]) -> str:
    return "\n".join(
        f"{c['from']} {c['to']} {c.get('note', '')}".rstrip() for c in hours.get("closures") or ()
    )


def hours_from_text(*, always: bool, days: list[str], closures: str) -> dict[str, Any]:
    """Opening hours from a form: seven weekday texts (Monday first), the 24-hour tick and closure lines."""
    week = {str(d): parse_day_text(text, field=f"day{d}") for d, text in enumerate(days)}
    return normalize_hours(
        {
            "always": always,
            "week": {k: v for k, v in week.items() if v},
            "closures": parse_closures_text(closures),
        }
    )


# --- distances and the search grid ------------------------------------------------------------------------


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def lat_band(lat: float) -> int:
    return math.floor(lat * BAND)


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a box that holds every point within `radius_km` of (lat, lng)."""
    dlat = radius_km / KM_PER_DEGREE
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(min_lat), abs(max_lat))
    cos = math.cos(math.radians(widest))
    dlng = 180.0 if cos < 1e-6 else min(180.0, radius_km / (KM_PER_DEGREE * cos))
    return min_lat, max_lat, max(-180.0, lng - dlng), min(180.0, lng + dlng)


def bands(min_lat: float, max_lat: float) -> list[int]:
    return list(range(lat_band(min_lat), lat_band(max_lat) + 1))


def search_radii() -> list[float]:
    radii, r = [], SEARCH_START_KM
    while r < SEARCH_MAX_KM:
        radii.append(r)
        r *= SEARCH_GROWTH
    radii.append(SEARCH_MAX_KM)
    return radii


def valid_point(lat: Any, lng: Any) -> bool:
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180


def geo_uri(lat: float, lng: float, label: str = "") -> str:
    """A geo: URI (RFC 5870) that phones open in their map app to navigate there."""
    q = f"{lat:.6f},{lng:.6f}" + (f"({label})" if label else "")
    return f"geo:{lat:.6f},{lng:.6f}?q={q}"


# --- map datums: WGS-84 and GCJ-02 ------------------------------------------------------------------------
# Maps published in China use GCJ-02, an obfuscated datum offset by a few hundred metres from WGS-84 (GPS,
# and what a browser's geolocation returns). Stations are stored in WGS-84; coordinates read off a Chinese
# map are converted on entry. The forward formula is the published one; the inverse is found by iteration.

_A = 6378245.0
_EE = 0.00669342162296594323


def out_of_china(lat: float, lng: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _tlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    dlat = _tlat(lng - 105.0, lat - 35.0)
    dlng = _tlng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lat, lng), to well under a metre."""
    wlat, wlng = lat, lng
    for _i in range(8):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        wlat, wlng = wlat - (glat - lat), wlng - (glng - lng)
    return wlat, wlng


# --- check-ins and codes ----------------------------------------------------------------------------------


def checkin_counts(*, last_at: datetime.datetime | None, now: datetime.datetime, gap_hours: int) -> bool:
    """Whether a scan at `now` records a new visit, given the person's last visit to the same station."""
    return last_at is None or now - last_at >= datetime.timedelta(hours=gap_hours)


def clean_code(value: str) -> str:
    """A station code: upper-case letters, digits and hyphens, 3 to 32 characters (ZJ-HZ-0001)."""
    code = (value or "").strip().upper()
    if not CODE.match(code):
        raise HoursError(
            "invalid_code",
            _("A station code has 3 to 32 capital letters, digits and hyphens, such as ZJ-HZ-0001."),
            field="code",
        )
    return code


def amenity_field(codes: list[str] | tuple[str, ...], allowed: list[str]) -> str:
    """Amenity codes as stored (",hot_water,wifi,"), in the order of `allowed`; unknown codes refused."""
    chosen = set(codes)
    if chosen - set(allowed):
        raise HoursError("invalid_amenity", _("Choose amenities from the list."), field="amenities")
    ordered = [a for a in allowed if a in chosen]
    return f",{','.join(ordered)}," if ordered else ""
