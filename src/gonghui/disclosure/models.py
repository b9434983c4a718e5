"""Enterprise disclosure (厂务公开/企务公开, DOMAIN §3).

A grassroots union keeps a disclosure plan (`ScheduleEntry`: a category, a frequency, the next due date).
The union publishes `Item`s (title, body, checked attachments, the channel used) to its active members;
publishing against a plan entry settles that period (disclosure/rules.py). Members read the items in the
portal, acknowledge each once (`Acknowledgement`) and ask questions (`Question`) that the union answers,
optionally as public Q&A. A daily sweep flags each overdue plan entry to the union once per due date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Org


class Category(models.TextChoices):
    MAJOR_DECISIONS = "major_decisions", _("Major decisions")
    WAGES = "wages", _("Wages and bonuses")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance and housing fund contributions")
    WELFARE = "welfare", _("Welfare funds")
    SAFETY = "safety", _("Work safety")
    INTEGRITY = "integrity", _("Leadership integrity")
    OTHER = "other", _("Other matters")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")
    ONCE = "once", _("One-off")


class Channel(models.TextChoices):
    CONGRESS = "congress", _("Workers' congress")
    NOTICE_BOARD = "notice_board", _("Notice board")
    ONLINE = "online", _("Online")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ScheduleEntry(models.Model):
    """One line of a union's disclosure plan: what is disclosed, how often, and when next."""

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="disclosure_schedule", verbose_name=_("union")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("what is disclosed"), max_length=120)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    next_due = models.DateField(_("next due"), null=True, blank=True)
    # The day of the month the plan keeps (rules.add_months), taken from the first due date.
    anchor_day = models.PositiveSmallIntegerField(default=1)
    active = models.BooleanField(_("active"), default=True)
    # The sweep's memory: the due date it last told the union about, so it tells once per due date.
    flagged_for = models.DateField(null=True, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    last_published_on = models.DateField(_("last disclosed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure plan entry")
        verbose_name_plural = _("disclosure plan entries")
        ordering = ["next_due", "pk"]
        indexes = [models.Index(fields=["active", "next_due"], name="disclosure_sched_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anchor_day__gte=1) & models.Q(anchor_day__lte=31),
                name="disclosure_sched_anchor_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.title}"


class Item(models.Model):
    """One disclosure: drafted, then published to the union's active members (or withdrawn)."""

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="disclosure_items", verbose_name=_("union")
    )
    schedule = models.ForeignKey(
        ScheduleEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        verbose_name=_("plan entry"),
    )
    # The due date this item settled when published (None for an item outside the plan).
    settles_due = models.DateField(null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    channel = models.CharField(_("channel"), max_length=14, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    # Active members at the moment of publishing: the denominator of the acknowledgement rate.
    audience = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        indexes = [models.Index(fields=["org", "status", "published_at"], name="disclosure_item_org")]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A file published with an item, checked by its content and stored under MEDIA_ROOT."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="attachments")
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


class Acknowledgement(models.Model):
    """A member read the item: recorded once per person (the database refuses a second)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="disclosure_ack_once")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.user_id}"


class Question(models.Model):
    """A member's question on an item; the union answers. The answer is for the asker, and the union may
    publish the question and answer (without the asker's name) for all members."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="questions")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    public = models.BooleanField(_("published as public Q&A"), default=False)

    class Meta:
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["item", "answered_at"], name="disclosure_q_item")]

    def __str__(self) -> str:
        return self.text[:40]
