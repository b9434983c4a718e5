"""The legal-aid and mediation API (DOMAIN §4), two routers: `/rights/legal` (the lawyer roster and legal-aid
cases) and `/rights/mediation` (committees, mediators, mediations, the agreement and its PDF).

Cadres who may handle requests use it in their scope: an object outside it is a 404, a role that does not
allow handling a 403, as everywhere. Every write is one service call (rights/services/legal.py and
mediation.py); the 15-day limit and the limitation date come from rights/rules.py.
"""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_mobile
from gonghui.orgs.selectors import org_get
from gonghui.rights import selectors_legal as sel
from gonghui.rights import services
from gonghui.rights.models import (
    Lawyer,
    LegalAid,
    LegalAidEntry,
    LegalResult,
    LegalStage,
    Mediation,
    MediationCommittee,
    MediationStatus,
    Mediator,
)

from .member_schemas import OrgRef, money
from .rights_legal_schemas import (
    AgreementIn,
    AssignIn,
    CommitteeIn,
    CommitteeOut,
    CommitteeUpdateIn,
    EntryOut,
    LawyerCreateIn,
    LawyerIn,
    LawyerOut,
    LegalAidDetailOut,
    LegalAidOut,
    LegalCloseIn,
    LegalOpenIn,
    LegalRecordIn,
    MediationDetailOut,
    MediationIn,
    MediationOut,
    MediatorIn,
    MediatorOut,
    MediatorSetIn,
    NoteIn,
    PartyOut,
    SessionIn,
    SessionOut,
    SignIn,
    StageIn,
)

