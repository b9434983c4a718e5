"""What the portal and the console share for documents of a set-up request: the upload form and the step
that turns a submitted form into a stored document and a message. Both faces call these, so the rules of
an upload are written once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core.errors import ServiceError
from gonghui.core.uploads import upload_max_mb

from . import services
from .models import OrgRequest, OrgRequestDocument


class RequestDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Kind of document"), choices=OrgRequestDocument.Kind.choices)
    file = forms.FileField(
        label=_lazy("File"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.docx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form, in the language of the request, with the limit as configured now.
        self.fields["file"].help_text = _("PDF, PNG, JPEG, XLSX or DOCX, at most %(mb)s MB.") % {
            "mb": upload_max_mb()
        }


def attach_document(request: HttpRequest, req: OrgRequest) -> None:
    """Validate the posted form, store the document through the service, and say how it went."""
    form = RequestDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return
    try:
        doc = services.org_request_document_add(
            actor=request.user, request=req, file=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s was attached.") % {"name": doc.original_name})
