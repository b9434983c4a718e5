"""Cadre pages of rights protection (DOMAIN §4): the request queue (overdue first), one request with its record
and the handling steps, a hotline call recorded on a worker's behalf, statistics with charts, and the union's
service levels.

Each view is an access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.masking import mask_mobile
from gonghui.core.uploads import attachment_response
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.services import require
from gonghui.rights import selectors, services
from gonghui.rights.models import Case, CaseStatus, Stage

from ..forms import (
    CaseCallForm,
    CaseCloseForm,
    CaseDocumentForm,
    CaseFilterForm,
    CaseHandoverForm,
    CaseRecordForm,
    CaseTransferForm,
    RightsPolicyForm,
    ServiceLevelForm,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

PERM = "case.handle"


def _input(d: dict[str, Any]) -> services.CaseInput:
    return services.CaseInput(
        category=d["category"],
        description=d["description"],
        employer_name=d.get("employer_name", ""),
        employer_uscc=d.get("employer_uscc", ""),
        work_division_code=d.get("work_division_code", ""),
        work_place=d.get("work_place", ""),
        workers_affected=d["workers_affected"],
        contact_name=d.get("contact_name", ""),
        contact_mobile=d.get("contact_mobile", ""),
    )


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


# --- the queue -----------------------------------------------------------------------------------------------


@console_view
def case_list(request: ConsoleRequest) -> HttpResponse:
    """Requests of the current union's subtree and those escalated to it; the most urgent first."""
    require(actor=request.user, perm=PERM, org=request.org)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = CaseFilterForm(data)
    f = form.cleaned_data if form.is_valid() else {"status": "open"}
    today = timezone.localdate()
    queue = selectors.case_queue(
        actor=request.user,
        org=request.org,
        status=f.get("status", "open"),
        due=f.get("due", ""),
        category=f.get("category", ""),
        mine=bool(f.get("mine")),
        q=f.get("q", ""),
        today=today,
    )
    return render(
        request,
        "console/rights/case_list.html",
        {
            "form": form,
            "page": _page(request, queue),
            "query": _query_without_page(request),
            "today": today,
            "soon": today + datetime.timedelta(days=2),
        },
    )


@console_view
def case_call(request: ConsoleRequest) -> HttpResponse:
    """Record a 12351 call on the caller's behalf."""
    require(actor=request.user, perm=PERM, org=request.org)
    form = CaseCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case, code = services.case_record_call(
                actor=request.user, org=request.org, data=_input(d), anonymous=d["anonymous"], keep=d["keep"]
            )
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(
                request,
                _("Recorded as %(number)s and sent to %(org)s. Tell the caller the follow-up code: %(code)s")
                % {"number": case.number, "org": case.org.name, "code": code},
            )
            try:
                selectors.case_get(actor=request.user, case_id=case.pk)
            except (NotFound, PermissionDenied):
                return redirect("console:rights_list")  # handed to a union the operator may not handle
            return redirect("console:rights_case", case_id=case.pk)
    return render(request, "console/rights/call.html", {"form": form})


# --- one request ---------------------------------------------------------------------------------------------


def _stages(case: Case, today: datetime.date) -> list[dict[str, Any]]:
    rows = []
    done_at: dict[str, datetime.datetime | None] = {
        Stage.ACK: case.acknowledged_at,
        Stage.RESPOND: case.responded_at,
        Stage.CONCLUDE: case.closed_at,
    }
    dues = {stage: case.due_for(stage) for stage in Stage.values}
    escalated = set(case.escalated.split(",")) - {""}
    for stage, label in Stage.choices:
        at = done_at[stage]
        due = dues[stage]
        rows.append(
            {
                "label": label,
                "due": due,
                "done_at": at,
                "late": (timezone.localdate(at) > due) if at else today > due,
                "escalated": stage in escalated,
            }
        )
    return rows


