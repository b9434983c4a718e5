"""Writes about accounts: SMS codes, login events, API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import duties
from gonghui.core.audit import log_action
from gonghui.core.context import current_request_info
from gonghui.core.crypto import blind_index
from gonghui.core.duties import require_duty
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import clean_mobile
from gonghui.core.masking import mask_mobile
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can

from . import throttle
from .backends import MobileBackend
from .models import (
    USER_MOBILE_PURPOSE,
    AdminDuty,
    ApiToken,
    Consent,
    CorrectionRequest,
    PasswordHistory,
    PrivacyNotice,
    SmsCode,
    User,
    sms_mobile_index,
)
from .sms import get_sender

SMS_MAX_ATTEMPTS = 5


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _code_hash(mobile: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def _user_mobile_index(mobile: str) -> str:
    """The users' blind index of a cleaned number: audit records carry it (never the number), so that the
    attempts on one account can be linked to it and to each other."""
    return blind_index(mobile, purpose=USER_MOBILE_PURPOSE, kind="mobile")


def _attempt(mobile: str) -> tuple[str, dict[str, Any]]:
    """The audit actor label (the masked number) and data for an attempt by someone not logged in.

    Input that is not a valid number is starred completely by mask_mobile and gets no index."""
    try:
        cleaned = clean_mobile(mobile)
    except ServiceError:
        return mask_mobile(mobile.strip()[:20]), {}
    return mask_mobile(cleaned), {"mobile_index": _user_mobile_index(cleaned)}


def _too_many_from_ip() -> bool:
    ip = current_request_info().ip
    return throttle.count("login-ip", ip) >= settings.GONGHUI_IP_FAILURE_LIMIT


def _count_ip_failure() -> None:
    throttle.hit("login-ip", current_request_info().ip, settings.GONGHUI_IP_WINDOW_MINUTES * 60)


def _locked_error(until: datetime) -> ServiceError:
    local = timezone.localtime(until)
    return ServiceError(
        "account_locked",
        _(
            "Too many failed logins: this account is locked until %(time)s. "
            "Try again then, or ask an administrator to unlock it."
        )
        % {"time": local.strftime("%Y-%m-%d %H:%M")},
        status=403,
        details={"locked_until": until.isoformat()},
    )


def password_login(*, mobile: str, password: str) -> User:
    """Check a mobile number and password. Every attempt is audited; failures never say which part was
    wrong. After GONGHUI_LOCKOUT_ATTEMPTS failures in a row the account is locked for GONGHUI_LOCKOUT_MINUTES,
    and a locked account is refused even with the right password until the lock ends."""
    invalid = ServiceError("invalid_credentials", _("Wrong mobile number or password."), status=401)
    label, linked = _attempt(mobile)
    if _too_many_from_ip():
        log_action(
            actor=label,
            action="gonghui.auth.login_throttled",
            result="denied",
            data={"how": "password", **linked},
        )
        raise ServiceError(
            "too_many_attempts", _("Too many failed logins from your network. Try again later."), status=429
        )
    try:
        mobile = clean_mobile(mobile)
    except ServiceError:
        _count_ip_failure()
        log_action(
            actor=label,
            action="gonghui.auth.login_failed",
            result="failed",
            data={"how": "password", **linked},
        )
        raise invalid from None
    account = User.objects.filter(blind_q(User, "mobile", mobile)).first()
    if account is not None and account.locked_until and account.locked_until > timezone.now():
        log_action(
            actor=account,
            action="gonghui.auth.login_locked",
            obj=account,
            result="denied",
            data={"how": "password"},
        )
        raise _locked_error(account.locked_until)
    # The account was found above; checking its password here saves the second lookup authenticate() would do.
    user = MobileBackend().check(account, password)
    if user is None:
        _count_ip_failure()
        log_action(
            actor=label,
            action="gonghui.auth.login_failed",
            result="failed",
            data={"how": "password", **linked},
        )
        if account is not None:
            locked_until = _record_failure(account)
            if locked_until is not None:
                raise _locked_error(locked_until)
        raise invalid
    assert isinstance(user, User)
    _refuse_superuser(user)
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    log_action(actor=user, action="gonghui.auth.login", obj=user, data={"how": "password"})
    return user


def _record_failure(account: User) -> datetime | None:
    """Count a failed login; lock the account when the limit is reached. Returns the lock's end, if locked."""
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
        account.refresh_from_db(fields=["failed_logins"])
        if account.failed_logins < settings.GONGHUI_LOCKOUT_ATTEMPTS:
            return None
        until = timezone.now() + timedelta(minutes=settings.GONGHUI_LOCKOUT_MINUTES)
        User.objects.filter(pk=account.pk).update(failed_logins=0, locked_until=until)
        log_action(
            actor="system",
            action="gonghui.auth.account_locked",
            obj=account,
            result="denied",
            data={"until": until.isoformat(), "attempts": settings.GONGHUI_LOCKOUT_ATTEMPTS},
        )
    return until


