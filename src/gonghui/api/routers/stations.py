"""The stations API (工会驿站, DOMAIN §5).

Public, without an account: the nearest stations to a point (`/nearest`, WGS-84, limited per address per
minute) and one station's public details. Signed in: checking in with the token a station's QR code holds,
and the stations one keeps as a manager. The union's side: the registry of a union's subtree (reads need
"services.view", writes "station.manage"; a station's managers may change its details too), managers,
walk-in tallies, statistics rolled up the tree, and the check-in gap. A station or union outside the caller's
scope is a 404, a role that does not allow it a 403.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import ServiceError
from gonghui.orgs.selectors import org_get
from gonghui.stations import rules, selectors, services
from gonghui.stations.models import Station, StationStatus

from .member_schemas import OrgRef

router = Router(tags=["stations"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


# --- schemas ------------------------------------------------------------------------------------------------


class HoursIn(Schema):
    always: bool = False
    week: dict[str, list[list[str]]] = Field(
        default_factory=dict, description='Weekday "0" (Monday) .. "6" to periods [["08:00", "20:00"], ...]'
    )
    closures: list[dict[str, str]] = Field(
        default_factory=list, description='[{"from": "2026-10-01", "to": "2026-10-03", "note": "国庆"}]'
    )


class StationDetailsIn(Schema):
    name: str = Field(max_length=500)
    address: str = Field(max_length=1000)
    lat: float
    lng: float
    datum: str = Field(default="wgs84", description="wgs84 (GPS, a phone's location) or gcj02 (Chinese maps)")
    hours: HoursIn
    amenities: list[str] = Field(default_factory=list, max_length=20)
    division_code: str = Field(default="", max_length=20)
    phone: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=2000)
    status: str = Field(default=StationStatus.OPEN, description="open, paused or closed")

    def station_input(self) -> services.StationInput:
        return services.StationInput(
            name=self.name,
            address=self.address,
            lat=self.lat,
            lng=self.lng,
            datum=self.datum,
            hours=self.hours.dict(),
            amenities=self.amenities,
            division_code=self.division_code,
            phone=self.phone,
            notes=self.notes,
            status=self.status,
        )


class StationCreateIn(StationDetailsIn):
    code: str = Field(max_length=64)


class PublicStationOut(Schema):
    id: int
    code: str
    name: str
    address: str
    phone: str
    lat: float
    lng: float
    status: str
    hours: dict[str, Any]
    amenities: list[str]
    open_now: bool = False
    photos: list[int] = []

    @staticmethod
    def resolve_amenities(obj: Any) -> list[str]:
        # A Station stores ",a,b,"; an already-built schema (re-validated on the way out) holds the list.
        return obj.amenity_list if isinstance(obj, Station) else list(obj.amenities)

    @staticmethod
    def resolve_photos(obj: Any) -> list[int]:
        # Lists carry no photo ids (no query per row); one station's answer fills them in (_public, _full).
        return [] if isinstance(obj, Station) else list(obj.photos)


class StationOut(PublicStationOut):
    org: OrgRef
    division_code: str
    notes: str
    token: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class NearbyOut(Schema):
    id: int
    code: str
    name: str
    address: str
    lat: float
    lng: float
    distance_km: float
    open_now: bool
    amenities: list[str]


class NearestOut(Schema):
    results: list[NearbyOut]
    radius_km: float = Field(description="The radius of the last box searched")


class ManagerIn(Schema):
    mobile: str = Field(max_length=30)


class ManagerOut(Schema):
    user_id: int
    name: str
    assigned_at: datetime.datetime


class CheckinIn(Schema):
    token: str = Field(max_length=64)


class CheckinOut(Schema):
    station_id: int
    station_name: str
    visit_id: int
    at: datetime.datetime
    created: bool = Field(description="False: already checked in within the gap; the earlier visit")
    gap_hours: int


class WalkinIn(Schema):
    day: datetime.date
    count: int


class DayOut(Schema):
    day: datetime.date
    checkins: int
    walkins: int


class UnionUseOut(Schema):
    org: OrgRef
    stations: int
    checkins: int
    walkins: int


class TopOut(Schema):
    id: int
    name: str
    checkins: int
    walkins: int


class StatsOut(Schema):
    since: datetime.date
    until: datetime.date
    stations: dict[str, int]
    checkins: int
    walkins: int
    by_day: list[DayOut]
    by_month: list[DayOut]
    by_union: list[UnionUseOut]
    top: list[TopOut]


class PolicyIn(Schema):
    checkin_gap_hours: int


class PolicyOut(Schema):
    org_id: int
    checkin_gap_hours: int
    own: bool


class PhotoOut(Schema):
    id: int
    caption: str
    content_type: str
    size: int


# --- helpers ------------------------------------------------------------------------------------------------


def _public(station: Station) -> PublicStationOut:
    out = PublicStationOut.from_orm(station)
    out.open_now = station.status == StationStatus.OPEN and rules.is_open(station.hours, timezone.now())
    out.photos = [p.pk for p in selectors.station_photos(station=station)]
    return out


def _full(station: Station) -> StationOut:
    out = StationOut.from_orm(station)
    out.open_now = station.status == StationStatus.OPEN and rules.is_open(station.hours, timezone.now())
    out.photos = [p.pk for p in selectors.station_photos(station=station)]
    return out


# --- public -------------------------------------------------------------------------------------------------


@router.get(
    "/nearest",
    response={200: NearestOut, 400: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="The nearest stations to a point",
)
def nearest(
    request: HttpRequest, lat: float, lng: float, k: int = 10, amenity: str = "", open_now: bool = True
) -> Any:
    """Up to `k` (at most 50) stations nearest to (lat, lng) in WGS-84, within 2,000 km, nearest first, each
    with its great-circle distance; with `open_now` (the default) only those open at this moment by their
    hours in Asia/Shanghai; with `amenity`, only those offering it. No account needed; one address may search
    GONGHUI_STATION_SEARCHES_PER_MINUTE times a minute (429 beyond)."""
    if not rules.valid_point(lat, lng):
        raise ServiceError("invalid_location", _("Give a latitude and longitude in degrees."), field="lat")
    services.station_search_throttle()
    found = selectors.nearest_search(lat=lat, lng=lng, k=k, amenity=amenity[:30], open_now=open_now)
    return NearestOut(
        results=[
            NearbyOut(
                id=n.station.pk,
                code=n.station.code,
                name=n.station.name,
                address=n.station.address,
                lat=n.station.lat,
                lng=n.station.lng,
                distance_km=n.distance_km,
                open_now=n.open_now,
                amenities=n.station.amenity_list,
            )
            for n in found.results
        ],
        radius_km=found.radius_km,
    )


@router.get(
    "/public/{station_id}", response={200: PublicStationOut, 404: ErrorOut}, auth=None, summary="A station"
)
def public_station(request: HttpRequest, station_id: int) -> Any:
    return _public(selectors.station_public(station_id=station_id))


# --- the worker and the manager -----------------------------------------------------------------------------


@router.post("/checkin", response={200: CheckinOut, **ERRORS}, summary="Check in with a station's QR code")
def checkin(request: HttpRequest, data: CheckinIn) -> Any:
    """The token is the last part of the address the station's QR code holds. A second check-in by the same
    person at the same station within the gap is not counted: `created` is false and the earlier visit is
    returned."""
    result = services.station_checkin(user=request.user, token=data.token)
    return CheckinOut(
        station_id=result.visit.station_id,
        station_name=result.visit.station.name,
        visit_id=result.visit.pk,
        at=result.visit.at,
        created=result.created,
        gap_hours=result.gap_hours,
    )


@router.get("/mine", response={200: list[StationOut], **ERRORS}, summary="The stations I keep")
def mine(request: HttpRequest) -> Any:
    return [_full(s) for s in selectors.managed_stations(user=request.user)]


# --- the union's side ---------------------------------------------------------------------------------------


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="Use of a union's stations")
def stats(request: HttpRequest, org_id: int, days: int = 30) -> Any:
    """Check-ins and walk-ins of the stations of the union's subtree over the last `days` days (7 to 730):
    totals, per day, per month, per union one level below and the ten busiest stations."""
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    days = max(7, min(days, 730))
    until = timezone.localdate()
    s = selectors.station_stats(
        actor=request.user, org=org, since=until - datetime.timedelta(days=days - 1), until=until
    )
    return StatsOut(
        since=s.since,
        until=s.until,
        stations=s.stations,
        checkins=s.checkins,
        walkins=s.walkins,
        by_day=[DayOut(day=d, checkins=c, walkins=w) for d, c, w in s.by_day],
        by_month=[DayOut(day=d, checkins=c, walkins=w) for d, c, w in s.by_month],
        by_union=[
            UnionUseOut(org=OrgRef(id=o.pk, name=o.name), stations=n, checkins=c, walkins=w)
            for o, n, c, w in s.by_union
        ],
        top=[TopOut(id=st.pk, name=st.name, checkins=c, walkins=w) for st, c, w in s.top],
    )


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="The check-in gap at a union")
def policy_get(request: HttpRequest, org_id: int) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return PolicyOut(
        org_id=org.pk,
        checkin_gap_hours=selectors.checkin_gap_hours(org=org),
        own=selectors.own_policy(org=org) is not None,
    )


@router.put("/policy", response={200: PolicyOut, **ERRORS}, summary="Set the check-in gap for a subtree")
def policy_set(request: HttpRequest, org_id: int, data: PolicyIn) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    policy = services.station_policy_set(
        actor=request.user, org=org, checkin_gap_hours=data.checkin_gap_hours
    )
    return PolicyOut(org_id=org.pk, checkin_gap_hours=policy.checkin_gap_hours, own=True)


@router.get("", response={200: list[StationOut], **ERRORS}, summary="Stations of a union's subtree")
@paginate(LimitOffsetPagination)
def station_list(request: HttpRequest, org_id: int, q: str = "", status: str = ""):  # type: ignore[no-untyped-def]
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return selectors.station_list(actor=request.user, org=org, q=q, status=status)


@router.post("", response={201: StationOut, **ERRORS}, summary="Register a station")
def station_create(request: HttpRequest, org_id: int, data: StationCreateIn) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    station = services.station_create(actor=request.user, org=org, code=data.code, data=data.station_input())
    return Status(201, _full(station))


@router.get("/{station_id}", response={200: StationOut, **ERRORS}, summary="A station of the registry")
def station_get(request: HttpRequest, station_id: int) -> Any:
    """For a cadre who sees the station's union, or one of its managers."""
    try:
        station = selectors.station_get(actor=request.user, station_id=station_id)
    except ServiceError:
        station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    return _full(station)