router = Router(tags=["legal aid"])
mediation_router = Router(tags=["mediation"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
PERM = "case.handle"


class _Mapped:
    """A query set that ninja's pagination slices and counts, whose rows become schemas only for the page."""

    def __init__(self, items: Any, convert: Any) -> None:
        self.items, self.convert = items, convert

    def __len__(self) -> int:
        return int(self.items.count())

    def __getitem__(self, window: slice) -> list[Any]:
        return [self.convert(row) for row in self.items[window]]


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- legal aid: output -------------------------------------------------------------------------------------------


def _lawyer_out(lawyer: Lawyer) -> LawyerOut:
    return LawyerOut(
        id=lawyer.pk,
        org=OrgRef(id=lawyer.org.pk, name=lawyer.org.name),
        name=lawyer.name,
        firm=lawyer.firm,
        phone=lawyer.phone,
        specialties=lawyer.specialties,
        active=lawyer.active,
    )


def _aid_fields(aid: LegalAid) -> dict[str, Any]:
    return {
        "id": aid.pk,
        "case_id": aid.case_id,
        "case_number": aid.case.number,
        "org": OrgRef(id=aid.case.org.pk, name=aid.case.org.name),
        "employer_name": aid.case.employer_name,
        "lawyer": _lawyer_out(aid.lawyer) if aid.lawyer else None,
        "stage": aid.stage,
        "stage_label": _label(LegalStage, aid.stage),
        "opened_at": aid.opened_at,
        "amount_claimed": money(aid.amount_claimed),
        "amount_recovered": money(aid.amount_recovered),
        "result": aid.result,
        "result_label": _label(LegalResult, aid.result) if aid.result else "",
        "closed_at": aid.closed_at,
    }


def _aid_detail(request: HttpRequest, aid_id: int) -> LegalAidDetailOut:
    aid = sel.legal_aid_get(actor=request.user, aid_id=aid_id)
    entries = [
        EntryOut(
            kind=e.kind,
            kind_label=_label(LegalAidEntry.Kind, e.kind),
            stage=e.stage,
            at=e.at,
            on_date=e.on_date,
            actor_name=e.actor.real_name if e.actor else None,
            note=e.note,
        )
        for e in sel.legal_aid_entries(aid=aid)
    ]
    return LegalAidDetailOut(**_aid_fields(aid), entries=entries)


def _usable_lawyer(aid: LegalAid, lawyer_id: int) -> Lawyer:
    lawyer = sel.lawyers_usable(org=aid.case.org, active_only=False).filter(pk=lawyer_id).first()
    if lawyer is None:
        raise ServiceError(
            "lawyer_not_allowed",
            _("Choose a lawyer on the roster of this union or a union above it."),
            field="lawyer_id",
        )
    return lawyer


# --- legal aid: the roster ----------------------------------------------------------------------------------------


@router.get("/lawyers", response={200: list[LawyerOut], **ERRORS}, summary="The lawyer roster of a union")
def lawyer_list(request: HttpRequest, org_id: int) -> Any:
    """The lawyers of the union and the unions below it that the caller manages, and those of the unions above
    it, which its requests may use too."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM)
    return [_lawyer_out(lw) for lw in sel.lawyer_roster(actor=request.user, org=org)]


@router.post("/lawyers", response={201: LawyerOut, **ERRORS}, summary="Add a lawyer to a roster")
def lawyer_add(request: HttpRequest, data: LawyerCreateIn) -> Any:
    org = org_get(actor=request.user, org_id=data.org_id, perm=PERM)
    lawyer = services.lawyer_add(
        actor=request.user,
        org=org,
        name=data.name,
        firm=data.firm,
        phone=data.phone,
        specialties=data.specialties,
    )
    return Status(201, _lawyer_out(lawyer))


@router.put("/lawyers/{lawyer_id}", response={200: LawyerOut, **ERRORS}, summary="Change a lawyer's details")
def lawyer_update(request: HttpRequest, lawyer_id: int, data: LawyerIn) -> Any:
    lawyer = sel.lawyer_get(actor=request.user, lawyer_id=lawyer_id)
    lawyer = services.lawyer_update(
        actor=request.user,
        lawyer=lawyer,
        name=data.name,
        firm=data.firm,
        phone=data.phone,
        specialties=data.specialties,
    )
    return _lawyer_out(lawyer)


@router.post(
    "/lawyers/{lawyer_id}/deactivate", response={200: LawyerOut, **ERRORS}, summary="Take off the roster"
)
def lawyer_deactivate(request: HttpRequest, lawyer_id: int) -> Any:
    """No new cases; the cases the lawyer already has keep them."""
    lawyer = sel.lawyer_get(actor=request.user, lawyer_id=lawyer_id)
    return _lawyer_out(services.lawyer_deactivate(actor=request.user, lawyer=lawyer))


@router.post(
    "/lawyers/{lawyer_id}/reactivate", response={200: LawyerOut, **ERRORS}, summary="Put back on the roster"
)
def lawyer_reactivate(request: HttpRequest, lawyer_id: int) -> Any:
    lawyer = sel.lawyer_get(actor=request.user, lawyer_id=lawyer_id)
    return _lawyer_out(services.lawyer_reactivate(actor=request.user, lawyer=lawyer))


# --- legal aid: cases --------------------------------------------------------------------------------------------


@router.get("/cases", response={200: list[LegalAidOut], **ERRORS}, summary="Legal-aid cases")
@paginate(LimitOffsetPagination)
def legal_aid_list(  # type: ignore[no-untyped-def]
    request: HttpRequest, org_id: int | None = None, status: str = "open", stage: str = "", q: str = ""
):
    """Cases of requests to the caller's unions (or `org_id`'s subtree): open first (`status` open, closed or
    empty for all), the newest first."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM) if org_id else None
    items = sel.legal_aid_list(actor=request.user, org=org, status=status, stage=stage, q=q[:60])
    return _Mapped(items, lambda aid: LegalAidOut(**_aid_fields(aid)))


@router.post("/cases", response={201: LegalAidDetailOut, **ERRORS}, summary="Turn a request into legal aid")
def legal_aid_open(request: HttpRequest, data: LegalOpenIn) -> Any:
    """One legal-aid case per request, at the consultation stage; the worker is told."""
    case = sel.case_for_legal(actor=request.user, case_id=data.case_id)
    lawyer = None
    if data.lawyer_id:
        lawyer = sel.lawyers_usable(org=case.org, active_only=False).filter(pk=data.lawyer_id).first()
        if lawyer is None:
            raise ServiceError(
                "lawyer_not_allowed",
                _("Choose a lawyer on the roster of this union or a union above it."),
                field="lawyer_id",
            )
    aid = services.legal_aid_open(
        actor=request.user, case=case, amount_claimed=data.amount_claimed, lawyer=lawyer, note=data.note
    )
    return Status(201, _aid_detail(request, aid.pk))


@router.get("/cases/{aid_id}", response={200: LegalAidDetailOut, **ERRORS}, summary="One legal-aid case")
def legal_aid_detail(request: HttpRequest, aid_id: int) -> Any:
    return _aid_detail(request, aid_id)


@router.post("/cases/{aid_id}/assign", response={200: LegalAidDetailOut, **ERRORS}, summary="Assign a lawyer")
def legal_aid_assign(request: HttpRequest, aid_id: int, data: AssignIn) -> Any:
    """From the roster of the request's union or of a union above it; the worker is told who represents them."""
    aid = sel.legal_aid_get(actor=request.user, aid_id=aid_id)
    services.legal_aid_assign(
        actor=request.user, aid=aid, lawyer=_usable_lawyer(aid, data.lawyer_id), note=data.note
    )
    return _aid_detail(request, aid_id)


@router.post(
    "/cases/{aid_id}/record", response={200: LegalAidDetailOut, **ERRORS}, summary="Add to the record"
)
def legal_aid_record(request: HttpRequest, aid_id: int, data: LegalRecordIn) -> Any:
    """A consultation, a document drafted, a hearing (which may lie ahead) or a note, with its date."""
    aid = sel.legal_aid_get(actor=request.user, aid_id=aid_id)
    services.legal_aid_record(
        actor=request.user, aid=aid, kind=data.kind, on_date=data.on_date, note=data.note
    )
    return _aid_detail(request, aid_id)


@router.post("/cases/{aid_id}/stage", response={200: LegalAidDetailOut, **ERRORS}, summary="Change the stage")
def legal_aid_stage(request: HttpRequest, aid_id: int, data: StageIn) -> Any:
    """Forward freely; back to an earlier stage only with a note."""
    aid = sel.legal_aid_get(actor=request.user, aid_id=aid_id)
    services.legal_aid_stage(actor=request.user, aid=aid, stage=data.stage, note=data.note)
    return _aid_detail(request, aid_id)


@router.post("/cases/{aid_id}/close", response={200: LegalAidDetailOut, **ERRORS}, summary="Conclude")
def legal_aid_close(request: HttpRequest, aid_id: int, data: LegalCloseIn) -> Any:
    """The result and the amount recovered (zero or more); the amount claimed may be corrected."""
    aid = sel.legal_aid_get(actor=request.user, aid_id=aid_id)
    services.legal_aid_close(
        actor=request.user,
        aid=aid,
        result=data.result,
        amount_recovered=data.amount_recovered,
        amount_claimed=data.amount_claimed,
        note=data.note,
    )
    return _aid_detail(request, aid_id)


# --- mediation: output ---------------------------------------------------------------------------------------------


def _mediator_out(mediator: Mediator) -> MediatorOut:
    return MediatorOut(id=mediator.pk, name=mediator.name, active=mediator.active)


def _committee_out(committee: MediationCommittee) -> CommitteeOut:
    return CommitteeOut(
        id=committee.pk,
        org=OrgRef(id=committee.org.pk, name=committee.org.name),
        name=committee.name,
        kind=committee.kind,
        kind_label=_label(MediationCommittee.Kind, committee.kind),
        warn_days_before=committee.warn_days_before,
        active=committee.active,
        mediators=[_mediator_out(m) for m in sel.mediators_of(committee=committee)],
    )


def _mediation_fields(m: Mediation, today: datetime.date) -> dict[str, Any]:
    return {
        "id": m.pk,
        "number": m.number,
        "committee": OrgRef(id=m.committee.pk, name=m.committee.name),
        "org": OrgRef(id=m.committee.org.pk, name=m.committee.org.name),
        "case_id": m.case_id,
        "mediator": _mediator_out(m.mediator) if m.mediator else None,
        "status": m.status,
        "status_label": _label(MediationStatus, m.status),
        "received_on": m.received_on,
        "due_on": m.due_on,
        "days_left": sel.days_left(m, today),
        "known_on": m.known_on,
        "limitation_on": m.limitation_on,
        "warned_at": m.warned_at,
        "arbitration_told_at": m.arbitration_told_at,
        "ended_at": m.ended_at,
    }


def _mediation_detail(request: HttpRequest, mediation_id: int) -> MediationDetailOut:
    m = sel.mediation_get(actor=request.user, mediation_id=mediation_id)
    told = m.status == MediationStatus.FAILED or m.arbitration_told_at is not None
    return MediationDetailOut(
        **_mediation_fields(m, timezone.localdate()),
        subject=m.subject,
        parties=[
            PartyOut(
                side=p.side,
                name=p.name,
                uscc=p.uscc,
                representative=p.representative,
                phone_masked=mask_mobile(p.phone) if len(p.phone) == 11 else p.phone,
            )
            for p in sel.mediation_parties(mediation=m)
        ],
        sessions=[
            SessionOut(held_on=s.held_on, place=s.place, notes=s.notes, recorded_by=s.recorded_by.real_name)
            for s in sel.mediation_sessions(mediation=m)
        ],
        terms=m.terms,
        amount=money(m.amount) or "0.00",
        agreed_on=m.agreed_on,
        worker_signed_at=m.worker_signed_at,
        employer_signed_at=m.employer_signed_at,
        mediator_signed_at=m.mediator_signed_at,
        end_note=m.end_note,
        arbitration_notice=services.arbitration_text(m) if told else None,
    )


# --- mediation: committees and mediators ---------------------------------------------------------------------


@mediation_router.get(
    "/committees", response={200: list[CommitteeOut], **ERRORS}, summary="Mediation committees"
)
def committee_list(request: HttpRequest, org_id: int) -> Any:
    """Committees of the union's subtree, with their mediators."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM)
    return [_committee_out(c) for c in sel.committees_in(actor=request.user, org=org)]


@mediation_router.post("/committees", response={201: CommitteeOut, **ERRORS}, summary="Add a committee")
def committee_add(request: HttpRequest, data: CommitteeIn) -> Any:
    org = org_get(actor=request.user, org_id=data.org_id, perm=PERM)
    committee = services.committee_add(
        actor=request.user, org=org, name=data.name, kind=data.kind, warn_days_before=data.warn_days_before
    )
    return Status(201, _committee_out(committee))


@mediation_router.put(
    "/committees/{committee_id}", response={200: CommitteeOut, **ERRORS}, summary="Change a committee"
)
def committee_update(request: HttpRequest, committee_id: int, data: CommitteeUpdateIn) -> Any:
    committee = sel.committee_get(actor=request.user, committee_id=committee_id)
    committee = services.committee_update(
        actor=request.user,
        committee=committee,
        name=data.name,
        warn_days_before=data.warn_days_before,
        active=data.active,
    )
    return _committee_out(committee)


@mediation_router.post(
    "/committees/{committee_id}/mediators", response={201: MediatorOut, **ERRORS}, summary="Add a mediator"
)
def mediator_add(request: HttpRequest, committee_id: int, data: MediatorIn) -> Any:
    committee = sel.committee_get(actor=request.user, committee_id=committee_id)
    return Status(
        201, _mediator_out(services.mediator_add(actor=request.user, committee=committee, name=data.name))
    )


@mediation_router.post(
    "/mediators/{mediator_id}/deactivate", response={200: MediatorOut, **ERRORS}, summary="A mediator stops"
)
def mediator_deactivate(request: HttpRequest, mediator_id: int) -> Any:
    mediator = sel.mediator_get(actor=request.user, mediator_id=mediator_id)
    return _mediator_out(services.mediator_deactivate(actor=request.user, mediator=mediator))


# --- mediation: mediations -----------------------------------------------------------------------------------------


@mediation_router.get("/mediations", response={200: list[MediationOut], **ERRORS}, summary="Mediations")
@paginate(LimitOffsetPagination)
def mediation_list(  # type: ignore[no-untyped-def]
    request: HttpRequest, org_id: int | None = None, status: str = "open", q: str = ""
):
    """Mediations at the committees of the caller's unions (or `org_id`'s subtree): open first, the nearest
    15-day limit first. `status`: open, overdue, soon, agreed, failed, withdrawn or all."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM) if org_id else None
    today = timezone.localdate()
    items = sel.mediation_list(actor=request.user, org=org, status=status, q=q[:60], today=today)
    return _Mapped(items, lambda m: MediationOut(**_mediation_fields(m, today)))


