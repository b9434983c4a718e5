"""Reads of rights protection, scoped: a cadre sees the requests of the unions in their subtree (and those
escalated to them); a worker sees their own requests, or one request whose follow-up code they hold."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, When
from django.db.models import Case as When_
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound, PermissionDenied
from gonghui.orgs.models import SEGMENT, Org
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, scope_q

from . import rules
from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseStatus,
    Category,
    EmployerIndicator,
    EmployerRisk,
    Outcome,
    RightsPolicy,
    RiskIndicator,
    RiskLevel,
    RiskPolicy,
    RiskWeight,
    ServiceLevel,
)
from .rules import DEFAULT_LEVELS

PERM = "case.handle"

# --- rules as data ------------------------------------------------------------------------------------------------


def level_for(org: Org, category: str) -> tuple[int, int, int]:
    """(acknowledge, respond, conclude) working days for a category at `org`: its own row or the nearest
    ancestor's, else the defaults. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {r.org_id: r for r in ServiceLevel.objects.filter(org_id__in=ids, category=category)}
    for org_id in reversed(ids):
        row = rows.get(org_id)
        if row is not None:
            return row.ack_workdays, row.respond_workdays, row.conclude_workdays
    return DEFAULT_LEVELS.get(category, DEFAULT_LEVELS[Category.OTHER])


@dataclass(frozen=True)
class LevelRow:
    category: str
    label: str
    days: tuple[int, int, int]
    source: Org | None  # None: the platform default


def levels_table(org: Org) -> list[LevelRow]:
    """Every category's service level in force at `org` and where it comes from (two queries)."""
    ids = [*org.ancestor_ids(), org.pk]
    orgs = Org.objects.in_bulk(ids)
    rows: dict[tuple[int, str], ServiceLevel] = {
        (r.org_id, r.category): r for r in ServiceLevel.objects.filter(org_id__in=ids)
    }
    table = []
    for category, label in Category.choices:
        found = next((rows[(i, category)] for i in reversed(ids) if (i, category) in rows), None)
        if found is None:
            table.append(LevelRow(category, str(label), DEFAULT_LEVELS[category], None))
        else:
            days = (found.ack_workdays, found.respond_workdays, found.conclude_workdays)
            table.append(LevelRow(category, str(label), days, orgs.get(found.org_id)))
    return table


