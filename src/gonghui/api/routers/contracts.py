"""The collective-contracts API (集体合同, DOMAIN §3).

The union's side: contracts of a union's subtree, starting and changing one, negotiation rounds, documents,
signing, submission to the labour administration, its receipt (the 15 days run from it), confirmation or
objection, renewal, the cover and summary PDF, the reminder setting and coverage rolled up the tree. Reads need
"democracy.view" on the union, writes "contract.manage"; outside scope is a 404, the wrong role a 403.

The member's side (`/mine`): the contracts in effect that cover the member's union, with the contract text.
"""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.contracts import selectors, services
from gonghui.contracts.models import CollectiveContract
from gonghui.core.uploads import attachment_response
from gonghui.orgs.selectors import org_get

from .member_schemas import OrgRef

router = Router(tags=["contracts"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


# --- schemas ------------------------------------------------------------------------------------------------


class ContractIn(Schema):
    title: str = Field(max_length=1000)
    kind: str = Field(description="comprehensive, wages, women, safety or other_special")
    union_party: str = Field(max_length=1000)
    union_representative: str = Field(max_length=500)
    employer_party: str = Field(max_length=1000)
    employer_representative: str = Field(max_length=500)
    employer_uscc: str = Field(default="", max_length=30)
    summary: str = Field(default="", max_length=100_000)
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    covered_org_ids: list[int] = Field(
        default=[], description="Grassroots unions a regional or industry contract covers"
    )
    other_units: str = Field(default="", max_length=20000, description="Units without a union, one per line")
    other_units_count: int = Field(default=0, ge=0, le=10_000_000)
    other_staff: int = Field(default=0, ge=0, le=10_000_000)


class RoundIn(Schema):
    held_on: datetime.date
    union_participants: str = Field(max_length=2000)
    employer_participants: str = Field(max_length=2000)
    minutes: str = Field(max_length=100_000)
    place: str = Field(default="", max_length=500)


class SignIn(Schema):
    signed_on: datetime.date
    term_start: datetime.date
    term_end: datetime.date
    adopted_on: datetime.date | None = None


class DateIn(Schema):
    on: datetime.date


class ObjectIn(Schema):
    on: datetime.date
    objection: str = Field(max_length=20000)


class PolicyIn(Schema):
    remind_days_before: int


class PolicyOut(Schema):
    org_id: int
    source_org_id: int | None
    remind_days_before: int
    review_days: int


class DocumentOut(Schema):
    id: int
    kind: str
    round_id: int | None
    original_name: str
    content_type: str
    size: int
    sha256: str
    added_at: datetime.datetime


class RoundOut(Schema):
    id: int
    number: int
    held_on: datetime.date
    place: str
    union_participants: str
    employer_participants: str
    minutes: str


class ContractOut(Schema):
    id: int
    number: str
    org: OrgRef
    title: str
    kind: str
    level: str
    status: str
    union_party: str
    employer_party: str
    staff_covered: int
    term_start: datetime.date | None
    term_end: datetime.date | None
    received_on: datetime.date | None
    review_ends_on: datetime.date | None
    effective_on: datetime.date | None


class ContractDetailOut(ContractOut):
    union_representative: str
    employer_representative: str
    employer_uscc: str
    summary: str
    other_units: str
    other_units_count: int
    other_staff: int
    negotiated_on: datetime.date | None
    adopted_on: datetime.date | None
    signed_on: datetime.date | None
    submitted_on: datetime.date | None
    confirmed_on: datetime.date | None
    objected_on: datetime.date | None
    objection: str
    expired_on: datetime.date | None
    renews_id: int | None
    renewal_id: int | None = None
    covered_units: list[OrgRef] = []
    rounds: list[RoundOut] = []
    documents: list[DocumentOut] = []


class CoverageRowOut(Schema):
    org: OrgRef | None = Field(description="The child union; null for the union's own units and contracts")
    units: int
    staff: int
    other_units: int
    other_staff: int
    grassroots: int
    staff_total: int


class CoverageOut(Schema):
    org: OrgRef
    total: CoverageRowOut
    by_union: list[CoverageRowOut]


class MineContractOut(Schema):
    id: int
    number: str
    org: OrgRef
    title: str
    kind: str
    level: str
    union_party: str
    union_representative: str
    employer_party: str
    employer_representative: str
    summary: str
    staff_covered: int
    term_start: datetime.date | None
    term_end: datetime.date | None
    effective_on: datetime.date | None
    documents: list[DocumentOut] = []


# --- the union's side ---------------------------------------------------------------------------------------


def _input(data: ContractIn) -> services.ContractInput:
    return services.ContractInput(**data.dict())


def _detail(request: HttpRequest, contract_id: int) -> ContractDetailOut:
    c = selectors.contract_get(actor=request.user, contract_id=contract_id)
    out = ContractDetailOut.from_orm(c)
    renewal = selectors.contract_renewal(contract=c)
    out.renewal_id = renewal.pk if renewal else None
    out.covered_units = [OrgRef(id=o.pk, name=o.name) for o in selectors.contract_coverage(contract=c)[:5000]]
    out.rounds = [RoundOut.from_orm(r) for r in selectors.contract_rounds(contract=c)]
    out.documents = [DocumentOut.from_orm(d) for d in selectors.contract_documents(contract=c)]
    return out


@router.get("", response={200: list[ContractOut], **ERRORS}, summary="Contracts of a union's subtree")
@paginate(LimitOffsetPagination)
def contract_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    org_id: int,
    status: str = "",
    kind: str = "",
    level: str = "",
    expiring_days: int | None = None,
    q: str = "",
):
    """`expiring_days`: contracts in effect whose term ends within that many days."""
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return selectors.contract_list(
        actor=request.user, org=org, status=status, kind=kind, level=level, expiring_days=expiring_days, q=q
    )


@router.post("", response={201: ContractDetailOut, **ERRORS}, summary="Start a contract")
def contract_create(request: HttpRequest, org_id: int, data: ContractIn) -> Any:
    """By a grassroots union (an enterprise contract covering itself), or as a regional or industry contract
    by a district, street, park, joint or industry union naming the units it covers. The term, when given,
    is one to three years."""
    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    contract = services.contract_create(actor=request.user, org=org, data=_input(data))
    return Status(201, _detail(request, contract.pk))


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, summary="Coverage rolled up the tree")
def coverage(request: HttpRequest, org_id: int) -> Any:
    """Units and staff covered by contracts in effect in the union's subtree, in all and per child union. A
    unit covered by several contracts counts once."""
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    cov = selectors.coverage(actor=request.user, org=org)

    def row(r: selectors.CoverageRow) -> CoverageRowOut:
        return CoverageRowOut(
            org=OrgRef(id=r.org.pk, name=r.org.name) if r.org else None,
            units=r.units,
            staff=r.staff,
            other_units=r.other_units,
            other_staff=r.other_staff,
            grassroots=r.grassroots,
            staff_total=r.staff_total,
        )

    return CoverageOut(
        org=OrgRef(id=org.pk, name=org.name), total=row(cov.total), by_union=[row(r) for r in cov.rows]
    )


