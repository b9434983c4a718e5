"""Cadre pages of member days and benefits (会员日, 普惠, DOMAIN §5): offers of the current union's subtree with
their counts, creating and changing one, its sign-ups, the close with the lottery's published commitment, the
draw (once, after the close), results, merchants and redemptions, the check-in desk at the door (the
organiser's phone scans a winner's ticket QR, which opens the ticket page here), roll-up counts with a chart,
and the union's member-day rules.

Reads need "services.view", writes "benefit.manage" (checked again by the services). Each view is an
access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.benefits import selectors, services
from gonghui.benefits.models import EntryStatus, Kind, Offer, OfferStatus
from gonghui.core.errors import ServiceError
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from ..forms_benefits import CancelForm, MerchantForm, OfferFilterForm, OfferForm, PolicyForm, TicketCodeForm
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _input(d: dict[str, Any]) -> services.OfferInput:
    return services.OfferInput(
        kind=d["kind"],
        category=d["category"],
        title=d["title"],
        description=d.get("description", ""),
        place=d.get("place", ""),
        starts_at=d.get("starts_at"),
        ends_at=d.get("ends_at"),
        quota=d["quota"],
        opens_at=d["opens_at"],
        closes_at=d["closes_at"],
        allocation=d["allocation"],
        employment_forms=list(d.get("employment_forms") or []),
        include_retained=bool(d.get("include_retained")),
        min_membership_months=d.get("min_membership_months") or 0,
        exclude_recent_winners=d.get("exclude_recent_winners") or 0,
        voucher_expires_at=d.get("voucher_expires_at"),
    )


def _initial(offer: Offer) -> dict[str, Any]:
    fields = (*services.RULE_FIELDS, *services.TEXT_FIELDS)
    initial = {f: getattr(offer, f) for f in fields}
    for f in ("starts_at", "ends_at", "opens_at", "closes_at", "voucher_expires_at"):
        if initial[f] is not None:
            initial[f] = timezone.localtime(initial[f])
    return initial


def _done(request: ConsoleRequest, offer_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("console:benefits_offer", offer_id=offer_id)


def _refused(request: ConsoleRequest, offer_id: int, exc: ServiceError) -> HttpResponse:
    if exc.status in (403, 404):
        raise exc
    messages.error(request, str(exc.message))
    return redirect("console:benefits_offer", offer_id=offer_id)


# --- offers -------------------------------------------------------------------------------------------------


@console_view
def offer_list(request: ConsoleRequest) -> HttpResponse:
    """Offers and activities of the current union's subtree, the newest first, with sign-ups and winners."""
    require(actor=request.user, perm=VIEW, org=request.org)
    form = OfferFilterForm(request.GET)
    f = form.cleaned_data if form.is_valid() else {}
    offers = selectors.offer_list(
        actor=request.user,
        org=request.org,
        status=f.get("status", ""),
        kind=f.get("kind", ""),
        q=f.get("q", ""),
    )
    return render(
        request,
        "console/benefits/list.html",
        {
            "form": form,
            "page": _page(request, offers),
            "query": _query_without_page(request),
            "may_manage": actor_can(request.user, MANAGE, request.org),
            "now": timezone.now(),
        },
    )


@console_view
def offer_new(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=MANAGE, org=request.org)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(actor=request.user, org=request.org, data=_input(form.cleaned_data))
        except ServiceError as exc:
            _show(form, exc)
        else:
            return _done(
                request, offer.pk, _("The draft was saved. Check it, then publish it to the members.")
            )
    return render(request, "console/benefits/form.html", {"form": form, "offer": None})


