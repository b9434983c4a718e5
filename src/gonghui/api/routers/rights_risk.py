"""The risk-warning API (DOMAIN §4): employers' warnings with their reasons, indicators sent by partner systems,
the weights and thresholds in force, and the sign of trouble a handler marks on a request.

A cadre who may handle requests reads the warnings of employers whose responsible union lies in their scope;
outside it is a 404, a role without case handling a 403. Weights and thresholds are set by an org
administrator for the union and the unions below it.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import ServiceError
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get
from gonghui.rights import selectors, services

from .member_schemas import OrgRef
from .rights_risk_schemas import (
    ImportedOut,
    IndicatorOut,
    IndicatorsIn,
    PolicyIn,
    PolicyOut,
    RiskCaseOut,
    RiskDetailOut,
    RiskOut,
    RulesOut,
    SignalIn,
    SignalOut,
    WeightIn,
    WeightOut,
)

router = Router(tags=["rights: risk warning"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
PERM = "case.handle"


@router.get("/warnings", response={200: list[RiskOut], **ERRORS}, summary="Employers with a warning")
@paginate(LimitOffsetPagination)
def warnings(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    org_id: int | None = None,
    level: str = Query(
        "", pattern=r"^(|all|none|yellow|orange|red)$", description='"" the warnings, "all", or a level'
    ),
    q: str = "",
):
    """Employers whose responsible union lies in the caller's scope (or in `org_id`'s subtree): red first, then
    by score, each with the reasons of its score."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM) if org_id else None
    return selectors.risk_list(actor=request.user, org=org, level=level, q=q[:60])


@router.get("/warnings/{risk_id}", response={200: RiskDetailOut, **ERRORS}, summary="One employer's warning")
def warning(request: HttpRequest, risk_id: int) -> Any:
    """The score, level and reasons, the employer's requests the caller may see, and its imported indicators."""
    risk = selectors.risk_get(actor=request.user, risk_id=risk_id)
    out = RiskDetailOut.from_orm(risk)
    out.cases = [RiskCaseOut.from_orm(c) for c in selectors.risk_cases(actor=request.user, risk=risk)]
    out.indicators = [IndicatorOut.from_orm(i) for i in selectors.risk_indicators(risk=risk)]
    return out


@router.post("/indicators", response={200: ImportedOut, **ERRORS}, summary="Import indicators")
def indicators(request: HttpRequest, org_id: int, data: IndicatorsIn) -> Any:
    """Rows of external indicators (social-insurance and utility arrears in months, arbitration cases) for
    employers of `org_id`'s subtree, checked like a file: when any row is bad, nothing is written and the 400
    lists every problem in `details.problems` (row from 1, field, reason). Idempotent per employer, indicator
    and date; the employers' scores are computed again at once."""
    org = org_get(actor=request.user, org_id=org_id, perm=PERM)
    result = services.indicators_put(
        actor=request.user, org=org, rows=[row.dict() for row in data.rows], source="api"
    )
    if result.problems:
        from django.utils.translation import gettext_lazy as _

        raise ServiceError(
            "import_has_problems",
            _("Some rows have problems; nothing was imported."),
            field="rows",
            details={
                "problems": [{"row": p.row, "field": p.column, "reason": p.reason} for p in result.problems]
            },
        )
    return ImportedOut(
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        deferred=result.deferred,
    )


def _rules(org: Org) -> RulesOut:
    policy = selectors.risk_policy_for(org)
    return RulesOut(
        org_id=org.pk,
        weights=[
            WeightOut(
                indicator=row.indicator,
                label=row.label,
                points=row.weight.points,
                cap=row.weight.cap,
                source_org=OrgRef(id=row.source.pk, name=row.source.name) if row.source else None,
            )
            for row in selectors.risk_weights_table(org)
        ],
        policy=PolicyOut(
            window_days=policy.window_days,
            yellow=policy.yellow,
            orange=policy.orange,
            red=policy.red,
            source_org=OrgRef(id=policy.org.pk, name=policy.org.name) if policy.pk else None,
        ),
    )


@router.get("/rules", response={200: RulesOut, **ERRORS}, summary="Weights and thresholds in force")
def rules_get(request: HttpRequest, org_id: int) -> Any:
    """Each indicator's points per unit and cap, the thresholds and the window, with the union that set each
    (the nearest one up the tree, else the platform default)."""
    return _rules(org_get(actor=request.user, org_id=org_id, perm=PERM))


@router.put("/weights", response={200: RulesOut, **ERRORS}, summary="Set a weight")
def weights_set(request: HttpRequest, org_id: int, data: WeightIn) -> Any:
    org = org_get(actor=request.user, org_id=org_id)
    services.risk_weight_set(
        actor=request.user, org=org, indicator=data.indicator, points=data.points, cap=data.cap
    )
    return _rules(org)


@router.put("/policy", response={200: RulesOut, **ERRORS}, summary="Set the thresholds and the window")
def policy_set(request: HttpRequest, org_id: int, data: PolicyIn) -> Any:
    org = org_get(actor=request.user, org_id=org_id)
    services.risk_policy_set(
        actor=request.user,
        org=org,
        window_days=data.window_days,
        yellow=data.yellow,
        orange=data.orange,
        red=data.red,
    )
    return _rules(org)


@router.post("/cases/{case_id}/signal", response={200: SignalOut, **ERRORS}, summary="Mark a sign of trouble")
def case_signal(request: HttpRequest, case_id: int, data: SignalIn) -> Any:
    """By the handler of the request (or the union above): layoffs, a closure or a relocation at the employer,
    or "" to clear it. The employer's score is computed again at once."""
    case = selectors.case_get(actor=request.user, case_id=case_id)
    case = services.case_mark_signal(actor=request.user, case=case, signal=data.signal)
    return SignalOut(case_id=case.pk, risk_signal=case.risk_signal)
