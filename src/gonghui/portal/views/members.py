"""Member pages of the portal (DOMAIN §2): join, follow the application (进度查询), the electronic member card
and its public check, a transfer for a new job, and the person's own notices.

Every page works without JavaScript: the searches and the "send code" button are ordinary submit buttons
of the form, which htmx (when it loads) turns into small requests that refresh one part of the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts import services as account_services
from gonghui.accounts.reauth import mark_reauthenticated
from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_id_number, mask_mobile, mask_name
from gonghui.members import card, selectors, services
from gonghui.members.models import Application, MemberEvent
from gonghui.portal.forms import JoinForm, TransferForm

BACKEND = "gonghui.accounts.backends.MobileBackend"  # settings.AUTHENTICATION_BACKENDS
SEX_LABELS = {"male": gettext_lazy("Male"), "female": gettext_lazy("Female")}
# Member history notes a member reads: the reason of a status change or of a refused transfer. Other notes
# are bookkeeping for cadres.
EVENT_NOTES_SHOWN = {MemberEvent.Kind.STATUS, MemberEvent.Kind.TRANSFER_REJECTED}
SEARCH_FIELDS = {"chosen_org", "to_org"}


def _show_error(form: Form, exc: ServiceError, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the field it names (highlighted), else above the form."""
    field = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, str(exc.message))


def _initial(data: Any) -> dict[str, Any]:
    """What was typed, to show the form again without checking it (a search or a code was asked for)."""
    return {key: data.get(key) for key in data if key not in ("csrfmiddlewaretoken", "action")}


def _send_code(mobile: str) -> dict[str, Any]:
    try:
        account_services.sms_code_request(mobile=mobile, verify=True)
    except ServiceError as exc:
        return {"error": str(exc.message), "throttled": exc.status == 429}
    return {"sent": True}


def _choices(found: Any, selected: Any) -> list[Any]:
    """Search results with the union already picked kept at the top, so a new search never loses it."""
    orgs = list(found)
    if selected is not None and selected not in orgs:
        orgs.insert(0, selected)
    return orgs


# --- join --------------------------------------------------------------------------------------------------


def _join_page(request: HttpRequest, form: JoinForm, **extra: Any) -> HttpResponse:
    data = request.POST if request.method == "POST" else {}
    employer = selectors.join_org_get(org_id=data.get("employer_org"), purpose="employer")
    union = selectors.join_org_get(org_id=data.get("chosen_org"), purpose="union")
    user = request.user
    context = {
        "form": form,
        "logged_in": user.is_authenticated,
        "account_mobile": mask_mobile(getattr(user, "mobile", "")) if user.is_authenticated else "",
        "employer_choices": _choices(extra.pop("employer_results", []), employer),
        "employer_selected": employer.pk if employer else None,
        "union_choices": _choices(extra.pop("union_results", []), union),
        "union_selected": union.pk if union else None,
        **extra,
    }
    return render(request, "portal/members/join.html", context)


def join(request: HttpRequest) -> HttpResponse:
    """Apply to join (入会), logged in or not. The employer is never contacted."""
    anonymous = not request.user.is_authenticated
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ("send_code", "find_employer", "find_union"):
        # The page without JavaScript: the buttons submit the form, which comes back as it was typed.
        form = JoinForm(initial=_initial(request.POST), anonymous=anonymous)
        if action == "send_code":
            return _join_page(request, form, code_status=_send_code(request.POST.get("mobile", "")))
        if action == "find_employer":
            found = selectors.employer_search(q=request.POST.get("employer_q", ""))
            return _join_page(request, form, employer_results=found, employer_searched=True)
        found_unions = selectors.new_union_search(q=request.POST.get("union_q", ""))
        return _join_page(request, form, union_results=found_unions, union_searched=True)
    form = JoinForm(request.POST or None, anonymous=anonymous)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        mobile = d["mobile"] or getattr(request.user, "mobile", "")
        fields = {
            "real_name": "name",
            "org": "chosen_org",
            "work_division_code": "work_division_other" if d["work_division_other"] else "work_division_code",
        }
        try:
            person = services.person_clean(
                name=d["name"],
                id_number=d["id_number"],
                mobile=mobile,
                employer_name=d["employer_name"],
                employer_uscc=d["employer_uscc"],
                employment_form=d["employment_form"],
                work_division_code=d["division"],
                work_place=d["work_place"],
            )
            user, signed_in = services.applicant_verify(
                user=request.user, mobile=person.mobile, code=d["code"], real_name=person.name
            )
            if signed_in:
                # The code proved the phone, as an SMS login does: a later try needs no second code.
                login(request, user, backend=BACKEND)
                mark_reauthenticated(request)
            app = services.application_submit(
                user=user,
                person=person,
                consent=d["consent"],
                employer_org=d["employer_org"],
                platform_org=d["platform_org"],
                chosen_org=d["chosen_org"],
            )
        except ServiceError as exc:
            _show_error(form, exc, fields)
        else:
            if app.status == Application.Status.TRANSFER:
                messages.success(
                    request,
                    _("You are already a member: your membership will move to %(org)s once it accepts.")
                    % {"org": app.org.name},
                )
            else:
                messages.success(request, _("Your application was sent to %(org)s.") % {"org": app.org.name})
            return redirect("portal:application", application_id=app.pk)
    return _join_page(request, form)


@require_POST
def join_code(request: HttpRequest) -> HttpResponse:
    """htmx: send the verification code to the number typed on the join form."""
    status = _send_code(request.POST.get("mobile", ""))
    return render(request, "portal/members/_code_status.html", {"code_status": status})


