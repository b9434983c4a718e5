"""Every write to the union tree. Keyword-only, typed, audited; rollups are kept in the same transaction."""

from __future__ import annotations

from typing import Any, BinaryIO

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from gonghui.core.audit import log_action
from gonghui.core.duties import SECURITY, has_duty
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.identifiers import clean_division_code, clean_uscc
from gonghui.core.uploads import (
    DOCUMENT_TYPES,
    check_upload,
    delete_stored,
    media_path,
    safe_name,
    sha256_of,
    store_upload,
)

from .models import Org, OrgKind, OrgRequest, OrgRequestDocument, OrgRollup, Role, RoleAssignment
from .paths import segment, subtree_q
from .rules import TERRITORIAL_KINDS, can_hang_under
from .selectors import actor_can, org_request_document_get

DIVISION_REQUIRED = frozenset({OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT})


def pinyin_key(name: str) -> str:
    """Full pinyin and initials, so that cadres can search “hzgh” or “hangzhou” for 杭州市总工会."""
    full = "".join(lazy_pinyin(name))
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return f"{full} {initials}".lower()[:400]


def require(*, actor: Any, perm: str, org: Org) -> None:
    """Raise unless the actor holds `perm` on `org`: 404 outside scope, 403 inside it without the role."""
    _require(actor, perm, org)


def _require(actor: Any, perm: str, org: Org) -> None:
    if perm == "role.manage" and has_duty(actor, SECURITY):
        return  # the security administrator's duty is roles and permissions, platform-wide (三员)
    if not actor_can(actor, perm, org):
        # Outside the actor's scope altogether is "not found"; inside it but without the role is "denied".
        if not actor_can(actor, "org.view", org):
            from gonghui.core.errors import NotFound

            raise NotFound(_("No such union in your scope."))
        raise PermissionDenied(_("Your role does not allow this action on %(org)s.") % {"org": org.name})


def _check_placement(*, kind: str, parent: Org | None) -> None:
    if kind not in OrgKind.values:
        raise ServiceError("invalid_kind", _("Unknown kind of union."), field="kind")
    if not can_hang_under(kind, parent.kind if parent else None):
        raise ServiceError(
            "invalid_parent",
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label if parent else "—"},
            field="parent",
        )


