"""What every console view shares: access to the console and the current org from the org switcher."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gonghui.accounts.services import password_expired
from gonghui.accounts.twofactor import requires_2fa
from gonghui.core.audit import log_action
from gonghui.core.duties import has_duty
from gonghui.core.errors import ServiceError
from gonghui.orgs import selectors
from gonghui.orgs.models import Org

SESSION_KEY = "console_org_id"


class ConsoleRequest(HttpRequest):
    """A request inside the console: `org` is the union chosen in the org switcher, always within scope."""

    org: Org


def account_gate(request: HttpRequest) -> HttpResponse | None:
    """The account rules every console page applies (MLPS level 3): an expired password is changed first, and
    an administrator or reviewer verifies the second factor in this session. None when the person may go on."""
    if password_expired(request.user):  # type: ignore[arg-type]
        return redirect("portal:password_change")
    if requires_2fa(request.user) and not request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return redirect(f"{reverse('portal:2fa_verify')}?{urlencode({'next': request.get_full_path()})}")
    return None


def console_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in and holding at least one role; sets request.org to the org chosen in the switcher."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.has_console_access(request.user):
            return render(request, "console/no_access.html", status=403)
        if (gate := account_gate(request)) is not None:
            return gate
        request.org = current_org(request)  # type: ignore[attr-defined]  # becomes a ConsoleRequest
        return view(request, *args, **kwargs)

    return wrapper


def current_org(request: HttpRequest) -> Org:
    org_id = request.session.get(SESSION_KEY)
    if org_id:
        try:
            return selectors.org_get(actor=request.user, org_id=int(org_id))
        except ServiceError:
            request.session.pop(SESSION_KEY, None)
    top = selectors.top_orgs(actor=request.user).first()
    assert top is not None  # has_console_access guarantees at least one grant
    return top


def duty_view(
    duty: str, *, refused: Promise | str | None = None, refused_action: str = "gonghui.console.duty_refused"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Pages of one of the three administrator duties (三员): platform-wide, so no union role is needed, but the
    same account rules as the rest of the console apply. A refused attempt is itself audited. When the person
    also works in a union, request.org is set, for the console frame and "current union" filters."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_duty(request.user, duty):
                log_action(actor=request.user, action=refused_action, result="denied", data={"duty": duty})
                message = refused or _("This page belongs to another duty.")
                return render(request, "error.html", {"error": message}, status=403)
            if (gate := account_gate(request)) is not None:
                return gate
            if selectors.has_console_access(request.user):
                request.org = current_org(request)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
