"""API authentication: the browser's session (with CSRF) or a bearer token for integrations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth

from gonghui.accounts.services import api_token_lookup
from gonghui.accounts.twofactor import requires_2fa
from gonghui.core.errors import ServiceError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_lookup(token)
        if api_token is None:
            return None
        if api_token.access == api_token.Access.READ and request.method not in SAFE_METHODS:
            raise ServiceError("token_read_only", _("This token may only read."), status=403)
        user = api_token.user
        # Narrow the actor's scope to the token's org and access level (read by orgs.selectors).
        user._token_org_path = api_token.org.path if api_token.org else None  # type: ignore[attr-defined]
        user._token_read_only = api_token.access == api_token.Access.READ  # type: ignore[attr-defined]
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        return user


class ConsoleSessionAuth(SessionAuth):
    """Session auth; ninja checks the CSRF token for cookie-authenticated unsafe requests. An account that
    needs two factors must have verified its second factor in this session."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and requires_2fa(user) and not user.is_verified():
            raise ServiceError(
                "second_factor_required",
                _("Verify your second factor (TOTP) before using the API."),
                status=403,
            )
        return user


AUTH = [TokenAuth(), ConsoleSessionAuth()]
