"""Rationalisation suggestions (合理化建议, DOMAIN §3): any member submits an idea to their grassroots union; the
union evaluates it, adopts it or not (with a reason), records its implementation, the reward and the benefit.

A suggestion belongs to the grassroots union the member belongs to (`org`), so scope is the union tree as
everywhere else. The states follow `rules.TRANSITIONS`; every step is a `SuggestionEvent` on the record.
A proposal of the workers' congress that the proposal committee turns into a suggestion becomes one of these
rows too (`source = proposal`); the proposal points at it (proposals.Proposal.suggestion, reverse name
`from_proposal`), so this app does not depend on the proposals app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Member
from gonghui.orgs.models import Org


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted to the union")
    EVALUATING = "evaluating", _("Under evaluation")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    IMPLEMENTED = "implemented", _("Implemented")
    REWARDED = "rewarded", _("Rewarded")


# The states of a suggestion that was adopted (the annual list of adopted suggestions shows these).
ADOPTED_STATES = (SuggestionStatus.ADOPTED, SuggestionStatus.IMPLEMENTED, SuggestionStatus.REWARDED)


class SuggestionCategory(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology and process")
    SAFETY = "safety", _("Safety")
    QUALITY = "quality", _("Quality")
    COST = "cost", _("Saving costs and energy")
    MANAGEMENT = "management", _("Management")
    WELFARE = "welfare", _("Working conditions and welfare")
    OTHER = "other", _("Other")


class SuggestionSource(models.TextChoices):
    MEMBER = "member", _("Submitted by a member")
    PROPOSAL = "proposal", _("Converted from a congress proposal")


class RewardForm(models.TextChoices):
    CASH = "cash", _("Cash bonus")
    CERTIFICATE = "certificate", _("Certificate of honour")
    GOODS = "goods", _("Goods")
    POINTS = "points", _("Reward points")
    OTHER = "other", _("Other")


class Suggestion(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("union"), db_index=False
    )
    # Empty only for a congress proposal turned into a suggestion whose delegate has no membership record here.
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
        verbose_name=_("member"),
        db_index=False,
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitter_name = models.CharField(_("submitted by"), max_length=60)
    source = models.CharField(
        _("source"), max_length=10, choices=SuggestionSource.choices, default=SuggestionSource.MEMBER
    )
    title = models.CharField(_("title"), max_length=120)
    category = models.CharField(_("category"), max_length=12, choices=SuggestionCategory.choices)
    situation = models.TextField(_("the present situation"))
    measures = models.TextField(_("what you suggest"))
    expected_benefit = models.TextField(_("expected benefit"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.SUBMITTED
    )
    year = models.PositiveSmallIntegerField(_("year"))
    submitted_at = models.DateTimeField(_("submitted"))

    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluation_started_at = models.DateTimeField(null=True, blank=True)
    evaluation_notes = models.TextField(_("evaluator's notes"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for not adopting"), blank=True)

    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    implementation_note = models.TextField(_("how it was implemented"), blank=True)
    benefit_amount = models.DecimalField(
        _("benefit (yuan saved or earned)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    benefit_description = models.TextField(_("benefit"), blank=True)

    reward_amount = models.DecimalField(
        _("reward (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reward_form = models.CharField(_("form of reward"), max_length=12, choices=RewardForm.choices, blank=True)
    reward_note = models.CharField(_("reward note"), max_length=300, blank=True)
    rewarded_on = models.DateField(_("rewarded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rationalisation suggestion")
        verbose_name_plural = _("rationalisation suggestions")
        indexes = [
            models.Index(fields=["org", "year", "status"], name="suggestion_org_year"),
            models.Index(fields=["member"], name="suggestion_member"),
            models.Index(fields=["submitter", "submitted_at"], name="suggestion_submitter"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="not_adopted") | ~Q(reason=""), name="suggestion_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="rewarded") | ~Q(reward_form=""), name="suggestion_reward_has_form"
            ),
            models.CheckConstraint(
                condition=Q(reward_amount__isnull=True) | Q(reward_amount__gte=0),
                name="suggestion_reward_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_adopted(self) -> bool:
        return self.status in ADOPTED_STATES


class SuggestionEvent(models.Model):
    """The record of a suggestion: every step, in order. Never edited or deleted."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted to the union")
        EVALUATING = "evaluating", _("Evaluation started")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        IMPLEMENTED = "implemented", _("Implemented")
        REWARDED = "rewarded", _("Rewarded")
        NOTE = "note", _("Evaluator's note")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    # Evaluators' working notes stay with the union; the member reads the decisions and their reasons.
    visible_to_member = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["suggestion", "at"], name="suggestion_event_at")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.kind}"
