"""Delegate pages of the workers' congress (职代会, DOMAIN §3) on the phone: my congress and its meetings, the
check-in page the meeting's QR code opens, the ballot, the receipt check and the meeting documents.

A person sees only the congresses they serve in as a delegate; anything else is a 404 that does not say whether
it exists. The ballot's receipt code is shown once, on the page that answers the vote: never in the address,
the session or a message, so that nothing kept by the browser or the server links the delegate to it.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.congress import rules, selectors, services
from gonghui.congress.models import (
    Attendance,
    Delegate,
    Meeting,
    Participation,
    Poll,
    PollKind,
    PollOption,
    PollStatus,
)
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.uploads import TYPES, attachment_response, media_path

# 赞成 / 反对 / 弃权, in the order printed on a paper ballot.
CHOICE_LABELS = (
    (rules.APPROVE, gettext_lazy("For")),
    (rules.OPPOSE, gettext_lazy("Against")),
    (rules.ABSTAIN, gettext_lazy("Abstain")),
)


def _result_rows(poll: Poll) -> dict[str, Any] | None:
    """The published count of a poll, shaped for the result table: nothing before it is published."""
    result = selectors.result_for_display(poll, cadre=False)
    if result is None:
        return None
    elected = set(result.get("elected", []))
    runoff = set(result.get("runoff", []))
    rows = [
        {**c, "elected": c["key"] in elected, "runoff": c["key"] in runoff} for c in result.get("counts", [])
    ]
    return {**result, "rows": rows, "election": poll.kind == PollKind.ELECTION}


# --- my congress ---------------------------------------------------------------------------------------------


@login_required
def congress_home(request: HttpRequest) -> HttpResponse:
    """My congresses as a serving delegate: the meetings, whether I checked in, the votes open to me."""
    mine = list(selectors.own_delegateships(user=request.user))
    meetings = list(selectors.own_meetings(user=request.user)[:20])
    delegate_ids = [d.pk for d in mine]
    meeting_ids = [m.pk for m in meetings]
    present = set(
        Attendance.objects.filter(meeting_id__in=meeting_ids, delegate_id__in=delegate_ids).values_list(
            "meeting_id", flat=True
        )
    )
    open_polls = list(
        Poll.objects.filter(meeting_id__in=meeting_ids, status=PollStatus.OPEN)
        .annotate(
            mine=Exists(Participation.objects.filter(poll=OuterRef("pk"), delegate_id__in=delegate_ids))
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )
    for m in meetings:
        m.present = m.pk in present  # type: ignore[attr-defined]
    return render(
        request,
        "portal/congress/home.html",
        {"delegateships": mine, "meetings": meetings, "open_polls": open_polls},
    )


@login_required
def congress_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One meeting: the agenda with the item under way, the documents, the votes and their published results."""
    meeting, delegate = selectors.own_meeting_get(user=request.user, meeting_id=meeting_id)
    polls = list(selectors.polls(meeting=meeting).exclude(status=PollStatus.DRAFT))
    voted = set(
        Participation.objects.filter(delegate=delegate, poll__meeting=meeting).values_list(
            "poll_id", flat=True
        )
    )
    for p in polls:
        p.mine = p.pk in voted  # type: ignore[attr-defined]
        p.shown = _result_rows(p)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/congress/meeting.html",
        {
            "meeting": meeting,
            "delegate": delegate,
            "agenda": list(meeting.agenda.all()),
            "documents": list(meeting.documents.order_by("pk")),
            "polls": polls,
            "checked_in": selectors.is_checked_in(meeting=meeting, delegate=delegate),
        },
    )


@login_required
def congress_document(request: HttpRequest, meeting_id: int, document_id: int) -> HttpResponse:
    meeting, _delegate = selectors.own_meeting_get(user=request.user, meeting_id=meeting_id)
    doc = meeting.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound(_("No such document."))
    kind = next((t for t in TYPES.values() if t.content_type == doc.content_type), None)
    try:
        handle = open(media_path(doc.stored), "rb")  # noqa: SIM115  # closed by the response
    except (OSError, ValueError) as exc:
        raise NotFound(_("The file is missing.")) from exc
    name = doc.title
    if kind is not None and not name.lower().endswith(kind.extensions):
        name += kind.extensions[0]
    return cast(HttpResponse, attachment_response(handle, filename=name, content_type=doc.content_type))


