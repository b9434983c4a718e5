"""Reads of the congress app, scoped by the actor's place in the tree (DESIGN rule 3).

Cadres read the congresses of the unions in their subtrees ("democracy.view"); a delegate reads the meetings
and polls of the congress they serve in; anything else is `NotFound`. Poll marks are never read here before
the count, and a secret poll's ballots are only ever read as a whole, for counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.orgs.selectors import actor_can, scope_q

from . import rules
from .models import (
    Attendance,
    Congress,
    CongressStatus,
    Delegate,
    DelegateStatus,
    Meeting,
    MeetingStatus,
    Participation,
    Poll,
    PollStatus,
)

VIEW = "democracy.view"


def congress_list(*, actor: Any, org: Any = None) -> QuerySet[Congress]:
    qs = Congress.objects.filter(scope_q(actor, VIEW, field="org__path")).select_related("org")
    if org is not None:
        qs = qs.filter(org=org)
    return qs.annotate(
        serving=Count("delegates", filter=Q(delegates__status=DelegateStatus.ACTIVE), distinct=True)
    ).order_by("org__path", "-term_number")


def congress_get(*, actor: Any, congress_id: int, perm: str = VIEW) -> Congress:
    congress = Congress.objects.select_related("org").filter(pk=congress_id).first()
    if congress is None or not actor_can(actor, VIEW, congress.org):
        raise NotFound(_("No such congress in your scope."))
    if perm != VIEW and not actor_can(actor, perm, congress.org):
        from gonghui.core.errors import PermissionDenied

        raise PermissionDenied()
    return congress


def current_congress(*, org: Any) -> Congress | None:
    return Congress.objects.filter(org=org, status=CongressStatus.ACTIVE).order_by("-term_number").first()


@dataclass(frozen=True)
class CompositionReport:
    composition: rules.Composition
    required: int
    warnings: list[rules.CompositionWarning]
    by_category: dict[str, int]


def composition(*, congress: Congress) -> CompositionReport:
    """The serving delegates counted against DOMAIN §3's composition checks, in one query."""
    agg = Delegate.objects.filter(congress=congress, status=DelegateStatus.ACTIVE).aggregate(
        total=Count("pk"),
        managers=Count("pk", filter=Q(middle_manager=True)),
        women=Count("pk", filter=Q(sex="female")),
        dispatched=Count("pk", filter=Q(dispatched=True)),
        worker=Count("pk", filter=Q(category="worker")),
        technician=Count("pk", filter=Q(category="technician")),
        manager=Count("pk", filter=Q(category="manager")),
        leader=Count("pk", filter=Q(category="leader")),
        other=Count("pk", filter=Q(category="other")),
    )
    comp = rules.Composition(agg["total"], agg["managers"], agg["women"], agg["dispatched"])
    warnings = rules.composition_warnings(
        comp,
        staff=congress.staff_count,
        women_staff=congress.women_staff,
        dispatched_staff=congress.dispatched_staff,
        percent=congress.min_delegate_percent,
        minimum=congress.min_delegates,
        max_manager_percent=congress.max_manager_percent,
    )
    required = rules.required_delegates(
        staff=congress.staff_count, percent=congress.min_delegate_percent, minimum=congress.min_delegates
    )
    cats = {k: agg[k] for k in ("worker", "technician", "manager", "leader", "other")}
    return CompositionReport(comp, required, warnings, cats)


def delegates(*, congress: Congress, status: str = "") -> QuerySet[Delegate]:
    qs = Delegate.objects.filter(congress=congress).select_related("constituency", "replaces")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("constituency__name", "name", "pk")


def delegate_get(*, actor: Any, delegate_id: int, perm: str = VIEW) -> Delegate:
    delegate = Delegate.objects.select_related("congress__org").filter(pk=delegate_id).first()
    if delegate is None:
        raise NotFound(_("No such delegate."))
    congress_get(actor=actor, congress_id=delegate.congress_id, perm=perm)
    return delegate


def meetings(*, congress: Congress) -> QuerySet[Meeting]:
    return Meeting.objects.filter(congress=congress).order_by("-number")


def meeting_get(*, actor: Any, meeting_id: int, perm: str = VIEW) -> Meeting:
    meeting = Meeting.objects.select_related("congress__org", "current_item").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("No such meeting."))
    congress_get(actor=actor, congress_id=meeting.congress_id, perm=perm)
    return meeting


def attendance_sheet(*, meeting: Meeting) -> list[tuple[Delegate, Attendance | None]]:
    """Every serving delegate with their check-in, if any, in two queries."""
    present = {a.delegate_id: a for a in Attendance.objects.filter(meeting=meeting)}
    return [
        (d, present.get(d.pk)) for d in delegates(congress=meeting.congress, status=DelegateStatus.ACTIVE)
    ]