@mediation_router.post(
    "/mediations", response={201: MediationDetailOut, **ERRORS}, summary="Record an application"
)
def mediation_open(request: HttpRequest, data: MediationIn) -> Any:
    """An application received by a committee (today by default, never in the future), with at least one
    worker and one employer. The 15-day limit and the arbitration limitation date are computed from
    received_on and known_on."""
    committee = sel.committee_get(actor=request.user, committee_id=data.committee_id)
    case = sel.case_for_legal(actor=request.user, case_id=data.case_id) if data.case_id else None
    mediator = None
    if data.mediator_id:
        mediator = sel.mediators_of(committee=committee).filter(pk=data.mediator_id).first()
        if mediator is None:
            raise ServiceError(
                "mediator_not_allowed", _("Choose an active mediator of this committee."), field="mediator_id"
            )
    mediation = services.mediation_open(
        actor=request.user,
        committee=committee,
        subject=data.subject,
        parties=[
            services.PartyInput(
                side=p.side, name=p.name, uscc=p.uscc, representative=p.representative, phone=p.phone
            )
            for p in data.parties
        ],
        known_on=data.known_on,
        received_on=data.received_on,
        case=case,
        mediator=mediator,
    )
    return Status(201, _mediation_detail(request, mediation.pk))


@mediation_router.get(
    "/mediations/{mediation_id}", response={200: MediationDetailOut, **ERRORS}, summary="One mediation"
)
def mediation_detail(request: HttpRequest, mediation_id: int) -> Any:
    return _mediation_detail(request, mediation_id)


