"""Reads of mutual medical aid, scoped by the actor's place in the tree; a member sees only their own."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.members.models import LIVE_STATUSES, Member
from gonghui.members.selectors import live_member_by_number, own_live_member
from gonghui.orgs.models import Org
from gonghui.orgs.paths import is_within, subtree_q
from gonghui.orgs.selectors import actor_can, scope_q
from gonghui.orgs.services import require

from .models import AccidentCover, Claim, ClaimDocument, ClaimEvent, ClaimStatus, Enrolment, Plan

VIEW = "services.view"
MANAGE = "medical.manage"


def plans_for(org: Org, year: int) -> list[Plan]:
    """The plans of `year` in force at `org`: those of the nearest union up the tree (itself included) that
    has any. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    depth = {org_id: i for i, org_id in enumerate(ids)}
    rows = list(Plan.objects.filter(org_id__in=ids, year=year).select_related("org").order_by("contribution"))
    if not rows:
        return []
    nearest = max(depth[p.org_id] for p in rows)
    return [p for p in rows if depth[p.org_id] == nearest]


def plan_in_force(org: Org, year: int, code: str = "") -> Plan | None:
    plans = plans_for(org, year)
    if code:
        return next((p for p in plans if p.code == code), None)
    return plans[0] if plans else None


# --- cadres ------------------------------------------------------------------------------------------------


def enrolments(*, actor: Any, org: Org, year: int, q: str = "") -> QuerySet[Enrolment]:
    qs = (
        Enrolment.objects.filter(
            scope_q(actor, VIEW, "org__path"), subtree_q(org.path, "org__path"), year=year
        )
        .select_related("member", "org", "plan")
        .order_by("org__path", "member__number")
    )
    if q:
        qs = qs.filter(Q(member__number=q.strip()) | Q(member__name__startswith=q.strip()))
    return qs


def unenrolled_members(*, org: Org, year: int) -> QuerySet[Member]:
    """Live members of `org` itself not yet enrolled for `year` (the caller checked access)."""
    return (
        Member.objects.filter(org=org, status__in=LIVE_STATUSES)
        .exclude(medical_enrolments__year=year)
        .order_by("number")
    )


def claim_queue(*, actor: Any, org: Org, status: str = "open", kind: str = "") -> QuerySet[Claim]:
    qs = Claim.objects.filter(
        scope_q(actor, VIEW, "org__path"), subtree_q(org.path, "org__path")
    ).select_related("member", "org")
    if status == "open":
        qs = qs.filter(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO])
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("submitted_at", "pk")


def claim_get(*, actor: Any, claim_id: int, perm: str = VIEW) -> Claim:
    """One claim: 404 outside the actor's scope, 403 inside it without `perm`."""
    from gonghui.orgs.services import require

    claim = Claim.objects.select_related("member", "org", "plan", "decided_by").filter(pk=claim_id).first()
    if claim is None or not actor_can(actor, VIEW, claim.org):
        raise NotFound(_("No such claim in your scope."))
    require(actor=actor, perm=perm, org=claim.org)
    return claim


def claim_documents(*, claim: Claim) -> QuerySet[ClaimDocument]:
    return claim.documents.order_by("added_at", "pk")


def claim_events(*, claim: Claim) -> QuerySet[ClaimEvent]:
    return claim.events.select_related("actor").order_by("at", "pk")


def claim_document_get(*, actor: Any, document_id: int) -> ClaimDocument:
    doc = ClaimDocument.objects.select_related("claim__org", "claim__member").filter(pk=document_id).first()
    if doc is None or not actor_can(actor, VIEW, doc.claim.org):
        raise NotFound(_("No such document in your scope."))
    return doc


def member_by_number(*, org: Org, number: str) -> Member | None:
    """A live member of `org`'s subtree by member number (the caller checked access to `org`)."""
    return live_member_by_number(number=number, within=subtree_q(org.path, "org__path"))


# --- the member --------------------------------------------------------------------------------------------


def own_member(*, user: Any) -> Member | None:
    return own_live_member(user=user)


def own_enrolment(*, member: Member, year: int) -> Enrolment | None:
    return Enrolment.objects.filter(member=member, year=year).select_related("plan").first()


def own_accident_cover(*, member: Member, year: int) -> AccidentCover | None:
    return AccidentCover.objects.filter(member=member, year=year).select_related("plan").first()


