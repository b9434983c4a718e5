"""Hardship aid (困难职工帮扶, DOMAIN §5): hardship files per household, aid applications that climb a review
chain, a public announcement before payment, objections and payment records.

A `HardshipFile` (建档立卡) belongs to the worker's grassroots union and names the household by the worker's ID
number blind index (`household_key`): a worker who moves union is still the same household, so the
double-payment check (services.application_approve) finds aid paid by any union anywhere in the tree.
Household members' ID numbers are encrypted (SM4-GCM) with a blind index, like members' own.

The limits are data: `AidPolicy` per org, the nearest ancestor's row wins, else the model defaults;
`ReviewChain` per org (normally a province) lists the kinds of org an application climbs through.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.members.models import Member
from gonghui.orgs.models import Org

HOUSEHOLD_ID_PURPOSE = "aid.household.id_number"


class Category(models.TextChoices):
    DEEP = "deep", _("Deep hardship")
    RELATIVE = "relative", _("Relative hardship")
    ACCIDENT = "accident", _("Hardship from an accident")


class FileStatus(models.TextChoices):
    ACTIVE = "active", _("On file")
    EXITED = "exited", _("Exited")


class AidType(models.TextChoices):
    LIVING = "living", _("Living aid")
    MEDICAL = "medical", _("Medical aid")
    EDUCATION = "education", _("Education aid")
    HOLIDAY = "holiday", _("Holiday visit (送温暖)")


class AppState(models.TextChoices):
    REVIEWING = "reviewing", _("Under review")
    ANNOUNCED = "announced", _("Approved, announced")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


# States in which an application counts against caps and double payment: approved at the final level.
GRANTED_STATES = (AppState.ANNOUNCED, AppState.PAID)


class PayMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CARD = "card", _("Paid into the worker's bank card")
    CASH = "cash", _("Cash")
    SHOPPING_CARD = "shopping_card", _("Shopping card")


class Relation(models.TextChoices):
    SELF = "self", _("The worker")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other")


class AidPolicy(models.Model):
    """A union's aid limits for its subtree (rules as data): the nearest ancestor's row applies."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="aid_policy")
    cap_living = models.DecimalField(
        _("living aid per household per year (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("5000"),
    )
    cap_medical = models.DecimalField(
        _("medical aid per household per year (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("10000"),
    )
    cap_education = models.DecimalField(
        _("education aid per household per year (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("5000"),
    )
    cap_holiday = models.DecimalField(
        _("holiday visits per household per year (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("2200"),
    )
    single_illness_once_a_year = models.BooleanField(_("the same illness is aided once a year"), default=True)
    no_cash = models.BooleanField(_("no cash or shopping cards"), default=True)
    income_threshold = models.DecimalField(
        _("local monthly income threshold per person (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("1200"),
    )
    announce_workdays = models.PositiveSmallIntegerField(_("announcement period (working days)"), default=5)
    review_months = models.PositiveSmallIntegerField(_("files are reviewed every (months)"), default=12)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aid rules")
        verbose_name_plural = _("aid rules")

    def __str__(self) -> str:
        return str(self.org)


class ReviewChain(models.Model):
    """The kinds of org an application passes through, bottom up, e.g. ["grassroots", "district", "city"].
    Set by a province (or any union) for its subtree; the nearest ancestor's chain applies."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="aid_chain")
    levels = models.JSONField(_("review levels"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aid review chain")
        verbose_name_plural = _("aid review chains")

    def __str__(self) -> str:
        return f"{self.org}: {' → '.join(self.levels)}"


class HardshipFile(models.Model):
    """One hardship household's file (建档立卡), kept by the worker's grassroots union."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="aid_files", verbose_name=_("union"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="aid_files")
    household_key = models.CharField(max_length=64)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    situation = models.TextField(_("situation"))
    household_size = models.PositiveSmallIntegerField(_("household size"), default=1)
    monthly_income = models.DecimalField(
        _("household monthly income (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    per_capita_income = models.DecimalField(
        _("monthly income per person (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    income_threshold = models.DecimalField(
        _("local threshold (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=FileStatus.choices, default=FileStatus.ACTIVE
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    review_due = models.DateField(_("review due"))
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    review_reminded_for = models.DateField(null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_reason = models.CharField(_("reason for exit"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        constraints = [
            models.UniqueConstraint(
                fields=["household_key"], condition=models.Q(status="active"), name="aid_one_live_file"
            )
        ]
        indexes = [
            models.Index(fields=["org", "status"], name="aid_file_org_status"),
            models.Index(fields=["status", "review_due"], name="aid_file_review_due"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} ({self.get_category_display()})"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class HouseholdMember(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=8, choices=Relation.choices)
    id_number = EncryptedTextField(_("ID number"), purpose=HOUSEHOLD_ID_PURPOSE, kind="id_number", blank=True)
    id_number_index = BlindIndexField(source="id_number")
    monthly_income = models.DecimalField(
        _("monthly income (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return self.name


class AidApplication(models.Model):
    number = models.CharField(_("application number"), max_length=20, unique=True)
    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="applications")
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="aid_applications", verbose_name=_("union")
    )
    household_key = models.CharField(max_length=64)
    aid_type = models.CharField(_("type of aid"), max_length=10, choices=AidType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    need_key = models.CharField(max_length=60)
    illness_code = models.CharField(_("illness code (ICD-10)"), max_length=10, blank=True)
    illness_name = models.CharField(_("illness"), max_length=60, blank=True)
    school_year = models.CharField(_("school year"), max_length=9, blank=True)
    season = models.CharField(_("holiday season"), max_length=20, blank=True)
    period = models.CharField(_("month of need"), max_length=7, blank=True)
    reason = models.TextField(_("why the household needs help"))
    amount_requested = models.DecimalField(_("amount requested (yuan)"), max_digits=10, decimal_places=2)
    amount_approved = models.DecimalField(
        _("amount approved (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=10, choices=AppState.choices, default=AppState.REVIEWING)
    chain = models.JSONField(default=list)  # org ids, bottom up, resolved when submitted
    level = models.PositiveSmallIntegerField(default=0)
    current_org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    announce_from = models.DateField(_("announced from"), null=True, blank=True)
    announce_until = models.DateField(_("announced until"), null=True, blank=True)
    announce_ended_noted = models.BooleanField(default=False)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("aid application")
        verbose_name_plural = _("aid applications")
        indexes = [
            models.Index(fields=["household_key", "aid_type", "year"], name="aid_app_household"),
            models.Index(fields=["current_org", "state"], name="aid_app_queue"),
            models.Index(fields=["org", "state"], name="aid_app_org_state"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def final_org_id(self) -> int:
        """The union at the top of the chain: it announces and pays (the chain is never empty)."""
        return int(self.chain[-1]) if self.chain else self.org_id


class ReviewStep(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")

    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="steps")
    level = models.PositiveSmallIntegerField()
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.level} {self.decision}"


class AidDocument(models.Model):
    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="documents")
    stored_path = models.CharField(max_length=255, unique=True, editable=False)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class Objection(models.Model):
    """An objection raised during the announcement (公示): while any is open, the aid is not paid."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld: the aid is withdrawn")
        DISMISSED = "dismissed", _("Dismissed: the aid stands")

    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField()
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    resolution = models.CharField(_("finding"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.application} objection"


class Payment(models.Model):
    application = models.OneToOneField(AidApplication, on_delete=models.PROTECT, related_name="payment")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("paid by"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=14, choices=PayMethod.choices)
    reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application} {self.amount}"