@require_GET
def join_employers(request: HttpRequest) -> HttpResponse:
    """htmx: known units by the employer's name or credit code, as choices for the join form."""
    q = request.GET.get("employer_q", "")
    return render(
        request,
        "portal/members/_org_choices.html",
        {"orgs": selectors.employer_search(q=q), "field": "employer_org", "searched": bool(q.strip())},
    )


@require_GET
def union_search(request: HttpRequest) -> HttpResponse:
    """htmx: unions a person may choose (join: a union near them; transfer: the new union)."""
    field = request.GET.get("field", "chosen_org")
    if field not in SEARCH_FIELDS:
        raise Http404
    q = request.GET.get("union_q", "")
    return render(
        request,
        "portal/members/_org_choices.html",
        {"orgs": selectors.new_union_search(q=q), "field": field, "searched": bool(q.strip())},
    )


# --- progress ----------------------------------------------------------------------------------------------


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/members/applications.html",
        {"applications": selectors.own_applications(user=request.user)},
    )


@login_required
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.own_application_get(user=request.user, application_id=application_id)
    return render(
        request,
        "portal/members/application.html",
        {
            "app": app,
            "steps": selectors.application_steps(application=app, for_applicant=True),
            "masked_id": mask_id_number(app.id_number),
            "masked_mobile": mask_mobile(app.mobile),
            "sex": SEX_LABELS.get(app.sex, ""),
            "pending": app.status == Application.Status.PENDING,
        },
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.own_application_get(user=request.user, application_id=application_id)
    try:
        services.application_withdraw(user=request.user, application=app)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("portal:application", application_id=app.pk)


# --- the member card ---------------------------------------------------------------------------------------


@login_required
def membership(request: HttpRequest) -> HttpResponse:
    member = selectors.own_live_member(user=request.user) or selectors.own_members(user=request.user).first()
    context: dict[str, Any] = {"member": member}
    if member is not None:
        context.update(
            qr=card.card_qr_svg(member.number, request) if member.is_live else "",
            verify_url=card.card_verify_url(member.number, request) if member.is_live else "",
            events=selectors.member_events(member=member),
            dues=selectors.member_dues(member=member)[:12],
            transfer=selectors.own_pending_transfer(member=member),
            notes_shown=EVENT_NOTES_SHOWN,
        )
    else:
        context["applications"] = selectors.own_applications(user=request.user)[:3]
    return render(request, "portal/members/membership.html", context)


@login_required
def member_card_pdf(request: HttpRequest) -> HttpResponse:
    member = selectors.own_live_member(user=request.user)
    if member is None:
        raise Http404
    pdf = card.card_pdf(member, card.card_verify_url(member.number, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="member-card-{member.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def card_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone who scans a member card sees the masked name, the union and whether it is valid."""
    member = selectors.member_by_card_code(code)
    context: dict[str, Any] = {"member": member}
    if member is not None:
        context.update(masked_name=mask_name(member.name), valid=member.is_live)
    response = render(request, "portal/members/card_verify.html", context, status=200 if member else 404)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- transfer ----------------------------------------------------------------------------------------------


@login_required
def member_transfer(request: HttpRequest) -> HttpResponse:
    """The member moves to the union of a new job; the receiving union decides."""
    member = selectors.own_live_member(user=request.user)
    if member is None:
        messages.info(request, _("You have no membership to transfer."))
        return redirect("portal:membership")
    pending = selectors.own_pending_transfer(member=member)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    union_results: Any = []
    if action == "find_union":
        form = TransferForm(initial=_initial(request.POST))
        union_results = selectors.new_union_search(q=request.POST.get("union_q", ""))
    else:
        form = TransferForm(request.POST or None)
        if request.method == "POST" and pending is None and form.is_valid():
            d = form.cleaned_data
            try:
                transfer = services.transfer_start(
                    actor=request.user,
                    member=member,
                    to_org=d["to_org"],
                    reason=d["reason"],
                    new_employer_name=d["new_employer_name"],
                    new_employer_uscc=d["new_employer_uscc"],
                )
            except ServiceError as exc:
                _show_error(form, exc, {"org": "to_org"})
            else:
                messages.success(
                    request,
                    _("Your transfer to %(org)s was sent; the union decides by %(date)s.")
                    % {"org": transfer.to_org.name, "date": transfer.due_on.isoformat()},
                )
                return redirect("portal:membership")
    selected = selectors.join_org_get(org_id=request.POST.get("to_org"), purpose="union")
    return render(
        request,
        "portal/members/transfer.html",
        {
            "member": member,
            "pending": pending,
            "form": form,
            "union_choices": _choices(union_results, selected),
            "union_selected": selected.pk if selected else None,
            "transfers": selectors.own_transfers(user=request.user),
        },
    )


@login_required
@require_POST
def member_transfer_cancel(request: HttpRequest) -> HttpResponse:
    member = selectors.own_live_member(user=request.user)
    pending = selectors.own_pending_transfer(member=member) if member is not None else None
    if member is None or pending is None:
        raise Http404
    try:
        services.transfer_cancel(actor=request.user, transfer=pending)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Your transfer was cancelled; you stay with %(org)s.") % {"org": member.org.name}
        )
    return redirect("portal:membership")


# --- notices -----------------------------------------------------------------------------------------------


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/members/notices.html",
        {
            "notices": selectors.own_notices(user=request.user),
            "unread": selectors.own_unread_notice_count(user=request.user),
        },
    )


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    services.notices_mark_read(user=request.user)
    return redirect("portal:notices")
