"""The recuperation API (疗休养, DOMAIN §5).

The member (`/mine`): the published batches their union has places in, whether they may apply and every reason
why not, applying, their applications and giving one back. The union's side: the rules in force, designations
(model worker, front-line post), sites, batches within the spending limit, quotas split down the tree,
allocation by priority after the close, the applications a union's quotas handle (taking a place back,
attendance) and roll-up counts. Reads need "services.view", writes "recuperation.manage" (checked again by the
services); outside scope is a 404, inside it without the role a 403.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.api.scope import union_or_top
from gonghui.core.errors import ServiceError
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can, org_get
from gonghui.recuperation import rules, selectors, services
from gonghui.recuperation.models import (
    Application,
    ApplicationStatus,
    BatchStatus,
)

from .member_schemas import OrgRef
from .recuperation_schemas import (
    ActiveIn,
    AllocationOut,
    ApplicationOut,
    AttendanceIn,
    BatchDetailOut,
    BatchIn,
    BatchOut,
    CancelIn,
    DesignationIn,
    DesignationOut,
    MineBatchDetailOut,
    MineOut,
    MyApplicationDetailOut,
    PolicyIn,
    PolicyOut,
    ProblemOut,
    QuotaIn,
    QuotaOut,
    ReasonIn,
    SiteIn,
    SiteOut,
    StatsOut,
    StatsRowOut,
)

router = Router(tags=["recuperation"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW, MANAGE = selectors.VIEW, selectors.MANAGE


def _org(request: HttpRequest, org_id: int | None, perm: str = VIEW) -> Org:
    return union_or_top(request, org_id, perm)


def _status(value: str, allowed: list[str]) -> str:
    if value and value not in allowed:
        raise ServiceError("invalid_status", _("Unknown status."), field="status")
    return value


def _aware(value: datetime.datetime) -> datetime.datetime:
    """A time sent without an offset is China Standard Time (the deployment's time zone)."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# --- the member ---------------------------------------------------------------------------------------------


@router.get("/mine", response={200: MineOut, **ERRORS}, summary="Batches open to me and my applications")
def mine(request: HttpRequest) -> Any:
    """The published batches with places for my union, the soonest first, with the application window and my
    application's status; my applications, the newest first."""
    member = selectors.live_member(user=request.user)
    return {
        "member_number": member.number if member else None,
        "union": member.org if member else None,
        "batches": list(selectors.member_batches(user=request.user)[:100]),
        "applications": list(selectors.own_applications(user=request.user)[:50]),
    }


@router.get(
    "/mine/batches/{batch_id}", response={200: MineBatchDetailOut, **ERRORS}, summary="A batch open to me"
)
def mine_batch(request: HttpRequest, batch_id: int) -> Any:
    """The batch, whether I may apply now and, if not, every reason (code and translated message)."""
    batch = selectors.member_batch_get(user=request.user, batch_id=batch_id)
    out = MineBatchDetailOut.from_orm(batch)
    out.problems = [
        ProblemOut(code=code, message=message)
        for code, message in services.apply_problems(batch=batch, user=request.user)
    ]
    out.can_apply = not out.problems
    return out


def _my_application(request: HttpRequest, application_id: int) -> MyApplicationDetailOut:
    app = selectors.own_application_get(user=request.user, application_id=application_id)
    policy = selectors.policy_for(app.org)
    out = MyApplicationDetailOut.from_orm(app)
    out.cancel_until = app.batch.starts_on - datetime.timedelta(days=policy.cancel_days_before)
    out.can_cancel = app.status in (ApplicationStatus.APPLIED, ApplicationStatus.WAITING) or (
        app.status == ApplicationStatus.ALLOCATED
        and rules.cancel_allowed(
            today=timezone.localdate(), starts_on=app.batch.starts_on, days_before=policy.cancel_days_before
        )
    )
    return out


@router.post(
    "/mine/batches/{batch_id}/apply", response={201: MyApplicationDetailOut, **ERRORS}, summary="Apply"
)
def mine_apply(request: HttpRequest, batch_id: int) -> Any:
    """Within the window, when eligible; otherwise 409 with the first reason's code (see the batch for all)."""
    app = services.application_submit(user=request.user, batch_id=batch_id)
    return Status(201, _my_application(request, app.pk))


@router.get(
    "/mine/applications/{application_id}",
    response={200: MyApplicationDetailOut, **ERRORS},
    summary="One of my applications",
)
def mine_application(request: HttpRequest, application_id: int) -> Any:
    return _my_application(request, application_id)


@router.post(
    "/mine/applications/{application_id}/cancel",
    response={200: MyApplicationDetailOut, **ERRORS},
    summary="Cancel my application",
)
def mine_cancel(request: HttpRequest, application_id: int, data: CancelIn) -> Any:
    """A place can be given back until the cut-off before the start; the waiting list moves up."""
    services.application_cancel(user=request.user, application_id=application_id, reason=data.reason)
    return _my_application(request, application_id)


# --- rules and designations ---------------------------------------------------------------------------------


def _policy_out(org: Org) -> PolicyOut:
    p = selectors.policy_for(org)
    values = {name: getattr(p, name) for name in services.POLICY_FIELDS}
    return PolicyOut(
        org=OrgRef(id=org.pk, name=org.name),
        source=OrgRef(id=p.org.pk, name=p.org.name) if p.pk else None,
        **values,
    )


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="Recuperation rules in force")
def policy_get(request: HttpRequest, org_id: int | None = None) -> Any:
    """The union's own rules, else the nearest union's above it, else the defaults."""
    return _policy_out(_org(request, org_id))


