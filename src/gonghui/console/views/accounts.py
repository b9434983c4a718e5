"""The system administrator's pages: correcting account data that people asked to have corrected."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import selectors, services
from gonghui.accounts.models import AdminDuty
from gonghui.accounts.reauth import sensitive
from gonghui.core.errors import ServiceError

from .common import duty_view


@duty_view(AdminDuty.SYSTEM)
def correction_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "console/accounts/corrections.html", {"corrections": selectors.pending_corrections()}
    )


@require_POST
@duty_view(AdminDuty.SYSTEM)
@sensitive
def correction_decide(request: HttpRequest, correction_id: int) -> HttpResponse:
    correction = get_object_or_404(selectors.pending_corrections(), pk=correction_id)
    try:
        if request.POST.get("action") == "apply":
            services.correction_apply(
                actor=request.user, correction=correction, note=request.POST.get("note", "")
            )
            messages.success(request, _("Corrected."))
        else:
            services.correction_reject(
                actor=request.user, correction=correction, reason=request.POST.get("note", "")
            )
            messages.success(request, _("The request was rejected."))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("console:correction_list")


@duty_view(AdminDuty.SECURITY)
@sensitive
def duty_list(request: HttpRequest) -> HttpResponse:
    """The security administrator's page: who holds which of the three duties; give or take one away."""
    from gonghui.accounts.models import User

    if request.method == "POST":
        try:
            user = services.account_by_mobile(request.POST.get("mobile", ""))
            if user is None:
                raise ServiceError(
                    "not_found", _("No account uses this mobile number."), status=404, field="mobile"
                )
            services.admin_duty_assign(actor=request.user, user=user, duty=request.POST.get("duty", ""))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Duty changed for %(name)s.") % {"name": user.real_name})
        return redirect("console:duty_list")
    holders = User.objects.exclude(admin_duty="").order_by("admin_duty", "real_name")
    return render(request, "console/accounts/duties.html", {"holders": holders, "duties": AdminDuty.choices})


@duty_view(AdminDuty.SYSTEM)
@sensitive
def privacy_notices(request: HttpRequest) -> HttpResponse:
    """The system administrator publishes versions of the privacy notice; consents name the version seen."""
    from gonghui.accounts.models import PrivacyNotice

    if request.method == "POST":
        try:
            services.privacy_notice_publish(
                actor=request.user,
                version=request.POST.get("version", ""),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The new version is published."))
        return redirect("console:privacy_notices")
    return render(request, "console/accounts/privacy.html", {"notices": PrivacyNotice.objects.all()[:20]})
