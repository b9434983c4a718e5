"""Cadre pages of worker stations (工会驿站, DOMAIN §5): the stations of the current union's subtree with
their recent use, registering and editing a station, its managers, photos, QR code and door poster, walk-in
tallies, statistics rolled up the tree with charts, and the check-in gap.

Reads need "services.view", writes "station.manage" (checked again by the services). Each view is an
access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require
from gonghui.portal.views.stations import checkin_url, image_response
from gonghui.stations import documents, rules, selectors, services
from gonghui.stations.models import Station

from ..forms_stations import (
    ManagerForm,
    PhotoForm,
    PolicyForm,
    StationFilterForm,
    StationForm,
    WalkinForm,
    station_initial,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _after(request: ConsoleRequest, station: Station, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("console:station_detail", station_id=station.pk)


@console_view
def station_list(request: ConsoleRequest) -> HttpResponse:
    """Stations of the current union's subtree, each with its uses in the last 30 days."""
    require(actor=request.user, perm=VIEW, org=request.org)
    form = StationFilterForm(request.GET)
    f = form.cleaned_data if form.is_valid() else {}
    stations = selectors.station_list(
        actor=request.user, org=request.org, q=f.get("q", ""), status=f.get("status", "")
    )
    page = _page(request, stations)
    now = timezone.now()
    for s in page.object_list:
        s.open_now = s.status == "open" and rules.is_open(s.hours, now)
    return render(
        request,
        "console/stations/list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "may_manage": actor_can(request.user, MANAGE, request.org),
        },
    )


@console_view
def station_new(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=MANAGE, org=request.org)
    form = StationForm(
        request.POST or None,
        initial={"division_code": request.org.division_code, **{f"day{d}": "08:00-20:00" for d in range(7)}},
    )
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_create(
                actor=request.user, org=request.org, code=form.cleaned_data["code"], data=form.station_input()
            )
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The station was registered."))
            return redirect("console:station_detail", station_id=station.pk)
    return render(request, "console/stations/form.html", {"form": form, "station": None})


@console_view
def station_detail(request: ConsoleRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id)
    may_manage = actor_can(request.user, MANAGE, station.org)
    today = timezone.localdate()
    since = today - datetime.timedelta(days=29)
    days = {d.day: d for d in selectors.station_days(station=station, since=since, until=today)}
    labels, checkins, walkins = [], [], []
    for i in range(30):
        day = since + datetime.timedelta(days=i)
        row = days.get(day)
        labels.append(day.strftime("%m-%d"))
        checkins.append(row.checkins if row else 0)
        walkins.append(row.walkins if row else 0)
    chart = {
        "labels": labels,
        "series": [{"name": _("Check-ins"), "data": checkins}, {"name": _("Walk-ins"), "data": walkins}],
    }
    url = checkin_url(request, station)
    return render(
        request,
        "console/stations/detail.html",
        {
            "station": station,
            "open_now": station.status == "open" and rules.is_open(station.hours, timezone.now()),
            "week": rules.week_table(station.hours or {}),
            "closures": (station.hours or {}).get("closures", []),
            "photos": selectors.station_photos(station=station),
            "managers": selectors.station_managers(station=station),
            "gap": selectors.checkin_gap_hours(org=station.org),
            "qr": documents.qr_svg(url),
            "checkin_url": url,
            "chart": chart,
            "total_30": sum(checkins) + sum(walkins),
            "may_manage": may_manage,
            "manager_form": ManagerForm(),
            "photo_form": PhotoForm(),
            "walkin_form": WalkinForm(),
        },
    )


