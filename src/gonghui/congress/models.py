"""The workers' congress (职工代表大会) of a grassroots union: its term, delegates, meetings, attendance and polls.

DOMAIN §3 gives the rules; each figure there is a default that a congress may change, so the figures are
columns of `Congress` (filled from `rules.py`). The pure counting rules live in `rules.py`.

Secret ballots are stored so that nothing links a delegate to their ballot (decisions §18): `Participation`
says "this delegate has voted in this poll"; `Ballot` holds the marks and a keyed hash of the voter's receipt
code, with a random primary key, no timestamp and no reference to a person. Both are written in one
transaction; the poll's close rewrites its ballots in random order so that not even the physical order of
rows (or PostgreSQL's per-transaction system columns) follows the order in which people voted.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Member
from gonghui.orgs.models import Org

from . import rules


class CongressKind(models.TextChoices):
    CONGRESS = "congress", _("Workers' congress")
    ALL_STAFF = "all_staff", _("All-staff meeting")


class CongressStatus(models.TextChoices):
    ACTIVE = "active", _("In term")
    ENDED = "ended", _("Term ended")


class Congress(models.Model):
    """One term (届) of a grassroots union's congress, with the figures it follows."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="congresses", verbose_name=_("union"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=CongressKind.choices, default=CongressKind.CONGRESS
    )
    term_number = models.PositiveIntegerField(_("term"), default=1)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    status = models.CharField(
        _("status"), max_length=8, choices=CongressStatus.choices, default=CongressStatus.ACTIVE
    )
    # The staff the delegate numbers are based on, and the groups that should be represented in proportion.
    staff_count = models.PositiveIntegerField(_("staff"))
    women_staff = models.PositiveIntegerField(_("women among the staff"), default=0)
    dispatched_staff = models.PositiveIntegerField(_("dispatched workers among the staff"), default=0)
    # The figures of DOMAIN §3, each a default the congress may change.
    min_delegate_percent = models.DecimalField(
        _("minimum delegates, percent of staff"),
        max_digits=5,
        decimal_places=2,
        default=rules.MIN_DELEGATE_PERCENT,
    )
    min_delegates = models.PositiveIntegerField(_("minimum number of delegates"), default=rules.MIN_DELEGATES)
    max_manager_percent = models.PositiveIntegerField(
        _("managers at most, percent of delegates"), default=rules.MAX_MANAGER_PERCENT
    )
    quorum_numerator = models.PositiveIntegerField(_("quorum numerator"), default=rules.QUORUM[0])
    quorum_denominator = models.PositiveIntegerField(_("quorum denominator"), default=rules.QUORUM[1])
    contest_margin_percent = models.PositiveIntegerField(
        _("contested elections: candidates above seats, %"), default=rules.CONTEST_MARGIN_PERCENT
    )
    min_cosigners = models.PositiveIntegerField(_("co-signers a proposal needs"), default=rules.MIN_COSIGNERS)
    proposal_answer_days = models.PositiveIntegerField(
        _("working days to answer a proposal"), default=rules.PROPOSAL_ANSWER_DAYS
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        constraints = [
            models.UniqueConstraint(fields=["org", "term_number"], name="congress_term_unique"),
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")), name="congress_term_order"
            ),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0)
                & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="congress_quorum_fraction",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quorum(self) -> tuple[int, int]:
        return (self.quorum_numerator, self.quorum_denominator)


class Constituency(models.Model):
    """An electoral district (选区) of the congress: a workshop, a department, a site."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="constituencies")
    name = models.CharField(_("name"), max_length=120)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    seats = models.PositiveIntegerField(_("delegates"), default=0)

    class Meta:
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="constituency_name_unique")]

    def __str__(self) -> str:
        return self.name


class DelegateCategory(models.TextChoices):
    WORKER = "worker", _("Front-line worker")
    TECHNICIAN = "technician", _("Technician")
    MANAGER = "manager", _("Manager")
    LEADER = "leader", _("Leader")
    OTHER = "other", _("Other")


class DelegateStatus(models.TextChoices):
    ACTIVE = "active", _("Serving")
    RECALLED = "recalled", _("Recalled")
    RESIGNED = "resigned", _("Resigned")
    LEFT = "left", _("Left the unit")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Delegate(models.Model):
    """A delegate elected by a constituency for the congress term. Ended delegates stay, for the record."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegates")
    constituency = models.ForeignKey(
        Constituency, null=True, blank=True, on_delete=models.PROTECT, related_name="delegates"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="delegateships", db_index=False
    )
    # The account the delegate signs in with to check in and vote from their phone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delegateships",
    )
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=12, choices=DelegateCategory.choices)
    middle_manager = models.BooleanField(_("middle manager or above"), default=False)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    dispatched = models.BooleanField(_("dispatched worker"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DelegateStatus.choices, default=DelegateStatus.ACTIVE
    )
    elected_on = models.DateField(_("elected on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A recall: how many of the constituency's staff voted to recall, out of how many.
    recall_votes = models.PositiveIntegerField(null=True, blank=True)
    recall_electorate = models.PositiveIntegerField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "user"],
                condition=Q(status="active") & Q(user__isnull=False),
                name="delegate_user_once",
            ),
            models.UniqueConstraint(
                fields=["congress", "member"],
                condition=Q(status="active") & Q(member__isnull=False),
                name="delegate_member_once",
            ),
        ]
        indexes = [models.Index(fields=["congress", "status"], name="delegate_congress_status")]

    def __str__(self) -> str:
        return self.name


