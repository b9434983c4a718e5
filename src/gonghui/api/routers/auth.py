from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from gonghui.accounts import selectors, services
from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.twofactor import confirmed_totp, otp_verify, requires_2fa
from gonghui.api.auth import AUTH
from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import ServiceError
from gonghui.orgs.selectors import org_get

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""
    org_id: int | None = None
    access: str = ApiToken.Access.READ_WRITE
    days: int | None = Field(default=None, ge=1, le=365)
    otp: str = Field(
        default="", description="TOTP or recovery code; required for administrators and reviewers"
    )


class TokenOut(Schema):
    id: int
    token: str
    expires_at: datetime
    access: str
    org_id: int | None


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    access: str
    org_id: int | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class MeOut(Schema):
    id: int
    real_name: str
    mobile: str
    roles: list[dict]


@router.post("/token", response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut}, auth=None)
def token_issue(request: HttpRequest, data: TokenIn) -> TokenOut:
    """Exchange a mobile number and password for a bearer token (optionally limited to an org and to reading)."""
    user = services.password_login(mobile=data.username, password=data.password)
    if requires_2fa(user):
        if confirmed_totp(user) is None:
            raise ServiceError(
                "second_factor_not_enrolled",
                _("Set up two-factor login in the portal before asking for an API token."),
                status=403,
            )
        otp_verify(user=user, token=data.otp)
    org = org_get(actor=user, org_id=data.org_id) if data.org_id else None
    token, secret = services.api_token_issue(
        user=user, name=data.name, org=org, access=data.access, days=data.days
    )
    return TokenOut(
        id=token.pk, token=secret, expires_at=token.expires_at, access=token.access, org_id=token.org_id
    )


@router.get("/tokens", response=list[TokenInfo], auth=AUTH)
def token_list(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.own_tokens(user=request.user))  # type: ignore[arg-type]


@router.post("/tokens/{token_id}/revoke", response={204: None, 404: ErrorOut}, auth=AUTH)
def token_revoke(request: HttpRequest, token_id: int) -> Status:
    token = selectors.own_token_get(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    return Status(204, None)


@router.get("/me", response=MeOut, auth=AUTH)
def me(request: HttpRequest) -> MeOut:
    user: User = request.user  # type: ignore[assignment]
    roles = [
        {"org_id": r.org_id, "org_name": r.org.name, "role": r.role} for r in user.roles.select_related("org")
    ]
    return MeOut(id=user.pk, real_name=user.real_name, mobile=user.masked_mobile, roles=roles)
