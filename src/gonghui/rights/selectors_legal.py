"""Reads of legal aid and mediation, scoped (beside selectors.py, which holds the reads of requests).

A cadre who may handle requests sees the lawyers, legal-aid cases, committees and mediations of the unions in
their subtree: a legal-aid case goes with its request's union, a mediation with its committee's union. An
object outside scope is a 404; inside the actor's view of the tree but without the role to handle cases, a
403. A worker sees, on their own request, the lawyer, the stage and the mediations of that request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as When_
from django.db.models import Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.orgs.models import Org
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import refuse, scope_q

from .models import (
    Case,
    Lawyer,
    LegalAid,
    LegalAidEntry,
    Mediation,
    MediationCommittee,
    MediationParty,
    MediationSession,
    MediationStatus,
    Mediator,
)

PERM = "case.handle"


def case_for_legal(*, actor: Any, case_id: int) -> Case:
    """A request the actor may turn into legal aid or mediation: the request reads of selectors.case_get, with
    the wrong role inside the actor's view of the tree a 403."""
    from .selectors import case_get

    try:
        return case_get(actor=actor, case_id=case_id)
    except NotFound:
        found = Case.objects.select_related("org").filter(pk=case_id).first()
        refuse(actor, found.org if found else None, _("No such request in your scope."))


# --- lawyers --------------------------------------------------------------------------------------------------------


def lawyers_usable(*, org: Org, active_only: bool = True) -> QuerySet[Lawyer]:
    """Lawyers a request of `org` may be given: on the roster of `org` or of a union above it (one query)."""
    qs = Lawyer.objects.filter(org_id__in=[*org.ancestor_ids(), org.pk]).select_related("org")
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("-org__depth", "name", "pk")


def lawyer_roster(*, actor: Any, org: Org) -> QuerySet[Lawyer]:
    """The lawyers of `org`'s subtree the actor may manage, with those of the unions above `org` that it may
    use; the union's own first."""
    qs = Lawyer.objects.filter(
        (subtree_q(org.path, "org__path") & scope_q(actor, PERM, field="org__path"))
        | Q(org_id__in=org.ancestor_ids())
    )
    return qs.select_related("org").order_by("-active", "org__depth", "org__path", "name", "pk")


def lawyer_get(*, actor: Any, lawyer_id: int) -> Lawyer:
    lawyer = (
        Lawyer.objects.filter(scope_q(actor, PERM, field="org__path"), pk=lawyer_id)
        .select_related("org")
        .first()
    )
    if lawyer is None:
        found = Lawyer.objects.select_related("org").filter(pk=lawyer_id).first()
        refuse(actor, found.org if found else None, _("No such lawyer in your scope."))
    return lawyer


# --- legal-aid cases ---------------------------------------------------------------------------------------------


def legal_aid_list(
    *, actor: Any, org: Org | None = None, status: str = "open", stage: str = "", q: str = ""
) -> QuerySet[LegalAid]:
    """Legal-aid cases of the actor's unions (or of `org`'s subtree): open ones first, the newest first."""
    qs = LegalAid.objects.filter(scope_q(actor, PERM, field="case__org__path")).select_related(
        "case", "case__org", "lawyer"
    )
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "case__org__path"))
    if status == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    if stage:
        qs = qs.filter(stage=stage)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(case__number__istartswith=q)
            | Q(case__employer_name__icontains=q)
            | Q(lawyer__name__startswith=q)
        )
    closed_last = When_(When(closed_at__isnull=False, then=1), default=0)
    return qs.order_by(closed_last, "-opened_at", "-pk")


def legal_aid_get(*, actor: Any, aid_id: int) -> LegalAid:
    aid = (
        LegalAid.objects.filter(scope_q(actor, PERM, field="case__org__path"), pk=aid_id)
        .select_related("case", "case__org", "lawyer", "lawyer__org", "opened_by")
        .first()
    )
    if aid is None:
        found = LegalAid.objects.select_related("case__org").filter(pk=aid_id).first()
        refuse(actor, found.case.org if found else None, _("No such legal-aid case in your scope."))
    return aid


def legal_aid_entries(*, aid: LegalAid) -> QuerySet[LegalAidEntry]:
    return aid.entries.select_related("actor")


def legal_aid_of_case(*, case: Case) -> LegalAid | None:
    return LegalAid.objects.filter(case=case).select_related("lawyer").first()


@dataclass(frozen=True)
class LegalTotals:
    open: int
    closed: int
    recovered: Any  # Decimal


def legal_aid_totals(*, actor: Any, org: Org) -> LegalTotals:
    """Open and closed cases of `org`'s subtree and the amount recovered for workers (one query)."""
    from django.db.models import Count, Sum

    row = LegalAid.objects.filter(
        scope_q(actor, PERM, field="case__org__path"), subtree_q(org.path, "case__org__path")
    ).aggregate(
        open=Count("pk", filter=Q(closed_at__isnull=True)),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        recovered=Sum("amount_recovered"),
    )
    return LegalTotals(row["open"], row["closed"], row["recovered"] or 0)


# --- committees and mediators --------------------------------------------------------------------------------