def new_checkin_token() -> str:
    return secrets.token_urlsafe(12)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("In session")
    CLOSED = "closed", _("Closed")


class Meeting(models.Model):
    """A meeting (次会议) of the congress, with its agenda and documents."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveIntegerField(_("meeting number"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # The delegates scan a QR code carrying this token to check themselves in.
    checkin_token = models.CharField(max_length=32, unique=True, default=new_checkin_token)
    current_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("congress meeting")
        verbose_name_plural = _("congress meetings")
        constraints = [models.UniqueConstraint(fields=["congress", "number"], name="meeting_number_unique")]

    def __str__(self) -> str:
        return self.title


class AgendaKind(models.TextChoices):
    REPORT = "report", _("Report")
    DELIBERATION = "deliberation", _("Deliberation")
    RESOLUTION = "resolution", _("Resolution")
    ELECTION = "election", _("Election")
    OTHER = "other", _("Other")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=AgendaKind.choices, default=AgendaKind.REPORT)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="agenda_order_unique")]

    def __str__(self) -> str:
        return self.title


class MeetingDocument(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    stored = models.CharField(max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return self.title


class CheckinMethod(models.TextChoices):
    QR = "qr", _("Scanned the QR code")
    SECRETARIAT = "secretariat", _("Checked in by the secretariat")


class Attendance(models.Model):
    """A delegate present at a meeting. Only serving delegates count towards the quorum."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="attendance")
    method = models.CharField(max_length=12, choices=CheckinMethod.choices)
    checked_in_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "delegate"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.delegate_id}"


class PollKind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    ELECTION = "election", _("Election")


class PollStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Voting")
    CLOSED = "closed", _("Closed, being counted")
    PUBLISHED = "published", _("Result published")
    VOID = "void", _("Void")


class Poll(models.Model):
    """A vote at a meeting: resolutions item by item, or an election round for a number of seats."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="polls")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PollKind.choices)
    title = models.CharField(_("title"), max_length=200)
    secret = models.BooleanField(_("secret ballot"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    # Elections: seats to fill, whether the election is contested (差额), the round and the round before.
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    contested = models.BooleanField(_("contested election"), default=True)
    round = models.PositiveIntegerField(_("round"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_round"
    )
    allow_write_ins = models.BooleanField(_("allow another name (另选他人)"), default=True)
    # Frozen when the poll opens: everyone entitled to vote (all serving delegates) and who was present.
    electorate = models.PositiveIntegerField(null=True, blank=True)
    present_at_open = models.PositiveIntegerField(null=True, blank=True)
    # Paper ballots: how many were handed out (the participation records of the paper channel) and the two
    # tellers who each enter every returned ballot.
    teller_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    teller_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="resolution") | Q(seats__gte=1), name="poll_election_has_seats"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PollOption(models.Model):
    """A resolution item, or a candidate of an election (a write-in name becomes one when ballots are counted)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveIntegerField()
    label = models.CharField(_("item or candidate"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    delegate = models.ForeignKey(Delegate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["poll", "order"], name="poll_option_order_unique")]

    def __str__(self) -> str:
        return self.label


class Channel(models.TextChoices):
    PHONE = "phone", _("On the phone")
    PAPER = "paper", _("Paper ballot")


class Participation(models.Model):
    """That a delegate has voted in a poll (or was handed a paper ballot). One per delegate and poll.

    For an open (named) vote the marks are kept here, since they are meant to be seen; a secret vote keeps them
    only on an anonymous `Ballot`.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="participations")
    channel = models.CharField(max_length=6, choices=Channel.choices)
    open_marks = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["poll", "delegate"], name="participation_once")]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.delegate_id}"


def new_ballot_id() -> int:
    # A random key, so that the key's order says nothing about when the ballot was cast.
    return secrets.randbits(62) + 1


class Ballot(models.Model):
    """An anonymous secret ballot. Deliberately no person, no time and no sequential key (see the module doc).

    `marks` maps an option id (as text) to "approve", "oppose" or "abstain"; `write_ins` lists the other names
    the voter approved (另选他人). `receipt_hash` is the keyed hash of the receipt code shown once to the voter.
    """

    id = models.BigIntegerField(primary_key=True, default=new_ballot_id, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots", db_index=False)
    marks = models.JSONField(default=dict)
    write_ins = models.JSONField(default=list)
    receipt_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=6, choices=Channel.choices)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["poll", "receipt_hash"], name="ballot_receipt_unique")]

    def __str__(self) -> str:
        return str(_("ballot"))


class PaperEntry(models.Model):
    """A teller's entry of one returned paper ballot, by the number the tellers wrote on it while counting.

    Each of the two tellers enters every ballot; only ballots both entered alike are counted.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="paper_entries")
    teller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    serial = models.PositiveIntegerField(_("ballot number"))
    marks = models.JSONField(default=dict)
    write_ins = models.JSONField(default=list)
    spoilt = models.BooleanField(_("spoilt (unreadable or defaced)"), default=False)

    class Meta:
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        constraints = [
            models.UniqueConstraint(fields=["poll", "teller", "serial"], name="paper_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}#{self.serial}"