def _refuse_superuser(user: User) -> None:
    """The Django superuser exists for emergencies in the operations admin (/ops/admin/), never for daily work
    (MLPS: separated duties): it cannot log in to the portal, the console or the API."""
    if user.is_superuser:
        log_action(actor=user, action="gonghui.auth.superuser_refused", obj=user, result="denied")
        raise ServiceError(
            "superuser_not_for_operation",
            _("The superuser account is for the operations admin only. Log in with a personal account."),
            status=403,
        )


def account_unlock(*, actor: Any, user: User) -> None:
    """End a lock early: the security administrator may unlock anyone, an org administrator the people
    who hold roles in their scope."""
    from gonghui.orgs.models import RoleAssignment
    from gonghui.orgs.selectors import actor_can

    allowed = duties.has_duty(actor, duties.SECURITY) or any(
        actor_can(actor, "role.manage", ra.org)
        for ra in RoleAssignment.objects.filter(user=user).select_related("org")
    )
    if not allowed:
        raise ServiceError("not_found", _("No such account in your scope."), status=404)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        log_action(actor=actor, action="gonghui.auth.account_unlocked", obj=user)


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Change one's own password under the configured profile; the old hash joins the history."""
    if not user.check_password(old_password):
        log_action(actor=user, action="gonghui.auth.password_change_failed", obj=user, result="failed")
        raise ServiceError("wrong_password", _("The current password is wrong."), field="old_password")
    try:
        validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ServiceError("weak_password", " ".join(exc.messages), field="new_password") from exc
    with transaction.atomic():
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
            keep = list(user.password_history.values_list("pk", flat=True)[:10])
            user.password_history.exclude(pk__in=keep).delete()
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        log_action(actor=user, action="gonghui.auth.password_changed", obj=user)


def password_expired(user: User) -> bool:
    """Cadre accounts must change their password every N days under the MLPS profile."""
    from gonghui.orgs.selectors import actor_grants

    from .passwords import profile

    max_age = profile().cadre_max_age_days
    if not max_age or not (actor_grants(user) or user.admin_duty):
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > timedelta(days=max_age)