def division_prefix(code: str) -> str:
    """The significant part of a GB/T 2260 code: 33 for 330000 (province), 3301 for 330100 (city)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def _check_division(*, kind: str, code: str, parent: Org | None) -> str:
    if not code:
        if kind in DIVISION_REQUIRED:
            raise ServiceError(
                "division_code_required",
                _("A territorial federation needs its administrative division code."),
                field="division_code",
            )
        return ""
    code = clean_division_code(code)
    levels: dict[str, int] = {OrgKind.PROVINCE: 2, OrgKind.CITY: 4}
    if kind in levels and code[levels[kind] :].strip("0"):
        raise ServiceError(
            "invalid_division_code",
            _("The division code does not match the level of this union."),
            field="division_code",
        )
    territorial_parent = parent
    while territorial_parent is not None and not territorial_parent.division_code:
        territorial_parent = territorial_parent.parent
    if territorial_parent is not None and kind in TERRITORIAL_KINDS:
        prefix = division_prefix(territorial_parent.division_code)
        if not code.startswith(prefix) or code == territorial_parent.division_code:
            raise ServiceError(
                "invalid_division_code",
                _("The division code %(code)s does not lie within the parent's area %(parent)s.")
                % {"code": code, "parent": territorial_parent.division_code},
                field="division_code",
            )
    return code


def _rollup_add(
    ids: list[int], *, orgs: int = 0, grassroots: int = 0, staff: int = 0, members: int = 0
) -> None:
    if not ids or not (orgs or grassroots or staff or members):
        return
    OrgRollup.objects.filter(org_id__in=ids).update(
        orgs=F("orgs") + orgs,
        grassroots=F("grassroots") + grassroots,
        staff=F("staff") + staff,
        members=F("members") + members,
        updated_at=timezone.now(),
    )


def _generated_code(org: Org) -> str:
    """An org code when none was given: the area's division code (or the parent's), then the id."""
    parent = org.parent
    area = org.division_code or (parent.code[:6] if parent and parent.code[:6].isdigit() else "000000")
    return f"{area}-{org.pk:08d}"


def _insert_org(
    *,
    parent: Org | None,
    name: str,
    kind: str,
    code: str = "",
    uscc: str = "",
    division_code: str = "",
    industry_union: Org | None = None,
    employer_name: str = "",
    address: str = "",
    staff_count: int = 0,
    is_platform: bool = False,
) -> Org:
    """Validate and insert one org with its rollup row, and add it to every ancestor's rollup."""
    name = name.strip()
    if not name:
        raise ServiceError("name_required", _("A union needs a name."), field="name")
    _check_placement(kind=kind, parent=parent)
    division_code = _check_division(kind=kind, code=division_code, parent=parent)
    clean_code = uscc and clean_uscc(uscc)
    if clean_code and Org.objects.filter(uscc=clean_code).exists():
        raise ServiceError(
            "duplicate_uscc", _("A union with this credit code already exists."), field="uscc", status=409
        )
    if industry_union is not None and industry_union.kind != OrgKind.INDUSTRY:
        raise ServiceError(
            "invalid_industry_union", _("Affiliation must be to an industry union."), field="industry_union"
        )
    if code and Org.objects.filter(code=code).exists():
        raise ServiceError("duplicate_code", _("This org code is already in use."), field="code", status=409)
    if staff_count < 0:
        raise ServiceError("invalid_staff_count", _("Staff count cannot be negative."), field="staff_count")
    org = Org(
        parent=parent,
        name=name,
        short_name="",
        name_pinyin=pinyin_key(name),
        kind=kind,
        code=code or f"tmp-{timezone.now().timestamp()}-{name}"[:32],
        uscc=clean_code or None,
        division_code=division_code,
        industry_union=industry_union,
        employer_name=employer_name,
        address=address,
        staff_count=staff_count,
        is_platform=is_platform,
        path=f"tmp-{timezone.now().timestamp()}-{name}"[:255],
        depth=(parent.depth + 1) if parent else 0,
    )
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:
        raise ServiceError("conflict", _("This union conflicts with an existing one."), status=409) from exc
    org.path = (parent.path if parent else "") + segment(org.pk)
    if not code:
        org.code = _generated_code(org)
    org.save(update_fields=["path", "code"])
    grassroots = 1 if kind == OrgKind.GRASSROOTS else 0
    OrgRollup.objects.create(org=org, orgs=1, grassroots=grassroots, staff=staff_count)
    _rollup_add(org.ancestor_ids(), orgs=1, grassroots=grassroots, staff=staff_count)
    return org


@transaction.atomic
def org_create(
    *,
    actor: Any,
    parent: Org,
    name: str,
    kind: str,
    code: str = "",
    uscc: str = "",
    division_code: str = "",
    industry_union: Org | None = None,
    employer_name: str = "",
    address: str = "",
    staff_count: int = 0,
    is_platform: bool = False,
) -> Org:
    """Directly create a federation, joint or industry union, branch or group under an org the actor administers.

    A new grassroots union is set up through org_request_submit and the parent's approval instead.
    """
    _require(actor, "org.change", parent)
    if kind == OrgKind.GRASSROOTS:
        raise ServiceError(
            "use_request",
            _("A new grassroots union is set up by a request that the union one level up approves."),
            field="kind",
        )
    org = _insert_org(
        parent=parent,
        name=name,
        kind=kind,
        code=code,
        uscc=uscc,
        division_code=division_code,
        industry_union=industry_union,
        employer_name=employer_name,
        address=address,
        staff_count=staff_count,
        is_platform=is_platform,
    )
    log_action(actor=actor, action="gonghui.org.created", obj=org, data={"parent": parent.pk, "kind": kind})
    return org


