"""Writes for the congress itself: its term and figures, constituencies, delegates, meetings and attendance."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.uploads import check_upload, store_upload
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import require

from .. import rules
from ..models import (
    AgendaItem,
    AgendaKind,
    Attendance,
    CheckinMethod,
    Congress,
    CongressKind,
    Constituency,
    Delegate,
    DelegateCategory,
    DelegateStatus,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    PollStatus,
    Sex,
)

MANAGE = "congress.manage"
DOCUMENT_TYPES = frozenset({"pdf", "docx", "xlsx", "jpeg", "png"})


def _term_years_ok(start: datetime.date, end: datetime.date) -> bool:
    low, high = rules.TERM_YEARS
    try:
        earliest = start.replace(year=start.year + low)
        latest = start.replace(year=start.year + high)
    except ValueError:  # 29 February
        earliest = start.replace(year=start.year + low, day=28)
        latest = start.replace(year=start.year + high, day=28)
    return earliest - datetime.timedelta(days=1) <= end <= latest


def congress_create(
    *,
    actor: Any,
    org: Org,
    name: str,
    term_start: datetime.date,
    term_end: datetime.date,
    staff_count: int,
    kind: str = "",
    term_number: int = 1,
    women_staff: int = 0,
    dispatched_staff: int = 0,
) -> Congress:
    """Start a congress term for a grassroots union. A unit below `ALL_STAFF_BELOW` staff holds an all-staff
    meeting unless told otherwise; the term is 3 to 5 years (DOMAIN §3)."""
    require(actor=actor, perm=MANAGE, org=org)
    if org.kind != OrgKind.GRASSROOTS:
        raise ServiceError(
            "not_grassroots", _("A workers' congress belongs to a grassroots union."), field="org"
        )
    name = name.strip()
    if not name:
        raise ServiceError("name_required", _("Give the congress a name."), field="name")
    if staff_count < 1:
        raise ServiceError("staff_required", _("Enter the number of staff."), field="staff_count")
    if women_staff > staff_count or dispatched_staff > staff_count:
        raise ServiceError(
            "group_exceeds_staff", _("A group cannot be larger than the staff."), field="women_staff"
        )
    if not _term_years_ok(term_start, term_end):
        raise ServiceError(
            "term_length",
            _("A congress term is %(low)s to %(high)s years.")
            % {"low": rules.TERM_YEARS[0], "high": rules.TERM_YEARS[1]},
            field="term_end",
        )
    if not kind:
        kind = CongressKind.ALL_STAFF if staff_count < rules.ALL_STAFF_BELOW else CongressKind.CONGRESS
    if kind not in CongressKind.values:
        raise ServiceError("bad_kind", _("Unknown kind of congress."), field="kind")
    with transaction.atomic():
        if Congress.objects.filter(org=org, term_number=term_number).exists():
            raise ServiceError("term_exists", _("This term already exists."), field="term_number", status=409)
        congress = Congress.objects.create(
            org=org,
            name=name[:200],
            kind=kind,
            term_number=term_number,
            term_start=term_start,
            term_end=term_end,
            staff_count=staff_count,
            women_staff=women_staff,
            dispatched_staff=dispatched_staff,
        )
        log_action(actor=actor, action="gonghui.congress.created", obj=congress, org_path=org.path)
    return congress


FIGURES = (
    "min_delegate_percent",
    "min_delegates",
    "max_manager_percent",
    "quorum_numerator",
    "quorum_denominator",
    "contest_margin_percent",
    "min_cosigners",
    "proposal_answer_days",
    "staff_count",
    "women_staff",
    "dispatched_staff",
)


def congress_set_figures(*, actor: Any, congress: Congress, **figures: Any) -> Congress:
    """Change the figures the congress follows; the law's defaults are only defaults (DOMAIN §3)."""
    require(actor=actor, perm=MANAGE, org=congress.org)
    unknown = set(figures) - set(FIGURES)
    if unknown:
        raise ServiceError("unknown_figure", _("Unknown setting."), field=sorted(unknown)[0])
    changes = {k: v for k, v in figures.items() if v is not None}
    new = {k: changes.get(k, getattr(congress, k)) for k in FIGURES}
    if not (new["quorum_denominator"] > 0 and 0 < new["quorum_numerator"] <= new["quorum_denominator"]):
        raise ServiceError(
            "bad_quorum", _("The quorum must be a fraction between 0 and 1."), field="quorum_numerator"
        )
    if not (Decimal(0) < Decimal(new["min_delegate_percent"]) <= 100):
        raise ServiceError(
            "bad_percent", _("A percentage is between 0 and 100."), field="min_delegate_percent"
        )
    if not (0 <= new["max_manager_percent"] <= 100 and 0 <= new["contest_margin_percent"] <= 100):
        raise ServiceError(
            "bad_percent", _("A percentage is between 0 and 100."), field="max_manager_percent"
        )
    if (
        new["staff_count"] < 1
        or new["women_staff"] > new["staff_count"]
        or new["dispatched_staff"] > new["staff_count"]
    ):
        raise ServiceError(
            "group_exceeds_staff", _("A group cannot be larger than the staff."), field="staff_count"
        )
    if any(int(new[k]) < 0 for k in ("min_delegates", "min_cosigners", "proposal_answer_days")):
        raise ServiceError("negative", _("Enter zero or more."), field="min_delegates")
    before = {k: str(getattr(congress, k)) for k in changes}
    with transaction.atomic():
        for key, value in changes.items():
            setattr(congress, key, value)
        congress.save(update_fields=list(changes) or None)
        log_action(
            actor=actor,
            action="gonghui.congress.figures_changed",
            obj=congress,
            org_path=congress.org.path,
            data={"before": before, "after": {k: str(v) for k, v in changes.items()}},
        )
    return congress


