"""Writes about accounts: SMS codes, login events, API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_mobile
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can

from .models import ApiToken, SmsCode, User
from .sms import get_sender

SMS_MAX_ATTEMPTS = 5


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _code_hash(mobile: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def password_login(*, mobile: str, password: str, request: Any = None) -> User:
    """Check a mobile number and password; every attempt is audited, failures without saying which part was wrong."""
    try:
        mobile = clean_mobile(mobile)
    except ServiceError:
        log_action(
            actor=mobile[:20], action="gonghui.auth.login_failed", result="failed", data={"how": "password"}
        )
        raise ServiceError("invalid_credentials", _("Wrong mobile number or password."), status=401) from None
    user = authenticate(request, username=mobile, password=password)
    if user is None:
        log_action(
            actor=mobile, action="gonghui.auth.login_failed", result="failed", data={"how": "password"}
        )
        raise ServiceError("invalid_credentials", _("Wrong mobile number or password."), status=401)
    log_action(actor=user, action="gonghui.auth.login", obj=user, data={"how": "password"})
    return user  # type: ignore[return-value]


@transaction.atomic
def sms_code_request(*, mobile: str) -> None:
    """Send a one-time login code. Answers the same whether or not an account exists for the number."""
    mobile = clean_mobile(mobile)
    sender = get_sender()
    recent = SmsCode.objects.filter(mobile=mobile, created_at__gte=timezone.now() - timedelta(seconds=60))
    if recent.exists():
        raise ServiceError(
            "sms_too_soon", _("A code was sent less than a minute ago. Please wait."), status=429
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    SmsCode.objects.create(
        mobile=mobile,
        code_hash=_code_hash(mobile, code),
        expires_at=timezone.now() + timedelta(seconds=settings.GONGHUI_SMS_CODE_TTL_SECONDS),
    )
    if User.objects.filter(mobile=mobile, is_active=True).exists():
        text = str(_("Your gonghui login code is %(code)s. It expires in %(minutes)s minutes."))
        message = text % {"code": code, "minutes": settings.GONGHUI_SMS_CODE_TTL_SECONDS // 60}
        # Send only once the code is stored, so a rolled-back request never leaves a working code in a phone.
        transaction.on_commit(lambda: sender.send(mobile, message))
    log_action(actor=mobile, action="gonghui.auth.sms_code_sent", data={})


def sms_login(*, mobile: str, code: str) -> User:
    """Log in with a one-time code. A wrong code still counts as an attempt (and is audited), so the
    bookkeeping is committed before the error is raised."""
    mobile = clean_mobile(mobile)
    with transaction.atomic():
        sms = (
            SmsCode.objects.select_for_update()
            .filter(mobile=mobile, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        user = User.objects.filter(mobile=mobile, is_active=True).first()
        ok = (
            sms is not None
            and user is not None
            and sms.attempts < SMS_MAX_ATTEMPTS
            and hmac.compare_digest(sms.code_hash, _code_hash(mobile, code.strip()))
        )
        if ok:
            assert sms is not None and user is not None
            sms.used_at = timezone.now()
            sms.save(update_fields=["used_at"])
            log_action(actor=user, action="gonghui.auth.login", obj=user, data={"how": "sms"})
        else:
            if sms is not None:
                sms.attempts += 1
                sms.save(update_fields=["attempts"])
            log_action(actor=mobile, action="gonghui.auth.login_failed", result="failed", data={"how": "sms"})
    if not ok:
        raise ServiceError("invalid_sms_code", _("The code is wrong or has expired."), status=401)
    assert user is not None
    return user


def account_find_or_create(*, actor: Any, mobile: str, real_name: str) -> User:
    """Find the account for a mobile number, or open one (without a password: the person logs in by SMS)."""
    mobile = clean_mobile(mobile)
    user = User.objects.filter(mobile=mobile).first()
    if user is not None:
        return user
    if not real_name.strip():
        raise ServiceError(
            "real_name_required",
            _("No account uses this number yet; give the person's real name."),
            field="real_name",
        )
    with transaction.atomic():
        user = User.objects.create_user(mobile, None, real_name=real_name.strip())
        log_action(actor=actor, action="gonghui.account.created", obj=user)
    return user


@transaction.atomic
def api_token_issue(
    *,
    user: User,
    name: str = "",
    org: Org | None = None,
    access: str = ApiToken.Access.READ_WRITE,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a bearer token; returns the row and the secret, which is never stored nor shown again."""
    if access not in ApiToken.Access.values:
        raise ServiceError("invalid_access", _("Access must be read or read_write."), field="access")
    if org is not None and not actor_can(user, "org.view", org):
        raise ServiceError("not_found", _("No such union in your scope."), status=404, field="org")
    secret = "gh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[3:11],
        key_hash=_hash(secret),
        org=org,
        access=access,
        expires_at=timezone.now() + timedelta(days=days or settings.GONGHUI_API_TOKEN_DAYS),
    )
    log_action(
        actor=user,
        action="gonghui.api_token.issued",
        obj=token,
        data={"org": org.pk if org else None, "access": access},
    )
    return token, secret


def api_token_lookup(secret: str) -> ApiToken | None:
    token = ApiToken.objects.select_related("user", "org").filter(key_hash=_hash(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    if token.last_used_at is None or timezone.now() - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise ServiceError("not_found", _("No such token."), status=404)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor=actor, action="gonghui.api_token.revoked", obj=token)
