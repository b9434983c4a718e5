"""Reads of worker stations.

Cadres read the stations of their subtree with "services.view" (an org administrator or a viewer) and change
them with "station.manage"; a station outside the actor's scope is a 404, one inside it without the role a
403. A station manager reaches only the stations they were assigned to, without any role in the tree.

What a worker on the street needs is public: the nearest open stations to a point, a station's page (hours,
amenities, photos) and the station a QR code names. Closed-down stations are not shown publicly.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, TextField, Value
from django.db.models.functions import Cast, Coalesce, Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.orgs.models import SEGMENT, Org, OrgKind
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, refuse, scope_q
from gonghui.orgs.services import require

from . import rules
from .models import Station, StationDay, StationManager, StationPhoto, StationPolicy, StationStatus

VIEW = "services.view"
MANAGE = "station.manage"
DIVISIONS_CACHE_KEY = "gonghui:stations:divisions"


# --- the cadre's reads --------------------------------------------------------------------------------------


def _recent_sum(since: datetime.date) -> Coalesce:
    """Check-ins plus walk-ins of a station since a day, as one correlated subquery (no row multiplication)."""
    from django.db.models import F

    sub = (
        StationDay.objects.filter(station=OuterRef("pk"), day__gte=since)
        .order_by()
        .values("station")
        .annotate(n=Sum(F("checkins") + F("walkins")))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def station_list(
    *, actor: Any, org: Org, q: str = "", status: str = "", since: datetime.date | None = None
) -> QuerySet[Station]:
    """Stations of `org`'s subtree within the actor's scope, each with its uses since `since` (30 days)."""
    since = since or timezone.localdate() - datetime.timedelta(days=30)
    qs = Station.objects.filter(subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path"))
    if status:
        qs = qs.filter(status=status)
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(address__icontains=q))
    return qs.select_related("org").annotate(recent=_recent_sum(since)).order_by("code")


def station_get(*, actor: Any, station_id: int, perm: str = VIEW) -> Station:
    station = (
        Station.objects.filter(scope_q(actor, perm, "org__path"), pk=station_id).select_related("org").first()
    )
    if station is None:
        found = Station.objects.select_related("org").filter(pk=station_id).first()
        refuse(actor, found.org if found else None, _("No such station in your scope."))
    return station


def is_manager(*, user: Any, station: Station) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return StationManager.objects.filter(station=station, user=user).exists()


def may_edit(*, actor: Any, station: Station) -> bool:
    """A cadre with "station.manage" on the station's union, or one of the station's managers."""
    return actor_can(actor, MANAGE, station.org) or is_manager(user=actor, station=station)


def station_for_edit(*, actor: Any, station_id: int) -> Station:
    """A station the actor may keep: as its manager or as a cadre with "station.manage"; 403 for a cadre who
    only sees it, 404 for anyone else."""
    station = Station.objects.select_related("org").filter(pk=station_id).first()
    if station is None:
        raise NotFound(_("No such station in your scope."))
    if may_edit(actor=actor, station=station):
        return station
    refuse(actor, station.org, _("No such station in your scope."))


def managed_stations(*, user: Any) -> QuerySet[Station]:
    """The stations the person keeps as a manager."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Station.objects.none()
    return Station.objects.filter(managers__user=user).select_related("org").order_by("code")


def station_managers(*, station: Station) -> QuerySet[StationManager]:
    return StationManager.objects.filter(station=station).select_related("user").order_by("assigned_at", "pk")


def station_photos(*, station: Station) -> QuerySet[StationPhoto]:
    return StationPhoto.objects.filter(station=station).order_by("added_at", "pk")


def photo_get(*, station: Station, photo_id: int) -> StationPhoto:
    photo = StationPhoto.objects.filter(station=station, pk=photo_id).first()
    if photo is None:
        raise NotFound(_("No such photo."))
    return photo


