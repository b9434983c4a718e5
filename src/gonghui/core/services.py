"""Writes owned by core: the export workflow (masked at once; in full after a second person approves)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import log_action
from .errors import NotFound, PermissionDenied, ServiceError
from .exports import DATASETS, csv_bytes
from .models import ExportRequest

EXPORT_PERMISSION = "role.manage"  # the administrators of a union handle its lists of people


def _can_export(actor: Any, org: Any) -> bool:
    from gonghui.orgs.selectors import actor_can

    return actor_can(actor, EXPORT_PERMISSION, org)


def _dataset(kind: str) -> Any:
    if kind not in DATASETS:
        raise ServiceError("unknown_export", _("This list cannot be exported."), field="kind")
    return DATASETS[kind]


def export_masked(*, actor: Any, kind: str, org: Any) -> bytes:
    """The list with personal data masked, at once; audited."""
    builder = _dataset(kind)
    if not _can_export(actor, org):
        raise PermissionDenied(_("Only an administrator of this union exports its lists."))
    headers, rows = builder(org=org, masked=True)
    data = csv_bytes(headers, rows)
    log_action(actor=actor, action="gonghui.export.masked", obj=org, data={"kind": kind, "rows": len(rows)})
    return data


@transaction.atomic
def export_request_submit(*, actor: Any, kind: str, org: Any, reason: str) -> ExportRequest:
    _dataset(kind)
    if not _can_export(actor, org):
        raise PermissionDenied(_("Only an administrator of this union exports its lists."))
    if not reason.strip():
        raise ServiceError("reason_required", _("Say why the list is needed in full."), field="reason")
    req = ExportRequest.objects.create(kind=kind, org=org, reason=reason.strip(), requested_by=actor)
    log_action(
        actor=actor, action="gonghui.export.requested", obj=req, org_path=org.path, data={"kind": kind}
    )
    return req


@transaction.atomic
def export_request_decide(
    *, actor: Any, request: ExportRequest, approve: bool, note: str = ""
) -> ExportRequest:
    """A second authorised person (an administrator of the union or above, not the requester) decides."""
    req = ExportRequest.objects.select_for_update().select_related("org").get(pk=request.pk)
    if not _can_export(actor, req.org):
        raise NotFound(_("No such export request in your scope."))
    if req.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("A second person must approve a full export, not the one who asked for it."))
    if req.status != ExportRequest.Status.PENDING:
        raise ServiceError("not_pending", _("This request has already been decided."), status=409)
    if not approve and not note.strip():
        raise ServiceError("reason_required", _("Give the reason for rejecting."), field="note")
    req.status = ExportRequest.Status.APPROVED if approve else ExportRequest.Status.REJECTED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    if approve:
        req.expires_at = req.decided_at + timedelta(hours=getattr(settings, "GONGHUI_EXPORT_HOURS", 24))
    req.save()
    log_action(
        actor=actor,
        action="gonghui.export.approved" if approve else "gonghui.export.rejected",
        obj=req,
        org_path=req.org.path,
        data={"kind": req.kind, "note": note},
    )
    return req


@transaction.atomic
def export_download(*, actor: Any, request: ExportRequest) -> bytes:
    """The approved list in full, once, by the person who asked for it, before it expires."""
    req = ExportRequest.objects.select_for_update().select_related("org").get(pk=request.pk)
    if req.requested_by_id != getattr(actor, "pk", None):
        raise NotFound(_("No such export request in your scope."))
    if req.status != ExportRequest.Status.APPROVED:
        raise ServiceError(
            "not_approved", _("This export is not approved, or was already downloaded."), status=409
        )
    if req.expires_at is None or req.expires_at < timezone.now():
        raise ServiceError("expired", _("The approval has expired. Ask again."), status=410)
    headers, rows = DATASETS[req.kind](org=req.org, masked=False)
    req.status = ExportRequest.Status.DOWNLOADED
    req.downloaded_at = timezone.now()
    req.save(update_fields=["status", "downloaded_at"])
    log_action(
        actor=actor,
        action="gonghui.export.downloaded",
        obj=req,
        org_path=req.org.path,
        data={"kind": req.kind, "rows": len(rows)},
    )
    return csv_bytes(headers, rows)
