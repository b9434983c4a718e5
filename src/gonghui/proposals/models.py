"""Proposals of the workers' congress (职代会提案, DOMAIN §3).

A serving delegate submits a proposal to the congress (for one of its meetings); other serving delegates of the
same congress co-sign it (附议) in the portal, and once it has the congress's `min_cosigners` it reaches the
proposal committee. The committee (holders of `proposal.manage` in the union) accepts it (立案), turns it into
a rationalisation suggestion, or rejects it with a reason. An accepted proposal is assigned to a department
of the union with a deadline in working days (the congress's `proposal_answer_days`, through core.calendar);
the department answers; the proposer records their satisfaction, and when not satisfied the committee may
assign it once more. A report of all proposals and their handling goes to the next meeting and, published,
to the union's members (`ProposalReport`, a snapshot).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.congress.models import Congress, Delegate, Meeting
from gonghui.orgs.models import Org
from gonghui.suggestions.models import Suggestion


class Department(models.Model):
    """A department of the enterprise that answers proposals; its contact person may answer in the portal."""

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="proposal_departments", verbose_name=_("union")
    )
    name = models.CharField(_("name"), max_length=120)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal_departments",
        verbose_name=_("contact person"),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="proposal_department_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProposalStatus(models.TextChoices):
    COLLECTING = "collecting", _("Collecting co-signers")
    SUBMITTED = "submitted", _("With the proposal committee")
    ACCEPTED = "accepted", _("Accepted as a proposal")
    CONVERTED = "converted", _("Turned into a suggestion")
    REJECTED = "rejected", _("Not accepted")
    ASSIGNED = "assigned", _("With the department")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the proposer")


class ProposalCategory(models.TextChoices):
    OPERATIONS = "operations", _("Production and operations")
    WAGES = "wages", _("Wages and welfare")
    SAFETY = "safety", _("Safety and health")
    MANAGEMENT = "management", _("Management and democracy")
    TRAINING = "training", _("Training and careers")
    LIFE = "life", _("Daily life of the staff")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class Proposal(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("union"), db_index=False
    )
    congress = models.ForeignKey(
        Congress, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("congress")
    )
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("meeting"),
    )
    proposer = models.ForeignKey(
        Delegate, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("proposer")
    )
    proposer_name = models.CharField(_("proposer"), max_length=60)
    title = models.CharField(_("title"), max_length=120)
    category = models.CharField(_("category"), max_length=12, choices=ProposalCategory.choices)
    reasons = models.TextField(_("reasons"))
    measures = models.TextField(_("suggested measures"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.COLLECTING
    )
    cosigner_count = models.PositiveIntegerField(_("co-signers"), default=0)
    created_at = models.DateTimeField(_("submitted"))
    reached_committee_at = models.DateTimeField(null=True, blank=True)

    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("the committee's reason"), blank=True)
    suggestion = models.OneToOneField(
        Suggestion, null=True, blank=True, on_delete=models.PROTECT, related_name="from_proposal"
    )

    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("department"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(_("answer by"), null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    reassigned = models.BooleanField(_("assigned again"), default=False)
    # The daily sweep's memory: it reminds once before the deadline and flags an overdue answer once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

    answer = models.TextField(_("the department's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    satisfaction = models.CharField(
        _("proposer's satisfaction"), max_length=14, choices=Satisfaction.choices, blank=True
    )
    satisfaction_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["org", "status"], name="proposal_org_status"),
            models.Index(fields=["congress", "created_at"], name="proposal_congress"),
            models.Index(fields=["status", "due_on"], name="proposal_open_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_note=""), name="proposal_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="converted") | Q(suggestion__isnull=False),
                name="proposal_converted_has_suggestion",
            ),
            models.CheckConstraint(
                condition=~Q(status="assigned") | (Q(department__isnull=False) & Q(due_on__isnull=False)),
                name="proposal_assigned_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ProposalCosign(models.Model):
    """A delegate's co-signature (附议). Once per delegate and proposal; the proposer never co-signs their own."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosigns")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="cosigns")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "delegate"], name="proposal_cosign_once")]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.delegate_id}"


class ProposalEvent(models.Model):
    """The record of a proposal: every step, in order. Never edited or deleted."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Proposal submitted")
        COSIGNED = "cosigned", _("Co-signed")
        TO_COMMITTEE = "to_committee", _("Reached the proposal committee")
        ACCEPTED = "accepted", _("Accepted as a proposal")
        CONVERTED = "converted", _("Turned into a suggestion")
        REJECTED = "rejected", _("Not accepted")
        ASSIGNED = "assigned", _("Assigned to a department")
        ANSWERED = "answered", _("Answered")
        RATED = "rated", _("Rated by the proposer")
        REASSIGNED = "reassigned", _("Assigned again")
        REMINDED = "reminded", _("Deadline reminder")
        OVERDUE = "overdue", _("Answer overdue")
        WITHDRAWN = "withdrawn", _("Withdrawn by the proposer")

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["proposal", "at"], name="proposal_event_at")]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.kind}"


class ProposalReport(models.Model):
    """The report on proposals and their handling for a meeting of the congress, published to the union's
    members. `rows` is the snapshot taken when it was published: what the members read does not change after."""

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="proposal_reports")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    since = models.DateTimeField(_("proposals since"), null=True, blank=True)
    rows = models.JSONField(default=list)
    totals = models.JSONField(default=dict)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("proposal report")
        verbose_name_plural = _("proposal reports")
        indexes = [models.Index(fields=["org", "published_at"], name="proposal_report_org")]

    def __str__(self) -> str:
        return self.title
