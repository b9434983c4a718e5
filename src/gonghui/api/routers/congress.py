"""The workers' congress API (职工代表大会, DOMAIN §3).

Those who run a congress ("congress.manage", a grassroots union's admin) set up the term and its figures,
constituencies and delegates, plan and hold meetings, check delegates in at the door, and run the votes:
create, open (only with the quorum), close, count (paper ballots entered by two tellers), publish and hold a
further round. Reads need "democracy.view"; a congress outside the caller's scope is a 404, a role that does
not allow the action a 403.

A delegate checks in with the code of the meeting's QR, votes (`POST /polls/{id}/ballots`) and gets the
receipt code of a secret ballot in that answer only. Anyone signed in may check a receipt: the answer says
whether the ballot is in a published count, never how it was marked. Results show to those who run the
congress once counted and to everyone else once published.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.accounts.models import User
from gonghui.api.schemas import ErrorOut
from gonghui.congress import rules, selectors, services
from gonghui.congress.models import (
    Attendance,
    Congress,
    Meeting,
    Participation,
    Poll,
    PollStatus,
)
from gonghui.core.errors import NotFound, ServiceError
from gonghui.members.selectors import member_get
from gonghui.orgs.selectors import actor_can, org_get

from .congress_schemas import (
    AgendaOut,
    AttendanceOut,
    BallotIn,
    BallotOut,
    CheckinIn,
    CompositionOut,
    CongressIn,
    CongressOut,
    ConstituencyIn,
    ConstituencyOut,
    CurrentItemIn,
    DelegateIdIn,
    DelegateIn,
    DelegateOut,
    DocumentOut,
    EndIn,
    FiguresIn,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MineOut,
    MyDelegateshipOut,
    MyMeetingOut,
    MyPollOut,
    NextRoundIn,
    OptionOut,
    PaperEntryIn,
    PaperEntryOut,
    ParticipationOut,
    PollIn,
    PollOut,
    PollRef,
    RecallIn,
    ReceiptIn,
    ReceiptOut,
    Ref,
    ScreenOut,
    ScreenPollOut,
    SheetOut,
    SheetRowOut,
    TurnoutOut,
    WarningOut,
)
from .member_schemas import OrgRef

router = Router(tags=["congress"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = selectors.VIEW
MANAGE = "congress.manage"


def _manages(actor: Any, congress: Congress) -> bool:
    return actor_can(actor, MANAGE, congress.org)


# --- the congress --------------------------------------------------------------------------------------------


@router.get("/congresses", response={200: list[CongressOut], **ERRORS}, summary="Congresses in scope")
@paginate(LimitOffsetPagination)
def congress_list(request: HttpRequest, org_id: int | None = None) -> Any:
    """The congress terms of the caller's unions (or of one union), with their serving delegates."""
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW) if org_id else None
    return selectors.congress_list(actor=request.user, org=org)


def _congress(request: HttpRequest, congress_id: int, perm: str = VIEW) -> Congress:
    return selectors.congress_get(actor=request.user, congress_id=congress_id, perm=perm)


def _congress_out(request: HttpRequest, congress_id: int) -> Congress:
    congress = selectors.congress_list(actor=request.user).filter(pk=congress_id).first()
    if congress is None:
        raise NotFound(_("No such congress in your scope."))
    return congress


@router.post("/congresses", response={201: CongressOut, **ERRORS}, summary="Start a congress term")
def congress_create(request: HttpRequest, data: CongressIn) -> Any:
    """For a grassroots union: a term of 3 to 5 years. Below 100 staff it is an all-staff meeting unless
    `kind` says otherwise. The figures (delegate numbers, quorum ...) start at the law's defaults."""
    org = org_get(actor=request.user, org_id=data.org_id, perm=VIEW)
    congress = services.congress_create(
        actor=request.user,
        org=org,
        name=data.name,
        term_start=data.term_start,
        term_end=data.term_end,
        staff_count=data.staff_count,
        kind=data.kind,
        term_number=data.term_number,
        women_staff=data.women_staff,
        dispatched_staff=data.dispatched_staff,
    )
    return Status(201, _congress_out(request, congress.pk))


@router.get("/congresses/{congress_id}", response={200: CongressOut, **ERRORS}, summary="One congress")
def congress_detail(request: HttpRequest, congress_id: int) -> Any:
    _congress(request, congress_id)
    return _congress_out(request, congress_id)


