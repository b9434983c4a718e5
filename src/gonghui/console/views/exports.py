"""Exporting a union's lists: masked at once; in full only after a second administrator approves."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.reauth import sensitive
from gonghui.core import selectors, services
from gonghui.core.errors import NotFound, ServiceError

from .common import ConsoleRequest, console_view


def _csv(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="gonghui-{name}-{stamp}.csv"'
    return response


@console_view
def export_masked(request: ConsoleRequest, kind: str) -> HttpResponse:
    data = services.export_masked(actor=request.user, kind=kind, org=request.org)
    return _csv(data, f"{kind}-masked")


@require_POST
@console_view
def export_request(request: ConsoleRequest, kind: str) -> HttpResponse:
    try:
        services.export_request_submit(
            actor=request.user, kind=kind, org=request.org, reason=request.POST.get("reason", "")
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect(request.META.get("HTTP_REFERER") or "console:export_list")
    messages.success(request, _("Your request waits for a second administrator's approval."))
    return redirect("console:export_list")


@console_view
def export_list(request: ConsoleRequest) -> HttpResponse:
    return render(
        request,
        "console/exports/list.html",
        {"requests": selectors.export_requests(actor=request.user)[:100], "now": timezone.now()},
    )


@require_POST
@console_view
@sensitive
def export_decide(request: ConsoleRequest, request_id: int) -> HttpResponse:
    req = selectors.export_requests(actor=request.user).filter(pk=request_id).first()
    if req is None:
        raise NotFound()
    try:
        services.export_request_decide(
            actor=request.user,
            request=req,
            approve=request.POST.get("action") == "approve",
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("console:export_list")


@require_POST
@console_view
@sensitive
def export_download(request: ConsoleRequest, request_id: int) -> HttpResponse:
    req = selectors.export_requests(actor=request.user).filter(pk=request_id).first()
    if req is None:
        raise NotFound()
    try:
        data = services.export_download(actor=request.user, request=req)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("console:export_list")
    return _csv(data, req.kind)
