"""Writes of congress proposals (DOMAIN §3): submit, co-sign, withdraw; the committee's decision (accept, turn
into a suggestion, reject with a reason); assignment to a department with a working-day deadline; the answer;
the proposer's satisfaction and one reassignment; the daily deadline sweep; the union's departments.

Every step checks the state under a row lock, writes a `ProposalEvent` and an audit record (`gonghui.proposal.*`)
and tells the people concerned in the portal or console.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.congress.models import Congress, CongressStatus, Delegate, DelegateStatus, Meeting, MeetingStatus
from gonghui.core.audit import log_action
from gonghui.core.calendar import add_workdays_checked, workdays_counter
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.notify import notify_org, notify_users
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require
from gonghui.suggestions import services as suggestion_services
from gonghui.suggestions.models import SuggestionCategory

from .. import rules
from ..models import (
    Department,
    Proposal,
    ProposalCategory,
    ProposalCosign,
    ProposalEvent,
    Satisfaction,
)
from ..models import ProposalStatus as P

MANAGE = "proposal.manage"

# A proposal's category, as the category of the suggestion it may become.
SUGGESTION_CATEGORY: dict[str, str] = {
    ProposalCategory.OPERATIONS: SuggestionCategory.TECHNOLOGY,
    ProposalCategory.WAGES: SuggestionCategory.WELFARE,
    ProposalCategory.SAFETY: SuggestionCategory.SAFETY,
    ProposalCategory.MANAGEMENT: SuggestionCategory.MANAGEMENT,
    ProposalCategory.TRAINING: SuggestionCategory.OTHER,
    ProposalCategory.LIFE: SuggestionCategory.WELFARE,
    ProposalCategory.OTHER: SuggestionCategory.OTHER,
}


@dataclass
class ProposalInput:
    title: str
    category: str
    reasons: str
    measures: str


def _text(value: str, field: str, label: Any) -> str:
    text = (value or "").strip()
    if len(text) < rules.TEXT_MIN:
        raise ServiceError(
            f"{field}_short",
            _("%(label)s: write at least %(n)s characters.") % {"label": label, "n": rules.TEXT_MIN},
            field=field,
        )
    if len(text) > rules.TEXT_MAX:
        raise ServiceError(
            f"{field}_long",
            _("%(label)s: keep it under %(n)s characters.") % {"label": label, "n": rules.TEXT_MAX},
            field=field,
        )
    return text


def proposal_clean(data: ProposalInput) -> ProposalInput:
    title = (data.title or "").strip()
    if not rules.TITLE_MIN <= len(title) <= rules.TITLE_MAX:
        raise ServiceError(
            "title_length",
            _("Give a title of %(a)s to %(b)s characters.") % {"a": rules.TITLE_MIN, "b": rules.TITLE_MAX},
            field="title",
        )
    if data.category not in ProposalCategory.values:
        raise ServiceError("invalid_category", _("Choose what the proposal is about."), field="category")
    return ProposalInput(
        title=title,
        category=data.category,
        reasons=_text(data.reasons, "reasons", _("Reasons")),
        measures=_text(data.measures, "measures", _("Suggested measures")),
    )


# --- helpers ---------------------------------------------------------------------------------------------------


def serving_delegate(user: Any, congress: Congress) -> Delegate | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Delegate.objects.filter(congress=congress, user=user, status=DelegateStatus.ACTIVE).first()


def _event(proposal: Proposal, kind: str, *, actor: Any = None, note: str = "") -> None:
    ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:10000],
    )


def _audit(actor: Any, action: str, proposal: Proposal, **data: Any) -> None:
    log_action(
        actor=actor, action=f"gonghui.proposal.{action}", obj=proposal, org_path=proposal.org.path, data=data
    )


def _portal_url(proposal: Proposal) -> str:
    return reverse("portal:proposal", args=[proposal.pk])


def _console_url(proposal: Proposal) -> str:
    return reverse("console:proposal", args=[proposal.pk])


def _tell_proposer(proposal: Proposal, text: str) -> None:
    user_id = proposal.proposer.user_id
    if user_id:
        notify_users([user_id], text, _portal_url(proposal))


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("org", "congress", "proposer", "department")
        .get(pk=proposal.pk)
    )


def _move(proposal: Proposal, target: str) -> None:
    if not rules.can_move(proposal.status, target):
        raise ServiceError(
            "wrong_state",
            _("This proposal is %(status)s; that step is not possible now.")
            % {"status": proposal.get_status_display()},
            status=409,
        )
    proposal.status = target


def _to_committee(proposal: Proposal) -> None:
    """Enough co-signers: the proposal reaches the committee, which is told."""
    proposal.status = P.SUBMITTED
    proposal.reached_committee_at = timezone.now()
    _event(proposal, ProposalEvent.Kind.TO_COMMITTEE)
    notify_org(
        proposal.org,
        MANAGE,
        str(_("Proposal %(number)s reached the proposal committee: %(title)s"))
        % {"number": proposal.number, "title": proposal.title},
        _console_url(proposal),
    )


# --- the delegates ---------------------------------------------------------------------------------------------


def _check_delegate(delegate: Delegate | None, congress: Congress, message: Any) -> Delegate:
    if delegate is None or delegate.congress_id != congress.pk or delegate.status != DelegateStatus.ACTIVE:
        raise ServiceError("not_delegate", message, status=403)
    return delegate


def _create(
    *, actor: Any, delegate: Delegate, congress: Congress, data: ProposalInput, meeting: Meeting | None
) -> Proposal:
    if congress.status != CongressStatus.ACTIVE:
        raise ServiceError("congress_ended", _("This congress's term has ended."), status=409)
    if meeting is not None and (meeting.congress_id != congress.pk or meeting.status == MeetingStatus.CLOSED):
        raise ServiceError(
            "invalid_meeting", _("Choose a meeting of this congress that has not closed."), field="meeting"
        )
    data = proposal_clean(data)
    now = timezone.now()
    with transaction.atomic():
        proposal = Proposal.objects.create(
            number=f"tmp-{secrets.token_hex(6)}",
            org=congress.org,
            congress=congress,
            meeting=meeting,
            proposer=delegate,
            proposer_name=delegate.name,
            title=data.title,
            category=data.category,
            reasons=data.reasons,
            measures=data.measures,
            created_at=now,
        )
        proposal.number = f"TA{timezone.localdate(now):%Y}{proposal.pk:06d}"
        _event(proposal, ProposalEvent.Kind.SUBMITTED, actor=actor)
        if rules.reaches_committee(0, congress.min_cosigners):
            _to_committee(proposal)
        proposal.save(update_fields=["number", "status", "reached_committee_at"])
        _audit(actor, "submitted", proposal, category=proposal.category, delegate=delegate.pk)
    return proposal


def proposal_submit(
    *, user: Any, congress: Congress, data: ProposalInput, meeting: Meeting | None = None
) -> Proposal:
    """A serving delegate submits a proposal to their congress, for one of its meetings that has not closed.
    It collects co-signers until it has the congress's minimum (none needed when the minimum is 0)."""
    delegate = _check_delegate(
        serving_delegate(user, congress),
        congress,
        _("Only a serving delegate of this congress can submit a proposal."),
    )
    return _create(actor=user, delegate=delegate, congress=congress, data=data, meeting=meeting)


