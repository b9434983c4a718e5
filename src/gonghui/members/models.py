"""Membership (DOMAIN §2): applications, members, transfers, status changes, dues, imports.

A `Member` row is one stint of membership of one person: a transfer moves the row to the new union (the
member number and history follow the person); leaving ends the stint, and joining again later opens a new
row, so nothing is ever deleted. The database allows one live (active or retained) row per ID number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.orgs.models import Org

ID_PURPOSE = "members.person.id_number"
MOBILE_PURPOSE = "members.person.mobile"


class EmploymentForm(models.TextChoices):
    """How the person works. The new-employment occupations (新就业形态) include the "eight groups"."""

    REGULAR = "regular", _("Regular employee")
    DISPATCHED = "dispatched", _("Dispatched worker")
    PART_TIME = "part_time", _("Part-time worker")
    DELIVERY_RIDER = "delivery_rider", _("Online food-delivery rider")
    COURIER = "courier", _("Courier")
    RIDE_HAILING = "ride_hailing", _("Ride-hailing driver")
    TRUCK_DRIVER = "truck_driver", _("Truck driver")
    DOMESTIC = "domestic", _("Domestic worker")
    CARE_WORKER = "care_worker", _("Care worker")
    SECURITY_GUARD = "security_guard", _("Security guard")
    MALL_STAFF = "mall_staff", _("Shopping-mall information staff")
    REAL_ESTATE_AGENT = "real_estate_agent", _("Real-estate agent")
    LIVE_STREAMER = "live_streamer", _("Live streamer")
    OTHER_PLATFORM = "other_platform", _("Other platform worker")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETAINED = "retained", _("Retained (dues waived)")
    TRANSFERRING = "transferring", _("Being transferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPELLED = "expelled", _("Expelled")
    LAPSED = "lapsed", _("Treated as withdrawn")


# A person holds at most one membership in these states (the partial unique index below).
LIVE_STATUSES = (MemberStatus.ACTIVE, MemberStatus.RETAINED, MemberStatus.TRANSFERRING)
# As written in index conditions (the same order as LIVE_STATUSES, so that a query's filter matches them).
_LIVE = ["active", "retained", "transferring"]
_CODE_OPS = "varchar_pattern_ops"


def id_index_q(indexes: list[str]) -> Q:
    """Memberships of these ID-number blind indexes, whatever their status, written so that the database uses
    both of the member table's indexes on that column (one holds live memberships, the other past ones)."""
    return Q(id_number_index__in=indexes, status__in=_LIVE) | (
        Q(id_number_index__in=indexes) & ~Q(status__in=_LIVE)
    )


class RetainedReason(models.TextChoices):
    RETIRED = "retired", _("Retired")
    UNEMPLOYED = "unemployed", _("Unemployed")


class MemberPolicy(models.Model):
    """Rules that provinces and unions set (rules as data). The nearest ancestor's row applies; with none,
    the defaults of the field definitions apply (members.rules.policy_for)."""

    class Rounding(models.TextChoices):
        FEN = "fen", _("To the fen (0.01 yuan)")
        JIAO = "jiao", _("To the jiao (0.1 yuan), half up")
        YUAN = "yuan", _("To the yuan, half up")
        JIAO_UP = "jiao_up", _("Up to the next jiao")

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="member_policy")
    review_workdays = models.PositiveSmallIntegerField(_("review deadline (working days)"), default=5)
    transfer_workdays = models.PositiveSmallIntegerField(_("transfer deadline (working days)"), default=5)
    remind_workdays_before = models.PositiveSmallIntegerField(
        _("remind this many working days before"), default=1
    )
    dues_permille = models.DecimalField(_("dues rate (‰ of wage)"), max_digits=5, decimal_places=2, default=5)
    dues_rounding = models.CharField(
        _("dues rounding"), max_length=8, choices=Rounding.choices, default="fen"
    )
    lapse_months = models.PositiveSmallIntegerField(_("months without dues or participation"), default=6)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership rules")
        verbose_name_plural = _("membership rules")

    def __str__(self) -> str:
        return str(self.org)


