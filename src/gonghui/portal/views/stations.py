"""Worker stations in the portal (工会驿站, DOMAIN §5).

Anyone may find the nearest open stations: the phone's position (static/js/stations.js asks the browser for
it; WGS-84), or, when the person does not share it, a district chosen from a list or a name, address or
division code typed in. Each station's page shows its hours, amenities, photos and a geo: link that opens the
phone's map app. Scanning the QR code on the station's door opens the check-in page; a signed-in worker checks
in with one tap, anyone else is asked to sign in first.

A station's managers keep its details here (hours, amenities, photos, walk-in tallies, the door poster)
without any role in the console.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.security import CONTENT_SECURITY_POLICY
from gonghui.core.uploads import media_path
from gonghui.stations import documents, rules, selectors, services
from gonghui.stations.models import Amenity, Station, StationPhoto


def checkin_url(request: HttpRequest, station: Station) -> str:
    """The absolute address the station's QR code holds: the portal's check-in page with its token."""
    return request.build_absolute_uri(reverse("portal:station_checkin", args=[station.token]))


def image_response(photo: StationPhoto) -> HttpResponse | FileResponse:
    """A stored station photo shown inline: its type was decided from its content at upload (PNG or JPEG
    only), and nosniff with a closed CSP keeps the browser from treating it as anything else."""
    try:
        handle = open(media_path(photo.stored_path), "rb")  # noqa: SIM115 - FileResponse closes it
    except (OSError, ValueError):
        return HttpResponse(status=404)
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def tile_source(url: str) -> str:
    from gonghui.console.views.rights_risk import tile_source as source

    return source(url)


class FindForm(forms.Form):
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    amenity = forms.ChoiceField(
        label=gettext_lazy("Must have"),
        required=False,
        choices=[("", gettext_lazy("Any amenity")), *Amenity.choices],
    )
    all = forms.BooleanField(label=gettext_lazy("Also show stations closed at this hour"), required=False)
    division = forms.CharField(required=False, max_length=6)
    q = forms.CharField(
        label=gettext_lazy("Or type a place"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("Street, address, station name or division code")}
        ),
    )


def _map_data(here: tuple[float, float] | None, results: list[selectors.Nearby]) -> dict[str, Any]:
    tiles = getattr(settings, "GONGHUI_MAP_TILE_URL", "") or ""
    return {
        "tiles": tiles if tile_source(tiles) else "",
        "attribution": getattr(settings, "GONGHUI_MAP_ATTRIBUTION", "") or "",
        "here": {"lat": here[0], "lng": here[1]} if here else None,
        "points": [
            {
                "lat": n.station.lat,
                "lng": n.station.lng,
                "name": n.station.name,
                "url": reverse("portal:station_detail", args=[n.station.pk]),
                "open": n.open_now,
                "distance": n.distance_km,
            }
            for n in results
        ],
    }


def station_find(request: HttpRequest) -> HttpResponse:
    """Find a station: by the phone's position, a chosen district, or typed text."""
    form = FindForm(request.GET or None)
    divisions = selectors.division_choices()
    results: list[selectors.Nearby] = []
    mode, here, place = "", None, ""
    error = ""
    if form.is_valid():
        d = form.cleaned_data
        open_now = not d.get("all")
        try:
            if d.get("lat") is not None and d.get("lng") is not None:
                services.station_search_throttle()
                here, mode = (d["lat"], d["lng"]), "near"
            elif d.get("division"):
                chosen = next((v for v in divisions if v.code == d["division"]), None)
                if chosen is not None:
                    services.station_search_throttle()
                    here, mode, place = (chosen.lat, chosen.lng), "division", chosen.label
            elif d.get("q"):
                services.station_search_throttle()
                mode = "text"
                results = selectors.text_search(q=d["q"])
            if here is not None:
                results = selectors.nearest_stations(
                    lat=here[0], lng=here[1], k=10, amenity=d.get("amenity", ""), open_now=open_now
                )
        except ServiceError as exc:
            if exc.status != 429:
                raise
            error = str(exc.message)
    data = _map_data(here if mode == "near" else None, results)
    response = render(
        request,
        "portal/stations/find.html",
        {
            "form": form,
            "divisions": divisions,
            "results": results,
            "mode": mode,
            "place": place,
            "error": error,
            "map_data": data,
            "has_map": bool(data["tiles"]) and bool(results),
        },
        status=429 if error else 200,
    )
    source = tile_source(data["tiles"]) if data["tiles"] else ""
    if source:
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:", f"img-src 'self' data: {source}"
        )
    return response


def _station_context(request: HttpRequest, station: Station) -> dict[str, Any]:
    now = timezone.now()
    hours = station.hours or {}
    today = timezone.localdate(now)
    return {
        "station": station,
        "open_now": station.status == "open" and rules.is_open(hours, now),
        "week": rules.week_table(hours),
        "today": today.weekday(),
        "closure_today": rules.closed_on(hours, today),
        "closures": [c for c in hours.get("closures", []) if c["to"] >= today.isoformat()],
        "always": bool(hours.get("always")),
        "photos": selectors.station_photos(station=station),
        "geo": rules.geo_uri(station.lat, station.lng, station.name),
        "may_edit": request.user.is_authenticated and selectors.may_edit(actor=request.user, station=station),
    }