def proposal_record(
    *, actor: Any, congress: Congress, delegate: Delegate, data: ProposalInput, meeting: Meeting | None = None
) -> Proposal:
    """The committee's secretariat records a proposal a delegate handed in on the paper form (a delegate may
    have no account); it then collects co-signers like any other."""
    require(actor=actor, perm=MANAGE, org=congress.org)
    delegate = _check_delegate(
        delegate, congress, _("Only a serving delegate of this congress can make a proposal.")
    )
    return _create(actor=actor, delegate=delegate, congress=congress, data=data, meeting=meeting)


def _cosign(*, actor: Any, proposal: Proposal, delegate: Delegate) -> Proposal:
    if delegate.pk == proposal.proposer_id:
        raise ServiceError("own_proposal", _("You cannot co-sign your own proposal."), status=409)
    if proposal.status not in rules.COSIGN_OPEN:
        raise ServiceError("cosign_closed", _("This proposal no longer takes co-signatures."), status=409)
    try:
        with transaction.atomic():
            ProposalCosign.objects.create(proposal=proposal, delegate=delegate, at=timezone.now())
    except IntegrityError:
        raise ServiceError(
            "already_cosigned", _("You have already co-signed this proposal."), status=409
        ) from None
    proposal.cosigner_count = ProposalCosign.objects.filter(proposal=proposal).count()
    _event(proposal, ProposalEvent.Kind.COSIGNED, actor=actor, note=delegate.name)
    if proposal.status == P.COLLECTING and rules.reaches_committee(
        proposal.cosigner_count, proposal.congress.min_cosigners
    ):
        _to_committee(proposal)
        _tell_proposer(
            proposal,
            str(_("Your proposal %(number)s has enough co-signers and went to the proposal committee."))
            % {"number": proposal.number},
        )
    proposal.save(update_fields=["cosigner_count", "status", "reached_committee_at"])
    _audit(actor, "cosigned", proposal, delegate=delegate.pk)
    return proposal


