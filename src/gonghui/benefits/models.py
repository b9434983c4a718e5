"""Member days and benefits (会员日, 普惠, DOMAIN §5).

A union publishes an `Offer`: an activity (a film screening, a family day, a walk) with a place and a time,
or an offer (a health check at a discount, shopping vouchers). It is seen by the members of the union's
subtree; eligibility is data on the offer (member status, employment forms, months of membership, winners of
the union's last draws left out), one sign-up per person (`Entry`, the database refuses a second).

Places go first come, first served, or by lottery: when the sign-ups exceed the quota at the close of the
window the platform publishes a seed commitment and the frozen ticket list (`Draw`), and the cadre's draw
reveals the seed and runs benefits/rules.py; the rest wait in order and move up when a winner withdraws.
A winner of an activity shows a ticket QR at the door and is checked in once; a winner of an offer gets a
`Voucher` with a unique code that a merchant of the offer redeems once (`Redemption`, one per voucher).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Org


class Kind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    OFFER = "offer", _("Offer")


class Allocation(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    LOTTERY = "lottery", _("Lottery when oversubscribed")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Published")
    CLOSED = "closed", _("Awaiting the draw")
    ALLOCATED = "allocated", _("Results announced")
    CANCELLED = "cancelled", _("Cancelled")


class EntryStatus(models.TextChoices):
    APPLIED = "applied", _("Signed up")
    WON = "won", _("Place confirmed")
    WAITING = "waiting", _("On the waiting list")
    INELIGIBLE = "ineligible", _("No longer eligible")
    CANCELLED = "cancelled", _("Withdrawn")


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Valid")
    REDEEMED = "redeemed", _("Redeemed")
    EXPIRED = "expired", _("Expired")
    VOID = "void", _("Void")


class BenefitPolicy(models.Model):
    """Rules of member days that vary by union, inherited down the tree (the nearest row above wins)."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="benefit_policy")
    voucher_valid_days = models.PositiveSmallIntegerField(_("vouchers valid for (days)"), default=30)
    cancel_hours_before = models.PositiveSmallIntegerField(
        _("a winner may withdraw until (hours before the start)"), default=24
    )
    checkin_minutes_before = models.PositiveSmallIntegerField(
        _("check-in opens (minutes before the start)"), default=60
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member-day rules")
        verbose_name_plural = _("member-day rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voucher_valid_days__gte=1), name="benefits_policy_voucher_days"
            ),
        ]

    def __str__(self) -> str:
        return str(self.org)


class Offer(models.Model):
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="benefit_offers", verbose_name=_("union")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(
        _("category"), max_length=40, help_text=_("e.g. film, family day, health check")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    quota = models.PositiveIntegerField(_("places"))
    opens_at = models.DateTimeField(_("sign-up opens"))
    closes_at = models.DateTimeField(_("sign-up closes"))
    allocation = models.CharField(_("allocation"), max_length=12, choices=Allocation.choices)
    # Eligibility as data (rules.Eligibility).
    include_retained = models.BooleanField(
        _("retained members (retired, unemployed) may sign up"), default=False
    )
    employment_forms = models.JSONField(_("employment forms"), default=list, blank=True)
    min_membership_months = models.PositiveSmallIntegerField(_("minimum months of membership"), default=0)
    exclude_recent_winners = models.PositiveSmallIntegerField(
        _("leave out winners of the union's last draws"), default=0
    )
    voucher_expires_at = models.DateTimeField(_("vouchers valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    allocated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    next_number = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member-day offer")
        verbose_name_plural = _("member-day offers")
        indexes = [
            models.Index(fields=["status", "closes_at"], name="benefits_offer_due"),
            models.Index(fields=["org", "status"], name="benefits_offer_org"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quota__gte=1), name="benefits_offer_quota"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="benefits_offer_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Merchant(models.Model):
    """A person who redeems the vouchers of an offer on their phone; needs no role in the union."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="merchants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("merchant"), max_length=120)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offer", "user"], name="benefits_merchant_once")]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    """One person's sign-up. `number` is the public ticket (in order of sign-up); `token` is the secret in the
    ticket QR that the organiser scans at the door."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("ticket"))
    masked_name = models.CharField(max_length=50)
    token = models.CharField(max_length=32, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.APPLIED
    )
    waiting_position = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    won_at = models.DateTimeField(null=True, blank=True)
    promoted = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["number"]
        indexes = [models.Index(fields=["offer", "status"], name="benefits_entry_status")]
        constraints = [
            models.UniqueConstraint(fields=["offer", "user"], name="benefits_entry_once"),
            models.UniqueConstraint(fields=["offer", "number"], name="benefits_entry_number"),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} · {self.number}"

    @property
    def ticket(self) -> str:
        return f"{self.number:04d}"


class Draw(models.Model):
    """The lottery of one offer: committed at the close (the seed hidden, its hash and the tickets published),
    then drawn once (the seed revealed). One per offer."""

    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="draw")
    algorithm = models.CharField(max_length=40)
    commitment = models.CharField(max_length=64)
    seed = models.CharField(max_length=64)  # secret until drawn_at; shown only afterwards
    quota = models.PositiveIntegerField()
    tickets = models.JSONField(default=list)  # [[number, masked name], ...] sorted by number
    tickets_digest = models.CharField(max_length=64)
    committed_at = models.DateTimeField()
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    winners = models.JSONField(default=list)
    waiting = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.offer_id} · {self.commitment[:12]}"


class Voucher(models.Model):
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="voucher")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="vouchers")
    code = models.CharField(_("voucher code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"], name="benefits_voucher_due")]

    def __str__(self) -> str:
        return self.code


class Redemption(models.Model):
    """A voucher used at the merchant: one row per voucher, so the database refuses a second redemption."""

    voucher = models.OneToOneField(Voucher, on_delete=models.PROTECT, related_name="redemption")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="redemptions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.voucher_id} · {self.at:%Y-%m-%d}"