def _mediation(request: HttpRequest, mediation_id: int) -> Mediation:
    return sel.mediation_get(actor=request.user, mediation_id=mediation_id)


@mediation_router.post(
    "/mediations/{mediation_id}/mediator",
    response={200: MediationDetailOut, **ERRORS},
    summary="Name the mediator",
)
def mediation_mediator(request: HttpRequest, mediation_id: int, data: MediatorSetIn) -> Any:
    m = _mediation(request, mediation_id)
    mediator = sel.mediators_of(committee=m.committee).filter(pk=data.mediator_id).first()
    if mediator is None:
        raise ServiceError(
            "mediator_not_allowed", _("Choose an active mediator of this committee."), field="mediator_id"
        )
    services.mediation_mediator_set(actor=request.user, mediation=m, mediator=mediator)
    return _mediation_detail(request, mediation_id)


@mediation_router.post(
    "/mediations/{mediation_id}/sessions",
    response={201: MediationDetailOut, **ERRORS},
    summary="Record a session",
)
def mediation_session(request: HttpRequest, mediation_id: int, data: SessionIn) -> Any:
    m = _mediation(request, mediation_id)
    services.mediation_session_add(
        actor=request.user, mediation=m, held_on=data.held_on, place=data.place, notes=data.notes
    )
    return Status(201, _mediation_detail(request, mediation_id))


