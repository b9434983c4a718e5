"""Cadre pages of the workers' congress (职代会, DOMAIN §3): the congresses of the current union's subtree, one
congress with its figures, composition, delegates, constituencies and meetings; delegates elected, recalled,
ended and replaced; a meeting with its agenda, documents, check-in QR code and attendance against the quorum;
and the big screen the meeting hall projects. The votes are in congress_polls.py.

Reads need "democracy.view", writes "congress.manage" (checked again by the services). Every object comes from
an access-checked selector: another union's congress is a 404, a viewer's write a 403.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.congress import rules, selectors, services
from gonghui.congress.models import (
    Congress,
    CongressKind,
    Delegate,
    DelegateStatus,
    Meeting,
    Poll,
    PollKind,
)
from gonghui.core.errors import NotFound, ServiceError
from gonghui.members import selectors as member_selectors
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import OrgKind
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from ..forms_congress import (
    CongressForm,
    ConstituencyForm,
    DelegateForm,
    EndForm,
    FiguresForm,
    RecallForm,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = "congress.manage"
MEMBER_PICKS = 20


# --- helpers shared with congress_polls.py ----------------------------------------------------------------


def show(form: Any, exc: ServiceError) -> None:
    """A refused write on a form page: the message beside its field. Scope and role errors stay 404 and 403."""
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def attempt(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run one service call for a button: its ServiceError becomes a message, never a 500."""
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return False
    messages.success(request, done)
    return True


def form_errors(request: HttpRequest, form: Any) -> None:
    """A small form posted from a detail page came back invalid: say what is wrong there."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def pct(value: Decimal | int) -> str:
    """A percentage without trailing zeros: 5, 2.5."""
    return f"{Decimal(value).normalize():f}"


def result_view(poll: Poll, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """A count shaped for the result table and its chart: rows with their marks, and the chart's data."""
    if result is None:
        return None
    elected = set(result.get("elected", []))
    runoff = set(result.get("runoff", []))
    rows = [
        {**c, "elected": c["key"] in elected, "runoff": c["key"] in runoff} for c in result.get("counts", [])
    ]
    chart = {
        "labels": [r["label"] for r in rows],
        "series": [
            {"name": _("For"), "data": [r["approve"] for r in rows]},
            {"name": _("Against"), "data": [r["oppose"] for r in rows]},
            {"name": _("Abstain"), "data": [r["abstain"] for r in rows]},
        ],
        "needed": result.get("needed", 0),
        "needed_label": _("Needed: %(n)s") % {"n": result.get("needed", 0)},
    }
    return {**result, "rows": rows, "election": poll.kind == PollKind.ELECTION, "chart": chart}


def qr_svg(data: str, *, dark: str = "#000") -> str:
    """An inline <svg> QR code sized by CSS (the member card's settings: level M, white border)."""
    return str(
        segno.make(data, error="m").svg_inline(
            scale=4, border=2, omitsize=True, svgclass="qr-svg", lineclass=None, dark=dark, light="#fff"
        )
    )


def checkin_url(request: HttpRequest, meeting: Meeting) -> str | None:
    """The absolute address of the portal page the check-in QR code opens, with the meeting's token."""
    try:
        return request.build_absolute_uri(reverse("portal:congress_checkin", args=[meeting.checkin_token]))
    except NoReverseMatch:
        return None


def quorum_figures(congress: Congress, *, present: int, electorate: int) -> dict[str, Any]:
    needed = rules.quorum_needed(electorate=electorate, quorum=congress.quorum)
    return {
        "present": present,
        "electorate": electorate,
        "needed": needed,
        "met": rules.has_quorum(present=present, electorate=electorate, quorum=congress.quorum),
        "short": max(0, needed - present),
        "percent": min(100, round(present * 100 / electorate)) if electorate else 0,
        "needed_percent": min(100, round(needed * 100 / electorate)) if electorate else 0,
    }


# --- congresses --------------------------------------------------------------------------------------------