def _policy_out(org: Any) -> PolicyOut:
    from gonghui.contracts import rules

    policy = selectors.policy_for(org)
    return PolicyOut(
        org_id=org.pk,
        source_org_id=policy.org_id if policy.pk else None,
        remind_days_before=policy.remind_days_before,
        review_days=rules.REVIEW_DAYS,
    )


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="Contract rules in force")
def policy(request: HttpRequest, org_id: int) -> Any:
    return _policy_out(org_get(actor=request.user, org_id=org_id, perm=VIEW))


@router.put("/policy", response={200: PolicyOut, **ERRORS}, summary="Set the expiry reminder")
def policy_set(request: HttpRequest, org_id: int, data: PolicyIn) -> Any:
    """Days before expiry (1 to 365) the union and those below it without their own setting are reminded."""
    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    services.contract_policy_set(actor=request.user, org=org, remind_days_before=data.remind_days_before)
    return _policy_out(org)


# --- the member's side (before /{contract_id}, so "mine" is not read as an id) -----------------------------


def _mine_out(c: CollectiveContract) -> MineContractOut:
    out = MineContractOut.from_orm(c)
    out.documents = [DocumentOut.from_orm(d) for d in selectors.own_documents(contract=c)]
    return out


@router.get("/mine", response=list[MineContractOut], summary="Contracts in effect for my union")
def mine(request: HttpRequest) -> Any:
    return [_mine_out(c) for c in selectors.own_contracts(user=request.user)[:50]]


@router.get(
    "/mine/{contract_id}", response={200: MineContractOut, 404: ErrorOut}, summary="One of my contracts"
)
def mine_detail(request: HttpRequest, contract_id: int) -> Any:
    return _mine_out(selectors.own_contract_get(user=request.user, contract_id=contract_id))


@router.get(
    "/mine/{contract_id}/documents/{document_id}",
    response={200: None, 404: ErrorOut},
    summary="Download the contract text",
)
def mine_document(request: HttpRequest, contract_id: int, document_id: int) -> Any:
    doc = selectors.own_document_get(user=request.user, contract_id=contract_id, document_id=document_id)
    handle = services.document_open(actor=request.user, document=doc)
    return attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)


