"""The suggestions API (合理化建议, DOMAIN §3).

A member submits a suggestion to their grassroots union and follows their own (`/mine`), and reads the adopted
suggestions of their union's year (`/adopted`). A cadre reads the suggestions of their unions (`democracy.view`)
and, holding `suggestion.manage`, evaluates, decides, records the implementation and the reward. Outside scope
is a 404, the wrong role a 403, bad input a 400 with the field named and nothing changed.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.core.audit import log_action
from gonghui.core.errors import NotFound
from gonghui.orgs.selectors import org_get
from gonghui.suggestions import exports, selectors, services
from gonghui.suggestions.models import Suggestion

from .member_schemas import OrgRef
from .suggestion_schemas import (
    AdoptedOut,
    CadreSuggestionOut,
    DecideIn,
    EventOut,
    ImplementIn,
    MemberSuggestionOut,
    NoteIn,
    PaperSuggestionIn,
    RewardIn,
    StatsOut,
    SuggestionIn,
    SuggestionOut,
    TotalsOut,
    UnionTotalsOut,
)

router = Router(tags=["suggestions"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = selectors.VIEW


# --- the member ------------------------------------------------------------------------------------------------


def _member_view(s: Suggestion) -> MemberSuggestionOut:
    out = MemberSuggestionOut.from_orm(s)
    out.events = [EventOut.from_orm(e) for e in selectors.suggestion_events(suggestion=s, member=True)]
    return out


@router.post("/mine", response={201: MemberSuggestionOut, **ERRORS}, summary="Make a suggestion")
def mine_submit(request: HttpRequest, data: SuggestionIn) -> Any:
    """An active member's suggestion to their own grassroots union."""
    s = services.suggestion_submit(
        user=request.user,
        data=services.SuggestionInput(
            title=data.title,
            category=data.category,
            situation=data.situation,
            measures=data.measures,
            expected_benefit=data.expected_benefit,
        ),
    )
    return Status(201, _member_view(s))


@router.get("/mine", response=list[SuggestionOut], summary="My suggestions")
def mine_list(request: HttpRequest) -> Any:
    return list(selectors.suggestions_of(user=request.user)[:200])


@router.get(
    "/mine/{suggestion_id}", response={200: MemberSuggestionOut, 404: ErrorOut}, summary="One of mine"
)
def mine_detail(request: HttpRequest, suggestion_id: int) -> Any:
    return _member_view(selectors.suggestion_of_member(user=request.user, suggestion_id=suggestion_id))


@router.get("/adopted", response={200: list[AdoptedOut], **ERRORS}, summary="Adopted suggestions of my union")
def adopted(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100)) -> Any:
    """The adopted suggestions of the caller's union in `year` (this year when left out); an empty list for
    someone who is not an active member."""
    union = selectors.member_union(user=request.user)
    if union is None:
        return []
    return list(selectors.adopted_of_union(org=union, year=year or timezone.localdate().year))


# --- the union -------------------------------------------------------------------------------------------------


def _cadre_view(request: HttpRequest, suggestion_id: int) -> CadreSuggestionOut:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    out = CadreSuggestionOut.from_orm(s)
    out.events = [EventOut.from_orm(e) for e in selectors.suggestion_events(suggestion=s)]
    return out


@router.post("/record", response={201: CadreSuggestionOut, **ERRORS}, summary="Record a paper suggestion")
def record(request: HttpRequest, data: PaperSuggestionIn) -> Any:
    """A cadre records a suggestion a member handed in on paper (the suggestion box); it goes to the member's
    grassroots union. A member outside the caller's unions is not found."""
    from gonghui.members.models import Member

    member = Member.objects.select_related("org", "user").filter(pk=data.member_id).first()
    if member is None:
        raise NotFound(_("No such member in your scope."))
    s = services.suggestion_record(
        actor=request.user,
        member=member,
        data=services.SuggestionInput(
            title=data.title,
            category=data.category,
            situation=data.situation,
            measures=data.measures,
            expected_benefit=data.expected_benefit,
        ),
    )
    return Status(201, _cadre_view(request, s.pk))


@router.get("/queue", response={200: list[SuggestionOut], **ERRORS}, summary="Suggestions of my unions")
@paginate(LimitOffsetPagination)
def queue(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    org_id: int | None = None,
    status: str = Query("", description='"open", a status, or empty for all'),
    year: int | None = Query(None, ge=2000, le=2100),
    q: str = "",
):
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW) if org_id else None
    return selectors.suggestion_queue(actor=request.user, org=org, status=status, year=year, q=q[:60])


