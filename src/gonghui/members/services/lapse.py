"""Lapsed membership: the sweep that proposes members who paid nothing and took part in nothing, and a cadre's
confirmation or dismissal of each proposal."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError

from .. import counters
from ..models import DuesMonth, LapseProposal, Member, MemberEvent, MemberStatus
from ..rules import lapse_due
from ..selectors import policy_for
from .members import member_participation_record
from .people import _event, _require

# --- lapse -------------------------------------------------------------------------------------------------


def lapse_sweep(*, today: datetime.date | None = None) -> int:
    """Propose, for a cadre to confirm one by one, the active members who for the configured months paid no
    dues and took part in nothing. Idempotent: a member with an open proposal is not proposed again."""
    today = today or timezone.localdate()
    last_paid = dict(
        DuesMonth.objects.filter(paid__gt=0)
        .values("member_id")
        .annotate(last=Max("month"))
        .values_list("member_id", "last")
    )
    open_ids = set(LapseProposal.objects.filter(status="proposed").values_list("member_id", flat=True))
    policies: dict[int, int] = {}
    proposals: list[LapseProposal] = []
    for member in (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .select_related("org")
        .only("pk", "org", "joined_on", "last_participated_on")
        .iterator(chunk_size=5000)
    ):
        if member.pk in open_ids:
            continue
        months = policies.get(member.org_id)
        if months is None:
            months = policies[member.org_id] = policy_for(member.org).lapse_months
        paid = last_paid.get(member.pk)
        if lapse_due(
            today=today,
            joined_on=member.joined_on,
            last_paid_month=paid,
            last_participated_on=member.last_participated_on,
            months=months,
        ):
            proposals.append(
                LapseProposal(
                    member=member,
                    org_id=member.org_id,
                    proposed_on=today,
                    last_paid_month=paid,
                    last_participated_on=member.last_participated_on,
                )
            )
    with transaction.atomic():
        LapseProposal.objects.bulk_create(proposals, batch_size=2000, ignore_conflicts=True)
        if proposals:
            log_action(actor="system", action="gonghui.member.lapse_proposed", data={"count": len(proposals)})
    return len(proposals)


def lapse_confirm(*, actor: Any, proposal: LapseProposal, note: str) -> Member:
    """Confirm one proposal after the member was talked to and did not change (the note says so)."""
    note = " ".join((note or "").split())
    if not note:
        raise ServiceError(
            "note_required", _("Record the conversation with the member before confirming."), field="note"
        )
    with transaction.atomic():
        p = LapseProposal.objects.select_for_update().select_related("member", "org").get(pk=proposal.pk)
        _require(actor, "member.manage", p.org)
        if p.status != LapseProposal.Status.PROPOSED:
            raise ServiceError("proposal_closed", _("This proposal has already been decided."), status=409)
        m = Member.objects.select_for_update().get(pk=p.member_id)
        if m.status != MemberStatus.ACTIVE:
            raise ServiceError("invalid_transition", _("The member is no longer active."), status=409)
        before = m.status
        m.status, m.left_on = MemberStatus.LAPSED, timezone.localdate()
        m.save()
        counters.status_moved(m, before)
        p.status, p.decided_by, p.decided_at, p.note = (
            LapseProposal.Status.CONFIRMED,
            actor,
            timezone.now(),
            note,
        )
        p.save()
        _event(m, MemberEvent.Kind.STATUS, actor=actor, from_status=before, to_status=m.status, note=note)
        log_action(actor=actor, action="gonghui.member.lapse_confirmed", obj=m, data={"proposal": p.pk})
    return m


def lapse_dismiss(*, actor: Any, proposal: LapseProposal, note: str) -> LapseProposal:
    note = " ".join((note or "").split())
    if not note:
        raise ServiceError("note_required", _("Say why the member stays."), field="note")
    with transaction.atomic():
        p = LapseProposal.objects.select_for_update().select_related("member", "org").get(pk=proposal.pk)
        _require(actor, "member.manage", p.org)
        if p.status != LapseProposal.Status.PROPOSED:
            raise ServiceError("proposal_closed", _("This proposal has already been decided."), status=409)
        p.status, p.decided_by, p.decided_at, p.note = (
            LapseProposal.Status.DISMISSED,
            actor,
            timezone.now(),
            note,
        )
        p.save()
        member_participation_record(member=p.member)
        log_action(
            actor=actor, action="gonghui.member.lapse_dismissed", obj=p.member, data={"proposal": p.pk}
        )
    return p
