"""The hardship-aid API (DOMAIN §5): hardship files, applications and their review up the chain, the
announcement with objections, payments, roll-up counts and the rules (caps, chain) as data.

A worker reads their own file and applications, applies on their open verified file, reads the
announcements of their own union (names masked) and may object. A cadre works in their scope: outside it a
404, a role without "aid.manage" a 403 on writes ("services.view" reads).
"""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from gonghui.aid import selectors, services
from gonghui.aid.models import AidApplication, FileStatus, HardshipFile, Objection
from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.orgs.selectors import org_get

from .member_schemas import OrgRef

router = Router(tags=["aid"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class FileOut(Schema):
    id: int
    org: OrgRef
    member_name: str
    category: str
    status: str
    household_size: int
    per_capita_income: Decimal
    income_threshold: Decimal
    verified: bool
    review_due: datetime.date
    exited_on: datetime.date | None = None
    exit_reason: str = ""


class HouseholdIn(Schema):
    name: str
    relation: str
    monthly_income: Decimal = Decimal(0)
    id_number: str = ""


class FileIn(Schema):
    org_id: int
    member_number: str
    category: str
    situation: str
    worker_income: Decimal
    household: list[HouseholdIn] = []


class ReviewIn(Schema):
    category: str
    monthly_income: Decimal
    household_size: int


class ReasonIn(Schema):
    reason: str


class ApplicationIn(Schema):
    aid_type: str
    amount: Decimal
    reason: str
    illness_code: str = ""
    illness_name: str = ""
    school_year: str = ""
    season: str = ""
    period: str = ""


class StepOut(Schema):
    level: int
    org: OrgRef
    decision: str = ""
    at: datetime.datetime | None = None
    current: bool = False


class ApplicationOut(Schema):
    id: int
    number: str
    org: OrgRef
    aid_type: str
    year: int
    state: str
    amount_requested: Decimal
    amount_approved: Decimal | None = None
    illness_code: str = ""
    school_year: str = ""
    season: str = ""
    period: str = ""
    current_org: OrgRef | None = None
    submitted_at: datetime.datetime
    announce_until: datetime.date | None = None
    reject_reason: str = ""
    steps: list[StepOut] = []


class DocumentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime


class ApproveIn(Schema):
    amount: Decimal | None = None
    note: str = ""


class PaymentIn(Schema):
    method: str
    paid_on: datetime.date | None = None
    reference: str = ""


class PaymentOut(Schema):
    application_id: int
    amount: Decimal
    paid_on: datetime.date
    method: str
    org: OrgRef


class ObjectionIn(Schema):
    text: str


class ResolveIn(Schema):
    upheld: bool
    finding: str


class ObjectionOut(Schema):
    id: int
    application_id: int
    raised_at: datetime.datetime
    outcome: str = ""
    resolved_at: datetime.datetime | None = None


class AnnouncementOut(Schema):
    id: int
    number: str
    masked_name: str
    aid_type: str
    amount: Decimal
    until: datetime.date | None = None


class StatsOut(Schema):
    year: int
    files_by_category: dict[str, int]
    applications_by_state: dict[str, int]
    paid_by_type: dict[str, Decimal]


class PolicyIn(Schema):
    cap_living: Decimal | None = None
    cap_medical: Decimal | None = None
    cap_education: Decimal | None = None
    cap_holiday: Decimal | None = None
    single_illness_once_a_year: bool | None = None
    no_cash: bool | None = None
    income_threshold: Decimal | None = None
    announce_workdays: int | None = None
    review_months: int | None = None


class PolicyOut(Schema):
    cap_living: Decimal
    cap_medical: Decimal
    cap_education: Decimal
    cap_holiday: Decimal
    single_illness_once_a_year: bool
    no_cash: bool
    income_threshold: Decimal
    announce_workdays: int
    review_months: int
    chain: list[str]


class ChainIn(Schema):
    levels: list[str]


def _org(o: object) -> dict:
    return {"id": o.pk, "name": o.name}  # type: ignore[attr-defined]


def _file(f: HardshipFile) -> dict:
    return {
        "id": f.pk,
        "org": _org(f.org),
        "member_name": f.member.name,
        "category": f.category,
        "status": f.status,
        "household_size": f.household_size,
        "per_capita_income": f.per_capita_income,
        "income_threshold": f.income_threshold,
        "verified": f.verified_at is not None,
        "review_due": f.review_due,
        "exited_on": f.exited_on,
        "exit_reason": f.exit_reason,
    }


def _app(a: AidApplication, *, steps: bool = False) -> dict:
    out = {
        "id": a.pk,
        "number": a.number,
        "org": _org(a.org),
        "aid_type": a.aid_type,
        "year": a.year,
        "state": a.state,
        "amount_requested": a.amount_requested,
        "amount_approved": a.amount_approved,
        "illness_code": a.illness_code,
        "school_year": a.school_year,
        "season": a.season,
        "period": a.period,
        "current_org": _org(a.current_org) if a.current_org and a.state == "reviewing" else None,
        "submitted_at": a.submitted_at,
        "announce_until": a.announce_until,
        "reject_reason": a.reject_reason,
        "steps": [],
    }
    if steps:
        out["steps"] = [
            {
                "level": i,
                "org": _org(r["org"]),
                "decision": r["step"].decision if r["step"] else "",
                "at": r["step"].at if r["step"] else None,
                "current": r["current"],
            }
            for i, r in enumerate(selectors.application_steps(application=a))
        ]
    return out


# --- the worker ------------------------------------------------------------------------------------------------


@router.get("/files/mine", response=list[FileOut], summary="My hardship files")
def my_files(request: HttpRequest) -> list[dict]:
    return [_file(f) for f in selectors.own_files(user=request.user)]


@router.get("/applications/mine", response=list[ApplicationOut], summary="My aid applications")
def my_applications(request: HttpRequest) -> list[dict]:
    return [_app(a) for a in selectors.own_applications(user=request.user)[:100]]


@router.get(
    "/applications/mine/{application_id}", response={200: ApplicationOut, **ERRORS}, summary="One of mine"
)
def my_application(request: HttpRequest, application_id: int) -> dict:
    return _app(selectors.own_application_get(user=request.user, application_id=application_id), steps=True)


@router.post("/applications", response={201: ApplicationOut, **ERRORS}, summary="Apply for aid on my file")
def apply(request: HttpRequest, payload: ApplicationIn) -> Status:
    current = selectors.own_files(user=request.user).filter(status=FileStatus.ACTIVE).first()
    if current is None:
        raise NotFound(_("You have no open hardship file."))
    app = services.application_submit(
        user=request.user, file=current, data=services.ApplicationInput(**payload.dict())
    )
    return Status(201, _app(app, steps=True))


@router.get("/announcements", response=list[AnnouncementOut], summary="Aid announced in my union")
def announcements(request: HttpRequest) -> list[dict]:
    return [{**a.__dict__, "id": a.pk} for a in selectors.public_announcements(user=request.user)]


@router.post(
    "/announcements/{application_id}/objections",
    response={201: ObjectionOut, **ERRORS},
    summary="Object to an announced grant",
)
def object_to(request: HttpRequest, application_id: int, payload: ObjectionIn) -> Status:
    app = selectors.announcement_for_member(user=request.user, application_id=application_id)
    obj = services.objection_raise(user=request.user, application=app, text=payload.text)
    return Status(201, obj)


# --- cadres: files -----------------------------------------------------------------------------------------------


@router.get("/files", response={200: list[FileOut], **ERRORS}, summary="Hardship files of a union's subtree")
def files(
    request: HttpRequest, org_id: int, status: str = "active", due_within_days: int | None = None
) -> list[dict]:
    org = org_get(actor=request.user, org_id=org_id)
    due_by = (
        timezone.localdate() + datetime.timedelta(days=due_within_days)
        if due_within_days is not None
        else None
    )
    qs = selectors.files_of(actor=request.user, org=org, status=status, due_by=due_by)
    return [_file(f) for f in qs[:500]]


@router.post("/files", response={201: FileOut, **ERRORS}, summary="Open a hardship file")
def file_create(request: HttpRequest, payload: FileIn) -> Status:
    org = org_get(actor=request.user, org_id=payload.org_id)
    member = selectors.member_by_number(actor=request.user, org=org, number=payload.member_number)
    f = services.file_create(
        actor=request.user,
        member=member,
        category=payload.category,
        situation=payload.situation,
        worker_income=payload.worker_income,
        household=[services.HouseholdInput(**h.dict()) for h in payload.household],
    )
    return Status(201, _file(f))


@router.get("/files/{file_id}", response={200: FileOut, **ERRORS}, summary="One hardship file")
def file_detail(request: HttpRequest, file_id: int) -> dict:
    return _file(selectors.file_get(actor=request.user, file_id=file_id))


@router.post("/files/{file_id}/verify", response={200: FileOut, **ERRORS}, summary="Verify a file")
def file_verify(request: HttpRequest, file_id: int) -> dict:
    f = selectors.file_get(actor=request.user, file_id=file_id, perm=services.PERM)
    return _file(services.file_verify(actor=request.user, file=f))


@router.post("/files/{file_id}/review", response={200: FileOut, **ERRORS}, summary="Record the yearly review")
def file_review(request: HttpRequest, file_id: int, payload: ReviewIn) -> dict:
    f = selectors.file_get(actor=request.user, file_id=file_id, perm=services.PERM)
    return _file(services.file_review(actor=request.user, file=f, **payload.dict()))


@router.post("/files/{file_id}/exit", response={200: FileOut, **ERRORS}, summary="Exit the register")
def file_exit(request: HttpRequest, file_id: int, payload: ReasonIn) -> dict:
    f = selectors.file_get(actor=request.user, file_id=file_id, perm=services.PERM)
    return _file(services.file_exit(actor=request.user, file=f, reason=payload.reason))


# --- cadres: review, announcement, payment ------------------------------------------------------------------------


@router.get("/queue", response={200: list[ApplicationOut], **ERRORS}, summary="Waiting for review at a union")
def queue(request: HttpRequest, org_id: int) -> list[dict]:
    org = org_get(actor=request.user, org_id=org_id)
    return [_app(a) for a in selectors.review_queue(actor=request.user, org=org)[:200]]


@router.get(
    "/applications/{application_id}", response={200: ApplicationOut, **ERRORS}, summary="One application"
)
def application(request: HttpRequest, application_id: int) -> dict:
    return _app(selectors.application_get(actor=request.user, application_id=application_id), steps=True)


@router.get(
    "/applications/{application_id}/documents",
    response={200: list[DocumentOut], **ERRORS},
    summary="The supporting documents of an application",
)
def application_documents(request: HttpRequest, application_id: int) -> Any:
    app = selectors.application_get(actor=request.user, application_id=application_id)
    return list(app.documents.order_by("uploaded_at", "pk"))


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    response={200: None, **ERRORS},
    summary="Download a supporting document (audited)",
)
def application_document(request: HttpRequest, application_id: int, document_id: int) -> Any:
    doc, handle = services.application_document_open(
        actor=request.user, application_id=application_id, document_id=document_id
    )
    return attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)