def proposal_cosign(*, user: Any, proposal: Proposal) -> Proposal:
    """Another serving delegate of the same congress co-signs (附议), once. With the congress's minimum of
    co-signers the proposal reaches the committee."""
    with transaction.atomic():
        proposal = _locked(proposal)
        delegate = _check_delegate(
            serving_delegate(user, proposal.congress),
            proposal.congress,
            _("Only a serving delegate of this congress can co-sign."),
        )
        return _cosign(actor=user, proposal=proposal, delegate=delegate)


def proposal_cosign_record(*, actor: Any, proposal: Proposal, delegate: Delegate) -> Proposal:
    """The secretariat records a co-signature a delegate gave on the paper form, under the same rules."""
    require(actor=actor, perm=MANAGE, org=proposal.org)
    with transaction.atomic():
        proposal = _locked(proposal)
        delegate = _check_delegate(
            delegate, proposal.congress, _("Only a serving delegate of this congress can co-sign.")
        )
        return _cosign(actor=actor, proposal=proposal, delegate=delegate)


def proposal_withdraw(*, user: Any, proposal: Proposal, reason: str = "") -> Proposal:
    """The proposer withdraws the proposal until the committee decides."""
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.proposer.user_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Only the proposer may withdraw a proposal."))
        _move(proposal, P.WITHDRAWN)
        proposal.save(update_fields=["status"])
        _event(proposal, ProposalEvent.Kind.WITHDRAWN, actor=user, note=(reason or "").strip())
        _audit(user, "withdrawn", proposal)
    return proposal


# --- the committee ---------------------------------------------------------------------------------------------


def proposal_accept(*, actor: Any, proposal: Proposal, note: str = "") -> Proposal:
    """The committee accepts the proposal (立案); it is then assigned to a department."""
    require(actor=actor, perm=MANAGE, org=proposal.org)
    with transaction.atomic():
        proposal = _locked(proposal)
        _move(proposal, P.ACCEPTED)
        proposal.decided_at, proposal.decided_by = timezone.now(), actor
        proposal.decision_note = (note or "").strip()[:5000]
        proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        _event(proposal, ProposalEvent.Kind.ACCEPTED, actor=actor, note=proposal.decision_note)
        _tell_proposer(
            proposal, str(_("Your proposal %(number)s was accepted.")) % {"number": proposal.number}
        )
        _audit(actor, "accepted", proposal)
    return proposal


def proposal_convert(*, actor: Any, proposal: Proposal, note: str = "") -> Proposal:
    """The committee turns the proposal into a rationalisation suggestion: exactly one suggestion is made, at
    the proposal's union, in the proposer's name, and the two point at each other."""
    require(actor=actor, perm=MANAGE, org=proposal.org)
    with transaction.atomic():
        proposal = _locked(proposal)
        _move(proposal, P.CONVERTED)
        delegate = proposal.proposer
        member = delegate.member
        if member is None and delegate.user_id:
            member = Member.objects.filter(
                user_id=delegate.user_id, org=proposal.org, status=MemberStatus.ACTIVE
            ).first()
        suggestion = suggestion_services.suggestion_from_proposal(
            actor=actor,
            org=proposal.org,
            member=member,
            submitter=delegate.user,
            name=proposal.proposer_name,
            data=suggestion_services.SuggestionInput(
                title=proposal.title,
                category=SUGGESTION_CATEGORY.get(proposal.category, SuggestionCategory.OTHER.value),
                situation=proposal.reasons,
                measures=proposal.measures,
            ),
            note=str(_("From congress proposal %(number)s")) % {"number": proposal.number},
        )
        proposal.suggestion = suggestion
        proposal.decided_at, proposal.decided_by = timezone.now(), actor
        proposal.decision_note = (note or "").strip()[:5000]
        proposal.save(update_fields=["status", "suggestion", "decided_at", "decided_by", "decision_note"])
        _event(proposal, ProposalEvent.Kind.CONVERTED, actor=actor, note=suggestion.number)
        _tell_proposer(
            proposal,
            str(_("Your proposal %(number)s will be handled as rationalisation suggestion %(suggestion)s."))
            % {"number": proposal.number, "suggestion": suggestion.number},
        )
        _audit(actor, "converted", proposal, suggestion=suggestion.pk)
    return proposal


