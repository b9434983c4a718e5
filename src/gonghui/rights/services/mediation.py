"""Writes of labour-dispute mediation (调解, DOMAIN §4; Labour Dispute Mediation and Arbitration Law): mediation
committees of an enterprise (with its union) or of a region, their mediators, and mediations with their
parties, sessions, agreement and signatures; the sweep that warns before the 15-day limit and tells the
parties, once it has passed, that they may apply for arbitration before the limitation date.

The dates are law and live in rights/rules.py: due_on = received_on + 15 calendar days (art. 14) and the
arbitration limitation one year from when the worker knew of the infringement (art. 27). An agreement takes
effect when both parties and the mediator have signed it (art. 14 para. 2) and binds both parties (art. 29).
Every step checks the permission and the state under a row lock, writes a `CaseEvent` on the request the
mediation came from (when there is one), logs `gonghui.rights.mediation.*` and tells people after commit.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_mobile, clean_uscc
from gonghui.core.notify import notify_org, notify_users, send_sms
from gonghui.orgs.models import Org
from gonghui.orgs.services import require

from .. import rules
from ..models import (
    Case,
    CaseEvent,
    Mediation,
    MediationCommittee,
    MediationParty,
    MediationSession,
    MediationStatus,
    Mediator,
    Outcome,
)
from .cases import PERM, _event
from .legal import PHONE_RE, _clean_text, clean_amount

SIDES = (MediationParty.Side.WORKER, MediationParty.Side.EMPLOYER)
SIGNERS = ("worker", "employer", "mediator")
MAX_PARTIES = 50
MAX_WARN_DAYS = 14
SUBJECT_MIN = 10


@dataclass
class PartyInput:
    """One party to a mediation: a worker (name, phone) or an employer (name, credit code, representative)."""

    side: str
    name: str
    uscc: str = ""
    representative: str = ""
    phone: str = ""


def _clean_parties(parties: Iterable[PartyInput]) -> list[PartyInput]:
    cleaned: list[PartyInput] = []
    for party in parties:
        if party.side not in SIDES:
            raise ServiceError("invalid_side", _("A party is a worker or an employer."), field="parties")
        name = (party.name or "").strip()[:120]
        if not name:
            raise ServiceError("party_name_required", _("Give the name of every party."), field="parties")
        uscc = (party.uscc or "").strip()
        # A worker is mediated without an ID number (DOMAIN §8: collect no more than is needed).
        is_employer = party.side == MediationParty.Side.EMPLOYER
        uscc = clean_uscc(uscc, field="parties") if is_employer and uscc else ""
        phone = (party.phone or "").strip()
        if phone and not PHONE_RE.match(phone):
            raise ServiceError("invalid_phone", _("Give a phone number of digits."), field="parties")
        cleaned.append(
            PartyInput(
                side=party.side,
                name=name,
                uscc=uscc,
                representative=(party.representative or "").strip()[:50],
                phone=phone,
            )
        )
    if len(cleaned) > MAX_PARTIES:
        raise ServiceError(
            "too_many_parties",
            _("A mediation has at most %(n)s parties.") % {"n": MAX_PARTIES},
            field="parties",
        )
    sides = {p.side for p in cleaned}
    if sides != set(SIDES):
        raise ServiceError(
            "parties_required",
            _("A mediation needs at least one worker and one employer as parties."),
            field="parties",
        )
    return cleaned


def _mobile(phone: str) -> str:
    """The party's number as a mobile number for SMS, or "" for a landline or a bad number."""
    try:
        return clean_mobile(phone) if phone else ""
    except ServiceError:
        return ""


def _console_url(mediation: Mediation) -> str:
    return reverse("console:mediation", args=[mediation.pk])


def _locked(mediation: Mediation) -> Mediation:
    # Lock only the mediation row: the request and the mediator are nullable joins PostgreSQL cannot lock.
    return (
        Mediation.objects.select_for_update(of=("self",))
        .select_related("committee", "committee__org", "case", "case__org", "mediator")
        .get(pk=mediation.pk)
    )