@router.put("/policy", response={200: PolicyOut, **ERRORS}, summary="Set a union's recuperation rules")
def policy_set(request: HttpRequest, data: PolicyIn, org_id: int | None = None) -> Any:
    """They apply to the unions below it unless they set their own. Rules left out keep the value in force."""
    org = _org(request, org_id, MANAGE)
    in_force = selectors.policy_for(org)
    given = data.dict(exclude_none=True)
    values = {name: given.get(name, getattr(in_force, name)) for name in services.POLICY_FIELDS}
    services.recuperation_policy_set(actor=request.user, org=org, **values)
    return _policy_out(org)


@router.get("/designations", response={200: list[DesignationOut], **ERRORS}, summary="Designations")
@paginate(LimitOffsetPagination)
def designations(request: HttpRequest, org_id: int | None = None):  # type: ignore[no-untyped-def]
    """Model workers and front-line posts of the members of a union's subtree."""
    return selectors.member_designations(actor=request.user, org=_org(request, org_id))


@router.post("/designations", response={201: DesignationOut, **ERRORS}, summary="Record a designation")
def designation_add(request: HttpRequest, data: DesignationIn) -> Any:
    """A live member in the caller's scope by member number; recording the same kind again updates it."""
    member = selectors.member_by_number(actor=request.user, number=data.member_number)
    if member is None:
        raise ServiceError("unknown_member", _("No such member in your scope."), field="member_number")
    row = services.designation_add(
        actor=request.user, member=member, kind=data.kind, title=data.title, year=data.year
    )
    return Status(201, selectors.designation_get(actor=request.user, designation_id=row.pk))


@router.delete(
    "/designations/{designation_id}", response={204: None, **ERRORS}, summary="Remove a designation"
)
def designation_remove(request: HttpRequest, designation_id: int) -> Any:
    row = selectors.designation_get(actor=request.user, designation_id=designation_id, perm=MANAGE)
    services.designation_remove(actor=request.user, designation=row)
    return Status(204, None)


# --- sites --------------------------------------------------------------------------------------------------


@router.get("/sites", response={200: list[SiteOut], **ERRORS}, summary="Sites")
@paginate(LimitOffsetPagination)
def sites(request: HttpRequest, org_id: int | None = None):  # type: ignore[no-untyped-def]
    """Sites of a union's subtree, those in use first, with their number of batches."""
    return selectors.site_list(actor=request.user, org=_org(request, org_id))


