"""Cadre pages of the congress's votes (DOMAIN §3): a resolution item by item or an election round, opened only
with the quorum present, closed, counted (paper ballots entered twice, by two tellers), published, and further
rounds for tied or unfilled seats. Before the count a page shows who may vote, who is present and how many
have voted: never a mark.

The tellers' entry page is the exception to @console_view: a teller may be a delegate without any union role,
so it needs only a login and that the person is one of the poll's two tellers (selectors.poll_for_teller).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.congress import selectors, services
from gonghui.congress.models import (
    AgendaKind,
    Channel,
    Congress,
    Delegate,
    DelegateStatus,
    Meeting,
    PaperEntry,
    Poll,
    PollKind,
    PollStatus,
)
from gonghui.core.errors import ServiceError
from gonghui.orgs.models import RoleAssignment
from gonghui.orgs.selectors import actor_can

from ..forms_congress import BLANK, NextRoundForm, PaperEntryForm, PaperIssueForm, PollForm, lines
from .common import ConsoleRequest, account_gate, console_view
from .congress import MANAGE, attempt, result_view, show

MAX_WRITE_INS = 5


def _tellers(congress: Congress) -> dict[int, tuple[User, str]]:
    """Who may count paper ballots: the people holding a role in the union, and the delegates' accounts."""
    people: dict[int, tuple[User, str]] = {}
    for ra in RoleAssignment.objects.filter(org=congress.org).select_related("user").order_by("pk"):
        people.setdefault(ra.user_id, (ra.user, _("%(name)s (union cadre)") % {"name": ra.user.real_name}))
    for d in (
        Delegate.objects.filter(congress=congress, status=DelegateStatus.ACTIVE, user__isnull=False)
        .select_related("user")
        .order_by("name", "pk")
    ):
        people.setdefault(d.user_id, (d.user, _("%(name)s (delegate)") % {"name": d.name}))  # type: ignore[arg-type]
    return people


