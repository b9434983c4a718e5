"""Cadre pages of collective contracts (集体合同, DOMAIN §3): the contracts of the current union's subtree with
filters, one contract with its negotiation, documents and the steps of its workflow, the forms to start and
change one, coverage rolled up the tree with a chart per child union, and the reminder setting.

Reads need "democracy.view", writes "contract.manage" (checked again by the services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.contracts import selectors, services
from gonghui.contracts.models import CollectiveContract, Level, Status
from gonghui.core.errors import ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from ..forms_contracts import (
    ContractFilterForm,
    ContractForm,
    DateStepForm,
    DocumentForm,
    ObjectForm,
    PolicyForm,
    RoundForm,
    SignForm,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = selectors.MANAGE
EXPIRING_DAYS = 90


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _units(org: Org) -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in selectors.coverable_units(org=org)[:2000]]


def _input(d: dict[str, Any]) -> services.ContractInput:
    return services.ContractInput(
        title=d["title"],
        kind=d["kind"],
        union_party=d["union_party"],
        union_representative=d["union_representative"],
        employer_party=d["employer_party"],
        employer_uscc=d.get("employer_uscc") or "",
        employer_representative=d["employer_representative"],
        summary=d.get("summary") or "",
        term_start=d.get("term_start"),
        term_end=d.get("term_end"),
        covered_org_ids=d.get("covered_org_ids") or [],
        other_units=d.get("other_units") or "",
        other_units_count=d.get("other_units_count") or 0,
        other_staff=d.get("other_staff") or 0,
    )


@console_view
def contract_list(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=VIEW, org=request.org)
    form = ContractFilterForm(request.GET)
    f = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    contracts = selectors.contract_list(
        actor=request.user,
        org=request.org,
        status=f.get("status", ""),
        kind=f.get("kind", ""),
        level=f.get("level", ""),
        expiring_days=EXPIRING_DAYS if f.get("expiring") else None,
        q=f.get("q", ""),
        today=today,
    )
    page = _page(request, contracts)
    for c in page.object_list:
        c.days_left = selectors.days_left(c, today)
        c.review_left = selectors.review_days_left(c, today)
    return render(
        request,
        "console/contracts/list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "may_manage": actor_can(request.user, MANAGE, request.org),
            "expiring_days": EXPIRING_DAYS,
        },
    )


@console_view
def contract_new(request: ConsoleRequest) -> HttpResponse:
    org = request.org
    require(actor=request.user, perm=MANAGE, org=org)
    try:
        level = services.level_for(org)
    except ServiceError as exc:
        return render(request, "error.html", {"error": exc.message}, status=400)
    initial = {"union_party": org.name, "employer_party": org.employer_name}
    form = ContractForm(request.POST or None, units=_units(org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(actor=request.user, org=org, data=_input(form.cleaned_data))
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The contract was started."))
            return redirect("console:contract", contract_id=contract.pk)
    return render(
        request,
        "console/contracts/form.html",
        {"form": form, "regional": level != Level.ENTERPRISE, "contract": None},
    )


@console_view
def contract_edit(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    initial = {
        f: getattr(contract, f)
        for f in (
            "title",
            "kind",
            "union_party",
            "union_representative",
            "employer_party",
            "employer_uscc",
            "employer_representative",
            "summary",
            "term_start",
            "term_end",
            "other_units",
            "other_units_count",
            "other_staff",
        )
    }
    initial["covered_org_ids"] = [o.pk for o in selectors.contract_coverage(contract=contract)]
    form = ContractForm(request.POST or None, units=_units(contract.org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(actor=request.user, contract=contract, data=_input(form.cleaned_data))
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The contract was saved."))
            return redirect("console:contract", contract_id=contract.pk)
    return render(
        request,
        "console/contracts/form.html",
        {"form": form, "regional": contract.level != Level.ENTERPRISE, "contract": contract},
    )


@console_view
def contract_detail(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id)
    today = timezone.localdate()
    s = contract.status
    return render(
        request,
        "console/contracts/detail.html",
        {
            "c": contract,
            "units": selectors.contract_coverage(contract=contract)[:500],
            "rounds": selectors.contract_rounds(contract=contract),
            "documents": selectors.contract_documents(contract=contract),
            "renewal": selectors.contract_renewal(contract=contract),
            "days_left": selectors.days_left(contract, today),
            "review_left": selectors.review_days_left(contract, today),
            "may_manage": actor_can(request.user, MANAGE, contract.org),
            "can_round": s in (Status.DRAFTING, Status.NEGOTIATING, Status.OBJECTED),
            "can_sign": s == Status.NEGOTIATING,
            "can_submit": s == Status.SIGNED,
            "with_administration": s == Status.SUBMITTED,
            "can_reopen": s in (Status.OBJECTED, Status.SIGNED),
            "can_renew": s in (Status.EFFECTIVE, Status.EXPIRED),
            "round_form": RoundForm(initial={"held_on": today}),
            "sign_form": SignForm(
                initial={"signed_on": today, "term_start": contract.term_start, "term_end": contract.term_end}
            ),
            "date_form": DateStepForm(initial={"on": today}),
            "object_form": ObjectForm(initial={"on": today}),
            "document_form": DocumentForm(),
        },
    )


def _step(
    request: ConsoleRequest, contract_id: int, act: Callable[[CollectiveContract], Any], done: str
) -> HttpResponse:
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    try:
        result = act(contract)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
        if isinstance(result, CollectiveContract) and result.pk != contract.pk:
            return redirect("console:contract", contract_id=result.pk)
    return redirect("console:contract", contract_id=contract_id)


@console_view
@require_POST
def contract_round(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    form = RoundForm(request.POST, request.FILES)
    if not form.is_valid():
        selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
        messages.error(request, _("Give the date, who took part on each side and the minutes."))
        return redirect("console:contract", contract_id=contract_id)
    d = form.cleaned_data
    return _step(
        request,
        contract_id,
        lambda c: services.contract_round_add(
            actor=request.user,
            contract=c,
            held_on=d["held_on"],
            place=d["place"],
            union_participants=d["union_participants"],
            employer_participants=d["employer_participants"],
            minutes=d["minutes"],
            files=d["papers"],
        ),
        _("The round was recorded."),
    )


@console_view
@require_POST
def contract_sign(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    form = SignForm(request.POST)
    if not form.is_valid():
        selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
        messages.error(request, _("Give the day of signing and the term."))
        return redirect("console:contract", contract_id=contract_id)
    d = form.cleaned_data
    return _step(
        request,
        contract_id,
        lambda c: services.contract_sign(
            actor=request.user,
            contract=c,
            signed_on=d["signed_on"],
            term_start=d["term_start"],
            term_end=d["term_end"],
            adopted_on=d["adopted_on"],
        ),
        _("The signing was recorded."),
    )


STEPS: dict[str, tuple[Callable[..., Any], str, Any]] = {
    # action: (service, its date argument, message)
    "submit": (
        services.contract_submit,
        "submitted_on",
        gettext_lazy("Submitted to the labour administration."),
    ),
    "receipt": (
        services.contract_receipt,
        "received_on",
        gettext_lazy("The administration's receipt was recorded."),
    ),
    "confirm": (services.contract_confirm, "confirmed_on", gettext_lazy("The contract is in effect.")),
}


@console_view
@require_POST
def contract_step(request: ConsoleRequest, contract_id: int, action: str) -> HttpResponse:
    """Submission, the administration's receipt and its confirmation: each a date."""
    if action not in STEPS:
        selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
        return render(request, "error.html", {"error": _("Unknown step.")}, status=404)
    service, argument, done = STEPS[action]
    form = DateStepForm(request.POST)
    if not form.is_valid():
        selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
        messages.error(request, _("Give the date."))
        return redirect("console:contract", contract_id=contract_id)
    on = form.cleaned_data["on"]
    return _step(
        request,
        contract_id,
        lambda c: service(actor=request.user, contract=c, **{argument: on}),
        str(done),
    )


