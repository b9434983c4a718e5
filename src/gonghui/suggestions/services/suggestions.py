"""Writes of rationalisation suggestions (DOMAIN §3): a member submits; the union's holders of
`suggestion.manage` evaluate, adopt or decline with a reason, record the implementation, the reward and the
benefit. Every step checks the state under a row lock, writes a `SuggestionEvent`, an audit record, and tells
the member in the portal.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.notify import notify_org, notify_users
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import require

from .. import rules
from ..models import RewardForm, Suggestion, SuggestionCategory, SuggestionEvent, SuggestionSource
from ..models import SuggestionStatus as S

PERM = "suggestion.manage"


@dataclass
class SuggestionInput:
    """What a member types: checked by suggestion_clean before anything is written."""

    title: str
    category: str
    situation: str
    measures: str
    expected_benefit: str = ""


def _text(value: str, field: str, label: Any, *, minimum: int = rules.TEXT_MIN) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ServiceError(
            f"{field}_short",
            _("%(label)s: write at least %(n)s characters.") % {"label": label, "n": minimum},
            field=field,
        )
    if len(text) > rules.TEXT_MAX:
        raise ServiceError(
            f"{field}_long",
            _("%(label)s: keep it under %(n)s characters.") % {"label": label, "n": rules.TEXT_MAX},
            field=field,
        )
    return text


def suggestion_clean(data: SuggestionInput) -> SuggestionInput:
    title = (data.title or "").strip()
    if not rules.TITLE_MIN <= len(title) <= rules.TITLE_MAX:
        raise ServiceError(
            "title_length",
            _("Give a title of %(a)s to %(b)s characters.") % {"a": rules.TITLE_MIN, "b": rules.TITLE_MAX},
            field="title",
        )
    if data.category not in SuggestionCategory.values:
        raise ServiceError("invalid_category", _("Choose what the suggestion is about."), field="category")
    expected = (data.expected_benefit or "").strip()
    if len(expected) > rules.TEXT_MAX:
        raise ServiceError(
            "expected_benefit_long",
            _("Keep the expected benefit under %(n)s characters.") % {"n": rules.TEXT_MAX},
            field="expected_benefit",
        )
    return SuggestionInput(
        title=title,
        category=data.category,
        situation=_text(data.situation, "situation", _("The present situation")),
        measures=_text(data.measures, "measures", _("What you suggest")),
        expected_benefit=expected,
    )


def _amount(value: Any, field: str, *, maximum: Decimal, required: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError("amount_required", _("Give the amount in yuan."), field=field)
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(
            "invalid_amount", _("Give the amount in yuan, like 1200.50."), field=field
        ) from exc
    if not rules.amount_ok(amount, maximum=maximum):
        raise ServiceError(
            "invalid_amount",
            _("Give an amount from 0 to %(max)s yuan with at most two decimals.") % {"max": maximum},
            field=field,
        )
    return amount


# --- helpers ---------------------------------------------------------------------------------------------------


def grassroots_of(org: Org) -> Org:
    """The grassroots union a member's org belongs to: itself, or the nearest grassroots union above a branch
    or group. One query at most (ids read from the path)."""
    if org.kind not in (OrgKind.BRANCH, OrgKind.GROUP):
        return org
    above = Org.objects.in_bulk(org.ancestor_ids())
    for pk in reversed(org.ancestor_ids()):
        candidate = above.get(pk)
        if candidate is not None and candidate.kind == OrgKind.GRASSROOTS:
            return candidate
    return org


def active_membership(user: Any) -> Member | None:
    """The signed-in person's active membership, with its union; None when they are not an active member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.filter(user=user, status=MemberStatus.ACTIVE)
        .select_related("org")
        .order_by("-joined_on", "-pk")
        .first()
    )


def _event(
    suggestion: Suggestion, kind: str, *, actor: Any = None, note: str = "", visible: bool = True
) -> None:
    SuggestionEvent.objects.create(
        suggestion=suggestion,
        kind=kind,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:5000],
        visible_to_member=visible,
    )


def _audit(actor: Any, action: str, suggestion: Suggestion, **data: Any) -> None:
    log_action(
        actor=actor,
        action=f"gonghui.suggestion.{action}",
        obj=suggestion,
        org_path=suggestion.org.path,
        data=data,
    )


