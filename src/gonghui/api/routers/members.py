"""The membership API (DOMAIN §2): joining, review, members, transfers, status, lapse, dues, rules, imports.

Three kinds of caller use it. Anyone may look up unions, ask for a verification code and check a member
card. A logged-in worker applies, follows the application and reads their own membership. Cadres work in
their scope: an object outside it is a 404, a role that does not allow the action a 403. ID and mobile
numbers are always masked; the full value only through the audited reveal endpoint.
"""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Path, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.accounts.services import sms_code_request
from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.masking import mask_name
from gonghui.core.reveal import reveal
from gonghui.members import imports, selectors, services
from gonghui.members.models import Application, ImportJob, Member, MemberPolicy, MemberStatus, Transfer
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can, org_get

from .member_schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationOut,
    ApproveIn,
    ArrearsOut,
    BatchApproved,
    BatchFailed,
    BatchIn,
    BatchOut,
    CardCheckOut,
    CommitIn,
    CountsOut,
    DuesIn,
    DuesOut,
    EmployerOut,
    EventOut,
    ImportOut,
    JoinCodeIn,
    LapseOut,
    MemberCreateIn,
    MemberDetailOut,
    MemberOut,
    MembershipOut,
    MemberUpdateIn,
    NoteIn,
    OrgRef,
    OwnApplicationOut,
    PersonIn,
    PolicyIn,
    PolicyOut,
    ProblemOut,
    ReasonIn,
    RerouteIn,
    RevealIn,
    RevealOut,
    SentOut,
    StatusIn,
    StepOut,
    TransferIn,
    TransferOut,
    UnionOut,
    label,
    money,
)

