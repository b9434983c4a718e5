"""The member's own account: password change, re-entering the password for sensitive actions, ending
every session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import services
from gonghui.accounts.reauth import mark_reauthenticated
from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.portal.forms import PasswordChangeForm, ReauthForm


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password was changed."))
            return redirect("portal:profile")
    expired = services.password_expired(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "portal/password_change.html",
        {"form": form, "rules": password_validators_help_texts(), "expired": expired},
    )


@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Confirm the password before a sensitive action; failures count towards the lockout like logins."""
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_login(
                mobile=request.user.mobile,  # type: ignore[union-attr]
                password=form.cleaned_data["password"],
            )
        except ServiceError as exc:
            form.add_error("password", str(exc.message))
        else:
            mark_reauthenticated(request)
            log_action(actor=request.user, action="gonghui.auth.reauthenticated", obj=request.user)  # type: ignore[arg-type]
            return redirect(target)
    return render(request, "portal/reauth.html", {"form": form, "next": target})


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.logout_everywhere(user=request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, _("You were logged out on every device."))
    return redirect("portal:login")