def checkin_gap_hours(*, org: Org) -> int:
    """The check-in gap that applies at `org`: its own policy, else the nearest ancestor's, else the default."""
    ids = [*org.ancestor_ids(), org.pk]
    policy = StationPolicy.objects.filter(org_id__in=ids).order_by("-org__depth").first()
    return policy.checkin_gap_hours if policy else rules.DEFAULT_CHECKIN_GAP_HOURS


def own_policy(*, org: Org) -> StationPolicy | None:
    return StationPolicy.objects.filter(org=org).first()


# --- what anyone may read -----------------------------------------------------------------------------------


def station_public(*, station_id: int) -> Station:
    """A station as a worker sees it; closed-down stations are not found."""
    station = (
        Station.objects.exclude(status=StationStatus.CLOSED)
        .select_related("org")
        .filter(pk=station_id)
        .first()
    )
    if station is None:
        raise NotFound(_("No such station."))
    return station


def station_by_token(*, token: str) -> Station:
    station = (
        Station.objects.exclude(status=StationStatus.CLOSED)
        .select_related("org")
        .filter(token=str(token)[:32])
        .first()
    )
    if station is None:
        raise NotFound(_("This QR code does not belong to a station."))
    return station


@dataclass
class Nearby:
    station: Station
    distance_km: float
    open_now: bool

    @property
    def distance_text(self) -> str:
        return distance_text(self.distance_km)


def distance_text(km: float) -> str:
    """ "350 m" under a kilometre, else "2.4 km" (translated units)."""
    if km < 1:
        return str(_("%(m)s m") % {"m": max(10, round(km * 100) * 10)})
    if km < 100:
        return str(_("%(km)s km") % {"km": f"{km:.1f}"})
    return str(_("%(km)s km") % {"km": f"{km:.0f}"})


@dataclass
class SearchResult:
    results: list[Nearby]
    radius_km: float  # the radius of the last box searched
    queries: int = 0
    scanned: int = 0  # candidate rows read from the database


def _box_candidates(
    lat: float, lng: float, radius_km: float, *, amenity: str
) -> list[tuple[int, float, float, str]]:
    """Open stations in the bounding box of a circle: one query using the (lat_band, lng) index. The hours come
    as their JSON text, parsed (and cached) only for the stations that matter."""
    min_lat, max_lat, min_lng, max_lng = rules.bounding_box(lat, lng, radius_km)
    qs = Station.objects.filter(
        lat_band__in=rules.bands(min_lat, max_lat),
        lng__gte=min_lng,
        lng__lte=max_lng,
        lat__gte=min_lat,
        lat__lte=max_lat,
        status=StationStatus.OPEN,
    )
    if amenity:
        qs = qs.filter(amenities__contains=f",{amenity},")
    return list(qs.values_list("pk", "lat", "lng", Cast("hours", TextField())))


def _next_radius(radius: float, found: int, k: int) -> float:
    """The next box: from the density seen so far, a radius expected to hold k stations with some margin (the
    area grows with the square of the radius), at least 1.5 and at most 4 times larger."""
    factor = 4.0 if found == 0 else min(4.0, max(1.5, math.sqrt(k / found) * 1.3))
    return min(rules.SEARCH_MAX_KM, radius * factor)