def _require_open(mediation: Mediation) -> None:
    if mediation.status != MediationStatus.OPEN:
        raise ServiceError(
            "mediation_ended",
            _("This mediation has ended: %(status)s.") % {"status": mediation.get_status_display()},
            status=409,
        )


def _audit(actor: Any, action: str, mediation: Mediation, **data: Any) -> None:
    log_action(
        actor=actor,
        action=f"gonghui.rights.mediation.{action}",
        obj=mediation,
        org_path=mediation.committee.org.path,
        data={"case": mediation.case_id, **data},
    )


def _case_event(mediation: Mediation, text: str, *, actor: Any = None, visible: bool = True) -> None:
    if mediation.case is not None:
        _event(mediation.case, CaseEvent.Kind.MEDIATION, actor=actor, note=text, visible=visible)


def _tell_parties(mediation: Mediation, text: str) -> int:
    """An SMS to every party's mobile number and to the request's contact, each number once, and an in-app
    notice to the worker's account when the mediation came from a request."""
    mobiles = {_mobile(p.phone) for p in mediation.parties.all()}
    case = mediation.case
    if case is not None:
        if case.contact_mobile:
            mobiles.add(case.contact_mobile)
        if case.requester_id:
            notify_users([case.requester_id], text, reverse("portal:rights_case", args=[case.pk]))
    mobiles.discard("")
    for mobile in sorted(mobiles):
        send_sms(mobile, text)
    return len(mobiles)


def arbitration_text(mediation: Mediation) -> str:
    """What the parties are told when there is no agreement: they may apply for labour arbitration, and by when."""
    return str(
        _(
            "Mediation %(number)s: no agreement was reached. You may apply to the labour dispute arbitration "
            "commission, at the latest by %(date)s unless the limitation period was interrupted."
        )
    ) % {"number": mediation.number, "date": mediation.limitation_on.isoformat()}


# --- committees and mediators ---------------------------------------------------------------------------------------


def committee_add(
    *, actor: Any, org: Org, name: str, kind: str, warn_days_before: int = 2
) -> MediationCommittee:
    """An enterprise mediation committee (at the enterprise's union) or a regional one (at a district or street
    union)."""
    require(actor=actor, perm=PERM, org=org)
    if kind not in MediationCommittee.Kind.values:
        raise ServiceError("invalid_kind", _("Choose the kind of committee."), field="kind")
    name = _clean_text(name, field="name", limit=120, required=True, code="name_required")
    _check_warn_days(warn_days_before)
    with transaction.atomic():
        committee = MediationCommittee.objects.create(
            org=org, name=name, kind=kind, warn_days_before=warn_days_before
        )
        log_action(
            actor=actor,
            action="gonghui.rights.mediation.committee_added",
            obj=committee,
            org_path=org.path,
            data={"kind": kind},
        )
    return committee


def _check_warn_days(days: int) -> None:
    if not isinstance(days, int) or not 0 <= days <= MAX_WARN_DAYS:
        raise ServiceError(
            "invalid_warn_days",
            _("Warn between 0 and %(n)s days before the limit.") % {"n": MAX_WARN_DAYS},
            field="warn_days_before",
        )


def committee_update(
    *, actor: Any, committee: MediationCommittee, name: str, warn_days_before: int, active: bool = True
) -> MediationCommittee:
    require(actor=actor, perm=PERM, org=committee.org)
    name = _clean_text(name, field="name", limit=120, required=True, code="name_required")
    _check_warn_days(warn_days_before)
    with transaction.atomic():
        committee = MediationCommittee.objects.select_for_update().select_related("org").get(pk=committee.pk)
        committee.name, committee.warn_days_before, committee.active = name, warn_days_before, active
        committee.save(update_fields=["name", "warn_days_before", "active"])
        log_action(
            actor=actor,
            action="gonghui.rights.mediation.committee_updated",
            obj=committee,
            org_path=committee.org.path,
            data={"warn_days_before": warn_days_before, "active": active},
        )
    return committee