@console_view
def offer_edit(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    form = OfferForm(request.POST or None, initial=_initial(offer))
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(actor=request.user, offer=offer, data=_input(form.cleaned_data))
        except ServiceError as exc:
            _show(form, exc)
        else:
            return _done(request, offer.pk, _("The offer was changed."))
    return render(request, "console/benefits/form.html", {"form": form, "offer": offer})


@console_view
def offer_detail(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    """One offer: its rules, counts, the actions of its stage, the lottery, sign-ups and merchants."""
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id)
    may_manage = actor_can(request.user, MANAGE, offer.org)
    now = timezone.now()
    draw = selectors.offer_draw(offer=offer)
    status = request.GET.get("status", "")
    entries = selectors.offer_entries(offer=offer, status=status if status in EntryStatus.values else "")
    return render(
        request,
        "console/benefits/detail.html",
        {
            "offer": offer,
            "may_manage": may_manage,
            "draw": draw,
            "page": _page(request, entries),
            "query": _query_without_page(request),
            "status": status,
            "statuses": EntryStatus.choices,
            "merchants": selectors.offer_merchants(offer=offer) if offer.kind == Kind.OFFER else [],
            "merchant_form": MerchantForm(),
            "cancel_form": CancelForm(),
            "window_over": now >= offer.closes_at,
            "can_close": offer.status == OfferStatus.OPEN and now >= offer.closes_at,
            "can_draw": offer.status == OfferStatus.CLOSED and draw is not None and draw.drawn_at is None,
            "eligibility": selectors.eligibility_of(offer),
            "forms_labels": _form_labels(offer),
        },
    )


def _form_labels(offer: Offer) -> list[str]:
    from gonghui.members.models import EmploymentForm

    labels = dict(EmploymentForm.choices)
    return [str(labels.get(f, f)) for f in offer.employment_forms or []]


@console_view
@require_POST
def offer_publish(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    try:
        services.offer_publish(actor=request.user, offer=offer)
    except ServiceError as exc:
        return _refused(request, offer_id, exc)
    return _done(request, offer_id, _("Published: the members see it and may sign up once the window opens."))


@console_view
@require_POST
def offer_close(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    try:
        offer = services.offer_close(actor=request.user, offer=offer)
    except ServiceError as exc:
        return _refused(request, offer_id, exc)
    if offer.status == OfferStatus.CLOSED:
        return _done(
            request, offer_id, _("Sign-up closed. The seed commitment and the tickets are published.")
        )
    return _done(request, offer_id, _("Sign-up closed: every sign-up got a place and the results are out."))


@console_view
@require_POST
def offer_draw(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    try:
        draw = services.offer_draw(actor=request.user, offer=offer)
    except ServiceError as exc:
        return _refused(request, offer_id, exc)
    return _done(
        request, offer_id, _("The draw is done: %(n)s winners, results announced.") % {"n": len(draw.winners)}
    )


@console_view
@require_POST
def offer_cancel(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the offer is cancelled."))
        return redirect("console:benefits_offer", offer_id=offer_id)
    try:
        services.offer_cancel(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        return _refused(request, offer_id, exc)
    return _done(request, offer_id, _("The offer was cancelled and everyone who signed up was told."))


@console_view
@require_POST
def merchant_add(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    form = MerchantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the merchant's name and mobile number."))
        return redirect("console:benefits_offer", offer_id=offer_id)
    try:
        services.merchant_add(actor=request.user, offer=offer, **form.cleaned_data)
    except ServiceError as exc:
        return _refused(request, offer_id, exc)
    return _done(request, offer_id, _("The merchant may now redeem vouchers on their phone."))


# --- check-in -----------------------------------------------------------------------------------------------


@console_view
def checkin_desk(request: ConsoleRequest, offer_id: int) -> HttpResponse:
    """The door of an activity: who has a place and who has come; a code typed or pasted by a scanner."""
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    form = TicketCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["code"].strip().rstrip("/").rsplit("/", 1)[-1]
        return redirect("console:benefits_checkin", token=token)
    winners = selectors.offer_entries(offer=offer, status=EntryStatus.WON)
    return render(
        request,
        "console/benefits/desk.html",
        {
            "offer": offer,
            "form": form,
            "page": _page(request, winners),
            "query": _query_without_page(request),
        },
    )


@console_view
def checkin_ticket(request: ConsoleRequest, token: str) -> HttpResponse:
    """The page a winner's ticket QR opens on the organiser's phone: who it is, and the check-in button."""
    entry = selectors.entry_by_token(actor=request.user, token=token)
    if request.method == "POST":
        try:
            entry = services.entry_check_in(actor=request.user, entry=entry)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Checked in: ticket %(t)s.") % {"t": entry.ticket})
        return redirect("console:benefits_checkin", token=entry.token)
    return render(request, "console/benefits/ticket.html", {"entry": entry, "offer": entry.offer})


# --- figures and rules --------------------------------------------------------------------------------------


@console_view
def stats(request: ConsoleRequest) -> HttpResponse:
    """Roll-up counts of the current union's subtree per child union, with a chart."""
    r = selectors.rollup(actor=request.user, org=request.org)
    chart = {
        "labels": [row["org"].name for row in r.rows],
        "series": [
            {"name": _("Sign-ups"), "data": [row["signups"] for row in r.rows]},
            {"name": _("Places"), "data": [row["winners"] for row in r.rows]},
        ],
    }
    totals = {
        "type": "pie",
        "labels": [_("Places taken up"), _("Places not yet used")],
        "values": [r.checkins + r.redemptions, max(r.winners - r.checkins - r.redemptions, 0)],
    }
    return render(request, "console/benefits/stats.html", {"r": r, "chart": chart, "totals": totals})


@console_view
def policy(request: ConsoleRequest) -> HttpResponse:
    org = request.org
    require(actor=request.user, perm=VIEW, org=org)
    current = selectors.policy_for(org)
    may_manage = actor_can(request.user, MANAGE, org)
    form = PolicyForm(
        request.POST or None,
        initial={
            "voucher_valid_days": current.voucher_valid_days,
            "cancel_hours_before": current.cancel_hours_before,
            "checkin_minutes_before": current.checkin_minutes_before,
        },
    )
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            try:
                services.benefit_policy_set(actor=request.user, org=org, **form.cleaned_data)
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The member-day rules were saved."))
                return redirect("console:benefits_policy")
    source = current.org if current.pk else None
    return render(
        request, "console/benefits/policy.html", {"form": form, "source": source, "may_manage": may_manage}
    )