def _tell_member(suggestion: Suggestion, text: str) -> None:
    if suggestion.submitter_id:
        notify_users([suggestion.submitter_id], text, reverse("portal:suggestion", args=[suggestion.pk]))


def _locked(suggestion: Suggestion) -> Suggestion:
    return Suggestion.objects.select_for_update(of=("self",)).select_related("org").get(pk=suggestion.pk)


def _move(suggestion: Suggestion, target: str) -> None:
    if not rules.can_move(suggestion.status, target):
        raise ServiceError(
            "wrong_state",
            _("This suggestion is %(status)s; that step is not possible now.")
            % {"status": suggestion.get_status_display()},
            status=409,
        )
    suggestion.status = target


def _create(
    *, org: Org, member: Member | None, submitter: Any, data: SuggestionInput, source: str, name: str = ""
) -> Suggestion:
    now = timezone.now()
    today = timezone.localdate(now)
    suggestion = Suggestion.objects.create(
        number=f"tmp-{secrets.token_hex(6)}",
        org=org,
        member=member,
        submitter=submitter if getattr(submitter, "is_authenticated", False) else None,
        submitter_name=(member.name if member else name)[:60],
        source=source,
        title=data.title,
        category=data.category,
        situation=data.situation,
        measures=data.measures,
        expected_benefit=data.expected_benefit,
        year=today.year,
        submitted_at=now,
    )
    # A readable number: JY, the year and the row id (unique because the id is).
    suggestion.number = f"JY{today:%Y}{suggestion.pk:06d}"
    suggestion.save(update_fields=["number"])
    return suggestion


# --- the member ------------------------------------------------------------------------------------------------


def suggestion_submit(*, user: Any, data: SuggestionInput) -> Suggestion:
    """An active member submits a suggestion to their own grassroots union."""
    member = active_membership(user)
    if member is None:
        raise ServiceError(
            "not_member",
            _("Only an active union member can submit a rationalisation suggestion."),
            status=403,
        )
    data = suggestion_clean(data)
    org = grassroots_of(member.org)
    with transaction.atomic():
        suggestion = _create(
            org=org, member=member, submitter=user, data=data, source=SuggestionSource.MEMBER
        )
        _event(suggestion, SuggestionEvent.Kind.SUBMITTED, actor=user)
        notify_org(
            org,
            PERM,
            str(_("New rationalisation suggestion %(number)s: %(title)s"))
            % {"number": suggestion.number, "title": suggestion.title},
            reverse("console:suggestion", args=[suggestion.pk]),
        )
        _audit(user, "submitted", suggestion, category=suggestion.category)
    return suggestion


def suggestion_record(*, actor: Any, member: Member, data: SuggestionInput) -> Suggestion:
    """A cadre records a suggestion a member made on paper (the suggestion box, a workshop meeting) on their
    behalf; it goes to the member's grassroots union like one made online."""
    org = grassroots_of(member.org)
    require(actor=actor, perm=PERM, org=org)  # first: a member outside the actor's unions is not found
    if member.status != MemberStatus.ACTIVE:
        raise ServiceError(
            "not_member",
            _("Only an active union member can submit a rationalisation suggestion."),
            status=409,
        )
    data = suggestion_clean(data)
    with transaction.atomic():
        suggestion = _create(
            org=org, member=member, submitter=member.user, data=data, source=SuggestionSource.MEMBER
        )
        _event(suggestion, SuggestionEvent.Kind.SUBMITTED, actor=actor)
        _audit(actor, "recorded", suggestion, category=suggestion.category)
    return suggestion


def suggestion_from_proposal(
    *,
    actor: Any,
    org: Org,
    member: Member | None,
    submitter: Any,
    name: str,
    data: SuggestionInput,
    note: str = "",
) -> Suggestion:
    """The proposal committee turns a congress proposal into a suggestion (called inside the proposal's own
    transaction by proposals.services). It starts as submitted, like any other, at the proposal's union."""
    require(actor=actor, perm="proposal.manage", org=org)
    data = suggestion_clean(data)
    with transaction.atomic():
        suggestion = _create(
            org=org,
            member=member,
            submitter=submitter,
            data=data,
            source=SuggestionSource.PROPOSAL,
            name=name,
        )
        _event(suggestion, SuggestionEvent.Kind.SUBMITTED, actor=actor, note=note)
        _audit(actor, "converted_from_proposal", suggestion)
    return suggestion