@console_view
def congress_list(request: ConsoleRequest) -> HttpResponse:
    """The congresses of the current union and the unions below it, with their serving delegates."""
    require(actor=request.user, perm=VIEW, org=request.org)
    congresses = selectors.congress_list(actor=request.user).filter(subtree_q(request.org.path, "org__path"))
    return render(
        request,
        "console/congress/list.html",
        {
            "page": _page(request, congresses),
            "query": _query_without_page(request),
            "may_create": request.org.kind == OrgKind.GRASSROOTS
            and actor_can(request.user, MANAGE, request.org),
        },
    )


def _composition_messages(congress: Congress, report: selectors.CompositionReport) -> list[str]:
    """The composition warnings in words, each with its numbers."""
    out = []
    for w in report.warnings:
        if w.code == "too_few":
            text = _(
                "%(actual)s delegates, fewer than the %(expected)s required "
                "(%(percent)s%% of %(staff)s staff, and at least %(minimum)s)."
            ) % {
                "actual": w.actual,
                "expected": w.expected,
                "percent": pct(congress.min_delegate_percent),
                "staff": congress.staff_count,
                "minimum": congress.min_delegates,
            }
        elif w.code == "too_many_managers":
            text = _(
                "%(actual)s middle managers and above, more than %(percent)s%% of all delegates "
                "(at most %(expected)s)."
            ) % {"actual": w.actual, "percent": congress.max_manager_percent, "expected": w.expected}
        elif w.code == "women_under":
            text = _(
                "%(actual)s women delegates, fewer than the %(expected)s that their share of the staff "
                "(%(group)s of %(staff)s) asks for."
            ) % {
                "actual": w.actual,
                "expected": w.expected,
                "group": congress.women_staff,
                "staff": congress.staff_count,
            }
        else:
            text = _(
                "%(actual)s dispatched workers among the delegates, fewer than the %(expected)s that their "
                "share of the staff (%(group)s of %(staff)s) asks for."
            ) % {
                "actual": w.actual,
                "expected": w.expected,
                "group": congress.dispatched_staff,
                "staff": congress.staff_count,
            }
        out.append(text)
    return out


@console_view
def congress_new(request: ConsoleRequest) -> HttpResponse:
    """Start a congress term for the current union (a grassroots union)."""
    org = request.org
    require(actor=request.user, perm=MANAGE, org=org)
    if org.kind != OrgKind.GRASSROOTS:
        return render(request, "console/congress/new.html", {"form": None, "org": org})
    term = (org.congresses.order_by("-term_number").values_list("term_number", flat=True).first() or 0) + 1
    today = timezone.localdate()
    staff = org.staff_count or 0
    initial = {
        "name": _("%(org)s workers' congress, term %(term)s") % {"org": org.name, "term": term},
        "term_number": term,
        "term_start": today,
        "term_end": today.replace(year=today.year + 5) - datetime.timedelta(days=1)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year + 5, day=28),
        "staff_count": staff or None,
        "kind": CongressKind.ALL_STAFF if 0 < staff < rules.ALL_STAFF_BELOW else CongressKind.CONGRESS,
    }
    form = CongressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            congress = services.congress_create(
                actor=request.user,
                org=org,
                name=d["name"],
                kind=d["kind"] or "",
                term_number=d["term_number"],
                term_start=d["term_start"],
                term_end=d["term_end"],
                staff_count=d["staff_count"],
                women_staff=d.get("women_staff") or 0,
                dispatched_staff=d.get("dispatched_staff") or 0,
            )
        except ServiceError as exc:
            show(form, exc)
        else:
            messages.success(request, _("The congress term was started. Now add its delegates."))
            return redirect("console:congress_detail", congress_id=congress.pk)
    return render(request, "console/congress/new.html", {"form": form, "org": org})