@router.patch(
    "/congresses/{congress_id}/figures", response={200: CongressOut, **ERRORS}, summary="Change its figures"
)
def congress_figures(request: HttpRequest, congress_id: int, data: FiguresIn) -> Any:
    """The law's figures are defaults: the congress may agree others (a higher quorum, more co-signers)."""
    congress = _congress(request, congress_id, MANAGE)
    services.congress_set_figures(actor=request.user, congress=congress, **data.dict(exclude_none=True))
    return _congress_out(request, congress_id)


@router.get(
    "/congresses/{congress_id}/composition",
    response={200: CompositionOut, **ERRORS},
    summary="Delegates against the composition rules",
)
def congress_composition(request: HttpRequest, congress_id: int) -> Any:
    """Serving delegates counted against DOMAIN §3: at least 5% of staff and 30, managers at most 20%, women
    and dispatched workers in proportion. The warnings carry the numbers."""
    report = selectors.composition(congress=_congress(request, congress_id))
    c = report.composition
    return CompositionOut(
        delegates=c.delegates,
        required=report.required,
        middle_managers=c.middle_managers,
        women=c.women,
        dispatched=c.dispatched,
        by_category=report.by_category,
        warnings=[WarningOut(code=w.code, actual=w.actual, expected=w.expected) for w in report.warnings],
    )


@router.get(
    "/congresses/{congress_id}/constituencies",
    response={200: list[ConstituencyOut], **ERRORS},
    summary="Constituencies",
)
def constituency_list(request: HttpRequest, congress_id: int) -> Any:
    congress = _congress(request, congress_id)
    return list(congress.constituencies.order_by("name"))


@router.post(
    "/congresses/{congress_id}/constituencies",
    response={201: ConstituencyOut, **ERRORS},
    summary="Add a constituency",
)
def constituency_add(request: HttpRequest, congress_id: int, data: ConstituencyIn) -> Any:
    congress = _congress(request, congress_id, MANAGE)
    return Status(
        201,
        services.constituency_add(
            actor=request.user,
            congress=congress,
            name=data.name,
            staff_count=data.staff_count,
            seats=data.seats,
        ),
    )


# --- delegates ----------------------------------------------------------------------------------------------


@router.get(
    "/congresses/{congress_id}/delegates", response={200: list[DelegateOut], **ERRORS}, summary="Delegates"
)
@paginate(LimitOffsetPagination)
def delegate_list(
    request: HttpRequest,
    congress_id: int,
    status: str = Query("", description="active, recalled, resigned or left; empty for all"),
) -> Any:
    return selectors.delegates(congress=_congress(request, congress_id), status=status)


@router.post(
    "/congresses/{congress_id}/delegates", response={201: DelegateOut, **ERRORS}, summary="Add a delegate"
)
def delegate_add(request: HttpRequest, congress_id: int, data: DelegateIn) -> Any:
    """A delegate elected by a constituency. A union member (`member_id`) brings their name, sex and the
    account they check in and vote with."""
    congress = _congress(request, congress_id, MANAGE)
    constituency = None
    if data.constituency_id:
        constituency = congress.constituencies.filter(pk=data.constituency_id).first()
        if constituency is None:
            raise ServiceError("unknown_constituency", _("No such constituency."), field="constituency_id")
    member = member_get(actor=request.user, member_id=data.member_id) if data.member_id else None
    replaces = None
    if data.replaces_id:
        replaces = selectors.delegates(congress=congress).filter(pk=data.replaces_id).first()
        if replaces is None:
            raise ServiceError("unknown_delegate", _("No such delegate."), field="replaces_id")
    delegate = services.delegate_add(
        actor=request.user,
        congress=congress,
        elected_on=data.elected_on,
        category=data.category,
        constituency=constituency,
        member=member,
        name=data.name,
        sex=data.sex,
        middle_manager=data.middle_manager,
        dispatched=data.dispatched,
        replaces=replaces,
    )
    return Status(201, delegate)


@router.post("/delegates/{delegate_id}/recall", response={200: DelegateOut, **ERRORS}, summary="Recall")
def delegate_recall(request: HttpRequest, delegate_id: int, data: RecallIn) -> Any:
    """Carried only with more than half of the delegate's constituency (not of those who voted)."""
    delegate = selectors.delegate_get(actor=request.user, delegate_id=delegate_id, perm=MANAGE)
    return services.delegate_recall(
        actor=request.user,
        delegate=delegate,
        votes_for=data.votes_for,
        constituency_size=data.constituency_size,
        on=data.on,
        reason=data.reason,
    )


