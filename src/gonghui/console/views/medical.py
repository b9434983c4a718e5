"""Cadre pages of mutual medical aid (DOMAIN §5): the claims queue, one claim with review and payment, a claim
on a member's behalf, enrolment of the unit's members (all, or an xlsx of member numbers), the plan in force and
the roll-up with a chart.

Each view is an access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import PermissionDenied, ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.medical import selectors, services
from gonghui.medical.models import Claim, ClaimStatus
from gonghui.orgs.services import require

from ..forms_medical import (
    ApproveForm,
    ClaimFilterForm,
    ClaimOnBehalfForm,
    EnrolImportForm,
    PayForm,
    PlanForm,
    ReasonForm,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


def _year(request: ConsoleRequest) -> int:
    try:
        return max(2000, min(int(request.GET.get("year", "")), 2100))
    except ValueError:
        return timezone.localdate().year


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


# --- claims ----------------------------------------------------------------------------------------------------


@console_view
def claim_list(request: ConsoleRequest) -> HttpResponse:
    """Claims of the current union's subtree, the oldest waiting first."""
    require(actor=request.user, perm=VIEW, org=request.org)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = ClaimFilterForm(data)
    f = form.cleaned_data if form.is_valid() else {"status": "open"}
    queue = selectors.claim_queue(
        actor=request.user, org=request.org, status=f.get("status", "open"), kind=f.get("kind", "")
    )
    return render(
        request,
        "console/medical/claim_list.html",
        {"form": form, "page": _page(request, queue), "query": _query_without_page(request)},
    )


@console_view
def claim_new(request: ConsoleRequest) -> HttpResponse:
    """A claim on a member's behalf (the member brought the papers to the union)."""
    org = request.org
    require(actor=request.user, perm=MANAGE, org=org)
    plan = selectors.plan_in_force(org, timezone.localdate().year)
    form = ClaimOnBehalfForm(request.POST or None, request.FILES or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = selectors.member_by_number(org=org, number=d["member_number"])
        if member is None:
            form.add_error("member_number", _("No such member in this union."))
        else:
            try:
                claim = services.claim_submit(
                    actor=request.user, member=member, data=_claim_input(d), documents=form.documents()
                )
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Claim %(number)s was recorded.") % {"number": claim.number})
                return redirect("console:medical_claim", claim_id=claim.pk)
    return render(request, "console/medical/claim_new.html", {"form": form, "plan": plan})


def _claim_input(d: dict[str, Any]) -> services.ClaimInput:
    from decimal import Decimal

    return services.ClaimInput(
        kind=d["kind"],
        event_on=d["event_on"],
        discharged_on=d.get("discharged_on"),
        hospital=d["hospital"],
        total_amount=d.get("total_amount") or Decimal(0),
        insurance_amount=d.get("insurance_amount") or Decimal(0),
        out_of_pocket=d.get("out_of_pocket") or Decimal(0),
        item_code=d.get("item_code") or "",
    )


@console_view
def claim_detail(request: ConsoleRequest, claim_id: int) -> HttpResponse:
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    may_decide = selectors.actor_can(request.user, MANAGE, claim.org)
    return render(
        request,
        "console/medical/claim_detail.html",
        {
            "claim": claim,
            "documents": selectors.claim_documents(claim=claim),
            "events": selectors.claim_events(claim=claim),
            "may_decide": may_decide and claim.is_open,
            "may_pay": may_decide and claim.status == ClaimStatus.APPROVED,
            "approve_form": ApproveForm(),
            "reason_form": ReasonForm(),
            "pay_form": PayForm(initial={"paid_on": timezone.localdate()}),
        },
    )


def _act(
    request: ConsoleRequest, claim_id: int, form_class: type, act: Callable[[Claim, dict], Any]
) -> HttpResponse:
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id, perm=MANAGE)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("console:medical_claim", claim_id=claim_id)
    try:
        act(claim, form.cleaned_data)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved; the member was told."))
    return redirect("console:medical_claim", claim_id=claim_id)


@console_view
@require_POST
def claim_approve(request: ConsoleRequest, claim_id: int) -> HttpResponse:
    return _act(
        request,
        claim_id,
        ApproveForm,
        lambda c, d: services.claim_approve(
            actor=request.user, claim=c, amount=d["amount"], reason=d["reason"]
        ),
    )


@console_view
@require_POST
def claim_reject(request: ConsoleRequest, claim_id: int) -> HttpResponse:
    return _act(
        request,
        claim_id,
        ReasonForm,
        lambda c, d: services.claim_reject(actor=request.user, claim=c, reason=d["reason"]),
    )