@router.put("/{station_id}", response={200: StationOut, **ERRORS}, summary="Change a station's details")
def station_update(request: HttpRequest, station_id: int, data: StationDetailsIn) -> Any:
    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    station = services.station_update(actor=request.user, station=station, data=data.station_input())
    return _full(station)


@router.post(
    "/{station_id}/token", response={200: StationOut, **ERRORS}, summary="Give a station a new QR code"
)
def token_renew(request: HttpRequest, station_id: int) -> Any:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    return _full(services.station_token_renew(actor=request.user, station=station))


@router.get(
    "/{station_id}/managers", response={200: list[ManagerOut], **ERRORS}, summary="A station's managers"
)
def managers(request: HttpRequest, station_id: int) -> Any:
    station = selectors.station_get(actor=request.user, station_id=station_id)
    return [
        ManagerOut(user_id=m.user_id, name=m.user.real_name, assigned_at=m.assigned_at)
        for m in selectors.station_managers(station=station)
    ]


@router.post("/{station_id}/managers", response={201: ManagerOut, **ERRORS}, summary="Add a station manager")
def manager_add(request: HttpRequest, station_id: int, data: ManagerIn) -> Any:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    m = services.station_manager_add(actor=request.user, station=station, mobile=data.mobile)
    return Status(201, ManagerOut(user_id=m.user_id, name=m.user.real_name, assigned_at=m.assigned_at))


