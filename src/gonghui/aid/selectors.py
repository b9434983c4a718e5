"""Reads of hardship aid, scoped by the actor's place in the tree. Outside scope is 404, a role without the
permission 403. Cadres read with "services.view"; acting needs "aid.manage" (services.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.core.masking import mask_name
from gonghui.members.models import Member
from gonghui.members.selectors import own_live_member
from gonghui.orgs.models import Org
from gonghui.orgs.paths import SEGMENT, subtree_q
from gonghui.orgs.selectors import actor_can, scope_q
from gonghui.orgs.services import require

from .models import AidApplication, AppState, FileStatus, HardshipFile, Objection, Payment

VIEW = "services.view"
MANAGE = "aid.manage"


# --- console -------------------------------------------------------------------------------------------------


def files_of(
    *, actor: Any, org: Org, status: str = "active", due_by: datetime.date | None = None
) -> QuerySet:
    require(actor=actor, perm=VIEW, org=org)
    qs = HardshipFile.objects.filter(subtree_q(org.path, "org__path")).select_related("org", "member")
    if status:
        qs = qs.filter(status=status)
    if due_by is not None:
        qs = qs.filter(status=FileStatus.ACTIVE, review_due__lte=due_by)
    return qs.order_by("review_due", "pk")


def file_get(*, actor: Any, file_id: int, perm: str = VIEW) -> HardshipFile:
    f = (
        HardshipFile.objects.select_related("org", "member", "verified_by", "created_by")
        .filter(pk=file_id)
        .first()
    )
    if f is None or not actor_can(actor, "org.view", f.org):
        raise NotFound(_("No such hardship file."))
    require(actor=actor, perm=perm, org=f.org)
    return f


def review_queue(*, actor: Any, org: Org) -> QuerySet[AidApplication]:
    """Applications waiting for review at this union's level."""
    require(actor=actor, perm=MANAGE, org=org)
    return (
        AidApplication.objects.filter(current_org=org, state=AppState.REVIEWING)
        .select_related("org", "file__member")
        .order_by("submitted_at", "pk")
    )


def applications_of(*, actor: Any, org: Org, state: str = "") -> QuerySet[AidApplication]:
    """Applications from this union's subtree, and those that reached it on their way up the chain."""
    require(actor=actor, perm=VIEW, org=org)
    qs = AidApplication.objects.filter(
        subtree_q(org.path, "org__path") | Q(current_org=org) | Q(payment__org=org)
    ).select_related("org", "current_org", "file__member")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-submitted_at", "-pk")


def application_get(*, actor: Any, application_id: int) -> AidApplication:
    """One application: readable by cadres over its union or over any union on its chain."""
    app = (
        AidApplication.objects.select_related("org", "current_org", "file", "file__member")
        .filter(pk=application_id)
        .first()
    )
    if app is None:
        raise NotFound(_("No such aid application."))
    chain_orgs = list(Org.objects.filter(pk__in=[*app.chain, app.org_id]))
    if not any(actor_can(actor, "org.view", o) for o in chain_orgs):
        raise NotFound(_("No such aid application."))
    if not any(actor_can(actor, VIEW, o) or actor_can(actor, MANAGE, o) for o in chain_orgs):
        require(actor=actor, perm=VIEW, org=app.org)
    return app


def announcements_of(*, actor: Any, org: Org) -> QuerySet[AidApplication]:
    require(actor=actor, perm=VIEW, org=org)
    return (
        AidApplication.objects.filter(Q(subtree_q(org.path, "org__path")) | Q(payment__org=org))
        .filter(state=AppState.ANNOUNCED)
        .select_related("org", "file__member")
        .annotate(open_objections=Count("objections", filter=Q(objections__resolved_at__isnull=True)))
        .order_by("announce_until", "pk")
    )


def objections_of(*, actor: Any, org: Org, open_only: bool = True) -> QuerySet[Objection]:
    require(actor=actor, perm=VIEW, org=org)
    qs = Objection.objects.filter(subtree_q(org.path, "application__org__path")).select_related(
        "application", "application__org", "application__file__member"
    )
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return qs.order_by("raised_at")


def payments_of(*, actor: Any, org: Org, year: int | None = None) -> QuerySet[Payment]:
    require(actor=actor, perm=VIEW, org=org)
    qs = Payment.objects.filter(subtree_q(org.path, "application__org__path") | Q(org=org)).select_related(
        "application", "application__org", "application__file__member", "org"
    )
    if year:
        qs = qs.filter(paid_on__year=year)
    return qs.order_by("-paid_on", "-pk")


@dataclass
class Rollup:
    files_by_category: dict[str, int] = field(default_factory=dict)
    applications_by_state: dict[str, int] = field(default_factory=dict)
    paid_by_type: dict[str, Decimal] = field(default_factory=dict)
    by_child: list[tuple[Org, int, Decimal]] = field(default_factory=list)