def constituency_add(
    *, actor: Any, congress: Congress, name: str, staff_count: int = 0, seats: int = 0
) -> Constituency:
    require(actor=actor, perm=MANAGE, org=congress.org)
    name = name.strip()
    if not name:
        raise ServiceError("name_required", _("Give the constituency a name."), field="name")
    try:
        with transaction.atomic():
            constituency = Constituency.objects.create(
                congress=congress, name=name[:120], staff_count=max(0, staff_count), seats=max(0, seats)
            )
            log_action(
                actor=actor,
                action="gonghui.congress.constituency_added",
                obj=constituency,
                org_path=congress.org.path,
            )
    except IntegrityError:
        raise ServiceError(
            "constituency_exists", _("This constituency already exists."), field="name", status=409
        ) from None
    return constituency


def delegate_add(
    *,
    actor: Any,
    congress: Congress,
    elected_on: datetime.date,
    category: str,
    constituency: Constituency | None = None,
    member: Member | None = None,
    name: str = "",
    sex: str = "",
    middle_manager: bool = False,
    dispatched: bool = False,
    user: Any = None,
    replaces: Delegate | None = None,
) -> Delegate:
    """Record a delegate elected by a constituency. A union member brings their name, sex and account."""
    require(actor=actor, perm=MANAGE, org=congress.org)
    if constituency is not None and constituency.congress_id != congress.pk:
        raise NotFound(_("No such constituency."))
    if category not in DelegateCategory.values:
        raise ServiceError("bad_category", _("Choose the delegate's category."), field="category")
    if member is not None:
        if member.org_id != congress.org_id or member.status != MemberStatus.ACTIVE:
            raise ServiceError(
                "not_a_member_here", _("This person is not an active member of the union."), field="member"
            )
        name = name or member.name
        sex = sex or member.sex
        user = user or member.user
        dispatched = dispatched or member.employment_form == "dispatched"
    name = name.strip()
    if not name:
        raise ServiceError("name_required", _("Enter the delegate's name."), field="name")
    if sex not in Sex.values:
        raise ServiceError("sex_required", _("Choose the delegate's sex."), field="sex")
    if replaces is not None and (
        replaces.congress_id != congress.pk or replaces.status == DelegateStatus.ACTIVE
    ):
        raise ServiceError(
            "not_replaceable", _("Only a delegate whose service has ended can be replaced."), field="replaces"
        )
    try:
        with transaction.atomic():
            delegate = Delegate.objects.create(
                congress=congress,
                constituency=constituency,
                member=member,
                user=user,
                name=name[:60],
                category=category,
                middle_manager=middle_manager,
                sex=sex,
                dispatched=dispatched,
                elected_on=elected_on,
                replaces=replaces,
            )
            log_action(
                actor=actor,
                action="gonghui.congress.delegate_replaced"
                if replaces
                else "gonghui.congress.delegate_added",
                obj=delegate,
                org_path=congress.org.path,
                data={"replaces": replaces.pk} if replaces else None,
            )
    except IntegrityError:
        raise ServiceError(
            "already_delegate", _("This person is already a serving delegate."), status=409
        ) from None
    return delegate


