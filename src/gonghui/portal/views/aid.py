"""Worker pages of hardship aid (DOMAIN §5): my hardship file and applications, apply in a few taps, follow
the review up the chain, and the announcements (公示) of my union with masked names, where a member may
object."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.aid import selectors, services
from gonghui.aid.models import FileStatus
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.masking import mask_name

from ..forms_aid import ApplyForm, ObjectForm


@login_required
def aid_home(request: HttpRequest) -> HttpResponse:
    files = list(selectors.own_files(user=request.user)[:5])
    current = next((f for f in files if f.status == FileStatus.ACTIVE), None)
    return render(
        request,
        "portal/aid/home.html",
        {
            "file": current,
            "may_apply": current is not None and current.verified_at is not None,
            "applications": list(selectors.own_applications(user=request.user)[:20]),
            "announcements": selectors.public_announcements(user=request.user),
        },
    )


@login_required
def aid_apply(request: HttpRequest) -> HttpResponse:
    current = selectors.own_files(user=request.user).filter(status=FileStatus.ACTIVE).first()
    if current is None:
        raise NotFound(_("You have no open hardship file; your union opens one after a visit."))
    form = ApplyForm(
        request.POST or None, request.FILES or None, initial={"aid_type": request.GET.get("type", "")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.ApplicationInput(
            aid_type=d["aid_type"],
            amount=d["amount"],
            reason=d["reason"],
            illness_code=d["illness_code"],
            illness_name=d["illness_name"],
            school_year=d["school_year"],
            season=d["season"],
            period=d["period"],
        )
        try:
            app = services.application_submit(
                user=request.user, file=current, data=data, documents=d["documents"]
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Sent to %(org)s for review.") % {"org": app.current_org})
            return redirect("portal:aid_application", application_id=app.pk)
    return render(request, "portal/aid/apply.html", {"form": form, "file": current})


@login_required
def aid_application(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.own_application_get(user=request.user, application_id=application_id)
    return render(
        request,
        "portal/aid/application.html",
        {"app": app, "steps": selectors.application_steps(application=app)},
    )


@login_required
def aid_announcement(request: HttpRequest, application_id: int) -> HttpResponse:
    """One announced grant of my union; a member may object while it runs."""
    app = selectors.announcement_for_member(user=request.user, application_id=application_id)
    form = ObjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_raise(user=request.user, application=app, text=form.cleaned_data["text"])
        except ServiceError as exc:
            form.add_error("text", str(exc.message))
        else:
            messages.success(request, _("Your objection is recorded; the union will look into it."))
            return redirect("portal:aid")
    return render(
        request,
        "portal/aid/announcement.html",
        {
            "app": app,
            "masked_name": mask_name(app.file.member.name),
            "form": form,
            "open": app.announce_until is not None and timezone.localdate() <= app.announce_until,
        },
    )