# --- the union -------------------------------------------------------------------------------------------------


def suggestion_evaluate(*, actor: Any, suggestion: Suggestion) -> Suggestion:
    """Start the evaluation; the actor becomes the evaluator."""
    with transaction.atomic():
        suggestion = _locked(suggestion)
        require(actor=actor, perm=PERM, org=suggestion.org)
        _move(suggestion, S.EVALUATING)
        suggestion.evaluator = actor
        suggestion.evaluation_started_at = timezone.now()
        suggestion.save(update_fields=["status", "evaluator", "evaluation_started_at"])
        _event(suggestion, SuggestionEvent.Kind.EVALUATING, actor=actor)
        _tell_member(
            suggestion,
            str(_("Your suggestion %(number)s is being evaluated.")) % {"number": suggestion.number},
        )
        _audit(actor, "evaluating", suggestion)
    return suggestion


def suggestion_note(*, actor: Any, suggestion: Suggestion, text: str) -> Suggestion:
    """An evaluator's working note, kept with the union (the member does not read it)."""
    require(
        actor=actor, perm=PERM, org=suggestion.org
    )  # the role first: a refusal says nothing about the input
    text = (text or "").strip()
    if not text:
        raise ServiceError("text_required", _("Write the note."), field="text")
    if len(text) > rules.TEXT_MAX:
        raise ServiceError(
            "text_long", _("Keep the note under %(n)s characters.") % {"n": rules.TEXT_MAX}, field="text"
        )
    with transaction.atomic():
        suggestion = _locked(suggestion)
        require(actor=actor, perm=PERM, org=suggestion.org)
        if suggestion.status in rules.FINISHED:
            raise ServiceError("finished", _("This suggestion is finished."), status=409)
        stamp = f"[{timezone.localtime():%Y-%m-%d %H:%M} {getattr(actor, 'real_name', '')}] {text}"
        suggestion.evaluation_notes = (
            f"{suggestion.evaluation_notes}\n{stamp}" if suggestion.evaluation_notes else stamp
        )[:20000]
        suggestion.save(update_fields=["evaluation_notes"])
        _event(suggestion, SuggestionEvent.Kind.NOTE, actor=actor, note=text, visible=False)
        _audit(actor, "noted", suggestion)
    return suggestion


def suggestion_decide(
    *, actor: Any, suggestion: Suggestion, adopt: bool, reason: str = "", notes: str = ""
) -> Suggestion:
    """Adopt the suggestion, or decline it with a reason the member reads."""
    require(
        actor=actor, perm=PERM, org=suggestion.org
    )  # the role first: a refusal says nothing about the input
    reason = (reason or "").strip()
    if not adopt and not reason:
        raise ServiceError("reason_required", _("Give the reason for not adopting it."), field="reason")
    if len(reason) > rules.TEXT_MAX:
        raise ServiceError(
            "reason_long",
            _("Keep the reason under %(n)s characters.") % {"n": rules.TEXT_MAX},
            field="reason",
        )
    notes = (notes or "").strip()[: rules.TEXT_MAX]
    with transaction.atomic():
        suggestion = _locked(suggestion)
        require(actor=actor, perm=PERM, org=suggestion.org)
        _move(suggestion, S.ADOPTED if adopt else S.NOT_ADOPTED)
        suggestion.decided_at = timezone.now()
        suggestion.decided_by = actor
        suggestion.reason = "" if adopt else reason
        if notes:
            suggestion.evaluation_notes = (
                f"{suggestion.evaluation_notes}\n{notes}" if suggestion.evaluation_notes else notes
            )[:20000]
        suggestion.save(update_fields=["status", "decided_at", "decided_by", "reason", "evaluation_notes"])
        if adopt:
            _event(suggestion, SuggestionEvent.Kind.ADOPTED, actor=actor)
            text = _("Your suggestion %(number)s was adopted. Thank you!")
        else:
            _event(suggestion, SuggestionEvent.Kind.NOT_ADOPTED, actor=actor, note=reason)
            text = _("Your suggestion %(number)s was not adopted; the reason is on its page.")
        _tell_member(suggestion, str(text) % {"number": suggestion.number})
        _audit(actor, "adopted" if adopt else "not_adopted", suggestion)
    return suggestion


