"""Forms of the worker station pages: the station's details (the console, and the portal page where a
station's manager keeps it), managers, photos, walk-ins and the check-in gap. They check shape and turn the
typed opening hours into data with stations.rules; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.stations import rules
from gonghui.stations.models import Amenity, Station, StationStatus
from gonghui.stations.services import StationInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DAY_HELP = _("For example 08:00-20:00, or 08:00-12:00, 14:00-18:00; empty when closed that day.")


class StationForm(forms.Form):
    code = forms.CharField(
        label=_("Station code"),
        max_length=32,
        help_text=_("Capital letters, digits and hyphens: ZJ-HZ-0001."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=200)
    division_code = forms.CharField(label=_("Division code"), max_length=6, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    datum = forms.ChoiceField(
        label=_("Coordinates from"),
        choices=[
            ("wgs84", _("GPS or a phone's location (WGS-84)")),
            ("gcj02", _("A Chinese online map (GCJ-02), converted to WGS-84")),
        ],
        initial="wgs84",
    )
    always = forms.BooleanField(label=_("Open 24 hours"), required=False)
    closures = forms.CharField(
        label=_("Closed on"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One closure a line: first day, last day, note (2026-10-01 2026-10-03 National Day)."),
    )
    amenities = forms.MultipleChoiceField(
        label=_("Amenities"), choices=Amenity.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(label=_("Status"), choices=StationStatus.choices, initial=StationStatus.OPEN)
    notes = forms.CharField(
        label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, with_code: bool = True, manager: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]
        if manager:
            # A manager opens or pauses the station; closing it down is the union's decision.
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (k, v) for k, v in StationStatus.choices if k != StationStatus.CLOSED
            ]
        for d in range(7):
            self.fields[f"day{d}"] = forms.CharField(
                label=rules.WEEKDAYS[d], max_length=80, required=False, help_text=DAY_HELP if d == 0 else ""
            )
        self.hours: dict[str, Any] | None = None

    @property
    def day_fields(self) -> list[Any]:
        return [self[f"day{d}"] for d in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.hours = rules.hours_from_text(
                always=bool(data.get("always")),
                days=[data.get(f"day{d}", "") or "" for d in range(7)],
                closures=data.get("closures", "") or "",
            )
        except rules.HoursError as exc:
            target = (
                exc.field if exc.field in self.fields else ("closures" if exc.field == "closures" else None)
            )
            self.add_error(target, str(exc.message))
        return data

    def station_input(self) -> StationInput:
        d = self.cleaned_data
        assert self.hours is not None
        return StationInput(
            name=d["name"],
            address=d["address"],
            lat=d["lat"],
            lng=d["lng"],
            datum=d["datum"],
            hours=self.hours,
            amenities=d.get("amenities") or [],
            division_code=d.get("division_code", ""),
            phone=d.get("phone", ""),
            notes=d.get("notes", ""),
            status=d["status"],
        )


def station_initial(station: Station) -> dict[str, Any]:
    hours = station.hours or {}
    initial: dict[str, Any] = {
        "code": station.code,
        "name": station.name,
        "address": station.address,
        "division_code": station.division_code,
        "phone": station.phone,
        "lat": station.lat,
        "lng": station.lng,
        "datum": "wgs84",
        "always": bool(hours.get("always")),
        "closures": rules.closures_text(hours),
        "amenities": station.amenity_list,
        "status": station.status,
        "notes": station.notes,
    }
    for d in range(7):
        initial[f"day{d}"] = "" if hours.get("always") else rules.day_text(hours, d)
    return initial


class ManagerForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number of the station's manager"), max_length=20)


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo (PNG or JPEG, at most 5 MB)"))
    caption = forms.CharField(label=_("Photo caption"), max_length=100, required=False)


class WalkinForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    count = forms.IntegerField(
        label=_("People without a phone who used the station"), min_value=0, max_value=5000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"day": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PolicyForm(forms.Form):
    checkin_gap_hours = forms.IntegerField(
        label=_("Hours before the same person's check-in at the same station counts again"),
        min_value=1,
        max_value=168,
    )


class StationFilterForm(forms.Form):
    q = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": _("Name, code or address")}), label=""
    )
    status = forms.ChoiceField(
        required=False, choices=[("", _("All statuses")), *StationStatus.choices], label=""
    )