@console_view
def case_detail(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    today = timezone.localdate()
    handover = CaseHandoverForm()
    handover.fields["to_user"].choices = [  # type: ignore[attr-defined]
        (u.pk, u.real_name) for u in selectors.handlers_for(org=case.org) if u.pk != case.handler_id
    ]
    transfer = CaseTransferForm()
    may_act = org_selectors.actor_can(request.user, PERM, case.org)
    is_handler = case.handler_id == request.user.pk
    supervises = case.org.parent is not None and org_selectors.actor_can(request.user, PERM, case.org.parent)
    return render(
        request,
        "console/rights/case_detail.html",
        {
            "case": case,
            "events": selectors.case_events(case=case),
            "documents": selectors.case_documents(case=case),
            "stages": _stages(case, today),
            "masked_mobile": mask_mobile(case.contact_mobile),
            "may_act": may_act,
            "may_handle": case.is_open and case.handler_id is not None and (is_handler or supervises),
            "may_take": case.is_open and case.handler_id is None and may_act,
            "record_form": CaseRecordForm(),
            "document_form": CaseDocumentForm(),
            "handover_form": handover,
            "transfer_form": transfer,
            "transfer_choices": selectors.transfer_targets(org=case.org),
            "close_form": CaseCloseForm(),
            "open": case.status != CaseStatus.CLOSED,
        },
    )


def _after(request: ConsoleRequest, case_id: int, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    try:
        selectors.case_get(actor=request.user, case_id=case_id)
    except (NotFound, PermissionDenied):
        return redirect("console:rights_list")  # transferred to a union the actor may not handle
    return redirect("console:rights_case", case_id=case_id)


@console_view
@require_POST
def case_acknowledge(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    return _after(
        request,
        case_id,
        lambda: services.case_acknowledge(actor=request.user, case=case),
        _("You handle this request now; the worker was told."),
    )


@console_view
@require_POST
def case_record(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    form = CaseRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what happened."))
        return redirect("console:rights_case", case_id=case_id)
    d = form.cleaned_data
    return _after(
        request,
        case_id,
        lambda: services.case_record(actor=request.user, case=case, kind=d["kind"], text=d["text"]),
        _("Added to the record."),
    )


@console_view
@require_POST
def case_document_add(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    form = CaseDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("console:rights_case", case_id=case_id)
    return _after(
        request,
        case_id,
        lambda: services.case_document_add(actor=request.user, case=case, file=form.cleaned_data["file"]),
        _("The document was added."),
    )


@console_view
def case_document(request: ConsoleRequest, case_id: int, document_id: int) -> HttpResponse:
    doc, handle = services.case_document_open(actor=request.user, case_id=case_id, document_id=document_id)
    # A streaming response; console_view is typed for HttpResponse but passes any response through.
    return cast(
        HttpResponse, attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)
    )


@console_view
@require_POST
def case_handover(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    wanted = request.POST.get("to_user", "")
    to_user = next((u for u in selectors.handlers_for(org=case.org) if str(u.pk) == wanted), None)
    note = request.POST.get("note", "")
    return _after(
        request,
        case_id,
        lambda: services.case_handover(actor=request.user, case=case, to_user=to_user, note=note),
        _("Handed over."),
    )


@console_view
@require_POST
def case_transfer(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    org_id = request.POST.get("to_org", "")
    target = selectors.transfer_target_get(
        org_id=int(org_id) if org_id.isdigit() else None, code=request.POST.get("to_org_code") or ""
    )
    if target is None:
        messages.error(request, _("Choose the union to transfer to, or type its code."))
        return redirect("console:rights_case", case_id=case_id)
    reason = request.POST.get("reason", "")
    return _after(
        request,
        case_id,
        lambda: services.case_transfer(actor=request.user, case=case, to_org=target, reason=reason),
        _("Transferred to %(org)s.") % {"org": target.name},
    )


@console_view
@require_POST
def case_close(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    outcome = request.POST.get("outcome", "")
    summary = request.POST.get("summary", "")
    return _after(
        request,
        case_id,
        lambda: services.case_close(actor=request.user, case=case, outcome=outcome, summary=summary),
        _("The request was closed and the worker asked to rate it."),
    )


# --- statistics and rules ------------------------------------------------------------------------------------


@console_view
def case_stats(request: ConsoleRequest) -> HttpResponse:
    """Counts of the current union's subtree, with charts: by category, by union, by outcome."""
    require(actor=request.user, perm=PERM, org=request.org)
    try:
        days = max(1, min(int(request.GET.get("days", 365)), 3650))
    except ValueError:
        days = 365
    since = timezone.localdate() - datetime.timedelta(days=days)
    stats = selectors.case_stats(actor=request.user, org=request.org, since=since)
    charts = {
        "category": {
            "labels": [label for label, _n in stats.by_category],
            "series": [{"name": _("Requests"), "data": [n for _label, n in stats.by_category]}],
        },
        "union": {
            "labels": [o.short_name or o.name for o, _n, _o in stats.by_union],
            "series": [
                {"name": _("Requests"), "data": [n for _o, n, _open in stats.by_union]},
                {"name": _("Open"), "data": [open_ for _o, _n, open_ in stats.by_union]},
            ],
        },
        "outcome": {
            "type": "pie",
            "labels": [label for label, _n in stats.by_outcome],
            "values": [n for _label, n in stats.by_outcome],
        },
    }
    return render(
        request, "console/rights/stats.html", {"stats": stats, "charts": charts, "days": days, "since": since}
    )


@console_view
def levels(request: ConsoleRequest) -> HttpResponse:
    """The service levels in force at the current union and where each comes from; an administrator sets
    the union's own."""
    org = request.org
    require(actor=request.user, perm=PERM, org=org)
    may_change = org_selectors.actor_can(request.user, "org.change", org)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    level_form = ServiceLevelForm(request.POST if action == "level" else None)
    policy = selectors.policy_for(org)
    policy_form = RightsPolicyForm(
        request.POST if action == "policy" else None,
        initial={"remind_workdays_before": policy.remind_workdays_before, "reopen_days": policy.reopen_days},
    )
    if action == "level" and level_form.is_valid():
        try:
            services.service_level_set(actor=request.user, org=org, **level_form.cleaned_data)
        except ServiceError as exc:
            _show(level_form, exc)
        else:
            messages.success(request, _("The service level was saved; it applies to new requests."))
            return redirect("console:rights_levels")
    if action == "policy" and policy_form.is_valid():
        try:
            services.rights_policy_set(actor=request.user, org=org, **policy_form.cleaned_data)
        except ServiceError as exc:
            _show(policy_form, exc)
        else:
            messages.success(request, _("The rules were saved."))
            return redirect("console:rights_levels")
    return render(
        request,
        "console/rights/levels.html",
        {
            "table": selectors.levels_table(org),
            "may_change": may_change,
            "level_form": level_form,
            "policy_form": policy_form,
            "policy": policy,
        },
    )