@router.post(
    "/applications/{application_id}/approve",
    response={200: ApplicationOut, **ERRORS},
    summary="Approve this level",
)
def approve(request: HttpRequest, application_id: int, payload: ApproveIn) -> dict:
    app = selectors.application_get(actor=request.user, application_id=application_id)
    app = services.application_approve(
        actor=request.user, application=app, amount=payload.amount, note=payload.note
    )
    return _app(app, steps=True)


@router.post(
    "/applications/{application_id}/reject", response={200: ApplicationOut, **ERRORS}, summary="Reject"
)
def reject(request: HttpRequest, application_id: int, payload: ReasonIn) -> dict:
    app = selectors.application_get(actor=request.user, application_id=application_id)
    return _app(
        services.application_reject(actor=request.user, application=app, reason=payload.reason), steps=True
    )


@router.post(
    "/applications/{application_id}/payment",
    response={201: PaymentOut, **ERRORS},
    summary="Record the payment",
)
def pay(request: HttpRequest, application_id: int, payload: PaymentIn) -> Status:
    app = selectors.application_get(actor=request.user, application_id=application_id)
    p = services.payment_record(actor=request.user, application=app, **payload.dict())
    return Status(
        201,
        {
            "application_id": app.pk,
            "amount": p.amount,
            "paid_on": p.paid_on,
            "method": p.method,
            "org": _org(p.org),
        },
    )


