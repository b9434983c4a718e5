"""The disclosure API (厂务公开, DOMAIN §3).

The union's side: the disclosure plan of a grassroots union, its overdue entries, items (drafted, with files,
published to the active members, withdrawn) with their acknowledgement rate, and members' questions to
answer. Reads need "democracy.view" on the union, writes "disclosure.manage"; a union outside the caller's
scope is a 404, a role that does not allow it a 403.

The member's side (`/mine`): the published items of the member's own union, acknowledging each once, asking
questions and reading the answers and the union's public Q&A.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.core.errors import ServiceError
from gonghui.core.uploads import attachment_response
from gonghui.disclosure import rules, selectors, services
from gonghui.disclosure.models import Item, Question, ScheduleEntry
from gonghui.orgs.selectors import org_get

from .member_schemas import OrgRef

router = Router(tags=["disclosure"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


# --- schemas ------------------------------------------------------------------------------------------------


class ScheduleIn(Schema):
    category: str = Field(
        description="major_decisions, wages, social_insurance, welfare, safety, integrity, other"
    )
    title: str = Field(max_length=500)
    frequency: str = Field(description="monthly, quarterly, half_yearly, yearly or once")
    next_due: datetime.date


class ScheduleUpdateIn(Schema):
    title: str = Field(max_length=500)
    frequency: str
    next_due: datetime.date | None = None
    active: bool = True


class ScheduleOut(Schema):
    id: int
    org: OrgRef
    category: str
    title: str
    frequency: str
    next_due: datetime.date | None
    active: bool
    overdue: bool = False
    flagged_for: datetime.date | None
    last_published_on: datetime.date | None


class ItemIn(Schema):
    category: str
    title: str = Field(max_length=1000)
    body: str = Field(max_length=100_000)
    channel: str = Field(default="online", description="congress, notice_board or online")
    schedule_id: int | None = None


class WithdrawIn(Schema):
    reason: str = Field(max_length=2000)


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    added_at: datetime.datetime


class ItemOut(Schema):
    id: int
    org: OrgRef
    schedule_id: int | None
    settles_due: datetime.date | None
    category: str
    title: str
    channel: str
    status: str
    published_at: datetime.datetime | None
    audience: int
    acknowledged: int = 0
    ack_rate: int | None = None
    open_questions: int = 0

    @staticmethod
    def resolve_acknowledged(obj: Item) -> int:
        return int(getattr(obj, "acks", 0))

    @staticmethod
    def resolve_open_questions(obj: Item) -> int:
        return int(getattr(obj, "open_questions", 0))

    @staticmethod
    def resolve_ack_rate(obj: Item) -> int | None:
        return rules.ack_rate(int(getattr(obj, "acks", 0)), obj.audience)


class QuestionOut(Schema):
    id: int
    item_id: int
    asker_name: str = ""
    text: str
    asked_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None
    public: bool

    @staticmethod
    def resolve_asker_name(obj: Question) -> str:
        return str(obj.asker.real_name)


class ItemDetailOut(ItemOut):
    body: str
    withdraw_reason: str
    attachments: list[AttachmentOut] = []
    questions: list[QuestionOut] = []


class AnswerIn(Schema):
    answer: str = Field(max_length=20000)
    public: bool = False


class MineItemOut(Schema):
    id: int
    org: OrgRef
    category: str
    title: str
    channel: str
    published_at: datetime.datetime | None
    acknowledged: bool = False


class MineQuestionOut(Schema):
    id: int
    text: str
    asked_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None


class PublicQaOut(Schema):
    text: str
    answer: str


class MineItemDetailOut(MineItemOut):
    body: str
    acknowledged_at: datetime.datetime | None = None
    attachments: list[AttachmentOut] = []
    my_questions: list[MineQuestionOut] = []
    public_qa: list[PublicQaOut] = []


class AskIn(Schema):
    text: str = Field(max_length=20000)


# --- the union's side ---------------------------------------------------------------------------------------


def _schedule_out(e: ScheduleEntry, today: datetime.date) -> ScheduleOut:
    out = ScheduleOut.from_orm(e)
    out.overdue = rules.is_overdue(due=e.next_due, today=today, active=e.active)
    return out


@router.get("/schedule", response={200: list[ScheduleOut], **ERRORS}, summary="A union's disclosure plan")
def schedule_list(request: HttpRequest, org_id: int, overdue: bool = False) -> Any:
    """Plan entries of the union's subtree (only the overdue ones with `overdue=true`)."""
    from django.utils import timezone

    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    today = timezone.localdate()
    qs = (
        selectors.overdue_entries(actor=request.user, org=org, today=today)
        if overdue
        else selectors.schedule_list(actor=request.user, org=org)
    )
    return [_schedule_out(e, today) for e in qs[:1000]]


