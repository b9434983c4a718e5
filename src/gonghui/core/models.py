from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One audited event: who did what to which object, with what result, when and from where.

    Rows are only ever inserted, through core.audit.log_action, which numbers them (`seq`) and chains them
    with SM3: `hash` covers the record's content and `prev_hash`, the hash of the record before it. Database
    triggers refuse UPDATE and DELETE (docs/audit.md); only `gonghui audit archive` may prune old records.
    """

    class Result(models.TextChoices):
        OK = "ok", _("Succeeded")
        DENIED = "denied", _("Denied")
        FAILED = "failed", _("Failed")

    # Position in the hash chain: 1, 2, 3, ... without gaps (archived records leave the table, not the count).
    seq = models.BigIntegerField(_("sequence"), unique=True)
    # Set by log_action under the chain lock (not auto_now_add, which would overwrite the hashed value).
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.OK)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The end of the audit hash chain: one row (pk 1) that log_action locks, reads and moves forward in the
    same transaction as the record it inserts. The lock makes appends strictly ordered on PostgreSQL; a
    rolled-back transaction rolls the head back with its record, so the chain never has a gap."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.last_seq} {self.last_hash[:12]}"


class AuditArchive(models.Model):
    """One run of `gonghui audit archive`: the records with seq first_seq..last_seq, all older than `cutoff`,
    were exported to `file_name` and then deleted. `anchor_hash` is the hash of the last archived record, from
    which `gonghui audit verify` continues the chain. Append-only like the records (database triggers); the
    DELETE trigger on the records allows deleting only what a row here covers, and only past the legal
    retention period."""

    created_at = models.DateTimeField(_("archived at"), default=timezone.now)
    cutoff = models.DateTimeField(_("records before"))
    # Both ends unique: two archive runs racing over the same records cannot both commit.
    first_seq = models.BigIntegerField(_("first sequence"), unique=True)
    last_seq = models.BigIntegerField(_("last sequence"), unique=True)
    record_count = models.BigIntegerField(_("records"))
    anchor_hash = models.CharField(_("anchor hash"), max_length=64)
    file_name = models.CharField(_("file"), max_length=255)
    file_sm3 = models.CharField(_("file SM3 digest"), max_length=64)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["last_seq"]

    def __str__(self) -> str:
        return f"{self.first_seq}-{self.last_seq} {self.file_name}"


class WorkdayOverride(models.Model):
    """An administrator-entered day of the State Council's holiday schedule.

    Used for years the bundled chinese-calendar release does not know yet: a holiday that falls on a
    weekday (is_workday=False), or a weekend day moved to be a working day (调休, is_workday=True).
    """

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday schedule day")
        verbose_name_plural = _("holiday schedule days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class ScheduleYear(models.Model):
    """Marks a year whose holiday schedule an administrator has entered completely (official, not provisional)."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    entered_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("official schedule year")
        verbose_name_plural = _("official schedule years")

    def __str__(self) -> str:
        return str(self.year)


class ScheduledJob(models.Model):
    """When the scheduler last enqueued each periodic job, so that after downtime it catches up once
    instead of either skipping the missed run or enqueueing one per missed interval."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class ExportRequest(models.Model):
    """A request to export a list with personal data in full. A second authorised person approves it; the
    requester then downloads it once within GONGHUI_EXPORT_HOURS. Masked exports need no request."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second person")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DOWNLOADED = "downloaded", _("Downloaded")

    kind = models.CharField(_("list"), max_length=40)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        constraints = [
            # The approver is never the requester, whatever the code above does.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="export_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.org_id} {self.status}"

    @property
    def kind_label(self) -> str:
        from .exports import dataset_label

        return dataset_label(self.kind)


class Notice(models.Model):
    """A message to a person shown in the portal or console (reminders, escalations, decisions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]

    def __str__(self) -> str:
        return self.text[:40]
