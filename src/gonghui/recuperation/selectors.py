"""Reads of recuperation (疗休养), scoped.

A cadre sees the batches their subtree organises or holds a quota of ("services.view"; "recuperation.manage"
to change them), the quotas of the unions in their scope and the applications that those quotas handle or
that come from unions in their scope. Outside scope is a 404, inside the actor's view of the tree without the
role a 403. A member sees the published batches with a quota above their union, and their own applications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.members.models import LIVE_STATUSES, Member, MemberStatus
from gonghui.members.selectors import live_member_by_number
from gonghui.orgs.models import SEGMENT, Org
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, refuse, scope_q
from gonghui.orgs.services import require

from . import rules
from .models import (
    PLACE_STATUSES,
    Application,
    ApplicationStatus,
    Batch,
    BatchStatus,
    Designation,
    Quota,
    RecuperationPolicy,
    Site,
)

VIEW = "services.view"
MANAGE = "recuperation.manage"
IN_RUNNING = (ApplicationStatus.APPLIED, ApplicationStatus.ALLOCATED, ApplicationStatus.WAITING)


def _count(via: str, **filters: Any) -> Coalesce:
    sub = (
        Application.objects.filter(**{via: OuterRef("pk")}, **filters)
        .order_by()
        .values(via)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def _given(via: str = "parent") -> Coalesce:
    sub = (
        Quota.objects.filter(**{via: OuterRef("pk")})
        .order_by()
        .values(via)
        .annotate(n=Sum("places"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


# --- rules as data ------------------------------------------------------------------------------------------


def policy_for(org: Org) -> RecuperationPolicy:
    """The nearest RecuperationPolicy row up the tree, else an unsaved row with the defaults. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {p.org_id: p for p in RecuperationPolicy.objects.filter(org_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in rows:
            return rows[org_id]
    return RecuperationPolicy(org=org)


def points_of(policy: RecuperationPolicy) -> rules.Points:
    return rules.Points(
        model_worker=policy.model_worker_points,
        frontline=policy.frontline_points,
        per_year=policy.points_per_year,
        max_service=policy.max_service_points,
    )


def eligibility_of(batch: Batch, policy: RecuperationPolicy) -> rules.Eligibility:
    return rules.Eligibility(
        statuses=frozenset({MemberStatus.ACTIVE.value}),
        min_membership_years=policy.min_membership_years,
        interval_years=policy.interval_years,
        only_designations=frozenset(batch.only_designations or []),
    )


def designations_of(member: Member) -> frozenset[str]:
    return frozenset(Designation.objects.filter(member=member).values_list("kind", flat=True))


def member_designations(*, actor: Any, org: Org) -> QuerySet[Designation]:
    require_view(actor, org)
    return (
        Designation.objects.filter(
            subtree_q(org.path, "member__org__path"), scope_q(actor, VIEW, "member__org__path")
        )
        .select_related("member", "member__org")
        .order_by("kind", "member__name_pinyin", "pk")
    )


def designation_get(*, actor: Any, designation_id: int, perm: str = VIEW) -> Designation:
    row = (
        Designation.objects.filter(scope_q(actor, perm, "member__org__path"), pk=designation_id)
        .select_related("member", "member__org")
        .first()
    )
    if row is None:
        found = Designation.objects.select_related("member__org").filter(pk=designation_id).first()
        refuse(actor, found.member.org if found else None, _("No such designation in your scope."))
    return row


def member_by_number(*, actor: Any, number: str, org: Org | None = None) -> Member | None:
    """A live member in the actor's view (and in `org`'s subtree when given) by member number."""
    within = scope_q(actor, VIEW, "org__path")
    if org is not None:
        within &= subtree_q(org.path, "org__path")
    return live_member_by_number(number=number, within=within)


def require_view(actor: Any, org: Org) -> None:
    if not actor_can(actor, VIEW, org):
        refuse(actor, org, _("No such union in your scope."))


# --- sites and batches --------------------------------------------------------------------------------------


def site_list(*, actor: Any, org: Org) -> QuerySet[Site]:
    require_view(actor, org)
    return (
        Site.objects.filter(subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path"))
        .select_related("org")
        .annotate(n_batches=Count("batches"))
        .order_by("-is_active", "name", "pk")
    )


def site_get(*, actor: Any, site_id: int, perm: str = VIEW) -> Site:
    site = Site.objects.filter(scope_q(actor, perm, "org__path"), pk=site_id).select_related("org").first()
    if site is None:
        found = Site.objects.select_related("org").filter(pk=site_id).first()
        refuse(actor, found.org if found else None, _("No such site in your scope."))
    return site


def _visible_batches(actor: Any) -> Q:
    held = Quota.objects.filter(scope_q(actor, VIEW, "org__path")).values("batch_id")
    return scope_q(actor, VIEW, "org__path") | Q(pk__in=held)


def with_counts(qs: QuerySet[Batch]) -> QuerySet[Batch]:
    return qs.annotate(
        n_applications=_count(
            "batch", status__in=[*IN_RUNNING, ApplicationStatus.ATTENDED, ApplicationStatus.ABSENT]
        ),
        n_allocated=_count("batch", status__in=PLACE_STATUSES),
        n_waiting=_count("batch", status=ApplicationStatus.WAITING),
    )


def batch_list(*, actor: Any, org: Org, year: int | None = None, status: str = "") -> QuerySet[Batch]:
    """Batches organised in `org`'s subtree or with a quota held there, with their counts (fixed queries)."""
    require_view(actor, org)
    held = Quota.objects.filter(subtree_q(org.path, "org__path")).values("batch_id")
    qs = Batch.objects.filter(_visible_batches(actor)).filter(
        Q(subtree_q(org.path, "org__path")) | Q(pk__in=held)
    )
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return with_counts(qs.select_related("site", "org")).order_by("-year", "starts_on", "pk")


def batch_get(*, actor: Any, batch_id: int) -> Batch:
    batch = (
        with_counts(Batch.objects.filter(_visible_batches(actor), pk=batch_id))
        .select_related("site", "org")
        .first()
    )
    if batch is None:
        found = Batch.objects.select_related("org").filter(pk=batch_id).first()
        refuse(actor, found.org if found else None, _("No such batch in your scope."))
    return batch


def batch_quotas(*, actor: Any, batch: Batch) -> list[Quota]:
    """The quotas of a batch the actor can see, in tree order, each with places given down, allocated,
    waiting and applied counts. Four queries at most."""
    return list(
        Quota.objects.filter(scope_q(actor, VIEW, "org__path"), batch=batch)
        .select_related("org", "parent__org")
        .annotate(
            given=_given(),
            n_allocated=_count("quota", status__in=PLACE_STATUSES),
            n_waiting=_count("quota", status=ApplicationStatus.WAITING),
            n_applied=_count("quota", status=ApplicationStatus.APPLIED),
        )
        .order_by("org__path")
    )


def quota_get(*, actor: Any, quota_id: int, perm: str = VIEW) -> Quota:
    quota = (
        Quota.objects.filter(scope_q(actor, perm, "org__path"), pk=quota_id)
        .select_related("org", "batch", "batch__site", "batch__org", "parent")
        .annotate(given=_given(), n_allocated=_count("quota", status__in=PLACE_STATUSES))
        .first()
    )
    if quota is None:
        found = Quota.objects.select_related("org").filter(pk=quota_id).first()
        refuse(actor, found.org if found else None, _("No such quota in your scope."))
    return quota


def quota_applications(*, quota: Quota, status: str = "") -> QuerySet[Application]:
    qs = Application.objects.filter(quota=quota).select_related("member", "org")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-points", "created_at", "pk")


def batch_applications(*, actor: Any, batch: Batch, status: str = "") -> QuerySet[Application]:
    qs = Application.objects.filter(
        scope_q(actor, VIEW, "org__path") | scope_q(actor, VIEW, "quota__org__path"), batch=batch
    ).select_related("member", "org", "quota__org")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("quota__org__path", "status", "-points", "created_at", "pk")


def application_get(*, actor: Any, application_id: int, perm: str = VIEW) -> Application:
    app = (
        Application.objects.filter(scope_q(actor, perm, "quota__org__path"), pk=application_id)
        .select_related("batch", "batch__site", "quota", "quota__org", "member", "org")
        .first()
    )
    if app is None:
        found = Application.objects.select_related("quota__org").filter(pk=application_id).first()
        refuse(actor, found.quota.org if found else None, _("No such application in your scope."))
    return app


# --- roll-up ------------------------------------------------------------------------------------------------


@dataclass
class Rollup:
    places: int = 0
    applications: int = 0
    allocated: int = 0
    attended: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)


def _branches(qs: QuerySet[Any], path_field: str, width: int, agg: Any) -> dict[str, int]:
    rows = qs.annotate(branch=Substr(path_field, 1, width)).values("branch").annotate(n=agg).order_by()
    return {row["branch"]: int(row["n"] or 0) for row in rows}


def rollup(*, actor: Any, org: Org, year: int) -> Rollup:
    """Places (the places each union keeps for its own members), applications, allocated and attended in
    `org`'s subtree for a year, in total and per child union. Six queries, whatever the size of the tree."""
    require_view(actor, org)
    width = len(org.path) + SEGMENT
    quotas = Quota.objects.filter(subtree_q(org.path, "org__path"), batch__year=year).exclude(
        batch__status=BatchStatus.CANCELLED
    )
    held = _branches(quotas, "org__path", width, Sum("places"))
    given = _branches(
        quotas.filter(parent__isnull=False, parent__org__path__startswith=org.path),
        "parent__org__path",
        width,
        Sum("places"),
    )
    apps = Application.objects.filter(subtree_q(org.path, "org__path"), year=year)
    counts = {
        "places": {b: held.get(b, 0) - given.get(b, 0) for b in set(held) | set(given)},
        "applications": _branches(
            apps.exclude(status=ApplicationStatus.CANCELLED), "org__path", width, Count("pk")
        ),
        "allocated": _branches(apps.filter(status__in=PLACE_STATUSES), "org__path", width, Count("pk")),
        "attended": _branches(
            apps.filter(status=ApplicationStatus.ATTENDED), "org__path", width, Count("pk")
        ),
    }
    branches: set[str] = set()
    for c in counts.values():
        branches |= set(c)
    orgs = Org.objects.in_bulk([int(b[-SEGMENT:]) for b in branches])
    r = Rollup()
    for branch in sorted(branches):
        o = orgs.get(int(branch[-SEGMENT:]))
        if o is None:  # pragma: no cover - a branch always names an org
            continue
        r.rows.append(
            {"org": o, "own": branch == org.path, **{k: c.get(branch, 0) for k, c in counts.items()}}
        )
    r.rows.sort(key=lambda row: (not row["own"], -row["applications"], row["org"].name))
    for key in ("places", "applications", "allocated", "attended"):
        setattr(r, key, sum(counts[key].values()))
    return r


# --- the member ---------------------------------------------------------------------------------------------


def live_member(*, user: Any) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.filter(user=user, status__in=LIVE_STATUSES)
        .select_related("org")
        .order_by("-pk")
        .first()
    )


def nearest_quota(*, batch: Batch, org: Org) -> Quota | None:
    """The quota of the union nearest above (or at) `org`: the one that handles its members' applications."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {q.org_id: q for q in Quota.objects.filter(batch=batch, org_id__in=ids).select_related("org")}
    for org_id in reversed(ids):
        if org_id in rows:
            return rows[org_id]
    return None


def member_batches(*, user: Any) -> QuerySet[Batch]:
    """Published batches with a quota at or above the person's union, the soonest first, with the person's
    application (status and id)."""
    member = live_member(user=user)
    if member is None:
        return Batch.objects.none()
    ids = [*member.org.ancestor_ids(), member.org_id]
    mine = Application.objects.filter(batch=OuterRef("pk"), user=user).exclude(
        status=ApplicationStatus.CANCELLED
    )
    reachable = Quota.objects.filter(org_id__in=ids).values("batch_id")
    return (
        Batch.objects.filter(pk__in=reachable, status=BatchStatus.OPEN)
        .select_related("site", "org")
        .annotate(
            my_status=Subquery(mine.values("status")[:1]), my_application=Subquery(mine.values("pk")[:1])
        )
        .order_by("starts_on", "pk")
    )


def member_batch_get(*, user: Any, batch_id: int) -> Batch:
    batch = member_batches(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("No such batch for you."))
    return batch


def own_applications(*, user: Any) -> QuerySet[Application]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return (
        Application.objects.filter(user=user)
        .select_related("batch", "batch__site", "quota__org")
        .order_by("-created_at", "-pk")
    )


def own_application_get(*, user: Any, application_id: int) -> Application:
    app = own_applications(user=user).filter(pk=application_id).first()
    if app is None:
        raise NotFound(_("No such application of yours."))
    return app


def dashboard_figures(*, actor: Any, org: Org, year: int) -> dict[str, Any]:
    """For the console overview (needs "services.view" on `org`): this year's applications from `org`'s
    subtree, the places given and those attended. One query."""
    require(actor=actor, perm=VIEW, org=org)
    counts = Application.objects.filter(subtree_q(org.path, "org__path"), year=year).aggregate(
        applied=Count("pk", filter=~Q(status=ApplicationStatus.CANCELLED)),
        placed=Count("pk", filter=Q(status__in=PLACE_STATUSES)),
        attended=Count("pk", filter=Q(status=ApplicationStatus.ATTENDED)),
    )
    return {key: int(n or 0) for key, n in counts.items()}
