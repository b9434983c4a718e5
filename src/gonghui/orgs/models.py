from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Each level of the materialized path is the org's id, zero-padded to this many digits. Digits only, so
# that string order equals numeric order in every collation, and a subtree is one index range scan:
# path >= P AND path < successor(P).
SEGMENT = 9


class OrgKind(models.TextChoices):
    NATIONAL = "national", _("National federation")
    PROVINCE = "province", _("Provincial federation")
    CITY = "city", _("City federation")
    DISTRICT = "district", _("County or district federation")
    STREET = "street", _("Township or street union")
    PARK = "park", _("Industrial park union")
    JOINT = "joint", _("Regional or industry joint union")
    INDUSTRY = "industry", _("Industry union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    BRANCH = "branch", _("Branch union")
    GROUP = "group", _("Union group")


class Org(models.Model):
    """One union in the tree. `parent` is the territorial (structural) parent; `industry_union` is the
    optional affiliation to an industry union (dual leadership), and for an industry union its parent
    industry union, so industry chains run parallel to the territorial one."""

    code = models.CharField(_("org code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    name_pinyin = models.CharField(max_length=400, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    industry_union = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="affiliates",
        verbose_name=_("industry union"),
    )
    path = models.CharField(max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    division_code = models.CharField(
        _("administrative division code"), max_length=6, blank=True, db_index=True
    )
    industry = models.CharField(_("industry"), max_length=40, blank=True)
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    staff_count = models.PositiveIntegerField(_("staff count"), default=0)
    is_platform = models.BooleanField(_("platform company"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("union")
        verbose_name_plural = _("unions")
        indexes = [
            models.Index(fields=["parent", "name"]),
            # Subtree count and staff sum read only this index (an index-only scan on PostgreSQL): measured
            # in bench/RESULTS.md as 11x faster for a province on SQLite and 2x for a district on PostgreSQL.
            models.Index(fields=["path", "staff_count"], name="org_path_staff_idx"),
        ]
        constraints = [
            # A constraint rather than unique=True: PostgreSQL then gets no unused varchar_pattern_ops index,
            # since subtrees are range scans, never LIKE.
            models.UniqueConstraint(fields=["path"], name="org_path_unique"),
            models.CheckConstraint(condition=~models.Q(pk=models.F("parent")), name="org_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def segment(self) -> str:
        return str(self.pk).zfill(SEGMENT)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read from the path without a query."""
        return [int(self.path[i : i + SEGMENT]) for i in range(0, len(self.path) - SEGMENT, SEGMENT)]

    @property
    def is_grassroots(self) -> bool:
        return self.kind == OrgKind.GRASSROOTS


class OrgRollup(models.Model):
    """Pre-computed totals of an org's whole subtree (itself included), kept by orgs.services.

    Statistics above district level read these rows instead of scanning the subtree; `gonghui reconcile`
    recomputes them and reports drift.
    """

    org = models.OneToOneField(Org, primary_key=True, on_delete=models.CASCADE, related_name="rollup")
    orgs = models.PositiveIntegerField(default=1)
    grassroots = models.PositiveIntegerField(default=0)
    staff = models.PositiveBigIntegerField(default=0)
    members = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.org_id}: {self.orgs} orgs, {self.members} members"


class OrgRequest(models.Model):
    """A request to set up a new grassroots union (or branch), approved by the union one level up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    parent = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="requests", verbose_name=_("parent")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=OrgKind.choices, default=OrgKind.GRASSROOTS)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    staff_count = models.PositiveIntegerField(_("staff count"), default=0)
    industry_union = models.ForeignKey(
        Org,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("industry union"),
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_org = models.OneToOneField(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("union set-up request")
        verbose_name_plural = _("union set-up requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return self.name


class OrgRequestDocument(models.Model):
    """A document attached to a set-up request. The file lies under MEDIA_ROOT with a random name
    (`stored_path`); the client's name is kept only as `original_name`."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application letter")
        STAFF_LIST = "staff_list", _("Staff list")
        LICENCE = "licence", _("Employer's business licence")
        OTHER = "other", _("Other document")

    request = models.ForeignKey(
        OrgRequest, on_delete=models.PROTECT, related_name="documents", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("request document")
        verbose_name_plural = _("request documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Org administrator")
    REVIEWER = "reviewer", _("Reviewer")
    CASE_HANDLER = "case_handler", _("Case handler")
    VIEWER = "viewer", _("Read-only viewer")


class RoleAssignment(models.Model):
    """A user holds a role in an org, and with it in the org's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"