def delegate_recall(
    *, actor: Any, delegate: Delegate, votes_for: int, constituency_size: int, on: datetime.date, reason: str
) -> Delegate:
    """Recall a delegate: it carries only with more than half of the constituency (DOMAIN §3)."""
    require(actor=actor, perm=MANAGE, org=delegate.congress.org)
    if delegate.status != DelegateStatus.ACTIVE:
        raise ServiceError("not_serving", _("This delegate is not serving."), status=409)
    if votes_for < 0 or constituency_size < 1 or votes_for > constituency_size:
        raise ServiceError(
            "bad_recall_count",
            _("Enter the votes for the recall and the constituency's size."),
            field="votes_for",
        )
    if not rules.recall_carries(votes_for=votes_for, constituency_size=constituency_size):
        raise ServiceError(
            "recall_short",
            _("A recall needs more than half of the constituency: %(need)s of %(size)s, not %(got)s.")
            % {"need": constituency_size // 2 + 1, "size": constituency_size, "got": votes_for},
            field="votes_for",
        )
    if not reason.strip():
        raise ServiceError("reason_required", _("Give the reason."), field="reason")
    with transaction.atomic():
        delegate.status = DelegateStatus.RECALLED
        delegate.ended_on = on
        delegate.end_reason = reason.strip()[:300]
        delegate.recall_votes = votes_for
        delegate.recall_electorate = constituency_size
        delegate.save()
        log_action(
            actor=actor,
            action="gonghui.congress.delegate_recalled",
            obj=delegate,
            org_path=delegate.congress.org.path,
            data={"votes_for": votes_for, "constituency_size": constituency_size},
        )
    return delegate


def delegate_end(*, actor: Any, delegate: Delegate, status: str, on: datetime.date, reason: str) -> Delegate:
    """A delegate resigns or leaves the unit; the row stays for the record."""
    require(actor=actor, perm=MANAGE, org=delegate.congress.org)
    if status not in (DelegateStatus.RESIGNED, DelegateStatus.LEFT):
        raise ServiceError("bad_status", _("Choose resigned or left the unit."), field="status")
    if delegate.status != DelegateStatus.ACTIVE:
        raise ServiceError("not_serving", _("This delegate is not serving."), status=409)
    with transaction.atomic():
        delegate.status = status
        delegate.ended_on = on
        delegate.end_reason = reason.strip()[:300]
        delegate.save()
        log_action(
            actor=actor,
            action="gonghui.congress.delegate_ended",
            obj=delegate,
            org_path=delegate.congress.org.path,
            data={"status": status},
        )
    return delegate


# --- meetings ----------------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: Any,
    congress: Congress,
    title: str,
    starts_at: datetime.datetime,
    place: str = "",
    agenda: list[tuple[str, str]] | None = None,
) -> Meeting:
    """Plan a meeting with its agenda: a list of (title, kind)."""
    require(actor=actor, perm=MANAGE, org=congress.org)
    title = title.strip()
    if not title:
        raise ServiceError("title_required", _("Give the meeting a title."), field="title")
    items = [(t.strip(), k or AgendaKind.REPORT) for t, k in (agenda or []) if t.strip()]
    if any(k not in AgendaKind.values for _t, k in items):
        raise ServiceError("bad_kind", _("Unknown kind of agenda item."), field="agenda")
    with transaction.atomic():
        number = (
            Meeting.objects.filter(congress=congress)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        meeting = Meeting.objects.create(
            congress=congress,
            number=number,
            title=title[:200],
            starts_at=starts_at,
            place=place.strip()[:200],
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, order=i, title=t[:200], kind=k)
            for i, (t, k) in enumerate(items, start=1)
        )
        log_action(
            actor=actor, action="gonghui.congress.meeting_created", obj=meeting, org_path=congress.org.path
        )
    return meeting


def agenda_item_add(
    *, actor: Any, meeting: Meeting, title: str, kind: str = AgendaKind.REPORT, description: str = ""
) -> AgendaItem:
    require(actor=actor, perm=MANAGE, org=meeting.congress.org)
    if not title.strip():
        raise ServiceError("title_required", _("Give the agenda item a title."), field="title")
    if kind not in AgendaKind.values:
        raise ServiceError("bad_kind", _("Unknown kind of agenda item."), field="kind")
    if meeting.status == MeetingStatus.CLOSED:
        raise ServiceError("meeting_closed", _("The meeting is closed."), status=409)
    with transaction.atomic():
        order = (
            AgendaItem.objects.filter(meeting=meeting)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
            or 0
        ) + 1
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            title=title.strip()[:200],
            kind=kind,
            description=description.strip(),
        )
        log_action(
            actor=actor, action="gonghui.congress.agenda_added", obj=item, org_path=meeting.congress.org.path
        )
    return item