router = Router(tags=["members"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
PUBLIC_ERRORS = {400: ErrorOut, 404: ErrorOut, 429: ErrorOut, 503: ErrorOut}


def _org(org_id: int | None, request: HttpRequest) -> Org | None:
    """An org filter from a query parameter: in scope or 404."""
    return org_get(actor=request.user, org_id=org_id) if org_id else None


# --- public ------------------------------------------------------------------------------------------------


@router.get("/employers", response=list[EmployerOut], auth=None, summary="Find an employer's union")
def employer_list(request: HttpRequest, q: str = "") -> Any:
    """Grassroots and joint unions by the employer's name or credit code (two characters at least), for the
    join form. Only the id, name and credit code are given."""
    return list(selectors.employer_search(q=q[:60]))


@router.get("/platforms", response=list[OrgRef], auth=None, summary="List platform companies' unions")
def platform_list(request: HttpRequest) -> Any:
    return list(selectors.platform_orgs())


@router.get("/unions", response=list[UnionOut], auth=None, summary="Find a union to join near you")
def union_list(request: HttpRequest, q: str = "", division_code: str = "") -> Any:
    """Unions that hold members: grassroots, joint, street, park and branch unions."""
    return list(selectors.holding_orgs(q=q[:60], division_code=division_code[:6]))


@router.post(
    "/join/code",
    response={202: SentOut, **PUBLIC_ERRORS},
    auth=None,
    summary="Send a code to confirm a mobile",
)
def join_code(request: HttpRequest, data: JoinCodeIn) -> Any:
    """Send a one-time code to the mobile number an applicant gives; too many requests are refused (429)."""
    sms_code_request(mobile=data.mobile, verify=True)
    return Status(202, {"sent": True})


@router.get(
    "/cards/{code}", response={200: CardCheckOut, 404: ErrorOut}, auth=None, summary="Check a member card"
)
def card_check(request: HttpRequest, code: str) -> Any:
    """What a QR scan of a member card shows: the masked name, the union, the status and whether the card is
    valid. A code that was not issued by this platform is a 404."""
    member = selectors.member_by_card_code(code[:40])
    if member is None:
        raise ServiceError("card_not_found", _("This is not a valid member card."), status=404)
    return CardCheckOut(
        valid=member.is_live,
        number=member.number,
        name=mask_name(member.name),
        union=member.org.name,
        status=member.status,
        status_label=label(MemberStatus, member.status),
    )


# --- the applicant and the member --------------------------------------------------------------------------


def _own_application(request: HttpRequest, application: Application) -> OwnApplicationOut:
    out = OwnApplicationOut.from_orm(application)
    steps = selectors.application_steps(application=application, for_applicant=True)
    out.timeline = [StepOut.from_orm(s) for s in steps]
    return out


@router.post("/applications", response={201: OwnApplicationOut, **ERRORS}, summary="Apply to join")
def application_submit(request: HttpRequest, data: ApplicationIn) -> Any:
    """A logged-in worker applies. The application is routed to the union that should handle it, and the
    answer says which and why. A mobile number other than the account's needs the code from join/code."""
    employer = (
        selectors.public_org_get(org_id=data.employer_org_id, field="employer_org_id", holding=True)
        if data.employer_org_id
        else None
    )
    platform = (
        selectors.public_org_get(org_id=data.platform_org_id, field="platform_org_id", platform=True)
        if data.platform_org_id
        else None
    )
    preferred = (
        selectors.public_org_get(org_id=data.preferred_org_id, field="preferred_org_id", holding=True)
        if data.preferred_org_id
        else None
    )
    app = services.application_join(
        user=request.user,
        values=data.dict(include=set(PersonIn.model_fields)),
        consent=data.consent,
        code=data.code,
        employer_org=employer,
        platform_org=platform,
        chosen_org=preferred,
    )
    return Status(
        201,
        _own_application(request, selectors.own_application_get(user=request.user, application_id=app.pk)),
    )


@router.get("/applications/mine", response=list[OwnApplicationOut], summary="My applications")
def own_application_list(request: HttpRequest) -> Any:
    return list(selectors.own_applications(user=request.user).select_related("member"))


@router.get(
    "/applications/mine/{application_id}",
    response={200: OwnApplicationOut, 404: ErrorOut},
    summary="Follow my application",
)
def own_application_detail(request: HttpRequest, application_id: int) -> Any:
    """The progress timeline (进度查询) and why the application went where it did."""
    return _own_application(
        request, selectors.own_application_get(user=request.user, application_id=application_id)
    )


@router.post(
    "/applications/mine/{application_id}/withdraw",
    response={200: OwnApplicationOut, **ERRORS},
    summary="Withdraw my application",
)
def own_application_withdraw(request: HttpRequest, application_id: int) -> Any:
    app = selectors.own_application_get(user=request.user, application_id=application_id)
    services.application_withdraw(user=request.user, application=app)
    return _own_application(
        request, selectors.own_application_get(user=request.user, application_id=application_id)
    )


def _own_live_member(request: HttpRequest) -> Member:
    member = selectors.own_live_member(user=request.user)
    if member is None:
        raise ServiceError("not_a_member", _("You have no membership yet."), status=404)
    return member


@router.get(
    "/membership/mine", response={200: MembershipOut, 404: ErrorOut}, summary="My membership and card"
)
def own_membership(request: HttpRequest) -> Any:
    """The live membership: the card's number, union and status, the code printed in its QR and the public
    address that checks it, and the transfers."""
    member = _own_live_member(request)
    out = MembershipOut.from_orm(member)
    out.card_code = selectors.card_code(member.number)
    out.verify_url = request.build_absolute_uri(reverse("portal:card_verify", args=[out.card_code]))
    out.transfers = [
        TransferOut.from_orm(t)
        for t in selectors.own_transfers(user=request.user).select_related("member")[:20]
    ]
    return out


@router.post(
    "/membership/mine/transfer",
    response={201: TransferOut, **ERRORS},
    summary="Move my membership to a new union",
)
def own_transfer_start(request: HttpRequest, data: TransferIn) -> Any:
    """A member with a new job asks the union of the new workplace to take the membership over."""
    member = _own_live_member(request)
    to_org = selectors.public_org_get(org_id=data.to_org_id, field="to_org_id", holding=True)
    transfer = services.transfer_start(
        actor=request.user,
        member=member,
        to_org=to_org,
        reason=data.reason,
        new_employer_name=data.new_employer_name,
        new_employer_uscc=data.new_employer_uscc,
    )
    return Status(201, selectors.own_transfer_get(user=request.user, transfer_id=transfer.pk))


# --- review ------------------------------------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut], summary="Applications to review")
@paginate(LimitOffsetPagination)
def application_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    org_id: int | None = None,
    status: str = Application.Status.PENDING,
    due: str = Query("", pattern=r"^(overdue|soon|escalated)?$", description="overdue, soon or escalated"),
    employment_form: str = "",
    q: str = "",
):
    """The review queue of the caller's unions, soonest deadline first. `status` empty lists every state."""
    return selectors.application_queue(
        actor=request.user,
        org=_org(org_id, request),
        status=status,
        due=due,
        employment_form=employment_form,
        q=q[:60],
    )


# Registered before /applications/{application_id}, which would otherwise take "batch-approve" as its id.
@router.post("/applications/batch-approve", response={200: BatchOut, **ERRORS}, summary="Approve several")
def application_batch_approve(request: HttpRequest, data: BatchIn) -> Any:
    """Each application is approved on its own; the answer lists the approved ones and, for the rest, why not
    (ids outside the caller's scope are reported as not found)."""
    wanted = list(dict.fromkeys(data.ids))
    apps: list[Application] = []
    refused: list[BatchFailed] = []
    denied: PermissionDenied | None = None
    for app_id in wanted:
        try:
            apps.append(selectors.application_get(actor=request.user, application_id=app_id))
        except PermissionDenied as exc:
            denied = exc
            refused.append(BatchFailed(application_id=app_id, reason=str(exc.message)))
        except NotFound as exc:
            refused.append(BatchFailed(application_id=app_id, reason=str(exc.message)))
    if not apps and denied is not None:
        raise denied  # a role that may review none of them: refused as a whole
    result = services.applications_approve_batch(actor=request.user, applications=apps)
    failed_ids = {a.pk for a, _reason in result.failed}
    approved_apps = [a for a in apps if a.pk not in failed_ids]
    return BatchOut(
        approved=[
            BatchApproved(application_id=a.pk, member_id=m.pk, number=m.number)
            for a, m in zip(approved_apps, result.approved, strict=True)
        ],
        failed=[BatchFailed(application_id=a.pk, reason=r) for a, r in result.failed] + refused,
    )


def _application_detail(request: HttpRequest, application_id: int) -> ApplicationDetailOut:
    app = selectors.application_get(actor=request.user, application_id=application_id, review=False)
    out = ApplicationDetailOut.from_orm(app)
    out.timeline = [StepOut.from_orm(s) for s in selectors.application_steps(application=app)]
    return out


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="One application",
)
def application_detail(request: HttpRequest, application_id: int) -> Any:
    return _application_detail(request, application_id)