@console_view
def poll_new(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    """A resolution (items, open or secret) or an election (seats, candidates, write-ins, tellers)."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=MANAGE)
    congress = meeting.congress
    agenda = list(meeting.agenda.all())
    tellers = _tellers(congress)
    item = meeting.current_item
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            "agenda_item": item.pk,
            "title": item.title,
            "kind": PollKind.ELECTION if item.kind == AgendaKind.ELECTION else PollKind.RESOLUTION,
        }
    form = PollForm(
        request.POST or None,
        initial=initial,
        agenda=[(a.pk, f"{a.order}. {a.title}") for a in agenda],
        tellers=[(pk, label) for pk, (_u, label) in tellers.items()],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        by_id = {a.pk: a for a in agenda}
        try:
            poll = services.poll_create(
                actor=request.user,
                meeting=meeting,
                kind=d["kind"],
                title=d["title"],
                options=lines(d["options"]),
                secret=d["secret"],
                seats=d.get("seats"),
                contested=d["contested"],
                allow_write_ins=d["allow_write_ins"],
                agenda_item=by_id.get(d["agenda_item"]) if d["agenda_item"] else None,
                teller_a=tellers[d["teller_a"]][0] if d["teller_a"] else None,
                teller_b=tellers[d["teller_b"]][0] if d["teller_b"] else None,
            )
        except ServiceError as exc:
            show(form, exc)
        else:
            messages.success(request, _("The vote was prepared. Open it when the delegates are ready."))
            return redirect("console:poll_detail", poll_id=poll.pk)
    return render(
        request,
        "console/congress/poll_new.html",
        {"meeting": meeting, "congress": congress, "form": form, "margin": congress.contest_margin_percent},
    )


def _paper_choices(poll: Poll, meeting: Meeting) -> list[tuple[int, str]]:
    """Present serving delegates who have neither voted nor been handed a ballot in this poll."""
    done = set(poll.participations.values_list("delegate_id", flat=True))
    return [
        (d.pk, d.name + (f" · {d.constituency.name}" if d.constituency else ""))
        for d, a in selectors.attendance_sheet(meeting=meeting)
        if a is not None and d.pk not in done
    ]


@console_view
def poll_detail(request: ConsoleRequest, poll_id: int) -> HttpResponse:
    poll = selectors.poll_get(actor=request.user, poll_id=poll_id)
    meeting = poll.meeting
    congress = meeting.congress
    may_manage = actor_can(request.user, MANAGE, congress.org)
    live = poll.status in (PollStatus.OPEN, PollStatus.CLOSED)
    turnout = services.poll_turnout(poll) if poll.status != PollStatus.DRAFT else None
    counting = poll.status == PollStatus.CLOSED and poll.result is None
    paper = poll.participations.filter(channel=Channel.PAPER).count() if live else 0
    entered: dict[int | None, int] = {}
    mismatches: list[int] = []
    if counting and paper and poll.teller_a_id:
        for teller_id in (poll.teller_a_id, poll.teller_b_id):
            entered[teller_id] = PaperEntry.objects.filter(poll=poll, teller_id=teller_id).count()
        mismatches = services.paper_mismatches(poll)
    shown = result_view(poll, selectors.result_for_display(poll, cadre=True))
    try:
        next_round = poll.next_round  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        next_round = None
    result = poll.result or {}
    further = (
        poll.kind == PollKind.ELECTION
        and next_round is None
        and (
            poll.status == PollStatus.VOID
            or (poll.status == PollStatus.PUBLISHED and (result.get("runoff") or result.get("unfilled")))
        )
    )
    return render(
        request,
        "console/congress/poll.html",
        {
            "poll": poll,
            "meeting": meeting,
            "congress": congress,
            "options": list(poll.options.all()),
            "turnout": turnout,
            "counting": counting,
            "paper": paper,
            "entered_a": entered.get(poll.teller_a_id, 0),
            "entered_b": entered.get(poll.teller_b_id, 0),
            "mismatches": mismatches,
            "is_teller": request.user.pk in (poll.teller_a_id, poll.teller_b_id),
            "shown": shown,
            "further": further,
            "next_round": next_round,
            "unfilled": result.get("unfilled", 0) if poll.status == PollStatus.PUBLISHED else 0,
            "may_manage": may_manage,
            "issue_form": PaperIssueForm(delegates=_paper_choices(poll, meeting))
            if may_manage and poll.status == PollStatus.OPEN
            else None,
            "next_form": NextRoundForm(),
        },
    )


def _poll_step(request: ConsoleRequest, poll_id: int, step: Any, done: str) -> HttpResponse:
    poll = selectors.poll_get(actor=request.user, poll_id=poll_id, perm=MANAGE)
    attempt(request, lambda: step(poll), done)
    return redirect("console:poll_detail", poll_id=poll.pk)


@require_POST
@console_view
def poll_open(request: ConsoleRequest, poll_id: int) -> HttpResponse:
    """Open voting; refused, with the numbers, when fewer than the quorum are present."""
    return _poll_step(
        request, poll_id, lambda p: services.poll_open(actor=request.user, poll=p), _("Voting is open.")
    )


@require_POST
@console_view
def poll_close(request: ConsoleRequest, poll_id: int) -> HttpResponse:
    return _poll_step(
        request,
        poll_id,
        lambda p: services.poll_close(actor=request.user, poll=p),
        _("Voting is closed."),
    )


@require_POST
@console_view
def poll_count(request: ConsoleRequest, poll_id: int) -> HttpResponse:
    return _poll_step(
        request,
        poll_id,
        lambda p: services.poll_count(actor=request.user, poll=p),
        _("The votes were counted."),
    )


@require_POST
@console_view
def poll_publish(request: ConsoleRequest, poll_id: int) -> HttpResponse:
    return _poll_step(
        request,
        poll_id,
        lambda p: services.poll_publish(actor=request.user, poll=p),
        _("The result was published."),
    )


@require_POST
@console_view
def poll_next_round(request: ConsoleRequest, poll_id: int) -> HttpResponse:
    """A further round for the tied candidates, for unfilled seats with new candidates, or a void round again."""
    poll = selectors.poll_get(actor=request.user, poll_id=poll_id, perm=MANAGE)
    form = NextRoundForm(request.POST)
    candidates = lines(form.cleaned_data.get("candidates") or "") if form.is_valid() else []
    try:
        new = services.poll_next_round(actor=request.user, poll=poll, candidates=candidates)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return redirect("console:poll_detail", poll_id=poll.pk)
    messages.success(request, _("The next round was prepared."))
    return redirect("console:poll_detail", poll_id=new.pk)


@require_POST
@console_view
def paper_issue(request: ConsoleRequest, poll_id: int) -> HttpResponse:
    """The secretariat hands a present delegate a paper ballot; it counts as their vote being taken."""
    poll = selectors.poll_get(actor=request.user, poll_id=poll_id, perm=MANAGE)
    try:
        delegate_id = int(request.POST.get("delegate", ""))
    except ValueError:
        delegate_id = 0
    delegate = selectors.delegates(congress=poll.meeting.congress).filter(pk=delegate_id).first()
    if delegate is None:
        messages.error(request, _("Choose a delegate."))
    else:
        attempt(
            request,
            lambda: services.paper_issue(actor=request.user, poll=poll, delegate=delegate),
            _("A paper ballot was handed to %(name)s.") % {"name": delegate.name},
        )
    return redirect(reverse("console:poll_detail", args=[poll.pk]) + "#paper")


@login_required
def paper_entry(request: HttpRequest, poll_id: int) -> HttpResponse:
    """A teller enters the returned paper ballots one by one, by the number written on each."""
    if (gate := account_gate(request)) is not None:
        return gate
    poll = selectors.poll_for_teller(actor=request.user, poll_id=poll_id)
    options = list(poll.options.values_list("pk", "label"))
    write_ins = (
        min(poll.seats or 0, MAX_WRITE_INS) if poll.kind == PollKind.ELECTION and poll.allow_write_ins else 0
    )
    mine = {
        e.serial: e
        for e in PaperEntry.objects.filter(poll=poll, teller_id=request.user.pk).order_by("serial")
    }
    try:
        serial = int(request.GET.get("serial", ""))
    except ValueError:
        serial = max(mine, default=0) + 1
    initial: dict[str, Any] = {"serial": serial}
    if serial in mine:  # correcting an entry: show it as entered
        e = mine[serial]
        initial["spoilt"] = e.spoilt
        for oid, _label in options:
            initial[f"o{oid}"] = e.marks.get(str(oid), BLANK)
        for i, name in enumerate(e.write_ins[:write_ins]):
            initial[f"w{i}"] = name
    form = PaperEntryForm(request.POST or None, options=options, write_ins=write_ins, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.paper_entry_record(
                actor=request.user,
                poll=poll,
                serial=d["serial"],
                marks=form.marks(),
                write_ins=form.names(),
                spoilt=d["spoilt"],
            )
        except ServiceError as exc:
            show(form, exc)
        else:
            messages.success(request, _("Ballot %(n)s was entered.") % {"n": d["serial"]})
            url = reverse("console:paper_entry", args=[poll.pk])
            return redirect(f"{url}?serial={max([*mine, d['serial']]) + 1}")
    counting = poll.status == PollStatus.CLOSED and poll.result is None
    return render(
        request,
        "console/congress/paper_entry.html",
        {
            "poll": poll,
            "form": form,
            "entered": sorted(mine),
            "mismatches": services.paper_mismatches(poll) if counting else [],
            "counting": counting,
            "issued": poll.participations.filter(channel=Channel.PAPER).count(),
            "editing": serial in mine,
        },
    )
