"""Schemas of the workers' congress API (api/routers/congress.py). States are codes; a poll's marks never leave
the server before the count, and a secret ballot's never at all."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from gonghui.congress.models import Congress, Delegate, Poll

from .member_schemas import OrgRef

# --- the congress -------------------------------------------------------------------------------------------


class CongressIn(Schema):
    org_id: int
    name: str = Field(max_length=200)
    term_start: datetime.date
    term_end: datetime.date
    staff_count: int = Field(ge=0, le=10_000_000)
    kind: str = Field("", description='"congress" or "all_staff"; empty picks by the staff count')
    term_number: int = Field(1, ge=1, le=1000)
    women_staff: int = Field(0, ge=0, le=10_000_000)
    dispatched_staff: int = Field(0, ge=0, le=10_000_000)


class FiguresIn(Schema):
    """Any of the figures the congress follows; those left out keep their value."""

    min_delegate_percent: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    min_delegates: int | None = Field(None, ge=0, le=100_000)
    max_manager_percent: int | None = Field(None, ge=0, le=100)
    quorum_numerator: int | None = Field(None, ge=0, le=1000)
    quorum_denominator: int | None = Field(None, ge=0, le=1000)
    contest_margin_percent: int | None = Field(None, ge=0, le=100)
    min_cosigners: int | None = Field(None, ge=0, le=1000)
    proposal_answer_days: int | None = Field(None, ge=0, le=1000)
    staff_count: int | None = Field(None, ge=0, le=10_000_000)
    women_staff: int | None = Field(None, ge=0, le=10_000_000)
    dispatched_staff: int | None = Field(None, ge=0, le=10_000_000)


class CongressOut(Schema):
    id: int
    org: OrgRef
    name: str
    kind: str
    term_number: int
    term_start: datetime.date
    term_end: datetime.date
    status: str
    staff_count: int
    women_staff: int
    dispatched_staff: int
    serving: int | None = None
    min_delegate_percent: Decimal
    min_delegates: int
    max_manager_percent: int
    quorum_numerator: int
    quorum_denominator: int
    contest_margin_percent: int
    min_cosigners: int
    proposal_answer_days: int

    @staticmethod
    def resolve_serving(obj: Congress) -> int | None:
        value = getattr(obj, "serving", None)
        return None if value is None else int(value)


class WarningOut(Schema):
    code: str = Field(description="too_few, too_many_managers, women_under or dispatched_under")
    actual: int
    expected: int


class CompositionOut(Schema):
    delegates: int
    required: int
    middle_managers: int
    women: int
    dispatched: int
    by_category: dict[str, int]
    warnings: list[WarningOut]


class ConstituencyIn(Schema):
    name: str = Field(max_length=120)
    staff_count: int = Field(0, ge=0, le=10_000_000)
    seats: int = Field(0, ge=0, le=100_000)


class ConstituencyOut(Schema):
    id: int
    name: str
    staff_count: int
    seats: int


# --- delegates ----------------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class DelegateIn(Schema):
    category: str = Field(description="worker, technician, manager, leader or other")
    elected_on: datetime.date
    constituency_id: int | None = None
    member_id: int | None = Field(None, description="a member of the union: brings the name, sex and account")
    name: str = Field("", max_length=60)
    sex: str = Field("", description="male or female; taken from the member when left out")
    middle_manager: bool = False
    dispatched: bool = False
    replaces_id: int | None = Field(None, description="a delegate whose service ended, replaced by this one")


class DelegateOut(Schema):
    id: int
    congress_id: int
    name: str
    category: str
    middle_manager: bool
    sex: str
    dispatched: bool
    status: str
    elected_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str
    constituency: Ref | None = None
    member_id: int | None
    has_account: bool = False
    replaces_id: int | None

    @staticmethod
    def resolve_has_account(obj: Delegate) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_constituency(obj: Delegate) -> dict[str, Any] | None:
        c = obj.constituency
        return {"id": c.pk, "name": c.name} if c else None


class RecallIn(Schema):
    votes_for: int = Field(ge=0, le=10_000_000)
    constituency_size: int = Field(ge=0, le=10_000_000)
    on: datetime.date
    reason: str = Field(max_length=300)


class EndIn(Schema):
    status: str = Field(description="resigned or left")
    on: datetime.date
    reason: str = Field("", max_length=300)


# --- meetings and attendance --------------------------------------------------------------------------------


class AgendaIn(Schema):
    title: str = Field(max_length=200)
    kind: str = Field("report", description="report, deliberation, resolution, election or other")


class MeetingIn(Schema):
    title: str = Field(max_length=200)
    starts_at: datetime.datetime
    place: str = Field("", max_length=200)
    agenda: list[AgendaIn] = Field(default_factory=list, max_length=100)


class AgendaOut(Schema):
    id: int
    order: int
    title: str
    kind: str
    description: str


class DocumentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime


class MeetingOut(Schema):
    id: int
    congress_id: int
    number: int
    title: str
    starts_at: datetime.datetime
    place: str
    status: str
    current_item_id: int | None
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaOut] = []
    documents: list[DocumentOut] = []
    electorate: int = 0
    present: int = 0
    quorum_needed: int = 0
    quorum: bool = False
    checkin_url: str | None = Field(
        None, description="the address the meeting's QR code carries; only for those who run the congress"
    )


class CurrentItemIn(Schema):
    item_id: int


class CheckinIn(Schema):
    token: str = Field(max_length=64, description="the code the meeting's QR code carries")


class DelegateIdIn(Schema):
    delegate_id: int


class AttendanceOut(Schema):
    meeting_id: int
    delegate_id: int
    method: str
    checked_in_at: datetime.datetime


class SheetRowOut(Schema):
    delegate: Ref
    constituency: str | None
    present: bool
    method: str | None
    checked_in_at: datetime.datetime | None


class SheetOut(Schema):
    electorate: int
    present: int
    quorum_needed: int
    quorum: bool
    rows: list[SheetRowOut]


# --- polls --------------------------------------------------------------------------------------------------


class PollIn(Schema):
    kind: str = Field(description="resolution or election")
    title: str = Field(max_length=200)
    options: list[str] = Field(max_length=200, description="the items of a resolution or the candidates")
    secret: bool = True
    seats: int | None = Field(None, ge=1, le=1000)
    contested: bool = True
    allow_write_ins: bool = True
    agenda_item_id: int | None = None
    teller_a_id: int | None = Field(None, description="paper ballots: the two tellers' user ids")
    teller_b_id: int | None = None


class OptionOut(Schema):
    id: int
    order: int
    label: str
    description: str


class PollOut(Schema):
    id: int
    meeting_id: int
    agenda_item_id: int | None
    kind: str
    title: str
    secret: bool
    status: str
    seats: int | None
    contested: bool
    round: int
    previous_id: int | None
    allow_write_ins: bool
    electorate: int | None
    present_at_open: int | None
    voted: int = 0
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    published_at: datetime.datetime | None
    void_reason: str
    options: list[OptionOut] = []
    result: dict[str, Any] | None = Field(
        None, description="the count: for those who run the congress once counted, for others once published"
    )

    @staticmethod
    def resolve_voted(obj: Poll) -> int:
        return int(getattr(obj, "voted", 0) or 0)


class NextRoundIn(Schema):
    candidates: list[str] = Field(default_factory=list, max_length=200)


class TurnoutOut(Schema):
    electorate: int
    present: int
    voted: int


class BallotIn(Schema):
    marks: dict[int, str] = Field(
        default_factory=dict, description='{option id: "approve" | "oppose" | "abstain"}; left out = abstain'
    )
    write_ins: list[str] = Field(default_factory=list, max_length=100, description="other names (另选他人)")


class BallotOut(Schema):
    receipt: str | None = Field(
        description="a secret ballot's receipt code, shown only in this answer; null for an open vote"
    )


class ParticipationOut(Schema):
    poll_id: int
    delegate_id: int
    channel: str


class PaperEntryIn(Schema):
    serial: int = Field(ge=1, le=1_000_000)
    marks: dict[int, str] = Field(default_factory=dict)
    write_ins: list[str] = Field(default_factory=list, max_length=100)
    spoilt: bool = False


class PaperEntryOut(Schema):
    serial: int
    spoilt: bool
    mismatches: list[int] = Field(description="ballot numbers the two tellers entered differently so far")


class ReceiptIn(Schema):
    code: str = Field(max_length=40)


class PollRef(Schema):
    id: int
    title: str
    published_at: datetime.datetime | None


class ReceiptOut(Schema):
    counted: bool
    poll: PollRef | None = None


# --- the big screen and the delegate's own view --------------------------------------------------------------


class ScreenPollOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    seats: int | None
    voted: int
    electorate: int | None


class ScreenOut(Schema):
    meeting: MeetingOut
    item: AgendaOut | None
    electorate: int
    present: int
    quorum_needed: int
    quorum: bool
    in_session: bool
    poll: ScreenPollOut | None
    result: dict[str, Any] | None


class MyDelegateshipOut(Schema):
    id: int
    congress_id: int
    congress_name: str
    org: OrgRef
    constituency: str | None


class MyMeetingOut(MeetingOut):
    checked_in: bool = False


class MyPollOut(Schema):
    id: int
    meeting_id: int
    kind: str
    title: str
    secret: bool
    status: str
    seats: int | None
    allow_write_ins: bool
    round: int
    options: list[OptionOut] = []
    voted: bool = False
    checked_in: bool = False
    result: dict[str, Any] | None = None


class MineOut(Schema):
    delegateships: list[MyDelegateshipOut]
    meetings: list[MyMeetingOut]
    open_polls: list[MyPollOut]