# --- one contract -------------------------------------------------------------------------------------------


@router.get("/{contract_id}", response={200: ContractDetailOut, **ERRORS}, summary="One contract")
def contract_detail(request: HttpRequest, contract_id: int) -> Any:
    return _detail(request, contract_id)


@router.put("/{contract_id}", response={200: ContractDetailOut, **ERRORS}, summary="Change a contract")
def contract_update(request: HttpRequest, contract_id: int, data: ContractIn) -> Any:
    """While drafted, negotiated or objected to."""
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_update(actor=request.user, contract=c, data=_input(data))
    return _detail(request, contract_id)


@router.post("/{contract_id}/rounds", response={201: ContractDetailOut, **ERRORS}, summary="Record a round")
def round_add(request: HttpRequest, contract_id: int, data: RoundIn) -> Any:
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_round_add(actor=request.user, contract=c, **data.dict())
    return Status(201, _detail(request, contract_id))


@router.post(
    "/{contract_id}/documents", response={201: ContractDetailOut, **ERRORS, 413: ErrorOut}, summary="Attach"
)
def document_add(
    request: HttpRequest, contract_id: int, file: File[UploadedFile], kind: Form[str] = "text"
) -> Any:
    """text (the contract text, which members of covered units may read once it is in effect), signed,
    administration or other."""
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_document_add(actor=request.user, contract=c, file=file, kind=kind)
    return Status(201, _detail(request, contract_id))


@router.get(
    "/{contract_id}/documents/{document_id}",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="Download a document",
)
def document(request: HttpRequest, contract_id: int, document_id: int) -> Any:
    doc = selectors.document_get(actor=request.user, contract_id=contract_id, document_id=document_id)
    handle = services.document_open(actor=request.user, document=doc)
    return attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)


@router.get("/{contract_id}/summary.pdf", response={200: None, 403: ErrorOut, 404: ErrorOut}, summary="PDF")
def summary_pdf(request: HttpRequest, contract_id: int) -> Any:
    """The cover and summary sheet, in Chinese, to print."""
    c = selectors.contract_get(actor=request.user, contract_id=contract_id)
    response = HttpResponse(
        services.contract_summary_print(actor=request.user, contract=c), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="contract-{c.number}.pdf"'
    return response


@router.post("/{contract_id}/sign", response={200: ContractDetailOut, **ERRORS}, summary="Signed")
def sign(request: HttpRequest, contract_id: int, data: SignIn) -> Any:
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_sign(actor=request.user, contract=c, **data.dict())
    return _detail(request, contract_id)


@router.post("/{contract_id}/submit", response={200: ContractDetailOut, **ERRORS}, summary="Submitted")
def submit(request: HttpRequest, contract_id: int, data: DateIn) -> Any:
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_submit(actor=request.user, contract=c, submitted_on=data.on)
    return _detail(request, contract_id)


@router.post("/{contract_id}/receipt", response={200: ContractDetailOut, **ERRORS}, summary="Received")
def receipt(request: HttpRequest, contract_id: int, data: DateIn) -> Any:
    """The labour administration's receipt: the contract takes effect on the 15th day after it unless the
    administration objects."""
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_receipt(actor=request.user, contract=c, received_on=data.on)
    return _detail(request, contract_id)


@router.post("/{contract_id}/confirm", response={200: ContractDetailOut, **ERRORS}, summary="Confirmed")
def confirm(request: HttpRequest, contract_id: int, data: DateIn) -> Any:
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_confirm(actor=request.user, contract=c, confirmed_on=data.on)
    return _detail(request, contract_id)


@router.post("/{contract_id}/object", response={200: ContractDetailOut, **ERRORS}, summary="Objected")
def object_(request: HttpRequest, contract_id: int, data: ObjectIn) -> Any:
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_object(actor=request.user, contract=c, objected_on=data.on, objection=data.objection)
    return _detail(request, contract_id)


@router.post("/{contract_id}/reopen", response={200: ContractDetailOut, **ERRORS}, summary="Negotiate again")
def reopen(request: HttpRequest, contract_id: int) -> Any:
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    services.contract_reopen(actor=request.user, contract=c)
    return _detail(request, contract_id)


@router.post("/{contract_id}/renew", response={201: ContractDetailOut, **ERRORS}, summary="Start the renewal")
def renew(request: HttpRequest, contract_id: int) -> Any:
    """A new draft with the same parties, kind and coverage, linked to this one; the answer is the new one."""
    c = selectors.contract_get(actor=request.user, contract_id=contract_id, perm=MANAGE)
    new = services.contract_renew(actor=request.user, contract=c)
    return Status(201, _detail(request, new.pk))