@console_view
def congress_detail(request: ConsoleRequest, congress_id: int) -> HttpResponse:
    congress = selectors.congress_get(actor=request.user, congress_id=congress_id)
    report = selectors.composition(congress=congress)
    people = list(selectors.delegates(congress=congress))
    constituencies = list(congress.constituencies.order_by("name"))
    serving: dict[int | None, int] = {}
    for d in people:
        if d.status == DelegateStatus.ACTIVE:
            serving[d.constituency_id] = serving.get(d.constituency_id, 0) + 1
    for c in constituencies:
        c.serving = serving.get(c.pk, 0)  # type: ignore[attr-defined]
    comp = report.composition
    return render(
        request,
        "console/congress/detail.html",
        {
            "congress": congress,
            "report": report,
            "warnings": _composition_messages(congress, report),
            "figures": {
                "managers_cap": comp.delegates * congress.max_manager_percent // 100,
                "min_percent": pct(congress.min_delegate_percent),
            },
            "delegates": people,
            "ended": sum(1 for d in people if d.status != DelegateStatus.ACTIVE),
            "constituencies": constituencies,
            "meetings": selectors.meetings(congress=congress),
            "may_manage": actor_can(request.user, MANAGE, congress.org),
            "constituency_form": ConstituencyForm(),
        },
    )


@console_view
def congress_figures(request: ConsoleRequest, congress_id: int) -> HttpResponse:
    """The figures the congress follows (DOMAIN §3's defaults, changeable): quorum, delegates, managers."""
    perm = MANAGE if request.method == "POST" else VIEW
    congress = selectors.congress_get(actor=request.user, congress_id=congress_id, perm=perm)
    names = list(FiguresForm.base_fields)
    form = FiguresForm(request.POST or None, initial={k: getattr(congress, k) for k in names})
    if request.method == "POST" and form.is_valid():
        try:
            services.congress_set_figures(actor=request.user, congress=congress, **form.cleaned_data)
        except ServiceError as exc:
            show(form, exc)
        else:
            messages.success(request, _("The figures were saved."))
            return redirect("console:congress_detail", congress_id=congress.pk)
    return render(
        request,
        "console/congress/figures.html",
        {"congress": congress, "form": form, "may_manage": actor_can(request.user, MANAGE, congress.org)},
    )


@require_POST
@console_view
def constituency_add(request: ConsoleRequest, congress_id: int) -> HttpResponse:
    congress = selectors.congress_get(actor=request.user, congress_id=congress_id, perm=MANAGE)
    form = ConstituencyForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        d = form.cleaned_data
        attempt(
            request,
            lambda: services.constituency_add(
                actor=request.user,
                congress=congress,
                name=d["name"],
                staff_count=d.get("staff_count") or 0,
                seats=d.get("seats") or 0,
            ),
            _("The constituency was added."),
        )
    return redirect(reverse("console:congress_detail", args=[congress.pk]) + "#constituencies")


# --- delegates ---------------------------------------------------------------------------------------------


def _member_picks(request: ConsoleRequest, congress: Congress, q: str) -> list[Member]:
    """Active members of the congress's union matching what was typed, for the delegate form."""
    if not q.strip():
        return []
    try:
        found = member_selectors.member_search(
            actor=request.user, q=q, org=congress.org, status=MemberStatus.ACTIVE
        )
    except ServiceError:
        return []  # the cadre may not read this union's members: the name is typed instead
    return list(found.filter(org=congress.org)[:MEMBER_PICKS])


