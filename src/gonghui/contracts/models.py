"""Collective contracts (集体合同, DOMAIN §3).

A `CollectiveContract` is negotiated between a union and an employer (or, for a regional or industry contract,
between a street, district or industry union and the employers' side of the area or industry), recorded with
its negotiation rounds (`NegotiationRound`), documents (`ContractDocument`), signed, submitted to the labour
administration and in effect on the 15th day after its receipt unless it objects (contracts/rules.py). The
units it covers are `ContractCoverage` rows (unions in the tree) and free text (units without a union, with
their staff), from which coverage is rolled up the tree. `ContractPolicy` holds a union's reminder lead time,
inherited down the tree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Org

from . import rules


class Kind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive contract")
    WAGES = "wages", _("Special: wages")
    WOMEN = "women", _("Special: women workers' rights")
    SAFETY = "safety", _("Special: work safety")
    OTHER_SPECIAL = "other_special", _("Special: other")


class Level(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    REGIONAL = "regional", _("Regional")
    INDUSTRY = "industry", _("Industry")


class Status(models.TextChoices):
    DRAFTING = rules.DRAFTING, _("Drafting")
    NEGOTIATING = rules.NEGOTIATING, _("Negotiating")
    SIGNED = rules.SIGNED, _("Signed")
    SUBMITTED = rules.SUBMITTED, _("With the labour administration")
    EFFECTIVE = rules.EFFECTIVE, _("In effect")
    OBJECTED = rules.OBJECTED, _("Objected to")
    EXPIRED = rules.EXPIRED, _("Expired")


class ContractPolicy(models.Model):
    """A union's rules for collective contracts (rules as data): the nearest ancestor's row applies, else the
    default of rules.DEFAULT_REMIND_DAYS."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="contract_policy")
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind this many days before expiry"), default=rules.DEFAULT_REMIND_DAYS
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("collective contract rules")
        verbose_name_plural = _("collective contract rules")

    def __str__(self) -> str:
        return str(self.org)


class CollectiveContract(models.Model):
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="collective_contracts", verbose_name=_("union")
    )
    number = models.CharField(_("contract number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.ENTERPRISE)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFTING)

    union_party = models.CharField(_("union side"), max_length=200)
    union_representative = models.CharField(_("union's chief representative"), max_length=50)
    employer_party = models.CharField(_("employer side"), max_length=200)
    employer_uscc = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    employer_representative = models.CharField(_("employer's chief representative"), max_length=50)

    summary = models.TextField(_("main terms"), blank=True)
    # Units covered that have no union in the tree (one per line) and their staff; the tree units are
    # ContractCoverage rows.
    other_units = models.TextField(_("other units covered"), blank=True)
    other_units_count = models.PositiveIntegerField(_("number of other units"), default=0)
    other_staff = models.PositiveIntegerField(_("staff of the other units"), default=0)
    staff_covered = models.PositiveIntegerField(_("staff covered"), default=0)

    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    negotiated_on = models.DateField(_("negotiation concluded"), null=True, blank=True)
    adopted_on = models.DateField(_("adopted by the workers' congress"), null=True, blank=True)
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted to the labour administration"), null=True, blank=True)
    received_on = models.DateField(_("received by the labour administration"), null=True, blank=True)
    review_ends_on = models.DateField(_("takes effect without objection on"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed by the labour administration"), null=True, blank=True)
    objected_on = models.DateField(_("objected to"), null=True, blank=True)
    objection = models.TextField(_("objection"), blank=True)
    effective_on = models.DateField(_("in effect since"), null=True, blank=True)
    expired_on = models.DateField(_("expired"), null=True, blank=True)

    renews = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
        verbose_name=_("renews"),
    )
    # The sweep's memory: the term end it reminded the union about (once per term end).
    reminded_for = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("collective contract")
        verbose_name_plural = _("collective contracts")
        indexes = [
            models.Index(fields=["status", "review_ends_on"], name="contract_status_review"),
            models.Index(fields=["status", "term_end"], name="contract_status_end"),
            models.Index(fields=["org", "status"], name="contract_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True)
                | models.Q(term_start__isnull=True)
                | models.Q(term_end__gt=models.F("term_start")),
                name="contract_term_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in rules.EDITABLE


class ContractCoverage(models.Model):
    """A unit (a grassroots union in the tree) that a contract covers; a unit is counted once in the roll-up
    however many contracts cover it."""

    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="coverage")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="contract_coverage")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "org"], name="contract_coverage_once"),
        ]
        indexes = [models.Index(fields=["org", "contract"], name="contract_cov_org")]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.org_id}"


class NegotiationRound(models.Model):
    """One round of collective negotiation (平等协商): when, who took part on each side, the minutes."""

    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    union_participants = models.CharField(_("union side present"), max_length=500)
    employer_participants = models.CharField(_("employer side present"), max_length=500)
    minutes = models.TextField(_("minutes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="contract_round_number"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.number}"


class ContractDocument(models.Model):
    """A file of a contract: the contract text (members of covered units may read it once it is in effect),
    the signed copy, the administration's receipt or reply, or a negotiation round's papers."""

    class DocKind(models.TextChoices):
        TEXT = "text", _("Contract text")
        SIGNED = "signed", _("Signed copy")
        ADMINISTRATION = "administration", _("Labour administration's receipt or reply")
        ROUND = "round", _("Negotiation papers")
        OTHER = "other", _("Other")

    contract = models.ForeignKey(CollectiveContract, on_delete=models.PROTECT, related_name="documents")
    round = models.ForeignKey(
        NegotiationRound, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocKind.choices, default=DocKind.TEXT)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