@router.post("/delegates/{delegate_id}/end", response={200: DelegateOut, **ERRORS}, summary="End service")
def delegate_end(request: HttpRequest, delegate_id: int, data: EndIn) -> Any:
    """The delegate resigned or left the unit; the record stays."""
    delegate = selectors.delegate_get(actor=request.user, delegate_id=delegate_id, perm=MANAGE)
    return services.delegate_end(
        actor=request.user, delegate=delegate, status=data.status, on=data.on, reason=data.reason
    )


# --- meetings -----------------------------------------------------------------------------------------------


@router.get(
    "/congresses/{congress_id}/meetings", response={200: list[MeetingOut], **ERRORS}, summary="Meetings"
)
def meeting_list(request: HttpRequest, congress_id: int) -> Any:
    return list(selectors.meetings(congress=_congress(request, congress_id))[:200])


@router.post(
    "/congresses/{congress_id}/meetings", response={201: MeetingDetailOut, **ERRORS}, summary="Plan a meeting"
)
def meeting_create(request: HttpRequest, congress_id: int, data: MeetingIn) -> Any:
    congress = _congress(request, congress_id, MANAGE)
    meeting = services.meeting_create(
        actor=request.user,
        congress=congress,
        title=data.title,
        starts_at=data.starts_at,
        place=data.place,
        agenda=[(a.title, a.kind) for a in data.agenda],
    )
    return Status(201, _meeting_detail(request, meeting.pk))


def _meeting(request: HttpRequest, meeting_id: int, perm: str = VIEW) -> Meeting:
    return selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=perm)


def _meeting_detail(request: HttpRequest, meeting_id: int) -> MeetingDetailOut:
    meeting = _meeting(request, meeting_id)
    state = selectors.screen_state(meeting=meeting)
    out = MeetingDetailOut.from_orm(meeting)
    out.agenda = [AgendaOut.from_orm(a) for a in meeting.agenda.all()]
    out.documents = [DocumentOut.from_orm(d) for d in meeting.documents.order_by("pk")]
    out.electorate, out.present = state["electorate"], state["present"]
    out.quorum_needed, out.quorum = state["quorum_needed"], state["quorum"]
    if _manages(request.user, meeting.congress):
        out.checkin_url = request.build_absolute_uri(
            reverse("portal:congress_checkin", args=[meeting.checkin_token])
        )
    return out


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS}, summary="One meeting")
def meeting_detail(request: HttpRequest, meeting_id: int) -> Any:
    """The agenda, the documents, who is present against the quorum and, for those who run the congress, the
    address the check-in QR code carries."""
    return _meeting_detail(request, meeting_id)


@router.post("/meetings/{meeting_id}/open", response={200: MeetingDetailOut, **ERRORS}, summary="Open")
def meeting_open(request: HttpRequest, meeting_id: int) -> Any:
    """The meeting is in session: check-in starts and the first agenda item is under way."""
    services.meeting_open(actor=request.user, meeting=_meeting(request, meeting_id, MANAGE))
    return _meeting_detail(request, meeting_id)


@router.post("/meetings/{meeting_id}/close", response={200: MeetingDetailOut, **ERRORS}, summary="Close")
def meeting_close(request: HttpRequest, meeting_id: int) -> Any:
    services.meeting_close(actor=request.user, meeting=_meeting(request, meeting_id, MANAGE))
    return _meeting_detail(request, meeting_id)


@router.put(
    "/meetings/{meeting_id}/current-item",
    response={200: MeetingDetailOut, **ERRORS},
    summary="Move to an agenda item",
)
def meeting_item(request: HttpRequest, meeting_id: int, data: CurrentItemIn) -> Any:
    """The big screen follows."""
    meeting = _meeting(request, meeting_id, MANAGE)
    item = meeting.agenda.filter(pk=data.item_id).first()
    if item is None:
        raise NotFound(_("No such agenda item."))
    services.meeting_set_item(actor=request.user, meeting=meeting, item=item)
    return _meeting_detail(request, meeting_id)


# --- attendance ---------------------------------------------------------------------------------------------


@router.post("/checkin", response={200: AttendanceOut, **ERRORS}, summary="Check myself in")
def checkin(request: HttpRequest, data: CheckinIn) -> Any:
    """A delegate checks in with the code the meeting's QR carries. Checking in again is harmless."""
    return services.attendance_checkin(user=request.user, token=data.token)