def _delegate_form_page(
    request: ConsoleRequest, congress: Congress, replaces: Delegate | None
) -> HttpResponse:
    constituencies = [(c.pk, c.name) for c in congress.constituencies.order_by("name")]
    q = request.GET.get("q", "")[:60]
    initial: dict[str, Any] = {"elected_on": timezone.localdate()}
    if replaces is not None:
        initial.update(
            constituency=replaces.constituency_id,
            category=replaces.category,
            middle_manager=replaces.middle_manager,
        )
    form = DelegateForm(request.POST or None, constituencies=constituencies, initial=initial)
    picked: Member | None = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d.get("member"):
                picked = member_selectors.member_get(actor=request.user, member_id=d["member"])
            constituency = (
                congress.constituencies.filter(pk=d["constituency"]).first() if d["constituency"] else None
            )
            delegate = services.delegate_add(
                actor=request.user,
                congress=congress,
                elected_on=d["elected_on"],
                category=d["category"],
                constituency=constituency,
                member=picked,
                name=d.get("name") or "",
                sex=d.get("sex") or "",
                middle_manager=d["middle_manager"],
                dispatched=d["dispatched"],
                replaces=replaces,
            )
        except NotFound:
            form.add_error(None, _("This person is not an active member of the union."))
        except ServiceError as exc:
            show(form, exc)
        else:
            if replaces is not None:
                messages.success(
                    request,
                    _("%(new)s replaces %(old)s as a delegate.")
                    % {"new": delegate.name, "old": replaces.name},
                )
            else:
                messages.success(request, _("%(name)s was added as a delegate.") % {"name": delegate.name})
            if "another" in request.POST:
                return redirect("console:delegate_add", congress_id=congress.pk)
            return redirect("console:delegate_detail", delegate_id=delegate.pk)
    action = (
        reverse("console:delegate_replace", args=[replaces.pk])
        if replaces is not None
        else reverse("console:delegate_add", args=[congress.pk])
    )
    return render(
        request,
        "console/congress/delegate_form.html",
        {
            "congress": congress,
            "form": form,
            "replaces": replaces,
            "q": q,
            "picks": _member_picks(request, congress, q),
            "picked_id": request.POST.get("member", ""),
            "action": action + ("?" + urlencode({"q": q}) if q else ""),
            "search_action": action,
        },
    )


@console_view
def delegate_add(request: ConsoleRequest, congress_id: int) -> HttpResponse:
    """Record a delegate: pick an active member of the union by search, or type the name and sex."""
    congress = selectors.congress_get(actor=request.user, congress_id=congress_id, perm=MANAGE)
    return _delegate_form_page(request, congress, None)


@console_view
def delegate_replace(request: ConsoleRequest, delegate_id: int) -> HttpResponse:
    """The successor of a delegate whose service ended, linked to them."""
    old = selectors.delegate_get(actor=request.user, delegate_id=delegate_id, perm=MANAGE)
    if old.status == DelegateStatus.ACTIVE:
        messages.error(request, _("Only a delegate whose service has ended can be replaced."))
        return redirect("console:delegate_detail", delegate_id=old.pk)
    return _delegate_form_page(request, old.congress, old)


@console_view
def delegate_detail(request: ConsoleRequest, delegate_id: int) -> HttpResponse:
    delegate = selectors.delegate_get(actor=request.user, delegate_id=delegate_id)
    try:
        successor = delegate.replaced_by  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        successor = None
    today = timezone.localdate()
    return render(
        request,
        "console/congress/delegate.html",
        {
            "delegate": delegate,
            "congress": delegate.congress,
            "successor": successor,
            "may_manage": actor_can(request.user, MANAGE, delegate.congress.org),
            "serving": delegate.status == DelegateStatus.ACTIVE,
            "recall_form": RecallForm(initial={"on": today}),
            "end_form": EndForm(initial={"on": today}),
        },
    )


@require_POST
@console_view
def delegate_recall(request: ConsoleRequest, delegate_id: int) -> HttpResponse:
    delegate = selectors.delegate_get(actor=request.user, delegate_id=delegate_id, perm=MANAGE)
    form = RecallForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        d = form.cleaned_data
        attempt(
            request,
            lambda: services.delegate_recall(
                actor=request.user,
                delegate=delegate,
                votes_for=d["votes_for"],
                constituency_size=d["constituency_size"],
                on=d["on"],
                reason=d["reason"],
            ),
            _("%(name)s was recalled.") % {"name": delegate.name},
        )
    return redirect("console:delegate_detail", delegate_id=delegate.pk)


@require_POST
@console_view
def delegate_end(request: ConsoleRequest, delegate_id: int) -> HttpResponse:
    delegate = selectors.delegate_get(actor=request.user, delegate_id=delegate_id, perm=MANAGE)
    form = EndForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        d = form.cleaned_data
        attempt(
            request,
            lambda: services.delegate_end(
                actor=request.user, delegate=delegate, status=d["status"], on=d["on"], reason=d["reason"]
            ),
            _("The service of %(name)s ended.") % {"name": delegate.name},
        )
    return redirect("console:delegate_detail", delegate_id=delegate.pk)
