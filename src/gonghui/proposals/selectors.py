"""Reads of congress proposals, scoped: a cadre reads the proposals of the unions in their subtree
(`democracy.view`); a serving delegate reads the proposals of their congress (to co-sign them); a department's
contact person reads those assigned to the department; a member reads the published reports of their union."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.congress.models import Congress, DelegateStatus
from gonghui.core.errors import NotFound, PermissionDenied
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, scope_q

from .models import Department, Proposal, ProposalCosign, ProposalEvent, ProposalReport, ProposalStatus

VIEW = "democracy.view"
OPEN = (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.ANSWERED)


def proposal_queue(
    *, actor: Any, org: Org | None = None, status: str = "", congress_id: int | None = None, q: str = ""
) -> QuerySet[Proposal]:
    """Proposals of the actor's unions (or of `org`'s subtree), those waiting for the committee first."""
    qs = Proposal.objects.filter(scope_q(actor, VIEW, field="org__path")).select_related("org", "department")
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "org__path"))
    if status == "open":
        # Waiting for the committee: a decision, an assignment, or (answered) the proposer's rating.
        qs = qs.filter(status__in=OPEN)
    elif status in ProposalStatus.values:
        qs = qs.filter(status=status)
    if congress_id:
        qs = qs.filter(congress_id=congress_id)
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(Q(number__istartswith=q) | Q(title__icontains=q) | Q(proposer_name__startswith=q))
    return qs.order_by("-created_at", "-pk")


def proposal_get(*, actor: Any, proposal_id: int) -> Proposal:
    found = (
        Proposal.objects.select_related(
            "org", "congress", "meeting", "proposer", "department", "suggestion", "decided_by"
        )
        .filter(pk=proposal_id)
        .first()
    )
    if found is None or not actor_can(actor, "org.view", found.org):
        raise NotFound(_("No such congress proposal in your scope."))
    if not actor_can(actor, VIEW, found.org):
        raise PermissionDenied(
            _("Your role does not allow this action on %(org)s.") % {"org": found.org.name}
        )
    return found


def proposal_events(*, proposal: Proposal) -> QuerySet[ProposalEvent]:
    return proposal.events.select_related("actor")


def proposal_cosigners(*, proposal: Proposal) -> QuerySet[ProposalCosign]:
    return proposal.cosigns.select_related("delegate").order_by("at", "pk")


def departments(*, org: Org, active_only: bool = False) -> QuerySet[Department]:
    qs = Department.objects.filter(org=org).select_related("contact").order_by("-active", "name")
    return qs.filter(active=True) if active_only else qs


def department_get(*, actor: Any, department_id: int) -> Department:
    found = Department.objects.select_related("org", "contact").filter(pk=department_id).first()
    if found is None or not actor_can(actor, "org.view", found.org):
        raise NotFound(_("No such department."))
    if not actor_can(actor, VIEW, found.org):
        raise PermissionDenied()
    return found


def congresses_of(*, actor: Any, org: Org) -> QuerySet[Congress]:
    """The congresses of `org`'s subtree the actor may read (for the filters and the report)."""
    return (
        Congress.objects.filter(scope_q(actor, VIEW, field="org__path"))
        .filter(subtree_q(org.path, "org__path"))
        .select_related("org")
        .order_by("org__path", "-term_number")
    )


def congress_for_report(*, actor: Any, congress_id: int) -> Congress:
    found = Congress.objects.select_related("org").filter(pk=congress_id).first()
    if found is None or not actor_can(actor, "org.view", found.org):
        raise NotFound(_("No such congress in your scope."))
    if not actor_can(actor, VIEW, found.org):
        raise PermissionDenied()
    return found


def serving_delegates(*, congress: Congress) -> QuerySet[Any]:
    from gonghui.congress.models import Delegate

    return Delegate.objects.filter(congress=congress, status=DelegateStatus.ACTIVE).order_by("name", "pk")


def open_meetings(*, congress: Congress) -> QuerySet[Any]:
    from gonghui.congress.models import Meeting, MeetingStatus

    return (
        Meeting.objects.filter(congress=congress).exclude(status=MeetingStatus.CLOSED).order_by("starts_at")
    )


def reports_of(*, congress: Congress) -> QuerySet[ProposalReport]:
    return (
        ProposalReport.objects.filter(congress=congress)
        .select_related("published_by")
        .order_by("-published_at")
    )


# --- the portal ------------------------------------------------------------------------------------------------


def _delegate_congress_ids(user: Any) -> QuerySet[Any]:
    from gonghui.congress.models import Delegate

    return Delegate.objects.filter(user=user, status=DelegateStatus.ACTIVE).values("congress_id")


def own_proposals(*, user: Any) -> QuerySet[Proposal]:
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(proposer__user=user).select_related("congress").order_by("-created_at", "-pk")
    )


def proposals_to_cosign(*, user: Any) -> QuerySet[Proposal]:
    """Proposals of the person's congresses still taking co-signatures, not their own."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(
            congress_id__in=_delegate_congress_ids(user),
            status__in=[ProposalStatus.COLLECTING, ProposalStatus.SUBMITTED],
        )
        .exclude(proposer__user=user)
        .select_related("congress")
        .order_by("-created_at", "-pk")
    )


def proposals_to_answer(*, user: Any) -> QuerySet[Proposal]:
    """Proposals assigned to a department whose contact person this is, still to be answered."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(department__contact=user, status=ProposalStatus.ASSIGNED)
        .select_related("department")
        .order_by("due_on", "pk")
    )


def proposal_for_portal(*, user: Any, proposal_id: int) -> Proposal:
    """A proposal the person may read in the portal: a serving delegate of its congress (the proposer among
    them), or the contact person of the department it is assigned to. Anyone else: not found."""
    found = (
        Proposal.objects.select_related("org", "congress", "proposer", "department", "suggestion")
        .filter(pk=proposal_id)
        .first()
    )
    if found is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("No such congress proposal."))
    if found.proposer.user_id == user.pk:
        return found
    if found.department is not None and found.department.contact_id == user.pk:
        return found
    if _delegate_congress_ids(user).filter(congress_id=found.congress_id).exists():
        return found
    raise NotFound(_("No such congress proposal."))


def member_org_ids(user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Member.objects.filter(user=user, status=MemberStatus.ACTIVE).values_list("org_id", flat=True))


def reports_for_member(*, user: Any) -> QuerySet[ProposalReport]:
    """Published reports of the unions the person is an active member of."""
    return ProposalReport.objects.filter(org_id__in=member_org_ids(user)).order_by("-published_at")


def report_for_member(*, user: Any, report_id: int) -> ProposalReport:
    found = reports_for_member(user=user).filter(pk=report_id).first()
    if found is None:
        raise NotFound(_("No such report."))
    return found