def mediator_add(*, actor: Any, committee: MediationCommittee, name: str, user: Any = None) -> Mediator:
    require(actor=actor, perm=PERM, org=committee.org)
    name = _clean_text(name, field="name", limit=50, required=True, code="name_required")
    with transaction.atomic():
        mediator = Mediator.objects.create(committee=committee, name=name, user=user)
        log_action(
            actor=actor,
            action="gonghui.rights.mediation.mediator_added",
            obj=mediator,
            org_path=committee.org.path,
            data={"committee": committee.pk},
        )
    return mediator


def mediator_deactivate(*, actor: Any, mediator: Mediator) -> Mediator:
    """No new mediations for this mediator; the ones they already have keep them."""
    committee = mediator.committee
    require(actor=actor, perm=PERM, org=committee.org)
    with transaction.atomic():
        mediator = Mediator.objects.select_for_update().get(pk=mediator.pk)
        if mediator.active:
            mediator.active = False
            mediator.save(update_fields=["active"])
            log_action(
                actor=actor,
                action="gonghui.rights.mediation.mediator_deactivated",
                obj=mediator,
                org_path=committee.org.path,
            )
    return mediator


def _check_mediator(mediator: Mediator | None, committee: MediationCommittee) -> None:
    if mediator is not None and (mediator.committee_id != committee.pk or not mediator.active):
        raise ServiceError(
            "mediator_not_allowed", _("Choose an active mediator of this committee."), field="mediator"
        )


# --- a mediation ------------------------------------------------------------------------------------------------


def mediation_open(
    *,
    actor: Any,
    committee: MediationCommittee,
    subject: str,
    parties: Iterable[PartyInput],
    known_on: datetime.date,
    received_on: datetime.date | None = None,
    case: Case | None = None,
    mediator: Mediator | None = None,
) -> Mediation:
    """Record an application for mediation received by a committee (on `received_on`, today by default, never
    in the future), optionally from a worker's request. The worker knew of the infringement on `known_on`
    (at the latest the day of the application). The limit and the limitation date are computed here, once."""
    require(actor=actor, perm=PERM, org=committee.org)
    if case is not None:
        require(actor=actor, perm=PERM, org=case.org)
    if not committee.active:
        raise ServiceError("committee_inactive", _("This committee no longer mediates."), field="committee")
    subject = _clean_text(subject, field="subject", limit=5000, required=True)
    if len(subject) < SUBJECT_MIN:
        raise ServiceError(
            "subject_short",
            _("Describe the dispute in at least %(n)s characters.") % {"n": SUBJECT_MIN},
            field="subject",
        )
    cleaned = _clean_parties(parties)
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ServiceError(
            "received_in_future", _("The application cannot be received in the future."), field="received_on"
        )
    if not isinstance(known_on, datetime.date):
        raise ServiceError("date_required", _("Give the date."), field="known_on")
    if known_on > received_on:
        raise ServiceError(
            "known_after_received",
            _("The worker knew of the infringement at the latest on the day of the application."),
            field="known_on",
        )
    _check_mediator(mediator, committee)
    with transaction.atomic():
        if case is not None:
            case = Case.objects.select_for_update().select_related("org").get(pk=case.pk)
            if case.outcome == Outcome.WITHDRAWN:
                raise ServiceError("case_withdrawn", _("The worker withdrew this request."), status=409)
            if Mediation.objects.filter(case=case, status=MediationStatus.OPEN).exists():
                raise ServiceError(
                    "mediation_exists", _("This request is already being mediated."), status=409
                )
        mediation = Mediation.objects.create(
            committee=committee,
            case=case,
            mediator=mediator,
            number=f"tmp-{secrets.token_hex(6)}",
            subject=subject,
            received_on=received_on,
            due_on=rules.mediation_due(received_on),
            known_on=known_on,
            limitation_on=rules.arbitration_limitation(known_on),
            created_by=actor,
        )
        # A readable number: TJ (调解), the day received and the row id (unique because the id is).
        mediation.number = f"TJ{received_on:%Y%m%d}{mediation.pk:06d}"
        mediation.save(update_fields=["number"])
        MediationParty.objects.bulk_create(
            [
                MediationParty(
                    mediation=mediation,
                    side=p.side,
                    name=p.name,
                    uscc=p.uscc,
                    representative=p.representative,
                    phone=p.phone,
                )
                for p in cleaned
            ]
        )
        _case_event(
            mediation,
            str(
                _(
                    "Mediation %(number)s at %(committee)s; the committee has until %(date)s to reach an agreement."
                )
            )
            % {"number": mediation.number, "committee": committee.name, "date": mediation.due_on.isoformat()},
            actor=actor,
        )
        notify_org(
            committee.org,
            PERM,
            str(_("New mediation %(number)s at %(committee)s, to conclude by %(date)s"))
            % {"number": mediation.number, "committee": committee.name, "date": mediation.due_on.isoformat()},
            _console_url(mediation),
        )
        _audit(
            actor,
            "opened",
            mediation,
            committee=committee.pk,
            received_on=received_on.isoformat(),
            due_on=mediation.due_on.isoformat(),
            limitation_on=mediation.limitation_on.isoformat(),
            parties=len(cleaned),
        )
    return mediation


