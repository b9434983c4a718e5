"""Cadre pages of enterprise disclosure (厂务公开, DOMAIN §3): the items of the current union's subtree with
their acknowledgement rates, the disclosure plan with overdue entries flagged, one item with its files,
acknowledgements and questions, and the queue of unanswered questions.

Reads need "democracy.view", writes "disclosure.manage" (checked again by the services). Each view is an
access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.disclosure import rules, selectors, services
from gonghui.disclosure.models import Item, ItemStatus, ScheduleEntry
from gonghui.orgs.models import OrgKind
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from ..forms_disclosure import (
    AnswerForm,
    FileForm,
    ItemFilterForm,
    ItemForm,
    ItemNewForm,
    ScheduleEditForm,
    ScheduleForm,
    WithdrawForm,
)
from .common import ConsoleRequest, console_view
from .members import _page, _query_without_page

VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _schedule_choices(org: Any) -> list[tuple[int, str]]:
    return [
        (e.pk, f"{e.title} · {e.next_due:%Y-%m-%d}" if e.next_due else e.title)
        for e in selectors.schedule_choices(org=org)
    ]


def _schedule(org: Any, entry_id: int | None) -> ScheduleEntry | None:
    if not entry_id:
        return None
    return selectors.schedule_choices(org=org).filter(pk=entry_id).first() or ScheduleEntry(pk=-1, org_id=-1)


@console_view
def item_list(request: ConsoleRequest) -> HttpResponse:
    """Disclosures of the current union's subtree, with the acknowledgement rate of each, and the plan entries
    that are overdue."""
    require(actor=request.user, perm=VIEW, org=request.org)
    form = ItemFilterForm(request.GET)
    f = form.cleaned_data if form.is_valid() else {}
    items = selectors.item_list(
        actor=request.user,
        org=request.org,
        status=f.get("status", ""),
        category=f.get("category", ""),
        q=f.get("q", ""),
    )
    page = _page(request, items)
    for item in page.object_list:
        item.rate = rules.ack_rate(item.acks, item.audience)
    today = timezone.localdate()
    return render(
        request,
        "console/disclosure/list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "overdue": list(selectors.overdue_entries(actor=request.user, org=request.org, today=today)[:50]),
            "today": today,
            "may_manage": request.org.kind == OrgKind.GRASSROOTS
            and actor_can(request.user, MANAGE, request.org),
        },
    )


@console_view
def plan(request: ConsoleRequest) -> HttpResponse:
    """The disclosure plan of the current union (a grassroots union adds entries here); above grassroots level,
    the entries of every union below, the overdue ones first."""
    org = request.org
    require(actor=request.user, perm=VIEW, org=org)
    may_manage = org.kind == OrgKind.GRASSROOTS and actor_can(request.user, MANAGE, org)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST":
        require(actor=request.user, perm=MANAGE, org=org)
        if form.is_valid():
            try:
                services.schedule_add(actor=request.user, org=org, **form.cleaned_data)
            except ServiceError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The plan entry was added."))
                return redirect("console:disclosure_plan")
    today = timezone.localdate()
    entries = list(selectors.schedule_list(actor=request.user, org=org)[:500])
    for e in entries:
        overdue = rules.is_overdue(due=e.next_due, today=today, active=e.active)
        e.overdue = overdue  # type: ignore[attr-defined]
        e.days_overdue = rules.days_overdue(due=e.next_due, today=today) if overdue and e.next_due else 0  # type: ignore[attr-defined]
    entries.sort(key=lambda e: (not getattr(e, "overdue", False), not e.active, e.next_due or today, e.pk))
    return render(
        request,
        "console/disclosure/plan.html",
        {"entries": entries, "form": form, "may_manage": may_manage, "today": today},
    )


@console_view
def plan_entry(request: ConsoleRequest, entry_id: int) -> HttpResponse:
    entry = selectors.schedule_get(actor=request.user, entry_id=entry_id, perm=MANAGE)
    form = ScheduleEditForm(
        request.POST or None,
        initial={
            "title": entry.title,
            "frequency": entry.frequency,
            "next_due": entry.next_due,
            "active": entry.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(actor=request.user, entry=entry, **form.cleaned_data)
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The plan entry was saved."))
            return redirect("console:disclosure_plan")
    return render(request, "console/disclosure/plan_entry.html", {"entry": entry, "form": form})


@console_view
def item_new(request: ConsoleRequest) -> HttpResponse:
    org = request.org
    require(actor=request.user, perm=MANAGE, org=org)
    initial: dict[str, Any] = {}
    wanted = request.GET.get("schedule", "")
    if wanted.isdigit():
        entry = selectors.schedule_choices(org=org).filter(pk=int(wanted)).first()
        if entry is not None:
            initial = {"schedule": entry.pk, "category": entry.category, "title": entry.title}
    form = ItemNewForm(
        request.POST or None, request.FILES or None, schedule_choices=_schedule_choices(org), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.item_create(
                actor=request.user,
                org=org,
                category=d["category"],
                title=d["title"],
                body=d["body"],
                channel=d["channel"],
                schedule=_schedule(org, d["schedule"]),
                files=d["documents"],
            )
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The draft was saved. Check it, then publish it."))
            return redirect("console:disclosure_item", item_id=item.pk)
    return render(
        request, "console/disclosure/new.html", {"form": form, "grassroots": org.kind == OrgKind.GRASSROOTS}
    )


@console_view
def item_detail(request: ConsoleRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    may_manage = actor_can(request.user, MANAGE, item.org)
    questions = list(selectors.item_questions(item=item))
    for q in questions:
        q.answer_form = AnswerForm(prefix=f"q{q.pk}", initial={"answer": q.answer, "public": q.public})  # type: ignore[attr-defined]
    return render(
        request,
        "console/disclosure/item.html",
        {
            "item": item,
            "rate": rules.ack_rate(getattr(item, "acks", 0), item.audience),
            "attachments": selectors.item_attachments(item=item),
            "acknowledgements": selectors.item_acknowledgements(item=item)[:200],
            "questions": questions,
            "may_manage": may_manage,
            "draft": item.status == ItemStatus.DRAFT,
            "published": item.status == ItemStatus.PUBLISHED,
            "file_form": FileForm(),
            "withdraw_form": WithdrawForm(),
        },
    )


@console_view
def item_edit(request: ConsoleRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    form = ItemForm(
        request.POST or None,
        schedule_choices=_schedule_choices(item.org),
        initial={
            "category": item.category,
            "schedule": item.schedule_id,
            "title": item.title,
            "body": item.body,
            "channel": item.channel,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.item_update(
                actor=request.user,
                item=item,
                category=d["category"],
                title=d["title"],
                body=d["body"],
                channel=d["channel"],
                schedule=_schedule(item.org, d["schedule"]),
            )
        except ServiceError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("console:disclosure_item", item_id=item.pk)
    return render(request, "console/disclosure/edit.html", {"form": form, "item": item})


def _after(request: ConsoleRequest, item: Item, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("console:disclosure_item", item_id=item.pk)


@console_view
@require_POST
def item_publish(request: ConsoleRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    return _after(
        request,
        item,
        lambda: services.item_publish(actor=request.user, item=item),
        _("Published to the union's active members."),
    )


@console_view
@require_POST
def item_withdraw(request: ConsoleRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    reason = request.POST.get("reason", "")
    return _after(
        request,
        item,
        lambda: services.item_withdraw(actor=request.user, item=item, reason=reason),
        _("The item was withdrawn."),
    )


@console_view
@require_POST
def item_file_add(request: ConsoleRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("console:disclosure_item", item_id=item.pk)
    return _after(
        request,
        item,
        lambda: services.item_attachment_add(actor=request.user, item=item, file=form.cleaned_data["file"]),
        _("The file was added."),
    )


@console_view
def item_file(request: ConsoleRequest, item_id: int, attachment_id: int) -> HttpResponse:
    att = selectors.attachment_get(actor=request.user, item_id=item_id, attachment_id=attachment_id)
    handle = services.attachment_open(actor=request.user, attachment=att)
    return cast(
        HttpResponse, attachment_response(handle, filename=att.original_name, content_type=att.content_type)
    )


@console_view
@require_POST
def question_answer(request: ConsoleRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get(actor=request.user, question_id=question_id, perm=MANAGE)
    form = AnswerForm(request.POST, prefix=f"q{question.pk}")
    if not form.is_valid():
        messages.error(request, _("Write the answer."))
    else:
        try:
            services.question_answer(
                actor=request.user,
                question=question,
                answer=form.cleaned_data["answer"],
                public=form.cleaned_data["public"],
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The answer was sent to the member."))
    if request.POST.get("next") == "queue":
        return redirect("console:disclosure_questions")
    return redirect("console:disclosure_item", item_id=question.item_id)


@console_view
def question_queue(request: ConsoleRequest) -> HttpResponse:
    """Members' questions on the disclosures of the current union's subtree, unanswered first."""
    require(actor=request.user, perm=VIEW, org=request.org)
    answered = request.GET.get("answered") == "1"
    page = _page(request, selectors.question_queue(actor=request.user, org=request.org, answered=answered))
    for q in page.object_list:
        q.answer_form = AnswerForm(prefix=f"q{q.pk}")
    return render(
        request,
        "console/disclosure/questions.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "answered": answered,
        },
    )
