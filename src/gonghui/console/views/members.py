"""Cadre pages of the membership module: the application queue, members, transfers, lapse proposals, dues
arrears and the membership rules of a union (imports and the export live in views/imports.py).

Each view is an access-checked selector call (404 outside scope, 403 for the wrong role), a form, one service
call and a response. Personal numbers are masked on every page; the full value is shown only through
`core.reveal.reveal`, which checks the permission and writes an audit record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.reauth import sensitive
from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.reveal import reveal
from gonghui.members import selectors, services
from gonghui.members.models import Application, EmploymentForm, Member, MemberStatus, Transfer
from gonghui.members.rules import HOLDING_KINDS, STATUS_CHANGES, months_back
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.models import Org

from ..forms import (
    ApplicationFilterForm,
    ApproveForm,
    ArrearsFilterForm,
    DuesPaymentForm,
    DuesWageForm,
    LapseDecisionForm,
    MemberCreateForm,
    MemberEditForm,
    MemberFilterForm,
    MemberPolicyForm,
    MemberStatusForm,
    NoteForm,
    RejectForm,
    RerouteForm,
    RevealForm,
    TransferStartForm,
)
from .common import ConsoleRequest, console_view

PAGE_SIZES = (25, 50, 100)
SEX_LABELS = {"male": gettext_lazy("Male"), "female": gettext_lazy("Female")}


# --- shared helpers ----------------------------------------------------------------------------------------


def _page(request: HttpRequest, items: Any) -> Page:
    """One page of a list; the size is one of PAGE_SIZES, so a page costs the same queries whatever it holds."""
    try:
        size = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        size = PAGE_SIZES[0]
    if size not in PAGE_SIZES:
        size = PAGE_SIZES[0]
    return Paginator(items, size).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    """The current filters for the pager links (everything but the page number)."""
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@dataclass
class Masked:
    """A person's record with the ID and mobile number masked for display (DOMAIN §8)."""

    obj: Any
    id_number: str
    mobile: str


def _masked(obj: Any) -> Masked:
    return Masked(obj=obj, id_number=mask_id_number(obj.id_number), mobile=mask_mobile(obj.mobile))


def _form_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a refused service call on the form: on the field it names, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _refused(exc: ServiceError) -> bool:
    """Outside scope (404) and wrong role (403) are pages of their own, not form messages."""
    return exc.status in (403, 404)


def _may_reveal(actor: Any, member: Any) -> bool:
    return org_selectors.actor_can(actor, "member.reveal", member.org)


# --- applications ------------------------------------------------------------------------------------------


@console_view
def application_list(request: ConsoleRequest) -> HttpResponse:
    """The review queue of the current union's subtree: overdue first (the earliest deadline leads)."""
    data = request.GET.copy()
    data.setdefault("status", Application.Status.PENDING)
    form = ApplicationFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": Application.Status.PENDING}
    queue = selectors.application_queue(
        actor=request.user,
        org=request.org,
        status=filters.get("status", ""),
        due=filters.get("due", ""),
        employment_form=filters.get("employment_form", ""),
        q=filters.get("q", ""),
    )
    page = _page(request, queue)
    today = timezone.localdate()
    return render(
        request,
        "console/members/application_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "today": today,
            "soon": today + datetime.timedelta(days=2),
            "can_review": org_selectors.actor_can(request.user, "review", request.org),
            "pending": filters.get("status") == Application.Status.PENDING,
        },
    )


@require_POST
@console_view
def application_batch(request: ConsoleRequest) -> HttpResponse:
    """Approve the ticked applications; each is decided on its own, and every failure is reported by name."""
    org_selectors.org_get(actor=request.user, org_id=request.org.pk, perm="review")
    ids = sorted({int(v) for v in request.POST.getlist("ids") if v.isdigit()})[:200]
    # Back to the same filters; the hidden field is re-encoded, so it can only ever be a query string.
    back = reverse("console:application_list") + "?" + QueryDict(request.POST.get("back", "")).urlencode()
    if not ids:
        messages.error(request, _("Tick at least one application."))
        return redirect(back)
    apps = list(
        selectors.application_queue(actor=request.user, org=request.org, status="").filter(pk__in=ids)
    )
    result = services.applications_approve_batch(actor=request.user, applications=apps)
    if result.approved:
        messages.success(
            request,
            _("%(n)d applications approved; the new members were told.") % {"n": len(result.approved)},
        )
    for app, reason in result.failed:
        messages.error(request, _("%(name)s: %(reason)s") % {"name": app.name, "reason": reason})
    missing = len(ids) - len(apps)
    if missing:
        messages.error(request, _("%(n)d of the ticked applications are not in your queue.") % {"n": missing})
    return redirect(back)


