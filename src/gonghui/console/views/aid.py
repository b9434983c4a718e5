"""Cadre pages of hardship aid (DOMAIN §5): the review queue of the current union's level, the file register
with the reviews falling due, one file (verify, yearly review, exit), one application (approve, reject, resolve
objections, record payment), announcements, objections, payments and the roll-up with a chart.

Each view is an access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.aid import selectors, services
from gonghui.aid.models import AidType, AppState, Category, FileStatus, Objection
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.masking import mask_id_number
from gonghui.core.uploads import attachment_response
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from ..forms_aid import (
    HOUSEHOLD_ROWS,
    ApproveForm,
    FileForm,
    FileReviewForm,
    ObjectionForm,
    PaymentForm,
    PolicyForm,
    ReasonForm,
    ResolveForm,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


@console_view
def home(request: ConsoleRequest) -> HttpResponse:
    """The queue of the current union's level, and what waits elsewhere."""
    org = request.org
    require(actor=request.user, perm=selectors.VIEW, org=org)
    may_manage = actor_can(request.user, services.PERM, org)
    queue = list(selectors.review_queue(actor=request.user, org=org)[:100]) if may_manage else []
    today = timezone.localdate()
    due = selectors.files_of(actor=request.user, org=org, due_by=today + datetime.timedelta(days=30)).count()
    return render(
        request,
        "console/aid/home.html",
        {
            "queue": queue,
            "may_manage": may_manage,
            "reviews_due": due,
            "announced": selectors.announcements_of(actor=request.user, org=org).count(),
            "objections": selectors.objections_of(actor=request.user, org=org).count(),
        },
    )