def org_create_root(*, name: str, code: str = "") -> Org:
    """The national federation: created once by the seed command, never from a request."""
    with transaction.atomic():
        org = _insert_org(parent=None, name=name, kind=OrgKind.NATIONAL, code=code)
        log_action(actor="system", action="gonghui.org.created", obj=org)
    return org


@transaction.atomic
def org_update(*, actor: Any, org: Org, **changes: Any) -> Org:
    _require(actor, "org.change", org)
    allowed = {"name", "short_name", "address", "staff_count", "employer_name", "uscc", "is_platform"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(
            "invalid_field", _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(unknown)}
        )
    before = {k: getattr(org, k) for k in changes}
    if "uscc" in changes:
        changes["uscc"] = clean_uscc(changes["uscc"]) if changes["uscc"] else None
        if changes["uscc"] and Org.objects.filter(uscc=changes["uscc"]).exclude(pk=org.pk).exists():
            raise ServiceError(
                "duplicate_uscc", _("A union with this credit code already exists."), field="uscc", status=409
            )
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        if not changes["name"]:
            raise ServiceError("name_required", _("A union needs a name."), field="name")
        org.name_pinyin = pinyin_key(changes["name"])
    if "staff_count" in changes:
        staff = int(changes["staff_count"])
        if staff < 0:
            raise ServiceError(
                "invalid_staff_count", _("Staff count cannot be negative."), field="staff_count"
            )
        _rollup_add([*org.ancestor_ids(), org.pk], staff=staff - org.staff_count)
    for key, value in changes.items():
        setattr(org, key, value)
    org.save()
    log_action(
        actor=actor,
        action="gonghui.org.updated",
        obj=org,
        data={
            "before": {k: str(v) for k, v in before.items()},
            "after": {k: str(v) for k, v in changes.items()},
        },
    )
    return org


@transaction.atomic
def org_move(*, actor: Any, org: Org, new_parent: Org, reason: str) -> Org:
    """Move an org and its whole subtree under a new parent: one UPDATE of the paths, rollups shifted."""
    if org.parent_id is None:
        raise ServiceError("cannot_move_root", _("The national federation cannot be moved."))
    _require(actor, "org.move", org.parent)  # type: ignore[arg-type]
    _require(actor, "org.move", new_parent)
    if not reason.strip():
        raise ServiceError("reason_required", _("Give a reason for the move."), field="reason")
    if new_parent.path.startswith(org.path):
        raise ServiceError(
            "move_into_itself", _("A union cannot be moved under itself or its own subtree."), field="parent"
        )
    if new_parent.pk == org.parent_id:
        raise ServiceError("same_parent", _("The union is already under this parent."), field="parent")
    _check_placement(kind=org.kind, parent=new_parent)
    org = Org.objects.select_for_update().get(pk=org.pk)
    old_parent_id = org.parent_id
    old_path = org.path
    old_ancestors = org.ancestor_ids()
    new_path = new_parent.path + segment(org.pk)
    depth_delta = new_parent.depth + 1 - org.depth
    roll = OrgRollup.objects.get(org=org)
    _rollup_add(
        old_ancestors, orgs=-roll.orgs, grassroots=-roll.grassroots, staff=-roll.staff, members=-roll.members
    )
    Org.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    _rollup_add(
        org.ancestor_ids(), orgs=roll.orgs, grassroots=roll.grassroots, staff=roll.staff, members=roll.members
    )
    log_action(
        actor=actor,
        action="gonghui.org.moved",
        obj=org,
        data={
            "from_parent": old_parent_id,
            "to_parent": new_parent.pk,
            "old_path": old_path,
            "reason": reason,
            "subtree_orgs": roll.orgs,
        },
    )
    return org


