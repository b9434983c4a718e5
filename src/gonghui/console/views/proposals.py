"""Cadre pages of congress proposals (提案): the committee's queue, one proposal with its decision, assignment,
answer and reassignment, the union's departments, and the report on all proposals and their handling (page,
PDF, workbook, publication to the members).

Each view is an access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.services import require
from gonghui.proposals import documents, rules, selectors, services
from gonghui.proposals.forms import (
    AnswerForm,
    AssignForm,
    DecisionForm,
    DepartmentForm,
    PaperProposalForm,
    ProposalFilterForm,
    RateForm,
)
from gonghui.proposals.models import ProposalStatus

from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = services.MANAGE


@console_view
def proposal_list(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=VIEW, org=request.org)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = ProposalFilterForm(data)
    f = form.cleaned_data if form.is_valid() else {"status": "open"}
    queue = selectors.proposal_queue(
        actor=request.user, org=request.org, status=f.get("status", ""), q=f.get("q", "")
    )
    return render(
        request,
        "console/proposals/list.html",
        {
            "form": form,
            "page": _page(request, queue),
            "query": _query_without_page(request),
            "congresses": selectors.congresses_of(actor=request.user, org=request.org),
        },
    )


def _assign_form(proposal: Any, data: Any = None) -> AssignForm:
    form = AssignForm(data, initial={"workdays": proposal.congress.proposal_answer_days})
    form.fields["department"].choices = [  # type: ignore[attr-defined]
        (d.pk, d.name) for d in selectors.departments(org=proposal.org, active_only=True)
    ]
    return form


@console_view
def proposal_detail(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    p = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    manage = org_selectors.actor_can(request.user, MANAGE, p.org)
    return render(
        request,
        "console/proposals/detail.html",
        {
            "p": p,
            "events": selectors.proposal_events(proposal=p),
            "cosigners": selectors.proposal_cosigners(proposal=p),
            "may_decide": manage and p.status == ProposalStatus.SUBMITTED,
            "may_assign": manage and p.status == ProposalStatus.ACCEPTED,
            "may_answer": manage and p.status == ProposalStatus.ASSIGNED,
            "may_reassign": manage and rules.may_reassign(p.status, p.satisfaction, p.reassigned),
            "paper_cosigners": _paper_cosigners(p) if manage and p.status in rules.COSIGN_OPEN else [],
            "may_record_feedback": manage
            and p.status == ProposalStatus.ANSWERED
            and p.proposer.user_id is None,
            "decision_form": DecisionForm(),
            "assign_form": _assign_form(p),
            "answer_form": AnswerForm(),
            "rate_form": RateForm(),
        },
    )


def _paper_cosigners(p: Any) -> list[Any]:
    """Serving delegates of the congress who may still co-sign on paper: not the proposer, not yet signed."""
    signed = set(p.cosigns.values_list("delegate_id", flat=True))
    return [
        d
        for d in selectors.serving_delegates(congress=p.congress)
        if d.pk != p.proposer_id and d.pk not in signed
    ]


def _after(request: ConsoleRequest, proposal_id: int, action: Callable[[], Any], done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("console:proposal", proposal_id=proposal_id)


@console_view
@require_POST
def proposal_decide(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    p = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    decision, note = request.POST.get("decision", ""), request.POST.get("note", "")
    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "accept": (
            lambda: services.proposal_accept(actor=request.user, proposal=p, note=note),
            _("The proposal was accepted."),
        ),
        "convert": (
            lambda: services.proposal_convert(actor=request.user, proposal=p, note=note),
            _("The proposal was turned into a rationalisation suggestion."),
        ),
        "reject": (
            lambda: services.proposal_reject(actor=request.user, proposal=p, reason=note),
            _("The proposal was not accepted."),
        ),
    }
    if decision not in actions:
        require(actor=request.user, perm=MANAGE, org=p.org)
        messages.error(request, _("Choose the committee's decision."))
        return redirect("console:proposal", proposal_id=proposal_id)
    action, done = actions[decision]
    return _after(request, proposal_id, action, done)


def _department(p: Any, value: str) -> Any:
    return next((d for d in selectors.departments(org=p.org, active_only=True) if str(d.pk) == value), None)


def _workdays(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@console_view
@require_POST
def proposal_assign(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    p = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    department = _department(p, request.POST.get("department", ""))
    workdays = _workdays(request.POST.get("workdays", ""))
    return _after(
        request,
        proposal_id,
        lambda: services.proposal_assign(
            actor=request.user, proposal=p, department=department, workdays=workdays
        ),
        _("The proposal was assigned; the department was told."),
    )


@console_view
@require_POST
def proposal_reassign(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    p = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    department = _department(p, request.POST.get("department", ""))
    workdays = _workdays(request.POST.get("workdays", ""))
    return _after(
        request,
        proposal_id,
        lambda: services.proposal_reassign(
            actor=request.user,
            proposal=p,
            department=department,
            workdays=workdays,
            note=request.POST.get("note", ""),
        ),
        _("The proposal was assigned again."),
    )


@console_view
@require_POST
def proposal_answer(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    p = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    require(actor=request.user, perm=MANAGE, org=p.org)
    return _after(
        request,
        proposal_id,
        lambda: services.proposal_answer(actor=request.user, proposal=p, text=request.POST.get("text", "")),
        _("The answer was recorded; the proposer was asked to rate it."),
    )


@console_view
@require_POST
def proposal_cosign_record(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    """The secretariat records a co-signature given on the paper form."""
    p = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    require(actor=request.user, perm=MANAGE, org=p.org)
    wanted = request.POST.get("delegate", "")
    delegate = next(
        (d for d in selectors.serving_delegates(congress=p.congress) if str(d.pk) == wanted), None
    )
    if delegate is None:
        messages.error(request, _("Choose the delegate who co-signed."))
        return redirect("console:proposal", proposal_id=proposal_id)
    return _after(
        request,
        proposal_id,
        lambda: services.proposal_cosign_record(actor=request.user, proposal=p, delegate=delegate),
        _("The co-signature was recorded."),
    )


@console_view
@require_POST
def proposal_rate_record(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    """The secretariat records the satisfaction a proposer without an account gave on the paper feedback form."""
    p = selectors.proposal_get(actor=request.user, proposal_id=proposal_id)
    return _after(
        request,
        proposal_id,
        lambda: services.proposal_rate_record(
            actor=request.user,
            proposal=p,
            satisfaction=request.POST.get("satisfaction", ""),
            comment=request.POST.get("comment", ""),
        ),
        _("The proposer's feedback was recorded."),
    )


@console_view
def proposal_record(request: ConsoleRequest) -> HttpResponse:
    """The secretariat records a proposal a delegate handed in on the paper form."""
    congress, _since = _report_args(request)
    if congress is None:
        return redirect("console:proposals")
    require(actor=request.user, perm=MANAGE, org=congress.org)
    form = PaperProposalForm(request.POST or None)
    delegates = list(selectors.serving_delegates(congress=congress))
    form.fields["delegate"].choices = [(d.pk, d.name) for d in delegates]  # type: ignore[attr-defined]
    meetings = list(selectors.open_meetings(congress=congress))
    form.fields["meeting"].choices = [("", "—"), *[(m.pk, m.title) for m in meetings]]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        delegate = next(x for x in delegates if x.pk == d["delegate"])
        meeting = next((m for m in meetings if m.pk == d["meeting"]), None)
        try:
            p = services.proposal_record(
                actor=request.user,
                congress=congress,
                delegate=delegate,
                meeting=meeting,
                data=services.ProposalInput(
                    title=d["title"], category=d["category"], reasons=d["reasons"], measures=d["measures"]
                ),
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The paper proposal was recorded."))
            return redirect("console:proposal", proposal_id=p.pk)
    return render(
        request,
        "console/proposals/record.html",
        {
            "form": form,
            "congress": congress,
            "congresses": selectors.congresses_of(actor=request.user, org=request.org),
        },
    )


# --- departments -----------------------------------------------------------------------------------------------


def _contact(mobile: str) -> Any:
    from gonghui.accounts.services import account_by_mobile

    mobile = (mobile or "").strip()
    if not mobile:
        return None
    user = account_by_mobile(mobile)
    if user is None:
        raise ServiceError("unknown_account", _("No account has this mobile number."), field="contact_mobile")
    return user


@console_view
def department_list(request: ConsoleRequest) -> HttpResponse:
    """The departments of the current union that answer proposals; the committee adds and changes them."""
    org = request.org
    require(actor=request.user, perm=VIEW, org=org)
    may_manage = org_selectors.actor_can(request.user, MANAGE, org)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.department_add(
                    actor=request.user, org=org, name=d["name"], contact=_contact(d["contact_mobile"])
                )
            except ServiceError as exc:
                if exc.status in (403, 404):
                    raise
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("The department was added."))
                return redirect("console:proposal_departments")
    return render(
        request,
        "console/proposals/departments.html",
        {"departments": selectors.departments(org=org), "form": form, "may_manage": may_manage},
    )


@console_view
@require_POST
def department_edit(request: ConsoleRequest, department_id: int) -> HttpResponse:
    department = selectors.department_get(actor=request.user, department_id=department_id)
    require(actor=request.user, perm=MANAGE, org=department.org)
    form = DepartmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the department's name."))
        return redirect("console:proposal_departments")
    d = form.cleaned_data
    try:
        services.department_update(
            actor=request.user,
            department=department,
            name=d["name"],
            contact=_contact(d["contact_mobile"]),
            active=d["active"],
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The department was saved."))
    return redirect("console:proposal_departments")


# --- the report ------------------------------------------------------------------------------------------------


def _report_args(request: ConsoleRequest) -> tuple[Any, bool]:
    raw = request.GET.get("congress") or request.POST.get("congress") or ""
    congress: Any
    if raw.isdigit():
        congress = selectors.congress_for_report(actor=request.user, congress_id=int(raw))
    else:
        require(actor=request.user, perm=VIEW, org=request.org)
        congress = selectors.congresses_of(actor=request.user, org=request.org).first()
    since_last = (request.GET.get("since") or request.POST.get("since")) == "last"
    return congress, since_last


@console_view
def proposal_report(request: ConsoleRequest) -> HttpResponse:
    """All proposals of a congress (or since its last meeting) and their handling; PDF, workbook, publish."""
    congress, since_last = _report_args(request)
    if congress is None:
        return render(request, "console/proposals/report.html", {"congress": None, "congresses": []})
    since = services.report_since(congress) if since_last else None
    fmt = request.GET.get("format", "")
    if fmt in ("pdf", "xlsx"):
        with translation.override("zh-hans"):
            rows, totals = services.report_rows(congress, since)
            if fmt == "pdf":
                data = documents.report_pdf(congress=congress, rows=rows, totals=totals, since=since)
                content_type = "application/pdf"
            else:
                data = documents.report_xlsx(congress=congress, rows=rows)
                content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        log_action(
            actor=request.user,
            action="gonghui.proposal.report_downloaded",
            obj=congress,
            org_path=congress.org.path,
            data={"format": fmt},
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="proposals-{congress.pk}.{fmt}"'
        return response
    rows, totals = services.report_rows(congress, since)
    return render(
        request,
        "console/proposals/report.html",
        {
            "congress": congress,
            "congresses": selectors.congresses_of(actor=request.user, org=request.org),
            "rows": rows,
            "totals": totals,
            "since": since,
            "since_last": since_last,
            "reports": selectors.reports_of(congress=congress),
            "may_publish": org_selectors.actor_can(request.user, MANAGE, congress.org),
        },
    )


@console_view
@require_POST
def proposal_report_publish(request: ConsoleRequest) -> HttpResponse:
    congress, since_last = _report_args(request)
    if congress is None:
        return redirect("console:proposal_report")
    try:
        services.proposal_report_publish(actor=request.user, congress=congress, since_last_meeting=since_last)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The report was published to the union's members."))
    return redirect(f"{_report_url()}?congress={congress.pk}{'&since=last' if since_last else ''}")


def _report_url() -> str:
    from django.urls import reverse

    return reverse("console:proposal_report")
