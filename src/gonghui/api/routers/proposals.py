"""The proposals API (职代会提案, DOMAIN §3).

A serving delegate submits proposals, co-signs colleagues' proposals of the same congress and rates the answer to
their own (`/mine`, `/delegate`); a department's contact person answers the proposals assigned to the department;
a member reads the published reports of their union. A cadre reads the proposals of their unions
(`democracy.view`) and, holding `proposal.manage`, decides, assigns, answers, reassigns, keeps the departments and
publishes the report. Outside scope is a 404, the wrong role a 403, bad input a 400 naming the field.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.congress.models import Meeting
from gonghui.congress.selectors import own_delegateships
from gonghui.core.audit import log_action
from gonghui.core.errors import NotFound, ServiceError
from gonghui.orgs.selectors import org_get
from gonghui.orgs.services import require
from gonghui.proposals import documents, selectors, services
from gonghui.proposals.models import Proposal

from .proposal_schemas import (
    AnswerIn,
    AssignIn,
    DecisionIn,
    DelegateIn,
    DepartmentIn,
    DepartmentOut,
    EventOut,
    PaperProposalIn,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    PublishedReportOut,
    RateIn,
    ReasonIn,
    ReportOut,
)

router = Router(tags=["proposals"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = selectors.VIEW
MANAGE = services.MANAGE


def _detail(p: Proposal) -> ProposalDetailOut:
    out = ProposalDetailOut.from_orm(p)
    out.cosigners = [c.delegate.name for c in selectors.proposal_cosigners(proposal=p)]
    out.events = [EventOut.from_orm(e) for e in selectors.proposal_events(proposal=p)]
    return out


# --- delegates, departments and members ---------------------------------------------------------------------


@router.post("/mine", response={201: ProposalDetailOut, **ERRORS}, summary="Make a proposal")
def mine_submit(request: HttpRequest, data: ProposalIn) -> Any:
    """By a serving delegate of the congress, for one of its meetings that has not closed (or none)."""
    delegate = own_delegateships(user=request.user).filter(congress_id=data.congress_id).first()
    if delegate is None:
        raise ServiceError(
            "not_delegate", _("Only a serving delegate of this congress can submit a proposal."), status=403
        )
    meeting = None
    if data.meeting_id:
        meeting = Meeting.objects.filter(pk=data.meeting_id, congress_id=data.congress_id).first()
        if meeting is None:
            raise ServiceError(
                "invalid_meeting",
                _("Choose a meeting of this congress that has not closed."),
                field="meeting_id",
            )
    p = services.proposal_submit(
        user=request.user,
        congress=delegate.congress,
        meeting=meeting,
        data=services.ProposalInput(
            title=data.title, category=data.category, reasons=data.reasons, measures=data.measures
        ),
    )
    return Status(201, _detail(p))


@router.get("/mine", response=list[ProposalOut], summary="My proposals")
def mine_list(request: HttpRequest) -> Any:
    return list(selectors.own_proposals(user=request.user)[:200])


@router.get("/delegate/to-cosign", response=list[ProposalOut], summary="Colleagues' proposals to co-sign")
def to_cosign(request: HttpRequest) -> Any:
    return list(selectors.proposals_to_cosign(user=request.user)[:200])


@router.get(
    "/department/to-answer", response=list[ProposalOut], summary="Proposals my department must answer"
)
def to_answer(request: HttpRequest) -> Any:
    return list(selectors.proposals_to_answer(user=request.user)[:200])


def _portal(request: HttpRequest, proposal_id: int) -> Proposal:
    return selectors.proposal_for_portal(user=request.user, proposal_id=proposal_id)


@router.get(
    "/portal/{proposal_id}", response={200: ProposalDetailOut, 404: ErrorOut}, summary="A proposal I may read"
)
def portal_detail(request: HttpRequest, proposal_id: int) -> Any:
    """For a serving delegate of its congress, or the contact person of the department it is assigned to."""
    return _detail(_portal(request, proposal_id))


@router.post("/portal/{proposal_id}/cosign", response={200: ProposalDetailOut, **ERRORS}, summary="Co-sign")
def portal_cosign(request: HttpRequest, proposal_id: int) -> Any:
    return _detail(services.proposal_cosign(user=request.user, proposal=_portal(request, proposal_id)))


@router.post(
    "/portal/{proposal_id}/withdraw", response={200: ProposalDetailOut, **ERRORS}, summary="Withdraw mine"
)
def portal_withdraw(request: HttpRequest, proposal_id: int, data: ReasonIn) -> Any:
    return _detail(
        services.proposal_withdraw(
            user=request.user, proposal=_portal(request, proposal_id), reason=data.reason
        )
    )


@router.post(
    "/portal/{proposal_id}/rate", response={200: ProposalDetailOut, **ERRORS}, summary="Rate the answer"
)
def portal_rate(request: HttpRequest, proposal_id: int, data: RateIn) -> Any:
    p = services.proposal_rate(
        user=request.user,
        proposal=_portal(request, proposal_id),
        satisfaction=data.satisfaction,
        comment=data.comment,
    )
    return _detail(p)


@router.post(
    "/portal/{proposal_id}/answer", response={200: ProposalDetailOut, **ERRORS}, summary="Answer (department)"
)
def portal_answer(request: HttpRequest, proposal_id: int, data: AnswerIn) -> Any:
    return _detail(
        services.proposal_answer(actor=request.user, proposal=_portal(request, proposal_id), text=data.text)
    )


@router.get("/reports/published", response=list[PublishedReportOut], summary="Published reports of my union")
def published_reports(request: HttpRequest) -> Any:
    return list(selectors.reports_for_member(user=request.user)[:20])


# --- departments and the report -------------------------------------------------------------------------------


@router.get(
    "/departments/{org_id}", response={200: list[DepartmentOut], **ERRORS}, summary="A union's departments"
)
def department_list(request: HttpRequest, org_id: int) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return list(selectors.departments(org=org))


@router.post("/departments", response={201: DepartmentOut, **ERRORS}, summary="Add a department")
def department_add(request: HttpRequest, data: DepartmentIn) -> Any:
    org = org_get(actor=request.user, org_id=data.org_id, perm=MANAGE)
    contact = None
    if data.contact_user_id:
        from gonghui.accounts.models import User

        contact = User.objects.filter(pk=data.contact_user_id, is_active=True).first()
        if contact is None:
            raise ServiceError("unknown_account", _("No such account."), field="contact_user_id")
    return Status(201, services.department_add(actor=request.user, org=org, name=data.name, contact=contact))


def _congress(request: HttpRequest, congress_id: int) -> Any:
    return selectors.congress_for_report(actor=request.user, congress_id=congress_id)


@router.get("/report/{congress_id}", response={200: ReportOut, **ERRORS}, summary="The report on proposals")
def report(request: HttpRequest, congress_id: int, since_last_meeting: bool = False) -> Any:
    congress = _congress(request, congress_id)
    since = services.report_since(congress) if since_last_meeting else None
    rows, totals = services.report_rows(congress, since)
    return {"congress_id": congress.pk, "since": since, "totals": totals, "rows": rows}


@router.post(
    "/report/{congress_id}/publish",
    response={201: PublishedReportOut, **ERRORS},
    summary="Publish the report",
)
def report_publish(request: HttpRequest, congress_id: int, since_last_meeting: bool = False) -> Any:
    """To the union's members, as a snapshot; audited."""
    congress = _congress(request, congress_id)
    return Status(
        201,
        services.proposal_report_publish(
            actor=request.user, congress=congress, since_last_meeting=since_last_meeting
        ),
    )