def meeting_document_add(*, actor: Any, meeting: Meeting, title: str, file: Any) -> MeetingDocument:
    require(actor=actor, perm=MANAGE, org=meeting.congress.org)
    kind = check_upload(file, allowed=DOCUMENT_TYPES)
    with transaction.atomic():
        stored = store_upload(file, folder="congress")
        doc = MeetingDocument.objects.create(
            meeting=meeting,
            title=(title.strip() or getattr(file, "name", "") or "document")[:200],
            stored=stored,
            content_type=kind,
            size=getattr(file, "size", 0) or 0,
            uploaded_by=actor,
        )
        log_action(
            actor=actor, action="gonghui.congress.document_added", obj=doc, org_path=meeting.congress.org.path
        )
    return doc


def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    require(actor=actor, perm=MANAGE, org=meeting.congress.org)
    if meeting.status != MeetingStatus.PLANNED:
        raise ServiceError("meeting_not_planned", _("Only a planned meeting can be opened."), status=409)
    with transaction.atomic():
        meeting.status = MeetingStatus.OPEN
        meeting.opened_at = timezone.now()
        meeting.current_item = meeting.agenda.order_by("order").first()
        meeting.save()
        log_action(
            actor=actor,
            action="gonghui.congress.meeting_opened",
            obj=meeting,
            org_path=meeting.congress.org.path,
        )
    return meeting


def meeting_close(*, actor: Any, meeting: Meeting) -> Meeting:
    require(actor=actor, perm=MANAGE, org=meeting.congress.org)
    if meeting.status != MeetingStatus.OPEN:
        raise ServiceError("meeting_not_open", _("The meeting is not in session."), status=409)
    if meeting.polls.filter(status=PollStatus.OPEN).exists():
        raise ServiceError("poll_open", _("Close the open vote first."), status=409)
    with transaction.atomic():
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = timezone.now()
        meeting.save()
        log_action(
            actor=actor,
            action="gonghui.congress.meeting_closed",
            obj=meeting,
            org_path=meeting.congress.org.path,
        )
    return meeting


def meeting_set_item(*, actor: Any, meeting: Meeting, item: AgendaItem) -> Meeting:
    """Move the meeting (and the big screen) to an agenda item."""
    require(actor=actor, perm=MANAGE, org=meeting.congress.org)
    if item.meeting_id != meeting.pk:
        raise NotFound(_("No such agenda item."))
    if meeting.status == MeetingStatus.CLOSED:
        raise ServiceError("meeting_closed", _("The meeting is closed."), status=409)
    with transaction.atomic():
        meeting.current_item = item
        meeting.save(update_fields=["current_item"])
        log_action(
            actor=actor,
            action="gonghui.congress.agenda_current",
            obj=meeting,
            org_path=meeting.congress.org.path,
            data={"item": item.pk},
        )
    return meeting


def _require_checkin_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.OPEN:
        raise ServiceError(
            "meeting_not_open", _("Check-in opens when the meeting is in session."), status=409
        )


def attendance_checkin(*, user: Any, token: str) -> Attendance:
    """A delegate checks themselves in by scanning the meeting's QR code. Scanning twice is harmless."""
    meeting = Meeting.objects.select_related("congress").filter(checkin_token=token).first()
    if meeting is None:
        raise NotFound(_("This check-in code is not valid."))
    delegate = Delegate.objects.filter(
        congress=meeting.congress, user=user, status=DelegateStatus.ACTIVE
    ).first()
    if delegate is None:
        raise ServiceError(
            "not_a_delegate", _("You are not a serving delegate of this congress."), status=403
        )
    _require_checkin_open(meeting)
    existing = Attendance.objects.filter(meeting=meeting, delegate=delegate).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting, delegate=delegate, method=CheckinMethod.QR, checked_in_at=timezone.now()
            )
    except IntegrityError:
        return Attendance.objects.get(meeting=meeting, delegate=delegate)
    return attendance


def attendance_record(*, actor: Any, meeting: Meeting, delegate: Delegate) -> Attendance:
    """The secretariat checks a delegate in at the door (no phone, or the phone failed)."""
    require(actor=actor, perm=MANAGE, org=meeting.congress.org)
    if delegate.congress_id != meeting.congress_id:
        raise NotFound(_("No such delegate."))
    if delegate.status != DelegateStatus.ACTIVE:
        raise ServiceError("not_serving", _("This delegate is not serving."), status=409)
    _require_checkin_open(meeting)
    existing = Attendance.objects.filter(meeting=meeting, delegate=delegate).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        attendance = Attendance.objects.create(
            meeting=meeting,
            delegate=delegate,
            method=CheckinMethod.SECRETARIAT,
            checked_in_at=timezone.now(),
            recorded_by=actor,
        )
        log_action(
            actor=actor,
            action="gonghui.congress.checked_in",
            obj=attendance,
            org_path=meeting.congress.org.path,
            data={"delegate": delegate.pk},
        )
    return attendance
