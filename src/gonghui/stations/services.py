"""Writes of worker stations (工会驿站, DOMAIN §5): the registry, managers, photos, the QR token, check-ins,
walk-in tallies and the check-in gap policy.

A cadre with "station.manage" on the station's union does everything; a station's manager (StationManager)
keeps that station's details, photos and walk-ins, but cannot change its code, union or managers, nor close
it down. Every write runs in one transaction, logs `gonghui.station.*` and keeps `StationDay` counts in step.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.core.audit import log_action
from gonghui.core.errors import PermissionDenied, ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import clean_division_code, clean_mobile
from gonghui.core.uploads import check_upload, delete_stored, sha256_of, store_upload
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from . import rules
from .models import (
    Amenity,
    Station,
    StationDay,
    StationManager,
    StationPhoto,
    StationPolicy,
    StationStatus,
    Visit,
    new_station_token,
)
from .selectors import DIVISIONS_CACHE_KEY, MANAGE, checkin_gap_hours, is_manager

PHOTO_TYPES = frozenset({"png", "jpeg"})
PHOTO_MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 8
MAX_WALKINS_PER_DAY = 5000
# A manager may tally walk-ins for today and the days before, up to this many days back.
WALKIN_DAYS_BACK = 31


def _audit(actor: Any, action: str, station: Station, **data: Any) -> None:
    log_action(
        actor=actor, action=f"gonghui.station.{action}", obj=station, org_path=station.org.path, data=data
    )


def _hours_error(exc: rules.HoursError) -> ServiceError:
    return ServiceError(exc.code, exc.message, field=exc.field)


def _text(value: Any, *, field: str, limit: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ServiceError("text_required", _("This field is required."), field=field)
    if len(text) > limit:
        raise ServiceError("text_too_long", _("Write at most %(n)s characters.") % {"n": limit}, field=field)
    return text


def _coords(lat: Any, lng: Any, datum: str) -> tuple[float, float]:
    if not rules.valid_point(lat, lng):
        raise ServiceError("invalid_location", _("Give a latitude and longitude in degrees."), field="lat")
    lat, lng = float(lat), float(lng)
    if datum == "gcj02":
        lat, lng = rules.gcj02_to_wgs84(lat, lng)
    elif datum != "wgs84":
        raise ServiceError("invalid_datum", _("Choose WGS-84 or GCJ-02."), field="datum")
    return round(lat, 7), round(lng, 7)


def _amenities(codes: Sequence[str]) -> str:
    try:
        return rules.amenity_field(tuple(codes), list(Amenity.values))
    except rules.HoursError as exc:
        raise _hours_error(exc) from None


def _hours(hours: Any) -> dict[str, Any]:
    try:
        return rules.normalize_hours(hours)
    except rules.HoursError as exc:
        raise _hours_error(exc) from None


def _may_edit(actor: Any, station: Station) -> bool:
    """Whether the actor edits as a cadre (True) or as the station's manager (False); refused otherwise."""
    if actor_can(actor, MANAGE, station.org):
        return True
    if is_manager(user=actor, station=station):
        return False
    require(actor=actor, perm=MANAGE, org=station.org)  # raises 404 or 403
    raise PermissionDenied()  # pragma: no cover - require always raises here


def _forget_divisions() -> None:
    cache.delete(DIVISIONS_CACHE_KEY)


@dataclass
class StationInput:
    name: str
    address: str
    lat: float
    lng: float
    hours: dict[str, Any]
    amenities: Sequence[str] = ()
    datum: str = "wgs84"
    division_code: str = ""
    phone: str = ""
    notes: str = ""
    status: str = StationStatus.OPEN


def _check(data: StationInput) -> dict[str, Any]:
    if data.status not in StationStatus.values:
        raise ServiceError("invalid_status", _("Choose a status."), field="status")
    lat, lng = _coords(data.lat, data.lng, data.datum)
    return {
        "name": _text(data.name, field="name", limit=120),
        "address": _text(data.address, field="address", limit=200),
        "division_code": clean_division_code(data.division_code) if data.division_code else "",
        "phone": _text(data.phone, field="phone", limit=30, required=False),
        "notes": _text(data.notes, field="notes", limit=500, required=False),
        "lat": lat,
        "lng": lng,
        "lat_band": rules.lat_band(lat),
        "hours": _hours(data.hours),
        "amenities": _amenities(data.amenities),
        "status": data.status,
    }