@router.get(
    "/report/{congress_id}/{fmt}", response={200: None, **ERRORS}, summary="The report as PDF or workbook"
)
def report_file(request: HttpRequest, congress_id: int, fmt: str, since_last_meeting: bool = False) -> Any:
    if fmt not in ("pdf", "xlsx"):
        raise NotFound()
    congress = _congress(request, congress_id)
    since = services.report_since(congress) if since_last_meeting else None
    with translation.override("zh-hans"):
        rows, totals = services.report_rows(congress, since)
        if fmt == "pdf":
            data = documents.report_pdf(congress=congress, rows=rows, totals=totals, since=since)
            content_type = "application/pdf"
        else:
            data = documents.report_xlsx(congress=congress, rows=rows)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    log_action(
        actor=request.user,
        action="gonghui.proposal.report_downloaded",
        obj=congress,
        org_path=congress.org.path,
        data={"format": fmt},
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="proposals-{congress.pk}.{fmt}"'
    return response


# --- the committee ---------------------------------------------------------------------------------------------


def _get(request: HttpRequest, proposal_id: int) -> Proposal:
    return selectors.proposal_get(actor=request.user, proposal_id=proposal_id)


@router.post("/record", response={201: ProposalDetailOut, **ERRORS}, summary="Record a paper proposal")
def record(request: HttpRequest, data: PaperProposalIn) -> Any:
    """The committee's secretariat records a proposal a delegate handed in on the paper form."""
    congress = _congress(request, data.congress_id)
    delegate = selectors.serving_delegates(congress=congress).filter(pk=data.delegate_id).first()
    if delegate is None:
        require(actor=request.user, perm=MANAGE, org=congress.org)
        raise ServiceError(
            "not_delegate", _("Choose a serving delegate of this congress."), field="delegate_id"
        )
    meeting = (
        selectors.open_meetings(congress=congress).filter(pk=data.meeting_id).first()
        if data.meeting_id
        else None
    )
    p = services.proposal_record(
        actor=request.user,
        congress=congress,
        delegate=delegate,
        meeting=meeting,
        data=services.ProposalInput(
            title=data.title, category=data.category, reasons=data.reasons, measures=data.measures
        ),
    )
    return Status(201, _detail(p))


@router.get("/queue", response={200: list[ProposalOut], **ERRORS}, summary="Proposals of my unions")
@paginate(LimitOffsetPagination)
def queue(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    org_id: int | None = None,
    status: str = Query("", description='"open", a status, or empty for all'),
    congress_id: int | None = None,
    q: str = "",
):
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW) if org_id else None
    return selectors.proposal_queue(
        actor=request.user, org=org, status=status, congress_id=congress_id, q=q[:60]
    )


