"""Cadre pages of a congress meeting (DOMAIN §3): planning it with its agenda, opening and closing it, the item
under way, documents, the check-in QR code, the secretariat's check-in desk with the attendance against the
quorum, and the big screen the meeting hall projects (refreshed by htmx every three seconds).

Reads need "democracy.view", writes "congress.manage" (checked again by the services).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.congress import selectors, services
from gonghui.congress.models import Delegate, Meeting, MeetingStatus, Poll, PollStatus
from gonghui.core.audit import log_action
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.uploads import TYPES, attachment_response, media_path
from gonghui.orgs.selectors import actor_can

from ..forms_congress import AgendaItemForm, DocumentForm, MeetingForm, agenda_kind, lines
from .common import ConsoleRequest, console_view
from .congress import (
    MANAGE,
    VIEW,
    attempt,
    checkin_url,
    form_errors,
    qr_svg,
    quorum_figures,
    result_view,
    show,
)

# --- meetings ----------------------------------------------------------------------------------------------


@console_view
def meeting_new(request: ConsoleRequest, congress_id: int) -> HttpResponse:
    congress = selectors.congress_get(actor=request.user, congress_id=congress_id, perm=MANAGE)
    number = congress.meetings.count() + 1
    initial = {
        "title": _("Meeting %(n)s of term %(term)s of %(name)s")
        % {"n": number, "term": congress.term_number, "name": congress.name},
        "starts_at": timezone.localtime().replace(minute=0, second=0, microsecond=0)
        + datetime.timedelta(hours=1),
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                congress=congress,
                title=d["title"],
                starts_at=d["starts_at"],
                place=d.get("place") or "",
                agenda=[(t, agenda_kind(t)) for t in lines(d.get("agenda") or "")],
            )
        except ServiceError as exc:
            show(form, exc)
        else:
            messages.success(request, _("The meeting was planned."))
            return redirect("console:meeting_detail", meeting_id=meeting.pk)
    return render(request, "console/congress/meeting_new.html", {"congress": congress, "form": form})


@console_view
def meeting_detail(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    """The meeting: agenda, documents, check-in code, attendance against the quorum, and its votes."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    congress = meeting.congress
    sheet = selectors.attendance_sheet(meeting=meeting)
    present = sum(1 for _d, a in sheet if a is not None)
    url = checkin_url(request, meeting) if meeting.status != MeetingStatus.CLOSED else None
    return render(
        request,
        "console/congress/meeting.html",
        {
            "meeting": meeting,
            "congress": congress,
            "agenda": list(meeting.agenda.all()),
            "documents": list(meeting.documents.order_by("uploaded_at")),
            "quorum": quorum_figures(congress, present=present, electorate=len(sheet)),
            "polls": list(selectors.polls(meeting=meeting)),
            "checkin_url": url,
            "qr": qr_svg(url) if url else "",
            "may_manage": actor_can(request.user, MANAGE, congress.org),
            "agenda_form": AgendaItemForm(),
            "document_form": DocumentForm(),
        },
    )


def _meeting_step(
    request: ConsoleRequest, meeting_id: int, step: Callable[[Meeting], Any], done: str
) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=MANAGE)
    attempt(request, lambda: step(meeting), done)
    return redirect("console:meeting_detail", meeting_id=meeting.pk)