def policy_for(org: Org) -> RightsPolicy:
    """The nearest RightsPolicy row up the tree, else an unsaved row with the defaults. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {p.org_id: p for p in RightsPolicy.objects.filter(org_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in rows:
            return rows[org_id]
    return RightsPolicy(org=org)


# --- the queue -----------------------------------------------------------------------------------------------------


def _in_scope(actor: Any) -> QuerySet[Case]:
    return Case.objects.filter(
        scope_q(actor, PERM, field="org__path") | scope_q(actor, PERM, field="escalated_to__path")
    )


def next_due_expression() -> When_:
    """The deadline of the first unfinished stage: what the handler must do next, and by when."""
    return When_(
        When(status=CaseStatus.CLOSED, then=F("conclude_due")),
        When(acknowledged_at__isnull=True, then=F("ack_due")),
        When(responded_at__isnull=True, then=F("respond_due")),
        default=F("conclude_due"),
    )


DUE_FILTERS = ("overdue", "soon", "escalated", "unassigned", "collective")


def case_queue(
    *,
    actor: Any,
    org: Org | None = None,
    status: str = "open",
    due: str = "",
    category: str = "",
    mine: bool = False,
    q: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """Requests of the actor's unions (or of `org`'s subtree), the most urgent first: open before closed,
    then by the deadline of the next unfinished stage."""
    today = today or timezone.localdate()
    qs = (
        _in_scope(actor)
        .select_related("org", "handler", "escalated_to")
        .annotate(next_due=next_due_expression())
    )
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "org__path") | subtree_q(org.path, "escalated_to__path"))
    if status == "open":
        qs = qs.exclude(status=CaseStatus.CLOSED)
    elif status in CaseStatus.values:
        qs = qs.filter(status=status)
    if category in Category.values:
        qs = qs.filter(category=category)
    if mine:
        qs = qs.filter(handler=actor)
    if due == "overdue":
        qs = qs.exclude(status=CaseStatus.CLOSED).filter(next_due__lt=today)
    elif due == "soon":
        qs = qs.exclude(status=CaseStatus.CLOSED).filter(
            next_due__gte=today, next_due__lte=today + datetime.timedelta(days=2)
        )
    elif due == "escalated":
        qs = qs.exclude(escalated="")
    elif due == "unassigned":
        qs = qs.exclude(status=CaseStatus.CLOSED).filter(handler__isnull=True)
    elif due == "collective":
        qs = qs.filter(collective=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__istartswith=q) | Q(employer_name__icontains=q) | Q(contact_name__startswith=q)
        )
    closed_last = When_(When(status=CaseStatus.CLOSED, then=1), default=0)
    return qs.order_by(closed_last, "next_due", "received_at", "pk")


def case_get(*, actor: Any, case_id: int) -> Case:
    """One request for a cadre who may handle requests of its union or of the union it was escalated to."""
    case = (
        _in_scope(actor)
        .select_related("org", "org__parent", "handler", "escalated_to", "employer_org")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        # Inside the actor's union scope but without the role to handle requests is a 403, as org_get does;
        # anything else (no such request, or one outside every union the actor sees) stays a 404.
        found = Case.objects.select_related("org").filter(pk=case_id).first()
        if found is not None and actor_can(actor, "org.view", found.org):
            raise PermissionDenied(
                _("Your role does not allow this action on %(org)s.") % {"org": found.org.name}
            )
        raise NotFound(_("No such request in your scope."))
    return case


def case_events(*, case: Case, worker: bool = False) -> QuerySet[CaseEvent]:
    events = case.events.select_related("actor", "org")
    return events.filter(visible_to_worker=True) if worker else events


def case_documents(*, case: Case) -> QuerySet[CaseDocument]:
    return case.documents.order_by("added_at", "pk")


def case_document_get(*, actor: Any, case_id: int, document_id: int) -> CaseDocument:
    case = case_get(actor=actor, case_id=case_id)
    doc = case.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound(_("No such document."))
    return doc


def handlers_for(*, org: Org) -> list[Any]:
    """The people who may handle requests of `org`: case handlers and administrators here or above it."""
    from gonghui.orgs.models import RoleAssignment
    from gonghui.orgs.rules import roles_with

    ids = [*org.ancestor_ids(), org.pk]
    people = {
        ra.user.pk: ra.user
        for ra in RoleAssignment.objects.filter(
            org_id__in=ids, role__in=roles_with(PERM), user__is_active=True
        ).select_related("user")
    }
    return sorted(people.values(), key=lambda u: u.real_name)


# --- the worker's side ---------------------------------------------------------------------------------------


def cases_of(*, user: Any) -> QuerySet[Case]:
    return Case.objects.filter(requester=user).select_related("org").order_by("-received_at")


def cases_followed(*, ids: set[int] | frozenset[int]) -> QuerySet[Case]:
    """The requests whose follow-up code was entered in this browser session (their ids kept in the session)."""
    return Case.objects.filter(pk__in=ids).select_related("org").order_by("-received_at")


def transfer_targets(*, org: Org) -> list[tuple[int, str]]:
    """Unions a request is commonly passed to: the parent, the siblings and the children of its union (names
    and codes of unions are public structure). Two queries."""
    near = Org.objects.filter(is_active=True).exclude(pk=org.pk)
    found = near.filter(
        Q(parent_id=org.pk) | Q(pk=org.parent_id) | Q(parent_id=org.parent_id, parent__isnull=False)
    )
    return [(o.pk, o.name) for o in found.order_by("depth", "name")[:100]]


def transfer_target_get(*, org_id: int | None = None, code: str = "") -> Org | None:
    """An active union to transfer a request to, by id or by org code; None when there is none."""
    if code:
        return Org.objects.filter(code=code.strip(), is_active=True).first()
    return Org.objects.filter(pk=org_id or 0, is_active=True).first()


def case_of_worker(*, user: Any, case_id: int, followed: set[int] | frozenset[int] = frozenset()) -> Case:
    """A request the person made while signed in, or one whose follow-up code they entered in this session."""
    case = Case.objects.select_related("org", "escalated_to").filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("No such request."))
    own = getattr(user, "is_authenticated", False) and case.requester_id == user.pk
    if not own and case.pk not in followed:
        raise NotFound(_("No such request."))
    return case


def case_by_code(*, code: str) -> Case | None:
    from .services import follow_code_hash

    if not code or len(code) > 40:
        return None
    return Case.objects.filter(follow_code_hash=follow_code_hash(code)).first()


# --- statistics ---------------------------------------------------------------------------------------------------


@dataclass
class Stats:
    total: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    withdrawn: int = 0  # closed by the worker's withdrawal: not part of the on-time rate or handling time
    on_time: int = 0
    rated: int = 0
    rating_avg: float | None = None
    handling_days_avg: float | None = None
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_union: list[tuple[Org, int, int]] = field(default_factory=list)  # (child union, requests, open)
    by_outcome: list[tuple[str, int]] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        concluded = self.closed - self.withdrawn
        return round(100 * self.on_time / concluded, 1) if concluded else None


def case_summary(*, actor: Any, org: Org, today: datetime.date | None = None) -> dict[str, int] | None:
    """The console overview's figures for `org`'s subtree: open, overdue, not taken on, escalated. None when
    the actor may not handle requests there. One query."""
    if not actor_can(actor, PERM, org):
        return None
    today = today or timezone.localdate()
    open_cases = (
        Case.objects.filter(subtree_q(org.path, "org__path"))
        .exclude(status=CaseStatus.CLOSED)
        .annotate(next_due=next_due_expression())
    )
    return open_cases.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(next_due__lt=today)),
        unassigned=Count("pk", filter=Q(handler__isnull=True)),
        escalated=Count("pk", filter=~Q(escalated="")),
    )


def case_stats(
    *, actor: Any, org: Org, since: datetime.date | None = None, today: datetime.date | None = None
) -> Stats:
    """Counts of `org`'s subtree (the actor must hold the permission there): by status, category, outcome and
    child union; the on-time rate (concluded by the deadline), average handling time and satisfaction."""
    if not actor_can(actor, PERM, org):
        raise NotFound(_("No such union in your scope."))
    today = today or timezone.localdate()
    qs = Case.objects.filter(subtree_q(org.path, "org__path"))
    if since is not None:
        qs = qs.filter(received_on__gte=since)
    s = Stats()
    totals = qs.annotate(next_due=next_due_expression()).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status=CaseStatus.CLOSED)),
        overdue=Count("pk", filter=~Q(status=CaseStatus.CLOSED) & Q(next_due__lt=today)),
        closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
        withdrawn=Count("pk", filter=Q(status=CaseStatus.CLOSED, outcome=Outcome.WITHDRAWN)),
        rated=Count("rating"),
        rating_avg=Avg("rating"),
        handling=Avg(
            ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField()),
            filter=Q(status=CaseStatus.CLOSED) & ~Q(outcome=Outcome.WITHDRAWN),
        ),
    )
    s.withdrawn = totals["withdrawn"]
    s.total, s.open, s.overdue, s.closed, s.rated = (
        totals["total"],
        totals["open"],
        totals["overdue"],
        totals["closed"],
        totals["rated"],
    )
    s.rating_avg = round(float(totals["rating_avg"]), 2) if totals["rating_avg"] is not None else None
    handling = totals["handling"]
    if handling is not None:
        s.handling_days_avg = round(handling.total_seconds() / 86400, 1)
    # On time: concluded on or before the conclusion deadline (local dates; a day's work counts whole).
    # A withdrawn request was closed by the worker, not concluded by the union.
    # Counted in the database (TruncDate takes the local date in the current time zone), so a province's
    # figures cost one aggregate, not a pass over every closed request in Python.
    s.on_time = (
        qs.filter(status=CaseStatus.CLOSED)
        .exclude(outcome=Outcome.WITHDRAWN)
        .annotate(closed_on=TruncDate("closed_at"))
        .filter(closed_on__lte=F("conclude_due"))
        .count()
    )
    labels = dict(Category.choices)
    s.by_category = [
        (str(labels.get(row["category"], row["category"])), row["n"])
        for row in qs.values("category").annotate(n=Count("pk")).order_by("-n", "category")
    ]
    outcome_labels = dict(Outcome.choices)
    s.by_outcome = [
        (str(outcome_labels.get(row["outcome"], row["outcome"])), row["n"])
        for row in qs.filter(status=CaseStatus.CLOSED)
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ]
    # Per child union in one grouped query: the first segment of the path below `org` names the child.
    width = len(org.path) + SEGMENT
    rows = (
        qs.annotate(branch=Substr("org__path", 1, width))
        .values("branch")
        .annotate(n=Count("pk"), open=Count("pk", filter=~Q(status=CaseStatus.CLOSED)))
        .order_by("-n")
    )
    counts = {row["branch"]: (row["n"], row["open"]) for row in rows}
    branches = Org.objects.in_bulk([int(b[-SEGMENT:]) for b in counts], field_name="pk")
    for branch, (n, open_) in counts.items():
        child = branches.get(int(branch[-SEGMENT:]))
        if child is not None:
            s.by_union.append((child, n, open_))
    return s


# --- labour-relations risk warning -------------------------------------------------------------------------------
# Weights and thresholds in force at a union (nearest ancestor's row, else the defaults of rules.py), the warning
# list and one employer's warning, scoped like requests: by the responsible union, for holders of case.handle.


def risk_weights_for(org: Org) -> dict[str, rules.Weight]:
    """Every indicator's weight at `org`: its own row or the nearest ancestor's, else the default. One query."""
    return {row.indicator: row.weight for row in risk_weights_table(org, with_sources=False)}


@dataclass(frozen=True)
class WeightRow:
    indicator: str
    label: str
    weight: rules.Weight
    source: Org | None  # None: the platform default


def risk_weights_table(org: Org, *, with_sources: bool = True) -> list[WeightRow]:
    ids = [*org.ancestor_ids(), org.pk]
    rows = {(r.org_id, r.indicator): r for r in RiskWeight.objects.filter(org_id__in=ids)}
    orgs = Org.objects.in_bulk({org_id for org_id, _i in rows}) if with_sources and rows else {}
    table = []
    for indicator, label in RiskIndicator.choices:
        found = next((rows[(i, indicator)] for i in reversed(ids) if (i, indicator) in rows), None)
        if found is None:
            table.append(WeightRow(indicator, str(label), rules.DEFAULT_WEIGHTS[indicator], None))
        else:
            weight = rules.Weight(found.points, found.cap)
            table.append(WeightRow(indicator, str(label), weight, orgs.get(found.org_id)))
    return table


def risk_policy_for(org: Org) -> RiskPolicy:
    """The nearest RiskPolicy row up the tree (its `org` says where it comes from), else an unsaved row with
    the defaults. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    found = {p.org_id: p for p in RiskPolicy.objects.filter(org_id__in=ids).select_related("org")}
    for org_id in reversed(ids):
        if org_id in found:
            return found[org_id]
    d = rules.DEFAULT_THRESHOLDS
    return RiskPolicy(
        org=org, window_days=rules.DEFAULT_WINDOW_DAYS, yellow=d.yellow, orange=d.orange, red=d.red
    )