def station_create(*, actor: Any, org: Org, code: str, data: StationInput) -> Station:
    """Register a station of `org` (a cadre with "station.manage" there)."""
    require(actor=actor, perm=MANAGE, org=org)
    try:
        code = rules.clean_code(code)
    except rules.HoursError as exc:
        raise _hours_error(exc) from None
    values = _check(data)
    if Station.objects.filter(code=code).exists():
        raise ServiceError("code_taken", _("Another station has this code."), field="code", status=409)
    try:
        with transaction.atomic():
            station = Station.objects.create(org=org, code=code, created_by=actor, **values)
            _audit(actor, "created", station, code=code)
    except IntegrityError:
        raise ServiceError(
            "code_taken", _("Another station has this code."), field="code", status=409
        ) from None
    transaction.on_commit(_forget_divisions)
    return station


def station_update(*, actor: Any, station: Station, data: StationInput) -> Station:
    """Change a station's details. Its manager may do so too, except closing it down (or reopening a station
    that was closed down), which is the union's decision."""
    as_cadre = _may_edit(actor, station)
    values = _check(data)
    with transaction.atomic():
        station = Station.objects.select_for_update().select_related("org").get(pk=station.pk)
        closing = (
            StationStatus.CLOSED in (values["status"], station.status) and values["status"] != station.status
        )
        if closing and not as_cadre:
            raise PermissionDenied(_("Only the union may close a station down or reopen it."))
        changed = sorted(k for k, v in values.items() if getattr(station, k) != v)
        for key, value in values.items():
            setattr(station, key, value)
        station.save()
        _audit(actor, "updated", station, fields=changed, as_manager=not as_cadre)
    transaction.on_commit(_forget_divisions)
    return station


def station_token_renew(*, actor: Any, station: Station) -> Station:
    """A new QR code for the station (the old poster stops working), for instance after a poster was copied."""
    require(actor=actor, perm=MANAGE, org=station.org)
    with transaction.atomic():
        Station.objects.filter(pk=station.pk).update(token=new_station_token())
        station.refresh_from_db(fields=["token"])
        _audit(actor, "token_renewed", station)
    return station


# --- managers -----------------------------------------------------------------------------------------------


def station_manager_add(*, actor: Any, station: Station, mobile: str) -> StationManager:
    """Make the person with this mobile number (an existing account) a manager of the station."""
    require(actor=actor, perm=MANAGE, org=station.org)
    mobile = clean_mobile(mobile)
    user = User.objects.filter(blind_q(User, "mobile", mobile), is_active=True).first()
    if user is None:
        raise ServiceError(
            "no_account",
            _("Nobody has an account with this mobile number; ask them to register in the portal first."),
            field="mobile",
        )
    with transaction.atomic():
        manager, created = StationManager.objects.get_or_create(
            station=station, user=user, defaults={"assigned_by": actor}
        )
        if not created:
            raise ServiceError(
                "already_manager", _("This person already keeps the station."), field="mobile", status=409
            )
        _audit(actor, "manager_added", station, user_id=user.pk)
    return manager


def station_manager_remove(*, actor: Any, station: Station, user_id: int) -> None:
    require(actor=actor, perm=MANAGE, org=station.org)
    with transaction.atomic():
        deleted, _rows = StationManager.objects.filter(station=station, user_id=user_id).delete()
        if not deleted:
            raise ServiceError("not_manager", _("This person does not keep the station."), status=404)
        _audit(actor, "manager_removed", station, user_id=user_id)


# --- photos -------------------------------------------------------------------------------------------------


def station_photo_add(*, actor: Any, station: Station, file: Any, caption: str = "") -> StationPhoto:
    """Add a photo (PNG or JPEG, checked by its content, at most 5 MB)."""
    _may_edit(actor, station)
    caption = _text(caption, field="caption", limit=100, required=False)
    content_type = check_upload(file, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES)
    if StationPhoto.objects.filter(station=station).count() >= MAX_PHOTOS:
        raise ServiceError(
            "too_many_photos", _("A station has at most %(n)s photos.") % {"n": MAX_PHOTOS}, field="file"
        )
    size, digest = int(file.size), sha256_of(file)
    path = store_upload(file, folder=f"stations/{station.pk}")
    try:
        with transaction.atomic():
            photo = StationPhoto.objects.create(
                station=station,
                caption=caption,
                stored_path=path,
                content_type=content_type,
                size=size,
                sha256=digest,
                added_by=actor,
            )
            _audit(actor, "photo_added", station, photo_id=photo.pk)
    except Exception:
        delete_stored(path)
        raise
    return photo


def station_photo_remove(*, actor: Any, station: Station, photo: StationPhoto) -> None:
    _may_edit(actor, station)
    if photo.station_id != station.pk:
        raise ServiceError("not_found", _("No such photo."), status=404)
    path = photo.stored_path
    with transaction.atomic():
        photo.delete()
        _audit(actor, "photo_removed", station, photo_id=photo.pk)
        transaction.on_commit(lambda: delete_stored(path))


# --- check-ins and walk-ins ---------------------------------------------------------------------------------