@router.post(
    "/applications/{application_id}/approve",
    response={200: MemberOut, **ERRORS},
    summary="Approve an application",
)
def application_approve(request: HttpRequest, application_id: int, data: ApproveIn) -> Any:
    """Approve: the applicant becomes a member with a number and a card. A union that holds no members (a
    district) names the holding union to place the member in."""
    app = selectors.application_get(actor=request.user, application_id=application_id)
    place_in = _org(data.place_in_org_id, request)
    member = services.application_approve(actor=request.user, application=app, place_in=place_in)
    return selectors.member_get(actor=request.user, member_id=member.pk)


@router.post(
    "/applications/{application_id}/reject",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="Reject an application",
)
def application_reject(request: HttpRequest, application_id: int, data: ReasonIn) -> Any:
    """The reason is required and the applicant is told it."""
    app = selectors.application_get(actor=request.user, application_id=application_id)
    services.application_reject(actor=request.user, application=app, reason=data.reason)
    return _application_detail(request, application_id)


@router.post(
    "/applications/{application_id}/reroute",
    response={200: OwnApplicationOut, **ERRORS},
    summary="Pass an application to another union",
)
def application_reroute(request: HttpRequest, application_id: int, data: RerouteIn) -> Any:
    """With a reason the applicant reads; the new union gets a fresh deadline. The application may leave the
    caller's scope, so the answer is the applicant's view of it."""
    app = selectors.application_get(actor=request.user, application_id=application_id)
    org = selectors.public_org_get(org_id=data.org_id, field="org_id")
    app = services.application_reroute(actor=request.user, application=app, org=org, reason=data.reason)
    out = OwnApplicationOut.from_orm(app)
    out.timeline = [
        StepOut.from_orm(s) for s in selectors.application_steps(application=app, for_applicant=True)
    ]
    return out


# --- members -----------------------------------------------------------------------------------------------


def _member_detail(request: HttpRequest, member_id: int) -> MemberDetailOut:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    out = MemberDetailOut.from_orm(member)
    out.history = [EventOut.from_orm(e) for e in selectors.member_events(member=member)]
    return out


@router.get("/members", response=list[MemberOut], summary="Search members")
@paginate(LimitOffsetPagination)
def member_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    q: str = "",
    org_id: int | None = None,
    status: str = "",
    employment_form: str = "",
):
    """Members in the caller's scope. `q` is a name (characters, pinyin or initials), a member number, the
    last four characters of an ID number, or a full ID or mobile number (found by blind index). `status`
    "live" means active, retained or being transferred."""
    return selectors.member_search(
        actor=request.user,
        q=q[:60],
        org=_org(org_id, request),
        status=status,
        employment_form=employment_form,
    )