def polls(*, meeting: Meeting) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(meeting=meeting)
        .annotate(voted=Count("participations"))
        .select_related("agenda_item")
        .order_by("pk")
    )


def poll_get(*, actor: Any, poll_id: int, perm: str = VIEW) -> Poll:
    poll = (
        Poll.objects.select_related("meeting__congress__org", "teller_a", "teller_b")
        .filter(pk=poll_id)
        .first()
    )
    if poll is None:
        raise NotFound(_("No such vote."))
    congress_get(actor=actor, congress_id=poll.meeting.congress_id, perm=perm)
    return poll


def poll_for_teller(*, actor: Any, poll_id: int) -> Poll:
    """A teller reaches the paper-entry page of their poll even without a role in the union."""
    poll = Poll.objects.select_related("meeting__congress__org").filter(pk=poll_id).first()
    if poll is None or actor.pk not in (poll.teller_a_id, poll.teller_b_id):
        raise NotFound(_("No such vote."))
    return poll


def result_for_display(poll: Poll, *, cadre: bool) -> dict[str, Any] | None:
    """The count, if the viewer may see it: cadres once counted, everyone else once published."""
    if poll.result is None:
        return None
    if poll.status == PollStatus.PUBLISHED or (cadre and poll.status in (PollStatus.CLOSED, PollStatus.VOID)):
        return poll.result
    return None


# --- the delegate's own view ---------------------------------------------------------------------------


def own_delegateships(*, user: Any) -> QuerySet[Delegate]:
    if not getattr(user, "is_authenticated", False):
        return Delegate.objects.none()
    return Delegate.objects.filter(user=user, status=DelegateStatus.ACTIVE).select_related("congress__org")


def own_meetings(*, user: Any) -> QuerySet[Meeting]:
    congress_ids = own_delegateships(user=user).values("congress_id")
    return (
        Meeting.objects.filter(congress_id__in=congress_ids).select_related("congress").order_by("-starts_at")
    )


def own_meeting_get(*, user: Any, meeting_id: int) -> tuple[Meeting, Delegate]:
    meeting = Meeting.objects.select_related("congress__org", "current_item").filter(pk=meeting_id).first()
    delegate = (
        own_delegateships(user=user).filter(congress_id=meeting.congress_id).first() if meeting else None
    )
    if meeting is None or delegate is None:
        raise NotFound(_("No such meeting."))
    return meeting, delegate


def own_poll_get(*, user: Any, poll_id: int) -> tuple[Poll, Delegate]:
    poll = Poll.objects.select_related("meeting__congress").filter(pk=poll_id).first()
    delegate = (
        own_delegateships(user=user).filter(congress_id=poll.meeting.congress_id).first() if poll else None
    )
    if poll is None or delegate is None or poll.status == PollStatus.DRAFT:
        raise NotFound(_("No such vote."))
    return poll, delegate


def has_voted(*, poll: Poll, delegate: Delegate) -> bool:
    return Participation.objects.filter(poll=poll, delegate=delegate).exists()


def is_checked_in(*, meeting: Meeting, delegate: Delegate) -> bool:
    return Attendance.objects.filter(meeting=meeting, delegate=delegate).exists()


# --- the big screen -------------------------------------------------------------------------------------


def screen_state(*, meeting: Meeting) -> dict[str, Any]:
    """What the projector shows: the agenda item, present count and quorum, and the latest poll with its
    turnout while open and its result once published. A fixed number of queries."""
    electorate = Delegate.objects.filter(
        congress_id=meeting.congress_id, status=DelegateStatus.ACTIVE
    ).count()
    present = Attendance.objects.filter(meeting=meeting, delegate__status=DelegateStatus.ACTIVE).count()
    congress = meeting.congress
    poll = (
        Poll.objects.filter(meeting=meeting)
        .exclude(status=PollStatus.DRAFT)
        .annotate(voted=Count("participations"))
        .order_by("-opened_at", "-pk")
        .first()
    )
    return {
        "meeting": meeting,
        "item": meeting.current_item,
        "electorate": electorate,
        "present": present,
        "quorum_needed": rules.quorum_needed(electorate=electorate, quorum=congress.quorum),
        "quorum": rules.has_quorum(present=present, electorate=electorate, quorum=congress.quorum),
        "poll": poll,
        "result": result_for_display(poll, cadre=False) if poll else None,
        "in_session": meeting.status == MeetingStatus.OPEN,
    }
