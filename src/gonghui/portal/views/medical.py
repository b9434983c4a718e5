"""Member pages of mutual medical aid (DOMAIN §5): my cover this year, enrol during the window, claim with
documents, follow a claim and add documents when the union asks for them. Phone first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.uploads import attachment_response, media_path
from gonghui.medical import selectors, services
from gonghui.medical.models import ClaimStatus

from ..forms_medical import ClaimForm, EnrolSelfForm, MoreDocumentsForm


def _claim_input(d: dict[str, Any]) -> services.ClaimInput:
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


@login_required
def medical_home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    member = selectors.own_member(user=request.user)
    plans = selectors.plans_for(member.org, today.year) if member else []
    enrolment = selectors.own_enrolment(member=member, year=today.year) if member else None
    enrol_year, enrol_plans = selectors.open_enrolment(member.org, today) if member else (today.year, [])
    enrolled_then = enrolment if enrol_year == today.year else None
    if member and enrol_year != today.year:
        enrolled_then = selectors.own_enrolment(member=member, year=enrol_year)
    return render(
        request,
        "portal/medical/home.html",
        {
            "member": member,
            "plans": plans,
            "enrolment": enrolment,
            "cover": selectors.own_accident_cover(member=member, year=today.year) if member else None,
            "may_enrol": bool(enrol_plans) and enrolled_then is None,
            "enrol_year": enrol_year,
            "enrol_form": EnrolSelfForm(plans=enrol_plans),
            "claims": list(selectors.own_claims(user=request.user)[:30]),
            "year": today.year,
        },
    )


@login_required
@require_POST
def medical_enrol(request: HttpRequest) -> HttpResponse:
    member = selectors.own_member(user=request.user)
    plans = selectors.open_enrolment(member.org, timezone.localdate())[1] if member else []
    form = EnrolSelfForm(request.POST, plans=plans)
    if not form.is_valid():
        messages.error(request, _("Choose a plan."))
        return redirect("portal:medical")
    try:
        enrolment = services.enrol_self(
            user=request.user,
            plan_code=form.cleaned_data["plan_code"],
            payment_ref=form.cleaned_data["payment_ref"],
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("You are enrolled; covered from %(date)s.") % {"date": enrolment.cover_from.isoformat()},
        )
    return redirect("portal:medical")


@login_required
def medical_claim_new(request: HttpRequest) -> HttpResponse:
    member = selectors.own_member(user=request.user)
    if member is None:
        messages.error(request, _("Only members may claim."))
        return redirect("portal:medical")
    plan = selectors.plan_in_force(member.org, timezone.localdate().year)
    form = ClaimForm(request.POST or None, request.FILES or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_submit(
                actor=request.user,
                member=member,
                data=_claim_input(form.cleaned_data),
                documents=form.documents(),
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Your claim was sent to the union."))
            return redirect("portal:medical_claim", claim_id=claim.pk)
    return render(request, "portal/medical/claim_new.html", {"form": form, "plan": plan})


@login_required
def medical_claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = selectors.own_claim_get(user=request.user, claim_id=claim_id)
    form = MoreDocumentsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.claim_add_documents(
                actor=request.user, claim=claim, documents=[(d["kind"], f) for f in d["attachments"]]
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The documents were added."))
            return redirect("portal:medical_claim", claim_id=claim.pk)
    return render(
        request,
        "portal/medical/claim.html",
        {
            "claim": claim,
            "documents": selectors.claim_documents(claim=claim),
            "events": selectors.claim_events(claim=claim),
            "form": form,
            "asked": claim.status == ClaimStatus.MORE_INFO,
        },
    )


@login_required
def medical_document(request: HttpRequest, claim_id: int, document_id: int) -> HttpResponse:
    doc = selectors.own_document_get(user=request.user, claim_id=claim_id, document_id=document_id)
    handle = open(media_path(doc.stored_path), "rb")  # noqa: SIM115 - FileResponse closes it
    return cast(
        HttpResponse, attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)
    )
