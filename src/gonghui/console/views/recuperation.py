"""Cadre pages of recuperation (疗休养, DOMAIN §5): the batches the current union organises or holds places in
with their counts, one batch with its quotas (split places down, allocate by priority) and the applications
its quotas handle (take a place back, record attendance), and roll-up counts with a chart; the union's sites,
planning a batch within the spending limit, publishing and cancelling it, the union's rules and the members'
designations (model worker, front-line) that give priority.

Reads need "services.view", writes "recuperation.manage" (checked again by the services). Each view is an
access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from typing import Any

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
from gonghui.recuperation import rules, selectors, services
from gonghui.recuperation.models import ApplicationStatus, BatchStatus

from ..forms_recuperation import BatchForm, DesignationForm, PolicyForm, SiteForm
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


def _show(form: forms.Form, exc: ServiceError) -> None:
    """A refused service call on the form: on the field it names, or above the form; 403/404 are pages."""
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


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
        {
            "page": _page(request, batches),
            "query": _query_without_page(request),
            "year": year,
            "may_manage": actor_can(request.user, MANAGE, request.org),
        },
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
            "may_manage_batch": actor_can(request.user, MANAGE, batch.org),
            "cancelled": batch.status == BatchStatus.CANCELLED,
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


# --- planning: sites, batches, publishing -------------------------------------------------------------------


@console_view
def sites(request: ConsoleRequest) -> HttpResponse:
    """The sites of the current union and the unions below it; a manager adds one for the current union."""
    org = request.org
    rows = selectors.site_list(actor=request.user, org=org)
    may_manage = actor_can(request.user, MANAGE, org)
    form = SiteForm(request.POST or None)
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            try:
                site = services.site_create(actor=request.user, org=org, **form.cleaned_data)
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The site %(name)s was added.") % {"name": site.name})
                return redirect("console:recuperation_sites")
    page = _page(request, rows)
    return render(
        request,
        "console/recuperation/sites.html",
        {
            "page": page,
            "managed": {s.org_id for s in page.object_list if actor_can(request.user, MANAGE, s.org)},
            "query": _query_without_page(request),
            "form": form,
            "may_manage": may_manage,
        },
    )


@console_view
@require_POST
def site_active(request: ConsoleRequest, site_id: int) -> HttpResponse:
    """Retire a site (no new batches there) or take it back into use."""
    site = selectors.site_get(actor=request.user, site_id=site_id, perm=MANAGE)
    active = request.POST.get("active") == "1"
    services.site_set_active(actor=request.user, site=site, active=active)
    messages.success(
        request,
        (_("%(name)s is in use again.") if active else _("%(name)s is retired: no new batches there."))
        % {"name": site.name},
    )
    return redirect("console:recuperation_sites")


def _limit(org: Any) -> dict[str, Any]:
    """The spending rules in force at `org`, for the planner to see before typing a cost."""
    policy = selectors.policy_for(org)
    return {
        "policy": policy,
        "source": policy.org if policy.pk else None,
        "most": rules.cost_limit(days=policy.max_days, daily_limit=policy.daily_limit),
    }


@console_view
def batch_new(request: ConsoleRequest) -> HttpResponse:
    """Plan a draft batch at one of the current union's sites in use, within the spending limit in force."""
    org = request.org
    require(actor=request.user, perm=MANAGE, org=org)
    choices = selectors.site_list(actor=request.user, org=org).filter(org=org, is_active=True)
    form = BatchForm(request.POST or None, sites=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.BatchInput(
            title=d["title"],
            theme=d["theme"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            capacity=d["capacity"],
            opens_at=d["opens_at"],
            closes_at=d["closes_at"],
            cost_per_person=d["cost_per_person"],
            only_designations=list(d["only_designations"]),
        )
        try:
            batch = services.batch_create(actor=request.user, site=d["site"], data=data)
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The batch was saved as a draft; publish it when it is ready."))
            return redirect("console:recuperation_batch", batch_id=batch.pk)
    return render(
        request,
        "console/recuperation/batch_new.html",
        {"form": form, "has_sites": choices.exists(), **_limit(org)},
    )


@console_view
@require_POST
def batch_publish(request: ConsoleRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    try:
        services.batch_publish(actor=request.user, batch=batch)
    except ServiceError as exc:
        return _back(request, batch_id, exc)
    return _back(request, batch_id, ok=_("The batch was published: members below can apply in its window."))


@console_view
@require_POST
def batch_cancel(request: ConsoleRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        require(actor=request.user, perm=MANAGE, org=batch.org)
        return _back(request, batch_id, ServiceError("reason_required", _("Say why the batch is cancelled.")))
    try:
        services.batch_cancel(actor=request.user, batch=batch, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        return _back(request, batch_id, exc)
    return _back(request, batch_id, ok=_("The batch was cancelled; its applicants were told."))


# --- the union's rules and the members' designations ----------------------------------------------------------


@console_view
def policy(request: ConsoleRequest) -> HttpResponse:
    """The recuperation rules in force at the current union (its own, a union's above, or the defaults); a
    manager gives the union its own."""
    org = request.org
    require(actor=request.user, perm=VIEW, org=org)
    limit = _limit(org)
    in_force = limit["policy"]
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_from(in_force))
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            try:
                services.recuperation_policy_set(actor=request.user, org=org, **form.cleaned_data)
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The rules were saved for this union and the unions below it."))
                return redirect("console:recuperation_policy")
    return render(
        request,
        "console/recuperation/policy.html",
        {
            **limit,
            "own": in_force.pk is not None and in_force.org_id == org.pk,
            "form": form,
            "may_manage": actor_can(request.user, MANAGE, org),
        },
    )


@console_view
def designations(request: ConsoleRequest) -> HttpResponse:
    """Model workers and front-line workers of the current union's subtree; a manager records one by member
    number."""
    org = request.org
    rows = selectors.member_designations(actor=request.user, org=org)
    form = DesignationForm(request.POST or None)
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            d = form.cleaned_data
            member = selectors.member_by_number(actor=request.user, number=d["member_number"], org=org)
            if member is None:
                form.add_error("member_number", _("No member with this number in this union."))
            else:
                try:
                    services.designation_add(
                        actor=request.user, member=member, kind=d["kind"], title=d["title"], year=d["year"]
                    )
                except ServiceError as exc:
                    _show(form, exc)
                else:
                    messages.success(request, _("Recorded for %(name)s.") % {"name": member.name})
                    return redirect("console:recuperation_designations")
    return render(
        request,
        "console/recuperation/designations.html",
        {
            "page": _page(request, rows),
            "query": _query_without_page(request),
            "form": form,
            "may_manage": actor_can(request.user, MANAGE, org),
        },
    )


@console_view
@require_POST
def designation_remove(request: ConsoleRequest, designation_id: int) -> HttpResponse:
    row = selectors.designation_get(actor=request.user, designation_id=designation_id, perm=MANAGE)
    name = row.member.name
    try:
        services.designation_remove(actor=request.user, designation=row)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Removed for %(name)s.") % {"name": name})
    return redirect("console:recuperation_designations")