def nearest_search(
    *,
    lat: float,
    lng: float,
    k: int = 10,
    amenity: str = "",
    open_now: bool = True,
    at: datetime.datetime | None = None,
) -> SearchResult:
    """The `k` nearest stations (status open; with `open_now`, only those open at `at` by their hours and
    closures; with `amenity`, only those offering it) within rules.SEARCH_MAX_KM, nearest first.

    No spatial extension: a bounding box on the (lat_band, lng) index is read, the exact great-circle distance
    computed for each candidate, and the box widened until `k` stations lie within the circle it holds. A
    station outside the box is farther than the circle's radius, so once `k` lie inside the circle they are
    the `k` nearest. Candidates are taken nearest first and their hours checked only until `k` are found. Then
    one query loads those stations.
    """
    when = rules.moment(at or timezone.now())
    k = max(1, min(int(k), rules.MAX_RESULTS))
    radius = rules.SEARCH_START_KM
    queries = scanned = 0
    while True:
        rows = _box_candidates(lat, lng, radius, amenity=amenity)
        queries += 1
        scanned += len(rows)
        inside = sorted(
            (d, pk, text)
            for pk, slat, slng, text in rows
            if (d := rules.haversine_km(lat, lng, slat, slng)) <= radius
        )
        found: list[tuple[float, int, bool]] = []
        for d, pk, text in inside:
            now_open = rules.open_at(rules.parse_hours_text(text), when)
            if open_now and not now_open:
                continue
            found.append((d, pk, now_open))
            if len(found) == k:
                break
        if len(found) >= k or radius >= rules.SEARCH_MAX_KM:
            break
        radius = _next_radius(radius, len(found), k)
    by_pk = Station.objects.in_bulk([pk for _d, pk, _o in found]) if found else {}
    queries += 1 if found else 0
    return SearchResult(
        results=[Nearby(by_pk[pk], round(d, 3), o) for d, pk, o in found if pk in by_pk],
        radius_km=radius,
        queries=queries,
        scanned=scanned,
    )


def nearest_stations(
    *,
    lat: float,
    lng: float,
    k: int = 10,
    amenity: str = "",
    open_now: bool = True,
    at: datetime.datetime | None = None,
) -> list[Nearby]:
    return nearest_search(lat=lat, lng=lng, k=k, amenity=amenity, open_now=open_now, at=at).results


def text_search(*, q: str, at: datetime.datetime | None = None, limit: int = 20) -> list[Nearby]:
    """Stations whose name, address or code contains the text, or in a division code, when the phone gives
    no position: no distance (0), open first."""
    at = at or timezone.now()
    q = (q or "").strip()[:60]
    if not q:
        return []
    cond = Q(name__icontains=q) | Q(address__icontains=q) | Q(code__iexact=q)
    if q.isdigit() and len(q) == 6:
        cond |= Q(division_code=q)
    rows = list(Station.objects.filter(cond).exclude(status=StationStatus.CLOSED).order_by("code")[:limit])
    items = [Nearby(s, 0.0, s.status == StationStatus.OPEN and rules.is_open(s.hours, at)) for s in rows]
    items.sort(key=lambda n: not n.open_now)
    return items


@dataclass(frozen=True)
class Division:
    code: str
    label: str
    lat: float
    lng: float
    stations: int


def division_choices() -> list[Division]:
    """Divisions that have stations, with the centre of their stations, for choosing a district when the
    phone's position is not shared. Cached for ten minutes (two grouped queries)."""
    cached = cache.get(DIVISIONS_CACHE_KEY)
    if cached is not None:
        return list(cached)
    rows = list(
        Station.objects.exclude(status=StationStatus.CLOSED)
        .exclude(division_code="")
        .values("division_code")
        .annotate(n=Count("pk"), lat=Avg("lat"), lng=Avg("lng"))
        .order_by("division_code")[:3000]
    )
    names: dict[str, str] = {}
    for code, name in (
        Org.objects.filter(
            division_code__in=[r["division_code"] for r in rows],
            kind__in=[OrgKind.DISTRICT, OrgKind.CITY, OrgKind.PROVINCE],
        )
        .order_by("-depth")
        .values_list("division_code", "name")
    ):
        names[code] = name.removesuffix("总工会")
    result = [
        Division(
            r["division_code"], names.get(r["division_code"], r["division_code"]), r["lat"], r["lng"], r["n"]
        )
        for r in rows
    ]
    cache.set(DIVISIONS_CACHE_KEY, result, 600)
    return result


# --- statistics -------------------------------------------------------------------------------------------


