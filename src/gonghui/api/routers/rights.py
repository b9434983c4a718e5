"""The rights-protection API (DOMAIN §4): workers' requests (诉求), their handling, statistics and service levels.

Three kinds of caller use it. A worker, signed in or not, named or anonymous, submits a request and gets a
private follow-up code, shown once; with the code (or, signed in, as the requester) they follow, rate,
reopen or withdraw it. A cadre who may handle requests works the queue of their unions: a request outside
their scope is a 404, a role that does not allow handling a 403. A 12351 hotline operator records calls.
The worker's view never shows internal notes, the handler's name or the contact's mobile number.
"""

import datetime
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.auth import ConsoleSessionAuth, TokenAuth
from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import ServiceError
from gonghui.members.selectors import join_org_get
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.rights import selectors, services
from gonghui.rights.models import Case, CaseStatus, Channel, Outcome

from .member_schemas import OrgRef
from .rights_schemas import (
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CloseIn,
    CodeIn,
    CodeRateIn,
    CodeReasonIn,
    CountOut,
    DocumentOut,
    EventOut,
    HandoverIn,
    HotlineIn,
    LevelIn,
    LevelOut,
    PolicyIn,
    PolicyOut,
    RateIn,
    ReasonIn,
    RecordedOut,
    RecordIn,
    StatsOut,
    SubmittedOut,
    TransferIn,
    UnionCountOut,
    WorkerCaseListOut,
    WorkerCaseOut,
    WorkerEventOut,
)

