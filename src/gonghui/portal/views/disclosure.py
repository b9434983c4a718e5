"""Member pages of enterprise disclosure (厂务公开, DOMAIN §3): what my union disclosed, one item with its
files, acknowledging it (once) and asking the union about it; my questions with their answers and the union's
public Q&A.

Only an active member of the union sees its items; anyone else is told there is nothing for them (a 404 for
an item), never whether it exists.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.disclosure import selectors, services


class AskForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
def disclosure_home(request: HttpRequest) -> HttpResponse:
    found = selectors.member_union(user=request.user)
    items = list(selectors.own_items(user=request.user)[:100])
    return render(
        request,
        "portal/disclosure/home.html",
        {"union": found[1] if found else None, "items": items},
    )


@login_required
def disclosure_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item, _member = selectors.own_item_get(user=request.user, item_id=item_id)
    return render(
        request,
        "portal/disclosure/item.html",
        {
            "item": item,
            "attachments": selectors.item_attachments(item=item),
            "ack": selectors.own_acknowledgement(user=request.user, item=item),
            "mine": selectors.own_questions(user=request.user, item=item),
            "public": selectors.public_questions(item=item),
            "ask_form": AskForm(),
        },
    )


@login_required
@require_POST
def disclosure_ack(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        services.item_acknowledge(user=request.user, item_id=item_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you: your acknowledgement was recorded."))
    return redirect("portal:disclosure_item", item_id=item_id)


@login_required
@require_POST
def disclosure_ask(request: HttpRequest, item_id: int) -> HttpResponse:
    form = AskForm(request.POST)
    if not form.is_valid():
        selectors.own_item_get(user=request.user, item_id=item_id)  # 404 before saying anything else
        messages.error(request, _("Write your question."))
        return redirect("portal:disclosure_item", item_id=item_id)
    try:
        services.question_ask(user=request.user, item_id=item_id, text=form.cleaned_data["text"])
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your question was sent to the union."))
    return redirect("portal:disclosure_item", item_id=item_id)


@login_required
def disclosure_file(request: HttpRequest, item_id: int, attachment_id: int) -> HttpResponse:
    att = selectors.own_attachment_get(user=request.user, item_id=item_id, attachment_id=attachment_id)
    handle = services.attachment_open(actor=request.user, attachment=att)
    return cast(
        HttpResponse, attachment_response(handle, filename=att.original_name, content_type=att.content_type)
    )