def _place_in_choices(request: ConsoleRequest, app: Application) -> list[tuple[int, str]]:
    """Where a union that holds no members (a district) places the applicant: holding unions in the cadre's
    review scope under the current union."""
    if app.org.kind in HOLDING_KINDS:
        return []
    orgs = selectors.holding_orgs_within(
        actor=request.user, org=request.org, perm="review", q=request.GET.get("place_q", "")
    )
    return [(o.pk, o.name) for o in orgs]


@console_view
def application(request: ConsoleRequest, application_id: int) -> HttpResponse:
    """One application: the person (masked), why it came here, the timeline; approve, reject or re-route."""
    app = selectors.application_get(actor=request.user, application_id=application_id, review=False)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    approve_form = ApproveForm(request.POST if action == "approve" else None, auto_id="approve_%s")
    approve_form.fields["place_in"].choices = [("", "—"), *_place_in_choices(request, app)]  # type: ignore[attr-defined]
    reject_form = RejectForm(request.POST if action == "reject" else None, auto_id="reject_%s")
    reroute_form = RerouteForm(request.POST if action == "reroute" else None, auto_id="reroute_%s")
    if action:
        # The write needs the reviewer's right: a viewer of the union is refused here (403).
        app = selectors.application_get(actor=request.user, application_id=application_id)
        try:
            if action == "approve" and approve_form.is_valid():
                place_id = approve_form.cleaned_data.get("place_in")
                place_in = (
                    org_selectors.org_get(actor=request.user, org_id=place_id, perm="review")
                    if place_id
                    else None
                )
                member = services.application_approve(actor=request.user, application=app, place_in=place_in)
                messages.success(
                    request,
                    _("Approved: %(name)s is member %(number)s of %(org)s.")
                    % {"name": member.name, "number": member.number, "org": member.org.name},
                )
                return redirect("console:application_list")
            if action == "reject" and reject_form.is_valid():
                services.application_reject(
                    actor=request.user, application=app, reason=reject_form.cleaned_data["reason"]
                )
                messages.success(request, _("The application was rejected and the applicant told why."))
                return redirect("console:application_list")
            if action == "reroute" and reroute_form.is_valid():
                target = selectors.public_org_get(
                    org_id=reroute_form.cleaned_data["org"], field="org", holding=True
                )
                services.application_reroute(
                    actor=request.user,
                    application=app,
                    org=target,
                    reason=reroute_form.cleaned_data["reason"],
                )
                messages.success(request, _("The application was passed to %(org)s.") % {"org": target.name})
                return redirect("console:application_list")
        except ServiceError as exc:
            if _refused(exc) and exc.field is None:
                raise
            form = {"approve": approve_form, "reject": reject_form}.get(action, reroute_form)
            _form_error(form, exc)
    org_q = request.GET.get("org_q", "").strip()
    can_review = app.status == Application.Status.PENDING and (
        org_selectors.actor_can(request.user, "review", app.org)
        or (
            app.escalated_to is not None and org_selectors.actor_can(request.user, "review", app.escalated_to)
        )
    )
    today = timezone.localdate()
    return render(
        request,
        "console/members/application_detail.html",
        {
            "app": app,
            "person": _masked(app),
            "sex": SEX_LABELS.get(app.sex, ""),
            "steps": selectors.application_steps(application=app),
            "can_review": can_review,
            "needs_place": app.org.kind not in HOLDING_KINDS,
            "approve_form": approve_form,
            "reject_form": reject_form,
            "reroute_form": reroute_form,
            "org_q": org_q,
            "place_q": request.GET.get("place_q", ""),
            "org_results": selectors.holding_orgs(q=org_q) if org_q else [],
            "today": today,
        },
    )