@router.post("/schedule", response={201: ScheduleOut, **ERRORS}, summary="Add to a union's disclosure plan")
def schedule_add(request: HttpRequest, org_id: int, data: ScheduleIn) -> Any:
    from django.utils import timezone

    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    entry = services.schedule_add(actor=request.user, org=org, **data.dict())
    return Status(201, _schedule_out(entry, timezone.localdate()))


@router.put("/schedule/{entry_id}", response={200: ScheduleOut, **ERRORS}, summary="Change a plan entry")
def schedule_update(request: HttpRequest, entry_id: int, data: ScheduleUpdateIn) -> Any:
    from django.utils import timezone

    entry = selectors.schedule_get(actor=request.user, entry_id=entry_id, perm=MANAGE)
    entry = services.schedule_update(actor=request.user, entry=entry, **data.dict())
    return _schedule_out(entry, timezone.localdate())


def _question_out(q: Question) -> QuestionOut:
    return QuestionOut.from_orm(q)


def _detail(request: HttpRequest, item_id: int) -> ItemDetailOut:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    out = ItemDetailOut.from_orm(item)
    out.attachments = [AttachmentOut.from_orm(a) for a in selectors.item_attachments(item=item)]
    out.questions = [_question_out(q) for q in selectors.item_questions(item=item)]
    return out


@router.get("/items", response={200: list[ItemOut], **ERRORS}, summary="Disclosures of a union's subtree")
@paginate(LimitOffsetPagination)
def item_list(  # type: ignore[no-untyped-def]
    request: HttpRequest, org_id: int, status: str = "", category: str = "", q: str = ""
):
    """With each item's acknowledgements, the members it was published to, the rate and open questions."""
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    items = selectors.item_list(actor=request.user, org=org, status=status, category=category, q=q)
    return items


@router.post("/items", response={201: ItemDetailOut, **ERRORS}, summary="Draft a disclosure")
def item_create(request: HttpRequest, org_id: int, data: ItemIn) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    item = services.item_create(
        actor=request.user,
        org=org,
        category=data.category,
        title=data.title,
        body=data.body,
        channel=data.channel,
        schedule=_schedule(org, data.schedule_id),
    )
    return Status(201, _detail(request, item.pk))


def _schedule(org: Any, schedule_id: int | None) -> ScheduleEntry | None:
    if not schedule_id:
        return None
    entry = selectors.schedule_choices(org=org).filter(pk=schedule_id).first()
    if entry is None:
        raise ServiceError(
            "invalid_schedule", _("Choose an active entry of this union's plan."), field="schedule_id"
        )
    return entry


@router.get("/items/{item_id}", response={200: ItemDetailOut, **ERRORS}, summary="One disclosure")
def item_detail(request: HttpRequest, item_id: int) -> Any:
    return _detail(request, item_id)


@router.put("/items/{item_id}", response={200: ItemDetailOut, **ERRORS}, summary="Change a draft")
def item_update(request: HttpRequest, item_id: int, data: ItemIn) -> Any:
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    services.item_update(
        actor=request.user,
        item=item,
        category=data.category,
        title=data.title,
        body=data.body,
        channel=data.channel,
        schedule=_schedule(item.org, data.schedule_id),
    )
    return _detail(request, item_id)


@router.post(
    "/items/{item_id}/attachments",
    response={201: ItemDetailOut, **ERRORS, 413: ErrorOut},
    summary="Attach a file",
)
def item_attachment_add(request: HttpRequest, item_id: int, file: File[UploadedFile]) -> Any:
    """PDF, image or office document, checked by its content; to a draft only."""
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    services.item_attachment_add(actor=request.user, item=item, file=file)
    return Status(201, _detail(request, item_id))


@router.get(
    "/items/{item_id}/attachments/{attachment_id}",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="Download a file",
)
def item_attachment(request: HttpRequest, item_id: int, attachment_id: int) -> Any:
    att = selectors.attachment_get(actor=request.user, item_id=item_id, attachment_id=attachment_id)
    handle = services.attachment_open(actor=request.user, attachment=att)
    return attachment_response(handle, filename=att.original_name, content_type=att.content_type)