@router.post("/sites", response={201: SiteOut, **ERRORS}, summary="Add a site")
def site_create(request: HttpRequest, data: SiteIn) -> Any:
    org = _org(request, data.org_id, MANAGE)
    site = services.site_create(actor=request.user, org=org, **data.dict(exclude={"org_id"}))
    return Status(201, selectors.site_list(actor=request.user, org=org).get(pk=site.pk))


@router.post(
    "/sites/{site_id}/active", response={200: SiteOut, **ERRORS}, summary="Retire or reinstate a site"
)
def site_active(request: HttpRequest, site_id: int, data: ActiveIn) -> Any:
    """A retired site takes no new batches; the batches already planned there go on."""
    site = selectors.site_get(actor=request.user, site_id=site_id, perm=MANAGE)
    services.site_set_active(actor=request.user, site=site, active=data.active)
    return selectors.site_list(actor=request.user, org=site.org).get(pk=site.pk)


# --- batches and quotas -------------------------------------------------------------------------------------


def _batch_detail(request: HttpRequest, batch_id: int) -> BatchDetailOut:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    out = BatchDetailOut.from_orm(batch)
    out.quotas = [_quota_out(request, q) for q in selectors.batch_quotas(actor=request.user, batch=batch)]
    return out


def _quota_out(request: HttpRequest, quota: Any) -> QuotaOut:
    out = QuotaOut.from_orm(quota)
    out.can_manage = actor_can(request.user, MANAGE, quota.org)
    return out


@router.get("/batches", response={200: list[BatchOut], **ERRORS}, summary="Batches")
@paginate(LimitOffsetPagination)
def batches(  # type: ignore[no-untyped-def]
    request: HttpRequest, org_id: int | None = None, year: int | None = None, status: str = ""
):
    """Batches organised in a union's subtree or with places held there, with applications, places allocated
    and the waiting list counted."""
    org = _org(request, org_id)
    status = _status(status, BatchStatus.values)
    return selectors.batch_list(actor=request.user, org=org, year=year, status=status)


@router.post("/batches", response={201: BatchDetailOut, **ERRORS}, summary="Plan a batch")
def batch_create(request: HttpRequest, data: BatchIn) -> Any:
    """A draft at a site of the caller's union, within the spending limit per person per day and the number of
    days in force; the organiser holds the whole capacity as its quota."""
    site = selectors.site_get(actor=request.user, site_id=data.site_id, perm=MANAGE)
    values = data.dict(exclude={"site_id"})
    values["opens_at"], values["closes_at"] = _aware(data.opens_at), _aware(data.closes_at)
    batch = services.batch_create(actor=request.user, site=site, data=services.BatchInput(**values))
    return Status(201, _batch_detail(request, batch.pk))


@router.get("/batches/{batch_id}", response={200: BatchDetailOut, **ERRORS}, summary="One batch")
def batch_detail(request: HttpRequest, batch_id: int) -> Any:
    """The plan, its counts and the quotas the caller sees, each with places given down, allocated and waiting
    and whether the caller may split or allocate it."""
    return _batch_detail(request, batch_id)


@router.post("/batches/{batch_id}/publish", response={200: BatchDetailOut, **ERRORS}, summary="Publish")
def batch_publish(request: HttpRequest, batch_id: int) -> Any:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    services.batch_publish(actor=request.user, batch=batch)
    return _batch_detail(request, batch_id)


@router.post("/batches/{batch_id}/cancel", response={200: BatchDetailOut, **ERRORS}, summary="Cancel")
def batch_cancel(request: HttpRequest, batch_id: int, data: ReasonIn) -> Any:
    """Every live application is cancelled and its member told why."""
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    services.batch_cancel(actor=request.user, batch=batch, reason=data.reason)
    return _batch_detail(request, batch_id)