# --- members -----------------------------------------------------------------------------------------------


@console_view
def member_list(request: ConsoleRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_search(
        actor=request.user,
        org=request.org,
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        employment_form=filters.get("employment_form", ""),
    )
    page = _page(request, members)
    return render(
        request,
        "console/members/member_list.html",
        {
            "form": form,
            "page": page,
            "rows": [_masked(m) for m in page.object_list],
            # A grassroots union's own list needs no union column (on a phone it doubles each row's height).
            "show_union": any(m.org_id != request.org.pk for m in page.object_list),
            "query": _query_without_page(request),
            "can_manage": org_selectors.actor_can(request.user, "member.manage", request.org),
        },
    )


@console_view
def member_new(request: ConsoleRequest) -> HttpResponse:
    """A cadre enters a member (the committee approved a paper application) into a holding union in scope."""
    org_selectors.org_get(actor=request.user, org_id=request.org.pk, perm="member.manage")
    choices = [(o.pk, o.name) for o in selectors.holding_orgs_within(actor=request.user, org=request.org)]
    form = MemberCreateForm(
        request.POST or None, initial={"org": choices[0][0]} if len(choices) == 1 else None
    )
    form.fields["org"].choices = choices  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_selectors.org_get(actor=request.user, org_id=data["org"], perm="member.manage")
            person = services.person_clean(
                name=data["name"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                employer_name=data["employer_name"],
                employer_uscc=data["employer_uscc"],
                employment_form=data["employment_form"],
                work_division_code=data["work_division_code"],
                work_place=data["work_place"],
                mobile_required=False,
            )
            member = services.member_create(
                actor=request.user, org=org, person=person, joined_on=data.get("joined_on")
            )
        except ServiceError as exc:
            if _refused(exc) and exc.field is None:
                raise
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now member %(number)s.") % {"name": member.name, "number": member.number},
            )
            return redirect("console:member_detail", member_id=member.pk)
    return render(request, "console/members/member_new.html", {"form": form, "has_choices": bool(choices)})


def _status_choices(member: Member) -> list[tuple[str, str]]:
    allowed = STATUS_CHANGES.get(member.status, frozenset())
    return [(value, str(label)) for value, label in MemberStatus.choices if value in allowed]


def _member_page(request: ConsoleRequest, member: Member, **forms_: Any) -> HttpResponse:
    """The member's page; a sub-action that failed passes its bound form, shown open with its errors."""
    actor = request.user
    can_manage = org_selectors.actor_can(actor, "member.manage", member.org)
    edit_initial = {
        "employer_name": member.employer_name,
        "employer_uscc": member.employer_uscc,
        "employment_form": member.employment_form,
        "work_division_code": member.work_division_code,
        "work_place": member.work_place,
    }
    to_q = request.GET.get("to_q", "").strip()
    labels = dict(MemberStatus.choices)
    transfers = list(selectors.member_transfers(member=member)[:10])
    context = {
        "member": member,
        "person": _masked(member),
        "sex": SEX_LABELS.get(member.sex, ""),
        "events": [
            (e, labels.get(e.from_status, ""), labels.get(e.to_status, ""))
            for e in selectors.member_events(member=member)
        ],
        "dues": selectors.member_dues(member=member)[:24],
        "transfers": transfers,
        "pending_transfer": next((t for t in transfers if t.status == Transfer.Status.PENDING), None),
        "can_manage": can_manage,
        "can_reveal": _may_reveal(actor, member),
        "can_dues": org_selectors.actor_can(actor, "dues.manage", member.org),
        "status_choices": _status_choices(member),
        "edit_form": MemberEditForm(initial=edit_initial, auto_id="edit_%s"),
        "status_form": MemberStatusForm(allowed=_status_choices(member), auto_id="status_%s"),
        "transfer_form": TransferStartForm(auto_id="transfer_%s"),
        "wage_form": DuesWageForm(auto_id="wage_%s"),
        "payment_form": DuesPaymentForm(auto_id="payment_%s"),
        "reveal_form": RevealForm(auto_id="reveal_%s"),
        "to_q": to_q,
        "to_results": selectors.holding_orgs(q=to_q) if to_q else [],
        "open": "",
    }
    for name, form in forms_.items():
        context[name] = form
        context["open"] = name
    return render(request, "console/members/member_detail.html", context)


@console_view
def member_detail(request: ConsoleRequest, member_id: int) -> HttpResponse:
    """The member's card data, masked personal numbers, history, dues; a POST edits contact and work details."""
    if request.method != "POST":
        return _member_page(request, selectors.member_get(actor=request.user, member_id=member_id))
    member = selectors.member_get(actor=request.user, member_id=member_id, perm="member.manage")
    form = MemberEditForm(request.POST, auto_id="edit_%s")
    if form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != getattr(member, k)}
        if not changes.get("mobile"):
            changes.pop("mobile", None)  # empty keeps the current number (it is never shown in the form)
        try:
            services.member_update(actor=request.user, member=member, **changes)
        except ServiceError as exc:
            if _refused(exc):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:member_detail", member_id=member.pk)
    return _member_page(request, member, edit_form=form)


