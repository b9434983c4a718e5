"""Writes for votes: creating, opening, casting, paper ballots, closing, counting, publishing, further rounds.

The secret ballot (DOMAIN §3, decisions §18): `ballot_cast` writes the `Participation` ("this delegate has
voted") and the anonymous `Ballot` in one transaction; the database refuses a second participation of the same
delegate, which rolls the ballot back with it. No log line, audit record or notice names a ballot. When the
poll closes, `poll_close` rewrites its ballots in a random order with fresh random keys, so that neither the
order of rows nor PostgreSQL's per-transaction system columns (xmin) still follow the order of voting.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.crypto import blind_index
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.orgs.services import require

from .. import rules
from ..models import (
    AgendaItem,
    Attendance,
    Ballot,
    Channel,
    Delegate,
    DelegateStatus,
    Meeting,
    MeetingStatus,
    PaperEntry,
    Participation,
    Poll,
    PollKind,
    PollOption,
    PollStatus,
    new_ballot_id,
)

MANAGE = "congress.manage"
RECEIPT_PURPOSE = "congress.ballot.receipt"
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on a phone
RECEIPT_LENGTH = 12

Marks = dict[int, str]


def receipt_hash(code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return blind_index(normal, purpose=RECEIPT_PURPOSE)


def _new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _org_path(poll: Poll) -> str:
    return poll.meeting.congress.org.path


def serving_count(congress_id: int) -> int:
    return Delegate.objects.filter(congress_id=congress_id, status=DelegateStatus.ACTIVE).count()


def present_count(meeting: Meeting) -> int:
    return Attendance.objects.filter(meeting=meeting, delegate__status=DelegateStatus.ACTIVE).count()


# --- setting up --------------------------------------------------------------------------------------


def poll_create(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    title: str,
    options: list[str],
    secret: bool = True,
    seats: int | None = None,
    contested: bool = True,
    allow_write_ins: bool = True,
    agenda_item: AgendaItem | None = None,
    teller_a: Any = None,
    teller_b: Any = None,
) -> Poll:
    """A resolution with its items, or an election with its seats and candidates. Elections are secret."""
    congress = meeting.congress
    require(actor=actor, perm=MANAGE, org=congress.org)
    if meeting.status == MeetingStatus.CLOSED:
        raise ServiceError("meeting_closed", _("The meeting is closed."), status=409)
    if kind not in PollKind.values:
        raise ServiceError("bad_kind", _("Choose a resolution or an election."), field="kind")
    title = title.strip()
    if not title:
        raise ServiceError("title_required", _("Give the vote a title."), field="title")
    labels = [o.strip() for o in options if o and o.strip()]
    if not labels:
        raise ServiceError("options_required", _("List at least one item or candidate."), field="options")
    if len({rules.normalize_name(label) for label in labels}) != len(labels):
        raise ServiceError("duplicate_option", _("An item or candidate is listed twice."), field="options")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise NotFound(_("No such agenda item."))
    if kind == PollKind.ELECTION:
        secret = True  # elections are always by secret ballot
        if not seats or seats < 1:
            raise ServiceError("seats_required", _("Enter the number of seats."), field="seats")
        if contested:
            need = rules.contest_minimum(seats=seats, margin_percent=congress.contest_margin_percent)
            if len(labels) < need:
                raise ServiceError(
                    "too_few_candidates",
                    _("A contested election for %(seats)s seats needs at least %(need)s candidates.")
                    % {"seats": seats, "need": need},
                    field="options",
                )
        elif len(labels) != seats:
            raise ServiceError(
                "uncontested_count",
                _("An uncontested election has as many candidates as seats."),
                field="options",
            )
    else:
        seats, contested, allow_write_ins = None, False, False
    if (teller_a is None) != (teller_b is None) or (teller_a is not None and teller_a.pk == teller_b.pk):
        raise ServiceError("two_tellers", _("Paper ballots need two different tellers."), field="teller_b")
    with transaction.atomic():
        poll = Poll.objects.create(
            meeting=meeting,
            agenda_item=agenda_item,
            kind=kind,
            title=title[:200],
            secret=secret,
            seats=seats,
            contested=contested,
            allow_write_ins=allow_write_ins,
            teller_a=teller_a,
            teller_b=teller_b,
            created_by=actor,
        )
        PollOption.objects.bulk_create(
            PollOption(poll=poll, order=i, label=label[:200]) for i, label in enumerate(labels, start=1)
        )
        log_action(actor=actor, action="gonghui.congress.poll_created", obj=poll, org_path=congress.org.path)
    return poll


def _locked(poll: Poll) -> Poll:
    return Poll.objects.select_for_update().select_related("meeting__congress__org").get(pk=poll.pk)


def poll_open(*, actor: Any, poll: Poll) -> Poll:
    """Open voting. Refused without the quorum: at least two thirds of all serving delegates present."""
    congress = poll.meeting.congress
    require(actor=actor, perm=MANAGE, org=congress.org)
    with transaction.atomic():
        poll = _locked(poll)
        if poll.status != PollStatus.DRAFT:
            raise ServiceError("poll_not_draft", _("Only a vote in preparation can be opened."), status=409)
        if poll.meeting.status != MeetingStatus.OPEN:
            raise ServiceError("meeting_not_open", _("Open the meeting first."), status=409)
        electorate = serving_count(congress.pk)
        present = present_count(poll.meeting)
        if not rules.has_quorum(present=present, electorate=electorate, quorum=congress.quorum):
            raise ServiceError(
                "no_quorum",
                _("No quorum: %(need)s of the %(all)s delegates must be present, %(present)s are.")
                % {
                    "need": rules.quorum_needed(electorate=electorate, quorum=congress.quorum),
                    "all": electorate,
                    "present": present,
                },
                status=409,
                details={"present": present, "electorate": electorate},
            )
        poll.status = PollStatus.OPEN
        poll.electorate = electorate
        poll.present_at_open = present
        poll.opened_at = timezone.now()
        poll.save()
        log_action(
            actor=actor,
            action="gonghui.congress.poll_opened",
            obj=poll,
            org_path=congress.org.path,
            data={"electorate": electorate, "present": present},
        )
    return poll


# --- voting ------------------------------------------------------------------------------------------


def _clean_marks(
    poll: Poll, option_ids: set[int], marks: dict[Any, Any], write_ins: list[str]
) -> tuple[Marks, list[str]]:
    clean: Marks = {}
    for key, choice in marks.items():
        try:
            oid = int(key)
        except (TypeError, ValueError):
            raise ServiceError("bad_mark", _("This ballot marks an unknown item."), field="marks") from None
        if oid not in option_ids:
            raise ServiceError("bad_mark", _("This ballot marks an unknown item."), field="marks")
        if choice in ("", None):
            continue  # left blank: an abstention
        if choice not in rules.CHOICES:
            raise ServiceError("bad_choice", _("Mark approve, oppose or abstain."), field="marks")
        clean[oid] = choice
    names = [rules.normalize_name(n) for n in write_ins if n and rules.normalize_name(n)]
    if names and not poll.allow_write_ins:
        raise ServiceError("no_write_ins", _("This vote does not take other names."), field="write_ins")
    if any(len(n) > 30 for n in names):
        raise ServiceError("write_in_long", _("A written-in name is too long."), field="write_ins")
    return clean, names


def ballot_cast(
    *, user: Any, poll: Poll, marks: dict[Any, Any], write_ins: list[str] | None = None
) -> str | None:
    """A delegate votes from their phone. Returns the receipt code of a secret ballot (shown once), or None
    for an open vote. Refused before the poll opens or after it closes, for anyone not a serving delegate who
    checked in, for a ballot approving more people than seats, and for a second vote."""
    poll = Poll.objects.select_related("meeting").get(pk=poll.pk)
    # One query answers who the voter is, whether they checked in and whether they already voted.
    delegate = (
        Delegate.objects.filter(congress_id=poll.meeting.congress_id, user=user, status=DelegateStatus.ACTIVE)
        .annotate(
            present=Exists(Attendance.objects.filter(meeting_id=poll.meeting_id, delegate=OuterRef("pk"))),
            voted=Exists(Participation.objects.filter(poll_id=poll.pk, delegate=OuterRef("pk"))),
        )
        .only("pk")
        .first()
    )
    if delegate is None:
        raise PermissionDenied(_("Only serving delegates of this congress vote."))
    # Only a delegate learns whether the poll is open.
    if poll.status != PollStatus.OPEN:
        raise ServiceError("poll_not_open", _("This vote is not open."), status=409)
    if not delegate.present:
        raise ServiceError("not_checked_in", _("Check in at the meeting before voting."), status=409)
    if delegate.voted:
        raise ServiceError("already_voted", _("You have already voted in this vote."), status=409)
    options = list(PollOption.objects.filter(poll=poll).values_list("pk", "label"))
    clean, names = _clean_marks(poll, {oid for oid, _l in options}, marks, write_ins or [])
    seats = poll.seats if poll.kind == PollKind.ELECTION else None
    ballot = rules.BallotMarks(clean, tuple(names))
    if seats is not None:
        approved = len(rules.approvals_on(ballot, options))
        if approved > seats:
            raise ServiceError(
                "too_many_approvals",
                _("You approved %(n)s people for %(seats)s seats; such a ballot would be invalid.")
                % {"n": approved, "seats": seats},
                field="marks",
            )
    receipt = _new_receipt() if poll.secret else None
    try:
        with transaction.atomic():
            # Both rows or neither: the unique (poll, delegate) constraint refuses a second vote and takes the
            # ballot back with it. Nothing here refers from one row to the other.
            Participation.objects.create(
                poll=poll,
                delegate=delegate,
                channel=Channel.PHONE,
                open_marks=None if poll.secret else {str(k): v for k, v in clean.items()},
            )
            if receipt is not None:
                Ballot.objects.create(
                    poll=poll,
                    marks={str(k): v for k, v in clean.items()},
                    write_ins=names,
                    receipt_hash=receipt_hash(receipt),
                    channel=Channel.PHONE,
                )
            # The poll may have closed while this request was under way: checked again inside the transaction.
            if not _still_open(poll.pk):
                raise ServiceError("poll_not_open", _("This vote is not open."), status=409)
    except IntegrityError:
        raise ServiceError("already_voted", _("You have already voted in this vote."), status=409) from None
    return receipt


def _still_open(poll_id: int) -> bool:
    """Whether the poll is still open, read so that a concurrent close waits for this vote or this vote sees
    the close. On PostgreSQL a shared row lock: votes do not wait for each other, only `poll_close`'s exclusive
    lock waits for them. SQLite serialises writing transactions anyway (BEGIN IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM congress_poll WHERE id = %s FOR SHARE", [poll_id])
            row = cursor.fetchone()
        return row is not None and row[0] == PollStatus.OPEN
    return Poll.objects.filter(pk=poll_id, status=PollStatus.OPEN).exists()


def paper_issue(*, actor: Any, poll: Poll, delegate: Delegate) -> Participation:
    """The secretariat hands a present delegate a paper ballot; it counts as their participation."""
    poll = Poll.objects.select_related("meeting__congress__org").get(pk=poll.pk)
    require(actor=actor, perm=MANAGE, org=poll.meeting.congress.org)
    if delegate.congress_id != poll.meeting.congress_id:
        raise NotFound(_("No such delegate."))
    if poll.status != PollStatus.OPEN:
        raise ServiceError("poll_not_open", _("This vote is not open."), status=409)
    if delegate.status != DelegateStatus.ACTIVE:
        raise ServiceError("not_serving", _("This delegate is not serving."), status=409)
    if not Attendance.objects.filter(meeting_id=poll.meeting_id, delegate=delegate).exists():
        raise ServiceError("not_checked_in", _("Check the delegate in first."), status=409)
    try:
        with transaction.atomic():
            participation = Participation.objects.create(poll=poll, delegate=delegate, channel=Channel.PAPER)
            log_action(
                actor=actor,
                action="gonghui.congress.paper_issued",
                obj=poll,
                org_path=_org_path(poll),
                data={"delegate": delegate.pk},
            )
    except IntegrityError:
        raise ServiceError(
            "already_voted", _("This delegate has already voted or has a ballot."), status=409
        ) from None
    return participation


def paper_entry_record(
    *,
    actor: Any,
    poll: Poll,
    serial: int,
    marks: dict[Any, Any],
    write_ins: list[str] | None = None,
    spoilt: bool = False,
) -> PaperEntry:
    """A teller enters one returned paper ballot after voting closed. Each teller enters every ballot; an entry
    may be corrected by the same teller until the count."""
    poll = Poll.objects.select_related("meeting__congress__org").get(pk=poll.pk)
    if actor is None or actor.pk not in (poll.teller_a_id, poll.teller_b_id):
        raise PermissionDenied(_("Only the two tellers of this vote enter paper ballots."))
    if poll.status != PollStatus.CLOSED or poll.result is not None:
        raise ServiceError(
            "not_counting",
            _("Paper ballots are entered after voting closes and before the count."),
            status=409,
        )
    if serial < 1:
        raise ServiceError("bad_serial", _("Number the ballots from 1."), field="serial")
    options = set(PollOption.objects.filter(poll=poll).values_list("pk", flat=True))
    # A paper ballot is entered as written, even if it approves too many: the count declares it invalid.
    clean, names = ({}, []) if spoilt else _clean_marks(poll, options, marks, write_ins or [])
    with transaction.atomic():
        entry, _created = PaperEntry.objects.update_or_create(
            poll=poll,
            teller=actor,
            serial=serial,
            defaults={"marks": {str(k): v for k, v in clean.items()}, "write_ins": names, "spoilt": spoilt},
        )
        log_action(
            actor=actor,
            action="gonghui.congress.paper_entered",
            obj=poll,
            org_path=_org_path(poll),
            data={"serial": serial},
        )
    return entry


# --- closing, counting, publishing --------------------------------------------------------------------


def _shuffle_ballots(poll: Poll) -> None:
    """Rewrite the poll's ballots in a random order under new random keys (see the module doc)."""
    rows = list(Ballot.objects.filter(poll=poll).values("marks", "write_ins", "receipt_hash", "channel"))
    random.SystemRandom().shuffle(rows)
    Ballot.objects.filter(poll=poll).delete()
    Ballot.objects.bulk_create(
        [Ballot(id=new_ballot_id(), poll=poll, **row) for row in rows], batch_size=1000
    )


def poll_close(*, actor: Any, poll: Poll) -> Poll:
    """Stop voting. Without paper ballots to enter, the count follows at once."""
    require(actor=actor, perm=MANAGE, org=poll.meeting.congress.org)
    with transaction.atomic():
        poll = _locked(poll)
        if poll.status != PollStatus.OPEN:
            raise ServiceError("poll_not_open", _("This vote is not open."), status=409)
        poll.status = PollStatus.CLOSED
        poll.closed_at = timezone.now()
        poll.save()
        if poll.secret:
            _shuffle_ballots(poll)
        log_action(actor=actor, action="gonghui.congress.poll_closed", obj=poll, org_path=_org_path(poll))
    if not poll.participations.filter(channel=Channel.PAPER).exists():
        poll = poll_count(actor=actor, poll=poll)
    return poll


def paper_mismatches(poll: Poll) -> list[int]:
    """Ballot numbers the two tellers entered differently, or only one of them entered."""
    a = {e.serial: e for e in PaperEntry.objects.filter(poll=poll, teller_id=poll.teller_a_id)}
    b = {e.serial: e for e in PaperEntry.objects.filter(poll=poll, teller_id=poll.teller_b_id)}
    out = []
    for serial in sorted(set(a) | set(b)):
        x, y = a.get(serial), b.get(serial)
        if (
            x is None
            or y is None
            or (x.marks, sorted(x.write_ins), x.spoilt) != (y.marks, sorted(y.write_ins), y.spoilt)
        ):
            out.append(serial)
    return out


def poll_count(*, actor: Any, poll: Poll) -> Poll:
    """Count a closed poll: merge the paper ballots both tellers entered alike, then apply the rules. More
    ballots back than issued voids the round. A spoilt paper ballot is counted as returned and invalid."""
    require(actor=actor, perm=MANAGE, org=poll.meeting.congress.org)
    with transaction.atomic():
        poll = _locked(poll)
        if poll.status != PollStatus.CLOSED or poll.result is not None:
            raise ServiceError(
                "not_counting", _("Only a closed vote not yet counted can be counted."), status=409
            )
        has_paper = poll.participations.filter(channel=Channel.PAPER).exists()
        spoilt = 0
        if has_paper:
            mismatched = paper_mismatches(poll)
            if mismatched:
                raise ServiceError(
                    "tellers_disagree",
                    _("The tellers' entries differ for ballots %(serials)s; check them and enter them again.")
                    % {"serials": ", ".join(str(s) for s in mismatched[:20])},
                    status=409,
                    details={"serials": mismatched},
                )
            entries = list(PaperEntry.objects.filter(poll=poll, teller_id=poll.teller_a_id))
            random.SystemRandom().shuffle(entries)
            spoilt = sum(1 for e in entries if e.spoilt)
            Ballot.objects.bulk_create(
                [
                    Ballot(
                        id=new_ballot_id(),
                        poll=poll,
                        marks=e.marks if not e.spoilt else {"spoilt": "spoilt"},
                        write_ins=e.write_ins,
                        # A paper ballot has no receipt; a random value keeps the (poll, receipt) key unique.
                        receipt_hash="paper:" + secrets.token_hex(16),
                        channel=Channel.PAPER,
                    )
                    for e in entries
                ]
            )
        options = list(PollOption.objects.filter(poll=poll).values_list("pk", "label"))
        raw: list[tuple[Any, Any]]
        if poll.secret:
            raw = list(Ballot.objects.filter(poll=poll).values_list("marks", "write_ins"))
        else:
            opened = Participation.objects.filter(poll=poll).values_list("open_marks", flat=True)
            raw = [(marks, []) for marks in opened]
        ballots = [_marks_from_row(m, w) for m, w in raw]
        issued = poll.participations.count()
        tally = rules.count_poll(
            options=options,
            ballots=ballots,
            electorate=poll.electorate or 0,
            issued=issued,
            seats=poll.seats if poll.kind == PollKind.ELECTION else None,
        )
        result = tally.as_dict()
        result["spoilt"] = spoilt
        result["electorate"] = poll.electorate
        result["present"] = poll.present_at_open
        poll.result = result
        if tally.void:
            poll.status = PollStatus.VOID
            poll.void_reason = str(
                _("More ballots came back (%(back)s) than were issued (%(issued)s): the round is void.")
                % {"back": tally.returned, "issued": issued}
            )
        poll.save()
        log_action(
            actor=actor,
            action="gonghui.congress.poll_void" if tally.void else "gonghui.congress.poll_counted",
            obj=poll,
            org_path=_org_path(poll),
            data={
                "issued": issued,
                "returned": tally.returned,
                "valid": tally.valid,
                "invalid": tally.invalid,
            },
        )
    return poll


def _marks_from_row(marks: Any, write_ins: Any) -> rules.BallotMarks:
    marks = marks or {}
    clean: dict[int, str] = {}
    for key, value in marks.items():
        try:
            clean[int(key)] = value
        except (TypeError, ValueError):
            clean[-1] = "spoilt"  # an unreadable paper ballot: invalid in the count
    return rules.BallotMarks(clean, tuple(write_ins or ()))


def poll_publish(*, actor: Any, poll: Poll) -> Poll:
    """Make a counted result visible to delegates, staff and the big screen."""
    require(actor=actor, perm=MANAGE, org=poll.meeting.congress.org)
    with transaction.atomic():
        poll = _locked(poll)
        if poll.status != PollStatus.CLOSED or poll.result is None:
            raise ServiceError("not_counted", _("Count the vote before publishing it."), status=409)
        poll.status = PollStatus.PUBLISHED
        poll.published_at = timezone.now()
        poll.save()
        log_action(actor=actor, action="gonghui.congress.poll_published", obj=poll, org_path=_org_path(poll))
    return poll


def poll_next_round(*, actor: Any, poll: Poll, candidates: list[str] | None = None) -> Poll:
    """A further round of an election: the candidates tied for the last seats, for those seats; or, for seats
    no one won, the candidates nominated again (`candidates`). A void round is repeated as it was."""
    require(actor=actor, perm=MANAGE, org=poll.meeting.congress.org)
    if poll.kind != PollKind.ELECTION:
        raise ServiceError("not_election", _("Only elections have further rounds."), status=409)
    if hasattr(poll, "next_round") and Poll.objects.filter(previous=poll).exists():
        raise ServiceError("round_exists", _("The next round already exists."), status=409)
    result = poll.result or {}
    labels = {c["key"]: c["label"] for c in result.get("counts", [])}
    contested = poll.contested
    if poll.status == PollStatus.VOID:
        seats = poll.seats or 1
        names = list(poll.options.values_list("label", flat=True))
    elif poll.status == PollStatus.PUBLISHED and result.get("runoff"):
        seats = int(result["runoff_seats"])
        names = [labels[k] for k in result["runoff"]]
        contested = len(names) > seats
    elif poll.status == PollStatus.PUBLISHED and result.get("unfilled"):
        seats = int(result["unfilled"])
        elected = {labels[k] for k in result.get("elected", [])}
        names = [c.strip() for c in (candidates or []) if c.strip() and c.strip() not in elected]
        contested = len(names) > seats
    else:
        raise ServiceError("no_further_round", _("This election needs no further round."), status=409)
    new = poll_create(
        actor=actor,
        meeting=poll.meeting,
        kind=PollKind.ELECTION,
        title=str(
            _("%(title)s, round %(round)s")
            % {"title": poll.title.split("·")[0].strip(), "round": poll.round + 1}
        ),
        options=names,
        seats=seats,
        contested=contested,
        allow_write_ins=poll.allow_write_ins,
        agenda_item=poll.agenda_item,
        teller_a=poll.teller_a,
        teller_b=poll.teller_b,
    )
    Poll.objects.filter(pk=new.pk).update(round=poll.round + 1, previous=poll)
    new.refresh_from_db()
    return new


def receipt_check(*, code: str) -> Poll | None:
    """The published poll a receipt's ballot was counted in, or None. It says nothing about the marks."""
    digest = receipt_hash(code)
    ballot = (
        Ballot.objects.filter(receipt_hash=digest, poll__status=PollStatus.PUBLISHED)
        .select_related("poll")
        .only("poll")
        .first()
    )
    return ballot.poll if ballot else None


def poll_turnout(poll: Poll) -> dict[str, int]:
    """Live figures shown while voting: entitled, present, voted. Never the marks before the count."""
    voted = Participation.objects.filter(poll=poll).aggregate(n=Count("pk"))["n"]
    return {
        "electorate": poll.electorate or serving_count(poll.meeting.congress_id),
        "present": present_count(poll.meeting),
        "voted": voted,
    }