@dataclass
class StationStats:
    since: datetime.date
    until: datetime.date
    stations: dict[str, int] = field(default_factory=dict)  # by status
    checkins: int = 0
    walkins: int = 0
    by_day: list[tuple[datetime.date, int, int]] = field(default_factory=list)
    by_month: list[tuple[datetime.date, int, int]] = field(default_factory=list)
    by_union: list[tuple[Org, int, int, int]] = field(
        default_factory=list
    )  # org, stations, checkins, walkins
    top: list[tuple[Station, int, int]] = field(default_factory=list)


def station_stats(*, actor: Any, org: Org, since: datetime.date, until: datetime.date) -> StationStats:
    """Uses of the stations of `org`'s subtree (the caller has checked "services.view" on `org`): totals, per
    day, per month, per union one level below (rolled up by path prefix in one grouped query) and the busiest
    stations. A fixed number of queries, whatever the size of the subtree."""
    stats = StationStats(since=since, until=until)
    in_scope = subtree_q(org.path, "station__org__path") & scope_q(actor, VIEW, "station__org__path")
    days = StationDay.objects.filter(in_scope, day__gte=since, day__lte=until)
    stats.stations = {
        row["status"]: row["n"]
        for row in Station.objects.filter(subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path"))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    totals = days.aggregate(c=Coalesce(Sum("checkins"), 0), w=Coalesce(Sum("walkins"), 0))
    stats.checkins, stats.walkins = totals["c"], totals["w"]
    stats.by_day = [
        (r["day"], r["c"], r["w"])
        for r in days.values("day").annotate(c=Sum("checkins"), w=Sum("walkins")).order_by("day")
    ]
    stats.by_month = [
        (r["month"], r["c"], r["w"])
        for r in days.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(c=Sum("checkins"), w=Sum("walkins"))
        .order_by("month")
    ]
    # One level down: group by the first len(org.path) + SEGMENT characters of the station's union path.
    width = len(org.path) + SEGMENT
    uses = {
        r["prefix"]: (r["c"], r["w"])
        for r in days.annotate(prefix=Substr("station__org__path", 1, width))
        .values("prefix")
        .annotate(c=Sum("checkins"), w=Sum("walkins"))
        .order_by()
    }
    counts = {
        r["prefix"]: r["n"]
        for r in Station.objects.filter(subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path"))
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    }
    groups = Org.objects.filter(Q(parent=org) | Q(pk=org.pk)).order_by("path")
    for child in groups:
        n = counts.get(child.path, 0)
        c, w = uses.get(child.path, (0, 0))
        if n or c or w:
            stats.by_union.append((child, n, c, w))
    stats.by_union.sort(key=lambda row: -(row[2] + row[3]))
    top = list(
        days.values("station")
        .annotate(c=Sum("checkins"), w=Sum("walkins"))
        .order_by("-c", "-w", "station")[:10]
    )
    by_pk = Station.objects.in_bulk([r["station"] for r in top])
    stats.top = [(by_pk[r["station"]], r["c"], r["w"]) for r in top if r["station"] in by_pk]
    return stats


def station_days(*, station: Station, since: datetime.date, until: datetime.date) -> list[StationDay]:
    return list(StationDay.objects.filter(station=station, day__gte=since, day__lte=until).order_by("day"))


def dashboard_figures(*, actor: Any, org: Org, since: datetime.date) -> dict[str, Any]:
    """For the console overview (needs "services.view" on `org`): stations in service in `org`'s subtree
    and their check-ins and walk-ins since `since`. Two queries, from the daily counts."""
    require(actor=actor, perm=VIEW, org=org)
    days = StationDay.objects.filter(subtree_q(org.path, "station__org__path"), day__gte=since).aggregate(
        checkins=Sum("checkins"), walkins=Sum("walkins")
    )
    return {
        "open": Station.objects.filter(subtree_q(org.path, "org__path"), status=StationStatus.OPEN).count(),
        "visits": int(days["checkins"] or 0) + int(days["walkins"] or 0),
    }
