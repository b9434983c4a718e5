"""Mutual medical aid (职工医疗互助, DOMAIN §5): yearly plans, enrolments, claims and their payout.

A `Plan` is set by a province or city union for a plan year and applies to every union below it (the nearest
ancestor's plans win). Its payout schedule is data: a deductible and rate tiers for hospital stays with per-stay
and annual caps, a list of serious illnesses with a fixed sum each, and, where the province offers it, a table
of accident benefits for new-employment workers who are covered free. A member is enrolled once per plan year
(by their unit or by themselves); a claim is reviewed, paid and the member told at every step.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Member
from gonghui.orgs.models import Org


def default_tiers() -> list[list[str | None]]:
    """Rate tiers over the part above the deductible: [upper bound of the bracket or None, rate]."""
    return [["10000", "0.5"], ["30000", "0.6"], [None, "0.7"]]


def default_illnesses() -> list[dict[str, str]]:
    return [
        {"code": "cancer", "name": "恶性肿瘤", "amount": "10000"},
        {"code": "stroke", "name": "脑卒中后遗症", "amount": "8000"},
        {"code": "mi", "name": "急性心肌梗塞", "amount": "8000"},
        {"code": "uremia", "name": "尿毒症", "amount": "10000"},
        {"code": "transplant", "name": "重大器官移植术", "amount": "10000"},
    ]


def default_accidents() -> list[dict[str, str]]:
    return [
        {"code": "death", "name": "意外身故", "amount": "50000"},
        {"code": "disability", "name": "意外伤残", "amount": "20000"},
        {"code": "injury_stay", "name": "意外伤害住院", "amount": "2000"},
    ]


class Plan(models.Model):
    """One plan type of a plan year (e.g. 30 or 60 yuan a person), set by a province or city union."""

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="medical_plans", verbose_name=_("union")
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    code = models.SlugField(_("plan code"), max_length=20, default="basic")
    name = models.CharField(_("plan name"), max_length=80)
    contribution = models.DecimalField(_("contribution per person (yuan)"), max_digits=8, decimal_places=2)
    enrol_opens = models.DateField(_("enrolment opens"))
    enrol_closes = models.DateField(_("enrolment closes"))
    cover_starts = models.DateField(_("cover starts"))
    cover_ends = models.DateField(_("cover ends"))
    waiting_days = models.PositiveSmallIntegerField(_("waiting period for late enrolees (days)"), default=90)
    claim_deadline_days = models.PositiveSmallIntegerField(
        _("claim within (days after discharge)"), default=180
    )
    hospital_deductible = models.DecimalField(
        _("hospital deductible (yuan)"), max_digits=10, decimal_places=2, default=Decimal("1000")
    )
    hospital_tiers = models.JSONField(_("hospital rate tiers"), default=default_tiers)
    per_stay_cap = models.DecimalField(
        _("cap per hospital stay (yuan)"), max_digits=10, decimal_places=2, default=Decimal("20000")
    )
    annual_cap = models.DecimalField(
        _("annual cap per person (yuan)"), max_digits=10, decimal_places=2, default=Decimal("50000")
    )
    illnesses = models.JSONField(_("serious illnesses and their sums"), default=default_illnesses)
    accident_cover_for_new_employment = models.BooleanField(
        _("free accident cover for new-employment members"), default=False
    )
    accident_benefits = models.JSONField(_("accident benefits"), default=default_accidents)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("medical aid plan")
        verbose_name_plural = _("medical aid plans")
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "code"], name="medical_plan_one_per_code"),
            models.CheckConstraint(
                condition=Q(enrol_closes__gte=models.F("enrol_opens")), name="medical_enrol_order"
            ),
            models.CheckConstraint(
                condition=Q(cover_ends__gte=models.F("cover_starts")), name="medical_cover_order"
            ),
            models.CheckConstraint(condition=Q(contribution__gte=0), name="medical_contribution_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Payment(models.TextChoices):
    UNIT = "unit", _("Paid by the unit")
    MEMBER = "member", _("Paid by the member")


class Enrolment(models.Model):
    """A member's enrolment in a plan for its year: one per member per plan year (a database constraint)."""

    class Via(models.TextChoices):
        UNIT = "unit", _("Enrolled by the unit")
        SELF = "self", _("Enrolled by the member")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="enrolments")
    year = models.PositiveSmallIntegerField(_("plan year"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="medical_enrolments")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    via = models.CharField(_("enrolled"), max_length=6, choices=Via.choices)
    enrolled_on = models.DateField(_("enrolled on"))
    cover_from = models.DateField(_("covered from"))
    cover_until = models.DateField(_("covered until"))
    payment = models.CharField(_("payment"), max_length=8, choices=Payment.choices)
    amount = models.DecimalField(_("amount paid"), max_digits=8, decimal_places=2)
    payment_ref = models.CharField(_("payment reference"), max_length=60, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="medical_one_enrolment_a_year"),
        ]
        indexes = [models.Index(fields=["org", "year"], name="medical_enrol_org_year")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}"


class AccidentCover(models.Model):
    """Free accident cover of a new-employment member for a plan year, granted automatically where the
    province offers it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="accident_covers")
    year = models.PositiveSmallIntegerField(_("plan year"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="accident_covers")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    cover_from = models.DateField(_("covered from"))
    cover_until = models.DateField(_("covered until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("accident cover")
        verbose_name_plural = _("accident covers")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="medical_one_accident_cover")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}"


class ClaimKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital stay")
    ILLNESS = "illness", _("Serious illness")
    ACCIDENT = "accident", _("Accident")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    MORE_INFO = "more_info", _("More documents needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid out")


OPEN_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO)


class Claim(models.Model):
    """A claim for a hospital stay, a serious illness or an accident, with the payout computed from the plan."""

    number = models.CharField(_("claim number"), max_length=20, unique=True)
    kind = models.CharField(_("claim type"), max_length=10, choices=ClaimKind.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="medical_claims")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="claims")
    year = models.PositiveSmallIntegerField(_("plan year"))
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accident_cover = models.ForeignKey(
        AccidentCover, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_on = models.DateField(_("admitted, diagnosed or accident on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    hospital = models.CharField(_("hospital"), max_length=120)
    total_amount = models.DecimalField(_("total cost"), max_digits=10, decimal_places=2, default=Decimal(0))
    insurance_amount = models.DecimalField(
        _("paid by medical insurance"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    out_of_pocket = models.DecimalField(
        _("out of pocket"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    item_code = models.CharField(_("illness or accident benefit"), max_length=20, blank=True)
    item_name = models.CharField(max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default="submitted")
    computed_amount = models.DecimalField(_("payout by the schedule"), max_digits=10, decimal_places=2)
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_member = models.BooleanField(default=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_ref = models.CharField(_("payment reference"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(out_of_pocket__lte=models.F("total_amount")) & Q(out_of_pocket__gte=0),
                name="medical_claim_amounts",
            ),
            # A listed serious illness is paid once per person per year: a second live claim is refused.
            models.UniqueConstraint(
                fields=["member", "year", "item_code"],
                condition=Q(kind="illness") & ~Q(status="rejected"),
                name="medical_illness_once_a_year",
            ),
        ]
        indexes = [models.Index(fields=["org", "status"], name="medical_claim_org_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ClaimDocument(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        DISCHARGE = "discharge", _("Discharge summary")
        DIAGNOSIS = "diagnosis", _("Diagnosis")
        OTHER = "other", _("Other")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document type"), max_length=10, choices=Kind.choices, default="other")
    original_name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class ClaimEvent(models.Model):
    """One step in a claim's record, shown to the member."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=10, choices=ClaimStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.status}"