def suggestion_implement(
    *,
    actor: Any,
    suggestion: Suggestion,
    implemented_on: datetime.date | None,
    note: str,
    benefit_amount: Any = None,
    benefit_description: str = "",
) -> Suggestion:
    """Record that an adopted suggestion was put into practice, and the benefit so far when known."""
    require(
        actor=actor, perm=PERM, org=suggestion.org
    )  # the role first: a refusal says nothing about the input
    note = (note or "").strip()
    if not note:
        raise ServiceError("note_required", _("Say how the suggestion was implemented."), field="note")
    today = timezone.localdate()
    day = implemented_on or today
    if day > today:
        raise ServiceError(
            "date_in_future", _("The implementation date cannot be in the future."), field="implemented_on"
        )
    amount = _amount(benefit_amount, "benefit_amount", maximum=rules.BENEFIT_MAX)
    description = (benefit_description or "").strip()[: rules.TEXT_MAX]
    with transaction.atomic():
        suggestion = _locked(suggestion)
        require(actor=actor, perm=PERM, org=suggestion.org)
        _move(suggestion, S.IMPLEMENTED)
        if suggestion.decided_at and day < timezone.localdate(suggestion.decided_at):
            raise ServiceError(
                "date_before_adoption",
                _("The implementation date cannot be before the adoption."),
                field="implemented_on",
            )
        suggestion.implemented_on = day
        suggestion.implementation_note = note[: rules.TEXT_MAX]
        if amount is not None:
            suggestion.benefit_amount = amount
        if description:
            suggestion.benefit_description = description
        suggestion.save(
            update_fields=[
                "status",
                "implemented_on",
                "implementation_note",
                "benefit_amount",
                "benefit_description",
            ]
        )
        _event(suggestion, SuggestionEvent.Kind.IMPLEMENTED, actor=actor, note=note)
        _tell_member(
            suggestion, str(_("Your suggestion %(number)s was implemented.")) % {"number": suggestion.number}
        )
        _audit(actor, "implemented", suggestion, benefit=str(amount) if amount is not None else None)
    return suggestion


def suggestion_reward(
    *,
    actor: Any,
    suggestion: Suggestion,
    form: str,
    amount: Any = None,
    note: str = "",
    benefit_amount: Any = None,
    benefit_description: str = "",
) -> Suggestion:
    """Record the reward (its form, and the amount for a cash bonus) and the benefit the suggestion brought."""
    require(
        actor=actor, perm=PERM, org=suggestion.org
    )  # the role first: a refusal says nothing about the input
    if form not in RewardForm.values:
        raise ServiceError("invalid_reward_form", _("Choose the form of the reward."), field="form")
    value = _amount(amount, "amount", maximum=rules.REWARD_MAX, required=form == RewardForm.CASH)
    benefit = _amount(benefit_amount, "benefit_amount", maximum=rules.BENEFIT_MAX)
    description = (benefit_description or "").strip()[: rules.TEXT_MAX]
    with transaction.atomic():
        suggestion = _locked(suggestion)
        require(actor=actor, perm=PERM, org=suggestion.org)
        _move(suggestion, S.REWARDED)
        suggestion.reward_form = form
        suggestion.reward_amount = value
        suggestion.reward_note = (note or "").strip()[:300]
        suggestion.rewarded_on = timezone.localdate()
        if benefit is not None:
            suggestion.benefit_amount = benefit
        if description:
            suggestion.benefit_description = description
        suggestion.save(
            update_fields=[
                "status",
                "reward_form",
                "reward_amount",
                "reward_note",
                "rewarded_on",
                "benefit_amount",
                "benefit_description",
            ]
        )
        label = RewardForm(form).label
        shown = (
            str(_("%(form)s, %(amount)s yuan")) % {"form": label, "amount": value}
            if value is not None
            else str(label)
        )
        _event(suggestion, SuggestionEvent.Kind.REWARDED, actor=actor, note=shown)
        _tell_member(
            suggestion,
            str(_("Your suggestion %(number)s was rewarded: %(reward)s."))
            % {"number": suggestion.number, "reward": shown},
        )
        _audit(actor, "rewarded", suggestion, form=form, amount=str(value) if value is not None else None)
    return suggestion