def mediation_mediator_set(*, actor: Any, mediation: Mediation, mediator: Mediator) -> Mediation:
    """Name (or change) the mediator. Once the agreement is drafted the mediator signs it, so a change then
    clears the mediator's signature."""
    with transaction.atomic():
        mediation = _locked(mediation)
        require(actor=actor, perm=PERM, org=mediation.committee.org)
        _require_open(mediation)
        _check_mediator(mediator, mediation.committee)
        if mediation.mediator_id == mediator.pk:
            raise ServiceError(
                "same_mediator", _("This mediator already has the mediation."), field="mediator"
            )
        before = mediation.mediator_id
        mediation.mediator = mediator
        mediation.mediator_signed_at = None
        mediation.save(update_fields=["mediator", "mediator_signed_at"])
        _case_event(mediation, str(_("Mediator: %(name)s")) % {"name": mediator.name}, actor=actor)
        if mediator.user_id:
            notify_users(
                [mediator.user_id],
                str(_("You mediate %(number)s.")) % {"number": mediation.number},
                _console_url(mediation),
            )
        _audit(actor, "mediator_set", mediation, mediator=mediator.pk, before=before)
    return mediation


def mediation_session_add(
    *, actor: Any, mediation: Mediation, held_on: datetime.date, notes: str, place: str = ""
) -> MediationSession:
    """Record a mediation session: when, where, and what was said and agreed."""
    notes = _clean_text(notes, field="notes", limit=5000, required=True)
    place = _clean_text(place, field="place", limit=120, required=False)
    if not isinstance(held_on, datetime.date):
        raise ServiceError("date_required", _("Give the date."), field="held_on")
    with transaction.atomic():
        mediation = _locked(mediation)
        require(actor=actor, perm=PERM, org=mediation.committee.org)
        _require_open(mediation)
        if held_on > timezone.localdate() or held_on < mediation.received_on:
            raise ServiceError(
                "invalid_session_date",
                _("A session is held between the application and today."),
                field="held_on",
            )
        session = MediationSession.objects.create(
            mediation=mediation, held_on=held_on, place=place, notes=notes, recorded_by=actor
        )
        _case_event(
            mediation,
            str(_("Mediation session on %(date)s")) % {"date": held_on.isoformat()},
            actor=actor,
        )
        _audit(actor, "session_added", mediation, held_on=held_on.isoformat())
    return session


