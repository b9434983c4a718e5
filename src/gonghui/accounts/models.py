from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import duties
from gonghui.core.crypto import blind_index
from gonghui.core.fields import BlindIndexField, EncryptedTextField, blind_q

USER_MOBILE_PURPOSE = "accounts.user.mobile"
# SMS codes index the number under their own purpose: the codes table also holds numbers that have no
# account (anyone may ask for a code), and its index column must not be joinable with the users' one.
SMS_MOBILE_PURPOSE = "accounts.smscode.mobile"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        """The login name is encrypted, so the account is found through its blind index."""
        return self.get(blind_q(self.model, "mobile", username or ""))

    def create_user(self, mobile: str, password: str | None = None, **extra: Any) -> User:
        """Store the number in its canonical 11-digit form, so the masked display and the blind index agree;
        an invalid number is a ServiceError (services validate first and say which field)."""
        from gonghui.core.identifiers import clean_mobile

        user = self.model(mobile=clean_mobile(mobile), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class AdminDuty(models.TextChoices):
    """The three separated administrator duties of MLPS level 3 (三员分立). One account holds at most one,
    and none of them is a union role: they run the platform, not a union."""

    SYSTEM = duties.SYSTEM, _("System administrator")  # accounts and configuration
    SECURITY = duties.SECURITY, _("Security administrator")  # roles, permissions, unlocking accounts
    AUDIT = duties.AUDIT, _("Audit administrator")  # reads and exports audit records only


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a member in the portal, a cadre in the console, or both.

    The mobile number is the login name. What a user may see in the console comes only from their
    role assignments (orgs.RoleAssignment), never from is_staff, which is for Django admin operations.
    """

    # Encrypted at rest (docs/crypto.md); found and kept unique through mobile_index, since ciphertexts use a
    # fresh nonce each time and cannot be compared. Django's auth.W004 ("USERNAME_FIELD is not unique") is
    # silenced in settings for this reason.
    mobile = EncryptedTextField(_("mobile number"), purpose=USER_MOBILE_PURPOSE, kind="mobile")
    mobile_index = BlindIndexField(source="mobile", unique=True)
    real_name = models.CharField(_("real name"), max_length=50)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operations staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # A single field makes "one account cannot hold two duties" true by construction.
    admin_duty = models.CharField(
        _("administrator duty"), max_length=20, choices=AdminDuty.choices, blank=True, default=""
    )
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    # Bumped by "log out everywhere": it is part of the session hash, so every existing session ends.
    session_epoch = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.real_name or self.masked_mobile

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django ends a session whose stored hash no longer matches; mixing the epoch into the password's
        HMAC makes "log out everywhere" a single UPDATE (and keeps SECRET_KEY_FALLBACKS working)."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "gonghui.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def masked_mobile(self) -> str:
        from gonghui.core.masking import mask_mobile

        return mask_mobile(self.mobile)


def sms_mobile_index(mobile: str) -> str:
    """The blind index under which SMS codes for a (cleaned) mobile number are stored."""
    return blind_index(mobile, purpose=SMS_MOBILE_PURPOSE, kind="mobile")


class SmsCode(models.Model):
    """A one-time login code sent by SMS. Neither the code nor the number is stored: only the code's hash and
    the number's blind index (sms_mobile_index). The sender takes the number from the request."""

    mobile_index = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["mobile_index", "created_at"])]

    def __str__(self) -> str:
        return f"{self.mobile_index[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 of the secret is stored; the secret is shown once.

    An integration token may be limited to one org subtree and to reading.
    """

    class Access(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("limited to org"),
    )
    access = models.CharField(_("access"), max_length=12, choices=Access.choices, default=Access.READ_WRITE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, so the MLPS profile can refuse reusing one of the last five."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class CorrectionRequest(models.Model):
    """A person asks for their own account data to be corrected (PIPL art. 46); the system administrator
    decides. The requested value of a mobile number is stored encrypted like the number itself."""

    class Field(models.TextChoices):
        REAL_NAME = "real_name", _("Real name")
        MOBILE = "mobile", _("Mobile number")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Corrected")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("what to correct"), max_length=20, choices=Field.choices)
    requested_value = EncryptedTextField(_("correct value"), purpose="accounts.correction.value", kind="text")
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")

    def __str__(self) -> str:
        return f"{self.user_id} {self.field} {self.status}"

    @property
    def masked_value(self) -> str:
        from gonghui.core.masking import mask_mobile, mask_name

        if self.field == self.Field.MOBILE:
            return mask_mobile(self.requested_value)
        return mask_name(self.requested_value)


class PrivacyNotice(models.Model):
    """A version of the privacy notice (个人信息处理规则). Consents name the version the person saw."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self) -> str:
        return f"{self.version} {self.title}"


class Consent(models.Model):
    """A person's separate consent (PIPL art. 29) to one purpose, under one version of the notice. Withdrawing
    keeps the record and sets withdrawn_at: consents are evidence, never deleted."""

    class Purpose(models.TextChoices):
        SENSITIVE = (
            "sensitive",
            _("Processing of sensitive personal information (ID number, health, finances)"),
        )
        MEMBERSHIP = "membership", _("Processing of personal information for union membership")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="+", verbose_name=_("notice")
    )
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_live_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {self.notice_id}"