def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    station = selectors.station_public(station_id=station_id)
    context = _station_context(request, station)
    distance = request.GET.get("d", "")
    context["distance"] = (
        selectors.distance_text(float(distance)) if distance.replace(".", "", 1).isdigit() else ""
    )
    return render(request, "portal/stations/detail.html", context)


def station_photo(request: HttpRequest, station_id: int, photo_id: int) -> HttpResponse | FileResponse:
    station = selectors.station_public(station_id=station_id)
    return image_response(selectors.photo_get(station=station, photo_id=photo_id))


def station_checkin(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code on the door opens. A signed-in worker checks in with the button (a POST, so that a
    link preview or a prefetch never records a visit); anyone else is asked to sign in first."""
    station = selectors.station_by_token(token=token)
    result = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        try:
            result = services.station_checkin(user=request.user, token=token)
        except ServiceError as exc:
            if exc.status == 404:
                raise
            messages.error(request, str(exc.message))
        else:
            if result.created:
                messages.success(request, _("Checked in. Welcome to the station!"))
            else:
                at = timezone.localtime(result.visit.at)
                messages.info(
                    request,
                    _("You already checked in here at %(time)s; a new check-in counts after %(n)s hours.")
                    % {"time": at.strftime("%H:%M"), "n": result.gap_hours},
                )
        return redirect("portal:station_checkin", token=token)
    context = _station_context(request, station)
    context["token"] = token
    return render(request, "portal/stations/checkin.html", context)


# --- the station's managers ------------------------------------------------------------------------------------


@login_required
def station_mine(request: HttpRequest) -> HttpResponse:
    stations = list(selectors.managed_stations(user=request.user))
    now = timezone.now()
    for s in stations:
        s.open_now = s.status == "open" and rules.is_open(s.hours, now)  # type: ignore[attr-defined]
    return render(request, "portal/stations/mine.html", {"stations": stations})


def _forms() -> dict[str, Any]:
    from gonghui.console.forms_stations import PhotoForm, WalkinForm

    return {"photo_form": PhotoForm(), "walkin_form": WalkinForm()}


@login_required
def station_manage(request: HttpRequest, station_id: int) -> HttpResponse:
    from gonghui.console.forms_stations import StationForm, station_initial

    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    form = StationForm(request.POST or None, with_code=False, manager=True, initial=station_initial(station))
    if request.method == "POST" and form.is_valid():
        try:
            services.station_update(actor=request.user, station=station, data=form.station_input())
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The station was saved."))
            return redirect("portal:station_manage", station_id=station.pk)
    today = timezone.localdate()
    days = selectors.station_days(station=station, since=today.replace(day=1), until=today)
    return render(
        request,
        "portal/stations/manage.html",
        {
            "station": station,
            "form": form,
            "photos": selectors.station_photos(station=station),
            "days": days,
            "month_checkins": sum(d.checkins for d in days),
            "month_walkins": sum(d.walkins for d in days),
            **_forms(),
        },
    )


def _back(request: HttpRequest, station: Station, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("portal:station_manage", station_id=station.pk)


@login_required
@require_POST
def station_manage_photo(request: HttpRequest, station_id: int) -> HttpResponse:
    from gonghui.console.forms_stations import PhotoForm

    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo."))
        return redirect("portal:station_manage", station_id=station.pk)
    return _back(
        request,
        station,
        lambda: services.station_photo_add(
            actor=request.user,
            station=station,
            file=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
        ),
        _("The photo was added."),
    )


@login_required
@require_POST
def station_manage_photo_remove(request: HttpRequest, station_id: int, photo_id: int) -> HttpResponse:
    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    photo = selectors.photo_get(station=station, photo_id=photo_id)
    return _back(
        request,
        station,
        lambda: services.station_photo_remove(actor=request.user, station=station, photo=photo),
        _("The photo was removed."),
    )


@login_required
@require_POST
def station_manage_walkins(request: HttpRequest, station_id: int) -> HttpResponse:
    from gonghui.console.forms_stations import WalkinForm

    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    form = WalkinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day and a number from 0 to 5000."))
        return redirect("portal:station_manage", station_id=station.pk)
    d = form.cleaned_data
    return _back(
        request,
        station,
        lambda: services.station_walkins_record(
            actor=request.user, station=station, day=d["day"], count=d["count"]
        ),
        _("The walk-ins were recorded."),
    )


@login_required
def station_manage_poster(request: HttpRequest, station_id: int) -> HttpResponse:
    station = selectors.station_for_edit(actor=request.user, station_id=station_id)
    pdf = documents.poster_pdf(station, checkin_url(request, station))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="station-{station.code}.pdf"'
    return response