@router.get("/{proposal_id}", response={200: ProposalDetailOut, **ERRORS}, summary="One proposal")
def detail(request: HttpRequest, proposal_id: int) -> Any:
    return _detail(_get(request, proposal_id))


@router.post(
    "/{proposal_id}/decide", response={200: ProposalDetailOut, **ERRORS}, summary="The committee's decision"
)
def decide(request: HttpRequest, proposal_id: int, data: DecisionIn) -> Any:
    """accept (立案), convert (makes exactly one rationalisation suggestion) or reject (with a reason)."""
    p = _get(request, proposal_id)
    if data.decision == "accept":
        p = services.proposal_accept(actor=request.user, proposal=p, note=data.note)
    elif data.decision == "convert":
        p = services.proposal_convert(actor=request.user, proposal=p, note=data.note)
    elif data.decision == "reject":
        p = services.proposal_reject(actor=request.user, proposal=p, reason=data.note)
    else:
        require(actor=request.user, perm=MANAGE, org=p.org)
        raise ServiceError("invalid_decision", _("Choose accept, convert or reject."), field="decision")
    return _detail(p)


def _department(p: Proposal, department_id: int) -> Any:
    return selectors.departments(org=p.org, active_only=True).filter(pk=department_id).first()


@router.post(
    "/{proposal_id}/assign", response={200: ProposalDetailOut, **ERRORS}, summary="Assign to a department"
)
def assign(request: HttpRequest, proposal_id: int, data: AssignIn) -> Any:
    p = _get(request, proposal_id)
    p = services.proposal_assign(
        actor=request.user, proposal=p, department=_department(p, data.department_id), workdays=data.workdays
    )
    return _detail(p)


@router.post(
    "/{proposal_id}/reassign", response={200: ProposalDetailOut, **ERRORS}, summary="Assign again (once)"
)
def reassign(request: HttpRequest, proposal_id: int, data: AssignIn) -> Any:
    p = _get(request, proposal_id)
    p = services.proposal_reassign(
        actor=request.user,
        proposal=p,
        department=_department(p, data.department_id),
        workdays=data.workdays,
        note=data.note,
    )
    return _detail(p)


@router.post(
    "/{proposal_id}/cosign-record",
    response={200: ProposalDetailOut, **ERRORS},
    summary="Record a paper co-signature",
)
def cosign_record(request: HttpRequest, proposal_id: int, data: DelegateIn) -> Any:
    p = _get(request, proposal_id)
    delegate = selectors.serving_delegates(congress=p.congress).filter(pk=data.delegate_id).first()
    if delegate is None:
        require(actor=request.user, perm=MANAGE, org=p.org)
        raise ServiceError(
            "not_delegate", _("Choose a serving delegate of this congress."), field="delegate_id"
        )
    return _detail(services.proposal_cosign_record(actor=request.user, proposal=p, delegate=delegate))


@router.post(
    "/{proposal_id}/rate-record", response={200: ProposalDetailOut, **ERRORS}, summary="Record paper feedback"
)
def rate_record(request: HttpRequest, proposal_id: int, data: RateIn) -> Any:
    """The satisfaction a proposer without an account gave on the paper feedback form."""
    p = _get(request, proposal_id)
    return _detail(
        services.proposal_rate_record(
            actor=request.user, proposal=p, satisfaction=data.satisfaction, comment=data.comment
        )
    )


@router.post("/{proposal_id}/answer", response={200: ProposalDetailOut, **ERRORS}, summary="Enter the answer")
def answer(request: HttpRequest, proposal_id: int, data: AnswerIn) -> Any:
    p = _get(request, proposal_id)
    return _detail(services.proposal_answer(actor=request.user, proposal=p, text=data.text))