def logout_everywhere(*, user: User) -> None:
    """End every session of this user (the epoch is part of the session hash) and revoke their API tokens."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        log_action(
            actor=user, action="gonghui.auth.logout_everywhere", obj=user, data={"tokens_revoked": revoked}
        )


@transaction.atomic
def sms_code_request(*, mobile: str, verify: bool = False) -> None:
    """Send a one-time login code. Answers the same whether or not an account exists for the number.

    With `verify`, the code proves that the person holds the number (joining the union): it is sent whether or
    not an account exists, and `sms_code_check` consumes it."""
    mobile = clean_mobile(mobile)
    sender = get_sender()
    now = timezone.now()
    sms_index = sms_mobile_index(mobile)
    label, linked = mask_mobile(mobile), {"mobile_index": _user_mobile_index(mobile)}
    if SmsCode.objects.filter(mobile_index=sms_index, created_at__gte=now - timedelta(seconds=60)).exists():
        raise ServiceError(
            "sms_too_soon", _("A code was sent less than a minute ago. Please wait."), status=429
        )
    today = SmsCode.objects.filter(mobile_index=sms_index, created_at__gte=now - timedelta(days=1)).count()
    ip = current_request_info().ip
    if today >= settings.GONGHUI_SMS_PER_PHONE_PER_DAY or (
        throttle.count("sms-ip", ip) >= settings.GONGHUI_SMS_PER_IP_PER_DAY
    ):
        log_action(actor=label, action="gonghui.auth.sms_throttled", result="denied", data=linked)
        raise ServiceError(
            "sms_limit",
            _("Too many codes requested today. Log in with your password or try tomorrow."),
            status=429,
        )
    throttle.hit("sms-ip", ip, 24 * 3600)
    code = f"{secrets.randbelow(1_000_000):06d}"
    SmsCode.objects.create(
        mobile_index=sms_index,
        code_hash=_code_hash(mobile, code),
        expires_at=timezone.now() + timedelta(seconds=settings.GONGHUI_SMS_CODE_TTL_SECONDS),
    )
    if verify:
        text = str(_("Your gonghui verification code is %(code)s. It expires in %(minutes)s minutes."))
        message = text % {"code": code, "minutes": settings.GONGHUI_SMS_CODE_TTL_SECONDS // 60}
        transaction.on_commit(lambda: sender.send(mobile, message))
    elif User.objects.filter(blind_q(User, "mobile", mobile), is_active=True).exists():
        text = str(_("Your gonghui login code is %(code)s. It expires in %(minutes)s minutes."))
        message = text % {"code": code, "minutes": settings.GONGHUI_SMS_CODE_TTL_SECONDS // 60}
        # Send only once the code is stored, so a rolled-back request never leaves a working code in a phone.
        transaction.on_commit(lambda: sender.send(mobile, message))
    log_action(actor=label, action="gonghui.auth.sms_code_sent", data=linked)


def _take_code(mobile: str, code: str, *, usable: bool = True) -> bool:
    """Inside the caller's transaction: whether `code` is the live code for the (cleaned) number. A right code
    is used up; a wrong one counts as an attempt. `usable=False` (no account to log in to) fails the code
    like a wrong one."""
    sms = (
        SmsCode.objects.select_for_update()
        .filter(mobile_index=sms_mobile_index(mobile), used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if sms is None:
        return False
    ok = (
        usable
        and sms.attempts < SMS_MAX_ATTEMPTS
        and hmac.compare_digest(sms.code_hash, _code_hash(mobile, (code or "").strip()))
    )
    if ok:
        sms.used_at = timezone.now()
        sms.save(update_fields=["used_at"])
    else:
        sms.attempts += 1
        sms.save(update_fields=["attempts"])
    return ok


def sms_login(*, mobile: str, code: str) -> User:
    """Log in with a one-time code. A wrong code still counts as an attempt (and is audited), so the
    bookkeeping is committed before the error is raised."""
    mobile = clean_mobile(mobile)
    with transaction.atomic():
        user = User.objects.filter(blind_q(User, "mobile", mobile), is_active=True).first()
        ok = _take_code(mobile, code, usable=user is not None)
        if ok:
            log_action(actor=user, action="gonghui.auth.login", obj=user, data={"how": "sms"})
        else:
            log_action(
                actor=mask_mobile(mobile),
                action="gonghui.auth.login_failed",
                result="failed",
                data={"how": "sms", "mobile_index": _user_mobile_index(mobile)},
            )
    if not ok:
        raise ServiceError("invalid_sms_code", _("The code is wrong or has expired."), status=401)
    assert user is not None
    _refuse_superuser(user)
    return user


def sms_code_check(*, mobile: str, code: str) -> None:
    """Consume a verification code for a number (see `sms_code_request(verify=True)`), or raise. A wrong code
    counts as an attempt, committed before the error is raised."""
    mobile = clean_mobile(mobile)
    with transaction.atomic():
        ok = _take_code(mobile, code)
    if not ok:
        raise ServiceError("invalid_sms_code", _("The code is wrong or has expired."), field="code")


def account_find_or_create(*, actor: Any, mobile: str, real_name: str) -> User:
    """Find the account for a mobile number, or open one (without a password: the person logs in by SMS)."""
    mobile = clean_mobile(mobile)
    user = account_by_mobile(mobile)
    if user is not None:
        return user
    if not real_name.strip():
        raise ServiceError(
            "real_name_required",
            _("No account uses this number yet; give the person's real name."),
            field="real_name",
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(mobile, None, real_name=real_name.strip())
            log_action(actor=actor, action="gonghui.account.created", obj=user)
    except IntegrityError:
        # The unique blind index refused a second account for the number (another request opened one
        # between the lookup above and this insert).
        raise ServiceError(
            "mobile_in_use",
            _("Another account already uses this mobile number."),
            status=409,
            field="mobile",
        ) from None
    return user


def account_by_mobile(mobile: str) -> User | None:
    """The account whose login name is this (cleaned) mobile number, found through its blind index."""
    return User.objects.filter(blind_q(User, "mobile", mobile)).first()


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
    # The mobile number is decrypted only if something reads it: most API calls never do, and SM4 on every
    # request was a quarter of a vote's cost (bench/RESULTS.md, voting).
    token = (
        ApiToken.objects.select_related("user", "org")
        .defer("user__mobile")
        .filter(key_hash=_hash(secret))
        .first()
    )
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


def own_data_export(*, user: User) -> dict[str, Any]:
    """The person's own data as a document they download; the download is audited."""
    from .selectors import own_data

    data = own_data(user=user)
    log_action(actor=user, action="gonghui.pii.self_export", obj=user)
    return data


