"""Two factors for administrators (MLPS level 3): TOTP (django-otp) with recovery codes.

Every account holding an org administrator or reviewer role, or one of the three administrator duties, must
enrol a TOTP device and verify it in each session before using the console or being issued an API token.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError

from .models import User

RECOVERY_CODES = 10
ROLES_NEEDING_2FA = ("org_admin", "reviewer")


def requires_2fa(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "admin_duty", ""):
        return True
    from gonghui.orgs.selectors import actor_grants

    return any(g.role in ROLES_NEEDING_2FA for g in actor_grants(user))


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user; a new enrolment starts from a fresh key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, token: str, request: Any = None) -> list[str]:
    """Confirm enrolment with a first code; returns the recovery codes, shown to the user once."""
    if device.user_id != user.pk or device.confirmed:
        raise ServiceError("not_found", _("No enrolment in progress."), status=404)
    if not device.verify_token(token.strip()):
        log_action(actor=user, action="gonghui.auth.2fa_enrol_failed", obj=user, result="failed")
        raise ServiceError(
            "invalid_otp", _("The code is wrong or has expired. Check the time on your phone."), field="token"
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_reset(user=user)
    if request is not None:
        otp_login(request, device)
    log_action(actor=user, action="gonghui.auth.2fa_enrolled", obj=user)
    return codes


def recovery_codes_reset(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def otp_verify(*, user: User, token: str, request: Any = None) -> None:
    """Verify a TOTP or recovery code for this session; failures are audited (and throttled by django-otp)."""
    device = match_token(user, token.strip().replace(" ", ""))
    if device is None:
        log_action(actor=user, action="gonghui.auth.2fa_failed", obj=user, result="failed")
        raise ServiceError("invalid_otp", _("The code is wrong or has expired."), field="token", status=401)
    if request is not None:
        otp_login(request, device)
    used_recovery = isinstance(device, StaticDevice)
    log_action(
        actor=user, action="gonghui.auth.2fa_verified", obj=user, data={"recovery_code": used_recovery}
    )