@transaction.atomic
def org_request_submit(
    *,
    actor: Any,
    parent: Org,
    name: str,
    kind: str = OrgKind.GRASSROOTS,
    uscc: str = "",
    employer_name: str = "",
    address: str = "",
    staff_count: int = 0,
    industry_union: Org | None = None,
    reason: str = "",
) -> OrgRequest:
    """Ask the parent union to approve setting up a new grassroots union (or a branch or group)."""
    if kind not in {OrgKind.GRASSROOTS, OrgKind.BRANCH, OrgKind.GROUP}:
        raise ServiceError(
            "invalid_kind",
            _("Only grassroots unions, branches and groups are set up by request."),
            field="kind",
        )
    _check_placement(kind=kind, parent=parent)
    if not name.strip():
        raise ServiceError("name_required", _("A union needs a name."), field="name")
    clean = clean_uscc(uscc) if uscc else ""
    if clean and (
        Org.objects.filter(uscc=clean).exists()
        or OrgRequest.objects.filter(uscc=clean, status=OrgRequest.Status.PENDING).exists()
    ):
        raise ServiceError(
            "duplicate_uscc",
            _("A union or pending request with this credit code already exists."),
            field="uscc",
            status=409,
        )
    if staff_count < 0:
        raise ServiceError("invalid_staff_count", _("Staff count cannot be negative."), field="staff_count")
    req = OrgRequest.objects.create(
        parent=parent,
        name=name.strip(),
        kind=kind,
        uscc=clean,
        employer_name=employer_name,
        address=address,
        staff_count=staff_count,
        industry_union=industry_union,
        reason=reason,
        requested_by=actor,
    )
    log_action(actor=actor, action="gonghui.org.request.submitted", obj=req, org_path=parent.path)
    return req


@transaction.atomic
def org_request_approve(*, actor: Any, request: OrgRequest, note: str = "") -> Org:
    req = OrgRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "org.request.decide", req.parent)
    if req.status != OrgRequest.Status.PENDING:
        raise ServiceError("not_pending", _("This request has already been decided."), status=409)
    org = _insert_org(
        parent=req.parent,
        name=req.name,
        kind=req.kind,
        uscc=req.uscc,
        industry_union=req.industry_union,
        employer_name=req.employer_name,
        address=req.address,
        staff_count=req.staff_count,
    )
    org.established_on = timezone.localdate()
    org.save(update_fields=["established_on"])
    req.status = OrgRequest.Status.APPROVED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.created_org = org
    req.save()
    log_action(
        actor=actor,
        action="gonghui.org.request.approved",
        obj=req,
        org_path=req.parent.path,
        data={"org": org.pk},
    )
    log_action(actor=actor, action="gonghui.org.created", obj=org, data={"request": req.pk})
    return org


@transaction.atomic
def org_request_reject(*, actor: Any, request: OrgRequest, reason: str) -> OrgRequest:
    req = OrgRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "org.request.decide", req.parent)
    if req.status != OrgRequest.Status.PENDING:
        raise ServiceError("not_pending", _("This request has already been decided."), status=409)
    if not reason.strip():
        raise ServiceError("reason_required", _("Give the reason for rejecting."), field="reason")
    req.status = OrgRequest.Status.REJECTED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = reason
    req.save()
    log_action(
        actor=actor,
        action="gonghui.org.request.rejected",
        obj=req,
        org_path=req.parent.path,
        data={"reason": reason},
    )
    return req


