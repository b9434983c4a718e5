"""Members entered and changed by a cadre: create, update contact and work details, record participation,
change status (retain, reactivate, withdraw, expel)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_division_code, clean_mobile, clean_uscc
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can

from .. import counters
from ..models import EmploymentForm, LapseProposal, Member, MemberEvent, MemberStatus, RetainedReason
from ..rules import STATUS_CHANGES
from .people import Person, _event, _holding_org, _live_member, _require, field_labels, member_numbers_reserve

# --- members entered by a cadre ----------------------------------------------------------------------------


def member_create(
    *, actor: Any, org: Org, person: Person, joined_on: datetime.date | None = None, user: Any = None
) -> Member:
    """A cadre enters a member (paper application already approved by the committee)."""
    _require(actor, "member.manage", org)
    _holding_org(org)
    with transaction.atomic():
        existing = _live_member(person.id_number)
        if existing is not None:
            raise ServiceError(
                "already_member",
                _("This person is already a member of %(org)s; start a transfer instead.")
                % {"org": existing.org.name}
                if actor_can(actor, "member.view", existing.org)
                else _("This person is already a member of another union; start a transfer instead."),
                status=409,
                field="id_number",
            )
        [number] = member_numbers_reserve(1)
        if user is None:
            from gonghui.accounts.services import account_by_mobile

            user = account_by_mobile(person.mobile) if person.mobile else None
        member = Member.objects.create(
            org=org,
            user=user,
            number=number,
            joined_on=joined_on or timezone.localdate(),
            last_participated_on=timezone.localdate(),
            **person.fields(),
        )
        _event(member, MemberEvent.Kind.JOINED, actor=actor)
        counters.member_added(member)
        log_action(actor=actor, action="gonghui.member.created", obj=member)
    return member


EDITABLE = ("mobile", "employer_name", "employer_uscc", "employment_form", "work_division_code", "work_place")


def member_update(*, actor: Any, member: Member, **changes: Any) -> Member:
    """Change contact and work details. The name and ID number change only through a correction request."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(
            "not_editable", _("These details cannot be changed here."), details={"fields": sorted(unknown)}
        )
    _require(actor, "member.manage", member.org)
    if "mobile" in changes:
        changes["mobile"] = clean_mobile(changes["mobile"]) if changes["mobile"] else ""
    if changes.get("employer_uscc"):
        changes["employer_uscc"] = clean_uscc(changes["employer_uscc"], field="employer_uscc")
    if changes.get("work_division_code"):
        changes["work_division_code"] = clean_division_code(
            changes["work_division_code"], field="work_division_code"
        )
    if "employment_form" in changes and changes["employment_form"] not in EmploymentForm.values:
        raise ServiceError(
            "invalid_employment_form", _("Choose how the member works."), field="employment_form"
        )
    with transaction.atomic():
        m = Member.objects.select_for_update().get(pk=member.pk)
        before_form = m.employment_form
        changed = [f for f, v in changes.items() if getattr(m, f) != v]
        if not changed:
            return m
        for f in changed:
            setattr(m, f, changes[f])
        m.save()
        if "employment_form" in changed and m.is_live:
            counters.form_moved(m, before_form)
        _event(m, MemberEvent.Kind.UPDATED, actor=actor, note=field_labels(changed))
        log_action(actor=actor, action="gonghui.member.updated", obj=m, data={"fields": changed})
    return m


def member_participation_record(*, member: Member, on: datetime.date | None = None) -> None:
    """Another module says the member took part in union life (an activity, a vote, a course)."""
    day = on or timezone.localdate()
    Member.objects.filter(pk=member.pk).exclude(last_participated_on__gte=day).update(
        last_participated_on=day
    )


# --- status ------------------------------------------------------------------------------------------------


def member_status_change(
    *, actor: Any, member: Member, status: str, reason: str, retained_reason: str = "", decision: str = ""
) -> Member:
    """Retain (retired or unemployed; dues waived), reactivate, withdraw on written request, or expel with the
    member meeting's decision recorded. Every change is audited and kept in the history; nothing is deleted."""
    reason = " ".join((reason or "").split())
    if status not in MemberStatus.values:
        raise ServiceError("invalid_status", _("Unknown status."), field="status")
    if not reason:
        raise ServiceError("reason_required", _("Record the reason for the change."), field="reason")
    if status == MemberStatus.RETAINED and retained_reason not in RetainedReason.values:
        raise ServiceError(
            "retained_reason_required",
            _("Say whether the member retired or is unemployed."),
            field="retained_reason",
        )
    if status == MemberStatus.EXPELLED and not decision.strip():
        raise ServiceError(
            "decision_required",
            _("Expulsion needs the decision of the member meeting: give its date and reference."),
            field="decision",
        )
    with transaction.atomic():
        m = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
        _require(actor, "member.manage", m.org)
        if status not in STATUS_CHANGES.get(m.status, frozenset()):
            raise ServiceError(
                "invalid_transition",
                _("A member who is %(from)s cannot become %(to)s.")
                % {"from": MemberStatus(m.status).label, "to": MemberStatus(status).label},
                status=409,
            )
        before = m.status
        m.status = status
        m.retained_reason = retained_reason if status == MemberStatus.RETAINED else ""
        if status in (MemberStatus.WITHDRAWN, MemberStatus.EXPELLED):
            m.left_on = timezone.localdate()
        m.save()
        counters.status_moved(m, before)
        note = reason + (f" | {decision.strip()}" if decision.strip() else "")
        _event(m, MemberEvent.Kind.STATUS, actor=actor, from_status=before, to_status=status, note=note)
        LapseProposal.objects.filter(member=m, status="proposed").update(
            status="dismissed", decided_by=actor, decided_at=timezone.now(), note=str(_("Status changed"))
        )
        log_action(
            actor=actor,
            action="gonghui.member.status_changed",
            obj=m,
            data={"from": before, "to": status, "reason": reason[:200], "decision": decision.strip()[:200]},
        )
    return m