@router.post("/items/{item_id}/publish", response={200: ItemDetailOut, **ERRORS}, summary="Publish")
def item_publish(request: HttpRequest, item_id: int) -> Any:
    """To the union's active members; against a plan entry it settles the period due."""
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    services.item_publish(actor=request.user, item=item)
    return _detail(request, item_id)


@router.post("/items/{item_id}/withdraw", response={200: ItemDetailOut, **ERRORS}, summary="Withdraw")
def item_withdraw(request: HttpRequest, item_id: int, data: WithdrawIn) -> Any:
    item = selectors.item_get(actor=request.user, item_id=item_id, perm=MANAGE)
    services.item_withdraw(actor=request.user, item=item, reason=data.reason)
    return _detail(request, item_id)


@router.get("/questions", response={200: list[QuestionOut], **ERRORS}, summary="Members' questions")
@paginate(LimitOffsetPagination)
def question_list(request: HttpRequest, org_id: int, answered: bool = False):  # type: ignore[no-untyped-def]
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return selectors.question_queue(actor=request.user, org=org, answered=answered)


@router.post("/questions/{question_id}/answer", response={200: QuestionOut, **ERRORS}, summary="Answer")
def question_answer(request: HttpRequest, question_id: int, data: AnswerIn) -> Any:
    """The asker is told; with `public` every member of the union sees the question (without the asker's name)
    and the answer."""
    question = selectors.question_get(actor=request.user, question_id=question_id, perm=MANAGE)
    question = services.question_answer(
        actor=request.user, question=question, answer=data.answer, public=data.public
    )
    return _question_out(question)


# --- the member's side --------------------------------------------------------------------------------------


@router.get("/mine", response=list[MineItemOut], summary="What my union disclosed")
def mine(request: HttpRequest) -> Any:
    out = []
    for item in selectors.own_items(user=request.user)[:200]:
        row = MineItemOut.from_orm(item)
        row.acknowledged = item.my_ack is not None  # type: ignore[attr-defined]
        out.append(row)
    return out


def _mine_detail(request: HttpRequest, item_id: int) -> MineItemDetailOut:
    item, _member = selectors.own_item_get(user=request.user, item_id=item_id)
    out = MineItemDetailOut.from_orm(item)
    ack = selectors.own_acknowledgement(user=request.user, item=item)
    out.acknowledged = ack is not None
    out.acknowledged_at = ack.at if ack else None
    out.attachments = [AttachmentOut.from_orm(a) for a in selectors.item_attachments(item=item)]
    out.my_questions = [
        MineQuestionOut.from_orm(q) for q in selectors.own_questions(user=request.user, item=item)
    ]
    out.public_qa = [PublicQaOut(text=q.text, answer=q.answer) for q in selectors.public_questions(item=item)]
    return out


@router.get("/mine/{item_id}", response={200: MineItemDetailOut, 404: ErrorOut}, summary="One disclosure")
def mine_detail(request: HttpRequest, item_id: int) -> Any:
    return _mine_detail(request, item_id)


@router.post(
    "/mine/{item_id}/acknowledge", response={200: MineItemDetailOut, **ERRORS}, summary="Acknowledge"
)
def mine_acknowledge(request: HttpRequest, item_id: int) -> Any:
    """Once: a second acknowledgement is a 409 and changes nothing."""
    services.item_acknowledge(user=request.user, item_id=item_id)
    return _mine_detail(request, item_id)


@router.post(
    "/mine/{item_id}/questions", response={201: MineItemDetailOut, **ERRORS}, summary="Ask the union"
)
def mine_ask(request: HttpRequest, item_id: int, data: AskIn) -> Any:
    services.question_ask(user=request.user, item_id=item_id, text=data.text)
    return Status(201, _mine_detail(request, item_id))


@router.get(
    "/mine/{item_id}/attachments/{attachment_id}",
    response={200: None, 404: ErrorOut},
    summary="Download a file",
)
def mine_attachment(request: HttpRequest, item_id: int, attachment_id: int) -> Any:
    att = selectors.own_attachment_get(user=request.user, item_id=item_id, attachment_id=attachment_id)
    handle = services.attachment_open(actor=request.user, attachment=att)
    return attachment_response(handle, filename=att.original_name, content_type=att.content_type)
