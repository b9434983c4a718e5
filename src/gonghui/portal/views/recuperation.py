"""Member pages of recuperation (疗休养, DOMAIN §5): the batches my union has places in, whether I may apply
and why not, applying in a tap, my applications with their result, giving a place back before the cut-off.

Only a member of a union with places in a batch sees it (a 404 for anyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.recuperation import rules, selectors, services
from gonghui.recuperation.models import ApplicationStatus


@login_required
def home(request: HttpRequest) -> HttpResponse:
    batches = list(selectors.member_batches(user=request.user)[:100])
    now = timezone.now()
    for b in batches:
        b.window = rules.window_state(now=now, opens_at=b.opens_at, closes_at=b.closes_at)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/recuperation/home.html",
        {
            "member": selectors.live_member(user=request.user),
            "batches": batches,
            "applications": list(selectors.own_applications(user=request.user)[:20]),
        },
    )


@login_required
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One batch: the site, dates, theme and cost; the apply button, or every reason I may not apply."""
    b = selectors.member_batch_get(user=request.user, batch_id=batch_id)
    now = timezone.now()
    window = rules.window_state(now=now, opens_at=b.opens_at, closes_at=b.closes_at)
    problems: list[str] = []
    if b.my_application is None and window == "open":  # type: ignore[attr-defined]
        problems = [
            message for _code, message in services.apply_problems(batch=b, user=request.user, now=now)
        ]
    return render(
        request,
        "portal/recuperation/batch.html",
        {
            "batch": b,
            "window": window,
            "problems": problems,
            "can_apply": b.my_application is None and window == "open" and not problems,  # type: ignore[attr-defined]
        },
    )


@login_required
@require_POST
def apply(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        app = services.application_submit(user=request.user, batch_id=batch_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
        return redirect("portal:recuperation_batch", batch_id=batch_id)
    messages.success(request, _("Your application is in. Your union allocates the places after the close."))
    return redirect("portal:recuperation_application", application_id=app.pk)


@login_required
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.own_application_get(user=request.user, application_id=application_id)
    policy = selectors.policy_for(app.org)
    today = timezone.localdate()
    can_cancel = app.status in (ApplicationStatus.APPLIED, ApplicationStatus.WAITING) or (
        app.status == ApplicationStatus.ALLOCATED
        and rules.cancel_allowed(
            today=today, starts_on=app.batch.starts_on, days_before=policy.cancel_days_before
        )
    )
    return render(
        request,
        "portal/recuperation/application.html",
        {"app": app, "policy": policy, "can_cancel": can_cancel},
    )


@login_required
@require_POST
def cancel(request: HttpRequest, application_id: int) -> HttpResponse:
    try:
        services.application_cancel(
            user=request.user, application_id=application_id, reason=request.POST.get("reason", "")
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your application is cancelled."))
    return redirect("portal:recuperation_application", application_id=application_id)