def thresholds_of(policy: RiskPolicy) -> rules.Thresholds:
    return rules.Thresholds(yellow=policy.yellow, orange=policy.orange, red=policy.red)


def _risks_in_scope(actor: Any) -> QuerySet[EmployerRisk]:
    return EmployerRisk.objects.filter(scope_q(actor, PERM, field="org__path"))


RISK_FILTERS = ("", "all", *RiskLevel.values)


def risk_rank() -> When_:
    return When_(
        When(level=RiskLevel.RED, then=3),
        When(level=RiskLevel.ORANGE, then=2),
        When(level=RiskLevel.YELLOW, then=1),
        default=0,
    )


def risk_list(*, actor: Any, org: Org | None = None, level: str = "", q: str = "") -> QuerySet[EmployerRisk]:
    """Employers whose responsible union lies in the actor's scope (or in `org`'s subtree): red first, then by
    score. `level` "" shows the warnings (yellow and above), "all" every scored employer, or one level."""
    qs = _risks_in_scope(actor).select_related("org").annotate(rank=risk_rank())
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "org__path"))
    if level == "all":
        pass
    elif level in RiskLevel.values:
        qs = qs.filter(level=level)
    else:
        qs = qs.exclude(level=RiskLevel.NONE)
    q = (q or "").strip()
    if q:
        from gonghui.core.identifiers import normalize

        qs = qs.filter(Q(employer_name__icontains=q) | Q(employer_uscc__startswith=normalize(q)))
    return qs.order_by("-rank", "-score", "employer_name", "pk")