class PersonFields(models.Model):
    """Who the person is: shared by applications and members. Name in clear (cadres search it); ID number and
    mobile encrypted, found by blind index, masked on screen."""

    # Name search is by prefix on three columns: characters, full pinyin, initials (张三 / zhangsan / zs). Their
    # indexes are declared by each model (Member: per union and overall, bench/members.py).
    name = models.CharField(_("real name"), max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True)
    name_initials = models.CharField(max_length=50, blank=True)
    id_number = EncryptedTextField(_("ID number"), purpose=ID_PURPOSE, kind="id_number")
    # Blind indexes are compared for equality only: plain indexes declared by each model, not db_index, which
    # on PostgreSQL would add an unused LIKE (varchar_pattern_ops) index to every import's work.
    id_number_index = BlindIndexField(source="id_number", db_index=False)
    id_last4 = models.CharField(max_length=4, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=6, blank=True)
    mobile = EncryptedTextField(_("mobile number"), purpose=MOBILE_PURPOSE, kind="mobile", blank=True)
    mobile_index = BlindIndexField(source="mobile", db_index=False)
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    employer_uscc = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    employment_form = models.CharField(
        _("employment form"), max_length=20, choices=EmploymentForm.choices, default=EmploymentForm.REGULAR
    )
    work_division_code = models.CharField(_("place of work (division code)"), max_length=6, blank=True)
    work_place = models.CharField(_("place of work"), max_length=200, blank=True)

    class Meta:
        abstract = True


class Member(PersonFields):
    # No index of its own: every composite index below starts with the union (each index costs a bulk import
    # time per row, bench/RESULTS.md).
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="members", verbose_name=_("union"), db_index=False
    )
    # Indexed only where set (below): most imported members have no portal account yet.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        db_index=False,
    )
    number = models.CharField(_("member number"), max_length=16)
    status = models.CharField(_("status"), max_length=12, choices=MemberStatus.choices, default="active")
    retained_reason = models.CharField(max_length=12, choices=RetainedReason.choices, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    last_participated_on = models.DateField(_("last took part"), null=True, blank=True)
    # The import batch that created or last updated the row: a re-import of the same file finds its rows.
    source = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        # The codes (member number, blind indexes, last four) are compared byte by byte: the pattern operator
        # class makes each comparison a memcmp rather than a collation lookup, which a bulk import pays about
        # twenty times per index and row (equality still uses these indexes; other databases ignore it).
        constraints = [
            # A constraint rather than unique=True: PostgreSQL then builds no unused LIKE index (decisions.md §11).
            models.UniqueConstraint(fields=["number"], name="member_number_unique", opclasses=[_CODE_OPS]),
            # One membership at a time (DOMAIN §2): the database refuses a second live row for an ID number.
            # It is also the index that finds a live membership by ID number.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=Q(status__in=_LIVE),
                name="member_one_live_membership",
                opclasses=[_CODE_OPS],
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status"], name="member_org_status"),
            models.Index(fields=["id_last4", "org"], name="member_last4", opclasses=[_CODE_OPS, "int8_ops"]),
            # Past memberships by ID number: with the index above, every row is in exactly one of the two, and
            # an import of new members adds to one only (members.selectors.member_search asks both).
            models.Index(
                fields=["id_number_index"],
                condition=~Q(status__in=_LIVE),
                name="member_past_id_index",
                opclasses=[_CODE_OPS],
            ),
            models.Index(fields=["mobile_index"], name="member_mobile_index", opclasses=[_CODE_OPS]),
            # A member's own memberships (user_id = x implies the condition, so the planner uses it); an import
            # of members without accounts adds no entry here.
            models.Index(fields=["user"], condition=Q(user__isnull=False), name="member_user"),
            # Prefix search within a cadre's unions: the union first, then the name's prefix, so a district of
            # 16,000 members among a million finds "wx%" without reading the province's "wx" rows (measured:
            # p99 164 ms with single-column indexes, bench/RESULTS.md). The pattern operator class makes LIKE
            # 'x%' usable whatever the database collation; other databases ignore it.
            *(
                models.Index(
                    fields=["org", column],
                    name=f"member_org_{column.removeprefix('name_') if column != 'name' else 'name'}",
                    opclasses=["int8_ops", "varchar_pattern_ops"],
                )
                for column in ("name", "name_pinyin", "name_initials")
            ),
            # No index on a name prefix alone: PostgreSQL misjudged how many rows "wx%" matches and read the
            # whole province's through it (p99 117 ms for a district); a wide scope walks these per union.
        ]

    def __str__(self) -> str:
        return f"{self.number}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class MemberEvent(models.Model):
    """The member's history: joined, transferred, status changed, imported. Never edited or deleted."""

    class Kind(models.TextChoices):
        JOINED = "joined", pgettext_lazy("member history", "Joined the union")
        IMPORTED = "imported", _("Imported")
        UPDATED = "updated", _("Details updated")
        TRANSFER_STARTED = "transfer_started", _("Transfer started")
        TRANSFERRED = "transferred", _("Transferred")
        TRANSFER_REJECTED = "transfer_rejected", _("Transfer refused")
        TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
        STATUS = "status", _("Status changed")
        CARD_ISSUED = "card", _("Member card issued")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    # History is read per member; the other references are never searched, so they carry no index (a bulk
    # import writes one event per member).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", db_index=False)
    other_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}"


