from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.orgs import selectors, services
from gonghui.orgs.models import OrgRequest
from gonghui.orgs.ui import RequestDocumentForm, attach_document

from ..forms import OrgRequestForm, RejectForm
from .common import ConsoleRequest, console_view


@console_view
def request_list(request: ConsoleRequest) -> HttpResponse:
    status = request.GET.get("status", OrgRequest.Status.PENDING)
    reqs = selectors.org_requests(actor=request.user, status=status)[:200]
    return render(
        request,
        "console/requests/list.html",
        {"reqs": reqs, "status": status, "statuses": OrgRequest.Status.choices},
    )


@console_view
def request_new(request: ConsoleRequest) -> HttpResponse:
    """A cadre files a set-up request under the current org on behalf of a unit's workers."""
    form = OrgRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.org_request_submit(actor=request.user, parent=request.org, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The request was filed."))
            return redirect("console:request_detail", request_id=req.pk)
    return render(request, "console/requests/new.html", {"form": form})


@console_view
def request_detail(request: ConsoleRequest, request_id: int) -> HttpResponse:
    req = selectors.org_request_get(actor=request.user, request_id=request_id)
    reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                org = services.org_request_approve(
                    actor=request.user, request=req, note=request.POST.get("note", "")
                )
                messages.success(request, _("Approved: %(org)s is set up.") % {"org": org.name})
                return redirect("console:org_detail", org_id=org.pk)
            if reject_form.is_valid():
                services.org_request_reject(
                    actor=request.user, request=req, reason=reject_form.cleaned_data["reason"]
                )
                messages.success(request, _("The request was rejected."))
                return redirect("console:request_list")
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect("console:request_detail", request_id=req.pk)
    can_decide = selectors.actor_can(request.user, "org.request.decide", req.parent)
    return render(
        request,
        "console/requests/detail.html",
        {
            "req": req,
            "reject_form": reject_form,
            "can_decide": can_decide,
            "documents": selectors.org_request_documents(request=req),
            "document_form": RequestDocumentForm(),
            "can_add_documents": can_decide
            or (req.status == OrgRequest.Status.PENDING and req.requested_by_id == request.user.pk),
        },
    )


@require_POST
@console_view
def request_document_upload(request: ConsoleRequest, request_id: int) -> HttpResponse:
    req = selectors.org_request_get(actor=request.user, request_id=request_id)
    attach_document(request, req)
    return redirect("console:request_detail", request_id=req.pk)


@console_view
def request_document_download(request: ConsoleRequest, document_id: int) -> HttpResponse:
    doc, handle = services.org_request_document_open(actor=request.user, document_id=document_id)
    # A streaming response; console_view is typed for HttpResponse but passes any response through.
    return cast(
        HttpResponse,
        attachment_response(handle, filename=doc.original_name, content_type=doc.content_type),
    )