def rollup(*, actor: Any, org: Org, year: int) -> Rollup:
    """Counts for the union's whole subtree, and per child union. Five queries whatever the tree's size."""
    require(actor=actor, perm=VIEW, org=org)
    sub = subtree_q(org.path, "org__path")
    files = dict(
        HardshipFile.objects.filter(sub, status=FileStatus.ACTIVE)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    states = dict(
        AidApplication.objects.filter(sub, year=year)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    paid = dict(
        Payment.objects.filter(subtree_q(org.path, "application__org__path"), paid_on__year=year)
        .values_list("application__aid_type")
        .annotate(total=Sum("amount"))
        .values_list("application__aid_type", "total")
    )
    children = list(Org.objects.filter(parent=org).filter(scope_q(actor)).order_by("kind", "name"))
    width = len(org.path) + SEGMENT
    files_by_child = dict(
        HardshipFile.objects.filter(sub, status=FileStatus.ACTIVE)
        .annotate(branch=Substr("org__path", 1, width))
        .values_list("branch")
        .annotate(n=Count("pk"))
        .values_list("branch", "n")
    )
    paid_by_child = dict(
        Payment.objects.filter(subtree_q(org.path, "application__org__path"), paid_on__year=year)
        .annotate(branch=Substr("application__org__path", 1, width))
        .values_list("branch")
        .annotate(total=Sum("amount"))
        .values_list("branch", "total")
    )
    return Rollup(
        files_by_category=files,
        applications_by_state=states,
        paid_by_type=paid,
        by_child=[
            (c, files_by_child.get(c.path, 0), paid_by_child.get(c.path, Decimal(0))) for c in children
        ],
    )


# --- the worker ------------------------------------------------------------------------------------------------


def own_files(*, user: Any) -> QuerySet[HardshipFile]:
    if not getattr(user, "is_authenticated", False):
        return HardshipFile.objects.none()
    return (
        HardshipFile.objects.filter(member__user=user).select_related("org", "member").order_by("-created_at")
    )


def own_file_get(*, user: Any, file_id: int) -> HardshipFile:
    f = own_files(user=user).filter(pk=file_id).first()
    if f is None:
        raise NotFound(_("No such hardship file."))
    return f


def own_applications(*, user: Any) -> QuerySet[AidApplication]:
    if not getattr(user, "is_authenticated", False):
        return AidApplication.objects.none()
    return (
        AidApplication.objects.filter(file__member__user=user)
        .select_related("org", "current_org")
        .order_by("-submitted_at", "-pk")
    )


def own_application_get(*, user: Any, application_id: int) -> AidApplication:
    app = own_applications(user=user).filter(pk=application_id).first()
    if app is None:
        raise NotFound(_("No such aid application."))
    return app


@dataclass(frozen=True)
class Announced:
    pk: int
    number: str
    masked_name: str
    aid_type: str
    amount: Decimal
    until: datetime.date | None


def public_announcements(*, user: Any) -> list[Announced]:
    """What a member sees on the notice board: aid being announced in their own union, masked names only."""
    member: Member | None = own_live_member(user=user)
    if member is None:
        return []
    rows = (
        AidApplication.objects.filter(org_id=member.org_id, state=AppState.ANNOUNCED)
        .select_related("file__member")
        .order_by("announce_until", "pk")
    )
    return [
        Announced(
            pk=a.pk,
            number=a.number,
            masked_name=mask_name(a.file.member.name),
            aid_type=a.get_aid_type_display(),
            amount=a.amount_approved or a.amount_requested,
            until=a.announce_until,
        )
        for a in rows
    ]


def announcement_for_member(*, user: Any, application_id: int) -> AidApplication:
    member = own_live_member(user=user)
    app = AidApplication.objects.filter(pk=application_id, state=AppState.ANNOUNCED).first()
    if member is None or app is None or app.org_id != member.org_id:
        raise NotFound(_("No such announcement."))
    return app


def member_by_number(*, actor: Any, org: Org, number: str) -> Member:
    """A member of the current union's subtree by member number, for opening a file."""
    require(actor=actor, perm=MANAGE, org=org)
    member = (
        Member.objects.filter(subtree_q(org.path, "org__path"), number=number.strip())
        .select_related("org", "user")
        .first()
    )
    if member is None:
        raise NotFound(_("No member with this number in your union."))
    return member


def application_steps(*, application: AidApplication) -> list[dict[str, Any]]:
    """The chain with each level's decision, for the progress display (two queries)."""
    orgs = Org.objects.in_bulk(application.chain)
    steps = {s.level: s for s in application.steps.select_related("by")}
    rows = []
    for level, org_id in enumerate(application.chain):
        step = steps.get(level)
        rows.append(
            {
                "org": orgs.get(org_id),
                "step": step,
                "current": application.state == AppState.REVIEWING and level == application.level,
            }
        )
    return rows


def dashboard_figures(*, actor: Any, org: Org, year: int) -> dict[str, Any]:
    """For the console overview (needs "services.view" on `org`): aid paid in `org`'s subtree this year
    (count and amount) and applications under review there. Two queries."""
    require(actor=actor, perm=VIEW, org=org)
    paid = Payment.objects.filter(
        subtree_q(org.path, "application__org__path"), paid_on__year=year
    ).aggregate(n=Count("pk"), total=Sum("amount"))
    reviewing = AidApplication.objects.filter(
        subtree_q(org.path, "org__path"), state=AppState.REVIEWING
    ).count()
    return {"paid": paid["n"], "amount": paid["total"] or Decimal(0), "reviewing": reviewing}
