"""Reads of the union tree, always scoped by the actor's place in it.

An actor's scope is the union of the subtrees of the orgs where they hold a role. An API token limited to
an org narrows that further. Anything outside scope is reported as not found, never as forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound, PermissionDenied

from .models import Org, OrgKind, OrgRequest, OrgRequestDocument, RoleAssignment
from .paths import ids_from_path, is_within, minimal_cover, subtree_q
from .rules import permissions_for


@dataclass(frozen=True)
class Grant:
    org_id: int
    path: str
    role: str


def actor_grants(actor: Any) -> list[Grant]:
    """The actor's role assignments, read once per actor object (one query per request)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    cached = getattr(actor, "_gonghui_grants", None)
    if cached is None:
        cached = [
            Grant(org_id=org_id, path=path, role=role)
            for org_id, path, role in RoleAssignment.objects.filter(
                user=actor, org__is_active=True
            ).values_list("org_id", "org__path", "role")
        ]
        limit = getattr(actor, "_token_org_path", None)
        if limit:
            # A token limited to an org keeps only the part of each grant that lies inside that org's subtree.
            narrowed = []
            for grant in cached:
                if is_within(grant.path, limit):
                    narrowed.append(grant)
                elif is_within(limit, grant.path):
                    narrowed.append(Grant(org_id=ids_from_path(limit)[-1], path=limit, role=grant.role))
            cached = narrowed
        actor._gonghui_grants = cached
    return list(cached)


def scope_paths(actor: Any, perm: str = "org.view") -> list[str]:
    paths = [g.path for g in actor_grants(actor) if perm in permissions_for(g.role)]
    return minimal_cover(paths)


def scope_q(actor: Any, perm: str = "org.view", field: str = "path") -> Q:
    """A filter for rows whose org path lies within the actor's scope; matches nothing when out of scope."""
    paths = scope_paths(actor, perm)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= subtree_q(path, field)
    return q


def actor_can(actor: Any, perm: str, org: Org) -> bool:
    if getattr(actor, "_token_read_only", False) and perm != "org.view" and not perm.endswith(".view"):
        return False
    return any(is_within(org.path, g.path) and perm in permissions_for(g.role) for g in actor_grants(actor))


def refuse(actor: Any, org: Org | None, message: Any) -> NoReturn:
    """Refuse a read or action on `org`: 403 when the actor sees the union but their role does not give the
    permission, otherwise 404 with `message` (outside scope nothing may be learnt about the union)."""
    if org is not None and actor_can(actor, "org.view", org):
        raise PermissionDenied(_("Your role does not allow this action on %(org)s.") % {"org": org.name})
    raise NotFound(message)


def has_console_access(actor: Any) -> bool:
    return bool(actor_grants(actor))


def org_list(
    *, actor: Any, search: str = "", kind: str = "", within: Org | None = None, perm: str = "org.view"
) -> QuerySet[Org]:
    if within is not None:
        # Within one subtree: if the actor's scope covers it, its own range is the whole filter (repeating
        # the scope ranges would only make the database compare every row twice).
        covered = any(is_within(within.path, p) for p in scope_paths(actor, perm))
        qs = Org.objects.filter(subtree_q(within.path) if covered else Q(pk__in=[])).select_related("rollup")
    else:
        qs = Org.objects.filter(scope_q(actor, perm)).select_related("rollup")
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(code__iexact=term)
            | Q(uscc__iexact=term.upper())
            | Q(name_pinyin__icontains=term.lower())
        )
    return qs.order_by("path")


def org_get(*, actor: Any, org_id: int, perm: str = "org.view") -> Org:
    """One org the actor may act on: 404 when it is outside their scope (its existence is not revealed),
    403 when it is inside but their role there does not give `perm`."""
    org = Org.objects.select_related("parent", "industry_union", "rollup").filter(pk=org_id).first()
    if org is None or not actor_can(actor, "org.view", org):
        raise NotFound(_("No such union in your scope."))
    if perm != "org.view" and not actor_can(actor, perm, org):
        raise PermissionDenied(_("Your role does not allow this action on %(org)s.") % {"org": org.name})
    return org


def org_children(*, actor: Any, org: Org) -> QuerySet[Org]:
    """Children of an org the actor may see (the caller has already checked `org` itself)."""
    return (
        Org.objects.filter(parent=org)
        .filter(scope_q(actor))
        .select_related("rollup")
        .order_by("kind", "name")
    )


