"""Cadre pages of recuperation (疗休养, DOMAIN §5): the batches the current union organises or holds places in
with their counts, one batch with its quotas (split places down, allocate by priority) and the applications
its quotas handle (take a place back, record attendance), and roll-up counts with a chart.

Reads need "services.view", writes "recuperation.manage" (checked again by the services). Each view is an
access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.orgs.selectors import actor_can, org_children, org_get
from gonghui.orgs.services import require
from gonghui.recuperation import selectors, services
from gonghui.recuperation.models import ApplicationStatus

from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


class QuotaForm(forms.Form):
    org = forms.IntegerField(label=gettext_lazy("Union"))
    places = forms.IntegerField(label=gettext_lazy("Places"), min_value=0, max_value=100_000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def _back(
    request: ConsoleRequest, batch_id: int, exc: ServiceError | None = None, ok: str = ""
) -> HttpResponse:
    if exc is not None:
        if exc.status in (403, 404):
            raise exc
        messages.error(request, str(exc.message))
    elif ok:
        messages.success(request, ok)
    return redirect("console:recuperation_batch", batch_id=batch_id)


@console_view
def batch_list(request: ConsoleRequest) -> HttpResponse:
    """Batches organised in the current union's subtree or with places held there, with their counts."""
    year = request.GET.get("year", "")
    batches = selectors.batch_list(
        actor=request.user, org=request.org, year=int(year) if year.isdigit() else None
    )
    return render(
        request,
        "console/recuperation/list.html",
        {"page": _page(request, batches), "query": _query_without_page(request), "year": year},
    )


@console_view
def batch_detail(request: ConsoleRequest, batch_id: int) -> HttpResponse:
    """One batch: its plan, the quotas the actor sees with the places given down and allocated, the split
    and allocate actions of the unions the actor manages, and the applications."""
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    quotas = selectors.batch_quotas(actor=request.user, batch=batch)
    manageable = [q for q in quotas if actor_can(request.user, MANAGE, q.org)]
    status = request.GET.get("status", "")
    apps = selectors.batch_applications(
        actor=request.user, batch=batch, status=status if status in ApplicationStatus.values else ""
    )
    targets = [o for q in manageable for o in org_children(actor=request.user, org=q.org)]
    return render(
        request,
        "console/recuperation/detail.html",
        {
            "batch": batch,
            "quotas": quotas,
            "manageable": manageable,
            "page": _page(request, apps),
            "query": _query_without_page(request),
            "status": status,
            "statuses": ApplicationStatus.choices,
            "window_over": timezone.now() >= batch.closes_at,
            "started": timezone.localdate() >= batch.starts_on,
            "reason_form": ReasonForm(),
            "targets": targets,
        },
    )


@console_view
@require_POST
def quota_set(request: ConsoleRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    form = QuotaForm(request.POST)
    if not form.is_valid():
        return _back(request, batch_id, ServiceError("invalid", _("Choose a union and a number of places.")))
    org = org_get(actor=request.user, org_id=form.cleaned_data["org"])
    try:
        services.quota_set(actor=request.user, batch=batch, org=org, places=form.cleaned_data["places"])
    except ServiceError as exc:
        return _back(request, batch_id, exc)
    return _back(request, batch_id, ok=_("The quota of %(org)s is set.") % {"org": org.name})


@console_view
@require_POST
def quota_allocate(request: ConsoleRequest, quota_id: int) -> HttpResponse:
    quota = selectors.quota_get(actor=request.user, quota_id=quota_id, perm=MANAGE)
    try:
        outcome = services.quota_allocate(actor=request.user, quota=quota)
    except ServiceError as exc:
        return _back(request, quota.batch_id, exc)
    return _back(
        request,
        quota.batch_id,
        ok=_("Allocated %(a)s places; %(w)s on the waiting list.")
        % {"a": outcome.allocated, "w": outcome.waiting},
    )


@console_view
@require_POST
def application_withdraw(request: ConsoleRequest, application_id: int) -> HttpResponse:
    app = selectors.application_get(actor=request.user, application_id=application_id, perm=MANAGE)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _back(request, app.batch_id, ServiceError("reason_required", _("Say why.")))
    try:
        services.application_withdraw(actor=request.user, application=app, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        return _back(request, app.batch_id, exc)
    return _back(request, app.batch_id, ok=_("The place was taken back; the waiting list moved up."))


@console_view
@require_POST
def application_attendance(request: ConsoleRequest, application_id: int) -> HttpResponse:
    app = selectors.application_get(actor=request.user, application_id=application_id, perm=MANAGE)
    try:
        services.application_attendance(
            actor=request.user, application=app, attended=request.POST.get("attended") == "1"
        )
    except ServiceError as exc:
        return _back(request, app.batch_id, exc)
    return _back(request, app.batch_id, ok=_("Attendance recorded."))


@console_view
def stats(request: ConsoleRequest) -> HttpResponse:
    """Roll-up counts of the current union's subtree for a year, per child union, with a chart."""
    require(actor=request.user, perm=VIEW, org=request.org)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    r = selectors.rollup(actor=request.user, org=request.org, year=year)
    chart = {
        "labels": [row["org"].name for row in r.rows],
        "series": [
            {"name": _("Places"), "data": [row["places"] for row in r.rows]},
            {"name": _("Applications"), "data": [row["applications"] for row in r.rows]},
            {"name": _("Allocated"), "data": [row["allocated"] for row in r.rows]},
            {"name": _("Attended"), "data": [row["attended"] for row in r.rows]},
        ],
    }
    return render(request, "console/recuperation/stats.html", {"r": r, "chart": chart, "year": year})