class Application(PersonFields):
    """A request to join (入会申请). Routed to the union that should handle it (members.routing)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")
        TRANSFER = "transfer", _("Became a transfer")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    employer_org = models.ForeignKey(
        Org,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer's union"),
    )
    platform_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform")
    )
    chosen_org = models.ForeignKey(
        Org,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred union"),
    )
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="applications", verbose_name=_("handled by")
    )
    route_code = models.CharField(max_length=30)
    route_note = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="pending")
    submitted_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("decide by"))
    due_provisional = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(
        "Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["org", "status", "due_on"], name="application_queue"),
            models.Index(fields=["id_number_index"], name="application_id_index"),
            models.Index(fields=["mobile_index"], name="application_mobile_index"),
            models.Index(fields=["name"], name="application_name", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # One open application per person: a second submission is refused, not queued twice.
            models.UniqueConstraint(
                fields=["id_number_index"], condition=Q(status="pending"), name="application_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ApplicationStep(models.Model):
    """One step of the progress timeline (进度查询) the applicant sees. Text is rendered from `kind` and
    `org`, never from cadre notes, except the rejection reason the applicant must be told."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Application received")
        ROUTED = "routed", _("Sent to the union")
        REROUTED = "rerouted", _("Passed to another union")
        REMINDED = "reminded", _("Review reminder sent")
        ESCALATED = "escalated", _("Escalated to the union above")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Application withdrawn")
        TRANSFER = "transfer", _("Handled as a transfer")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    visible_to_applicant = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.kind


class Transfer(models.Model):
    """Moving a membership to another union (转会), started by the member or the losing union, accepted by
    the receiving union."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the receiving union")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    class StartedBy(models.TextChoices):
        MEMBER = "member", _("The member")
        UNION = "union", _("The losing union")
        APPLICATION = "application", _("A new application")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to")
    )
    started_by = models.CharField(max_length=12, choices=StartedBy.choices)
    initiator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    new_employer_name = models.CharField(_("new employer"), max_length=120, blank=True)
    new_employer_uscc = models.CharField(max_length=18, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default="pending")
    started_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("decide by"))
    due_provisional = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="transfer_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"transfer #{self.pk}"


class LapseProposal(models.Model):
    """A system proposal that a member be treated as withdrawn (six months without dues or participation).
    A cadre confirms or dismisses each one; nothing happens silently."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="lapse_proposals")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField()
    last_paid_month = models.DateField(null=True, blank=True)
    last_participated_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default="proposed")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="proposed"), name="lapse_one_open"),
        ]

    def __str__(self) -> str:
        return f"lapse {self.member_id}"


class DuesMonth(models.Model):
    """One member's dues for one month: the wage base, the amount due at the rate then in force, and what
    was paid. One row per member and month, so importing a payroll or payment file twice changes nothing."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month
    wage_base = models.DecimalField(_("wage base"), max_digits=12, decimal_places=2, null=True, blank=True)
    due = models.DecimalField(_("due"), max_digits=10, decimal_places=2, default=0)
    paid = models.DecimalField(_("paid"), max_digits=10, decimal_places=2, default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    waived = models.BooleanField(_("waived"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_one_row_per_month")]
        indexes = [models.Index(fields=["org", "month"], name="dues_org_month")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m}"


class MemberRollup(models.Model):
    """Subtree counters of members by dimension (status, employment form, month joined), kept by the
    services in the same transaction as each change; `gonghui reconcile` checks them."""

    class Dimension(models.TextChoices):
        STATUS = "status", _("Status")
        FORM = "form", _("Employment form")
        JOINED = "joined", _("Joined in month")

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="member_rollups")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "dimension", "key"], name="member_rollup_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.dimension}={self.key}: {self.count}"


class ImportJob(models.Model):
    """A spreadsheet import: checked first (dry run), then committed on the task worker."""

    class Kind(models.TextChoices):
        MEMBERS = "members", _("Members")
        WAGES = "wages", _("Wage bases")
        PAYMENTS = "payments", _("Dues payments")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing")
        VALID_ONLY = "valid", _("Valid rows only")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default="members")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    original_name = models.CharField(max_length=200)
    stored_path = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    mode = models.CharField(max_length=5, choices=Mode.choices, default="valid")
    status = models.CharField(max_length=10, choices=Status.choices, default="checking")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in ("checking", "committing") else 100
        return min(100, int(self.processed_rows * 100 / self.total_rows))


class ImportProblem(models.Model):
    """One bad cell of an import: row (as numbered in the spreadsheet), column header, reason."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=60)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["row", "pk"]

    def __str__(self) -> str:
        return f"{self.row} {self.column}"


class Sequence(models.Model):
    """A named counter handed out in blocks under a row lock (member numbers)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