@console_view
def member_status(request: ConsoleRequest, member_id: int) -> HttpResponse:
    """Retain, reactivate, withdraw or expel: only the changes the rules allow from the current status."""
    if request.method != "POST":
        return redirect(reverse("console:member_detail", args=[member_id]) + "#status")
    member = selectors.member_get(actor=request.user, member_id=member_id, perm="member.manage")
    form = MemberStatusForm(request.POST, allowed=_status_choices(member), auto_id="status_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.member_status_change(
                actor=request.user,
                member=member,
                status=data["status"],
                reason=data["reason"],
                retained_reason=data["retained_reason"],
                decision=data["decision"],
            )
        except ServiceError as exc:
            if _refused(exc):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("The status was changed and recorded in the history."))
            return redirect("console:member_detail", member_id=member.pk)
    return _member_page(request, member, status_form=form)


@console_view
def member_transfer(request: ConsoleRequest, member_id: int) -> HttpResponse:
    """The losing union starts a transfer to the union of the member's new employer or place of work."""
    if request.method != "POST":
        return redirect(reverse("console:member_detail", args=[member_id]) + "#transfer")
    member = selectors.member_get(actor=request.user, member_id=member_id, perm="member.manage")
    form = TransferStartForm(request.POST, auto_id="transfer_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            to_org = selectors.public_org_get(org_id=data["to_org"], field="to_org", holding=True)
            transfer = services.transfer_start(
                actor=request.user,
                member=member,
                to_org=to_org,
                reason=data["reason"],
                new_employer_name=data["new_employer_name"],
                new_employer_uscc=data["new_employer_uscc"],
            )
        except ServiceError as exc:
            if _refused(exc):
                raise
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("The transfer to %(org)s was started; it waits for their decision.") % {"org": to_org.name},
            )
            return redirect("console:transfer", transfer_id=transfer.pk)
    return _member_page(request, member, transfer_form=form)


@console_view
@sensitive
def member_reveal(request: ConsoleRequest, member_id: int) -> HttpResponse:
    """Show one personal number in full, with a reason; allowed or refused, the attempt is audited."""
    member = selectors.member_get(actor=request.user, member_id=member_id)
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            value = reveal(
                actor=request.user,
                obj=member,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                permission_check=_may_reveal,
            )
        except ServiceError as exc:
            if _refused(exc):
                raise
            _form_error(form, exc)
        else:
            labels = dict(form.fields["field"].choices)  # type: ignore[attr-defined]
            response = render(
                request,
                "console/members/reveal.html",
                {"member": member, "value": value, "label": labels[form.cleaned_data["field"]], "form": None},
            )
            response["Cache-Control"] = "no-store"  # the full value must not stay in a browser cache
            return response
    return render(request, "console/members/reveal.html", {"member": member, "form": form})


