"""The privacy notice and the person's own consents (PIPL art. 14, 15, 29)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import selectors, services
from gonghui.accounts.models import Consent
from gonghui.core.errors import ServiceError


def privacy(request: HttpRequest) -> HttpResponse:
    notice = services.privacy_notice_current()
    consents = Consent.objects.none()
    live = set()
    if request.user.is_authenticated:
        consents = selectors.own_consents(user=request.user)  # type: ignore[arg-type]
        live = {c.purpose for c in consents if c.withdrawn_at is None and notice and c.notice_id == notice.pk}
    return render(
        request,
        "portal/privacy.html",
        {"notice": notice, "consents": consents, "purposes": Consent.Purpose.choices, "live": live},
    )


@require_POST
def consent_give(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("/login/?next=/privacy/")
    notice = services.privacy_notice_current()
    if notice is None or request.POST.get("notice") != notice.version:
        # Consent counts only for the text the person actually saw.
        messages.error(request, _("The notice has changed; read the current one first."))
        return redirect("portal:privacy")
    if request.POST.get("agree") != "yes":
        messages.error(request, _("Tick the box to give this consent."))
        return redirect("portal:privacy")
    try:
        services.consent_give(user=request.user, purpose=request.POST.get("purpose", ""), notice=notice)  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your consent was recorded."))
    return redirect("portal:privacy")


@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    consent = selectors.own_consent_get(user=request.user, consent_id=consent_id)  # type: ignore[arg-type]
    services.consent_withdraw(user=request.user, consent=consent)  # type: ignore[arg-type]
    messages.success(request, _("Your consent was withdrawn."))
    return redirect("portal:privacy")