def risk_get(*, actor: Any, risk_id: int) -> EmployerRisk:
    """One employer's warning for a cadre who may handle requests of its responsible union: 404 outside the
    actor's unions, 403 inside them without the role."""
    risk = _risks_in_scope(actor).select_related("org").filter(pk=risk_id).first()
    if risk is None:
        found = EmployerRisk.objects.select_related("org").filter(pk=risk_id).first()
        if found is not None and actor_can(actor, "org.view", found.org):
            raise PermissionDenied(
                _("Your role does not allow this action on %(org)s.") % {"org": found.org.name}
            )
        raise NotFound(_("No such employer in your scope."))
    return risk


def risk_reasons(risk: EmployerRisk) -> list[dict[str, Any]]:
    """The stored reasons with their indicators' labels, for pages and the API."""
    labels = dict(RiskIndicator.choices)
    out = []
    for reason in risk.reasons or []:
        indicator = str(reason.get("indicator", ""))
        out.append(
            {
                "indicator": indicator,
                "label": str(labels.get(indicator, indicator)),
                "value": str(reason.get("value", "")),
                "points": str(reason.get("points", "")),
            }
        )
    return out


def employer_cases_q(key: str) -> Q:
    """The cases of one employer key (a credit code, or a union for cases that name no code)."""
    org_id = rules.org_key_id(key)
    if org_id is not None:
        return Q(employer_org_id=org_id, employer_uscc="")
    return Q(employer_uscc=key)


