"""Writes of legal aid (法律援助, DOMAIN §4): the lawyer roster of a union, and a request that becomes a legal-aid
case with an assigned lawyer, a record of consultations, drafting and hearings, the stages of representation
(arbitration, first and second instance, enforcement), and a result with the amount recovered.

A roster belongs to a union and serves the unions below it: a request may be given a lawyer from its own
union's roster or from any union above it. Every step checks the permission and the state under a row lock,
writes a `LegalAidEntry` (and a `CaseEvent` the worker reads where it concerns them), logs an audit record
`gonghui.rights.legal_aid.*` and tells the worker after commit.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.orgs.models import Org
from gonghui.orgs.paths import is_within
from gonghui.orgs.services import require

from ..models import Case, CaseEvent, Lawyer, LegalAid, LegalAidEntry, LegalResult, LegalStage, Outcome
from .cases import PERM, _event, _tell_worker

# The stages in the order a case moves through them. Labour disputes go to arbitration before a court
# (Labour Dispute Mediation and Arbitration Law art. 5, 仲裁前置), then first and second instance, then
# enforcement of the award or judgment. A case may skip stages forward (it may arrive already at court).
STAGE_ORDER: tuple[str, ...] = (
    LegalStage.CONSULTATION,
    LegalStage.ARBITRATION,
    LegalStage.FIRST_INSTANCE,
    LegalStage.SECOND_INSTANCE,
    LegalStage.ENFORCEMENT,
)
RECORD_KINDS: tuple[str, ...] = (
    LegalAidEntry.Kind.CONSULTATION,
    LegalAidEntry.Kind.DRAFTING,
    LegalAidEntry.Kind.HEARING,
    LegalAidEntry.Kind.NOTE,
)
MAX_AMOUNT = Decimal("9999999999.99")  # what the DecimalField(max_digits=12, decimal_places=2) holds
# A hearing may be entered ahead of its date (the worker is told when to come); other entries record the past.
HEARING_AHEAD_DAYS = 366
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


# --- helpers ---------------------------------------------------------------------------------------------------


def clean_amount(value: Any, *, field: str) -> Decimal:
    """A sum of money in yuan with at most two decimals, from 0 up to what the database holds."""
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError("invalid_amount", _("Give an amount in yuan."), field=field) from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ServiceError("invalid_amount", _("Give an amount in yuan, zero or more."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ServiceError("invalid_amount", _("Give the amount to the fen at most."), field=field)
    return amount.quantize(Decimal("0.01"))


def _clean_text(value: str, *, field: str, limit: int, required: bool, code: str = "text_required") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ServiceError(code, _("This field is required."), field=field)
    if len(text) > limit:
        raise ServiceError("text_long", _("Keep it under %(n)s characters.") % {"n": limit}, field=field)
    return text


def _lawyer_fields(*, name: str, firm: str, phone: str, specialties: str) -> dict[str, str]:
    name = _clean_text(name, field="name", limit=50, required=True, code="name_required")
    phone = (phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise ServiceError("invalid_phone", _("Give a phone number of digits."), field="phone")
    return {
        "name": name,
        "firm": _clean_text(firm, field="firm", limit=120, required=False),
        "phone": phone,
        "specialties": _clean_text(specialties, field="specialties", limit=200, required=False),
    }


def lawyer_usable_for(lawyer: Lawyer, org: Org) -> bool:
    """A lawyer on the roster of `org` itself or of a union above it, still on the roster."""
    return lawyer.active and is_within(org.path, lawyer.org.path)


def _locked_aid(aid: LegalAid) -> LegalAid:
    # Lock only the legal-aid row: the lawyer is a nullable join, which PostgreSQL cannot lock.
    return (
        LegalAid.objects.select_for_update(of=("self",))
        .select_related("case", "case__org", "lawyer", "lawyer__org")
        .get(pk=aid.pk)
    )


def _require_open_aid(aid: LegalAid) -> None:
    if aid.closed_at is not None:
        raise ServiceError("legal_aid_closed", _("This legal-aid case is closed."), status=409)


def _entry(
    aid: LegalAid, kind: str, *, actor: Any, note: str = "", on_date: datetime.date | None = None
) -> LegalAidEntry:
    return LegalAidEntry.objects.create(
        aid=aid,
        kind=kind,
        stage=aid.stage,
        at=timezone.now(),
        on_date=on_date,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:5000],
    )


def _audit(actor: Any, action: str, aid: LegalAid, **data: Any) -> None:
    log_action(
        actor=actor,
        action=f"gonghui.rights.legal_aid.{action}",
        obj=aid,
        org_path=aid.case.org.path,
        data={"case": aid.case_id, **data},
    )


def _lawyer_text(lawyer: Lawyer) -> str:
    return f"{lawyer.name}（{lawyer.firm}）" if lawyer.firm else lawyer.name


# --- the roster -------------------------------------------------------------------------------------------------


def lawyer_add(
    *, actor: Any, org: Org, name: str, firm: str = "", phone: str = "", specialties: str = ""
) -> Lawyer:
    """Put a lawyer on the union's roster; the unions below it may assign them too."""
    require(actor=actor, perm=PERM, org=org)
    fields = _lawyer_fields(name=name, firm=firm, phone=phone, specialties=specialties)
    with transaction.atomic():
        lawyer = Lawyer.objects.create(org=org, **fields)
        log_action(actor=actor, action="gonghui.rights.legal_aid.lawyer_added", obj=lawyer, org_path=org.path)
    return lawyer


