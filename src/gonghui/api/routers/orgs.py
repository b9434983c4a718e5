from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.accounts.services import account_find_or_create
from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import NotFound
from gonghui.orgs import selectors, services
from gonghui.orgs.models import Org, OrgKind, OrgRequest, RoleAssignment

router = Router(tags=["orgs"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class OrgOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    industry_union_id: int | None
    depth: int
    uscc: str | None
    division_code: str
    is_platform: bool
    staff_count: int
    established_on: date | None
    subtree_orgs: int
    subtree_grassroots: int
    subtree_members: int

    @staticmethod
    def resolve_kind_label(obj: Org) -> str:
        return str(OrgKind(obj.kind).label)

    @staticmethod
    def resolve_subtree_orgs(obj: Org) -> int:
        return obj.rollup.orgs if hasattr(obj, "rollup") else 1

    @staticmethod
    def resolve_subtree_grassroots(obj: Org) -> int:
        return obj.rollup.grassroots if hasattr(obj, "rollup") else 0

    @staticmethod
    def resolve_subtree_members(obj: Org) -> int:
        return obj.rollup.members if hasattr(obj, "rollup") else 0


class OrgCreateIn(Schema):
    parent_id: int
    name: str
    kind: str
    code: str = ""
    uscc: str = ""
    division_code: str = ""
    industry_union_id: int | None = None
    address: str = ""
    staff_count: int = 0


class OrgRequestIn(Schema):
    parent_id: int
    name: str
    kind: str = OrgKind.GRASSROOTS
    uscc: str = ""
    employer_name: str = ""
    address: str = ""
    staff_count: int = 0
    industry_union_id: int | None = None
    reason: str = ""


class OrgRequestOut(Schema):
    id: int
    parent_id: int
    name: str
    kind: str
    uscc: str
    status: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str
    created_org_id: int | None


class OrgUpdateIn(Schema):
    name: str | None = None
    short_name: str | None = None
    uscc: str | None = None
    employer_name: str | None = None
    address: str | None = None
    staff_count: int | None = None
    is_platform: bool | None = None


class DecisionIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class MoveIn(Schema):
    new_parent_id: int
    reason: str


class RoleOut(Schema):
    id: int
    user_id: int
    user_name: str
    org_id: int
    role: str
    granted_at: datetime

    @staticmethod
    def resolve_user_name(obj: RoleAssignment) -> str:
        return obj.user.real_name


class RoleIn(Schema):
    mobile: str
    real_name: str = ""
    role: str


def _industry(industry_id: int | None) -> Org | None:
    return selectors.industry_union_get(org_id=industry_id) if industry_id is not None else None


@router.get("", response=list[OrgOut])
@paginate(LimitOffsetPagination)
def org_list(request: HttpRequest, search: str = "", kind: str = "", within: int | None = None):  # type: ignore[no-untyped-def]
    """Unions in the caller's scope, in tree order; `within` limits to one subtree, `search` matches name,
    pinyin, org code or credit code."""
    within_org = selectors.org_get(actor=request.user, org_id=within) if within else None
    return selectors.org_list(actor=request.user, search=search, kind=kind, within=within_org)


@router.post("", response={201: OrgOut, **ERRORS})
def org_create(request: HttpRequest, data: OrgCreateIn):  # type: ignore[no-untyped-def]
    parent = selectors.org_get(actor=request.user, org_id=data.parent_id)
    org = services.org_create(
        actor=request.user,
        parent=parent,
        name=data.name,
        kind=data.kind,
        code=data.code,
        uscc=data.uscc,
        division_code=data.division_code,
        industry_union=_industry(data.industry_union_id),
        address=data.address,
        staff_count=data.staff_count,
    )
    return Status(201, selectors.org_get(actor=request.user, org_id=org.pk))


@router.get("/requests", response=list[OrgRequestOut])
@paginate(LimitOffsetPagination)
def org_request_list(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    return selectors.org_requests(actor=request.user, status=status)


@router.post("/requests", response={201: OrgRequestOut, **ERRORS})
def org_request_create(request: HttpRequest, data: OrgRequestIn):  # type: ignore[no-untyped-def]
    """Ask the union one level up to approve a new grassroots union. The parent must be in the caller's scope."""
    parent = selectors.org_get(actor=request.user, org_id=data.parent_id)
    req = services.org_request_submit(
        actor=request.user,
        parent=parent,
        name=data.name,
        kind=data.kind,
        uscc=data.uscc,
        employer_name=data.employer_name,
        address=data.address,
        staff_count=data.staff_count,
        industry_union=_industry(data.industry_union_id),
        reason=data.reason,
    )
    return Status(201, req)


@router.get("/requests/{request_id}", response={200: OrgRequestOut, 404: ErrorOut})
def org_request_get(request: HttpRequest, request_id: int) -> OrgRequest:
    return selectors.org_request_get(actor=request.user, request_id=request_id)


@router.post("/requests/{request_id}/approve", response={200: OrgOut, **ERRORS})
def org_request_approve(request: HttpRequest, request_id: int, data: DecisionIn) -> Org:
    req = selectors.org_request_get(actor=request.user, request_id=request_id)
    org = services.org_request_approve(actor=request.user, request=req, note=data.note)
    return selectors.org_get(actor=request.user, org_id=org.pk)


@router.post("/requests/{request_id}/reject", response={200: OrgRequestOut, **ERRORS})
def org_request_reject(request: HttpRequest, request_id: int, data: RejectIn) -> OrgRequest:
    req = selectors.org_request_get(actor=request.user, request_id=request_id)
    return services.org_request_reject(actor=request.user, request=req, reason=data.reason)


@router.get("/{org_id}", response={200: OrgOut, 404: ErrorOut})
def org_detail(request: HttpRequest, org_id: int) -> Org:
    return selectors.org_get(actor=request.user, org_id=org_id)


@router.patch("/{org_id}", response={200: OrgOut, **ERRORS})
def org_update(request: HttpRequest, org_id: int, data: OrgUpdateIn) -> Org:
    """Change an org's details; fields left out stay as they are. Staff counts flow into every ancestor's roll-up."""
    org = selectors.org_get(actor=request.user, org_id=org_id, perm="org.change")
    changes = data.dict(exclude_unset=True)
    if changes:
        services.org_update(actor=request.user, org=org, **changes)
    return selectors.org_get(actor=request.user, org_id=org_id)


@router.get("/{org_id}/children", response={200: list[OrgOut], 404: ErrorOut})
def org_children(request: HttpRequest, org_id: int) -> list[Org]:
    org = selectors.org_get(actor=request.user, org_id=org_id)
    return list(selectors.org_children(actor=request.user, org=org))


@router.get("/{org_id}/ancestors", response={200: list[OrgOut], 404: ErrorOut})
def org_ancestors(request: HttpRequest, org_id: int) -> list[Org]:
    """The breadcrumb from the top of the caller's scope down to the org's parent."""
    org = selectors.org_get(actor=request.user, org_id=org_id)
    return selectors.org_visible_ancestors(actor=request.user, org=org)


@router.post("/{org_id}/move", response={200: OrgOut, **ERRORS})
def org_move(request: HttpRequest, org_id: int, data: MoveIn) -> Org:
    org = selectors.org_get(actor=request.user, org_id=org_id)
    new_parent = selectors.org_get(actor=request.user, org_id=data.new_parent_id)
    services.org_move(actor=request.user, org=org, new_parent=new_parent, reason=data.reason)
    return selectors.org_get(actor=request.user, org_id=org_id)


@router.get("/{org_id}/roles", response={200: list[RoleOut], 404: ErrorOut})
def role_list(request: HttpRequest, org_id: int) -> list[RoleAssignment]:
    org = selectors.org_get(actor=request.user, org_id=org_id, perm="role.manage")
    return list(selectors.role_assignments(actor=request.user, org=org))


@router.post("/{org_id}/roles", response={201: RoleOut, **ERRORS})
def role_grant(request: HttpRequest, org_id: int, data: RoleIn):  # type: ignore[no-untyped-def]
    org = selectors.org_get(actor=request.user, org_id=org_id)
    # Check the permission before an account may be opened for the mobile number.
    services.require(actor=request.user, perm="role.manage", org=org)
    user = account_find_or_create(actor=request.user, mobile=data.mobile, real_name=data.real_name)
    return Status(201, services.role_grant(actor=request.user, user=user, org=org, role=data.role))


@router.delete("/{org_id}/roles/{assignment_id}", response={204: None, **ERRORS})
def role_revoke(request: HttpRequest, org_id: int, assignment_id: int):  # type: ignore[no-untyped-def]
    org = selectors.org_get(actor=request.user, org_id=org_id, perm="role.manage")
    assignment = selectors.role_assignments(actor=request.user, org=org).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound()
    services.role_revoke(actor=request.user, assignment=assignment)
    return Status(204, None)
