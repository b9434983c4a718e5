"""Member pages of member days and benefits (会员日, 普惠, DOMAIN §5): what my union offers, signing up in a
tap, my ticket with its QR for the door or my voucher with its QR for the shop, giving a place back; the
public lottery page anyone can check; and the merchant's pages to redeem a voucher on the phone.

Only a member of the union's subtree sees its offers (a 404 for anyone else, never whether it exists); a
merchant sees only the vouchers of the offers they were assigned to.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.benefits import rules, selectors, services
from gonghui.benefits.models import EntryStatus, Kind, OfferStatus, VoucherStatus
from gonghui.benefits.qr import qr_svg
from gonghui.core.errors import ServiceError


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Voucher code"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"}
        ),
    )


@login_required
def benefits_home(request: HttpRequest) -> HttpResponse:
    member = selectors.live_member(user=request.user)
    offers = list(selectors.member_offers(user=request.user)[:100])
    now = timezone.now()
    for offer in offers:
        offer.window = rules.window_state(now=now, opens_at=offer.opens_at, closes_at=offer.closes_at)  # type: ignore[attr-defined]
    open_now = [o for o in offers if o.status == OfferStatus.OPEN and o.window != "closed"]  # type: ignore[attr-defined]
    others = [o for o in offers if o not in open_now]
    return render(
        request,
        "portal/benefits/home.html",
        {
            "member": member,
            "open_now": open_now,
            "others": others,
            "entries": list(selectors.own_entries(user=request.user)[:20]),
            "is_merchant": selectors.merchant_offers(user=request.user).exists(),
        },
    )


@login_required
def benefits_offer(request: HttpRequest, offer_id: int) -> HttpResponse:
    """One offer: what, where and when, who may sign up, the sign-up button or my place, and the lottery."""
    offer = selectors.member_offer_get(user=request.user, offer_id=offer_id)
    entry = selectors.own_entry_for(user=request.user, offer=offer)
    now = timezone.now()
    window = rules.window_state(now=now, opens_at=offer.opens_at, closes_at=offer.closes_at)
    problems: list[str] = []
    if entry is None and offer.status == OfferStatus.OPEN and window == "open":
        member = selectors.live_member(user=request.user)
        verdict = services.eligibility_check(
            offer=offer, member=member, user=request.user, today=timezone.localdate(now)
        )
        problems = [str(services.problem_message(code, offer)) for code in verdict.problems]
    return render(
        request,
        "portal/benefits/offer.html",
        {
            "offer": offer,
            "entry": entry,
            "window": window,
            "problems": problems,
            "draw": selectors.offer_draw(offer=offer),
            "can_apply": entry is None
            and offer.status == OfferStatus.OPEN
            and window == "open"
            and not problems,
        },
    )


@login_required
@require_POST
def benefits_apply(request: HttpRequest, offer_id: int) -> HttpResponse:
    try:
        entry = services.entry_apply(user=request.user, offer_id=offer_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
        return redirect("portal:benefits_offer", offer_id=offer_id)
    if entry.status == EntryStatus.WON:
        messages.success(request, _("Your place is confirmed."))
    elif entry.status == EntryStatus.WAITING:
        messages.success(
            request,
            _("All places are taken: you are number %(n)s on the waiting list.")
            % {"n": entry.waiting_position},
        )
    else:
        messages.success(
            request,
            _("You are in the draw with ticket %(t)s. The results follow the close.") % {"t": entry.ticket},
        )
    return redirect("portal:benefits_ticket", entry_id=entry.pk)


@login_required
def benefits_ticket(request: HttpRequest, entry_id: int) -> HttpResponse:
    """My sign-up: its status; with a place, the ticket QR the organiser scans or the voucher QR for the shop."""
    entry = selectors.own_entry_get(user=request.user, entry_id=entry_id)
    offer = entry.offer
    voucher = getattr(entry, "voucher", None)
    qr = ""
    if entry.status == EntryStatus.WON and offer.kind == Kind.ACTIVITY and entry.checked_in_at is None:
        qr = qr_svg(request.build_absolute_uri(reverse("console:benefits_checkin", args=[entry.token])))
    elif voucher is not None and voucher.status == VoucherStatus.ISSUED:
        qr = qr_svg(request.build_absolute_uri(reverse("portal:benefits_redeem", args=[voucher.code])))
    return render(
        request,
        "portal/benefits/ticket.html",
        {
            "entry": entry,
            "offer": offer,
            "voucher": voucher,
            "qr": qr,
            "can_cancel": entry.status in (EntryStatus.APPLIED, EntryStatus.WON, EntryStatus.WAITING)
            and offer.status in (OfferStatus.OPEN, OfferStatus.ALLOCATED)
            and entry.checked_in_at is None
            and (voucher is None or voucher.status == VoucherStatus.ISSUED),
        },
    )


@login_required
@require_POST
def benefits_cancel(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        services.entry_cancel(user=request.user, entry_id=entry_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You gave your place back. Thank you: the next person moves up."))
    return redirect("portal:benefits_ticket", entry_id=entry_id)


# --- the public lottery -------------------------------------------------------------------------------------


def benefits_lottery(request: HttpRequest, offer_id: int) -> HttpResponse:
    """The public lottery page: seed commitment, tickets with masked names, the seed and winners after the
    draw, and the server's own re-run of the published data. Open to anyone, signed in or not."""
    draw = selectors.public_draw(offer_id=offer_id)
    data = selectors.published_lottery(draw)
    check = selectors.verify_published(data)
    winners = set(data["winners"])
    waiting = {t: i for i, t in enumerate(data["waiting"], start=1)}
    tickets = [
        {**t, "won": t["ticket"] in winners, "waiting": waiting.get(t["ticket"])} for t in data["tickets"]
    ]
    return render(
        request,
        "portal/benefits/lottery.html",
        {"draw": draw, "offer": draw.offer, "data": data, "check": check, "tickets": tickets},
    )


def benefits_lottery_json(request: HttpRequest, offer_id: int) -> HttpResponse:
    draw = selectors.public_draw(offer_id=offer_id)
    response = JsonResponse(
        selectors.published_lottery(draw), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'inline; filename="lottery-{offer_id}.json"'
    return response


# --- merchants ----------------------------------------------------------------------------------------------


@login_required
def benefits_merchant(request: HttpRequest) -> HttpResponse:
    """The merchant's page: the offers they redeem for, and a code typed in (scanning the QR opens the voucher
    directly)."""
    shops = list(selectors.merchant_offers(user=request.user))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = selectors.normalise_code(form.cleaned_data["code"])
        if code:
            return redirect("portal:benefits_redeem", code=code)
    return render(request, "portal/benefits/merchant.html", {"shops": shops, "form": form})


@login_required
def benefits_redeem(request: HttpRequest, code: str) -> HttpResponse:
    """The page a voucher QR opens on the merchant's phone: the voucher and the redeem button."""
    voucher, merchant = selectors.voucher_for_merchant(user=request.user, code=code)
    if request.method == "POST":
        try:
            services.voucher_redeem(user=request.user, code=voucher.code)
        except ServiceError as exc:
            if exc.status == 404:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Redeemed. Thank you."))
        return redirect("portal:benefits_redeem", code=voucher.code)
    voucher.refresh_from_db()
    return render(
        request,
        "portal/benefits/redeem.html",
        {
            "voucher": voucher,
            "merchant": merchant,
            "holder": voucher.entry.masked_name,
            "expired": voucher.expires_at <= timezone.now(),
            "redemption": getattr(voucher, "redemption", None),
        },
    )
