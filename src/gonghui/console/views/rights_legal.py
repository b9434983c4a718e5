"""Cadre pages of legal aid and mediation (DOMAIN §4): the lawyer roster, legal-aid cases with their record,
stages, lawyer and result; mediation committees and mediators; mediations (open first, by their 15-day limit)
with parties, sessions, the agreement, its signatures and PDF, and the end without agreement with the
arbitration notice. The request page links here through `case_legal_context` (its include).

Each view is an access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_mobile
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require
from gonghui.rights import selectors_legal, services
from gonghui.rights.models import Case, LegalStage, MediationStatus, Outcome
from gonghui.rights.services.legal import STAGE_ORDER

from ..forms_legal import (
    AgreementForm,
    CommitteeForm,
    CommitteeUpdateForm,
    EndForm,
    LawyerForm,
    LegalAssignForm,
    LegalCloseForm,
    LegalFilterForm,
    LegalOpenForm,
    LegalRecordForm,
    LegalStageForm,
    MediationFilterForm,
    MediationForm,
    MediatorForm,
    SessionForm,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

PERM = "case.handle"


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _do(request: ConsoleRequest, action: Any, done: str) -> bool:
    """Run one service call; a refusal of scope or role propagates (404/403 page), anything else is a message."""
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return False
    messages.success(request, done)
    return True


# --- on the request page ----------------------------------------------------------------------------------------


def case_legal_context(*, actor: Any, case: Case) -> dict[str, Any]:
    """What the request page shows of legal aid and mediation: the legal-aid case or the button to open one,
    the request's mediations, and whether the actor may start one (an active committee they may use)."""
    may = actor_can(actor, PERM, case.org) and case.outcome != Outcome.WITHDRAWN
    aid = selectors_legal.legal_aid_of_case(case=case)
    mediations = list(selectors_legal.mediations_of_case(case=case))
    return {
        "case": case,
        "aid": aid,
        "mediations": mediations,
        "may_open_aid": may and aid is None,
        "may_mediate": may
        and not any(m.status == MediationStatus.OPEN for m in mediations)
        and selectors_legal.committees_for_case(actor=actor, case=case).exists(),
        "open_form": LegalOpenForm(),
    }


