"""Rights protection (DOMAIN §4): workers' requests (诉求) with their record, documents and service levels.

A `Case` is one request. It always has a responsible union (`org`) and, once a cadre takes it, a handler:
first-contact responsibility means one owner at every moment, and every hand-over is a `CaseEvent`. The three
deadlines (acknowledge, first response, conclusion) are working days from receipt through core/calendar.py;
the sweep reminds before each and escalates to the parent union after it, once per stage.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.orgs.models import Org

MOBILE_PURPOSE = "rights.case.mobile"


class Category(models.TextChoices):
    """The request categories of DOMAIN §4."""

    WAGES = "wages", _("Wage arrears")
    CONTRACT = "contract", _("Labour contract")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    INJURY = "injury", _("Work injury")
    HOURS = "hours", _("Working hours and overtime")
    DISMISSAL = "dismissal", _("Dismissal")
    SAFETY = "safety", _("Occupational safety")
    DISCRIMINATION = "discrimination", _("Discrimination")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Online")
    HOTLINE = "hotline", _("12351 hotline")
    API = "api", _("Partner system")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Taken on")
    HANDLING = "handling", _("Being handled")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    ARBITRATION = "arbitration", _("Referred to labour arbitration")
    INSPECTION = "inspection", _("Referred to labour inspection")
    WITHDRAWN = "withdrawn", _("Withdrawn by the worker")
    UNFOUNDED = "unfounded", _("Found unfounded")


class Stage(models.TextChoices):
    """The three service levels a request is held to."""

    ACK = "ack", _("Acknowledge")
    RESPOND = "respond", _("First response")
    CONCLUDE = "conclude", _("Conclusion")


class RightsPolicy(models.Model):
    """A union's rules for requests (rules as data): the nearest ancestor's row applies, else the defaults."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="rights_policy")
    remind_workdays_before = models.PositiveSmallIntegerField(
        _("remind this many working days before a deadline"), default=1
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("a closed request may be reopened within (days)"), default=30
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rights protection rules")
        verbose_name_plural = _("rights protection rules")

    def __str__(self) -> str:
        return str(self.org)


class ServiceLevel(models.Model):
    """Working days to acknowledge, respond and conclude for one category, set by a union for its subtree."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="service_levels")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    ack_workdays = models.PositiveSmallIntegerField(_("acknowledge within (working days)"))
    respond_workdays = models.PositiveSmallIntegerField(_("first response within (working days)"))
    conclude_workdays = models.PositiveSmallIntegerField(_("conclude within (working days)"))

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [
            models.UniqueConstraint(fields=["org", "category"], name="rights_level_one_per_category"),
            models.CheckConstraint(
                condition=models.Q(ack_workdays__gte=1)
                & models.Q(respond_workdays__gte=models.F("ack_workdays"))
                & models.Q(conclude_workdays__gte=models.F("respond_workdays")),
                name="rights_level_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.category}"


class Case(models.Model):
    """One worker's request. Contact details are kept only when the worker is not anonymous; the mobile number
    is encrypted. The follow-up code is kept only as a keyed hash, so the database cannot give it away."""

    number = models.CharField(_("request number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    summary = models.TextField(_("conclusion"), blank=True)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    follow_code_hash = models.CharField(max_length=64, unique=True)
    contact_name = models.CharField(_("name"), max_length=50, blank=True)
    contact_mobile = EncryptedTextField(_("mobile number"), purpose=MOBILE_PURPOSE, kind="mobile", blank=True)
    contact_mobile_index = BlindIndexField(source="contact_mobile")

    employer_org = models.ForeignKey(
        Org,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer's union"),
    )
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    employer_uscc = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    work_division_code = models.CharField(_("place of work (division code)"), max_length=6, blank=True)
    work_place = models.CharField(_("place of work"), max_length=200, blank=True)
    description = models.TextField(_("what happened"))
    workers_affected = models.PositiveIntegerField(_("workers affected"), default=1)
    collective = models.BooleanField(_("collective case"), default=False)

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="rights_cases", verbose_name=_("union")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handler"),
    )
    route_code = models.CharField(max_length=20)
    route_note = models.CharField(max_length=300, blank=True)

    received_at = models.DateTimeField(_("received"))
    received_on = models.DateField()
    ack_due = models.DateField(_("acknowledge by"))
    respond_due = models.DateField(_("respond by"))
    conclude_due = models.DateField(_("conclude by"))
    due_provisional = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The sweep's memory: which stages were reminded and escalated ("ack,respond"), so it acts once per stage
    # and catches up after downtime.
    reminded = models.CharField(max_length=30, blank=True)
    escalated = models.CharField(max_length=30, blank=True)
    escalated_to = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reopened_count = models.PositiveSmallIntegerField(default=0)

    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [
            models.Index(fields=["org", "status"], name="rights_case_org_status"),
            models.Index(fields=["status", "conclude_due"], name="rights_case_open_due"),
            models.Index(fields=["requester"], name="rights_case_requester"),
            models.Index(fields=["employer_uscc", "received_on"], name="rights_case_employer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="rights_case_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                name="rights_case_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    def due_for(self, stage: str) -> datetime.date:
        """The deadline of one stage (Stage: ack, respond, conclude)."""
        return {"ack": self.ack_due, "respond": self.respond_due}.get(stage, self.conclude_due)


class CaseEvent(models.Model):
    """The record of a request: every step, note, contact, document and hand-over. Never edited or deleted."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Request received")
        ROUTED = "routed", _("Sent to a union")
        ACKNOWLEDGED = "acknowledged", _("Taken on")
        NOTE = "note", _("Note")
        CONTACT = "contact", _("Contact with the employer")
        RESPONSE = "response", _("Reply to the worker")
        DOCUMENT = "document", _("Document added")
        HANDOVER = "handover", _("Handed over")
        TRANSFERRED = "transferred", _("Transferred to another union")
        REMINDED = "reminded", _("Deadline reminder")
        ESCALATED = "escalated", _("Escalated to the parent union")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        RATED = "rated", _("Rated by the worker")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    note = models.TextField(blank=True)
    # What the worker sees on the progress page; internal notes and employer contacts stay with the union.
    visible_to_worker = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="rights_event_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseDocument(models.Model):
    """A file attached to a request (a wage slip, a contract, a photo), stored under MEDIA_ROOT."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    original_name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_worker = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name
