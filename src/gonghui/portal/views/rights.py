"""Worker pages of rights protection (DOMAIN §4): ask the union for help (诉求), follow the request, rate it,
reopen or withdraw it.

Signed in or not, named or anonymous. Every request gets a private follow-up code, shown once; entering it
remembers the request in this browser session (never in the address), so an anonymous worker can follow it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_mobile
from gonghui.portal.forms import FollowCodeForm, RateForm, ReasonOnlyForm, RightsRequestForm
from gonghui.rights import selectors, services
from gonghui.rights.models import Case, CaseStatus

FOLLOWED = "rights_followed"  # session: ids of requests whose code was entered (or that were just made)
NEW_CODE = "rights_new_code"  # session: {case id: code} shown once on the progress page


def _followed(request: HttpRequest) -> set[int]:
    return set(request.session.get(FOLLOWED, []))


def _follow(request: HttpRequest, case: Case) -> None:
    ids = _followed(request) | {case.pk}
    request.session[FOLLOWED] = sorted(ids)[-20:]


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_of_worker(user=request.user, case_id=case_id, followed=_followed(request))


def rights_home(request: HttpRequest) -> HttpResponse:
    """The entrance: ask for help, my requests, follow one with a code."""
    mine = list(selectors.cases_of(user=request.user)[:20]) if request.user.is_authenticated else []
    followed_ids = _followed(request) - {c.pk for c in mine}
    followed = list(selectors.cases_followed(ids=followed_ids))
    return render(
        request,
        "portal/rights/home.html",
        {"mine": mine, "followed": followed, "follow_form": FollowCodeForm()},
    )


def rights_new(request: HttpRequest) -> HttpResponse:
    """Ask the union for help. The employer is never told who asked."""
    signed_in = request.user.is_authenticated
    form = RightsRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.CaseInput(
            category=d["category"],
            description=d["description"],
            employer_name=d["employer_name"],
            employer_uscc=d["employer_uscc"],
            work_division_code=d["work_division_code"],
            work_place=d["work_place"],
            workers_affected=d["workers_affected"],
            contact_name=d["contact_name"],
            contact_mobile=d["contact_mobile"],
        )
        try:
            case, code = services.case_submit(
                user=request.user if signed_in else None,
                data=data,
                anonymous=d["anonymous"],
                documents=d["documents"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            _follow(request, case)
            request.session[NEW_CODE] = {str(case.pk): code}
            messages.success(request, _("Your request was sent to %(org)s.") % {"org": case.org.name})
            return redirect("portal:rights_case", case_id=case.pk)
    account_mobile = mask_mobile(getattr(request.user, "mobile", "")) if signed_in else ""
    return render(
        request,
        "portal/rights/new.html",
        {"form": form, "signed_in": signed_in, "account_mobile": account_mobile},
    )


@require_POST
def rights_follow(request: HttpRequest) -> HttpResponse:
    try:
        case = services.case_follow(code=request.POST.get("code", ""))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("portal:rights")
    _follow(request, case)
    return redirect("portal:rights_case", case_id=case.pk)


def rights_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """The progress of one request (进度查询): where it is, what the union replied, the deadlines."""
    case = _case(request, case_id)
    codes = request.session.get(NEW_CODE, {})
    new_code = codes.pop(str(case.pk), "")
    if new_code:
        request.session[NEW_CODE] = codes
    until = services.reopen_until(case)
    from django.utils import timezone

    return render(
        request,
        "portal/rights/case.html",
        {
            "case": case,
            "events": selectors.case_events(case=case, worker=True),
            "new_code": new_code,
            "open": case.status != CaseStatus.CLOSED,
            "can_rate": case.status == CaseStatus.CLOSED
            and case.rated_at is None
            and case.outcome != "withdrawn",
            "reopen_until": until,
            "can_reopen": case.status == CaseStatus.CLOSED
            and case.outcome != "withdrawn"
            and until is not None
            and timezone.localdate() <= until,
            "rate_form": RateForm(),
            "reason_form": ReasonOnlyForm(),
        },
    )


def _act(request: HttpRequest, case_id: int, done: str, act: object) -> HttpResponse:
    case = _case(request, case_id)
    try:
        act(case)  # type: ignore[operator]
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("portal:rights_case", case_id=case.pk)


@require_POST
def rights_rate(request: HttpRequest, case_id: int) -> HttpResponse:
    form = RateForm(request.POST)
    if not form.is_valid():
        case = _case(request, case_id)
        messages.error(request, _("Choose from one to five stars."))
        return redirect("portal:rights_case", case_id=case.pk)
    d = form.cleaned_data
    return _act(
        request,
        case_id,
        _("Thank you for rating."),
        lambda c: services.case_rate(case=c, rating=d["rating"], comment=d["comment"]),
    )


@require_POST
def rights_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        case_id,
        _("Your request was reopened."),
        lambda c: services.case_reopen(case=c, reason=reason),
    )


@require_POST
def rights_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        case_id,
        _("Your request was withdrawn."),
        lambda c: services.case_withdraw(case=c, reason=reason),
    )