@console_view
def station_edit(request: ConsoleRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    form = StationForm(request.POST or None, with_code=False, initial=station_initial(station))
    if request.method == "POST" and form.is_valid():
        try:
            services.station_update(actor=request.user, station=station, data=form.station_input())
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The station was saved."))
            return redirect("console:station_detail", station_id=station.pk)
    return render(request, "console/stations/form.html", {"form": form, "station": station})


@console_view
@require_POST
def station_manager_add(request: ConsoleRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    mobile = request.POST.get("mobile", "")
    return _after(
        request,
        station,
        lambda: services.station_manager_add(actor=request.user, station=station, mobile=mobile),
        _("The manager was added; they keep the station from the portal."),
    )


@console_view
@require_POST
def station_manager_remove(request: ConsoleRequest, station_id: int, user_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    return _after(
        request,
        station,
        lambda: services.station_manager_remove(actor=request.user, station=station, user_id=user_id),
        _("The manager was removed."),
    )


@console_view
@require_POST
def station_photo_add(request: ConsoleRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo."))
        return redirect("console:station_detail", station_id=station.pk)
    return _after(
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


@console_view
def station_photo(request: ConsoleRequest, station_id: int, photo_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id)
    return cast(HttpResponse, image_response(selectors.photo_get(station=station, photo_id=photo_id)))


@console_view
@require_POST
def station_photo_remove(request: ConsoleRequest, station_id: int, photo_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    photo = selectors.photo_get(station=station, photo_id=photo_id)
    return _after(
        request,
        station,
        lambda: services.station_photo_remove(actor=request.user, station=station, photo=photo),
        _("The photo was removed."),
    )


@console_view
@require_POST
def station_walkins(request: ConsoleRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    form = WalkinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day and a number from 0 to 5000."))
        return redirect("console:station_detail", station_id=station.pk)
    d = form.cleaned_data
    return _after(
        request,
        station,
        lambda: services.station_walkins_record(
            actor=request.user, station=station, day=d["day"], count=d["count"]
        ),
        _("The walk-ins were recorded."),
    )


@console_view
@require_POST
def station_token_renew(request: ConsoleRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id, perm=MANAGE)
    return _after(
        request,
        station,
        lambda: services.station_token_renew(actor=request.user, station=station),
        _("The station has a new QR code; print the new poster, the old one no longer checks in."),
    )


@console_view
def station_poster(request: ConsoleRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get(actor=request.user, station_id=station_id)
    pdf = documents.poster_pdf(station, checkin_url(request, station))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="station-{station.code}.pdf"'
    return response


# --- statistics and rules -------------------------------------------------------------------------------------


@console_view
def station_stats(request: ConsoleRequest) -> HttpResponse:
    """Uses of the stations of the current union's subtree: totals, per day, per month, per union below and
    the busiest stations."""
    require(actor=request.user, perm=VIEW, org=request.org)
    try:
        days = max(7, min(int(request.GET.get("days", 30)), 730))
    except ValueError:
        days = 30
    until = timezone.localdate()
    since = until - datetime.timedelta(days=days - 1)
    stats = selectors.station_stats(actor=request.user, org=request.org, since=since, until=until)
    charts = {
        "day": {
            "labels": [d.strftime("%m-%d") for d, _c, _w in stats.by_day],
            "series": [
                {"name": _("Check-ins"), "data": [c for _d, c, _w in stats.by_day]},
                {"name": _("Walk-ins"), "data": [w for _d, _c, w in stats.by_day]},
            ],
        },
        "union": {
            "labels": [o.short_name or o.name for o, _n, _c, _w in stats.by_union],
            "series": [
                {"name": _("Check-ins"), "data": [c for _o, _n, c, _w in stats.by_union]},
                {"name": _("Walk-ins"), "data": [w for _o, _n, _c, w in stats.by_union]},
            ],
        },
    }
    return render(
        request,
        "console/stations/stats.html",
        {
            "stats": stats,
            "charts": charts,
            "days": days,
            "station_count": sum(stats.stations.values()),
            "open_count": stats.stations.get("open", 0),
        },
    )


@console_view
def station_policy(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=VIEW, org=request.org)
    org = request.org
    gap = selectors.checkin_gap_hours(org=org)
    own = selectors.own_policy(org=org)
    form = PolicyForm(request.POST or None, initial={"checkin_gap_hours": gap})
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            try:
                services.station_policy_set(
                    actor=request.user, org=org, checkin_gap_hours=form.cleaned_data["checkin_gap_hours"]
                )
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The rule was saved for this union and the unions below it."))
                return redirect("console:station_policy")
    return render(
        request,
        "console/stations/policy.html",
        {
            "form": form,
            "gap": gap,
            "own": own,
            "default": rules.DEFAULT_CHECKIN_GAP_HOURS,
            "may_manage": actor_can(request.user, MANAGE, org),
            "list_url": reverse("console:station_list"),
        },
    )
