"""Enrolling and verifying the second factor (TOTP) that administrators and reviewers need."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from gonghui.accounts import twofactor
from gonghui.core.errors import ServiceError


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/console/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return "/console/"
    return target


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = twofactor.enrolment_device(user)  # type: ignore[arg-type]
    error = ""
    if request.method == "POST":
        try:
            codes = twofactor.totp_confirm(
                user=user,  # type: ignore[arg-type]
                device=device,
                token=request.POST.get("token", ""),
                request=request,
            )
        except ServiceError as exc:
            error = str(exc.message)
        else:
            return render(request, "portal/2fa_codes.html", {"codes": codes, "next": _next(request)})
    return render(
        request,
        "portal/2fa_enrol.html",
        {
            "qr": twofactor.qr_data_uri(device),
            "secret": twofactor.secret_base32(device),
            "error": error,
            "next": _next(request),
            "replacing": twofactor.confirmed_totp(user) is not None,  # type: ignore[arg-type]
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if twofactor.confirmed_totp(user) is None:  # type: ignore[arg-type]
        return redirect(f"/me/2fa/enrol/?next={_next(request)}")
    error = ""
    if request.method == "POST":
        try:
            twofactor.otp_verify(user=user, token=request.POST.get("token", ""), request=request)  # type: ignore[arg-type]
        except ServiceError as exc:
            error = str(exc.message)
        else:
            return redirect(_next(request))
    demo_code = ""
    if getattr(settings, "GONGHUI_DEMO_SHOW_TOTP", False):
        # Demo only: there is no authenticator app on a visitor's phone for the demo accounts.
        from django_otp.oath import TOTP

        device = twofactor.confirmed_totp(user)  # type: ignore[arg-type]
        assert device is not None
        demo_code = str(
            TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        ).zfill(device.digits)
    return render(
        request, "portal/2fa_verify.html", {"error": error, "next": _next(request), "demo_code": demo_code}
    )
