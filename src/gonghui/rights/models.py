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


class RiskSignal(models.TextChoices):
    LAYOFF = "layoff", _("Layoffs")
    CLOSURE = "closure", _("Closure")
    RELOCATION = "relocation", _("Relocation")


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
    # What the case reveals about the employer, marked by the handler; the risk score counts it.
    risk_signal = models.CharField(
        _("sign of trouble at the employer"), max_length=12, choices=RiskSignal.choices, blank=True
    )

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
        LEGAL_AID = "legal_aid", _("Legal aid")
        MEDIATION = "mediation", _("Mediation")

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


# --- legal aid (法律援助) ----------------------------------------------------------------------------------------


class Lawyer(models.Model):
    """A lawyer on a union's legal-aid roster (a union lawyer or a legal-aid lawyer); unions below may use it."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="lawyers", verbose_name=_("union"))
    name = models.CharField(_("name"), max_length=50)
    firm = models.CharField(_("law firm"), max_length=120, blank=True)
    phone = models.CharField(_("work phone"), max_length=20, blank=True)
    specialties = models.CharField(_("specialties"), max_length=200, blank=True)
    active = models.BooleanField(_("on the roster"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lawyer")
        verbose_name_plural = _("lawyers")
        indexes = [models.Index(fields=["org", "active"], name="rights_lawyer_org")]

    def __str__(self) -> str:
        return self.name


class LegalStage(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    ARBITRATION = "arbitration", _("Labour arbitration")
    FIRST_INSTANCE = "first_instance", _("First instance")
    SECOND_INSTANCE = "second_instance", _("Second instance")
    ENFORCEMENT = "enforcement", _("Enforcement")


class LegalResult(models.TextChoices):
    WON = "won", _("Won")
    PARTLY_WON = "partly_won", _("Partly won")
    SETTLED = "settled", _("Settled")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LegalAid(models.Model):
    """A request that became a legal-aid case: a lawyer from the roster, consultations and the stages of
    representation, the result and the amount recovered for the worker."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="legal_aid")
    lawyer = models.ForeignKey(
        Lawyer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("lawyer"),
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=LegalStage.choices, default=LegalStage.CONSULTATION
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount_claimed = models.DecimalField(
        _("amount claimed (yuan)"), max_digits=12, decimal_places=2, default=0
    )
    amount_recovered = models.DecimalField(
        _("amount recovered (yuan)"), max_digits=12, decimal_places=2, default=0
    )
    result = models.CharField(_("result"), max_length=12, choices=LegalResult.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("legal-aid case")
        verbose_name_plural = _("legal-aid cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_claimed__gte=0) & models.Q(amount_recovered__gte=0),
                name="rights_legal_aid_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | ~models.Q(result=""),
                name="rights_legal_aid_closed_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.stage}"


class LegalAidEntry(models.Model):
    """The record of a legal-aid case: a consultation, a document drafted, a hearing, a change of stage."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        DRAFTING = "drafting", _("Document drafted")
        HEARING = "hearing", _("Hearing")
        STAGE = "stage", _("Stage changed")
        LAWYER = "lawyer", _("Lawyer assigned")
        RESULT = "result", _("Result")
        NOTE = "note", _("Note")

    aid = models.ForeignKey(LegalAid, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    stage = models.CharField(max_length=16, choices=LegalStage.choices)
    at = models.DateTimeField()
    on_date = models.DateField(_("date"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.aid_id} {self.kind}"


# --- mediation (调解) -------------------------------------------------------------------------------------------


class MediationCommittee(models.Model):
    """An enterprise labour-dispute mediation committee (with the union) or a regional one."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise mediation committee")
        REGIONAL = "regional", _("Regional mediation committee")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="mediation_committees")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    active = models.BooleanField(default=True)
    # Rules as data (not law): how many calendar days before the 15-day limit the committee's union is warned.
    warn_days_before = models.PositiveSmallIntegerField(
        _("warn this many days before the 15-day limit"), default=2
    )

    class Meta:
        verbose_name = _("mediation committee")
        verbose_name_plural = _("mediation committees")

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    committee = models.ForeignKey(MediationCommittee, on_delete=models.PROTECT, related_name="mediators")
    name = models.CharField(_("name"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")

    def __str__(self) -> str:
        return self.name


class MediationStatus(models.TextChoices):
    OPEN = "open", _("Mediating")
    AGREED = "agreed", _("Agreement signed")
    FAILED = "failed", _("No agreement")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Mediation(models.Model):
    """A labour-dispute mediation (Labour Dispute Mediation and Arbitration Law): received on a date, to be
    concluded within 15 calendar days of it; an agreement signed by both parties and the mediator, or else
    the parties are told they may go to arbitration before the limitation date (one year from when the worker
    knew of the infringement)."""

    committee = models.ForeignKey(MediationCommittee, on_delete=models.PROTECT, related_name="mediations")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="mediations")
    mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("mediation number"), max_length=20, unique=True)
    subject = models.TextField(_("the dispute"))
    received_on = models.DateField(_("application received"))
    due_on = models.DateField(_("mediate by"))
    known_on = models.DateField(_("the worker knew of the infringement on"))
    limitation_on = models.DateField(_("arbitration limitation date"))
    status = models.CharField(
        _("status"), max_length=10, choices=MediationStatus.choices, default=MediationStatus.OPEN
    )
    warned_at = models.DateTimeField(null=True, blank=True)
    terms = models.TextField(_("terms of the agreement"), blank=True)
    amount = models.DecimalField(_("amount agreed (yuan)"), max_digits=12, decimal_places=2, default=0)
    agreed_on = models.DateField(null=True, blank=True)
    worker_signed_at = models.DateTimeField(null=True, blank=True)
    employer_signed_at = models.DateTimeField(null=True, blank=True)
    mediator_signed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    arbitration_told_at = models.DateTimeField(null=True, blank=True)
    end_note = models.TextField(_("why it ended"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        indexes = [models.Index(fields=["status", "due_on"], name="rights_mediation_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="rights_mediation_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gt=models.F("received_on"))
                & models.Q(known_on__lte=models.F("received_on")),
                name="rights_mediation_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class MediationParty(models.Model):
    class Side(models.TextChoices):
        WORKER = "worker", _("Worker")
        EMPLOYER = "employer", _("Employer")

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="parties")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    name = models.CharField(_("name"), max_length=120)
    # The employer's credit code, or nothing for a worker (no ID number is needed to mediate).
    uscc = models.CharField(_("credit code"), max_length=18, blank=True)
    representative = models.CharField(_("representative"), max_length=50, blank=True)
    # A worker's phone number is personal data (DOMAIN §8): encrypted at rest and shown masked, like the
    # contact number of a request. It is where the arbitration notice is sent by SMS.
    phone = EncryptedTextField(_("phone"), purpose="rights.mediation.party.phone", blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    notes = models.TextField(_("what was said and agreed"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.mediation_id} {self.held_on}"


# --- labour-relations risk warning -------------------------------------------------------------------------------


class RiskLevel(models.TextChoices):
    NONE = "none", _("No warning")
    YELLOW = "yellow", _("Yellow warning")
    ORANGE = "orange", _("Orange warning")
    RED = "red", _("Red warning")


class RiskIndicator(models.TextChoices):
    """What a risk score is made of: the platform's own cases, and indicators imported by file or API."""

    WAGE_REQUESTS = "wage_requests", _("Wage-arrears requests")
    COLLECTIVE_CASES = "collective_cases", _("Collective cases")
    LAYOFFS = "layoffs", _("Layoffs")
    CLOSURES = "closures", _("Closure")
    RELOCATIONS = "relocations", _("Relocation")
    SOCIAL_INSURANCE_ARREARS = "si_arrears", _("Months of social insurance arrears")
    UTILITY_ARREARS = "utility_arrears", _("Months of utility arrears")
    ARBITRATION_CASES = "arbitration_cases", _("Arbitration cases")


class RiskWeight(models.Model):
    """Rules as data: points per unit of an indicator, with a cap, set by a union for its subtree (the nearest
    ancestor's row applies; defaults in rights/rules.py)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="risk_weights")
    indicator = models.CharField(max_length=20, choices=RiskIndicator.choices)
    points = models.DecimalField(_("points per unit"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(_("at most"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "indicator"], name="rights_risk_weight_once")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.indicator}"


class RiskPolicy(models.Model):
    """Thresholds of the warning levels and the window of recent cases, per union (nearest ancestor applies)."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="risk_policy")
    window_days = models.PositiveSmallIntegerField(_("count cases of the last (days)"), default=90)
    yellow = models.PositiveSmallIntegerField(_("yellow from (points)"), default=20)
    orange = models.PositiveSmallIntegerField(_("orange from (points)"), default=40)
    red = models.PositiveSmallIntegerField(_("red from (points)"), default=60)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(yellow__gt=0)
                & models.Q(orange__gt=models.F("yellow"))
                & models.Q(red__gt=models.F("orange")),
                name="rights_risk_thresholds_in_order",
            )
        ]

    def __str__(self) -> str:
        return str(self.org)


class EmployerIndicator(models.Model):
    """One imported value of an external indicator for an employer on a date (social insurance arrears,
    utilities, arbitration counts). Unique per employer, indicator and date, so a re-import changes nothing."""

    employer_uscc = models.CharField(max_length=18)
    employer_name = models.CharField(max_length=120, blank=True)
    indicator = models.CharField(max_length=20, choices=RiskIndicator.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    as_of = models.DateField()
    source = models.CharField(max_length=40, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employer_uscc", "indicator", "as_of"], name="rights_indicator_once_per_day"
            )
        ]
        indexes = [
            models.Index(fields=["employer_uscc", "indicator", "-as_of"], name="rights_indicator_latest")
        ]

    def __str__(self) -> str:
        return f"{self.employer_uscc} {self.indicator} {self.as_of}"


class EmployerRisk(models.Model):
    """An employer's current risk score, its level and the reasons, kept by the scoring job; the responsible
    union is told when the level rises."""

    employer_uscc = models.CharField(_("credit code"), max_length=18, unique=True)
    employer_name = models.CharField(_("employer"), max_length=120)
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="employer_risks", verbose_name=_("union")
    )
    division_code = models.CharField(max_length=6, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, default=0)
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    notified_level = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)

    class Meta:
        verbose_name = _("employer risk")
        verbose_name_plural = _("employer risks")
        indexes = [models.Index(fields=["level", "-score"], name="rights_risk_level")]

    def __str__(self) -> str:
        return f"{self.employer_name} {self.level}"