def committees_in(*, actor: Any, org: Org) -> QuerySet[MediationCommittee]:
    """Committees of `org`'s subtree that the actor may work with."""
    return (
        MediationCommittee.objects.filter(
            scope_q(actor, PERM, field="org__path"), subtree_q(org.path, "org__path")
        )
        .select_related("org")
        .order_by("-active", "org__path", "name")
    )


def committees_for_case(*, actor: Any, case: Case) -> QuerySet[MediationCommittee]:
    """Active committees the actor may use for a request: at the request's union, above it (a regional
    committee) or below it (the employer's enterprise committee), within the actor's scope."""
    near = Q(org_id__in=[*case.org.ancestor_ids(), case.org.pk]) | subtree_q(case.org.path, "org__path")
    return (
        MediationCommittee.objects.filter(near, scope_q(actor, PERM, field="org__path"), active=True)
        .select_related("org")
        .order_by("org__path", "name")
    )


def committee_get(*, actor: Any, committee_id: int) -> MediationCommittee:
    committee = (
        MediationCommittee.objects.filter(scope_q(actor, PERM, field="org__path"), pk=committee_id)
        .select_related("org")
        .first()
    )
    if committee is None:
        found = MediationCommittee.objects.select_related("org").filter(pk=committee_id).first()
        refuse(actor, found.org if found else None, _("No such committee in your scope."))
    return committee


def mediators_of(*, committee: MediationCommittee, active_only: bool = False) -> QuerySet[Mediator]:
    qs = committee.mediators.all()
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("-active", "name", "pk")


def mediator_get(*, actor: Any, mediator_id: int) -> Mediator:
    mediator = Mediator.objects.select_related("committee", "committee__org").filter(pk=mediator_id).first()
    if mediator is None:
        raise NotFound(_("No such mediator."))
    committee_get(actor=actor, committee_id=mediator.committee_id)
    return mediator


# --- mediations ---------------------------------------------------------------------------------------------------


MEDIATION_FILTERS = ("open", "overdue", "soon", "agreed", "failed", "withdrawn", "all")


def mediation_list(
    *,
    actor: Any,
    org: Org | None = None,
    status: str = "open",
    q: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Mediation]:
    """Mediations of the committees of the actor's unions (or of `org`'s subtree): open ones first, the nearest
    15-day limit first; ended ones after, the latest first."""
    today = today or timezone.localdate()
    qs = Mediation.objects.filter(scope_q(actor, PERM, field="committee__org__path")).select_related(
        "committee", "committee__org", "mediator", "case"
    )
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "committee__org__path"))
    if status == "open":
        qs = qs.filter(status=MediationStatus.OPEN)
    elif status == "overdue":
        qs = qs.filter(status=MediationStatus.OPEN, due_on__lt=today)
    elif status == "soon":
        qs = qs.filter(
            status=MediationStatus.OPEN, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=2)
        )
    elif status in MediationStatus.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__istartswith=q) | Q(parties__name__icontains=q)).distinct()
    ended_last = When_(When(status=MediationStatus.OPEN, then=0), default=1)
    return qs.order_by(ended_last, "due_on", "-ended_at", "pk")


def mediation_get(*, actor: Any, mediation_id: int) -> Mediation:
    mediation = (
        Mediation.objects.filter(scope_q(actor, PERM, field="committee__org__path"), pk=mediation_id)
        .select_related("committee", "committee__org", "mediator", "case", "case__org", "created_by")
        .first()
    )
    if mediation is None:
        found = Mediation.objects.select_related("committee__org").filter(pk=mediation_id).first()
        refuse(actor, found.committee.org if found else None, _("No such mediation in your scope."))
    return mediation


def mediation_parties(*, mediation: Mediation) -> list[MediationParty]:
    """Workers first, then employers, in the order entered."""
    parties = list(mediation.parties.all().order_by("pk"))
    return sorted(parties, key=lambda p: 0 if p.side == MediationParty.Side.WORKER else 1)


def mediation_sessions(*, mediation: Mediation) -> QuerySet[MediationSession]:
    return mediation.sessions.select_related("recorded_by")


def mediations_of_case(*, case: Case) -> QuerySet[Mediation]:
    return case.mediations.select_related("committee", "mediator").order_by("-received_on", "-pk")


def days_left(mediation: Mediation, today: datetime.date | None = None) -> int:
    """Calendar days to the 15-day limit (0 on its last day, negative once it has passed)."""
    return (mediation.due_on - (today or timezone.localdate())).days


# --- the worker's side ---------------------------------------------------------------------------------------


def worker_legal_context(*, case: Case) -> dict[str, Any]:
    """What the worker reads on their own request (the caller has already checked it is theirs): the lawyer's
    name and firm and the stage; each mediation's status and limit, the terms once in effect, and after a
    failure (or the limit passing) that they may apply for arbitration before the limitation date."""
    aid = legal_aid_of_case(case=case)
    mediations = [
        {
            "m": m,
            "show_arbitration": m.status == MediationStatus.FAILED
            or (m.status == MediationStatus.OPEN and m.arbitration_told_at is not None),
        }
        for m in mediations_of_case(case=case)
    ]
    return {"aid": aid, "mediations": mediations}
