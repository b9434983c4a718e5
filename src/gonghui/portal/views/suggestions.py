"""Member pages of rationalisation suggestions (合理化建议): submit one to my union, follow my suggestions, and
read the adopted suggestions of my union's year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.errors import ServiceError
from gonghui.suggestions import selectors, services
from gonghui.suggestions.forms import SuggestionForm


@login_required
def suggestions_home(request: HttpRequest) -> HttpResponse:
    """My suggestions, and the way to make one (only an active member may)."""
    return render(
        request,
        "portal/suggestions/home.html",
        {
            "mine": list(selectors.suggestions_of(user=request.user)[:50]),
            "union": selectors.member_union(user=request.user),
            "year": timezone.localdate().year,
        },
    )


@login_required
def suggestion_new(request: HttpRequest) -> HttpResponse:
    union = selectors.member_union(user=request.user)
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and union is not None and form.is_valid():
        d = form.cleaned_data
        try:
            suggestion = services.suggestion_submit(
                user=request.user,
                data=services.SuggestionInput(
                    title=d["title"],
                    category=d["category"],
                    situation=d["situation"],
                    measures=d["measures"],
                    expected_benefit=d["expected_benefit"],
                ),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(
                request, _("Your suggestion was sent to %(org)s.") % {"org": suggestion.org.name}
            )
            return redirect("portal:suggestion", suggestion_id=suggestion.pk)
    return render(request, "portal/suggestions/new.html", {"form": form, "union": union})


@login_required
def suggestion_detail(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = selectors.suggestion_of_member(user=request.user, suggestion_id=suggestion_id)
    return render(
        request,
        "portal/suggestions/detail.html",
        {"s": suggestion, "events": selectors.suggestion_events(suggestion=suggestion, member=True)},
    )


@login_required
def suggestions_adopted(request: HttpRequest) -> HttpResponse:
    """The adopted suggestions of my union in a year: what colleagues proposed and what it brought."""
    union = selectors.member_union(user=request.user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    items = list(selectors.adopted_of_union(org=union, year=year)) if union else []
    return render(
        request,
        "portal/suggestions/adopted.html",
        {"union": union, "year": year, "items": items, "years": [today.year - k for k in range(0, 5)]},
    )