@router.post(
    "/meetings/{meeting_id}/attendance",
    response={200: AttendanceOut, **ERRORS},
    summary="Check a delegate in at the door",
)
def attendance_record(request: HttpRequest, meeting_id: int, data: DelegateIdIn) -> Any:
    meeting = _meeting(request, meeting_id, MANAGE)
    delegate = selectors.delegates(congress=meeting.congress).filter(pk=data.delegate_id).first()
    if delegate is None:
        raise NotFound(_("No such delegate."))
    return services.attendance_record(actor=request.user, meeting=meeting, delegate=delegate)


@router.get(
    "/meetings/{meeting_id}/attendance", response={200: SheetOut, **ERRORS}, summary="The attendance sheet"
)
def attendance_sheet(request: HttpRequest, meeting_id: int) -> Any:
    """Every serving delegate, present or not, with the quorum."""
    meeting = _meeting(request, meeting_id)
    rows = selectors.attendance_sheet(meeting=meeting)
    present = sum(1 for _d, a in rows if a is not None)
    electorate = len(rows)
    quorum = meeting.congress.quorum
    return SheetOut(
        electorate=electorate,
        present=present,
        quorum_needed=rules.quorum_needed(electorate=electorate, quorum=quorum),
        quorum=rules.has_quorum(present=present, electorate=electorate, quorum=quorum),
        rows=[
            SheetRowOut(
                delegate=Ref(id=d.pk, name=d.name),
                constituency=d.constituency.name if d.constituency else None,
                present=a is not None,
                method=a.method if a else None,
                checked_in_at=a.checked_in_at if a else None,
            )
            for d, a in rows
        ],
    )


@router.get("/meetings/{meeting_id}/screen", response={200: ScreenOut, **ERRORS}, summary="The big screen")
def screen(request: HttpRequest, meeting_id: int) -> Any:
    """What the projector in the hall shows: the agenda item, present against the quorum, the latest vote with
    its turnout, and its result once published (never before)."""
    state = selectors.screen_state(meeting=_meeting(request, meeting_id))
    poll = state["poll"]
    return ScreenOut(
        meeting=MeetingOut.from_orm(state["meeting"]),
        item=AgendaOut.from_orm(state["item"]) if state["item"] else None,
        electorate=state["electorate"],
        present=state["present"],
        quorum_needed=state["quorum_needed"],
        quorum=state["quorum"],
        in_session=state["in_session"],
        poll=ScreenPollOut.from_orm(poll) if poll else None,
        result=state["result"],
    )


# --- polls --------------------------------------------------------------------------------------------------


def _poll(request: HttpRequest, poll_id: int, perm: str = VIEW) -> Poll:
    return selectors.poll_get(actor=request.user, poll_id=poll_id, perm=perm)


def _poll_out(request: HttpRequest, poll_id: int) -> PollOut:
    poll = _poll(request, poll_id)
    annotated = selectors.polls(meeting=poll.meeting).get(pk=poll.pk)
    out = PollOut.from_orm(annotated)
    out.options = [OptionOut.from_orm(o) for o in poll.options.all()]
    out.result = selectors.result_for_display(poll, cadre=_manages(request.user, poll.meeting.congress))
    return out