@console_view
def application_list(request: ConsoleRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in AppState.values:
        state = ""
    items = selectors.applications_of(actor=request.user, org=request.org, state=state)
    return render(
        request,
        "console/aid/applications.html",
        {
            "page": _page(request, items),
            "query": _query_without_page(request),
            "state": state,
            "states": AppState.choices,
        },
    )


@console_view
def file_list(request: ConsoleRequest) -> HttpResponse:
    """The register; ?due=1 lists the files whose yearly review falls due within 30 days."""
    due = request.GET.get("due") == "1"
    status = request.GET.get("status", FileStatus.ACTIVE)
    if status not in FileStatus.values:
        status = FileStatus.ACTIVE
    today = timezone.localdate()
    items = selectors.files_of(
        actor=request.user,
        org=request.org,
        status=status,
        due_by=today + datetime.timedelta(days=30) if due else None,
    )
    return render(
        request,
        "console/aid/files.html",
        {
            "page": _page(request, items),
            "query": _query_without_page(request),
            "due": due,
            "status": status,
            "today": today,
            "may_manage": actor_can(request.user, services.PERM, request.org),
        },
    )


@console_view
def file_new(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=services.PERM, org=request.org)
    form = FileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = [
            services.HouseholdInput(
                name=d[f"h{i}_name"],
                relation=d[f"h{i}_relation"] or "other",
                monthly_income=d[f"h{i}_income"] or Decimal(0),
                id_number=d[f"h{i}_id"],
            )
            for i in range(HOUSEHOLD_ROWS)
            if d.get(f"h{i}_name")
        ]
        try:
            member = selectors.member_by_number(
                actor=request.user, org=request.org, number=d["member_number"]
            )
            f = services.file_create(
                actor=request.user,
                member=member,
                category=d["category"],
                situation=d["situation"],
                worker_income=d["worker_income"],
                household=household,
            )
        except NotFound as exc:
            form.add_error("member_number", str(exc.message))
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The file is open; another cadre verifies it after a home visit."))
            return redirect("console:aid_file", file_id=f.pk)
    return render(request, "console/aid/file_new.html", {"form": form})


@console_view
def file_detail(request: ConsoleRequest, file_id: int) -> HttpResponse:
    f = selectors.file_get(actor=request.user, file_id=file_id)
    household = [{"m": m, "id": mask_id_number(m.id_number)} for m in f.household.all().order_by("pk")]
    return render(
        request,
        "console/aid/file.html",
        {
            "f": f,
            "household": household,
            "applications": f.applications.select_related("current_org").order_by("-submitted_at"),
            "may_manage": actor_can(request.user, services.PERM, f.org),
            "review_form": FileReviewForm(
                initial={
                    "category": f.category,
                    "monthly_income": f.monthly_income,
                    "household_size": f.household_size,
                }
            ),
            "exit_form": ReasonForm(),
        },
    )


@console_view
@require_POST
def file_action(request: ConsoleRequest, file_id: int, action: str) -> HttpResponse:
    f = selectors.file_get(actor=request.user, file_id=file_id, perm=services.PERM)
    try:
        if action == "verify":
            services.file_verify(actor=request.user, file=f)
            messages.success(request, _("Verified."))
        elif action == "review":
            form = FileReviewForm(request.POST)
            if not form.is_valid():
                raise ServiceError("invalid", _("Check the review's figures."))
            services.file_review(actor=request.user, file=f, **form.cleaned_data)
            messages.success(request, _("Reviewed; the next review is set."))
        elif action == "exit":
            services.file_exit(actor=request.user, file=f, reason=request.POST.get("reason", ""))
            messages.success(request, _("The household has left the register."))
        else:
            raise NotFound()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    return redirect("console:aid_file", file_id=f.pk)


@console_view
def application_detail(request: ConsoleRequest, application_id: int) -> HttpResponse:
    app = selectors.application_get(actor=request.user, application_id=application_id)
    may_review = (
        app.state == AppState.REVIEWING
        and app.current_org is not None
        and actor_can(request.user, services.PERM, app.current_org)
    )
    final = next((r["org"] for r in selectors.application_steps(application=app)[-1:]), None)
    may_pay = (
        app.state == AppState.ANNOUNCED
        and final is not None
        and actor_can(request.user, services.PERM, final)
    )
    today = timezone.localdate()
    return render(
        request,
        "console/aid/application.html",
        {
            "app": app,
            "steps": selectors.application_steps(application=app),
            "documents": app.documents.all(),
            "objections": app.objections.select_related("raised_by", "resolved_by").order_by("raised_at"),
            "payment": getattr(app, "payment", None) if app.state == AppState.PAID else None,
            "may_review": may_review,
            "may_pay": may_pay,
            "announcing": app.announce_until is not None and today <= app.announce_until,
            "approve_form": ApproveForm(initial={"amount": app.amount_approved or app.amount_requested}),
            "reject_form": ReasonForm(),
            "resolve_form": ResolveForm(),
            "payment_form": PaymentForm(initial={"paid_on": today, "method": "transfer"}),
            "objection_form": ObjectionForm(),
        },
    )


@console_view
@require_POST
def application_action(request: ConsoleRequest, application_id: int, action: str) -> HttpResponse:
    app = selectors.application_get(actor=request.user, application_id=application_id)
    try:
        if action == "approve":
            form = ApproveForm(request.POST)
            if not form.is_valid():
                raise ServiceError("invalid", _("Give the amount approved."))
            app = services.application_approve(
                actor=request.user,
                application=app,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                _("Approved and announced.")
                if app.state == AppState.ANNOUNCED
                else _("Approved; sent up the chain."),
            )
        elif action == "reject":
            services.application_reject(
                actor=request.user, application=app, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Rejected."))
        elif action == "objection":
            services.objection_raise(user=request.user, application=app, text=request.POST.get("text", ""))
            messages.success(request, _("The objection is recorded; payment is on hold."))
        elif action == "pay":
            pay_form = PaymentForm(request.POST)
            if not pay_form.is_valid():
                raise ServiceError("invalid", _("Check the payment's details."))
            services.payment_record(actor=request.user, application=app, **pay_form.cleaned_data)
            messages.success(request, _("The payment is recorded."))
        else:
            raise NotFound()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
        if action in ("approve", "reject") and request.POST.get("next") == "queue":
            return redirect("console:aid_home")
    return redirect("console:aid_application", application_id=app.pk)


@console_view
@require_POST
def objection_resolve(request: ConsoleRequest, objection_id: int) -> HttpResponse:
    obj = Objection.objects.select_related("application").filter(pk=objection_id).first()
    if obj is None:
        raise NotFound()
    app = selectors.application_get(actor=request.user, application_id=obj.application_id)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("invalid", _("Record what was found."))
        services.objection_resolve(actor=request.user, objection=obj, **form.cleaned_data)
        messages.success(request, _("The objection is resolved."))
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    return redirect("console:aid_application", application_id=app.pk)


@console_view
def announcements(request: ConsoleRequest) -> HttpResponse:
    return render(
        request,
        "console/aid/announcements.html",
        {
            "announced": selectors.announcements_of(actor=request.user, org=request.org),
            "objections": selectors.objections_of(actor=request.user, org=request.org),
            "today": timezone.localdate(),
        },
    )


@console_view
def payments(request: ConsoleRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    items = selectors.payments_of(actor=request.user, org=request.org, year=year)
    return render(
        request,
        "console/aid/payments.html",
        {"page": _page(request, items), "query": _query_without_page(request), "year": year},
    )


@console_view
def stats(request: ConsoleRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    r = selectors.rollup(actor=request.user, org=request.org, year=year)
    categories = dict(Category.choices)
    types = dict(AidType.choices)
    states = dict(AppState.choices)
    charts = {
        "category": {
            "type": "pie",
            "labels": [str(categories[c]) for c in r.files_by_category],
            "values": list(r.files_by_category.values()),
        },
        "paid": {
            "labels": [str(types[t]) for t in AidType.values],
            "series": [
                {"name": _("Paid (yuan)"), "data": [float(r.paid_by_type.get(t, 0)) for t in AidType.values]}
            ],
        },
    }
    return render(
        request,
        "console/aid/stats.html",
        {
            "r": r,
            "year": year,
            "charts": charts,
            "category_rows": [(categories[c], n) for c, n in r.files_by_category.items()],
            "state_rows": [(states[s], n) for s, n in r.applications_by_state.items()],
            "paid_rows": [(types[t], r.paid_by_type.get(t, Decimal(0))) for t in AidType.values],
        },
    )


@console_view
def rules(request: ConsoleRequest) -> HttpResponse:
    """The current union's aid rules and review chain; what it sets applies to its whole subtree."""
    org = request.org
    require(actor=request.user, perm=selectors.VIEW, org=org)
    policy = services.policy_for(org)
    levels, chain_source = services.chain_levels_for(org)
    initial = {f: getattr(policy, f) for f in services.POLICY_FIELDS} | {"levels": ", ".join(levels)}
    may_manage = actor_can(request.user, services.PERM, org)
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(actor=request.user, perm=services.PERM, org=org)
        if form.is_valid():
            d = dict(form.cleaned_data)
            new_levels = [k.strip() for k in d.pop("levels").replace("，", ",").split(",") if k.strip()]
            try:
                services.aid_policy_set(actor=request.user, org=org, **d)
                if new_levels != levels or chain_source != org.pk:
                    services.review_chain_set(actor=request.user, org=org, levels=new_levels)
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The rules are saved for this union and the unions below it."))
                return redirect("console:aid_rules")
    return render(
        request,
        "console/aid/rules.html",
        {"form": form, "may_manage": may_manage, "policy": policy, "chain_source": chain_source},
    )


@console_view
def application_document(request: ConsoleRequest, application_id: int, document_id: int) -> HttpResponse:
    """A supporting document of an application, as a download; every download is audited."""
    doc, handle = services.application_document_open(
        actor=request.user, application_id=application_id, document_id=document_id
    )
    return cast(
        HttpResponse, attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)
    )