@router.get("/{suggestion_id}", response={200: CadreSuggestionOut, **ERRORS}, summary="One suggestion")
def detail(request: HttpRequest, suggestion_id: int) -> Any:
    return _cadre_view(request, suggestion_id)


@router.post(
    "/{suggestion_id}/evaluate", response={200: CadreSuggestionOut, **ERRORS}, summary="Start evaluating"
)
def evaluate(request: HttpRequest, suggestion_id: int) -> Any:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    services.suggestion_evaluate(actor=request.user, suggestion=s)
    return _cadre_view(request, suggestion_id)


@router.post(
    "/{suggestion_id}/note", response={200: CadreSuggestionOut, **ERRORS}, summary="Evaluator's note"
)
def note(request: HttpRequest, suggestion_id: int, data: NoteIn) -> Any:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    services.suggestion_note(actor=request.user, suggestion=s, text=data.text)
    return _cadre_view(request, suggestion_id)


@router.post(
    "/{suggestion_id}/decide", response={200: CadreSuggestionOut, **ERRORS}, summary="Adopt or decline"
)
def decide(request: HttpRequest, suggestion_id: int, data: DecideIn) -> Any:
    """Adopt, or decline with a reason the member reads."""
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    services.suggestion_decide(
        actor=request.user, suggestion=s, adopt=data.adopt, reason=data.reason, notes=data.notes
    )
    return _cadre_view(request, suggestion_id)


@router.post(
    "/{suggestion_id}/implement", response={200: CadreSuggestionOut, **ERRORS}, summary="Implemented"
)
def implement(request: HttpRequest, suggestion_id: int, data: ImplementIn) -> Any:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    services.suggestion_implement(
        actor=request.user,
        suggestion=s,
        implemented_on=data.implemented_on,
        note=data.note,
        benefit_amount=data.benefit_amount,
        benefit_description=data.benefit_description,
    )
    return _cadre_view(request, suggestion_id)


@router.post("/{suggestion_id}/reward", response={200: CadreSuggestionOut, **ERRORS}, summary="Reward")
def reward(request: HttpRequest, suggestion_id: int, data: RewardIn) -> Any:
    s = selectors.suggestion_get(actor=request.user, suggestion_id=suggestion_id)
    services.suggestion_reward(
        actor=request.user,
        suggestion=s,
        form=data.form,
        amount=data.amount,
        note=data.note,
        benefit_amount=data.benefit_amount,
        benefit_description=data.benefit_description,
    )
    return _cadre_view(request, suggestion_id)


@router.get("/annual/{org_id}", response={200: list[CadreSuggestionOut], **ERRORS}, summary="The annual list")
def annual(request: HttpRequest, org_id: int, year: int = Query(..., ge=2000, le=2100)) -> Any:
    """Every suggestion of the union's subtree submitted in `year`, with its handling."""
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return list(selectors.annual_list(actor=request.user, org=org, year=year)[:5000])


@router.get(
    "/annual/{org_id}/xlsx",
    response={200: None, **ERRORS},
    summary="The annual list as a workbook",
    openapi_extra={
        "responses": {
            200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
        }
    },
)
def annual_xlsx(request: HttpRequest, org_id: int, year: int = Query(..., ge=2000, le=2100)) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    items = selectors.annual_list(actor=request.user, org=org, year=year)
    with translation.override("zh-hans"):
        data = exports.xlsx_bytes(
            f"{org.name} {year} 年合理化建议清单", exports.ANNUAL_HEADERS, exports.annual_rows(items)
        )
    log_action(actor=request.user, action="gonghui.suggestion.annual_exported", obj=org, data={"year": year})
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="suggestions-{org.code}-{year}.xlsx"'
    return response


def _totals(t: selectors.Totals) -> dict[str, Any]:
    return {
        "total": t.total,
        "open": t.open,
        "adopted": t.adopted,
        "not_adopted": t.not_adopted,
        "implemented": t.implemented,
        "rewarded": t.rewarded,
        "reward_sum": t.reward_sum,
        "benefit_sum": t.benefit_sum,
        "adoption_rate": t.adoption_rate,
    }


@router.get("/stats/{org_id}", response={200: StatsOut, **ERRORS}, summary="Counts rolled up the tree")
def stats(request: HttpRequest, org_id: int, year: int | None = Query(None, ge=2000, le=2100)) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    s = selectors.suggestion_stats(actor=request.user, org=org, year=year)
    return StatsOut(
        org_id=org.pk,
        year=year,
        totals=TotalsOut(**_totals(s.totals)),
        by_union=[UnionTotalsOut(org=OrgRef(id=o.pk, name=o.name), **_totals(t)) for o, t in s.by_union],
    )