router = Router(tags=["rights"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
PERM = services.PERM
W = TypeVar("W", bound=WorkerCaseOut)
D = TypeVar("D", bound=CaseDetailOut)


def _anonymous_caller(request: HttpRequest) -> Any:
    """Lets a caller with neither a bearer token nor a signed-in session through as anonymous. A caller who
    sent a token (a wrong one included) or is signed in is left to the real checks, so a bad token is still a
    401 and a signed-in browser still needs its CSRF token and second factor."""
    if "HTTP_AUTHORIZATION" in request.META or request.user.is_authenticated:
        return None
    return request.user  # AnonymousUser: truthy, so ninja accepts it


# Signed in or not: the token first (a read-only token is refused on POST as everywhere), then anonymous,
# then the session.
OPTIONAL_AUTH = [TokenAuth(), _anonymous_caller, ConsoleSessionAuth()]


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


# --- the worker ------------------------------------------------------------------------------------------------


def _worker_view(case: Case, out: type[W] = WorkerCaseOut) -> W:  # type: ignore[assignment]
    result = out.from_orm(case)
    until = services.reopen_until(case)
    closed = case.status == CaseStatus.CLOSED and case.outcome != Outcome.WITHDRAWN
    result.reopen_until = until if closed else None
    result.can_rate = closed and case.rated_at is None
    result.can_reopen = closed and until is not None and timezone.localdate() <= until
    result.events = [WorkerEventOut.from_orm(e) for e in selectors.case_events(case=case, worker=True)]
    return result


def _case_input(data: CaseIn) -> services.CaseInput:
    return services.CaseInput(
        category=data.category,
        description=data.description,
        employer_name=data.employer_name,
        employer_uscc=data.employer_uscc,
        work_division_code=data.work_division_code,
        work_place=data.work_place,
        workers_affected=data.workers_affected,
        contact_name=data.contact_name,
        contact_mobile=data.contact_mobile,
    )


def _employer(org_id: int | None) -> Org | None:
    """The employer's union the worker picked from members/employers, or 400 on the field."""
    if not org_id:
        return None
    org = join_org_get(org_id=org_id, purpose="employer")
    if org is None:
        raise ServiceError("unknown_union", _("Choose a union from the list."), field="employer_org_id")
    return org


@router.post(
    "/cases", response={201: SubmittedOut, **ERRORS}, auth=OPTIONAL_AUTH, summary="Ask the union for help"
)
def case_submit(request: HttpRequest, data: CaseIn) -> Any:
    """Signed in or not. The request goes to the union that should handle it, and the answer says which and
    why. The follow-up code in the answer is shown only this once: keep it to follow the request. An
    anonymous request keeps no name, number or account; a named one needs a mobile number (a signed-in
    worker's account number is used when none is given)."""
    case, code = services.case_submit(
        user=_user(request),
        data=_case_input(data),
        anonymous=data.anonymous,
        employer_org=_employer(data.employer_org_id),
        channel=Channel.API if getattr(request, "api_token", None) else Channel.PORTAL,
    )
    out = _worker_view(case, SubmittedOut)
    out.follow_code = code
    return Status(201, out)


@router.get("/cases/mine", response=list[WorkerCaseListOut], summary="My requests")
def own_case_list(request: HttpRequest) -> Any:
    """Requests the signed-in worker made with their name. Anonymous ones are followed with their code."""
    return list(selectors.cases_of(user=request.user)[:100])


def _own(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_of_worker(user=request.user, case_id=case_id)


@router.get(
    "/cases/mine/{case_id}", response={200: WorkerCaseOut, 404: ErrorOut}, summary="Follow my request"
)
def own_case_detail(request: HttpRequest, case_id: int) -> Any:
    return _worker_view(_own(request, case_id))


@router.post("/cases/mine/{case_id}/rate", response={200: WorkerCaseOut, **ERRORS}, summary="Rate my request")
def own_case_rate(request: HttpRequest, case_id: int, data: RateIn) -> Any:
    case = services.case_rate(case=_own(request, case_id), rating=data.rating, comment=data.comment)
    return _worker_view(case)


@router.post(
    "/cases/mine/{case_id}/reopen", response={200: WorkerCaseOut, **ERRORS}, summary="Reopen my request"
)
def own_case_reopen(request: HttpRequest, case_id: int, data: ReasonIn) -> Any:
    return _worker_view(services.case_reopen(case=_own(request, case_id), reason=data.reason))


@router.post(
    "/cases/mine/{case_id}/withdraw", response={200: WorkerCaseOut, **ERRORS}, summary="Withdraw my request"
)
def own_case_withdraw(request: HttpRequest, case_id: int, data: ReasonIn) -> Any:
    return _worker_view(services.case_withdraw(case=_own(request, case_id), reason=data.reason))


def _by_code(code: str) -> Case:
    return services.case_follow(code=code)


@router.post(
    "/follow", response={200: WorkerCaseOut, **ERRORS}, auth=OPTIONAL_AUTH, summary="Follow a request by code"
)
def follow(request: HttpRequest, data: CodeIn) -> Any:
    """The progress of the request whose follow-up code is given (进度查询). The code travels in the body, never
    in the address, so it stays out of logs."""
    return _worker_view(_by_code(data.code))


@router.post(
    "/follow/rate", response={200: WorkerCaseOut, **ERRORS}, auth=OPTIONAL_AUTH, summary="Rate by code"
)
def follow_rate(request: HttpRequest, data: CodeRateIn) -> Any:
    return _worker_view(
        services.case_rate(case=_by_code(data.code), rating=data.rating, comment=data.comment)
    )


@router.post(
    "/follow/reopen", response={200: WorkerCaseOut, **ERRORS}, auth=OPTIONAL_AUTH, summary="Reopen by code"
)
def follow_reopen(request: HttpRequest, data: CodeReasonIn) -> Any:
    return _worker_view(services.case_reopen(case=_by_code(data.code), reason=data.reason))


@router.post(
    "/follow/withdraw",
    response={200: WorkerCaseOut, **ERRORS},
    auth=OPTIONAL_AUTH,
    summary="Withdraw by code",
)
def follow_withdraw(request: HttpRequest, data: CodeReasonIn) -> Any:
    return _worker_view(services.case_withdraw(case=_by_code(data.code), reason=data.reason))


# --- the cadre -------------------------------------------------------------------------------------------------


def _detail(case: Case, out: type[D] = CaseDetailOut) -> D:  # type: ignore[assignment]
    result = out.from_orm(case)
    result.events = [EventOut.from_orm(e) for e in selectors.case_events(case=case)]
    result.documents = [DocumentOut.from_orm(d) for d in selectors.case_documents(case=case)]
    return result


def _case_detail(request: HttpRequest, case_id: int) -> CaseDetailOut:
    return _detail(selectors.case_get(actor=request.user, case_id=case_id))


@router.get("/queue", response={200: list[CaseOut], **ERRORS}, summary="Requests to handle")
@paginate(LimitOffsetPagination)
def queue(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    org_id: int | None = None,
    status: str = Query("open", description='"open" (default), a status, or empty for every request'),
    due: str = Query(
        "",
        pattern=r"^(overdue|soon|escalated|unassigned|collective)?$",
        description="overdue, soon, escalated, unassigned or collective",
    ),
    category: str = "",
    mine: bool = False,
    q: str = "",
):
    """Requests of the caller's unions (or of `org_id`'s subtree) and those escalated to them, the most
    urgent first: open before closed, then by the deadline of the next unfinished stage."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM) if org_id else None
    return selectors.case_queue(
        actor=request.user, org=org, status=status, due=due, category=category, mine=mine, q=q[:60]
    )


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="One request")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    """The full record: events (internal ones too), documents, the three deadlines (provisional when computed
    without an official holiday schedule), the handler and why the request is with this union."""
    return _case_detail(request, case_id)


@router.post("/cases/{case_id}/acknowledge", response={200: CaseDetailOut, **ERRORS}, summary="Take on")
def case_acknowledge(request: HttpRequest, case_id: int) -> Any:
    """The caller becomes the handler (first-contact responsibility); the worker is told."""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    services.case_acknowledge(actor=request.user, case=case)
    return _case_detail(request, case_id)


@router.post("/cases/{case_id}/record", response={200: CaseDetailOut, **ERRORS}, summary="Add to the record")
def case_record(request: HttpRequest, case_id: int, data: RecordIn) -> Any:
    """An internal note, a contact with the employer, or a reply the worker reads (the first reply meets the
    first-response deadline). By the handler, or a cadre of the union above."""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    services.case_record(actor=request.user, case=case, kind=data.kind, text=data.text)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/documents",
    response={201: CaseDetailOut, **ERRORS, 413: ErrorOut},
    summary="Attach a document",
)
def case_document_add(request: HttpRequest, case_id: int, file: File[UploadedFile]) -> Any:
    """A letter to the employer, a payment receipt: PDF, image or office document, checked by its content."""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    services.case_document_add(actor=request.user, case=case, file=file)
    return Status(201, _case_detail(request, case_id))


@router.get(
    "/cases/{case_id}/documents/{document_id}",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="Download a document",
)
def case_document_download(request: HttpRequest, case_id: int, document_id: int) -> Any:
    """The file as it was uploaded; every download is audited."""
    from gonghui.core.uploads import attachment_response

    doc, handle = services.case_document_open(actor=request.user, case_id=case_id, document_id=document_id)
    return attachment_response(handle, filename=doc.original_name, content_type=doc.content_type)


@router.post("/cases/{case_id}/handover", response={200: CaseDetailOut, **ERRORS}, summary="Hand over")
def case_handover(request: HttpRequest, case_id: int, data: HandoverIn) -> Any:
    """To another person who may handle requests of the request's union, with a note on the record."""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    to_user = next((u for u in selectors.handlers_for(org=case.org) if u.pk == data.to_user_id), None)
    services.case_handover(actor=request.user, case=case, to_user=to_user, note=data.note)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/transfer", response={200: CaseOut, **ERRORS}, summary="Transfer to another union"
)
def case_transfer(request: HttpRequest, case_id: int, data: TransferIn) -> Any:
    """With a reason the worker reads; the deadlines keep running from receipt. The request may leave the
    caller's scope, so the answer is the queue row of the request as it now stands."""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    to_org = Org.objects.filter(pk=data.to_org_id, is_active=True).first()
    if to_org is None:
        raise ServiceError("unknown_union", _("Choose a union from the list."), field="to_org_id")
    return services.case_transfer(actor=request.user, case=case, to_org=to_org, reason=data.reason)


@router.post("/cases/{case_id}/close", response={200: CaseDetailOut, **ERRORS}, summary="Conclude")
def case_close(request: HttpRequest, case_id: int, data: CloseIn) -> Any:
    """With an outcome and a conclusion the worker reads; the worker is asked to rate the handling."""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    services.case_close(actor=request.user, case=case, outcome=data.outcome, summary=data.summary)
    return _case_detail(request, case_id)


@router.post("/hotline", response={201: RecordedOut, **ERRORS}, summary="Record a 12351 hotline call")
def hotline(request: HttpRequest, data: HotlineIn) -> Any:
    """The operator records the call at their union. With `keep` the union keeps it and the operator handles
    it; otherwise it goes at once to the responsible union, which may lie outside the operator's scope. The
    follow-up code in the answer is shown only this once: read it to the caller (it is also sent by SMS
    when a mobile number was given)."""
    org = org_get(actor=request.user, org_id=data.org_id, perm=PERM)
    case, code = services.case_record_call(
        actor=request.user,
        org=org,
        data=_case_input(data),
        anonymous=data.anonymous,
        employer_org=_employer(data.employer_org_id),
        keep=data.keep,
    )
    # The operator just recorded everything in it, so the answer shows the record even when it was routed
    # out of their scope.
    out = _detail(case, RecordedOut)
    out.follow_code = code
    return Status(201, out)


# --- statistics and rules ------------------------------------------------------------------------------------


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="Statistics of a union's subtree")
def stats(request: HttpRequest, org_id: int, since: datetime.date | None = None) -> Any:
    """Requests received since `since` (all when left out): totals, the on-time rate, average handling days,
    satisfaction, and counts by category, outcome and child union."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM)
    s = selectors.case_stats(actor=request.user, org=org, since=since)
    return StatsOut(
        org_id=org.pk,
        since=since,
        total=s.total,
        open=s.open,
        overdue=s.overdue,
        closed=s.closed,
        on_time=s.on_time,
        on_time_rate=s.on_time_rate,
        handling_days_avg=s.handling_days_avg,
        rated=s.rated,
        rating_avg=s.rating_avg,
        by_category=[CountOut(label=name, count=n) for name, n in s.by_category],
        by_outcome=[CountOut(label=name, count=n) for name, n in s.by_outcome],
        by_union=[
            UnionCountOut(org=OrgRef(id=child.pk, name=child.name), count=n, open=open_)
            for child, n, open_ in s.by_union
        ],
    )


def _levels(org: Org) -> list[LevelOut]:
    return [
        LevelOut(
            category=row.category,
            label=row.label,
            ack_workdays=row.days[0],
            respond_workdays=row.days[1],
            conclude_workdays=row.days[2],
            source_org=OrgRef(id=row.source.pk, name=row.source.name) if row.source else None,
        )
        for row in selectors.levels_table(org)
    ]


@router.get("/levels", response={200: list[LevelOut], **ERRORS}, summary="Service levels in force")
def levels(request: HttpRequest, org_id: int) -> Any:
    """Working days to acknowledge, respond and conclude, per category, and the union that set them (the
    nearest one up the tree, else the platform default)."""
    return _levels(org_get(actor=request.user, org_id=org_id))


@router.put("/levels", response={200: list[LevelOut], **ERRORS}, summary="Set a service level")
def levels_set(request: HttpRequest, org_id: int, data: LevelIn) -> Any:
    """For one category, for the union and every union below it that sets none of its own. Requests received
    from now on get the new deadlines."""
    org = org_get(actor=request.user, org_id=org_id)
    services.service_level_set(
        actor=request.user,
        org=org,
        category=data.category,
        ack_workdays=data.ack_workdays,
        respond_workdays=data.respond_workdays,
        conclude_workdays=data.conclude_workdays,
    )
    return _levels(org)


def _policy_out(org: Org) -> PolicyOut:
    policy = selectors.policy_for(org)
    return PolicyOut(
        org_id=org.pk,
        source_org_id=policy.org_id if policy.pk else None,
        remind_workdays_before=policy.remind_workdays_before,
        reopen_days=policy.reopen_days,
    )


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="Rights-protection rules in force")
def policy(request: HttpRequest, org_id: int) -> Any:
    return _policy_out(org_get(actor=request.user, org_id=org_id))


@router.put("/policy", response={200: PolicyOut, **ERRORS}, summary="Set a union's rights-protection rules")
def policy_set(request: HttpRequest, org_id: int, data: PolicyIn) -> Any:
    """When to remind before a deadline (working days) and how long a closed request may be reopened (days)."""
    org = org_get(actor=request.user, org_id=org_id)
    services.rights_policy_set(
        actor=request.user,
        org=org,
        remind_workdays_before=data.remind_workdays_before,
        reopen_days=data.reopen_days,
    )
    return _policy_out(org)