def _teller(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ServiceError("unknown_user", _("No such person."), field=field)
    return user


@router.get("/meetings/{meeting_id}/polls", response={200: list[PollOut], **ERRORS}, summary="Votes")
def poll_list(request: HttpRequest, meeting_id: int) -> Any:
    meeting = _meeting(request, meeting_id)
    cadre = _manages(request.user, meeting.congress)
    polls = list(selectors.polls(meeting=meeting).prefetch_related("options"))
    out = []
    for poll in polls:
        row = PollOut.from_orm(poll)
        row.options = [OptionOut.from_orm(o) for o in poll.options.all()]
        row.result = selectors.result_for_display(poll, cadre=cadre)
        out.append(row)
    return out


@router.post("/meetings/{meeting_id}/polls", response={201: PollOut, **ERRORS}, summary="Prepare a vote")
def poll_create(request: HttpRequest, meeting_id: int, data: PollIn) -> Any:
    """A resolution voted item by item, or an election round for a number of seats (always secret; a
    contested one needs enough candidates). With two tellers, paper ballots can be handed out too."""
    meeting = _meeting(request, meeting_id, MANAGE)
    item = None
    if data.agenda_item_id:
        item = meeting.agenda.filter(pk=data.agenda_item_id).first()
        if item is None:
            raise NotFound(_("No such agenda item."))
    poll = services.poll_create(
        actor=request.user,
        meeting=meeting,
        kind=data.kind,
        title=data.title,
        options=data.options,
        secret=data.secret,
        seats=data.seats,
        contested=data.contested,
        allow_write_ins=data.allow_write_ins,
        agenda_item=item,
        teller_a=_teller(data.teller_a_id, "teller_a_id"),
        teller_b=_teller(data.teller_b_id, "teller_b_id"),
    )
    return Status(201, _poll_out(request, poll.pk))


@router.get("/polls/{poll_id}", response={200: PollOut, **ERRORS}, summary="One vote")
def poll_detail(request: HttpRequest, poll_id: int) -> Any:
    return _poll_out(request, poll_id)


def _act(request: HttpRequest, poll_id: int, act: Any) -> PollOut:
    act(actor=request.user, poll=_poll(request, poll_id, MANAGE))
    return _poll_out(request, poll_id)


@router.post("/polls/{poll_id}/open", response={200: PollOut, **ERRORS}, summary="Open voting")
def poll_open(request: HttpRequest, poll_id: int) -> Any:
    """Refused without the quorum (two thirds of all serving delegates present, by default); the electorate
    and those present are frozen."""
    return _act(request, poll_id, services.poll_open)


@router.post("/polls/{poll_id}/close", response={200: PollOut, **ERRORS}, summary="Close voting")
def poll_close(request: HttpRequest, poll_id: int) -> Any:
    """Without paper ballots the count follows at once; otherwise the tellers enter the paper ballots first."""
    return _act(request, poll_id, services.poll_close)


@router.post("/polls/{poll_id}/count", response={200: PollOut, **ERRORS}, summary="Count")
def poll_count(request: HttpRequest, poll_id: int) -> Any:
    """Once both tellers entered every paper ballot alike. More ballots back than issued voids the round."""
    return _act(request, poll_id, services.poll_count)


@router.post("/polls/{poll_id}/publish", response={200: PollOut, **ERRORS}, summary="Publish the result")
def poll_publish(request: HttpRequest, poll_id: int) -> Any:
    return _act(request, poll_id, services.poll_publish)


@router.post("/polls/{poll_id}/next-round", response={201: PollOut, **ERRORS}, summary="Hold a further round")
def poll_next_round(request: HttpRequest, poll_id: int, data: NextRoundIn) -> Any:
    """For the candidates tied for the last seats, for seats no one won (with `candidates` nominated again),
    or a void round held again."""
    poll = _poll(request, poll_id, MANAGE)
    new = services.poll_next_round(actor=request.user, poll=poll, candidates=data.candidates)
    return Status(201, _poll_out(request, new.pk))


@router.get("/polls/{poll_id}/turnout", response={200: TurnoutOut, **ERRORS}, summary="Turnout")
def poll_turnout(request: HttpRequest, poll_id: int) -> Any:
    """Entitled, present, voted: never the marks."""
    return services.poll_turnout(_poll(request, poll_id))


@router.post(
    "/polls/{poll_id}/paper", response={201: ParticipationOut, **ERRORS}, summary="Hand out a paper ballot"
)
def paper_issue(request: HttpRequest, poll_id: int, data: DelegateIdIn) -> Any:
    """To a present delegate who has not voted on the phone; it counts as their participation."""
    poll = _poll(request, poll_id, MANAGE)
    delegate = selectors.delegates(congress=poll.meeting.congress).filter(pk=data.delegate_id).first()
    if delegate is None:
        raise NotFound(_("No such delegate."))
    return Status(201, services.paper_issue(actor=request.user, poll=poll, delegate=delegate))


@router.post(
    "/polls/{poll_id}/paper-entries",
    response={200: PaperEntryOut, **ERRORS},
    summary="A teller enters a paper ballot",
)
def paper_entry(request: HttpRequest, poll_id: int, data: PaperEntryIn) -> Any:
    """Each of the vote's two tellers enters every returned ballot by the number written on it, after voting
    closes; an entry may be corrected until the count. The answer lists the ballots entered differently."""
    poll = selectors.poll_for_teller(actor=request.user, poll_id=poll_id)
    entry = services.paper_entry_record(
        actor=request.user,
        poll=poll,
        serial=data.serial,
        marks=data.marks,
        write_ins=data.write_ins,
        spoilt=data.spoilt,
    )
    return PaperEntryOut(serial=entry.serial, spoilt=entry.spoilt, mismatches=services.paper_mismatches(poll))


# --- the delegate -------------------------------------------------------------------------------------------


@router.post("/polls/{poll_id}/ballots", response={201: BallotOut, **ERRORS}, summary="Cast my vote")
def ballot_cast(request: HttpRequest, poll_id: int, data: BallotIn) -> Any:
    """A serving delegate who checked in votes once. The receipt code of a secret ballot is in this answer
    only: keep it to check, once the result is published, that the ballot was counted. A second vote is a
    409 `already_voted`; an election ballot approving more people than seats is refused before it counts."""
    # `ballot_cast` reads the poll and checks that the caller is a serving delegate of its congress itself, so
    # the busiest moment of a meeting (everyone voting at once) costs no extra reads. The two refusals it may
    # give before it knows the caller is a delegate here (a poll not open, not a delegate) are checked against
    # the scoped getter first, so that a poll outside the caller's congress is a 404 whatever its state.
    try:
        receipt = services.ballot_cast(
            user=request.user, poll=Poll(pk=poll_id), marks=data.marks, write_ins=data.write_ins
        )
    except Poll.DoesNotExist:
        raise NotFound(_("No such vote.")) from None
    except ServiceError as exc:
        if exc.code in ("poll_not_open", "permission_denied"):
            selectors.own_poll_get(user=request.user, poll_id=poll_id)
        raise
    return Status(201, BallotOut(receipt=receipt))


@router.post("/receipts/check", response={200: ReceiptOut, **ERRORS}, summary="Check a ballot receipt")
def receipt_check(request: HttpRequest, data: ReceiptIn) -> Any:
    """Whether the ballot of this receipt is in a published count, and which; never how it was marked. The
    code travels in the body, never in the address."""
    poll = services.receipt_check(code=data.code)
    if poll is None:
        return ReceiptOut(counted=False)
    return ReceiptOut(
        counted=True, poll=PollRef(id=poll.pk, title=poll.title, published_at=poll.published_at)
    )


def _my_poll(poll: Poll, *, voted: bool, checked_in: bool) -> MyPollOut:
    out = MyPollOut.from_orm(poll)
    out.options = [OptionOut.from_orm(o) for o in poll.options.all()]
    out.voted, out.checked_in = voted, checked_in
    out.result = selectors.result_for_display(poll, cadre=False)
    return out


@router.get("/mine", response={200: MineOut, **ERRORS}, summary="My congress as a delegate")
def mine(request: HttpRequest) -> Any:
    """The congresses I serve in, their meetings with my check-in, and the votes open now."""
    delegateships = list(selectors.own_delegateships(user=request.user).select_related("constituency"))
    ids = [d.pk for d in delegateships]
    meetings = list(selectors.own_meetings(user=request.user)[:50])
    present = set(
        Attendance.objects.filter(meeting__in=meetings, delegate_id__in=ids).values_list(
            "meeting_id", flat=True
        )
    )
    polls = list(
        Poll.objects.filter(meeting__in=meetings, status=PollStatus.OPEN)
        .annotate(mine=Exists(Participation.objects.filter(poll=OuterRef("pk"), delegate_id__in=ids)))
        .prefetch_related("options")
        .order_by("pk")
    )
    return MineOut(
        delegateships=[
            MyDelegateshipOut(
                id=d.pk,
                congress_id=d.congress_id,
                congress_name=d.congress.name,
                org=OrgRef(id=d.congress.org.pk, name=d.congress.org.name),
                constituency=d.constituency.name if d.constituency else None,
            )
            for d in delegateships
        ],
        meetings=[
            MyMeetingOut(**MeetingOut.from_orm(m).dict(), checked_in=m.pk in present) for m in meetings
        ],
        open_polls=[_my_poll(p, voted=p.mine, checked_in=p.meeting_id in present) for p in polls],  # type: ignore[attr-defined]
    )


@router.get("/mine/polls/{poll_id}", response={200: MyPollOut, **ERRORS}, summary="A vote I take part in")
def my_poll(request: HttpRequest, poll_id: int) -> Any:
    """The ballot: the items or candidates, whether I checked in and voted, and the result once published."""
    poll, delegate = selectors.own_poll_get(user=request.user, poll_id=poll_id)
    return _my_poll(
        poll,
        voted=selectors.has_voted(poll=poll, delegate=delegate),
        checked_in=selectors.is_checked_in(meeting=poll.meeting, delegate=delegate),
    )
