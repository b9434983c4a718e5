"""Asking for the password again before sensitive actions, however long the session has lasted."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SESSION_KEY = "gonghui_reauth_at"


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = int(time.time())


def recently_reauthenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return at is not None and time.time() - int(at) <= settings.GONGHUI_REAUTH_MINUTES * 60


def sensitive(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POSTs to the wrapped view need a password confirmed within GONGHUI_REAUTH_MINUTES; GETs pass."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.method == "POST"
            and request.user.is_authenticated
            and not recently_reauthenticated(request)
        ):
            target = request.META.get("HTTP_REFERER") or request.get_full_path()
            return redirect(f"/reauth/?{urlencode({'next': target})}")
        return view(request, *args, **kwargs)

    return wrapper