def proposal_reject(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """The committee does not accept the proposal, with a reason the proposer reads."""
    require(actor=actor, perm=MANAGE, org=proposal.org)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("Give the reason for not accepting it."), field="reason")
    with transaction.atomic():
        proposal = _locked(proposal)
        _move(proposal, P.REJECTED)
        proposal.decided_at, proposal.decided_by = timezone.now(), actor
        proposal.decision_note = reason[:5000]
        proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        _event(proposal, ProposalEvent.Kind.REJECTED, actor=actor, note=proposal.decision_note)
        _tell_proposer(
            proposal,
            str(_("Your proposal %(number)s was not accepted; the reason is on its page."))
            % {"number": proposal.number},
        )
        _audit(actor, "rejected", proposal)
    return proposal


def _deadline(proposal: Proposal, workdays: int | None) -> tuple[datetime.date, bool, int]:
    days = proposal.congress.proposal_answer_days if workdays is None else workdays
    if not isinstance(days, int) or not 1 <= days <= rules.MAX_ANSWER_DAYS:
        raise ServiceError(
            "invalid_days",
            _("Give from 1 to %(n)s working days to answer.") % {"n": rules.MAX_ANSWER_DAYS},
            field="workdays",
        )
    due, provisional = add_workdays_checked(timezone.localdate(), days)
    return due, provisional, days


def _check_department(proposal: Proposal, department: Department | None) -> Department:
    if department is None or department.org_id != proposal.org_id or not department.active:
        raise ServiceError(
            "invalid_department", _("Choose one of the union's departments."), field="department"
        )
    return department


def _assign(proposal: Proposal, department: Department, due: datetime.date, provisional: bool) -> None:
    proposal.department = department
    proposal.assigned_at = timezone.now()
    proposal.due_on = due
    proposal.due_provisional = provisional
    proposal.reminded_at = None
    proposal.overdue_at = None
    if department.contact_id:
        notify_users(
            [department.contact_id],
            str(_("Proposal %(number)s was assigned to %(department)s; answer by %(date)s."))
            % {"number": proposal.number, "department": department.name, "date": due.isoformat()},
            _portal_url(proposal),
        )


ASSIGN_FIELDS = [
    "status",
    "department",
    "assigned_at",
    "due_on",
    "due_provisional",
    "reminded_at",
    "overdue_at",
]


def proposal_assign(
    *, actor: Any, proposal: Proposal, department: Department | None, workdays: int | None = None
) -> Proposal:
    """Assign an accepted proposal to a department, to answer within `workdays` working days (the congress's
    setting when left out), counted through the working-day calendar."""
    require(actor=actor, perm=MANAGE, org=proposal.org)
    with transaction.atomic():
        proposal = _locked(proposal)
        department = _check_department(proposal, department)
        _move(proposal, P.ASSIGNED)
        due, provisional, days = _deadline(proposal, workdays)
        _assign(proposal, department, due, provisional)
        proposal.save(update_fields=ASSIGN_FIELDS)
        _event(
            proposal,
            ProposalEvent.Kind.ASSIGNED,
            actor=actor,
            note=str(_("%(department)s, answer by %(date)s"))
            % {"department": department.name, "date": due.isoformat()},
        )
        _audit(actor, "assigned", proposal, department=department.pk, workdays=days, due=due.isoformat())
    return proposal