@router.delete(
    "/{station_id}/managers/{user_id}", response={204: None, **ERRORS}, summary="Remove a station manager"
)
def manager_remove(request: HttpRequest, station_id: int, user_id: int) -> Any:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    services.station_manager_remove(actor=request.user, station=station, user_id=user_id)
    return Status(204, None)


@router.post("/{station_id}/photos", response={201: PhotoOut, **ERRORS, 413: ErrorOut}, summary="Add a photo")
def photo_add(request: HttpRequest, station_id: int, file: File[UploadedFile], caption: str = "") -> Any:
    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    photo = services.station_photo_add(actor=request.user, station=station, file=file, caption=caption)
    return Status(201, PhotoOut.from_orm(photo))


@router.put("/{station_id}/walkins", response={200: DayOut, **ERRORS}, summary="Record a day's walk-ins")
def walkins(request: HttpRequest, station_id: int, data: WalkinIn) -> Any:
    """The number of people without phones who used the station on a day (replaces that day's tally)."""
    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    row = services.station_walkins_record(actor=request.user, station=station, day=data.day, count=data.count)
    return DayOut(day=row.day, checkins=row.checkins, walkins=row.walkins)


@router.get("/{station_id}/days", response={200: list[DayOut], **ERRORS}, summary="A station's use per day")
def station_days(request: HttpRequest, station_id: int, days: int = 30) -> Any:
    station = selectors.station_get(actor=request.user, station_id=station_id)
    until = timezone.localdate()
    since = until - datetime.timedelta(days=max(1, min(days, 730)) - 1)
    return [
        DayOut(day=d.day, checkins=d.checkins, walkins=d.walkins)
        for d in selectors.station_days(station=station, since=since, until=until)
    ]
