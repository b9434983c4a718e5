from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.reauth import sensitive
from gonghui.accounts.selectors import account_get
from gonghui.accounts.services import account_find_or_create, account_unlock
from gonghui.core.errors import NotFound, ServiceError
from gonghui.orgs import selectors, services

from ..forms import RoleGrantForm
from .common import ConsoleRequest, console_view


@console_view
@sensitive
def role_list(request: ConsoleRequest) -> HttpResponse:
    """Role management for the current org and its subtree; only administrators of the org reach it."""
    org = request.org
    if not selectors.actor_can(request.user, "role.manage", org):
        return render(
            request,
            "error.html",
            {"error": _("Only an administrator of this union manages roles.")},
            status=403,
        )
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_find_or_create(
                actor=request.user,
                mobile=form.cleaned_data["mobile"],
                real_name=form.cleaned_data["real_name"],
            )
            services.role_grant(actor=request.user, user=user, org=org, role=form.cleaned_data["role"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Role granted to %(name)s.") % {"name": user.real_name})
            return redirect("console:role_list")
    assignments = selectors.role_assignments(actor=request.user, org=org)[:500]
    return render(
        request,
        "console/roles/list.html",
        {"org": org, "assignments": assignments, "form": form, "now": timezone.now()},
    )


@require_POST
@console_view
@sensitive
def role_revoke(request: ConsoleRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.role_assignments(actor=request.user).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound()
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Role removed."))
    return redirect("console:role_list")


@require_POST
@console_view
@sensitive
def account_unlock_view(request: ConsoleRequest, user_id: int) -> HttpResponse:
    """Unlock an account locked after failed logins, before the lock ends by itself."""
    user = account_get(user_id=user_id)
    account_unlock(actor=request.user, user=user)
    messages.success(request, _("%(name)s can log in again.") % {"name": user.real_name})
    return redirect("console:role_list")