@transaction.atomic
def correction_request_submit(*, user: User, field: str, value: str, reason: str = "") -> CorrectionRequest:
    """Ask for one's own real name or mobile number to be corrected."""
    if field not in CorrectionRequest.Field.values:
        raise ServiceError("invalid_field", _("Choose what to correct."), field="field")
    value = value.strip()
    if field == CorrectionRequest.Field.MOBILE:
        value = clean_mobile(value, field="value")
    elif not value:
        raise ServiceError("value_required", _("Give the correct value."), field="value")
    if CorrectionRequest.objects.filter(
        user=user, field=field, status=CorrectionRequest.Status.PENDING
    ).exists():
        raise ServiceError(
            "already_pending", _("A correction of this is already waiting for a decision."), status=409
        )
    correction = CorrectionRequest.objects.create(
        user=user, field=field, requested_value=value, reason=reason
    )
    log_action(actor=user, action="gonghui.pii.correction_requested", obj=correction, data={"field": field})
    return correction


def _require_system_admin(actor: Any) -> None:
    require_duty(actor, duties.SYSTEM, _("Only the system administrator handles account corrections."))


@transaction.atomic
def correction_apply(*, actor: Any, correction: CorrectionRequest, note: str = "") -> CorrectionRequest:
    _require_system_admin(actor)
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionRequest.Status.PENDING:
        raise ServiceError("not_pending", _("This request has already been decided."), status=409)
    user = User.objects.select_for_update().get(pk=correction.user_id)
    if correction.field == CorrectionRequest.Field.MOBILE:
        if account_by_mobile(correction.requested_value) not in (None, user):
            raise ServiceError(
                "mobile_in_use", _("Another account already uses this mobile number."), status=409
            )
        user.mobile = correction.requested_value
        user.save(update_fields=["mobile", "mobile_index"])
    else:
        user.real_name = correction.requested_value
        user.save(update_fields=["real_name"])
    correction.status = CorrectionRequest.Status.DONE
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.decision_note = note
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log_action(actor=actor, action="gonghui.pii.corrected", obj=user, data={"field": correction.field})
    return correction


@transaction.atomic
def correction_reject(*, actor: Any, correction: CorrectionRequest, reason: str) -> CorrectionRequest:
    _require_system_admin(actor)
    if not reason.strip():
        raise ServiceError("reason_required", _("Give the reason for rejecting."), field="reason")
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionRequest.Status.PENDING:
        raise ServiceError("not_pending", _("This request has already been decided."), status=409)
    correction.status = CorrectionRequest.Status.REJECTED
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.decision_note = reason
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log_action(actor=actor, action="gonghui.pii.correction_rejected", obj=correction, data={"reason": reason})
    return correction