@router.post("/members", response={201: MemberDetailOut, **ERRORS}, summary="Enter a member")
def member_create(request: HttpRequest, data: MemberCreateIn) -> Any:
    """A cadre enters a member whose paper application the committee approved."""
    org = org_get(actor=request.user, org_id=data.org_id)
    person = services.person_clean(**data.dict(include=set(PersonIn.model_fields)), mobile_required=False)
    member = services.member_create(actor=request.user, org=org, person=person, joined_on=data.joined_on)
    return Status(201, _member_detail(request, member.pk))


@router.get("/members/{member_id}", response={200: MemberDetailOut, 404: ErrorOut}, summary="One member")
def member_detail(request: HttpRequest, member_id: int) -> Any:
    """The member, numbers masked, with the history of joining, transfers and status changes."""
    return _member_detail(request, member_id)


@router.patch(
    "/members/{member_id}", response={200: MemberDetailOut, **ERRORS}, summary="Change a member's details"
)
def member_update(request: HttpRequest, member_id: int, data: MemberUpdateIn) -> Any:
    """Contact and work details; fields left out stay. Name and ID number change only by a correction request."""
    member = selectors.member_get(actor=request.user, member_id=member_id)
    changes = data.dict(exclude_unset=True)
    if changes:
        services.member_update(actor=request.user, member=member, **changes)
    return _member_detail(request, member_id)


@router.post(
    "/members/{member_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="Show an ID or mobile number in full",
)
def member_reveal(request: HttpRequest, response: HttpResponse, member_id: int, data: RevealIn) -> Any:
    """Needs the permission to reveal at the member's union and a reason; every reveal, and every refusal, is
    in the audit log. The answer must not be cached."""
    member = selectors.member_get(actor=request.user, member_id=member_id)
    value = reveal(
        actor=request.user,
        obj=member,
        field=data.field,
        reason=data.reason,
        permission_check=lambda actor, _obj: actor_can(actor, "member.reveal", member.org),
    )
    response["Cache-Control"] = "no-store"
    return RevealOut(field=data.field, value=value)


@router.post(
    "/members/{member_id}/status", response={200: MemberDetailOut, **ERRORS}, summary="Change status"
)
def member_status(request: HttpRequest, member_id: int, data: StatusIn) -> Any:
    """Retain (retired or unemployed), reactivate, record a written withdrawal, or expel with the member
    meeting's decision. Every change is kept in the history."""
    member = selectors.member_get(actor=request.user, member_id=member_id)
    services.member_status_change(
        actor=request.user,
        member=member,
        status=data.status,
        reason=data.reason,
        retained_reason=data.retained_reason,
        decision=data.decision,
    )
    return _member_detail(request, member_id)


@router.post(
    "/members/{member_id}/transfer", response={201: TransferOut, **ERRORS}, summary="Transfer a member out"
)
def member_transfer(request: HttpRequest, member_id: int, data: TransferIn) -> Any:
    """The losing union asks another union to take the membership over; the receiving union decides."""
    member = selectors.member_get(actor=request.user, member_id=member_id)
    to_org = selectors.public_org_get(org_id=data.to_org_id, field="to_org_id", holding=True)
    transfer = services.transfer_start(
        actor=request.user,
        member=member,
        to_org=to_org,
        reason=data.reason,
        new_employer_name=data.new_employer_name,
        new_employer_uscc=data.new_employer_uscc,
    )
    return Status(201, selectors.transfer_get(actor=request.user, transfer_id=transfer.pk))


# --- transfers ---------------------------------------------------------------------------------------------


@router.get("/transfers", response=list[TransferOut], summary="Transfers into or out of my unions")
@paginate(LimitOffsetPagination)
def transfer_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    direction: str = Query("in", pattern=r"^(in|out)$", description="in or out"),
    status: str = Transfer.Status.PENDING,
):
    """ "in": transfers awaiting the decision of the caller's unions; "out": transfers out of them."""
    return selectors.transfer_queue(actor=request.user, direction=direction, status=status)


@router.post(
    "/transfers/{transfer_id}/accept", response={200: TransferOut, **ERRORS}, summary="Accept a transfer in"
)
def transfer_accept(request: HttpRequest, transfer_id: int, data: NoteIn) -> Any:
    transfer = selectors.transfer_get(actor=request.user, transfer_id=transfer_id)
    services.transfer_accept(actor=request.user, transfer=transfer, note=data.note)
    return selectors.transfer_get(actor=request.user, transfer_id=transfer_id)


