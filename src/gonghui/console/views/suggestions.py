"""Cadre pages of rationalisation suggestions (合理化建议): the queue, one suggestion with its evaluation,
decision, implementation and reward, the annual list (printable and as a workbook) and counts rolled up the
tree.

Each view is an access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.services import require
from gonghui.suggestions import exports, selectors, services
from gonghui.suggestions.forms import (
    DecideForm,
    ImplementForm,
    NoteForm,
    RewardFormForm,
    SuggestionFilterForm,
)
from gonghui.suggestions.models import SuggestionStatus

from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
PERM = services.PERM


def _year(request: ConsoleRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@console_view
def suggestion_list(request: ConsoleRequest) -> HttpResponse:
    """Suggestions of the current union's subtree; those waiting for the union first."""
    require(actor=request.user, perm=VIEW, org=request.org)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = SuggestionFilterForm(data)
    f = form.cleaned_data if form.is_valid() else {"status": "open"}
    queue = selectors.suggestion_queue(
        actor=request.user, org=request.org, status=f.get("status", ""), year=f.get("year"), q=f.get("q", "")
    )
    return render(
        request,
        "console/suggestions/list.html",
        {"form": form, "page": _page(request, queue), "query": _query_without_page(request)},
    )


@console_view
def suggestion_detail(request: ConsoleRequest, suggestion_id: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    may_manage = org_selectors.actor_can(request.user, PERM, suggestion.org)
    status = suggestion.status
    return render(
        request,
        "console/suggestions/detail.html",
        {
            "s": suggestion,
            "events": selectors.suggestion_events(suggestion=suggestion),
            "may_manage": may_manage,
            "may_evaluate": may_manage and status == SuggestionStatus.SUBMITTED,
            "may_decide": may_manage and status == SuggestionStatus.EVALUATING,
            "may_note": may_manage
            and status not in (SuggestionStatus.NOT_ADOPTED, SuggestionStatus.REWARDED),
            "may_implement": may_manage and status == SuggestionStatus.ADOPTED,
            "may_reward": may_manage and status == SuggestionStatus.IMPLEMENTED,
            "decide_form": DecideForm(),
            "note_form": NoteForm(),
            "implement_form": ImplementForm(initial={"implemented_on": timezone.localdate()}),
            "reward_form": RewardFormForm(),
            "proposal": getattr(suggestion, "from_proposal", None),
        },
    )


def _after(request: ConsoleRequest, suggestion_id: int, action: Callable[[], Any], done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("console:suggestion", suggestion_id=suggestion_id)


@console_view
@require_POST
def suggestion_evaluate(request: ConsoleRequest, suggestion_id: int) -> HttpResponse:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    return _after(
        request,
        suggestion_id,
        lambda: services.suggestion_evaluate(actor=request.user, suggestion=s),
        _("The evaluation started; the member was told."),
    )


@console_view
@require_POST
def suggestion_note(request: ConsoleRequest, suggestion_id: int) -> HttpResponse:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    text = request.POST.get("text", "")
    return _after(
        request,
        suggestion_id,
        lambda: services.suggestion_note(actor=request.user, suggestion=s, text=text),
        _("The note was added."),
    )


@console_view
@require_POST
def suggestion_decide(request: ConsoleRequest, suggestion_id: int) -> HttpResponse:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    decision = request.POST.get("decision", "")
    if decision not in ("adopt", "decline"):
        require(actor=request.user, perm=PERM, org=s.org)
        messages.error(request, _("Choose whether to adopt the suggestion."))
        return redirect("console:suggestion", suggestion_id=suggestion_id)
    return _after(
        request,
        suggestion_id,
        lambda: services.suggestion_decide(
            actor=request.user,
            suggestion=s,
            adopt=decision == "adopt",
            reason=request.POST.get("reason", ""),
            notes=request.POST.get("notes", ""),
        ),
        _("The decision was recorded; the member was told."),
    )


@console_view
@require_POST
def suggestion_implement(request: ConsoleRequest, suggestion_id: int) -> HttpResponse:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    form = ImplementForm(request.POST)
    if not form.is_valid():
        require(actor=request.user, perm=PERM, org=s.org)
        messages.error(request, _("Give the date and say how it was implemented."))
        return redirect("console:suggestion", suggestion_id=suggestion_id)
    d = form.cleaned_data
    return _after(
        request,
        suggestion_id,
        lambda: services.suggestion_implement(
            actor=request.user,
            suggestion=s,
            implemented_on=d["implemented_on"],
            note=d["note"],
            benefit_amount=d["benefit_amount"],
            benefit_description=d["benefit_description"],
        ),
        _("The implementation was recorded."),
    )


@console_view
@require_POST
def suggestion_reward(request: ConsoleRequest, suggestion_id: int) -> HttpResponse:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    p = request.POST
    return _after(
        request,
        suggestion_id,
        lambda: services.suggestion_reward(
            actor=request.user,
            suggestion=s,
            form=p.get("form", ""),
            amount=p.get("amount", ""),
            note=p.get("note", ""),
            benefit_amount=p.get("benefit_amount", ""),
            benefit_description=p.get("benefit_description", ""),
        ),
        _("The reward was recorded; the member was told."),
    )


# --- the annual list and the roll-up ------------------------------------------------------------------------


@console_view
def suggestion_annual(request: ConsoleRequest) -> HttpResponse:
    """Every suggestion of the current union's subtree in a year, with its handling: a printable page, and a
    workbook with `?format=xlsx` (the download is audited)."""
    require(actor=request.user, perm=VIEW, org=request.org)
    year = _year(request)
    items = selectors.annual_list(actor=request.user, org=request.org, year=year)
    if request.GET.get("format") == "xlsx":
        with translation.override("zh-hans"):
            data = exports.xlsx_bytes(
                f"{request.org.name} {year} 年合理化建议清单",
                exports.ANNUAL_HEADERS,
                exports.annual_rows(items),
            )
        log_action(
            actor=request.user,
            action="gonghui.suggestion.annual_exported",
            obj=request.org,
            data={"year": year},
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="suggestions-{request.org.code}-{year}.xlsx"'
        return response
    stats = selectors.suggestion_stats(actor=request.user, org=request.org, year=year)
    return render(
        request,
        "console/suggestions/annual.html",
        {"items": items, "year": year, "years": selectors.years_of(org=request.org), "totals": stats.totals},
    )


@console_view
def suggestion_stats(request: ConsoleRequest) -> HttpResponse:
    """Counts of the current union's subtree rolled up to each union below it, with charts."""
    require(actor=request.user, perm=VIEW, org=request.org)
    year = _year(request)
    stats = selectors.suggestion_stats(actor=request.user, org=request.org, year=year)
    charts = {
        "union": {
            "labels": [o.short_name or o.name for o, _t in stats.by_union],
            "series": [
                {"name": _("Suggestions"), "data": [t.total for _o, t in stats.by_union]},
                {"name": _("Adopted"), "data": [t.adopted for _o, t in stats.by_union]},
            ],
        },
        "category": {
            "type": "pie",
            "labels": [c for c, _n in stats.by_category],
            "values": [n for _c, n in stats.by_category],
        },
    }
    return render(
        request,
        "console/suggestions/stats.html",
        {"stats": stats, "charts": charts, "year": year, "years": selectors.years_of(org=request.org)},
    )
