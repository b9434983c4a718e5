from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.reauth import sensitive
from gonghui.core.errors import ServiceError
from gonghui.orgs import selectors, services
from gonghui.orgs.models import OrgKind
from gonghui.orgs.rules import can_hang_under
from gonghui.rights import selectors as rights_selectors

from ..forms import MoveForm, OrgCreateForm, OrgEditForm
from .common import SESSION_KEY, ConsoleRequest, console_view
from .members import dashboard_context as member_dashboard
from .overview import worker_services


@console_view
def dashboard(request: ConsoleRequest) -> HttpResponse:
    org = request.org
    children = list(selectors.org_children(actor=request.user, org=org)[:200])
    pending = selectors.org_requests(actor=request.user, status="pending").count()
    # The chart reads the same roll-up rows as the table: no extra query, any size of subtree.
    ranked = sorted(children, key=lambda o: o.rollup.grassroots, reverse=True)[:12]
    chart = {
        "labels": [o.short_name or o.name for o in ranked],
        "series": [
            {"name": str(_("Grassroots unions")), "data": [o.rollup.grassroots for o in ranked]},
            {"name": str(_("Staff covered")), "data": [o.rollup.staff for o in ranked]},
        ],
    }
    return render(
        request,
        "console/dashboard.html",
        {
            "org": org,
            "children": children,
            "chart": chart,
            "pending_requests": pending,
            "breadcrumb": selectors.org_visible_ancestors(actor=request.user, org=org),
            "members": member_dashboard(actor=request.user, org=org),
            "rights": rights_selectors.case_summary(actor=request.user, org=org),
            "services": worker_services(actor=request.user, org=org),
        },
    )


@console_view
def switch_org(request: ConsoleRequest) -> HttpResponse:
    """The org switcher: only orgs in the actor's scope can be chosen (anything else is a 404)."""
    if request.method == "POST":
        org = selectors.org_get(actor=request.user, org_id=int(request.POST.get("org", "0") or 0))
        request.session[SESSION_KEY] = org.pk
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = "console:dashboard"
        return redirect(target)
    query = request.GET.get("q", "").strip()
    results = selectors.org_list(actor=request.user, search=query)[:30] if query else []
    return render(
        request,
        "console/switch.html",
        {"tops": selectors.top_orgs(actor=request.user), "query": query, "results": results},
    )


@console_view
def org_tree(request: ConsoleRequest) -> HttpResponse:
    """The tree browser: search the scope, or walk down from the current org with expandable children."""
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    page = None
    if query or kind:
        qs = selectors.org_list(actor=request.user, search=query, kind=kind, within=request.org)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "console/orgs/tree.html",
        {
            "org": request.org,
            "query": query,
            "kind": kind,
            "kinds": OrgKind.choices,
            "page": page,
            "children": selectors.org_children(actor=request.user, org=request.org),
        },
    )


@console_view
def org_children(request: ConsoleRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get(actor=request.user, org_id=org_id)
    return render(
        request,
        "console/orgs/_children.html",
        {"children": selectors.org_children(actor=request.user, org=org)},
    )


@console_view
def org_detail(request: ConsoleRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get(actor=request.user, org_id=org_id)
    return render(
        request,
        "console/orgs/detail.html",
        {
            "org": org,
            "breadcrumb": selectors.org_visible_ancestors(actor=request.user, org=org),
            "children": selectors.org_children(actor=request.user, org=org)[:200],
            "can_move": org.parent is not None and selectors.actor_can(request.user, "org.move", org.parent),
            "can_change": selectors.actor_can(request.user, "org.change", org),
        },
    )


@console_view
@sensitive
def org_move(request: ConsoleRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get(actor=request.user, org_id=org_id)
    form = MoveForm(request.POST or None)
    # Only parents the move could succeed under: in scope with the move right, of a kind this org may hang
    # under, and not inside the org's own subtree.
    allowed_kinds = [kind for kind in OrgKind.values if can_hang_under(org.kind, kind)]
    candidates = [
        o
        for o in selectors.org_list(actor=request.user, perm="org.move")
        .filter(kind__in=allowed_kinds)
        .exclude(pk=org.parent_id or 0)[:500]
        if not o.path.startswith(org.path)
    ]
    form.fields["new_parent"].widget.choices = [(o.pk, f"{'　' * o.depth}{o.name}") for o in candidates]
    if request.method == "POST" and form.is_valid():
        try:
            new_parent = selectors.org_get(actor=request.user, org_id=form.cleaned_data["new_parent"])
            services.org_move(
                actor=request.user, org=org, new_parent=new_parent, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("%(org)s now belongs to %(parent)s.") % {"org": org.name, "parent": new_parent.name},
            )
            return redirect("console:org_detail", org_id=org.pk)
    return render(request, "console/orgs/move.html", {"org": org, "form": form})


@require_POST
@console_view
def org_use(request: ConsoleRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get(actor=request.user, org_id=org_id)
    request.session[SESSION_KEY] = org.pk
    return redirect("console:dashboard")


@console_view
def org_new(request: ConsoleRequest, org_id: int) -> HttpResponse:
    """Create a union directly under this one (any kind but a grassroots union, which needs a request)."""
    parent = selectors.org_get(actor=request.user, org_id=org_id, perm="org.change")
    form = OrgCreateForm(request.POST or None)
    form.fields["kind"].choices = [  # type: ignore[attr-defined]
        (value, label)
        for value, label in OrgKind.choices
        if value != OrgKind.GRASSROOTS and can_hang_under(value, parent.kind)
    ]
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("%(org)s was created.") % {"org": org.name})
            return redirect("console:org_detail", org_id=org.pk)
    return render(request, "console/orgs/new.html", {"parent": parent, "form": form})


@console_view
def org_edit(request: ConsoleRequest, org_id: int) -> HttpResponse:
    org = selectors.org_get(actor=request.user, org_id=org_id, perm="org.change")
    initial = {
        "name": org.name,
        "short_name": org.short_name,
        "uscc": org.uscc or "",
        "employer_name": org.employer_name,
        "address": org.address,
        "staff_count": org.staff_count,
    }
    form = OrgEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        try:
            if changes:
                services.org_update(actor=request.user, org=org, **changes)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("console:org_detail", org_id=org.pk)
    return render(request, "console/orgs/edit.html", {"org": org, "form": form})