@console_view
@require_POST
def contract_object(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    form = ObjectForm(request.POST)
    if not form.is_valid():
        selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
        messages.error(request, _("Give the date and the objection."))
        return redirect("console:contract", contract_id=contract_id)
    d = form.cleaned_data
    return _step(
        request,
        contract_id,
        lambda c: services.contract_object(
            actor=request.user, contract=c, objected_on=d["on"], objection=d["objection"]
        ),
        _("The objection was recorded; negotiate again."),
    )


@console_view
@require_POST
def contract_reopen(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    return _step(
        request,
        contract_id,
        lambda c: services.contract_reopen(actor=request.user, contract=c),
        _("Back in negotiation."),
    )


@console_view
@require_POST
def contract_renew(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    return _step(
        request,
        contract_id,
        lambda c: services.contract_renew(actor=request.user, contract=c),
        _("The renewal was started as a new draft."),
    )


@console_view
@require_POST
def contract_document_add(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
        messages.error(request, _("Choose a file."))
        return redirect("console:contract", contract_id=contract_id)
    d = form.cleaned_data
    return _step(
        request,
        contract_id,
        lambda c: services.contract_document_add(
            actor=request.user, contract=c, file=d["file"], kind=d["kind"]
        ),
        _("The document was added."),
    )


@console_view
def contract_document(request: ConsoleRequest, contract_id: int, document_id: int) -> HttpResponse:
    doc = selectors.document_get(actor=request.user, contract_id=contract_id, document_id=document_id)
    handle = services.document_open(actor=request.user, document=doc)
    return cast(
        HttpResponse, attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)
    )


@console_view
def contract_pdf(request: ConsoleRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id)
    pdf = services.contract_summary_print(actor=request.user, contract=contract)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="contract-{contract.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@console_view
def coverage(request: ConsoleRequest) -> HttpResponse:
    """Units and staff covered by contracts in effect in the current union's subtree, per child union."""
    cov = selectors.coverage(actor=request.user, org=request.org)
    rows = [r for r in cov.rows if r.org is not None]
    chart = {
        "labels": [r.org.short_name or r.org.name for r in rows if r.org],
        "series": [
            {"name": _("Units covered"), "data": [r.all_units for r in rows]},
            {"name": _("Staff covered"), "data": [r.all_staff for r in rows]},
        ],
    }
    return render(request, "console/contracts/coverage.html", {"cov": cov, "chart": chart})


@console_view
def policy(request: ConsoleRequest) -> HttpResponse:
    org = request.org
    require(actor=request.user, perm=VIEW, org=org)
    current = selectors.policy_for(org)
    may_manage = actor_can(request.user, MANAGE, org)
    form = PolicyForm(request.POST or None, initial={"remind_days_before": current.remind_days_before})
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            try:
                services.contract_policy_set(actor=request.user, org=org, **form.cleaned_data)
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The rules were saved."))
                return redirect("console:contract_policy")
    return render(
        request,
        "console/contracts/policy.html",
        {"form": form, "policy": current, "may_manage": may_manage, "inherited": current.org_id != org.pk},
    )
