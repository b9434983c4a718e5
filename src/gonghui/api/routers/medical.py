"""The mutual medical aid API (DOMAIN §5).

A member reads their cover, enrols during the window and claims with documents (multipart). A cadre of a
union works its subtree: plans (province or city), bulk enrolment, the claims queue, review and payment, and the
roll-up. Outside scope is a 404, a role without medical.manage a 403 on writes.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.api.scope import union_or_top
from gonghui.core.errors import ServiceError
from gonghui.medical import selectors, services
from gonghui.medical.models import Claim
from gonghui.orgs.models import Org

from .medical_schemas import (
    ApproveIn,
    ClaimDetailOut,
    ClaimOut,
    CoverOut,
    DocumentOut,
    EnrolIn,
    EnrolmentOut,
    EnrolResultOut,
    EventOut,
    MineOut,
    PayIn,
    PlanIn,
    PlanOut,
    ProblemOut,
    ReasonIn,
    SelfEnrolIn,
    StatsOut,
    UnionStatsOut,
    YearPaidOut,
)
from .member_schemas import OrgRef

router = Router(tags=["medical"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW, MANAGE = selectors.VIEW, selectors.MANAGE


def _org(request: HttpRequest, org_id: int | None, perm: str = VIEW) -> Org:
    return union_or_top(request, org_id, perm)


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


def _detail(claim: Claim) -> ClaimDetailOut:
    out = ClaimDetailOut.from_orm(claim)
    out.documents = [DocumentOut.from_orm(d) for d in selectors.claim_documents(claim=claim)]
    out.events = [EventOut.from_orm(e) for e in selectors.claim_events(claim=claim)]
    return out


def _claim_input(
    kind: str,
    event_on: datetime.date,
    hospital: str,
    discharged_on: datetime.date | None,
    total_amount: Decimal | None,
    insurance_amount: Decimal | None,
    out_of_pocket: Decimal | None,
    item_code: str,
) -> services.ClaimInput:
    return services.ClaimInput(
        kind=kind,
        event_on=event_on,
        hospital=hospital,
        discharged_on=discharged_on,
        total_amount=total_amount or Decimal(0),
        insurance_amount=insurance_amount or Decimal(0),
        out_of_pocket=out_of_pocket or Decimal(0),
        item_code=item_code,
    )


# --- the member --------------------------------------------------------------------------------------------------


@router.get("/mine", response=MineOut, summary="My cover and claims")
def mine(request: HttpRequest) -> Any:
    year = timezone.localdate().year
    member = selectors.own_member(user=request.user)
    cover = selectors.own_accident_cover(member=member, year=year) if member else None
    return {
        "member_number": member.number if member else None,
        "year": year,
        "plans": selectors.plans_for(member.org, year) if member else [],
        "enrolment": selectors.own_enrolment(member=member, year=year) if member else None,
        "accident_cover": CoverOut.from_orm(cover) if cover else None,
        "claims": list(selectors.own_claims(user=request.user).select_related("member", "org")[:100]),
    }


@router.post("/mine/enrol", response={201: EnrolmentOut, **ERRORS}, summary="Enrol myself")
def enrol_self(request: HttpRequest, data: SelfEnrolIn) -> Any:
    """During the enrolment window; the payment is recorded with its reference (no payment gateway)."""
    enrolment = services.enrol_self(user=request.user, plan_code=data.plan_code, payment_ref=data.payment_ref)
    return Status(201, enrolment)


@router.post("/mine/claims", response={201: ClaimDetailOut, **ERRORS, 413: ErrorOut}, summary="Make a claim")
def claim_submit_own(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    event_on: Form[datetime.date],
    hospital: Form[str],
    discharged_on: Form[datetime.date | None] = None,
    total_amount: Form[Decimal | None] = None,
    insurance_amount: Form[Decimal | None] = None,
    out_of_pocket: Form[Decimal | None] = None,
    item_code: Form[str] = "",
    document_kind: Form[str] = "invoice",
) -> Any:
    """hospital (with discharge date and amounts), illness or accident (with item_code from the plan's list),
    and one document; add more at /mine/claims/{id}/documents."""
    member = selectors.own_member(user=request.user)
    if member is None:
        raise ServiceError("not_member", _("Only members may claim."), status=403)
    data = _claim_input(
        kind, event_on, hospital, discharged_on, total_amount, insurance_amount, out_of_pocket, item_code
    )
    claim = services.claim_submit(
        actor=request.user, member=member, data=data, documents=[(document_kind, file)]
    )
    return Status(201, _detail(claim))


@router.get("/mine/claims/{claim_id}", response={200: ClaimDetailOut, **ERRORS}, summary="One of my claims")
def own_claim(request: HttpRequest, claim_id: int) -> Any:
    return _detail(selectors.own_claim_get(user=request.user, claim_id=claim_id))


@router.post(
    "/mine/claims/{claim_id}/documents",
    response={201: ClaimDetailOut, **ERRORS, 413: ErrorOut},
    summary="Add a document to my claim",
)
def own_claim_document(
    request: HttpRequest, claim_id: int, file: File[UploadedFile], kind: Form[str] = "other"
) -> Any:
    claim = selectors.own_claim_get(user=request.user, claim_id=claim_id)
    return Status(
        201, _detail(services.claim_add_documents(actor=request.user, claim=claim, documents=[(kind, file)]))
    )


# --- plans and enrolment -----------------------------------------------------------------------------------


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, summary="Plans in force")
def plans(request: HttpRequest, org_id: int | None = None, year: int | None = None) -> Any:
    """The plans of the year in force at a union: its own or the nearest union's above it."""
    return selectors.plans_for(_org(request, org_id), _year(year))


@router.put("/plans", response={200: PlanOut, **ERRORS}, summary="Set a plan")
def plan_set(request: HttpRequest, data: PlanIn) -> Any:
    """A province or city federation sets a plan for a year (created or changed by org, year and code)."""
    org = _org(request, data.org_id, MANAGE)
    fields = data.dict(exclude={"org_id"})
    return services.plan_set(actor=request.user, org=org, data=services.PlanInput(**fields))


@router.get("/enrolments", response={200: list[EnrolmentOut], **ERRORS}, summary="Enrolments")
@paginate(LimitOffsetPagination)
def enrolments(  # type: ignore[no-untyped-def]
    request: HttpRequest, org_id: int | None = None, year: int | None = None, q: str = ""
):
    return selectors.enrolments(actor=request.user, org=_org(request, org_id), year=_year(year), q=q[:40])


@router.post("/enrolments", response={200: EnrolResultOut, **ERRORS}, summary="Enrol the unit's members")
def enrol(request: HttpRequest, data: EnrolIn) -> Any:
    """Every live member of the union (numbers null) or the listed member numbers; each bad entry is reported
    with its position. Running it again enrols only those not yet enrolled."""
    org = _org(request, data.org_id, MANAGE)
    numbers = None if data.numbers is None else list(enumerate(data.numbers, start=1))
    result = services.enrol_members(
        actor=request.user,
        org=org,
        year=data.year,
        numbers=numbers,
        plan_code=data.plan_code,
        payment_ref=data.payment_ref,
    )
    return EnrolResultOut(
        created=result.created,
        already=result.already,
        problems=[ProblemOut(row=r, number=n, message=str(m)) for r, n, m in result.problems],
    )


# --- claims --------------------------------------------------------------------------------------------------


@router.get("/claims", response={200: list[ClaimOut], **ERRORS}, summary="Claims to handle")
@paginate(LimitOffsetPagination)
def claims(  # type: ignore[no-untyped-def]
    request: HttpRequest, org_id: int | None = None, status: str = "open", kind: str = ""
):
    """ "open" (default: submitted or waiting for documents), a status, or empty for every claim."""
    return selectors.claim_queue(actor=request.user, org=_org(request, org_id), status=status, kind=kind)


@router.post("/claims", response={201: ClaimDetailOut, **ERRORS, 413: ErrorOut}, summary="Claim for a member")
def claim_submit_for(
    request: HttpRequest,
    file: File[UploadedFile],
    org_id: Form[int],
    member_number: Form[str],
    kind: Form[str],
    event_on: Form[datetime.date],
    hospital: Form[str],
    discharged_on: Form[datetime.date | None] = None,
    total_amount: Form[Decimal | None] = None,
    insurance_amount: Form[Decimal | None] = None,
    out_of_pocket: Form[Decimal | None] = None,
    item_code: Form[str] = "",
    document_kind: Form[str] = "invoice",
) -> Any:
    org = _org(request, org_id, MANAGE)
    member = selectors.member_by_number(org=org, number=member_number)
    if member is None:
        raise ServiceError("unknown_member", _("No such member in this union."), field="member_number")
    data = _claim_input(
        kind, event_on, hospital, discharged_on, total_amount, insurance_amount, out_of_pocket, item_code
    )
    claim = services.claim_submit(
        actor=request.user, member=member, data=data, documents=[(document_kind, file)]
    )
    return Status(201, _detail(claim))


@router.get("/claims/{claim_id}", response={200: ClaimDetailOut, **ERRORS}, summary="One claim")
def claim_detail(request: HttpRequest, claim_id: int) -> Any:
    return _detail(selectors.claim_get(actor=request.user, claim_id=claim_id))


def _manage(request: HttpRequest, claim_id: int) -> Claim:
    return selectors.claim_get(actor=request.user, claim_id=claim_id, perm=MANAGE)


@router.post("/claims/{claim_id}/approve", response={200: ClaimDetailOut, **ERRORS}, summary="Approve")
def claim_approve(request: HttpRequest, claim_id: int, data: ApproveIn) -> Any:
    """At the schedule's payout, or a lower amount with a reason."""
    claim = _manage(request, claim_id)
    return _detail(
        services.claim_approve(actor=request.user, claim=claim, amount=data.amount, reason=data.reason)
    )


@router.post("/claims/{claim_id}/reject", response={200: ClaimDetailOut, **ERRORS}, summary="Reject")
def claim_reject(request: HttpRequest, claim_id: int, data: ReasonIn) -> Any:
    claim = _manage(request, claim_id)
    return _detail(services.claim_reject(actor=request.user, claim=claim, reason=data.reason))


@router.post("/claims/{claim_id}/ask", response={200: ClaimDetailOut, **ERRORS}, summary="Ask for documents")
def claim_ask(request: HttpRequest, claim_id: int, data: ReasonIn) -> Any:
    claim = _manage(request, claim_id)
    return _detail(services.claim_ask_documents(actor=request.user, claim=claim, reason=data.reason))


@router.post("/claims/{claim_id}/pay", response={200: ClaimDetailOut, **ERRORS}, summary="Record the payment")
def claim_pay(request: HttpRequest, claim_id: int, data: PayIn) -> Any:
    claim = _manage(request, claim_id)
    return _detail(
        services.claim_pay(
            actor=request.user, claim=claim, payment_ref=data.payment_ref, paid_on=data.paid_on
        )
    )


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="Roll-up counts")
def stats(request: HttpRequest, org_id: int | None = None, year: int | None = None) -> Any:
    """Enrolled members, free accident covers, claims by state and amounts paid in the union's subtree, per
    child union, and the amount paid in each year."""
    s = selectors.medical_stats(actor=request.user, org=_org(request, org_id), year=_year(year))
    return StatsOut(
        year=s.year,
        enrolled=s.enrolled,
        accident_covered=s.accident_covered,
        by_status=s.by_status,
        paid=s.paid,
        by_union=[
            UnionStatsOut(
                org=OrgRef(id=r.org.pk, name=r.org.name), enrolled=r.enrolled, claims=r.claims, paid=r.paid
            )
            for r in s.by_union
        ],
        paid_by_year=[YearPaidOut(year=y, paid=p) for y, p in s.paid_by_year],
    )
