"""Reads of collective contracts, scoped.

A cadre reads the contracts signed by the unions of their subtree with "democracy.view"; outside scope is a
404, inside the actor's view of the tree without the role a 403. A member reads the contracts in effect that
cover their own union, with the contract text.

Coverage is rolled up the tree with a fixed number of queries whatever the subtree's size: the units in the
subtree covered by at least one contract in effect (each unit once, however many contracts cover it), with
their staff, grouped by child union in the database; plus the units without a union that regional and
industry contracts name in free text, counted per contract since they cannot be told apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.disclosure.selectors import member_union
from gonghui.orgs.models import SEGMENT, Org, OrgKind
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, refuse, scope_q

from . import rules
from .models import (
    CollectiveContract,
    ContractCoverage,
    ContractDocument,
    ContractPolicy,
    NegotiationRound,
    Status,
)

VIEW = "democracy.view"
MANAGE = "contract.manage"


def policy_for(org: Org) -> ContractPolicy:
    """The nearest ContractPolicy up the tree, else an unsaved row with the defaults. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {p.org_id: p for p in ContractPolicy.objects.filter(org_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in rows:
            return rows[org_id]
    return ContractPolicy(org=org)


def contract_list(
    *,
    actor: Any,
    org: Org,
    status: str = "",
    kind: str = "",
    level: str = "",
    expiring_days: int | None = None,
    q: str = "",
    today: datetime.date | None = None,
) -> QuerySet[CollectiveContract]:
    """Contracts signed by unions of `org`'s subtree, those needing action first (with the administration,
    then the soonest to expire)."""
    qs = CollectiveContract.objects.filter(
        subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path")
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if expiring_days is not None:
        today = today or timezone.localdate()
        qs = qs.filter(status=Status.EFFECTIVE, term_end__lte=today + datetime.timedelta(days=expiring_days))
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(employer_party__icontains=q)
            | Q(number__iexact=q)
            | Q(org__name__icontains=q)
        )
    return qs.select_related("org").order_by("term_end", "-created_at", "-pk")


def contract_get(*, actor: Any, contract_id: int, perm: str = VIEW) -> CollectiveContract:
    contract = (
        CollectiveContract.objects.filter(scope_q(actor, perm, "org__path"), pk=contract_id)
        .select_related("org", "renews", "created_by")
        .first()
    )
    if contract is None:
        found = CollectiveContract.objects.select_related("org").filter(pk=contract_id).first()
        refuse(actor, found.org if found else None, _("No such contract in your scope."))
    return contract


def contract_renewal(*, contract: CollectiveContract) -> CollectiveContract | None:
    return CollectiveContract.objects.filter(renews=contract).first()


def contract_coverage(*, contract: CollectiveContract) -> QuerySet[Org]:
    return Org.objects.filter(contract_coverage__contract=contract).order_by("path")


def contract_rounds(*, contract: CollectiveContract) -> QuerySet[NegotiationRound]:
    return NegotiationRound.objects.filter(contract=contract).select_related("recorded_by").order_by("number")


def contract_documents(*, contract: CollectiveContract) -> QuerySet[ContractDocument]:
    return (
        ContractDocument.objects.filter(contract=contract).select_related("round").order_by("added_at", "pk")
    )


def document_get(*, actor: Any, contract_id: int, document_id: int) -> ContractDocument:
    contract = contract_get(actor=actor, contract_id=contract_id)
    doc = (
        ContractDocument.objects.filter(contract=contract, pk=document_id)
        .select_related("contract__org")
        .first()
    )
    if doc is None:
        raise NotFound(_("No such document."))
    return doc


def coverable_units(*, org: Org) -> QuerySet[Org]:
    """Grassroots unions a regional or industry contract of `org` may cover: those in its subtree, and for an
    industry union those affiliated to it (the caller has checked `org`)."""
    q = subtree_q(org.path)
    if org.kind == OrgKind.INDUSTRY:
        q |= Q(industry_union=org)
    return Org.objects.filter(q, kind=OrgKind.GRASSROOTS, is_active=True).order_by("path")


# --- coverage -----------------------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    org: Org | None  # None: the union itself (its own contracts and units)
    units: int = 0
    staff: int = 0
    other_units: int = 0
    other_staff: int = 0
    grassroots: int = 0  # grassroots unions in the subtree (OrgRollup)
    staff_total: int = 0

    @property
    def all_units(self) -> int:
        return self.units + self.other_units

    @property
    def all_staff(self) -> int:
        return self.staff + self.other_staff

    @property
    def unit_rate(self) -> int | None:
        return min(100, self.units * 100 // self.grassroots) if self.grassroots else None

    @property
    def staff_rate(self) -> int | None:
        return min(100, self.staff * 100 // self.staff_total) if self.staff_total else None


@dataclass
class Coverage:
    org: Org
    total: CoverageRow
    rows: list[CoverageRow] = field(default_factory=list)


def coverage(*, actor: Any, org: Org) -> Coverage:
    """Units and staff covered by contracts in effect in `org`'s subtree, in all and per child union the
    actor may see. Three queries whatever the subtree holds (children, tree units, other units)."""
    if not actor_can(actor, VIEW, org):
        refuse(actor, org, _("No such union in your scope."))
    width = len(org.path) + SEGMENT
    children = list(
        Org.objects.filter(parent=org).filter(scope_q(actor)).select_related("rollup").order_by("path")
    )
    in_effect = ContractCoverage.objects.filter(org=OuterRef("pk"), contract__status=Status.EFFECTIVE)
    units = (
        Org.objects.filter(subtree_q(org.path))
        .filter(Exists(in_effect))
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(units=Count("pk"), staff=Sum("staff_count"))
        .order_by()
    )
    others = (
        CollectiveContract.objects.filter(subtree_q(org.path, "org__path"), status=Status.EFFECTIVE)
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix")
        .annotate(units=Sum("other_units_count"), staff=Sum("other_staff"))
        .order_by()
    )
    by_prefix: dict[str, CoverageRow] = {}
    for c in children:
        rollup = getattr(c, "rollup", None)
        by_prefix[c.path] = CoverageRow(
            org=c,
            grassroots=rollup.grassroots if rollup else 0,
            staff_total=int(rollup.staff) if rollup else c.staff_count,
        )
    own = CoverageRow(org=None, grassroots=int(org.kind == OrgKind.GRASSROOTS), staff_total=0)
    for row in units:
        target = by_prefix.get(row["prefix"], own)
        target.units += row["units"]
        target.staff += row["staff"] or 0
    for row in others:
        target = by_prefix.get(row["prefix"], own)
        target.other_units += row["units"] or 0
        target.other_staff += row["staff"] or 0
    rollup = getattr(org, "rollup", None)
    total = CoverageRow(
        org=org,
        grassroots=rollup.grassroots if rollup else int(org.kind == OrgKind.GRASSROOTS),
        staff_total=int(rollup.staff) if rollup else org.staff_count,
    )
    rows = list(by_prefix.values())
    for r in [*rows, own]:
        total.units += r.units
        total.staff += r.staff
        total.other_units += r.other_units
        total.other_staff += r.other_staff
    if own.all_units:
        rows.insert(0, own)
    return Coverage(org=org, total=total, rows=rows)


# --- the member ---------------------------------------------------------------------------------------------


def own_contracts(*, user: Any) -> QuerySet[CollectiveContract]:
    """Contracts in effect that cover the person's union (its own, and regional or industry ones)."""
    found = member_union(user=user)
    if found is None:
        return CollectiveContract.objects.none()
    _member, org = found
    return (
        CollectiveContract.objects.filter(status=Status.EFFECTIVE, coverage__org=org)
        .select_related("org")
        .order_by("kind", "-effective_on", "-pk")
        .distinct()
    )


def own_contract_get(*, user: Any, contract_id: int) -> CollectiveContract:
    contract = own_contracts(user=user).filter(pk=contract_id).first()
    if contract is None:
        raise NotFound(_("No such contract for you."))
    return contract


def own_documents(*, contract: CollectiveContract) -> QuerySet[ContractDocument]:
    """What a member may read: the contract text and the signed copy, not the negotiation papers."""
    return ContractDocument.objects.filter(
        contract=contract, kind__in=[ContractDocument.DocKind.TEXT, ContractDocument.DocKind.SIGNED]
    ).order_by("added_at", "pk")


def own_document_get(*, user: Any, contract_id: int, document_id: int) -> ContractDocument:
    contract = own_contract_get(user=user, contract_id=contract_id)
    doc = own_documents(contract=contract).filter(pk=document_id).select_related("contract__org").first()
    if doc is None:
        raise NotFound(_("No such document."))
    return doc


def days_left(contract: CollectiveContract, today: datetime.date | None = None) -> int | None:
    if contract.term_end is None:
        return None
    return (contract.term_end - (today or timezone.localdate())).days


def review_days_left(contract: CollectiveContract, today: datetime.date | None = None) -> int | None:
    if contract.status != Status.SUBMITTED or contract.received_on is None:
        return None
    return (rules.review_ends(contract.received_on) - (today or timezone.localdate())).days