@router.post(
    "/transfers/{transfer_id}/reject", response={200: TransferOut, **ERRORS}, summary="Refuse a transfer in"
)
def transfer_reject(request: HttpRequest, transfer_id: int, data: ReasonIn) -> Any:
    """The reason is required and the member is told it; the membership stays where it was."""
    transfer = selectors.transfer_get(actor=request.user, transfer_id=transfer_id)
    services.transfer_reject(actor=request.user, transfer=transfer, reason=data.reason)
    return selectors.transfer_get(actor=request.user, transfer_id=transfer_id)


def _transfer_for_cancel(request: HttpRequest, transfer_id: int) -> Transfer:
    """The member's own transfer, or one in the caller's scope as a cadre."""
    try:
        return selectors.own_transfer_get(user=request.user, transfer_id=transfer_id)
    except NotFound:
        return selectors.transfer_get(actor=request.user, transfer_id=transfer_id)


@router.post(
    "/transfers/{transfer_id}/cancel", response={200: TransferOut, **ERRORS}, summary="Cancel a transfer"
)
def transfer_cancel(request: HttpRequest, transfer_id: int, data: NoteIn) -> Any:
    """By the member it concerns or by the losing union, while the receiving union has not decided."""
    transfer = _transfer_for_cancel(request, transfer_id)
    services.transfer_cancel(actor=request.user, transfer=transfer, note=data.note)
    return _transfer_for_cancel(request, transfer_id)


# --- lapse -------------------------------------------------------------------------------------------------


@router.get("/lapse-proposals", response=list[LapseOut], summary="Members proposed as treated as withdrawn")
@paginate(LimitOffsetPagination)
def lapse_list(request: HttpRequest, org_id: int | None = None):  # type: ignore[no-untyped-def]
    """Members with six months (by the union's rules) of neither dues nor participation, for a cadre to
    confirm after talking to them, or dismiss. Nothing lapses without a decision."""
    return selectors.lapse_proposals(actor=request.user, org=_org(org_id, request))


@router.post(
    "/lapse-proposals/{proposal_id}/confirm", response={200: LapseOut, **ERRORS}, summary="Confirm a lapse"
)
def lapse_confirm(request: HttpRequest, proposal_id: int, data: NoteIn) -> Any:
    """The note records the conversation with the member; it is required."""
    proposal = selectors.lapse_proposal_get(actor=request.user, proposal_id=proposal_id)
    services.lapse_confirm(actor=request.user, proposal=proposal, note=data.note)
    return selectors.lapse_proposal_get(actor=request.user, proposal_id=proposal_id)


@router.post(
    "/lapse-proposals/{proposal_id}/dismiss",
    response={200: LapseOut, **ERRORS},
    summary="Dismiss a lapse proposal",
)
def lapse_dismiss(request: HttpRequest, proposal_id: int, data: NoteIn) -> Any:
    proposal = selectors.lapse_proposal_get(actor=request.user, proposal_id=proposal_id)
    services.lapse_dismiss(actor=request.user, proposal=proposal, note=data.note)
    return selectors.lapse_proposal_get(actor=request.user, proposal_id=proposal_id)


# --- dues --------------------------------------------------------------------------------------------------