def proposal_reassign(
    *,
    actor: Any,
    proposal: Proposal,
    department: Department | None,
    workdays: int | None = None,
    note: str = "",
) -> Proposal:
    """The proposer was not satisfied: the committee assigns the proposal once more (to the same or another
    department), with a fresh deadline. Only once."""
    require(actor=actor, perm=MANAGE, org=proposal.org)
    with transaction.atomic():
        proposal = _locked(proposal)
        if not rules.may_reassign(proposal.status, proposal.satisfaction, proposal.reassigned):
            raise ServiceError(
                "no_reassign",
                _("A proposal can be assigned again only once, after the proposer was not satisfied."),
                status=409,
            )
        department = _check_department(proposal, department)
        due, provisional, days = _deadline(proposal, workdays)
        previous = (proposal.answer, proposal.get_satisfaction_display())
        proposal.status = P.ASSIGNED
        proposal.reassigned = True
        _assign(proposal, department, due, provisional)
        proposal.answer, proposal.answered_at, proposal.answered_by = "", None, None
        proposal.satisfaction, proposal.satisfaction_comment, proposal.rated_at = "", "", None
        proposal.save(
            update_fields=[
                *ASSIGN_FIELDS,
                "reassigned",
                "answer",
                "answered_at",
                "answered_by",
                "satisfaction",
                "satisfaction_comment",
                "rated_at",
            ]
        )
        _event(
            proposal,
            ProposalEvent.Kind.REASSIGNED,
            actor=actor,
            note=str(
                _("%(department)s, answer by %(date)s. Earlier answer: %(answer)s (%(rating)s). %(note)s")
            )
            % {
                "department": department.name,
                "date": due.isoformat(),
                "answer": previous[0],
                "rating": previous[1],
                "note": (note or "").strip(),
            },
        )
        _tell_proposer(
            proposal,
            str(_("Your proposal %(number)s was assigned again to %(department)s."))
            % {"number": proposal.number, "department": department.name},
        )
        _audit(actor, "reassigned", proposal, department=department.pk, workdays=days)
    return proposal


def may_answer(actor: Any, proposal: Proposal) -> bool:
    """The contact person of the department it is assigned to, or the committee."""
    if proposal.department is not None and proposal.department.contact_id == getattr(actor, "pk", None):
        return True
    return actor_can(actor, MANAGE, proposal.org)


def proposal_answer(*, actor: Any, proposal: Proposal, text: str) -> Proposal:
    """The department's answer, entered by its contact person in the portal or by the committee in the
    console. The proposer is asked to say whether they are satisfied."""
    if not may_answer(actor, proposal):
        if not actor_can(actor, "org.view", proposal.org):
            raise NotFound(_("No such congress proposal."))
        raise PermissionDenied(
            _("Only the department's contact person or the proposal committee may answer.")
        )
    text = (text or "").strip()
    if len(text) < rules.TEXT_MIN:
        raise ServiceError(
            "answer_short",
            _("Write the answer in at least %(n)s characters.") % {"n": rules.TEXT_MIN},
            field="text",
        )
    if len(text) > rules.TEXT_MAX:
        raise ServiceError(
            "answer_long", _("Keep the answer under %(n)s characters.") % {"n": rules.TEXT_MAX}, field="text"
        )
    with transaction.atomic():
        proposal = _locked(proposal)
        _move(proposal, P.ANSWERED)
        proposal.answer, proposal.answered_at, proposal.answered_by = text, timezone.now(), actor
        proposal.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        _event(proposal, ProposalEvent.Kind.ANSWERED, actor=actor, note=text)
        _tell_proposer(
            proposal,
            str(_("Proposal %(number)s was answered. Please say whether you are satisfied."))
            % {"number": proposal.number},
        )
        _audit(
            actor, "answered", proposal, late=bool(proposal.due_on and timezone.localdate() > proposal.due_on)
        )
    return proposal


def _rate(*, actor: Any, proposal: Proposal, satisfaction: str, comment: str) -> Proposal:
    if proposal.rated_at is not None:
        raise ServiceError("already_rated", _("You have already rated this answer."), status=409)
    _move(proposal, P.CLOSED)
    proposal.satisfaction = satisfaction
    proposal.satisfaction_comment = (comment or "").strip()[:500]
    proposal.rated_at = timezone.now()
    proposal.save(update_fields=["status", "satisfaction", "satisfaction_comment", "rated_at"])
    _event(
        proposal,
        ProposalEvent.Kind.RATED,
        actor=actor,
        note=f"{Satisfaction(satisfaction).label} {proposal.satisfaction_comment}".strip(),
    )
    if satisfaction == Satisfaction.NOT_SATISFIED:
        notify_org(
            proposal.org,
            MANAGE,
            str(_("The proposer of %(number)s is not satisfied with the answer."))
            % {"number": proposal.number},
            _console_url(proposal),
        )
    _audit(actor, "rated", proposal, satisfaction=satisfaction)
    return proposal


def proposal_rate(*, user: Any, proposal: Proposal, satisfaction: str, comment: str = "") -> Proposal:
    """The proposer says whether the answer satisfies them, once per answer. Not satisfied: the committee is
    told and may assign it once more."""
    if satisfaction not in Satisfaction.values:
        raise ServiceError("invalid_satisfaction", _("Choose how satisfied you are."), field="satisfaction")
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.proposer.user_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Only the proposer rates the answer."))
        return _rate(actor=user, proposal=proposal, satisfaction=satisfaction, comment=comment)


