"""Security middleware: response headers (CSP and friends) and the idle timeout of cadre sessions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# No inline script anywhere: scripts come only from our own static files. Styles may be inline because
# ECharts and Swagger UI set style attributes; that does not allow code to run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with personal data must not be kept by shared browsers or proxies.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


SESSION_ACTIVITY_KEY = "gonghui_last_activity"
ACTIVITY_RESOLUTION = 60  # seconds; the idle limit is counted in minutes


def is_cadre(user: object) -> bool:
    from gonghui.orgs.selectors import actor_grants

    return bool(getattr(user, "admin_duty", "")) or bool(actor_grants(user))


class IdleTimeoutMiddleware:
    """Cadre sessions end after GONGHUI_CADRE_IDLE_MINUTES without a request (MLPS level 3); member
    sessions last SESSION_COOKIE_AGE and ask for the password again before sensitive actions instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            now = int(time.time())
            last = request.session.get(SESSION_ACTIVITY_KEY)
            limit = settings.GONGHUI_CADRE_IDLE_MINUTES * 60
            if last is not None and now - int(last) > limit and is_cadre(user):
                from gonghui.core.audit import log_action

                log_action(
                    actor=user,
                    action="gonghui.auth.session_expired",
                    obj=user,
                    data={"idle_seconds": now - last},
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request,
                    _("You were logged out after %(n)d minutes without activity.")
                    % {"n": settings.GONGHUI_CADRE_IDLE_MINUTES},
                )
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.get_full_path()}")
            if last is None or now - int(last) >= ACTIVITY_RESOLUTION:
                # Written at most once a minute: storing it on every request would save the session each time.
                request.session[SESSION_ACTIVITY_KEY] = now
        return self.get_response(request)