@console_view
@require_POST
def claim_ask(request: ConsoleRequest, claim_id: int) -> HttpResponse:
    return _act(
        request,
        claim_id,
        ReasonForm,
        lambda c, d: services.claim_ask_documents(actor=request.user, claim=c, reason=d["reason"]),
    )


@console_view
@require_POST
def claim_pay(request: ConsoleRequest, claim_id: int) -> HttpResponse:
    return _act(
        request,
        claim_id,
        PayForm,
        lambda c, d: services.claim_pay(
            actor=request.user, claim=c, payment_ref=d["payment_ref"], paid_on=d.get("paid_on")
        ),
    )


@console_view
def claim_document(request: ConsoleRequest, document_id: int) -> HttpResponse:
    doc, handle = services.claim_document_open(actor=request.user, document_id=document_id)
    return cast(
        HttpResponse, attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)
    )


# --- enrolment, plan, statistics -----------------------------------------------------------------------------------


@console_view
def enrolments(request: ConsoleRequest) -> HttpResponse:
    """The union's enrolments for the year; a unit enrols all its live members or a spreadsheet of numbers."""
    org = request.org
    require(actor=request.user, perm=VIEW, org=org)
    year = _year(request)
    may_enrol = selectors.actor_can(request.user, MANAGE, org)
    form = EnrolImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        try:
            if request.POST.get("action") == "all":
                result = services.enrol_members(actor=request.user, org=org, year=year)
            elif form.is_valid():
                numbers = services.enrolment_numbers_from_xlsx(form.cleaned_data["file"])
                result = services.enrol_members(actor=request.user, org=org, year=year, numbers=numbers)
        except ServiceError as exc:
            _show(form, exc)
        if result is not None:
            messages.success(
                request,
                _("%(created)s enrolled, %(already)s already enrolled, %(bad)s rows with problems.")
                % {"created": result.created, "already": result.already, "bad": len(result.problems)},
            )
    rows = selectors.enrolments(actor=request.user, org=org, year=year, q=request.GET.get("q", "")[:40])
    return render(
        request,
        "console/medical/enrolments.html",
        {
            "year": year,
            "plans": selectors.plans_for(org, year),
            "may_enrol": may_enrol,
            "waiting": selectors.unenrolled_members(org=org, year=year).count(),
            "form": form,
            "result": result,
            "page": _page(request, rows),
            "query": _query_without_page(request),
        },
    )


@console_view
def plan(request: ConsoleRequest) -> HttpResponse:
    """The plans in force at the current union for the year, with their payout schedule."""
    org = request.org
    require(actor=request.user, perm=VIEW, org=org)
    year = _year(request)
    plans = selectors.plans_for(org, year)
    may_set = org.kind in services.PLAN_KINDS and selectors.actor_can(request.user, MANAGE, org)
    own = next((p for p in plans if p.org_id == org.pk), None)
    form = None
    if may_set:
        initial = PlanForm.initial_from(own) if own else {"year": year}
        form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form is None:
            raise PermissionDenied(_("Medical aid plans are set by a province or city federation."))
        if form.is_valid():
            try:
                services.plan_set(actor=request.user, org=org, data=services.PlanInput(**form.cleaned_data))
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The plan was saved."))
                return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    return render(request, "console/medical/plan.html", {"year": year, "plans": plans, "form": form})


@console_view
def stats(request: ConsoleRequest) -> HttpResponse:
    """Enrolled members, claims by state and amounts paid, for the subtree and per child union."""
    require(actor=request.user, perm=VIEW, org=request.org)
    year = _year(request)
    s = selectors.medical_stats(actor=request.user, org=request.org, year=year)
    labels = dict(ClaimStatus.choices)
    charts = {
        "union": {
            "labels": [r.org.short_name or r.org.name for r in s.by_union],
            "series": [
                {"name": _("Enrolled"), "data": [r.enrolled for r in s.by_union]},
                {"name": _("Claims"), "data": [r.claims for r in s.by_union]},
            ],
        },
        "status": {
            "type": "pie",
            "labels": [str(labels.get(k, k)) for k in s.by_status],
            "values": list(s.by_status.values()),
        },
        "paid": {
            "labels": [str(y) for y, _t in s.paid_by_year],
            "series": [{"name": _("Paid (yuan)"), "data": [float(t) for _y, t in s.paid_by_year]}],
        },
    }
    statuses = [(str(labels[k]), s.by_status.get(k, 0)) for k in ClaimStatus.values]
    return render(
        request,
        "console/medical/stats.html",
        {"stats": s, "charts": charts, "year": year, "statuses": statuses},
    )