@router.post(
    "/objections/{objection_id}/resolve",
    response={200: ObjectionOut, **ERRORS},
    summary="Resolve an objection",
)
def resolve(request: HttpRequest, objection_id: int, payload: ResolveIn) -> Objection:
    obj = Objection.objects.filter(pk=objection_id).first()
    if obj is None:
        raise NotFound()
    selectors.application_get(actor=request.user, application_id=obj.application_id)
    return services.objection_resolve(
        actor=request.user, objection=obj, upheld=payload.upheld, finding=payload.finding
    )


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="Roll-up counts of a union's subtree")
def stats(request: HttpRequest, org_id: int, year: int | None = None) -> dict:
    org = org_get(actor=request.user, org_id=org_id)
    year = year or timezone.localdate().year
    r = selectors.rollup(actor=request.user, org=org, year=year)
    return {
        "year": year,
        "files_by_category": r.files_by_category,
        "applications_by_state": r.applications_by_state,
        "paid_by_type": r.paid_by_type,
    }


# --- rules as data -----------------------------------------------------------------------------------------------


def _policy_out(org: object) -> dict:
    p = services.policy_for(org)  # type: ignore[arg-type]
    levels, _source = services.chain_levels_for(org)  # type: ignore[arg-type]
    return {**{f: getattr(p, f) for f in services.POLICY_FIELDS}, "chain": levels}


@router.get("/policy/{org_id}", response={200: PolicyOut, **ERRORS}, summary="The aid rules in force")
def policy(request: HttpRequest, org_id: int) -> dict:
    org = org_get(actor=request.user, org_id=org_id, perm=selectors.VIEW)
    return _policy_out(org)


@router.put("/policy/{org_id}", response={200: PolicyOut, **ERRORS}, summary="Set the aid rules of a union")
def policy_set(request: HttpRequest, org_id: int, payload: PolicyIn) -> dict:
    org = org_get(actor=request.user, org_id=org_id, perm=services.PERM)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    if not values:
        raise ServiceError("nothing_to_set", _("Give at least one rule."))
    services.aid_policy_set(actor=request.user, org=org, **values)
    return _policy_out(org)


@router.put("/chain/{org_id}", response={200: PolicyOut, **ERRORS}, summary="Set the review chain of a union")
def chain_set(request: HttpRequest, org_id: int, payload: ChainIn) -> dict:
    org = org_get(actor=request.user, org_id=org_id, perm=services.PERM)
    services.review_chain_set(actor=request.user, org=org, levels=payload.levels)
    return _policy_out(org)