@console_view
@require_POST
def legal_open(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors_legal.case_for_legal(actor=request.user, case_id=case_id)
    form = LegalOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give an amount in yuan, zero or more."))
        return redirect("console:rights_case", case_id=case_id)
    d = form.cleaned_data
    try:
        aid = services.legal_aid_open(
            actor=request.user, case=case, amount_claimed=d["amount_claimed"], note=d["note"]
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return redirect("console:rights_case", case_id=case_id)
    messages.success(request, _("The request is now a legal-aid case; assign a lawyer."))
    return redirect("console:legal_aid", aid_id=aid.pk)


# --- the lawyer roster -----------------------------------------------------------------------------------------


@console_view
def lawyer_list(request: ConsoleRequest) -> HttpResponse:
    """The roster of the current union (its own lawyers and those of the unions below it that the actor
    manages), with the lawyers of the unions above it that its requests may use."""
    require(actor=request.user, perm=PERM, org=request.org)
    form = LawyerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lawyer_add(actor=request.user, org=request.org, **form.cleaned_data)
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The lawyer was added to the roster."))
            return redirect("console:lawyer_list")
    roster = selectors_legal.lawyer_roster(actor=request.user, org=request.org)
    return render(
        request,
        "console/rights/legal/lawyers.html",
        {"lawyers": roster, "form": form, "above_ids": set(request.org.ancestor_ids())},
    )


@console_view
def lawyer_edit(request: ConsoleRequest, lawyer_id: int) -> HttpResponse:
    lawyer = selectors_legal.lawyer_get(actor=request.user, lawyer_id=lawyer_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ("deactivate", "reactivate"):
        call = services.lawyer_deactivate if action == "deactivate" else services.lawyer_reactivate
        _do(request, lambda: call(actor=request.user, lawyer=lawyer), _("Saved."))
        return redirect("console:lawyer_edit", lawyer_id=lawyer.pk)
    initial = {
        "name": lawyer.name,
        "firm": lawyer.firm,
        "phone": lawyer.phone,
        "specialties": lawyer.specialties,
    }
    form = LawyerForm(request.POST if action == "update" else None, initial=initial)
    if action == "update" and form.is_valid():
        try:
            services.lawyer_update(actor=request.user, lawyer=lawyer, **form.cleaned_data)
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:lawyer_list")
    cases = lawyer.cases.select_related("case").order_by("-opened_at")[:50]
    return render(
        request, "console/rights/legal/lawyer.html", {"lawyer": lawyer, "form": form, "cases": cases}
    )


# --- legal-aid cases ----------------------------------------------------------------------------------------------


@console_view
def legal_list(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=PERM, org=request.org)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = LegalFilterForm(data)
    f = form.cleaned_data if form.is_valid() else {"status": "open"}
    items = selectors_legal.legal_aid_list(
        actor=request.user,
        org=request.org,
        status=f.get("status", "open"),
        stage=f.get("stage", ""),
        q=f.get("q", ""),
    )
    return render(
        request,
        "console/rights/legal/list.html",
        {
            "form": form,
            "page": _page(request, items),
            "query": _query_without_page(request),
            "totals": selectors_legal.legal_aid_totals(actor=request.user, org=request.org),
        },
    )


def _stage_steps(stage: str) -> list[dict[str, Any]]:
    current = STAGE_ORDER.index(stage)
    return [
        {"label": LegalStage(s).label, "done": i < current, "current": i == current}
        for i, s in enumerate(STAGE_ORDER)
    ]


@console_view
def legal_aid(request: ConsoleRequest, aid_id: int) -> HttpResponse:
    aid = selectors_legal.legal_aid_get(actor=request.user, aid_id=aid_id)
    assign = LegalAssignForm()
    assign.fields["lawyer"].choices = [  # type: ignore[attr-defined]
        (lw.pk, f"{lw.name} · {lw.firm or lw.org.name}")
        for lw in selectors_legal.lawyers_usable(org=aid.case.org)
        if lw.pk != aid.lawyer_id
    ]
    stage_form = LegalStageForm(initial={"stage": aid.stage})
    close_form = LegalCloseForm(initial={"amount_claimed": aid.amount_claimed})
    return render(
        request,
        "console/rights/legal/detail.html",
        {
            "aid": aid,
            "case": aid.case,
            "entries": selectors_legal.legal_aid_entries(aid=aid),
            "steps": _stage_steps(aid.stage),
            "open": aid.closed_at is None,
            "assign_form": assign,
            "record_form": LegalRecordForm(),
            "stage_form": stage_form,
            "close_form": close_form,
            "masked_mobile": mask_mobile(aid.case.contact_mobile),
        },
    )


def _aid_post(request: ConsoleRequest, aid_id: int, form_class: Any, call: Any, done: str) -> HttpResponse:
    aid = selectors_legal.legal_aid_get(actor=request.user, aid_id=aid_id)
    form = form_class(request.POST)
    if hasattr(form.fields.get("lawyer"), "choices"):
        form.fields["lawyer"].choices = [
            (lw.pk, lw.name) for lw in selectors_legal.lawyers_usable(org=aid.case.org, active_only=False)
        ]
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
            break
        return redirect("console:legal_aid", aid_id=aid_id)
    _do(request, lambda: call(aid, form.cleaned_data), done)
    return redirect("console:legal_aid", aid_id=aid_id)


@console_view
@require_POST
def legal_assign(request: ConsoleRequest, aid_id: int) -> HttpResponse:
    def call(aid: Any, d: dict[str, Any]) -> Any:
        lawyer = next(
            (
                lw
                for lw in selectors_legal.lawyers_usable(org=aid.case.org, active_only=False)
                if lw.pk == d["lawyer"]
            ),
            None,
        )
        if lawyer is None:
            raise ServiceError(
                "lawyer_not_allowed", _("Choose a lawyer on the roster of this union or a union above it.")
            )
        return services.legal_aid_assign(actor=request.user, aid=aid, lawyer=lawyer, note=d["note"])

    return _aid_post(
        request, aid_id, LegalAssignForm, call, _("The lawyer was assigned and the worker told.")
    )


@console_view
@require_POST
def legal_record(request: ConsoleRequest, aid_id: int) -> HttpResponse:
    return _aid_post(
        request,
        aid_id,
        LegalRecordForm,
        lambda aid, d: services.legal_aid_record(
            actor=request.user, aid=aid, kind=d["kind"], on_date=d["on_date"], note=d["note"]
        ),
        _("Added to the record."),
    )


@console_view
@require_POST
def legal_stage(request: ConsoleRequest, aid_id: int) -> HttpResponse:
    return _aid_post(
        request,
        aid_id,
        LegalStageForm,
        lambda aid, d: services.legal_aid_stage(
            actor=request.user, aid=aid, stage=d["stage"], note=d["note"]
        ),
        _("The stage was changed and the worker told."),
    )


@console_view
@require_POST
def legal_close(request: ConsoleRequest, aid_id: int) -> HttpResponse:
    return _aid_post(
        request,
        aid_id,
        LegalCloseForm,
        lambda aid, d: services.legal_aid_close(
            actor=request.user,
            aid=aid,
            result=d["result"],
            amount_recovered=d["amount_recovered"],
            amount_claimed=d["amount_claimed"],
            note=d["note"],
        ),
        _("The legal-aid case was closed."),
    )


# --- committees and mediators ----------------------------------------------------------------------------------


@console_view
def committee_list(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=PERM, org=request.org)
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_add(actor=request.user, org=request.org, **form.cleaned_data)
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The committee was added; now add its mediators."))
            return redirect("console:committee", committee_id=committee.pk)
    committees = selectors_legal.committees_in(actor=request.user, org=request.org).prefetch_related(
        "mediators"
    )
    return render(
        request, "console/rights/mediation/committees.html", {"committees": committees, "form": form}
    )


@console_view
def committee(request: ConsoleRequest, committee_id: int) -> HttpResponse:
    com = selectors_legal.committee_get(actor=request.user, committee_id=committee_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    update = CommitteeUpdateForm(
        request.POST if action == "update" else None,
        initial={"name": com.name, "warn_days_before": com.warn_days_before, "active": com.active},
    )
    mediator_form = MediatorForm(request.POST if action == "mediator" else None)
    if action == "update" and update.is_valid():
        try:
            services.committee_update(actor=request.user, committee=com, **update.cleaned_data)
        except ServiceError as exc:
            _show(update, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:committee", committee_id=com.pk)
    if action == "mediator" and mediator_form.is_valid():
        try:
            services.mediator_add(actor=request.user, committee=com, name=mediator_form.cleaned_data["name"])
        except ServiceError as exc:
            _show(mediator_form, exc)
        else:
            messages.success(request, _("The mediator was added."))
            return redirect("console:committee", committee_id=com.pk)
    if action == "mediator_off":
        mediator = (
            selectors_legal.mediators_of(committee=com).filter(pk=request.POST.get("mediator") or 0).first()
        )
        if mediator is not None:
            _do(
                request,
                lambda: services.mediator_deactivate(actor=request.user, mediator=mediator),
                _("Saved."),
            )
        return redirect("console:committee", committee_id=com.pk)
    return render(
        request,
        "console/rights/mediation/committee.html",
        {
            "committee": com,
            "mediators": selectors_legal.mediators_of(committee=com),
            "update_form": update,
            "mediator_form": mediator_form,
        },
    )


# --- mediations ---------------------------------------------------------------------------------------------------


@console_view
def mediation_list(request: ConsoleRequest) -> HttpResponse:
    """Mediations of the current union's committees: open first, the nearest 15-day limit first."""
    require(actor=request.user, perm=PERM, org=request.org)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = MediationFilterForm(data)
    f = form.cleaned_data if form.is_valid() else {"status": "open"}
    today = timezone.localdate()
    items = selectors_legal.mediation_list(
        actor=request.user, org=request.org, status=f.get("status", "open"), q=f.get("q", ""), today=today
    )
    return render(
        request,
        "console/rights/mediation/list.html",
        {
            "form": form,
            "page": _page(request, items),
            "query": _query_without_page(request),
            "today": today,
            "soon": today + datetime.timedelta(days=2),
        },
    )


def _parties(d: dict[str, Any], case: Case | None) -> list[services.PartyInput]:
    worker_phone = d.get("worker_phone", "")
    if not worker_phone and d.get("worker_phone_from_case") and case is not None:
        worker_phone = case.contact_mobile  # passed on without being shown
    parties = [
        services.PartyInput(
            side="worker",
            name=d["worker_name"],
            representative=d.get("worker_representative", ""),
            phone=worker_phone,
        )
    ]
    for line in (d.get("other_workers") or "").splitlines():
        name, _sep, phone = line.replace("，", ",").partition(",")
        if name.strip():
            parties.append(services.PartyInput(side="worker", name=name.strip(), phone=phone.strip()))
    parties.append(
        services.PartyInput(
            side="employer",
            name=d["employer_name"],
            uscc=d.get("employer_uscc", ""),
            representative=d.get("employer_representative", ""),
            phone=d.get("employer_phone", ""),
        )
    )
    return parties


@console_view
def mediation_new(request: ConsoleRequest) -> HttpResponse:
    """Record an application for mediation, from a request (?case=) or on its own."""
    case_id = request.GET.get("case") or request.POST.get("case") or ""
    case = (
        selectors_legal.case_for_legal(actor=request.user, case_id=int(case_id))
        if case_id.isdigit()
        else None
    )
    require(actor=request.user, perm=PERM, org=case.org if case else request.org)
    committees = list(
        selectors_legal.committees_for_case(actor=request.user, case=case)
        if case
        else selectors_legal.committees_in(actor=request.user, org=request.org).filter(active=True)
    )
    initial: dict[str, Any] = {"received_on": timezone.localdate()}
    if case is not None:
        initial.update(
            worker_name="" if case.anonymous else case.contact_name,
            worker_phone_from_case=bool(case.contact_mobile),
            employer_name=case.employer_name,
            employer_uscc=case.employer_uscc,
            subject=case.description,
            known_on=case.received_on,
        )
    form = MediationForm(request.POST or None, initial=initial)
    form.fields["committee"].choices = [(c.pk, f"{c.name} · {c.org.name}") for c in committees]  # type: ignore[attr-defined]
    mediators = [
        (m.pk, f"{m.name} · {m.committee.name}") for c in committees for m in c.mediators.filter(active=True)
    ]
    form.fields["mediator"].choices = [("", "—"), *mediators]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        com = next(c for c in committees if c.pk == d["committee"])
        mediator = com.mediators.filter(pk=d["mediator"]).first() if d.get("mediator") else None
        try:
            mediation = services.mediation_open(
                actor=request.user,
                committee=com,
                subject=d["subject"],
                parties=_parties(d, case),
                known_on=d["known_on"],
                received_on=d["received_on"],
                case=case,
                mediator=mediator,
            )
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(
                request,
                _("Mediation %(number)s recorded; the 15-day limit is %(date)s.")
                % {"number": mediation.number, "date": mediation.due_on.isoformat()},
            )
            return redirect("console:mediation", mediation_id=mediation.pk)
    return render(
        request,
        "console/rights/mediation/new.html",
        {"form": form, "case": case, "no_committee": not committees},
    )


@console_view
def mediation(request: ConsoleRequest, mediation_id: int) -> HttpResponse:
    m = selectors_legal.mediation_get(actor=request.user, mediation_id=mediation_id)
    today = timezone.localdate()
    left = selectors_legal.days_left(m, today)
    mediator_form = LegalAssignForm()  # reused shape: one choice
    mediators = selectors_legal.mediators_of(committee=m.committee, active_only=True)
    parties = [
        {"p": p, "phone": mask_mobile(p.phone) if len(p.phone) == 11 else p.phone}
        for p in selectors_legal.mediation_parties(mediation=m)
    ]
    signatures = [
        {"signer": "worker", "label": _("Worker"), "at": m.worker_signed_at},
        {"signer": "employer", "label": _("Employer"), "at": m.employer_signed_at},
        {"signer": "mediator", "label": _("Mediator"), "at": m.mediator_signed_at},
    ]
    is_open = m.status == MediationStatus.OPEN
    return render(
        request,
        "console/rights/mediation/detail.html",
        {
            "m": m,
            "parties": parties,
            "sessions": selectors_legal.mediation_sessions(mediation=m),
            "left": left,
            "overdue": is_open and left < 0,
            "overdue_by": -left,
            "warning": is_open and 0 <= left <= m.committee.warn_days_before,
            "open": is_open,
            "mediators": mediators,
            "mediator_form": mediator_form,
            "session_form": SessionForm(),
            "agreement_form": AgreementForm(initial={"terms": m.terms, "amount": m.amount}),
            "end_form": EndForm(),
            "signatures": signatures,
            "arbitration_text": services.arbitration_text(m),
            "show_arbitration": m.status == MediationStatus.FAILED or m.arbitration_told_at is not None,
        },
    )


def _mediation_post(request: ConsoleRequest, mediation_id: int, call: Any, done: str) -> HttpResponse:
    m = selectors_legal.mediation_get(actor=request.user, mediation_id=mediation_id)
    _do(request, lambda: call(m), done)
    return redirect("console:mediation", mediation_id=mediation_id)


def _form_or_message(request: ConsoleRequest, form: Any) -> bool:
    if form.is_valid():
        return True
    for errors in form.errors.values():
        messages.error(request, errors[0])
        break
    return False


@console_view
@require_POST
def mediation_mediator(request: ConsoleRequest, mediation_id: int) -> HttpResponse:
    def call(m: Any) -> Any:
        mediator = (
            selectors_legal.mediators_of(committee=m.committee)
            .filter(pk=request.POST.get("mediator") or 0)
            .first()
        )
        if mediator is None:
            raise ServiceError("mediator_not_allowed", _("Choose an active mediator of this committee."))
        return services.mediation_mediator_set(actor=request.user, mediation=m, mediator=mediator)

    return _mediation_post(request, mediation_id, call, _("The mediator was named."))


@console_view
@require_POST
def mediation_session(request: ConsoleRequest, mediation_id: int) -> HttpResponse:
    form = SessionForm(request.POST)
    selectors_legal.mediation_get(actor=request.user, mediation_id=mediation_id)
    if not _form_or_message(request, form):
        return redirect("console:mediation", mediation_id=mediation_id)
    d = form.cleaned_data
    return _mediation_post(
        request,
        mediation_id,
        lambda m: services.mediation_session_add(
            actor=request.user, mediation=m, held_on=d["held_on"], place=d["place"], notes=d["notes"]
        ),
        _("The session was recorded."),
    )


@console_view
@require_POST
def mediation_agree(request: ConsoleRequest, mediation_id: int) -> HttpResponse:
    form = AgreementForm(request.POST)
    selectors_legal.mediation_get(actor=request.user, mediation_id=mediation_id)
    if not _form_or_message(request, form):
        return redirect("console:mediation", mediation_id=mediation_id)
    d = form.cleaned_data
    return _mediation_post(
        request,
        mediation_id,
        lambda m: services.mediation_agree(
            actor=request.user, mediation=m, terms=d["terms"], amount=d["amount"]
        ),
        _("The agreement was saved; print it for signature."),
    )


@console_view
@require_POST
def mediation_sign(request: ConsoleRequest, mediation_id: int) -> HttpResponse:
    signer = request.POST.get("signer", "")
    return _mediation_post(
        request,
        mediation_id,
        lambda m: services.mediation_sign(actor=request.user, mediation=m, signer=signer),
        _("The signature was recorded."),
    )


@console_view
@require_POST
def mediation_end(request: ConsoleRequest, mediation_id: int) -> HttpResponse:
    form = EndForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if request.POST.get("action") == "withdraw":
        call, done = services.mediation_withdraw, _("The mediation was withdrawn.")
    else:
        call, done = (
            services.mediation_fail,
            _("The mediation ended without agreement; the parties were told."),
        )
    return _mediation_post(
        request, mediation_id, lambda m: call(actor=request.user, mediation=m, note=note), done
    )


@console_view
def mediation_pdf(request: ConsoleRequest, mediation_id: int) -> HttpResponse:
    m = selectors_legal.mediation_get(actor=request.user, mediation_id=mediation_id)
    try:
        pdf = services.mediation_agreement_print(actor=request.user, mediation=m)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return redirect("console:mediation", mediation_id=mediation_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="mediation-agreement-{m.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