def mediation_agree(*, actor: Any, mediation: Mediation, terms: str, amount: Any = 0) -> Mediation:
    """Draft the agreement: its terms and the amount the employer pays. It takes effect once both parties and
    the mediator have signed; changing the terms clears any signature already given, since a signature holds
    for the terms it was put under."""
    terms = _clean_text(terms, field="terms", limit=5000, required=True)
    money = clean_amount(amount, field="amount")
    with transaction.atomic():
        mediation = _locked(mediation)
        require(actor=actor, perm=PERM, org=mediation.committee.org)
        _require_open(mediation)
        if mediation.mediator_id is None:
            raise ServiceError(
                "mediator_required",
                _("Name the mediator first: the mediator signs the agreement."),
                status=409,
            )
        changed = terms != mediation.terms or money != mediation.amount
        mediation.terms = terms
        mediation.amount = money
        mediation.agreed_on = timezone.localdate()
        if changed:
            mediation.worker_signed_at = mediation.employer_signed_at = mediation.mediator_signed_at = None
        mediation.save(
            update_fields=[
                "terms",
                "amount",
                "agreed_on",
                "worker_signed_at",
                "employer_signed_at",
                "mediator_signed_at",
            ]
        )
        _case_event(
            mediation, str(_("A mediation agreement was drafted for signature.")), actor=actor, visible=False
        )
        _audit(actor, "agreement_drafted", mediation, amount=str(money), signatures_cleared=changed)
    return mediation


def mediation_sign(*, actor: Any, mediation: Mediation, signer: str) -> Mediation:
    """Record that the worker, the employer or the mediator signed the printed agreement. With the third
    signature the agreement takes effect and binds both parties (art. 29)."""
    if signer not in SIGNERS:
        raise ServiceError(
            "invalid_signer", _("Who signed: the worker, the employer or the mediator."), field="signer"
        )
    with transaction.atomic():
        mediation = _locked(mediation)
        require(actor=actor, perm=PERM, org=mediation.committee.org)
        _require_open(mediation)
        if not mediation.terms:
            raise ServiceError("no_agreement", _("Draft the agreement before it is signed."), status=409)
        field = f"{signer}_signed_at"
        if getattr(mediation, field) is not None:
            raise ServiceError("already_signed", _("This signature is already recorded."), status=409)
        now = timezone.now()
        setattr(mediation, field, now)
        fields = [field]
        done = all(getattr(mediation, f"{s}_signed_at") is not None for s in SIGNERS)
        if done:
            mediation.status = MediationStatus.AGREED
            mediation.ended_at = now
            fields += ["status", "ended_at"]
        mediation.save(update_fields=fields)
        _audit(actor, "signed", mediation, signer=signer)
        if done:
            text = str(
                _(
                    "Mediation %(number)s: the agreement was signed by both parties and the mediator and is in effect."
                )
            ) % {"number": mediation.number}
            _case_event(mediation, f"{text}\n{mediation.terms}", actor=actor)
            _tell_parties(mediation, text)
            _audit(actor, "agreed", mediation, amount=str(mediation.amount))
    return mediation


def mediation_fail(*, actor: Any, mediation: Mediation, note: str = "") -> Mediation:
    """End without an agreement: the parties are told that they may apply for labour arbitration and by
    when."""
    return _end(actor=actor, mediation=mediation, status=MediationStatus.FAILED, note=note)


def mediation_withdraw(*, actor: Any, mediation: Mediation, note: str = "") -> Mediation:
    """The applicant withdrew the application for mediation."""
    return _end(actor=actor, mediation=mediation, status=MediationStatus.WITHDRAWN, note=note)


def _end(*, actor: Any, mediation: Mediation, status: str, note: str) -> Mediation:
    note = _clean_text(note, field="note", limit=2000, required=False)
    with transaction.atomic():
        mediation = _locked(mediation)
        require(actor=actor, perm=PERM, org=mediation.committee.org)
        _require_open(mediation)
        now = timezone.now()
        mediation.status = status
        mediation.ended_at = now
        mediation.end_note = note
        fields = ["status", "ended_at", "end_note"]
        if status == MediationStatus.FAILED:
            text = arbitration_text(mediation)
            _tell_parties(mediation, text)
            if mediation.arbitration_told_at is None:
                mediation.arbitration_told_at = now
                fields.append("arbitration_told_at")
            _case_event(mediation, text, actor=actor)
        else:
            _case_event(
                mediation,
                str(_("Mediation %(number)s was withdrawn.")) % {"number": mediation.number},
                actor=actor,
            )
        mediation.save(update_fields=fields)
        _audit(actor, "failed" if status == MediationStatus.FAILED else "withdrawn", mediation)
    return mediation