def lawyer_update(
    *, actor: Any, lawyer: Lawyer, name: str, firm: str = "", phone: str = "", specialties: str = ""
) -> Lawyer:
    require(actor=actor, perm=PERM, org=lawyer.org)
    fields = _lawyer_fields(name=name, firm=firm, phone=phone, specialties=specialties)
    with transaction.atomic():
        lawyer = Lawyer.objects.select_for_update().select_related("org").get(pk=lawyer.pk)
        changed = sorted(k for k, v in fields.items() if getattr(lawyer, k) != v)
        for key, value in fields.items():
            setattr(lawyer, key, value)
        lawyer.save(update_fields=list(fields))
        log_action(
            actor=actor,
            action="gonghui.rights.legal_aid.lawyer_updated",
            obj=lawyer,
            org_path=lawyer.org.path,
            data={"changed": changed},
        )
    return lawyer


def lawyer_deactivate(*, actor: Any, lawyer: Lawyer) -> Lawyer:
    """Take a lawyer off the roster: no new assignments; the cases they already have keep them."""
    return _lawyer_set_active(actor=actor, lawyer=lawyer, active=False)


def lawyer_reactivate(*, actor: Any, lawyer: Lawyer) -> Lawyer:
    return _lawyer_set_active(actor=actor, lawyer=lawyer, active=True)


def _lawyer_set_active(*, actor: Any, lawyer: Lawyer, active: bool) -> Lawyer:
    require(actor=actor, perm=PERM, org=lawyer.org)
    with transaction.atomic():
        lawyer = Lawyer.objects.select_for_update().select_related("org").get(pk=lawyer.pk)
        if lawyer.active == active:
            return lawyer
        lawyer.active = active
        lawyer.save(update_fields=["active"])
        log_action(
            actor=actor,
            action=f"gonghui.rights.legal_aid.lawyer_{'reactivated' if active else 'deactivated'}",
            obj=lawyer,
            org_path=lawyer.org.path,
        )
    return lawyer


# --- the case ---------------------------------------------------------------------------------------------------


def legal_aid_open(
    *,
    actor: Any,
    case: Case,
    amount_claimed: Any = 0,
    lawyer: Lawyer | None = None,
    note: str = "",
) -> LegalAid:
    """A request becomes a legal-aid case (one per request), at the consultation stage; optionally with its
    lawyer at once. Any case handler of the request's union may do it: the legal department of a union is not
    always the person who took the request on. A withdrawn request cannot become one."""
    require(actor=actor, perm=PERM, org=case.org)
    claimed = clean_amount(amount_claimed, field="amount_claimed")
    note = _clean_text(note, field="note", limit=2000, required=False)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("org").get(pk=case.pk)
        require(actor=actor, perm=PERM, org=case.org)
        if case.outcome == Outcome.WITHDRAWN:
            raise ServiceError("case_withdrawn", _("The worker withdrew this request."), status=409)
        if LegalAid.objects.filter(case=case).exists():
            raise ServiceError("legal_aid_exists", _("This request is already a legal-aid case."), status=409)
        aid = LegalAid.objects.create(case=case, opened_by=actor, amount_claimed=claimed)
        aid.case = case
        _entry(aid, LegalAidEntry.Kind.STAGE, actor=actor, note=note or str(_("Legal aid opened.")))
        _event(
            case,
            CaseEvent.Kind.LEGAL_AID,
            actor=actor,
            note=str(
                _("The request became a legal-aid case: the union's lawyers will advise and represent you.")
            ),
        )
        _tell_worker(
            case,
            str(_("Your request %(number)s became a legal-aid case at %(org)s."))
            % {"number": case.number, "org": case.org.name},
        )
        _audit(actor, "opened", aid, amount_claimed=str(claimed))
        if lawyer is not None:
            _assign(actor, aid, lawyer, note="")
    return aid