@console_view
def member_dues(request: ConsoleRequest, member_id: int) -> HttpResponse:
    """Record a month's wage base (the dues follow from the rules) or what was paid for a month."""
    if request.method != "POST":
        return redirect(reverse("console:member_detail", args=[member_id]) + "#dues")
    member = selectors.member_get(actor=request.user, member_id=member_id, perm="dues.manage")
    wage = request.POST.get("action") == "wage"
    form: forms.Form = (
        DuesWageForm(request.POST, auto_id="wage_%s")
        if wage
        else DuesPaymentForm(request.POST, auto_id="payment_%s")
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if wage:
                row = services.dues_wage_set(
                    actor=request.user, member=member, month=data["month"], wage_base=data["wage_base"]
                )
            else:
                row = services.dues_payment_record(
                    actor=request.user,
                    member=member,
                    month=data["month"],
                    amount=data["amount"],
                    paid_on=data.get("paid_on"),
                )
        except ServiceError as exc:
            if _refused(exc):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("Dues for %(month)s saved.") % {"month": f"{row.month:%Y-%m}"})
            return redirect(reverse("console:member_detail", args=[member.pk]) + "#dues")
    return _member_page(request, member, **({"wage_form": form} if wage else {"payment_form": form}))


# --- transfers ---------------------------------------------------------------------------------------------


@console_view
def transfer_list(request: ConsoleRequest) -> HttpResponse:
    """Incoming transfers awaiting our decision, and outgoing ones awaiting another union's."""
    direction = "out" if request.GET.get("dir") == "out" else "in"
    status = request.GET.get("status", Transfer.Status.PENDING)
    if status not in Transfer.Status.values:
        status = ""
    queue = selectors.transfer_queue_within(
        actor=request.user, org=request.org, direction=direction, status=status
    )
    return render(
        request,
        "console/members/transfer_list.html",
        {
            "page": _page(request, queue),
            "query": _query_without_page(request),
            "direction": direction,
            "status": status,
            "statuses": Transfer.Status.choices,
            "today": timezone.localdate(),
        },
    )