# --- check-in ------------------------------------------------------------------------------------------------


def _meeting_by_token(request: HttpRequest, token: str) -> tuple[Meeting, Delegate] | None:
    """The meeting of this check-in code, if it belongs to a congress the person serves in."""
    meeting = selectors.own_meetings(user=request.user).filter(checkin_token=token[:32]).first()
    if meeting is None:
        return None
    return selectors.own_meeting_get(user=request.user, meeting_id=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def congress_checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The page the meeting's QR code opens: a button that checks me in. Scanning again is harmless."""
    found = _meeting_by_token(request, token)
    if found is None:
        return render(request, "portal/congress/checkin_invalid.html", status=404)
    meeting, delegate = found
    if request.method == "POST":
        try:
            services.attendance_checkin(user=request.user, token=token)
        except ServiceError as exc:
            if exc.status == 404:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("You are checked in. Welcome to the meeting."))
            return redirect("portal:congress_meeting", meeting_id=meeting.pk)
    return render(
        request,
        "portal/congress/checkin.html",
        {
            "meeting": meeting,
            "delegate": delegate,
            "checked_in": selectors.is_checked_in(meeting=meeting, delegate=delegate),
        },
    )


# --- the ballot ----------------------------------------------------------------------------------------------


def _form_marks(request: HttpRequest, options: list[PollOption]) -> dict[int, str]:
    marks = {}
    for option in options:
        choice = request.POST.get(f"opt-{option.pk}", "")
        if choice in rules.CHOICES:
            marks[option.pk] = choice
    return marks


def _write_in_slots(poll: Poll) -> int:
    return (poll.seats or 0) if poll.kind == PollKind.ELECTION and poll.allow_write_ins else 0


@login_required
@require_http_methods(["GET", "POST"])
def congress_vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The phone ballot: 赞成 / 反对 / 弃权 for each item or candidate (left blank is an abstention) and, in an
    election that allows it, other names (另选他人) up to the number of seats."""
    poll, delegate = selectors.own_poll_get(user=request.user, poll_id=poll_id)
    options = list(poll.options.all())
    marks: dict[int, str] = {}
    write_ins: list[str] = []
    if request.method == "POST":
        marks = _form_marks(request, options)
        write_ins = [w.strip() for w in request.POST.getlist("write_in")][: _write_in_slots(poll)]
        try:
            receipt = services.ballot_cast(
                user=request.user, poll=poll, marks=marks, write_ins=[w for w in write_ins if w]
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise
            messages.error(request, str(exc.message))
        else:
            # The receipt appears on this response only: not in a redirect's address, the session or a
            # message. The page must not be cached, so that going back does not show it to someone else.
            response = render(
                request,
                "portal/congress/voted.html",
                {"poll": poll, "meeting": poll.meeting, "receipt": receipt},
            )
            add_never_cache_headers(response)
            return response
    slots = _write_in_slots(poll)
    rows = [{"option": o, "choice": marks.get(o.pk, "")} for o in options]
    response = render(
        request,
        "portal/congress/vote.html",
        {
            "poll": poll,
            "meeting": poll.meeting,
            "rows": rows,
            "write_ins": (write_ins + [""] * slots)[:slots],
            "voted": selectors.has_voted(poll=poll, delegate=delegate),
            "checked_in": selectors.is_checked_in(meeting=poll.meeting, delegate=delegate),
            "result": _result_rows(poll),
            "choices": CHOICE_LABELS,
        },
        status=409 if request.method == "POST" else 200,
    )
    add_never_cache_headers(response)
    return response


# --- the receipt check ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def congress_receipt(request: HttpRequest) -> HttpResponse:
    """Anyone signed in enters a receipt code and learns whether that ballot is in a published count. The code
    travels in the body, never in the address; the answer never says how the ballot was marked."""
    checked = False
    poll = None
    if request.method == "POST":
        code = request.POST.get("code", "").strip()[:40]
        if code:
            checked = True
            poll = services.receipt_check(code=code)
        else:
            messages.error(request, _("Enter the receipt code."))
    return render(
        request,
        "portal/congress/receipt.html",
        {"checked": checked, "poll": poll, "action": reverse("portal:congress_receipt")},
    )