def _bump_day(station: Station, day: datetime.date, **deltas: int) -> None:
    updated = StationDay.objects.filter(station=station, day=day).update(
        **{k: F(k) + v for k, v in deltas.items()}
    )
    if not updated:
        StationDay.objects.create(station=station, day=day, **deltas)


@dataclass
class CheckinResult:
    visit: Visit
    created: bool  # False: the person had checked in here within the gap; the earlier visit is returned
    gap_hours: int


def station_checkin(*, user: Any, token: str, now: datetime.datetime | None = None) -> CheckinResult:
    """A signed-in worker scanned the station's QR code: record a visit, unless they checked in at the same
    station within the gap (StationPolicy, default 2 hours), in which case the earlier visit stands."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise ServiceError("not_authenticated", _("Log in to check in."), status=401)
    now = now or timezone.now()
    with transaction.atomic():
        station = (
            Station.objects.select_for_update()
            .select_related("org")
            .filter(token=str(token)[:32])
            .exclude(status=StationStatus.CLOSED)
            .first()
        )
        if station is None:
            raise ServiceError("not_found", _("This QR code does not belong to a station."), status=404)
        if station.status != StationStatus.OPEN:
            raise ServiceError("station_paused", _("This station is temporarily closed."), status=409)
        gap = checkin_gap_hours(org=station.org)
        last = Visit.objects.filter(user=user, station=station).order_by("-at").first()
        if not rules.checkin_counts(last_at=last.at if last else None, now=now, gap_hours=gap):
            assert last is not None
            return CheckinResult(visit=last, created=False, gap_hours=gap)
        day = timezone.localdate(now)
        visit = Visit.objects.create(station=station, user=user, at=now, day=day)
        _bump_day(station, day, checkins=1)
        _audit(user, "checked_in", station, visit_id=visit.pk)
    return CheckinResult(visit=visit, created=True, gap_hours=gap)


def station_walkins_record(*, actor: Any, station: Station, day: datetime.date, count: int) -> StationDay:
    """Set the number of people without phones who used the station on a day (the day's tally, replacing an
    earlier figure for that day)."""
    _may_edit(actor, station)
    today = timezone.localdate()
    if not isinstance(day, datetime.date) or day > today or (today - day).days > WALKIN_DAYS_BACK:
        raise ServiceError(
            "invalid_day",
            _("Tally today or a day of the last %(n)s days.") % {"n": WALKIN_DAYS_BACK},
            field="day",
        )
    if not isinstance(count, int) or count < 0 or count > MAX_WALKINS_PER_DAY:
        raise ServiceError(
            "invalid_count",
            _("Give a number from 0 to %(n)s.") % {"n": MAX_WALKINS_PER_DAY},
            field="count",
        )
    with transaction.atomic():
        row, _created = StationDay.objects.select_for_update().get_or_create(station=station, day=day)
        before = row.walkins
        row.walkins, row.walkins_recorded_by = count, actor
        row.save(update_fields=["walkins", "walkins_recorded_by"])
        _audit(actor, "walkins_recorded", station, day=day.isoformat(), count=count, before=before)
    return row


# --- rules as data ----------------------------------------------------------------------------------------


def station_policy_set(*, actor: Any, org: Org, checkin_gap_hours: int) -> StationPolicy:
    """Set the check-in gap for the stations of `org`'s subtree (unions below may set their own)."""
    require(actor=actor, perm=MANAGE, org=org)
    if not isinstance(checkin_gap_hours, int) or not 1 <= checkin_gap_hours <= 168:
        raise ServiceError(
            "invalid_gap", _("Give a number of hours from 1 to 168."), field="checkin_gap_hours"
        )
    with transaction.atomic():
        policy, _created = StationPolicy.objects.update_or_create(
            org=org, defaults={"checkin_gap_hours": checkin_gap_hours, "updated_by": actor}
        )
        log_action(
            actor=actor,
            action="gonghui.station.policy_set",
            obj=policy,
            org_path=org.path,
            data={"checkin_gap_hours": checkin_gap_hours},
        )
    return policy


# --- the public search ------------------------------------------------------------------------------------


def station_search_throttle() -> None:
    """The nearest-station search needs no account; one address may search a limited number of times a minute
    (GONGHUI_STATION_SEARCHES_PER_MINUTE, default 60), so nobody can walk the map to copy the registry."""
    from django.conf import settings

    from gonghui.accounts import throttle
    from gonghui.core.context import current_request_info

    limit = int(getattr(settings, "GONGHUI_STATION_SEARCHES_PER_MINUTE", 60))
    if throttle.hit("station-search", current_request_info().ip, 60) > limit:
        raise ServiceError(
            "too_many_requests", _("Too many searches from here. Wait a minute and try again."), status=429
        )
