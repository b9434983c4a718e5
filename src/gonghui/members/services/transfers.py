"""Transfers between unions: open (also for an application by someone already a member elsewhere), start,
accept, reject, cancel."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_uscc
from gonghui.core.notify import notify_org, notify_users, send_sms
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can

from .. import counters
from ..models import Application, ApplicationStep, Member, MemberEvent, MemberStatus, Transfer
from ..selectors import policy_for
from .people import _due, _event, _holding_org, _require, _step

# --- transfers ---------------------------------------------------------------------------------------------


def _transfer_open(
    *,
    member: Member,
    to_org: Org,
    actor: Any,
    started_by: str,
    reason: str,
    new_employer_name: str = "",
    new_employer_uscc: str = "",
) -> Transfer:
    _holding_org(to_org)
    if member.status != MemberStatus.ACTIVE and member.status != MemberStatus.RETAINED:
        raise ServiceError(
            "not_transferable", _("Only an active or retained membership can be transferred."), status=409
        )
    if to_org.pk == member.org_id:
        raise ServiceError("same_org", _("The member already belongs to this union."), field="to_org")
    due_on, provisional = _due(timezone.localdate(), policy_for(to_org).transfer_workdays)
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member,
                from_org=member.org,
                to_org=to_org,
                started_by=started_by,
                initiator=actor,
                reason=reason,
                new_employer_name=new_employer_name,
                new_employer_uscc=new_employer_uscc,
                due_on=due_on,
                due_provisional=provisional,
            )
    except IntegrityError:
        raise ServiceError(
            "transfer_pending", _("A transfer of this member is already waiting."), status=409
        ) from None
    before = member.status
    member.status = MemberStatus.TRANSFERRING
    member.save(update_fields=["status", "updated_at"])
    counters.status_moved(member, before)
    _event(
        member,
        MemberEvent.Kind.TRANSFER_STARTED,
        actor=actor,
        other_org=to_org,
        from_status=before,
        to_status=member.status,
    )
    log_action(
        actor=actor,
        action="gonghui.member.transfer_started",
        obj=transfer,
        org_path=member.org.path,
        data={"to": to_org.pk, "by": started_by},
    )
    notify_org(
        to_org,
        "review",
        str(_("A member transfer into your union awaits your decision")),
        reverse("console:transfer", args=[transfer.pk]),
    )
    return transfer


def transfer_start(
    *,
    actor: Any,
    member: Member,
    to_org: Org,
    reason: str = "",
    new_employer_name: str = "",
    new_employer_uscc: str = "",
) -> Transfer:
    """Started by the member (a new job) or by a cadre of the losing union."""
    is_member = member.user_id is not None and getattr(actor, "pk", None) == member.user_id
    if not is_member:
        _require(actor, "member.manage", member.org)
    uscc = clean_uscc(new_employer_uscc, field="new_employer_uscc") if new_employer_uscc.strip() else ""
    with transaction.atomic():
        m = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
        return _transfer_open(
            member=m,
            to_org=to_org,
            actor=actor,
            started_by=Transfer.StartedBy.MEMBER if is_member else Transfer.StartedBy.UNION,
            reason=" ".join((reason or "").split()),
            new_employer_name=" ".join((new_employer_name or "").split()),
            new_employer_uscc=uscc,
        )


def _transfer_for_decision(actor: Any, transfer: Transfer) -> Transfer:
    t = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_org", "to_org", "escalated_to")
        .get(pk=transfer.pk)
    )
    if t.status != Transfer.Status.PENDING:
        raise ServiceError("transfer_closed", _("This transfer has already been decided."), status=409)
    if not (t.escalated_to is not None and actor_can(actor, "review", t.escalated_to)):
        _require(actor, "review", t.to_org)
    return t


def _status_after_transfer(member: Member) -> str:
    """A retained member (retired, unemployed) stays retained, with the dues waiver, whether the transfer
    goes through or not: the retained reason is kept while the membership is being transferred."""
    return MemberStatus.RETAINED if member.retained_reason else MemberStatus.ACTIVE


def transfer_accept(*, actor: Any, transfer: Transfer, note: str = "") -> Member:
    with transaction.atomic():
        t = _transfer_for_decision(actor, transfer)
        member = Member.objects.select_for_update().select_related("org").get(pk=t.member_id)
        counters.member_removed(member)
        member.org, member.status = t.to_org, _status_after_transfer(member)
        if t.new_employer_name:
            member.employer_name, member.employer_uscc = t.new_employer_name, t.new_employer_uscc
        member.save()
        counters.member_added(member)
        t.status, t.decided_by, t.decided_at, t.decision_note = (
            Transfer.Status.ACCEPTED,
            actor,
            timezone.now(),
            note,
        )
        t.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _event(
            member,
            MemberEvent.Kind.TRANSFERRED,
            actor=actor,
            org=t.to_org,
            other_org=t.from_org,
            from_status=MemberStatus.TRANSFERRING,
            to_status=MemberStatus.ACTIVE,
        )
        _close_transfer_application(t, ApplicationStep.Kind.APPROVED, member)
        log_action(
            actor=actor,
            action="gonghui.member.transfer_accepted",
            obj=t,
            org_path=t.to_org.path,
            data={"from": t.from_org_id},
        )
        text = str(_("Your membership has moved to %(org)s.")) % {"org": t.to_org.name}
        if member.user_id:
            notify_users([member.user_id], text, reverse("portal:membership"))
        send_sms(member.mobile, text)
    return member


def _close_transfer_application(t: Transfer, kind: str, member: Member | None, note: str = "") -> None:
    app = Application.objects.filter(transfer=t).first()
    if app is not None:
        if member is not None:
            app.member = member
            app.save(update_fields=["member"])
        _step(app, kind, org=t.to_org, note=note)


def _transfer_close(*, actor: Any, t: Transfer, status: str, note: str, action: str) -> Transfer:
    member = Member.objects.select_for_update().select_related("org").get(pk=t.member_id)
    before = member.status
    member.status = _status_after_transfer(member)
    member.save(update_fields=["status", "updated_at"])
    counters.status_moved(member, before)
    t.status, t.decided_by, t.decided_at, t.decision_note = status, actor, timezone.now(), note
    t.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    kind = (
        MemberEvent.Kind.TRANSFER_REJECTED
        if status == Transfer.Status.REJECTED
        else MemberEvent.Kind.TRANSFER_CANCELLED
    )
    _event(
        member, kind, actor=actor, other_org=t.to_org, from_status=before, to_status=member.status, note=note
    )
    _close_transfer_application(
        t,
        ApplicationStep.Kind.REJECTED
        if status == Transfer.Status.REJECTED
        else ApplicationStep.Kind.WITHDRAWN,
        None,
        note,
    )
    log_action(actor=actor, action=action, obj=t, org_path=t.to_org.path, data={"note": note[:200]})
    return t


def transfer_reject(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("reason_required", _("Give the reason; the member is told it."), field="reason")
    with transaction.atomic():
        t = _transfer_for_decision(actor, transfer)
        _transfer_close(
            actor=actor,
            t=t,
            status=Transfer.Status.REJECTED,
            note=reason,
            action="gonghui.member.transfer_rejected",
        )
        text = str(_("%(org)s did not accept your transfer: %(reason)s")) % {
            "org": t.to_org.name,
            "reason": reason,
        }
        if t.member.user_id:
            notify_users([t.member.user_id], text, reverse("portal:membership"))
        send_sms(t.member.mobile, text)
    return t


def transfer_cancel(*, actor: Any, transfer: Transfer, note: str = "") -> Transfer:
    with transaction.atomic():
        t = (
            Transfer.objects.select_for_update()
            .select_related("member", "from_org", "to_org")
            .get(pk=transfer.pk)
        )
        if t.status != Transfer.Status.PENDING:
            raise ServiceError("transfer_closed", _("This transfer has already been decided."), status=409)
        is_member = t.member.user_id is not None and getattr(actor, "pk", None) == t.member.user_id
        if not is_member:
            _require(actor, "member.manage", t.from_org)
        return _transfer_close(
            actor=actor,
            t=t,
            status=Transfer.Status.CANCELLED,
            note=note,
            action="gonghui.member.transfer_cancelled",
        )