def mediation_agreement_print(*, actor: Any, mediation: Mediation) -> bytes:
    """The agreement as a PDF to print and sign (or a signed copy with its dates); the print is audited, since
    it carries the parties' names."""
    from ..documents import mediation_agreement_pdf

    require(actor=actor, perm=PERM, org=mediation.committee.org)
    if not mediation.terms:
        raise ServiceError("no_agreement", _("Draft the agreement before it is printed."), status=409)
    pdf = mediation_agreement_pdf(mediation)
    with transaction.atomic():
        _audit(actor, "agreement_printed", mediation, signed=mediation.status == MediationStatus.AGREED)
    return pdf


# --- the sweep ---------------------------------------------------------------------------------------------------


def mediations_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Warn the committee's union (and the mediator) a few days before the 15-day limit, and once it has passed
    without an agreement tell the parties they may apply for arbitration, with the limitation date.

    Run by the scheduler every hour; idempotent (warned_at and arbitration_told_at are the memory), and it
    catches up: after downtime a mediation whose limit passed meanwhile gets the arbitration notice (and no
    late warning) on the next run."""
    today = today or timezone.localdate()
    done = {"warned": 0, "told": 0}
    candidates = (
        Mediation.objects.filter(
            status=MediationStatus.OPEN,
            arbitration_told_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=MAX_WARN_DAYS),
        )
        .select_related("committee")
        .only("pk", "due_on", "warned_at", "arbitration_told_at", "committee__warn_days_before")
        .order_by("due_on", "pk")
    )
    for item in candidates.iterator(chunk_size=500):
        if not _action(item, today):
            continue
        with transaction.atomic():
            mediation = _locked(item)
            if mediation.status != MediationStatus.OPEN:
                continue
            action = _action(mediation, today)
            if action == "tell":
                _tell(mediation)
                done["told"] += 1
            elif action == "warn":
                _warn(mediation)
                done["warned"] += 1
    return done


def _action(mediation: Mediation, today: datetime.date) -> str:
    return rules.mediation_action(
        today=today,
        due_on=mediation.due_on,
        warn_days_before=mediation.committee.warn_days_before,
        warned=mediation.warned_at is not None,
        told=mediation.arbitration_told_at is not None,
    )


def _warn(mediation: Mediation) -> None:
    mediation.warned_at = timezone.now()
    mediation.save(update_fields=["warned_at"])
    text = str(_("Mediation %(number)s must reach an agreement by %(date)s")) % {
        "number": mediation.number,
        "date": mediation.due_on.isoformat(),
    }
    notify_org(mediation.committee.org, PERM, text, _console_url(mediation))
    if mediation.mediator is not None and mediation.mediator.user_id:
        notify_users([mediation.mediator.user_id], text, _console_url(mediation))
    _case_event(mediation, text, visible=False)
    log_action(
        actor="system",
        action="gonghui.rights.mediation.warned",
        obj=mediation,
        org_path=mediation.committee.org.path,
        data={"due_on": mediation.due_on.isoformat()},
    )


def _tell(mediation: Mediation) -> None:
    mediation.arbitration_told_at = timezone.now()
    mediation.save(update_fields=["arbitration_told_at"])
    text = arbitration_text(mediation)
    sent = _tell_parties(mediation, text)
    _case_event(mediation, text)
    notify_org(
        mediation.committee.org,
        PERM,
        str(_("Mediation %(number)s passed its 15-day limit without an agreement; the parties were told."))
        % {"number": mediation.number},
        _console_url(mediation),
    )
    log_action(
        actor="system",
        action="gonghui.rights.mediation.arbitration_told",
        obj=mediation,
        org_path=mediation.committee.org.path,
        data={"limitation_on": mediation.limitation_on.isoformat(), "sms": sent},
    )