@mediation_router.put(
    "/mediations/{mediation_id}/agreement",
    response={200: MediationDetailOut, **ERRORS},
    summary="Draft the agreement",
)
def mediation_agree(request: HttpRequest, mediation_id: int, data: AgreementIn) -> Any:
    """The terms and the amount; new terms clear any signature already given."""
    m = _mediation(request, mediation_id)
    services.mediation_agree(actor=request.user, mediation=m, terms=data.terms, amount=data.amount)
    return _mediation_detail(request, mediation_id)


@mediation_router.post(
    "/mediations/{mediation_id}/sign",
    response={200: MediationDetailOut, **ERRORS},
    summary="Record a signature",
)
def mediation_sign(request: HttpRequest, mediation_id: int, data: SignIn) -> Any:
    """The worker, the employer or the mediator signed the printed agreement; with the third signature it takes
    effect (status agreed) and binds both parties."""
    m = _mediation(request, mediation_id)
    services.mediation_sign(actor=request.user, mediation=m, signer=data.signer)
    return _mediation_detail(request, mediation_id)


@mediation_router.post(
    "/mediations/{mediation_id}/fail",
    response={200: MediationDetailOut, **ERRORS},
    summary="End without agreement",
)
def mediation_fail(request: HttpRequest, mediation_id: int, data: NoteIn) -> Any:
    """The parties are told by SMS that they may apply for labour arbitration, and by when."""
    m = _mediation(request, mediation_id)
    services.mediation_fail(actor=request.user, mediation=m, note=data.note)
    return _mediation_detail(request, mediation_id)


@mediation_router.post(
    "/mediations/{mediation_id}/withdraw", response={200: MediationDetailOut, **ERRORS}, summary="Withdrawn"
)
def mediation_withdraw(request: HttpRequest, mediation_id: int, data: NoteIn) -> Any:
    m = _mediation(request, mediation_id)
    services.mediation_withdraw(actor=request.user, mediation=m, note=data.note)
    return _mediation_detail(request, mediation_id)


@mediation_router.get(
    "/mediations/{mediation_id}/agreement.pdf",
    response={200: bytes, **ERRORS},
    summary="The agreement as a PDF",
)
def mediation_pdf(request: HttpRequest, mediation_id: int) -> Any:
    """A4, to print and sign; a copy printed after signing shows the signed dates. The print is audited."""
    m = _mediation(request, mediation_id)
    pdf = services.mediation_agreement_print(actor=request.user, mediation=m)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="mediation-agreement-{m.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
