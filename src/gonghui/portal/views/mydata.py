"""The member's own data (PIPL art. 45 and 46): see it, download it, ask for a correction."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import selectors, services
from gonghui.accounts.reauth import sensitive
from gonghui.core.errors import ServiceError
from gonghui.portal.forms import CorrectionForm


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_request_submit(user=user, **form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Your request was sent to the system administrator."))
            return redirect("portal:my_data")
    return render(
        request,
        "portal/my_data.html",
        {
            "form": form,
            "roles": user.roles.select_related("org").order_by("org__path"),  # type: ignore[union-attr]
            "activity": selectors.own_activity(user=user, limit=20),  # type: ignore[arg-type]
            "corrections": selectors.own_corrections(user=user),  # type: ignore[arg-type]
        },
    )


@require_POST
@login_required
@sensitive
def my_data_download(request: HttpRequest) -> HttpResponse:
    """A JSON copy of everything held about the person; asks for the password again first."""
    data = services.own_data_export(user=request.user)  # type: ignore[arg-type]
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="gonghui-my-data-{stamp}.json"'
    return response