def proposal_rate_record(*, actor: Any, proposal: Proposal, satisfaction: str, comment: str = "") -> Proposal:
    """The secretariat records the satisfaction a proposer without an account gave on the paper feedback form
    (意见反馈表); once per answer, like the proposer's own."""
    require(actor=actor, perm=MANAGE, org=proposal.org)
    if satisfaction not in Satisfaction.values:
        raise ServiceError("invalid_satisfaction", _("Choose how satisfied you are."), field="satisfaction")
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.proposer.user_id is not None:
            raise ServiceError(
                "proposer_rates",
                _("This proposer has an account and rates the answer in the portal."),
                status=409,
            )
        return _rate(actor=actor, proposal=proposal, satisfaction=satisfaction, comment=comment)


# --- the deadline sweep ----------------------------------------------------------------------------------------


def proposals_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: remind the department (and the committee) a few working days before an answer is due, and flag
    an answer that is overdue, once each. Idempotent (`reminded_at`, `overdue_at` are the memory) and it
    catches up after downtime."""
    today = today or timezone.localdate()
    between = workdays_counter()
    done = {"reminded": 0, "overdue": 0}
    open_ = (
        Proposal.objects.filter(status=P.ASSIGNED, overdue_at__isnull=True, due_on__isnull=False)
        .select_related("org", "department")
        .order_by("pk")
    )
    for item in open_.iterator(chunk_size=500):
        assert item.due_on is not None
        action = rules.sweep_action(
            due_days_left=between(today, item.due_on),
            overdue=today > item.due_on,
            reminded=item.reminded_at is not None,
            flagged=item.overdue_at is not None,
        )
        if not action:
            continue
        with transaction.atomic():
            proposal = _locked(item)
            if proposal.status != P.ASSIGNED:
                continue
            now = timezone.now()
            if action == "overdue" and proposal.overdue_at is None:
                proposal.overdue_at = now
                if proposal.reminded_at is None:
                    proposal.reminded_at = now  # no reminder after the deadline has passed
                kind = ProposalEvent.Kind.OVERDUE
                text = str(_("The answer to proposal %(number)s is overdue (due %(date)s)."))
                done["overdue"] += 1
            elif action == "remind" and proposal.reminded_at is None:
                proposal.reminded_at = now
                kind = ProposalEvent.Kind.REMINDED
                text = str(_("Proposal %(number)s must be answered by %(date)s."))
                done["reminded"] += 1
            else:
                continue
            proposal.save(update_fields=["reminded_at", "overdue_at"])
            text = text % {
                "number": proposal.number,
                "date": proposal.due_on.isoformat() if proposal.due_on else "",
            }
            _event(proposal, kind)
            if proposal.department and proposal.department.contact_id:
                notify_users([proposal.department.contact_id], text, _portal_url(proposal))
            notify_org(proposal.org, MANAGE, text, _console_url(proposal))
            _audit("system", "overdue" if kind == ProposalEvent.Kind.OVERDUE else "reminded", proposal)
    return done


# --- departments -----------------------------------------------------------------------------------------------


def department_add(*, actor: Any, org: Org, name: str, contact: Any = None) -> Department:
    require(actor=actor, perm=MANAGE, org=org)
    name = (name or "").strip()
    if not 2 <= len(name) <= 120:
        raise ServiceError("name_required", _("Give the department's name."), field="name")
    try:
        with transaction.atomic():
            department = Department.objects.create(org=org, name=name, contact=contact)
            log_action(
                actor=actor, action="gonghui.proposal.department_added", obj=department, org_path=org.path
            )
    except IntegrityError:
        raise ServiceError(
            "duplicate_department", _("The union already has this department."), field="name"
        ) from None
    return department


def department_update(
    *, actor: Any, department: Department, name: str, contact: Any = None, active: bool = True
) -> Department:
    require(actor=actor, perm=MANAGE, org=department.org)
    name = (name or "").strip()
    if not 2 <= len(name) <= 120:
        raise ServiceError("name_required", _("Give the department's name."), field="name")
    try:
        with transaction.atomic():
            department.name, department.contact, department.active = name, contact, active
            department.save(update_fields=["name", "contact", "active"])
            log_action(
                actor=actor,
                action="gonghui.proposal.department_changed",
                obj=department,
                org_path=department.org.path,
                data={"contact": getattr(contact, "pk", None), "active": active},
            )
    except IntegrityError:
        raise ServiceError(
            "duplicate_department", _("The union already has this department."), field="name"
        ) from None
    return department