def own_claims(*, user: Any) -> QuerySet[Claim]:
    if not getattr(user, "is_authenticated", False):
        return Claim.objects.none()
    return Claim.objects.filter(member__user=user).order_by("-submitted_at", "-pk")


def own_claim_get(*, user: Any, claim_id: int) -> Claim:
    claim = own_claims(user=user).select_related("plan", "org").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound(_("No such claim."))
    return claim


def own_document_get(*, user: Any, claim_id: int, document_id: int) -> ClaimDocument:
    claim = own_claim_get(user=user, claim_id=claim_id)
    doc = claim.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound(_("No such document."))
    return doc


# --- roll-up -------------------------------------------------------------------------------------------------


@dataclass
class UnionRow:
    org: Org
    enrolled: int = 0
    claims: int = 0
    paid: Decimal = Decimal(0)


@dataclass
class Stats:
    year: int
    enrolled: int = 0
    accident_covered: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    paid: Decimal = Decimal(0)
    by_union: list[UnionRow] = field(default_factory=list)
    paid_by_year: list[tuple[int, Decimal]] = field(default_factory=list)


def medical_stats(*, actor: Any, org: Org, year: int) -> Stats:
    """Enrolled members, claims by state and the amount paid in `org`'s subtree, in total and per child union,
    and the amount paid in each year. A fixed number of queries whatever the size of the tree: rows are
    grouped by union in the database and added up to the children by path in Python."""
    from gonghui.orgs.selectors import org_children

    stats = Stats(year=year)
    children = list(org_children(actor=actor, org=org))
    rows = {c.pk: UnionRow(org=c) for c in children}

    def child_of(path: str) -> UnionRow | None:
        for child in children:
            if is_within(path, child.path):
                return rows[child.pk]
        return None

    inside = subtree_q(org.path, "org__path") & scope_q(actor, VIEW, "org__path")
    for path, n in (
        Enrolment.objects.filter(inside, year=year).values_list("org__path").annotate(n=Count("pk"))
    ):
        stats.enrolled += n
        if (row := child_of(path)) is not None:
            row.enrolled += n
    stats.accident_covered = AccidentCover.objects.filter(inside, year=year).count()
    claims = (
        Claim.objects.filter(inside, year=year)
        .values_list("org__path", "status")
        .annotate(n=Count("pk"), paid=Sum("approved_amount", filter=Q(status=ClaimStatus.PAID)))
    )
    for path, status, n, paid in claims:
        stats.by_status[status] = stats.by_status.get(status, 0) + n
        stats.paid += paid or 0
        if (row := child_of(path)) is not None:
            row.claims += n
            row.paid += paid or 0
    stats.by_union = list(rows.values())
    per_year = (
        Claim.objects.filter(inside, status=ClaimStatus.PAID)
        .values_list("year")
        .annotate(total=Sum("approved_amount"))
        .order_by("year")
    )
    stats.paid_by_year = [(y, total or Decimal(0)) for y, total in per_year]
    return stats


def today_year(today: datetime.date) -> int:
    return today.year


def open_enrolment(org: Org, today: datetime.date) -> tuple[int, list[Plan]]:
    """The plan year whose enrolment window is open at `org` today and its plans: next year's when its window
    has opened (December), else this year's; no plans when neither window is open. Two queries at most."""
    from .rules import enrolment_open

    for year in (today.year + 1, today.year):
        plans = plans_for(org, year)
        if plans and enrolment_open(opens=plans[0].enrol_opens, closes=plans[0].enrol_closes, today=today):
            return year, plans
    return today.year, []


def dashboard_figures(*, actor: Any, org: Org, year: int) -> dict[str, Any]:
    """For the console overview (needs "services.view" on `org`): members enrolled for `year` in `org`'s
    subtree, claims waiting there and the amount paid out this year. Two queries."""
    require(actor=actor, perm=VIEW, org=org)
    sub = subtree_q(org.path, "org__path")
    claims = Claim.objects.filter(sub).aggregate(
        waiting=Count("pk", filter=Q(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO])),
        paid=Sum("approved_amount", filter=Q(status=ClaimStatus.PAID, paid_on__year=year)),
    )
    return {
        "enrolled": Enrolment.objects.filter(sub, year=year).count(),
        "waiting": claims["waiting"],
        "amount": claims["paid"] or Decimal(0),
    }