@require_POST
@console_view
def meeting_open(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    return _meeting_step(
        request,
        meeting_id,
        lambda m: services.meeting_open(actor=request.user, meeting=m),
        _("The meeting is in session: delegates can check in."),
    )


@require_POST
@console_view
def meeting_close(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    return _meeting_step(
        request,
        meeting_id,
        lambda m: services.meeting_close(actor=request.user, meeting=m),
        _("The meeting was closed."),
    )


@require_POST
@console_view
def meeting_item(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    """Move the meeting (and the big screen) to an agenda item."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=MANAGE)
    try:
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        item_id = 0
    item = meeting.agenda.filter(pk=item_id).first()
    if item is None:
        messages.error(request, _("Choose an agenda item."))
    else:
        attempt(
            request,
            lambda: services.meeting_set_item(actor=request.user, meeting=meeting, item=item),
            _("Now on: %(item)s") % {"item": item.title},
        )
    return redirect(reverse("console:meeting_detail", args=[meeting.pk]) + "#agenda")


@require_POST
@console_view
def agenda_add(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=MANAGE)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        d = form.cleaned_data
        attempt(
            request,
            lambda: services.agenda_item_add(
                actor=request.user, meeting=meeting, title=d["title"], kind=d["kind"]
            ),
            _("The agenda item was added."),
        )
    return redirect(reverse("console:meeting_detail", args=[meeting.pk]) + "#agenda")


@require_POST
@console_view
def meeting_document_add(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=MANAGE)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
    else:
        d = form.cleaned_data
        attempt(
            request,
            lambda: services.meeting_document_add(
                actor=request.user, meeting=meeting, title=d.get("title") or "", file=d["file"]
            ),
            _("The document was added."),
        )
    return redirect(reverse("console:meeting_detail", args=[meeting.pk]) + "#documents")


@console_view
def meeting_document(request: ConsoleRequest, meeting_id: int, document_id: int) -> HttpResponse:
    """Download a meeting document; each download is audited."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    doc = meeting.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound(_("No such document."))
    kind = TYPES.get(doc.content_type)
    try:
        handle = open(media_path(doc.stored), "rb")  # noqa: SIM115  # closed by the response
    except (OSError, ValueError) as exc:
        raise NotFound(_("The file is missing.")) from exc
    log_action(
        actor=request.user,
        action="gonghui.congress.document_downloaded",
        obj=doc,
        org_path=meeting.congress.org.path,
    )
    name = doc.title
    if kind is not None and not name.lower().endswith(kind.extensions):
        name += kind.extensions[0]
    return cast(
        HttpResponse,
        attachment_response(
            handle, filename=name, content_type=kind.content_type if kind else "application/octet-stream"
        ),
    )


# --- attendance --------------------------------------------------------------------------------------------


def _sheet_rows(meeting: Meeting, q: str, which: str) -> tuple[list[tuple[Delegate, Any]], dict[str, Any]]:
    sheet = selectors.attendance_sheet(meeting=meeting)
    present = sum(1 for _d, a in sheet if a is not None)
    figures = quorum_figures(meeting.congress, present=present, electorate=len(sheet))
    needle = "".join(q.split())
    rows = [
        (d, a)
        for d, a in sheet
        if (not needle or needle in d.name or (d.constituency and needle in d.constituency.name))
        and (which != "absent" or a is None)
        and (which != "present" or a is not None)
    ]
    return rows, figures


@console_view
def attendance_record(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    """The secretariat's check-in desk: every serving delegate, searchable, with a button to check one in.
    With htmx the search refreshes the rows and a check-in replaces its own row and the count."""
    perm = MANAGE if request.method == "POST" else VIEW
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, perm=perm)
    q = (request.POST.get("q") if request.method == "POST" else request.GET.get("q", "")) or ""
    show_filter = (
        request.POST.get("show") if request.method == "POST" else request.GET.get("show", "")
    ) or ""
    q, show_filter = q[:60], show_filter if show_filter in ("present", "absent") else ""
    may_manage = actor_can(request.user, MANAGE, meeting.congress.org)
    if request.method == "POST":
        try:
            delegate_id = int(request.POST.get("delegate", ""))
        except ValueError:
            delegate_id = 0
        delegate = selectors.delegates(congress=meeting.congress).filter(pk=delegate_id).first()
        if delegate is None:
            messages.error(request, _("No such delegate."))
        else:
            attempt(
                request,
                lambda: services.attendance_record(actor=request.user, meeting=meeting, delegate=delegate),
                _("%(name)s is checked in.") % {"name": delegate.name},
            )
        if not request.htmx:  # type: ignore[attr-defined]
            url = reverse("console:attendance_record", args=[meeting.pk])
            query = urlencode({k: v for k, v in (("q", q), ("show", show_filter)) if v})
            return redirect(url + ("?" + query if query else ""))
    rows, figures = _sheet_rows(meeting, q, show_filter)
    context = {
        "meeting": meeting,
        "congress": meeting.congress,
        "rows": rows,
        "quorum": figures,
        "q": q,
        "show": show_filter,
        "may_manage": may_manage,
        "open": meeting.status == MeetingStatus.OPEN,
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and not htmx.history_restore_request:
        return render(request, "console/congress/_attendance.html", context)
    return render(request, "console/congress/attendance.html", context)


# --- the big screen ----------------------------------------------------------------------------------------


def _screen_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    state = selectors.screen_state(meeting=meeting)
    poll: Poll | None = state["poll"]
    voting = poll is not None and poll.status == PollStatus.OPEN
    url = checkin_url(request, meeting) if state["in_session"] and not voting else None
    shown = result_view(poll, state["result"]) if poll is not None else None
    return {
        **state,
        "congress": meeting.congress,
        "voting": voting,
        "shown": shown,
        "chart": {**shown["chart"], "dark": True} if shown else None,
        "qr": qr_svg(url) if url else "",
        "checkin_url": url,
        "now": timezone.localtime(),
    }


@console_view
def congress_screen(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    """The projector page of the meeting hall: full screen, large type, refreshed every three seconds."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    return render(request, "console/congress/screen.html", _screen_context(request, meeting))


@console_view
def congress_screen_state(request: ConsoleRequest, meeting_id: int) -> HttpResponse:
    """The part of the big screen that htmx fetches every three seconds."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    response = render(request, "console/congress/_screen_state.html", _screen_context(request, meeting))
    add_never_cache_headers(response)
    return response
