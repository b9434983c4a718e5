"""Worker stations (工会驿站 / 户外劳动者服务站, DOMAIN §5).

A `Station` belongs to a union (its `org`; scope follows the org's path). It has a unique public code
(e.g. ZJ-HZ-0001), a location in WGS-84 (what a phone browser's geolocation gives; coordinates read off a
Chinese map are GCJ-02 and are converted on entry, see rules.gcj02_to_wgs84), weekly opening hours as data
(`hours`, checked by rules.normalize_hours: per weekday ranges, or open 24 hours, plus closures on given
dates), amenities, checked photos, a status, and a random token that its QR code carries.

Station managers (`StationManager`) are people assigned to one station by a cadre with "station.manage":
they keep that station's details without holding any role in the tree.

A signed-in worker who scans the QR records a `Visit` (at most one per person and station within the
check-in gap of `StationPolicy`, inherited down the tree). `StationDay` holds the counts per station and day
(check-ins, and the walk-ins a manager tallies for people without phones), kept in the same transaction as
each write, so statistics are sums over a path range.

The nearest-station search needs no spatial extension: `lat_band` (the latitude in tenths of a degree) and
`lng` form a composite index, so a bounding box is a handful of index range scans on SQLite and PostgreSQL
alike (selectors.nearest_stations).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Org


class StationStatus(models.TextChoices):
    OPEN = "open", _("In service")
    PAUSED = "paused", _("Temporarily closed")
    CLOSED = "closed", _("Closed down")


class Amenity(models.TextChoices):
    HOT_WATER = "hot_water", _("Hot and cold water")
    MICROWAVE = "microwave", _("Microwave")
    PHONE_CHARGING = "phone_charging", _("Phone charging")
    EBIKE_CHARGING = "ebike_charging", _("E-bike charging")
    TOILET = "toilet", _("Toilet")
    SEATS = "seats", _("Rest seats")
    FIRST_AID = "first_aid", _("First-aid kit")
    WIFI = "wifi", _("Wi-Fi")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    BOOKS = "books", _("Books")
    REFRIGERATOR = "refrigerator", _("Refrigerator")
    UMBRELLA = "umbrella", _("Umbrellas to borrow")


def new_station_token() -> str:
    return secrets.token_urlsafe(18)


class Station(models.Model):
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="stations", verbose_name=_("union"))
    code = models.CharField(_("station code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    division_code = models.CharField(_("division code"), max_length=6, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # WGS-84 degrees. lat_band = floor(lat * 10), set by the services with the coordinates.
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    lat_band = models.IntegerField(editable=False)
    # rules.normalize_hours: {"always": bool, "week": {"0".."6": [["08:00", "20:00"], ...]},
    #                          "closures": [{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "note": str}]}
    hours = models.JSONField(_("opening hours"), default=dict)
    # Amenity codes joined as ",hot_water,wifi," so that one LIKE finds stations with an amenity.
    amenities = models.CharField(_("amenities"), max_length=400, blank=True, default="")
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=StationStatus.choices, default=StationStatus.OPEN
    )
    token = models.CharField(max_length=32, unique=True, default=new_station_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("worker station")
        verbose_name_plural = _("worker stations")
        indexes = [
            models.Index(fields=["lat_band", "lng"], name="station_grid"),
            models.Index(fields=["org", "status"], name="station_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="station_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def amenity_list(self) -> list[str]:
        return [a for a in self.amenities.split(",") if a]

    @property
    def amenity_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [str(labels.get(a, a)) for a in self.amenity_list]


class StationPhoto(models.Model):
    """A photo of the station, checked by its content (PNG or JPEG) and stored under MEDIA_ROOT."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    stored_path = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.stored_path


class StationManager(models.Model):
    """A person who keeps one station's details (hours, amenities, photos, walk-ins) without an org role."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="managers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stations_kept")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "user"], name="station_manager_once"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.user_id}"


class Visit(models.Model):
    """One check-in by a signed-in worker who scanned the station's QR code."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    day = models.DateField()  # the local (Asia/Shanghai) date of `at`

    class Meta:
        indexes = [
            models.Index(fields=["user", "station", "at"], name="station_visit_user"),
            models.Index(fields=["station", "day"], name="station_visit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.user_id} · {self.at:%Y-%m-%d %H:%M}"


class StationDay(models.Model):
    """The counts of one station on one local day: check-ins, and walk-ins tallied by a manager."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    checkins = models.PositiveIntegerField(default=0)
    walkins = models.PositiveIntegerField(default=0)
    walkins_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="station_day_once")]
        indexes = [models.Index(fields=["day", "station"], name="station_day_by_day")]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.day}"


class StationPolicy(models.Model):
    """Station rules a union sets for its subtree; the nearest ancestor's row applies (rules.DEFAULTS)."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="station_policy")
    checkin_gap_hours = models.PositiveSmallIntegerField(_("hours between two check-ins"), default=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(checkin_gap_hours__gte=1, checkin_gap_hours__lte=168),
                name="station_policy_gap_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.checkin_gap_hours}h"
