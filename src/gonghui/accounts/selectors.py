"""Reads about a person's own account: what the platform holds about them (PIPL art. 45)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.core.errors import NotFound
from gonghui.core.models import AuditRecord

from .models import ApiToken, Consent, CorrectionRequest, PrivacyNotice, User


def own_activity(*, user: User, limit: int = 50) -> QuerySet[AuditRecord]:
    """The person's own recent audit trail: logins, changes they made, what was done to their account."""
    return AuditRecord.objects.filter(actor=user).order_by("-seq")[:limit]


def own_corrections(*, user: User) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(user=user)


def pending_corrections() -> QuerySet[CorrectionRequest]:
    """For the system administrator, whose duty covers accounts: platform-wide."""
    return CorrectionRequest.objects.filter(status=CorrectionRequest.Status.PENDING).select_related("user")


def own_data(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about the person, in full: this is their own copy (downloaded only after
    the password was given again, and audited)."""
    from gonghui.orgs.models import OrgRequest

    return {
        "account": {
            "real_name": user.real_name,
            "mobile": user.mobile,
            "date_joined": user.date_joined.isoformat(),
            "language": user.language,
            "administrator_duty": user.admin_duty,
            "two_factor_enrolled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        },
        "roles": [
            {"org": r.org.name, "org_code": r.org.code, "role": r.role, "since": r.granted_at.isoformat()}
            for r in user.roles.select_related("org").order_by("granted_at")
        ],
        "union_setup_requests": [
            {"name": r.name, "parent": r.parent.name, "status": r.status, "at": r.requested_at.isoformat()}
            for r in OrgRequest.objects.filter(requested_by=user).select_related("parent")
        ],
        "correction_requests": [
            {"field": c.field, "status": c.status, "at": c.created_at.isoformat(), "note": c.decision_note}
            for c in own_corrections(user=user)
        ],
        "activity": [
            {"at": a.at.isoformat(), "action": a.action, "result": a.result, "ip": a.ip}
            for a in own_activity(user=user, limit=500)
        ],
    }


def own_tokens(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def own_token_get(*, user: User, token_id: int) -> ApiToken:
    token = own_tokens(user=user).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def own_consents(*, user: User) -> QuerySet[Consent]:
    return Consent.objects.filter(user=user).select_related("notice")


def own_consent_get(*, user: User, consent_id: int) -> Consent:
    consent = own_consents(user=user).filter(pk=consent_id).first()
    if consent is None:
        raise NotFound()
    return consent


def privacy_notices() -> QuerySet[PrivacyNotice]:
    return PrivacyNotice.objects.all()


def duty_holders() -> QuerySet[User]:
    """Who holds which of the three duties, for the security administrator."""
    return User.objects.exclude(admin_duty="").order_by("admin_duty", "real_name")


def account_get(*, user_id: int) -> User:
    """An account by id, for services that check the actor's right over it themselves (unlocking)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user