def org_ancestors(*, org: Org) -> list[Org]:
    """The breadcrumb from the root to the org's parent: one query by ids read from the path."""
    ids = org.ancestor_ids()
    by_id = Org.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def org_visible_ancestors(*, actor: Any, org: Org) -> list[Org]:
    """The part of the breadcrumb the actor may open; ancestors above their scope are not shown."""
    return [a for a in org_ancestors(org=org) if actor_can(actor, "org.view", a)]


def top_orgs(*, actor: Any) -> QuerySet[Org]:
    """The roots of the actor's scope: where the org switcher and tree browser start."""
    paths = scope_paths(actor)
    return Org.objects.filter(path__in=paths).select_related("rollup").order_by("path")


def industry_affiliates(*, actor: Any, industry_union: Org) -> QuerySet[Org]:
    """Grassroots unions along an industry chain: affiliated to this industry union or any below it."""
    chain = [industry_union.pk]
    frontier = [industry_union.pk]
    # Industry chains are at most three levels deep (national, province, city): a bounded loop, not recursion
    # over the tree.
    for _level in range(3):
        frontier = list(
            Org.objects.filter(kind=OrgKind.INDUSTRY, industry_union_id__in=frontier).values_list(
                "pk", flat=True
            )
        )
        if not frontier:
            break
        chain.extend(frontier)
    return (
        Org.objects.filter(industry_union_id__in=chain, kind=OrgKind.GRASSROOTS)
        .filter(scope_q(actor))
        .order_by("path")
    )


def org_requests(*, actor: Any, status: str = "") -> QuerySet[OrgRequest]:
    qs = OrgRequest.objects.filter(scope_q(actor, "org.view", field="parent__path")).select_related(
        "parent", "requested_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def org_request_get(*, actor: Any, request_id: int) -> OrgRequest:
    req = OrgRequest.objects.select_related("parent", "requested_by").filter(pk=request_id).first()
    if req is None or not (actor_can(actor, "org.view", req.parent) or req.requested_by_id == actor.pk):
        raise NotFound(_("No such request in your scope."))
    return req


def role_assignments(*, actor: Any, org: Org | None = None) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.filter(scope_q(actor, "role.manage", field="org__path")).select_related(
        "user", "org"
    )
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "org__path"))
    return qs.order_by("org__path", "role", "user__real_name")


def public_parent_by_code(*, code: str) -> Org | None:
    """A union above grassroots level looked up by its org code: union names and codes are public, so any
    logged-in worker may address a set-up request to one."""
    return (
        Org.objects.filter(code=code.strip(), is_active=True)
        .exclude(kind__in=[OrgKind.GRASSROOTS, OrgKind.BRANCH, OrgKind.GROUP])
        .first()
    )


def org_request_documents(*, request: OrgRequest) -> QuerySet[OrgRequestDocument]:
    """The documents of a request the caller already holds through org_request_get (which checked scope)."""
    return OrgRequestDocument.objects.filter(request=request).select_related("uploaded_by")


def org_request_document_get(*, actor: Any, document_id: int) -> OrgRequestDocument:
    """A document of a set-up request, for its requester or anyone who may view the request's parent union;
    anyone else is told it does not exist."""
    doc = (
        OrgRequestDocument.objects.select_related("request", "request__parent").filter(pk=document_id).first()
    )
    if doc is None or not (
        doc.request.requested_by_id == getattr(actor, "pk", None)
        or actor_can(actor, "org.view", doc.request.parent)
    ):
        raise NotFound(_("No such document in your scope."))
    return doc


def role_assignments_platform(*, search: str = "") -> QuerySet[RoleAssignment]:
    """Every role on the platform, for the security administrator (whose duty is roles and permissions).
    `search` is a whole mobile number (through its blind index) or an org code."""
    qs = RoleAssignment.objects.select_related("user", "org").order_by("org__path", "role")
    term = search.strip()
    if not term:
        return qs.none()
    from gonghui.accounts.models import User
    from gonghui.core.fields import blind_q

    if term.isdigit() and len(term) == 11:
        return qs.filter(user__in=User.objects.filter(blind_q(User, "mobile", term)))
    return qs.filter(org__code=term)


def industry_union_get(*, org_id: int) -> Org:
    """An industry union to affiliate with: the chains are public structure, like union names and codes."""
    org = Org.objects.filter(pk=org_id, kind=OrgKind.INDUSTRY).first()
    if org is None:
        raise NotFound()
    return org


def org_by_code(*, code: str) -> Org:
    """Any union by its org code, for the platform-wide duties (security and audit administrators)."""
    org = Org.objects.filter(code=code.strip()).first()
    if org is None:
        raise NotFound(_("No union has this code."))
    return org