def risk_cases(*, actor: Any, risk: EmployerRisk, limit: int = 50) -> QuerySet[Case]:
    """The employer's requests that the actor may see, newest first."""
    return (
        _in_scope(actor)
        .filter(employer_cases_q(risk.employer_uscc))
        .select_related("org")
        .order_by("-received_at", "-pk")[:limit]
    )


def risk_indicators(*, risk: EmployerRisk, limit: int = 200) -> QuerySet[EmployerIndicator]:
    """The imported history of the employer's external indicators, newest first."""
    return EmployerIndicator.objects.filter(employer_uscc=risk.employer_uscc).order_by("-as_of", "indicator")[
        :limit
    ]


def risk_map_points(
    *, actor: Any, org: Org | None = None, level: str = "", limit: int = 2000
) -> list[dict[str, Any]]:
    """Employers with coordinates, for the map: name, level, score, where, and the detail page."""
    from django.urls import reverse

    rows = risk_list(actor=actor, org=org, level=level).filter(
        latitude__isnull=False, longitude__isnull=False
    )
    return [
        {
            "name": r.employer_name,
            "level": r.level,
            "level_label": str(r.get_level_display()),
            "score": rules.plain_number(r.score),
            "lat": float(r.latitude or 0),
            "lng": float(r.longitude or 0),
            "url": reverse("console:risk_detail", args=[r.pk]),
        }
        for r in rows[:limit]
    ]