def legal_aid_assign(*, actor: Any, aid: LegalAid, lawyer: Lawyer, note: str = "") -> LegalAid:
    """Give the case a lawyer from a roster the request's union may use (its own or a union's above it), or
    change the lawyer; the worker is told who represents them."""
    note = _clean_text(note, field="note", limit=2000, required=False)
    with transaction.atomic():
        aid = _locked_aid(aid)
        require(actor=actor, perm=PERM, org=aid.case.org)
        _require_open_aid(aid)
        _assign(actor, aid, lawyer, note=note)
    return aid


def _assign(actor: Any, aid: LegalAid, lawyer: Lawyer, *, note: str) -> None:
    lawyer = Lawyer.objects.select_related("org").get(pk=lawyer.pk)
    if not lawyer_usable_for(lawyer, aid.case.org):
        raise ServiceError(
            "lawyer_not_allowed",
            _("Choose a lawyer on the roster of this union or a union above it."),
            field="lawyer",
        )
    if aid.lawyer_id == lawyer.pk:
        raise ServiceError("same_lawyer", _("This lawyer already has the case."), field="lawyer")
    before = aid.lawyer
    aid.lawyer = lawyer
    aid.save(update_fields=["lawyer"])
    text = _lawyer_text(lawyer)
    if before is not None:
        text = str(_("%(before)s replaced by %(after)s")) % {"before": _lawyer_text(before), "after": text}
    _entry(aid, LegalAidEntry.Kind.LAWYER, actor=actor, note=f"{text}: {note}" if note else text)
    _event(
        aid.case,
        CaseEvent.Kind.LEGAL_AID,
        actor=actor,
        note=str(_("Your lawyer: %(lawyer)s")) % {"lawyer": _lawyer_text(lawyer)},
    )
    _tell_worker(
        aid.case,
        str(_("Legal aid for request %(number)s: your lawyer is %(lawyer)s."))
        % {"number": aid.case.number, "lawyer": _lawyer_text(lawyer)},
    )
    _audit(actor, "assigned", aid, lawyer=lawyer.pk, before=getattr(before, "pk", None))


def legal_aid_record(
    *, actor: Any, aid: LegalAid, kind: str, on_date: datetime.date, note: str
) -> LegalAidEntry:
    """Add to the record: a consultation, a document drafted, a hearing or a note, with the day it happened.
    A hearing may be entered ahead of its day, and the worker is told when it is."""
    if kind not in RECORD_KINDS:
        raise ServiceError("invalid_kind", _("Unknown kind of entry."), field="kind")
    note = _clean_text(note, field="note", limit=5000, required=True)
    if not isinstance(on_date, datetime.date):
        raise ServiceError("date_required", _("Give the date."), field="on_date")
    today = timezone.localdate()
    latest = (
        today + datetime.timedelta(days=HEARING_AHEAD_DAYS) if kind == LegalAidEntry.Kind.HEARING else today
    )
    if on_date > latest:
        raise ServiceError("date_in_future", _("The date cannot be in the future."), field="on_date")
    with transaction.atomic():
        aid = _locked_aid(aid)
        require(actor=actor, perm=PERM, org=aid.case.org)
        _require_open_aid(aid)
        if on_date < timezone.localdate(aid.opened_at) - datetime.timedelta(days=366):
            raise ServiceError(
                "date_too_early", _("The date is long before the case was opened."), field="on_date"
            )
        entry = _entry(aid, kind, actor=actor, note=note, on_date=on_date)
        if kind == LegalAidEntry.Kind.HEARING:
            _event(
                aid.case,
                CaseEvent.Kind.LEGAL_AID,
                actor=actor,
                note=str(_("Hearing (%(stage)s) on %(date)s"))
                % {"stage": aid.get_stage_display(), "date": on_date.isoformat()},
            )
            if on_date >= today:
                _tell_worker(
                    aid.case,
                    str(
                        _(
                            "Request %(number)s: a hearing is set for %(date)s; your lawyer will tell you more."
                        )
                    )
                    % {"number": aid.case.number, "date": on_date.isoformat()},
                )
        _audit(actor, f"recorded.{kind}", aid, on_date=on_date.isoformat())
    return entry


