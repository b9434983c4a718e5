from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import services as account_services
from gonghui.accounts.reauth import mark_reauthenticated
from gonghui.core.errors import ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.orgs import selectors
from gonghui.orgs import services as org_services
from gonghui.orgs.selectors import has_console_access
from gonghui.orgs.ui import RequestDocumentForm, attach_document
from gonghui.portal.forms import OrgRequestForm, PasswordLoginForm, SmsLoginForm
from gonghui.portal.services_grid import TILES


def home(request: HttpRequest) -> HttpResponse:
    tiles = [t for t in TILES if request.user.is_authenticated or not t.needs_login]
    return render(
        request,
        "portal/home.html",
        {"tiles": tiles, "is_cadre": request.user.is_authenticated and has_console_access(request.user)},
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("mode", request.POST.get("mode", "password"))
    password_form = PasswordLoginForm(
        request.POST if request.method == "POST" and mode == "password" else None
    )
    sms_form = SmsLoginForm(request.POST if request.method == "POST" and mode == "sms" else None)
    if request.method == "POST":
        form = password_form if mode == "password" else sms_form
        if form.is_valid():
            try:
                if mode == "password":
                    user = account_services.password_login(
                        mobile=form.cleaned_data["mobile"],
                        password=form.cleaned_data["password"],
                    )
                else:
                    user = account_services.sms_login(
                        mobile=form.cleaned_data["mobile"], code=form.cleaned_data["code"]
                    )
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
            else:
                login(request, user, backend="gonghui.accounts.backends.MobileBackend")
                mark_reauthenticated(
                    request
                )  # the password (or code) was just given: sensitive actions may follow
                return redirect(_next_url(request))
    return render(
        request,
        "portal/login.html",
        {"mode": mode, "password_form": password_form, "sms_form": sms_form, "next": _next_url(request)},
    )


@require_POST
def sms_code(request: HttpRequest) -> HttpResponse:
    try:
        account_services.sms_code_request(mobile=request.POST.get("mobile", ""))
    except ServiceError as exc:
        return render(request, "portal/_sms_status.html", {"error": str(exc.message)}, status=200)
    return render(request, "portal/_sms_status.html", {"sent": True})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        from gonghui.core.audit import log_action

        log_action(actor=request.user, action="gonghui.auth.logout", obj=request.user)
    logout(request)
    return redirect("portal:home")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    roles = request.user.roles.select_related("org").order_by("org__path")  # type: ignore[union-attr]
    return render(request, "portal/profile.html", {"roles": roles})


def language(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/language.html")


@login_required
def org_request(request: HttpRequest) -> HttpResponse:
    """Workers of a unit without a union ask the union one level up to approve setting one up."""
    form = OrgRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = selectors.public_parent_by_code(code=data["parent_code"])
        if parent is None:
            form.add_error("parent_code", _("No union above grassroots level has this code."))
        else:
            try:
                req = org_services.org_request_submit(
                    actor=request.user,
                    parent=parent,
                    name=data["name"],
                    uscc=data["uscc"],
                    employer_name=data["employer_name"],
                    address=data["address"],
                    staff_count=data["staff_count"],
                    reason=data["reason"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Your request was sent to %(org)s.") % {"org": parent.name})
                return redirect("portal:org_request_done", request_id=req.pk)
    return render(request, "portal/org_request.html", {"form": form})


@login_required
def org_request_done(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.org_request_get(actor=request.user, request_id=request_id)
    return render(
        request,
        "portal/org_request_done.html",
        {
            "req": req,
            "documents": selectors.org_request_documents(request=req),
            "document_form": RequestDocumentForm(),
            "can_add_documents": (req.status == req.Status.PENDING and req.requested_by_id == request.user.pk)
            or selectors.actor_can(request.user, "org.request.decide", req.parent),
        },
    )


@login_required
@require_POST
def org_request_document_upload(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.org_request_get(actor=request.user, request_id=request_id)
    attach_document(request, req)
    return redirect("portal:org_request_done", request_id=req.pk)


@login_required
def org_request_document_download(
    request: HttpRequest, request_id: int, document_id: int
) -> HttpResponseBase:
    doc = selectors.org_request_document_get(actor=request.user, document_id=document_id)
    if doc.request_id != request_id:
        raise Http404
    doc, handle = org_services.org_request_document_open(actor=request.user, document_id=doc.pk)
    return attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)