@console_view
def transfer(request: ConsoleRequest, transfer_id: int) -> HttpResponse:
    """One transfer: the receiving union accepts or refuses (with a reason), the losing union may cancel."""
    t = selectors.transfer_get(actor=request.user, transfer_id=transfer_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = NoteForm(request.POST or None)
    if action and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if action == "accept":
                services.transfer_accept(actor=request.user, transfer=t, note=note)
                messages.success(
                    request, _("Accepted: the member now belongs to %(org)s.") % {"org": t.to_org.name}
                )
            elif action == "reject":
                services.transfer_reject(actor=request.user, transfer=t, reason=note)
                messages.success(request, _("The transfer was refused and the member told why."))
            elif action == "cancel":
                services.transfer_cancel(actor=request.user, transfer=t, note=note)
                messages.success(request, _("The transfer was cancelled."))
            else:
                raise ServiceError("invalid_action", _("Unknown action."))
        except ServiceError as exc:
            if _refused(exc):
                raise
            form.add_error("note" if exc.field == "reason" else None, str(exc.message))
        else:
            return redirect("console:transfer", transfer_id=t.pk)
    pending = t.status == Transfer.Status.PENDING
    can_decide = pending and (
        org_selectors.actor_can(request.user, "review", t.to_org)
        or (t.escalated_to is not None and org_selectors.actor_can(request.user, "review", t.escalated_to))
    )
    return render(
        request,
        "console/members/transfer_detail.html",
        {
            "t": t,
            "person": _masked(t.member),
            "form": form,
            "can_decide": can_decide,
            "can_cancel": pending and org_selectors.actor_can(request.user, "member.manage", t.from_org),
            "today": timezone.localdate(),
        },
    )


# --- lapse proposals ---------------------------------------------------------------------------------------


@console_view
def lapse_list(request: ConsoleRequest) -> HttpResponse:
    """Members the system proposes to treat as withdrawn; each is decided on its own page, never in batch."""
    page = _page(request, selectors.lapse_proposals(actor=request.user, org=request.org))
    return render(
        request,
        "console/members/lapse_list.html",
        {"page": page, "query": _query_without_page(request)},
    )


@console_view
def lapse_decide(request: ConsoleRequest, proposal_id: int) -> HttpResponse:
    """Confirm after talking to the member (the note records the conversation), or dismiss with a note."""
    proposal = selectors.lapse_proposal_get(actor=request.user, proposal_id=proposal_id)
    form = LapseDecisionForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and form.is_valid():
        try:
            if action == "confirm":
                services.lapse_confirm(actor=request.user, proposal=proposal, note=form.cleaned_data["note"])
                messages.success(
                    request, _("%(name)s is now treated as withdrawn.") % {"name": proposal.member.name}
                )
            elif action == "dismiss":
                services.lapse_dismiss(actor=request.user, proposal=proposal, note=form.cleaned_data["note"])
                messages.success(request, _("%(name)s stays a member.") % {"name": proposal.member.name})
            else:
                raise ServiceError("invalid_action", _("Choose to confirm or to dismiss."))
        except ServiceError as exc:
            if _refused(exc):
                raise
            form.add_error("note" if exc.field == "note" else None, str(exc.message))
        else:
            return redirect("console:lapse_list")
    return render(
        request,
        "console/members/lapse_decide.html",
        {"p": proposal, "person": _masked(proposal.member), "form": form},
    )


# --- dues arrears ------------------------------------------------------------------------------------------


@console_view
def arrears(request: ConsoleRequest) -> HttpResponse:
    """Members of the current union's subtree who owe dues. Late payment never ends a membership."""
    form = ArrearsFilterForm(request.GET)
    since = form.cleaned_data.get("since") if form.is_valid() else None
    rows = selectors.arrears(actor=request.user, org=request.org, since=since)
    return render(
        request,
        "console/members/arrears.html",
        {
            "form": form,
            "page": _page(request, rows),
            "query": _query_without_page(request),
            "total": sum((r.owed for r in rows), start=0),
            "count": len(rows),
        },
    )


# --- membership rules --------------------------------------------------------------------------------------


@console_view
def member_policy(request: ConsoleRequest) -> HttpResponse:
    """The membership rules in force for the current union, and whose they are; edit to give it its own."""
    org = request.org
    policy = selectors.policy_for(org)
    initial = {f: getattr(policy, f) for f in selectors.POLICY_FIELDS}
    form = MemberPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        org_selectors.org_get(actor=request.user, org_id=org.pk, perm="org.change")
        if form.is_valid():
            try:
                services.member_policy_set(actor=request.user, org=org, **form.cleaned_data)
            except ServiceError as exc:
                if _refused(exc):
                    raise
                _form_error(form, exc)
            else:
                messages.success(
                    request, _("The membership rules of %(org)s were saved.") % {"org": org.name}
                )
                return redirect("console:member_policy")
    source: Org | None = None
    if policy.source_org_id == org.pk:
        source = org
    elif policy.source_org_id is not None:
        source = next((a for a in org_selectors.org_ancestors(org=org) if a.pk == policy.source_org_id), None)
    return render(
        request,
        "console/members/policy.html",
        {
            "org": org,
            "policy": policy,
            "source": source,
            "own": policy.source_org_id == org.pk,
            "form": form,
            "can_change": org_selectors.actor_can(request.user, "org.change", org),
        },
    )


# --- the dashboard's member section ------------------------------------------------------------------------


def dashboard_context(*, actor: Any, org: Org) -> dict[str, Any]:
    """Member counts of `org`'s subtree from the roll-up rows, joins of the last 12 months as a chart, and the
    applications waiting in the queue. Called by the console dashboard (views/orgs.py)."""
    counts = selectors.member_counts(actor=actor, org=org)
    statuses = [(label, counts["status"].get(value, 0)) for value, label in MemberStatus.choices]
    form_labels = dict(EmploymentForm.choices)
    forms_ = sorted(
        ((form_labels.get(k, k), n) for k, n in counts["form"].items()), key=lambda pair: -pair[1]
    )
    today = timezone.localdate()
    months = [months_back(today, back) for back in range(11, -1, -1)]
    keys = [f"{m:%Y-%m}" for m in months]
    joins = [counts["joined"].get(k, 0) for k in keys]
    chart = {"labels": keys, "series": [{"name": str(_("New members")), "data": joins}]}
    return {
        "statuses": [pair for pair in statuses if pair[1]],
        "forms": forms_,
        "chart": chart,
        "has_joins": any(joins),
        "pending": selectors.application_queue(actor=actor, org=org).count(),
        "overdue": selectors.application_queue(actor=actor, org=org, due="overdue").count(),
    }