@router.put("/batches/{batch_id}/quotas", response={200: QuotaOut, **ERRORS}, summary="Give places down")
def quota_set(request: HttpRequest, batch_id: int, data: QuotaIn) -> Any:
    """Give (or change) a union's places, out of the places its nearest quota holder above keeps."""
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    org = org_get(actor=request.user, org_id=data.org_id)
    quota = services.quota_set(actor=request.user, batch=batch, org=org, places=data.places)
    return _quota_out(request, selectors.quota_get(actor=request.user, quota_id=quota.pk))


@router.post("/quotas/{quota_id}/allocate", response={200: AllocationOut, **ERRORS}, summary="Allocate")
def quota_allocate(request: HttpRequest, quota_id: int) -> Any:
    """After the window closes: free places by priority points, the rest on the waiting list in order. Run
    again, it fills places freed since."""
    quota = selectors.quota_get(actor=request.user, quota_id=quota_id, perm=MANAGE)
    outcome = services.quota_allocate(actor=request.user, quota=quota)
    return AllocationOut(allocated=outcome.allocated, waiting=outcome.waiting)


# --- applications -------------------------------------------------------------------------------------------


@router.get(
    "/batches/{batch_id}/applications", response={200: list[ApplicationOut], **ERRORS}, summary="Applications"
)
@paginate(LimitOffsetPagination)
def batch_applications(request: HttpRequest, batch_id: int, status: str = ""):  # type: ignore[no-untyped-def]
    """The applications of the batch that the caller's quotas handle or that come from unions in their scope,
    by quota, status and priority."""
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    status = _status(status, ApplicationStatus.values)
    return selectors.batch_applications(actor=request.user, batch=batch, status=status)


def _application(request: HttpRequest, application_id: int, perm: str = VIEW) -> Application:
    return selectors.application_get(actor=request.user, application_id=application_id, perm=perm)


@router.get(
    "/applications/{application_id}", response={200: ApplicationOut, **ERRORS}, summary="One application"
)
def application_detail(request: HttpRequest, application_id: int) -> Any:
    return _application(request, application_id)


@router.post(
    "/applications/{application_id}/withdraw",
    response={200: ApplicationOut, **ERRORS},
    summary="Take a place back",
)
def application_withdraw(request: HttpRequest, application_id: int, data: ReasonIn) -> Any:
    """Before the start, with a reason the member is told; the next on the waiting list moves up."""
    app = _application(request, application_id, MANAGE)
    services.application_withdraw(actor=request.user, application=app, reason=data.reason)
    return _application(request, application_id)


@router.post(
    "/applications/{application_id}/attendance",
    response={200: ApplicationOut, **ERRORS},
    summary="Record attendance",
)
def application_attendance(request: HttpRequest, application_id: int, data: AttendanceIn) -> Any:
    """Once the batch has started, for a member with a place."""
    app = _application(request, application_id, MANAGE)
    services.application_attendance(actor=request.user, application=app, attended=data.attended)
    return _application(request, application_id)


# --- roll-up ------------------------------------------------------------------------------------------------


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="Roll-up counts")
def stats(request: HttpRequest, org_id: int | None = None, year: int | None = None) -> Any:
    """Places kept, applications, places allocated and members who went in a union's subtree for a year (this
    year by default), in total and per child union (the union itself first)."""
    org = _org(request, org_id)
    year = year or timezone.localdate().year
    r = selectors.rollup(actor=request.user, org=org, year=year)
    return StatsOut(
        org=OrgRef(id=org.pk, name=org.name),
        year=year,
        places=r.places,
        applications=r.applications,
        allocated=r.allocated,
        attended=r.attended,
        rows=[
            StatsRowOut(
                org=OrgRef(id=row["org"].pk, name=row["org"].name),
                own=row["own"],
                places=row["places"],
                applications=row["applications"],
                allocated=row["allocated"],
                attended=row["attended"],
            )
            for row in r.rows
        ],
    )
