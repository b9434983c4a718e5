"""Reads of rationalisation suggestions, scoped: a cadre reads the suggestions of the unions in their subtree
(`democracy.view`); a member reads their own, and the adopted suggestions of their union's year."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound, PermissionDenied
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import SEGMENT, Org
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, scope_q

from .models import ADOPTED_STATES, Suggestion, SuggestionEvent, SuggestionStatus

VIEW = "democracy.view"


def suggestion_queue(
    *, actor: Any, org: Org | None = None, status: str = "", year: int | None = None, q: str = ""
) -> QuerySet[Suggestion]:
    """Suggestions of the actor's unions (or of `org`'s subtree): open ones first, oldest first."""
    qs = Suggestion.objects.filter(scope_q(actor, VIEW, field="org__path")).select_related("org")
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "org__path"))
    if status == "open":
        qs = qs.filter(status__in=[SuggestionStatus.SUBMITTED, SuggestionStatus.EVALUATING])
    elif status in SuggestionStatus.values:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(Q(number__istartswith=q) | Q(title__icontains=q) | Q(submitter_name__startswith=q))
    return qs.order_by("-year", "submitted_at", "pk")


def suggestion_get(*, actor: Any, suggestion_id: int) -> Suggestion:
    """One suggestion for a cadre who may read its union's democratic management: 404 outside scope, 403 inside
    the actor's union scope without the permission."""
    found = (
        Suggestion.objects.select_related("org", "member", "evaluator", "decided_by")
        .filter(pk=suggestion_id)
        .first()
    )
    if found is None or not actor_can(actor, "org.view", found.org):
        raise NotFound(_("No such suggestion in your scope."))
    if not actor_can(actor, VIEW, found.org):
        raise PermissionDenied(
            _("Your role does not allow this action on %(org)s.") % {"org": found.org.name}
        )
    return found


def suggestion_events(*, suggestion: Suggestion, member: bool = False) -> QuerySet[SuggestionEvent]:
    events = suggestion.events.select_related("actor")
    return events.filter(visible_to_member=True) if member else events


# --- the member ------------------------------------------------------------------------------------------------


def suggestions_of(*, user: Any) -> QuerySet[Suggestion]:
    """The signed-in person's own suggestions, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Suggestion.objects.none()
    return Suggestion.objects.filter(submitter=user).select_related("org").order_by("-submitted_at", "-pk")


def suggestion_of_member(*, user: Any, suggestion_id: int) -> Suggestion:
    found = suggestions_of(user=user).filter(pk=suggestion_id).first()
    if found is None:
        raise NotFound(_("No such suggestion."))
    return found


def member_union(*, user: Any) -> Org | None:
    """The grassroots union of the person's active membership (where their suggestions go)."""
    from .services.suggestions import active_membership, grassroots_of

    member = active_membership(user)
    return grassroots_of(member.org) if member else None


def adopted_of_union(*, org: Org, year: int) -> QuerySet[Suggestion]:
    """The adopted suggestions of one union in a year, for its members (the portal's annual list)."""
    return (
        Suggestion.objects.filter(org=org, year=year, status__in=ADOPTED_STATES)
        .only(
            "pk",
            "number",
            "title",
            "category",
            "status",
            "submitter_name",
            "year",
            "submitted_at",
            "benefit_amount",
            "benefit_description",
            "reward_form",
            "org_id",
        )
        .order_by("submitted_at", "pk")
    )


def years_of(*, org: Org) -> list[int]:
    return sorted(
        set(Suggestion.objects.filter(subtree_q(org.path, "org__path")).values_list("year", flat=True)),
        reverse=True,
    )


def is_active_member(user: Any) -> bool:
    return Member.objects.filter(user=user, status=MemberStatus.ACTIVE).exists()


# --- the annual list and the roll-up ------------------------------------------------------------------------


def annual_list(*, actor: Any, org: Org, year: int) -> QuerySet[Suggestion]:
    """Every suggestion of `org`'s subtree submitted in `year`, with its handling, in order of submission."""
    if not actor_can(actor, VIEW, org):
        raise NotFound(_("No such union in your scope."))
    return (
        Suggestion.objects.filter(subtree_q(org.path, "org__path"), year=year)
        .select_related("org")
        .order_by("org__path", "submitted_at", "pk")
    )


@dataclass
class Totals:
    total: int = 0
    open: int = 0
    adopted: int = 0
    not_adopted: int = 0
    implemented: int = 0
    rewarded: int = 0
    reward_sum: Decimal = Decimal("0")
    benefit_sum: Decimal = Decimal("0")

    @property
    def adoption_rate(self) -> float | None:
        decided = self.adopted + self.not_adopted
        return round(100 * self.adopted / decided, 1) if decided else None


@dataclass
class Stats:
    totals: Totals = field(default_factory=Totals)
    by_union: list[tuple[Org, Totals]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)


def _aggregates() -> dict[str, Any]:
    adopted = Q(status__in=ADOPTED_STATES)
    return {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(status__in=[SuggestionStatus.SUBMITTED, SuggestionStatus.EVALUATING])),
        "adopted": Count("pk", filter=adopted),
        "not_adopted": Count("pk", filter=Q(status=SuggestionStatus.NOT_ADOPTED)),
        "implemented": Count(
            "pk", filter=Q(status__in=[SuggestionStatus.IMPLEMENTED, SuggestionStatus.REWARDED])
        ),
        "rewarded": Count("pk", filter=Q(status=SuggestionStatus.REWARDED)),
        "reward_sum": Sum("reward_amount"),
        "benefit_sum": Sum("benefit_amount"),
    }


def _totals(row: dict[str, Any]) -> Totals:
    return Totals(
        total=row["total"],
        open=row["open"],
        adopted=row["adopted"],
        not_adopted=row["not_adopted"],
        implemented=row["implemented"],
        rewarded=row["rewarded"],
        reward_sum=row["reward_sum"] or Decimal("0"),
        benefit_sum=row["benefit_sum"] or Decimal("0"),
    )


def suggestion_stats(*, actor: Any, org: Org, year: int | None = None) -> Stats:
    """Counts of `org`'s subtree rolled up to each child union, in a fixed number of queries whatever the
    size of the tree: one aggregate, one grouped by the path segment that names the child, one by category,
    and one to read the children."""
    if not actor_can(actor, VIEW, org):
        raise NotFound(_("No such union in your scope."))
    qs = Suggestion.objects.filter(subtree_q(org.path, "org__path"))
    if year:
        qs = qs.filter(year=year)
    stats = Stats(totals=_totals(qs.aggregate(**_aggregates())))
    width = len(org.path) + SEGMENT
    rows = list(
        qs.annotate(branch=Substr("org__path", 1, width))
        .values("branch")
        .annotate(**_aggregates())
        .order_by("branch")
    )
    children = Org.objects.in_bulk([int(r["branch"][-SEGMENT:]) for r in rows if len(r["branch"]) == width])
    for row in rows:
        if len(row["branch"]) != width:
            stats.by_union.append((org, _totals(row)))  # the union's own suggestions
            continue
        child = children.get(int(row["branch"][-SEGMENT:]))
        if child is not None:
            stats.by_union.append((child, _totals(row)))
    from .models import SuggestionCategory

    labels = dict(SuggestionCategory.choices)
    stats.by_category = [
        (str(labels.get(r["category"], r["category"])), r["n"])
        for r in qs.values("category").annotate(n=Count("pk")).order_by("-n", "category")
    ]
    return stats
