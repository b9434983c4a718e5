"""Recuperation (疗休养, DOMAIN §5).

A union (usually a province or city union) runs a `Site`: a sanatorium, a base or an approved hotel. Each year
it plans `Batch`es (期) at a site, with dates, capacity, a theme (劳模疗休养, 一线职工疗休养) and a planned cost
per person that must stay within the spending limit of the `RecuperationPolicy` in force (per person per day,
for at most so many days; inherited down the tree, the nearest row above wins).

The organising union holds the batch's whole capacity as its root `Quota`; it splits places into quotas for
the unions below it, and each of those may split further (the places given down never exceed the places
held). A member applies to a batch through the nearest quota above their union; the union holding that quota
allocates its own places by priority points (rules.py) and puts the rest on an ordered waiting list. A member
has at most one place a year (a partial unique index).

`Designation` records what gives a member priority: a model worker (劳模) title or a front-line post.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Org


class SiteKind(models.TextChoices):
    SANATORIUM = "sanatorium", _("Sanatorium")
    BASE = "base", _("Recuperation base")
    HOTEL = "hotel", _("Approved hotel")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ALLOCATED = "allocated", _("Place allocated")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Did not attend")


# The statuses that hold a place: the database allows one of them per member per year.
PLACE_STATUSES = (ApplicationStatus.ALLOCATED, ApplicationStatus.ATTENDED)


class DesignationKind(models.TextChoices):
    MODEL_WORKER = "model_worker", _("Model worker (劳模)")
    FRONTLINE = "frontline", _("Front-line worker")


class RecuperationPolicy(models.Model):
    """Recuperation rules that vary by union, inherited down the tree (the nearest row above wins)."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="recuperation_policy")
    daily_limit = models.DecimalField(
        _("spending limit per person per day (yuan)"), max_digits=8, decimal_places=2, default=Decimal("400")
    )
    max_days = models.PositiveSmallIntegerField(_("at most (days)"), default=2)
    min_membership_years = models.PositiveSmallIntegerField(_("years of membership needed"), default=1)
    interval_years = models.PositiveSmallIntegerField(
        _("not again within (years)"), default=3, help_text=_("0: no such rule")
    )
    cancel_days_before = models.PositiveSmallIntegerField(
        _("a member may cancel until (days before the start)"), default=7
    )
    model_worker_points = models.PositiveSmallIntegerField(_("points for a model worker"), default=50)
    frontline_points = models.PositiveSmallIntegerField(_("points for a front-line worker"), default=20)
    points_per_year = models.PositiveSmallIntegerField(_("points per year of membership"), default=2)
    max_service_points = models.PositiveSmallIntegerField(_("at most (points for service)"), default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recuperation rules")
        verbose_name_plural = _("recuperation rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(daily_limit__gt=0), name="recup_policy_limit"),
            models.CheckConstraint(condition=models.Q(max_days__gte=1), name="recup_policy_days"),
        ]

    def __str__(self) -> str:
        return str(self.org)


class Designation(models.Model):
    """A member's model-worker title or front-line post, recorded by a union; gives priority points."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="recup_designations")
    kind = models.CharField(_("kind"), max_length=16, choices=DesignationKind.choices)
    title = models.CharField(_("title"), max_length=120, blank=True, help_text=_("e.g. 浙江省劳动模范"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="recup_designation_once")]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.kind}"


class Site(models.Model):
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="recup_sites", verbose_name=_("union")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=SiteKind.choices)
    address = models.CharField(_("address"), max_length=200)
    capacity = models.PositiveIntegerField(_("beds"))
    contact = models.CharField(_("contact"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recuperation site")
        verbose_name_plural = _("recuperation sites")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="recup_site_name"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="recup_site_capacity"),
        ]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """One period (期) at a site. Eligibility beyond the policy: `only_designations` (e.g. model workers)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="batches", verbose_name=_("site"))
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="recup_batches", verbose_name=_("union")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    theme = models.CharField(_("theme"), max_length=60, help_text=_("e.g. 劳模疗休养, 一线职工疗休养"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    days = models.PositiveSmallIntegerField(_("days"))
    capacity = models.PositiveIntegerField(_("places"))
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    cost_per_person = models.DecimalField(
        _("planned cost per person (yuan)"), max_digits=10, decimal_places=2
    )
    daily_limit = models.DecimalField(
        _("limit per person per day when planned"), max_digits=8, decimal_places=2
    )
    only_designations = models.JSONField(_("only for"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recuperation batch")
        verbose_name_plural = _("recuperation batches")
        indexes = [models.Index(fields=["year", "status"], name="recup_batch_year")]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="recup_batch_capacity"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="recup_batch_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="recup_batch_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Quota(models.Model):
    """Places of a batch held by one union. The organiser's root row has no parent and holds the capacity;
    the places given to the quotas below (`children`) never exceed `places`."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="quotas")
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="recup_quotas", verbose_name=_("union")
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    places = models.PositiveIntegerField(_("places"))
    allocated_at = models.DateTimeField(null=True, blank=True)
    # When the holder was told that applications closed and the places wait to be allocated (once).
    reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [models.UniqueConstraint(fields=["batch", "org"], name="recup_quota_once")]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.org_id} · {self.places}"


class Application(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="applications")
    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, related_name="applications")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    points = models.PositiveIntegerField(_("priority points"), default=0)
    points_detail = models.JSONField(default=dict)
    waiting_position = models.PositiveIntegerField(null=True, blank=True)
    promoted = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    allocated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    # When a member with a place was reminded of the start (once).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recuperation application")
        verbose_name_plural = _("recuperation applications")
        indexes = [models.Index(fields=["quota", "status"], name="recup_app_quota")]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=models.Q(status__in=["allocated", "attended"]),
                name="recup_one_place_a_year",
            ),
            models.UniqueConstraint(
                fields=["batch", "member"],
                condition=~models.Q(status="cancelled"),
                name="recup_app_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.member_id}"