@router.get("/members/{member_id}/dues", response=list[DuesOut], summary="A member's dues by month")
@paginate(LimitOffsetPagination)
def dues_list(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    member = selectors.member_get(actor=request.user, member_id=member_id)
    return selectors.member_dues(member=member)


@router.put(
    "/members/{member_id}/dues/{month}",
    response={200: DuesOut, **ERRORS},
    summary="Set a month's wage base or payment",
)
def dues_set(
    request: HttpRequest,
    member_id: int,
    data: DuesIn,
    month: str = Path(..., pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM"),
) -> Any:
    """The wage base sets the dues at the union's rate and rounding; the amount paid replaces the one
    recorded before, so sending it twice never doubles it. Late dues never end a membership."""
    member = selectors.member_get(actor=request.user, member_id=member_id)
    year, mon = (int(part) for part in month.split("-"))
    return services.dues_month_set(
        actor=request.user,
        member=member,
        month=datetime.date(year, mon, 1),
        wage_base=data.wage_base,
        paid=data.paid,
        paid_on=data.paid_on,
    )


@router.get("/arrears", response={200: list[ArrearsOut], **ERRORS}, summary="Members who owe dues")
@paginate(LimitOffsetPagination)
def arrears_list(request: HttpRequest, org_id: int, since: datetime.date | None = None):  # type: ignore[no-untyped-def]
    """Members of the union's subtree with months of more due than paid, the largest debt first. This is a
    report only: it never ends a membership."""
    org = org_get(actor=request.user, org_id=org_id)
    return [
        ArrearsOut(
            member_id=row.member.pk,
            number=row.member.number,
            name=row.member.name,
            org=OrgRef(id=row.member.org.pk, name=row.member.org.name),
            months=row.months,
            owed=money(row.owed) or "0.00",
            last_paid_month=row.last_paid_month,
        )
        for row in selectors.arrears(actor=request.user, org=org, since=since)
    ]


# --- counts and rules --------------------------------------------------------------------------------------


@router.get("/counts", response={200: CountsOut, **ERRORS}, summary="Member counts of a union's subtree")
def counts(request: HttpRequest, org_id: int) -> Any:
    """From the roll-up counters: by status (every membership, history included), by employment form (live
    memberships) and by month joined."""
    org = org_get(actor=request.user, org_id=org_id)
    found = selectors.member_counts(actor=request.user, org=org)
    return CountsOut(
        org_id=org.pk, status=found["status"], employment_form=found["form"], joined=found["joined"]
    )


def _policy_out(org: Org) -> PolicyOut:
    policy = selectors.policy_for(org)
    return PolicyOut(
        org_id=org.pk,
        source_org_id=policy.source_org_id,
        review_workdays=policy.review_workdays,
        transfer_workdays=policy.transfer_workdays,
        remind_workdays_before=policy.remind_workdays_before,
        dues_permille=money(policy.dues_permille) or "0.00",
        dues_rounding=policy.dues_rounding,
        dues_rounding_label=label(MemberPolicy.Rounding, policy.dues_rounding),
        lapse_months=policy.lapse_months,
    )


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="Membership rules in force")
def policy_get(request: HttpRequest, org_id: int) -> Any:
    """The rules that apply to the union: its own, else the nearest ancestor's, else the defaults."""
    return _policy_out(org_get(actor=request.user, org_id=org_id))


@router.put("/policy", response={200: PolicyOut, **ERRORS}, summary="Set a union's membership rules")
def policy_set(request: HttpRequest, org_id: int, data: PolicyIn) -> Any:
    """Rules as data: deadlines, dues rate and rounding, the lapse period. They apply to the whole subtree
    unless a union below sets its own. Fields left out keep their value."""
    org = org_get(actor=request.user, org_id=org_id)
    services.member_policy_set(
        actor=request.user, org=org, **data.dict(exclude_unset=True, exclude_none=True)
    )
    return _policy_out(org)


# --- imports ------------------------------------------------------------------------------------------------

FIRST_PROBLEMS = 50


def _import_out(request: HttpRequest, job_id: int) -> ImportOut:
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    out = ImportOut.from_orm(job)
    out.problems = [ProblemOut.from_orm(p) for p in selectors.import_problems(job=job)[:FIRST_PROBLEMS]]
    return out


@router.post("/imports", response={201: ImportOut, **ERRORS, 413: ErrorOut}, summary="Upload a spreadsheet")
def import_upload(
    request: HttpRequest,
    org_id: Form[int],
    file: File[UploadedFile],
    kind: Form[str] = ImportJob.Kind.MEMBERS,
) -> Any:
    """Store the file and check every row on the task worker (a dry run): follow it at imports/{id}, then
    commit it."""
    org = org_get(actor=request.user, org_id=org_id)
    job = imports.import_start(actor=request.user, org=org, kind=kind, upload=file)
    return Status(201, _import_out(request, job.pk))


@router.get("/imports/{job_id}", response={200: ImportOut, 404: ErrorOut}, summary="Follow an import")
def import_status(request: HttpRequest, job_id: int) -> Any:
    """Status, progress, counts and the first problems (row, column, reason)."""
    return _import_out(request, job_id)


@router.post(
    "/imports/{job_id}/commit", response={200: ImportOut, **ERRORS}, summary="Commit a checked import"
)
def import_commit(request: HttpRequest, job_id: int, data: CommitIn) -> Any:
    """ "all" writes every row or none and is refused while any row has a problem; "valid" writes the valid
    rows. The writing runs on the task worker; follow it at imports/{id}."""
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    imports.import_confirm(actor=request.user, job=job, mode=data.mode)
    return _import_out(request, job_id)