@transaction.atomic
def role_grant(*, actor: Any, user: Any, org: Org, role: str) -> RoleAssignment:
    _require(actor, "role.manage", org)
    if role not in Role.values:
        raise ServiceError("invalid_role", _("Unknown role."), field="role")
    if not user.is_active:
        raise ServiceError("inactive_user", _("This account is disabled."), field="user")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, org=org, role=role, defaults={"granted_by": actor if getattr(actor, "pk", None) else None}
    )
    if not created:
        raise ServiceError("already_granted", _("This person already holds this role here."), status=409)
    log_action(
        actor=actor,
        action="gonghui.role.granted",
        obj=assignment,
        org_path=org.path,
        data={"user": user.pk, "role": role},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    _require(actor, "role.manage", assignment.org)
    if assignment.user_id == getattr(actor, "pk", None) and assignment.role == Role.ORG_ADMIN:
        raise ServiceError("cannot_revoke_self", _("You cannot remove your own administrator role."))
    log_action(
        actor=actor,
        action="gonghui.role.revoked",
        obj=assignment,
        org_path=assignment.org.path,
        data={"user": assignment.user_id, "role": assignment.role},
    )
    assignment.delete()


# --- documents of set-up requests ----------------------------------------------------------------------------
MAX_REQUEST_DOCUMENTS = 10


def org_request_document_add(*, actor: Any, request: OrgRequest, file: Any, kind: str) -> OrgRequestDocument:
    """Attach a checked file (PDF, PNG, JPEG, XLSX or DOCX) to a set-up request.

    The requester may add documents while the request is pending; a cadre who may decide it may add them at
    any time. The file is written before the row; if the row is not written, the file is removed again.
    """
    may_decide = actor_can(actor, "org.request.decide", request.parent)
    is_requester = request.requested_by_id == getattr(actor, "pk", None)
    if not (may_decide or is_requester):
        if not actor_can(actor, "org.view", request.parent):
            raise NotFound(_("No such request in your scope."))
        raise PermissionDenied(_("Only the requester or a cadre who decides the request may add documents."))
    if kind not in OrgRequestDocument.Kind.values:
        raise ServiceError("invalid_kind", _("Unknown kind of document."), field="kind")

    def check_state(req: OrgRequest) -> None:
        if not may_decide and req.status != OrgRequest.Status.PENDING:
            raise ServiceError(
                "not_pending", _("Documents cannot be added after the request was decided."), status=409
            )
        if OrgRequestDocument.objects.filter(request=req).count() >= MAX_REQUEST_DOCUMENTS:
            raise ServiceError(
                "too_many_documents",
                _("A request holds at most %(n)s documents.") % {"n": MAX_REQUEST_DOCUMENTS},
                field="file",
                status=409,
            )

    check_state(request)  # before writing anything to disk
    content_type = check_upload(file, allowed=DOCUMENT_TYPES)
    size = int(file.size)
    digest = sha256_of(file)
    original_name = safe_name(getattr(file, "name", ""))
    stored = store_upload(file, folder=f"org_requests/{request.pk}")
    try:
        with transaction.atomic():
            req = OrgRequest.objects.select_for_update().select_related("parent").get(pk=request.pk)
            check_state(req)
            doc = OrgRequestDocument.objects.create(
                request=req,
                kind=kind,
                original_name=original_name,
                stored_path=stored,
                content_type=content_type,
                size=size,
                sha256=digest,
                uploaded_by=actor,
            )
            log_action(
                actor=actor,
                action="gonghui.org.request.document_added",
                obj=doc,
                org_path=req.parent.path,
                data={
                    "request": req.pk,
                    "kind": kind,
                    "name": original_name,
                    "content_type": content_type,
                    "size": size,
                    "sha256": digest,
                },
            )
    except BaseException:
        delete_stored(stored)
        raise
    return doc


def org_request_document_open(*, actor: Any, document_id: int) -> tuple[OrgRequestDocument, BinaryIO]:
    """Open a document's file for someone allowed to see it (see selectors.org_request_document_get), and
    audit the download. The caller closes the file (FileResponse does)."""
    doc = org_request_document_get(actor=actor, document_id=document_id)
    try:
        handle = open(media_path(doc.stored_path), "rb")  # noqa: SIM115  # closed by the caller
    except (OSError, ValueError) as exc:
        raise NotFound(_("The file of this document is missing.")) from exc
    try:
        with transaction.atomic():
            log_action(
                actor=actor,
                action="gonghui.org.request.document_downloaded",
                obj=doc,
                org_path=doc.request.parent.path,
                data={"request": doc.request_id, "sha256": doc.sha256},
            )
    except BaseException:
        handle.close()
        raise
    return doc, handle
