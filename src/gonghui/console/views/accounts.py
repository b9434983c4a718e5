"""The system administrator's pages: correcting account data that people asked to have corrected."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import selectors, services
from gonghui.accounts.models import AdminDuty
from gonghui.accounts.reauth import sensitive
from gonghui.accounts.services import account_find_or_create
from gonghui.core import calendar_services
from gonghui.core.calendar import entered_schedule, is_provisional
from gonghui.core.errors import ServiceError
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Role

from .common import duty_view


@duty_view(AdminDuty.SYSTEM)
def correction_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "console/accounts/corrections.html", {"corrections": selectors.pending_corrections()}
    )


@require_POST
@duty_view(AdminDuty.SYSTEM)
@sensitive
def correction_decide(request: HttpRequest, correction_id: int) -> HttpResponse:
    correction = get_object_or_404(selectors.pending_corrections(), pk=correction_id)
    try:
        if request.POST.get("action") == "apply":
            services.correction_apply(
                actor=request.user, correction=correction, note=request.POST.get("note", "")
            )
            messages.success(request, _("Corrected."))
        else:
            services.correction_reject(
                actor=request.user, correction=correction, reason=request.POST.get("note", "")
            )
            messages.success(request, _("The request was rejected."))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("console:correction_list")


@duty_view(AdminDuty.SECURITY)
@sensitive
def duty_list(request: HttpRequest) -> HttpResponse:
    """The security administrator's page: who holds which of the three duties; give or take one away."""
    if request.method == "POST":
        try:
            user = services.account_by_mobile(request.POST.get("mobile", ""))
            if user is None:
                raise ServiceError(
                    "not_found", _("No account uses this mobile number."), status=404, field="mobile"
                )
            services.admin_duty_assign(actor=request.user, user=user, duty=request.POST.get("duty", ""))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Duty changed for %(name)s.") % {"name": user.real_name})
        return redirect("console:duty_list")
    holders = selectors.duty_holders()
    return render(request, "console/accounts/duties.html", {"holders": holders, "duties": AdminDuty.choices})


@duty_view(AdminDuty.SYSTEM)
@sensitive
def privacy_notices(request: HttpRequest) -> HttpResponse:
    """The system administrator publishes versions of the privacy notice; consents name the version seen."""
    if request.method == "POST":
        try:
            services.privacy_notice_publish(
                actor=request.user,
                version=request.POST.get("version", ""),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The new version is published."))
        return redirect("console:privacy_notices")
    return render(request, "console/accounts/privacy.html", {"notices": selectors.privacy_notices()[:20]})


@duty_view(AdminDuty.SYSTEM)
@sensitive
def account_admin(request: HttpRequest) -> HttpResponse:
    """Find an account by its mobile number and disable or enable it."""
    found = None
    query = request.GET.get("mobile", "").strip()
    if request.method == "POST":
        user = services.account_by_mobile(request.POST.get("mobile", ""))
        if user is None:
            messages.error(request, _("No account uses this mobile number."))
        else:
            try:
                services.account_set_active(
                    actor=request.user,
                    user=user,
                    active=request.POST.get("action") == "enable",
                    reason=request.POST.get("reason", ""),
                )
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Saved."))
        return redirect(f"{request.path}?mobile={request.POST.get('mobile', '')}")
    if query:
        try:
            found = services.account_by_mobile(query)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
    return render(request, "console/accounts/accounts.html", {"query": query, "found": found})


@duty_view(AdminDuty.SYSTEM)
@sensitive
def calendar_admin(request: HttpRequest) -> HttpResponse:
    """Enter the State Council's holiday schedule for a year the bundled calendar does not know."""

    year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year + 1)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "official":
                calendar_services.schedule_year_mark_official(actor=request.user, year=year)
            elif request.POST.get("action") == "remove":
                calendar_services.workday_override_remove(
                    actor=request.user, override_id=int(request.POST.get("override", "0"))
                )
            else:
                day = date.fromisoformat(request.POST.get("day", ""))
                calendar_services.workday_override_set(
                    actor=request.user,
                    day=day,
                    is_workday=request.POST.get("is_workday") == "1",
                    name=request.POST.get("name", ""),
                )
        except ValueError:
            messages.error(request, _("Give the day as a date."))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?year={year}")

    days, official = entered_schedule(year)
    return render(
        request,
        "console/accounts/calendar.html",
        {
            "year": year,
            "days": days,
            "official": official,
            "provisional": is_provisional(date(year, 1, 1)),
        },
    )


@duty_view(AdminDuty.SECURITY)
@sensitive
def security_roles(request: HttpRequest) -> HttpResponse:
    """The security administrator finds, grants and removes roles anywhere on the platform."""

    search = request.GET.get("q", "").strip()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                assignment = (
                    org_selectors.role_assignments_platform(search=request.POST.get("q", ""))
                    .filter(pk=request.POST.get("assignment", "0"))
                    .first()
                )
                if assignment is None:
                    raise ServiceError("not_found", _("Not found."), status=404)
                org_services.role_revoke(actor=request.user, assignment=assignment)
            else:
                org = org_selectors.org_by_code(code=request.POST.get("org_code", ""))
                user = account_find_or_create(
                    actor=request.user,
                    mobile=request.POST.get("mobile", ""),
                    real_name=request.POST.get("real_name", ""),
                )
                org_services.role_grant(
                    actor=request.user, user=user, org=org, role=request.POST.get("role", "")
                )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?q={request.POST.get('q', '')}")
    try:
        assignments = list(org_selectors.role_assignments_platform(search=search)[:200])
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        assignments = []
    return render(
        request,
        "console/accounts/security_roles.html",
        {"q": search, "assignments": assignments, "roles": Role.choices},
    )