@transaction.atomic
def admin_duty_assign(*, actor: Any, user: User, duty: str) -> User:
    """The security administrator gives or takes away one of the three duties ("" takes it away). A duty is
    a single field, so holding two is impossible; nobody changes their own duty."""
    if actor != "bootstrap":
        require_duty(actor, duties.SECURITY, _("Only the security administrator assigns duties."))
    if duty and duty not in AdminDuty.values:
        raise ServiceError("invalid_duty", _("Unknown duty."), field="duty")
    if getattr(actor, "pk", None) == user.pk:
        raise ServiceError("own_duty", _("Nobody changes their own duty."), status=403)
    if user.is_superuser:
        raise ServiceError(
            "superuser_not_for_operation", _("The superuser cannot hold a duty."), field="mobile"
        )
    before = user.admin_duty
    user.admin_duty = duty
    user.save(update_fields=["admin_duty"])
    log_action(
        actor=actor, action="gonghui.account.duty_changed", obj=user, data={"from": before, "to": duty}
    )
    return user


def privacy_notice_current() -> PrivacyNotice | None:
    return PrivacyNotice.objects.filter(published_at__lte=timezone.now()).first()


@transaction.atomic
def privacy_notice_publish(*, actor: Any, version: str, title: str, body: str) -> PrivacyNotice:
    """The system administrator publishes a new version; earlier consents keep naming the version they saw."""
    _require_system_admin(actor)
    if not (version.strip() and title.strip() and body.strip()):
        raise ServiceError("notice_incomplete", _("A notice needs a version, a title and its text."))
    if PrivacyNotice.objects.filter(version=version.strip()).exists():
        raise ServiceError(
            "duplicate_version", _("This version exists already."), field="version", status=409
        )
    notice = PrivacyNotice.objects.create(version=version.strip(), title=title.strip(), body=body)
    log_action(actor=actor, action="gonghui.privacy.notice_published", obj=notice)
    return notice


@transaction.atomic
def consent_give(*, user: User, purpose: str, notice: PrivacyNotice) -> Consent:
    """Record a separate consent to one purpose under the notice the person was shown. Giving it again under a
    newer notice replaces the live consent (the old one is marked withdrawn, never deleted)."""
    if purpose not in Consent.Purpose.values:
        raise ServiceError("invalid_purpose", _("Unknown purpose."), field="purpose")
    live = (
        Consent.objects.select_for_update()
        .filter(user=user, purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )
    if live is not None:
        if live.notice_id == notice.pk:
            return live
        live.withdrawn_at = timezone.now()
        live.save(update_fields=["withdrawn_at"])
    consent = Consent.objects.create(user=user, purpose=purpose, notice=notice)
    log_action(
        actor=user,
        action="gonghui.privacy.consent_given",
        obj=consent,
        data={"purpose": purpose, "notice": notice.version},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, user: User, consent: Consent) -> Consent:
    """Withdrawing is as easy as giving (PIPL art. 15); what depends on the consent stops from now on."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.user_id != user.pk:
        raise ServiceError("not_found", _("No such consent."), status=404)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        log_action(
            actor=user,
            action="gonghui.privacy.consent_withdrawn",
            obj=consent,
            data={"purpose": consent.purpose},
        )
    return consent


def consent_live(*, user: User, purpose: str) -> Consent | None:
    return (
        Consent.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True)
        .select_related("notice")
        .first()
    )


@transaction.atomic
def account_set_active(*, actor: Any, user: User, active: bool, reason: str) -> User:
    """The system administrator disables an account (a cadre who left, a lost phone) or enables it again.
    Disabling ends every session and revokes the API tokens at once."""
    _require_system_admin(actor)
    if getattr(actor, "pk", None) == user.pk:
        raise ServiceError("own_account", _("Nobody disables their own account."), status=403)
    if not reason.strip():
        raise ServiceError("reason_required", _("Give a reason."), field="reason")
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    log_action(
        actor=actor,
        action="gonghui.account.enabled" if active else "gonghui.account.disabled",
        obj=user,
        data={"reason": reason},
    )
    return user