def legal_aid_stage(
    *, actor: Any, aid: LegalAid, stage: str, note: str = "", on_date: datetime.date | None = None
) -> LegalAid:
    """Move the case to another stage of representation. Forward (skipping stages is allowed: a case may come
    to the union already in court); back only with a note saying why (a case sent back to a lower court, or a
    stage entered by mistake)."""
    if stage not in STAGE_ORDER:
        raise ServiceError("invalid_stage", _("Choose a stage."), field="stage")
    note = _clean_text(note, field="note", limit=2000, required=False)
    with transaction.atomic():
        aid = _locked_aid(aid)
        require(actor=actor, perm=PERM, org=aid.case.org)
        _require_open_aid(aid)
        if stage == aid.stage:
            raise ServiceError("same_stage", _("The case is already at this stage."), field="stage")
        back = STAGE_ORDER.index(stage) < STAGE_ORDER.index(aid.stage)
        if back and not note:
            raise ServiceError(
                "note_required", _("Say why the case goes back to an earlier stage."), field="note"
            )
        before = aid.stage
        aid.stage = stage
        aid.save(update_fields=["stage"])
        text = str(_("%(before)s → %(after)s")) % {
            "before": LegalStage(before).label,
            "after": LegalStage(stage).label,
        }
        _entry(
            aid,
            LegalAidEntry.Kind.STAGE,
            actor=actor,
            note=f"{text}: {note}" if note else text,
            on_date=on_date,
        )
        _event(
            aid.case,
            CaseEvent.Kind.LEGAL_AID,
            actor=actor,
            note=str(_("Legal aid is now at the stage: %(stage)s")) % {"stage": LegalStage(stage).label},
        )
        _tell_worker(
            aid.case,
            str(_("Legal aid for request %(number)s is now at the stage: %(stage)s"))
            % {"number": aid.case.number, "stage": LegalStage(stage).label},
        )
        _audit(actor, "staged", aid, before=before, after=stage, back=back)
    return aid


def legal_aid_close(
    *,
    actor: Any,
    aid: LegalAid,
    result: str,
    amount_recovered: Any,
    amount_claimed: Any = None,
    note: str = "",
) -> LegalAid:
    """Conclude with the result and the amount recovered for the worker (zero or more; it may exceed the claim,
    with interest or the double wages of Labour Contract Law art. 82). The claim may be corrected at the end."""
    if result not in LegalResult.values:
        raise ServiceError("invalid_result", _("Choose the result."), field="result")
    recovered = clean_amount(amount_recovered, field="amount_recovered")
    claimed = (
        clean_amount(amount_claimed, field="amount_claimed") if amount_claimed not in (None, "") else None
    )
    note = _clean_text(note, field="note", limit=2000, required=False)
    with transaction.atomic():
        aid = _locked_aid(aid)
        require(actor=actor, perm=PERM, org=aid.case.org)
        _require_open_aid(aid)
        aid.result = result
        aid.amount_recovered = recovered
        if claimed is not None:
            aid.amount_claimed = claimed
        aid.closed_at = timezone.now()
        aid.save(update_fields=["result", "amount_recovered", "amount_claimed", "closed_at"])
        summary = str(_("%(result)s; recovered ¥%(amount)s")) % {
            "result": LegalResult(result).label,
            "amount": f"{recovered:,.2f}",
        }
        _entry(aid, LegalAidEntry.Kind.RESULT, actor=actor, note=f"{summary}. {note}" if note else summary)
        _event(
            aid.case,
            CaseEvent.Kind.LEGAL_AID,
            actor=actor,
            note=str(_("Legal aid concluded: %(summary)s")) % {"summary": summary},
        )
        _tell_worker(
            aid.case,
            str(_("Legal aid for request %(number)s concluded: %(summary)s"))
            % {"number": aid.case.number, "summary": summary},
        )
        _audit(
            actor,
            "closed",
            aid,
            result=result,
            amount_recovered=str(recovered),
            amount_claimed=str(aid.amount_claimed),
        )
    return aid
