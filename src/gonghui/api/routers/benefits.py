"""The member-day and benefits API (会员日, 普惠, DOMAIN §5).

The union's side: activities and offers of a union's subtree with their counts, creating, changing,
publishing, closing (the lottery's seed commitment is published then), the draw (once, after the close),
cancelling, sign-ups, merchants, check-in by the ticket QR's token, roll-up counts and the union's rules.
Reads need "services.view" on the union, writes "benefit.manage"; a union outside the caller's scope is a 404,
a role that does not allow it a 403.

The member's side (`/mine`): offers open to the member, signing up, their sign-ups with the ticket or voucher,
giving a place back. The merchant's side (`/merchant`): the offers they redeem for, looking up and redeeming a
voucher. The lottery of an offer (`/offers/{id}/lottery`) is public, without authentication.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api.schemas import ErrorOut
from gonghui.benefits import selectors, services
from gonghui.benefits.models import Entry, EntryStatus, Offer
from gonghui.orgs.selectors import org_get

from .member_schemas import OrgRef

router = Router(tags=["benefits"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
VIEW = selectors.VIEW
MANAGE = selectors.MANAGE


# --- schemas ------------------------------------------------------------------------------------------------


class OfferIn(Schema):
    kind: str = Field(description="activity or offer")
    category: str = Field(max_length=200, description="e.g. 观影, 亲子, 健步走, 体检优惠, 购物券")
    title: str = Field(max_length=1000)
    description: str = Field(default="", max_length=20000)
    place: str = Field(default="", max_length=1000)
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    quota: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    allocation: str = Field(description="first_come or lottery")
    include_retained: bool = False
    employment_forms: list[str] = Field(default_factory=list, description="empty: every employment form")
    min_membership_months: int = 0
    exclude_recent_winners: int = Field(
        default=0, description="leave out winners of the union's last N draws"
    )
    voucher_expires_at: datetime.datetime | None = None


class OfferOut(Schema):
    id: int
    org: OrgRef
    kind: str
    category: str
    title: str
    place: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    quota: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    allocation: str
    status: str
    signups: int = 0
    winners: int = 0
    checkins: int = 0
    redeemed: int = 0

    @staticmethod
    def resolve_signups(obj: Offer) -> int:
        return int(getattr(obj, "signups", 0))

    @staticmethod
    def resolve_winners(obj: Offer) -> int:
        return int(getattr(obj, "winners", 0))

    @staticmethod
    def resolve_checkins(obj: Offer) -> int:
        return int(getattr(obj, "checkins", 0))

    @staticmethod
    def resolve_redeemed(obj: Offer) -> int:
        return int(getattr(obj, "redeemed", 0))


class DrawOut(Schema):
    algorithm: str
    commitment: str
    committed_at: datetime.datetime
    tickets: int
    tickets_digest: str
    seed: str | None
    drawn_at: datetime.datetime | None
    winners: list[int]
    waiting: list[int]


class OfferDetailOut(OfferOut):
    description: str
    include_retained: bool
    employment_forms: list[str]
    min_membership_months: int
    exclude_recent_winners: int
    voucher_expires_at: datetime.datetime | None
    published_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    allocated_at: datetime.datetime | None
    lottery: DrawOut | None = None


class EntryOut(Schema):
    id: int
    ticket: int
    name: str
    union: str
    status: str
    waiting_position: int | None
    promoted: bool
    created_at: datetime.datetime
    won_at: datetime.datetime | None
    checked_in_at: datetime.datetime | None
    voucher_status: str | None = None

    @staticmethod
    def resolve_ticket(obj: Entry) -> int:
        return obj.number

    @staticmethod
    def resolve_name(obj: Entry) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_union(obj: Entry) -> str:
        return str(obj.member.org.name)

    @staticmethod
    def resolve_voucher_status(obj: Entry) -> str | None:
        voucher = getattr(obj, "voucher", None)
        return voucher.status if voucher is not None else None


class CancelIn(Schema):
    reason: str = Field(max_length=2000)


class MerchantIn(Schema):
    name: str = Field(max_length=500)
    mobile: str = Field(max_length=40)


class MerchantOut(Schema):
    id: int
    name: str
    added_at: datetime.datetime
    redeemed: int = 0


class CheckinIn(Schema):
    token: str = Field(max_length=500, description="the ticket QR's token, or the whole address it holds")


class RollupRow(Schema):
    org: OrgRef
    own: bool
    offers: int
    signups: int
    winners: int
    checkins: int
    redemptions: int


class RollupOut(Schema):
    offers: int
    signups: int
    winners: int
    checkins: int
    redemptions: int
    rows: list[RollupRow]


class PolicyIn(Schema):
    voucher_valid_days: int
    cancel_hours_before: int
    checkin_minutes_before: int


class PolicyOut(PolicyIn):
    source: OrgRef | None = None


class TicketOut(Schema):
    ticket: int
    name: str


class LotteryOut(Schema):
    offer: str
    union: str
    algorithm: str
    commitment: str
    committed_at: str
    quota: int
    tickets: list[TicketOut]
    tickets_digest: str
    seed: str | None
    drawn_at: str | None
    winners: list[int]
    waiting: list[int]


class MineOfferOut(Schema):
    id: int
    org: OrgRef
    kind: str
    category: str
    title: str
    description: str
    place: str
    starts_at: datetime.datetime | None
    quota: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    allocation: str
    status: str
    my_entry: int | None = None
    my_status: str | None = None


class VoucherOut(Schema):
    code: str
    status: str
    expires_at: datetime.datetime
    qr_url: str = ""


class MineEntryOut(Schema):
    id: int
    offer_id: int
    offer_title: str
    ticket: int
    status: str
    waiting_position: int | None
    checked_in_at: datetime.datetime | None
    ticket_qr_url: str | None = None
    voucher: VoucherOut | None = None


class MerchantOfferOut(Schema):
    offer_id: int
    offer_title: str
    name: str
    redeemed: int


class MerchantVoucherOut(Schema):
    code: str
    offer_title: str
    holder: str
    status: str
    expires_at: datetime.datetime
    redeemed_at: datetime.datetime | None = None


# --- helpers ------------------------------------------------------------------------------------------------


def _input(data: OfferIn) -> services.OfferInput:
    return services.OfferInput(**data.dict())


def _draw_out(offer: Offer) -> DrawOut | None:
    draw = selectors.offer_draw(offer=offer)
    if draw is None:
        return None
    drawn = draw.drawn_at is not None
    return DrawOut(
        algorithm=draw.algorithm,
        commitment=draw.commitment,
        committed_at=draw.committed_at,
        tickets=len(draw.tickets),
        tickets_digest=draw.tickets_digest,
        seed=draw.seed if drawn else None,
        drawn_at=draw.drawn_at,
        winners=list(draw.winners) if drawn else [],
        waiting=list(draw.waiting) if drawn else [],
    )


def _detail(request: HttpRequest, offer_id: int) -> OfferDetailOut:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id)
    out = OfferDetailOut.from_orm(offer)
    out.lottery = _draw_out(offer)
    return out


def _mine_entry(request: HttpRequest, entry: Entry) -> MineEntryOut:
    voucher = getattr(entry, "voucher", None)
    out = MineEntryOut(
        id=entry.pk,
        offer_id=entry.offer_id,
        offer_title=entry.offer.title,
        ticket=entry.number,
        status=entry.status,
        waiting_position=entry.waiting_position,
        checked_in_at=entry.checked_in_at,
    )
    if entry.status == EntryStatus.WON and entry.offer.kind == "activity":
        out.ticket_qr_url = request.build_absolute_uri(
            reverse("console:benefits_checkin", args=[entry.token])
        )
    if voucher is not None:
        out.voucher = VoucherOut(
            code=voucher.code,
            status=voucher.status,
            expires_at=voucher.expires_at,
            qr_url=request.build_absolute_uri(reverse("portal:benefits_redeem", args=[voucher.code])),
        )
    return out


# --- the union's side ---------------------------------------------------------------------------------------


@router.get("/offers", response={200: list[OfferOut], **ERRORS}, summary="Activities and offers of a union")
@paginate(LimitOffsetPagination)
def offer_list(request: HttpRequest, org_id: int, status: str = "", kind: str = "", q: str = ""):  # type: ignore[no-untyped-def]
    """Of the union's subtree, the newest first, with sign-ups, confirmed places, check-ins and redemptions."""
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return selectors.offer_list(actor=request.user, org=org, status=status, kind=kind, q=q)


@router.post("/offers", response={201: OfferDetailOut, **ERRORS}, summary="Draft an activity or offer")
def offer_create(request: HttpRequest, org_id: int, data: OfferIn) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    offer = services.offer_create(actor=request.user, org=org, data=_input(data))
    return Status(201, _detail(request, offer.pk))


@router.get("/offers/{offer_id}", response={200: OfferDetailOut, **ERRORS}, summary="One activity or offer")
def offer_get(request: HttpRequest, offer_id: int) -> Any:
    return _detail(request, offer_id)


@router.put("/offers/{offer_id}", response={200: OfferDetailOut, **ERRORS}, summary="Change an offer")
def offer_update(request: HttpRequest, offer_id: int, data: OfferIn) -> Any:
    """Everything while a draft; once published only texts, place and times."""
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    services.offer_update(actor=request.user, offer=offer, data=_input(data))
    return _detail(request, offer_id)


@router.post("/offers/{offer_id}/publish", response={200: OfferDetailOut, **ERRORS}, summary="Publish")
def offer_publish(request: HttpRequest, offer_id: int) -> Any:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    services.offer_publish(actor=request.user, offer=offer)
    return _detail(request, offer_id)


@router.post("/offers/{offer_id}/close", response={200: OfferDetailOut, **ERRORS}, summary="Close sign-up")
def offer_close(request: HttpRequest, offer_id: int) -> Any:
    """After the window: a lottery with more sign-ups than places publishes its seed commitment and ticket list;
    otherwise everyone gets a place."""
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    services.offer_close(actor=request.user, offer=offer)
    return _detail(request, offer_id)


@router.post("/offers/{offer_id}/draw", response={200: OfferDetailOut, **ERRORS}, summary="Draw the lottery")
def offer_draw(request: HttpRequest, offer_id: int) -> Any:
    """Once, after the close: reveals the committed seed and runs gonghui-lottery-v1."""
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    services.offer_draw(actor=request.user, offer=offer)
    return _detail(request, offer_id)


@router.post("/offers/{offer_id}/cancel", response={200: OfferDetailOut, **ERRORS}, summary="Cancel")
def offer_cancel(request: HttpRequest, offer_id: int, data: CancelIn) -> Any:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    services.offer_cancel(actor=request.user, offer=offer, reason=data.reason)
    return _detail(request, offer_id)


@router.get("/offers/{offer_id}/entries", response={200: list[EntryOut], **ERRORS}, summary="Sign-ups")
@paginate(LimitOffsetPagination)
def offer_entries(request: HttpRequest, offer_id: int, status: str = ""):  # type: ignore[no-untyped-def]
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id)
    return selectors.offer_entries(offer=offer, status=status if status in EntryStatus.values else "")


@router.get("/offers/{offer_id}/merchants", response={200: list[MerchantOut], **ERRORS}, summary="Merchants")
def merchant_list(request: HttpRequest, offer_id: int) -> Any:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id)
    return [
        MerchantOut(id=m.pk, name=m.name, added_at=m.added_at, redeemed=int(getattr(m, "n", 0)))
        for m in selectors.offer_merchants(offer=offer)
    ]


@router.post("/offers/{offer_id}/merchants", response={201: MerchantOut, **ERRORS}, summary="Add a merchant")
def merchant_add(request: HttpRequest, offer_id: int, data: MerchantIn) -> Any:
    offer = selectors.offer_get(actor=request.user, offer_id=offer_id, perm=MANAGE)
    m = services.merchant_add(actor=request.user, offer=offer, name=data.name, mobile=data.mobile)
    return Status(201, MerchantOut(id=m.pk, name=m.name, added_at=m.added_at))


@router.post("/checkin", response={200: EntryOut, **ERRORS}, summary="Check a ticket in at the activity")
def checkin(request: HttpRequest, data: CheckinIn) -> Any:
    entry = selectors.entry_by_token(actor=request.user, token=data.token)
    entry = services.entry_check_in(actor=request.user, entry=entry)
    return selectors.offer_entries(offer=entry.offer).get(pk=entry.pk)


@router.get("/stats", response={200: RollupOut, **ERRORS}, summary="Roll-up counts of a union's subtree")
def stats(request: HttpRequest, org_id: int) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    r = selectors.rollup(actor=request.user, org=org)
    return RollupOut(
        offers=r.offers,
        signups=r.signups,
        winners=r.winners,
        checkins=r.checkins,
        redemptions=r.redemptions,
        rows=[RollupRow(**{**row, "org": OrgRef.from_orm(row["org"])}) for row in r.rows],
    )


def _policy_out(org: Any) -> PolicyOut:
    p = selectors.policy_for(org)
    return PolicyOut(
        voucher_valid_days=p.voucher_valid_days,
        cancel_hours_before=p.cancel_hours_before,
        checkin_minutes_before=p.checkin_minutes_before,
        source=OrgRef.from_orm(p.org) if p.pk else None,
    )


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="Member-day rules in force at a union")
def policy_get(request: HttpRequest, org_id: int) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=VIEW)
    return _policy_out(org)


@router.put("/policy", response={200: PolicyOut, **ERRORS}, summary="Set a union's member-day rules")
def policy_set(request: HttpRequest, org_id: int, data: PolicyIn) -> Any:
    org = org_get(actor=request.user, org_id=org_id, perm=MANAGE)
    services.benefit_policy_set(actor=request.user, org=org, **data.dict())
    return _policy_out(org)


# --- public -------------------------------------------------------------------------------------------------


@router.get(
    "/offers/{offer_id}/lottery",
    response={200: LotteryOut, 404: ErrorOut},
    auth=None,
    summary="The published lottery of an offer (public)",
)
def lottery(request: HttpRequest, offer_id: int) -> Any:
    """Seed commitment and tickets from the close; seed, winners and waiting list after the draw. Re-run it with
    scripts/verify_lottery.py."""
    return selectors.published_lottery(selectors.public_draw(offer_id=offer_id))


# --- the member ---------------------------------------------------------------------------------------------


@router.get("/mine/offers", response={200: list[MineOfferOut], **ERRORS}, summary="Offers open to me")
def mine_offers(request: HttpRequest) -> Any:
    return [MineOfferOut.from_orm(o) for o in selectors.member_offers(user=request.user)[:200]]


@router.post("/mine/offers/{offer_id}/apply", response={201: MineEntryOut, **ERRORS}, summary="Sign up")
def mine_apply(request: HttpRequest, offer_id: int) -> Any:
    entry = services.entry_apply(user=request.user, offer_id=offer_id)
    return Status(201, _mine_entry(request, selectors.own_entry_get(user=request.user, entry_id=entry.pk)))


@router.get("/mine/entries", response={200: list[MineEntryOut], **ERRORS}, summary="My sign-ups")
def mine_entries(request: HttpRequest) -> Any:
    return [_mine_entry(request, e) for e in selectors.own_entries(user=request.user)[:200]]


@router.get("/mine/entries/{entry_id}", response={200: MineEntryOut, **ERRORS}, summary="One of my sign-ups")
def mine_entry(request: HttpRequest, entry_id: int) -> Any:
    return _mine_entry(request, selectors.own_entry_get(user=request.user, entry_id=entry_id))


@router.post("/mine/entries/{entry_id}/cancel", response={200: MineEntryOut, **ERRORS}, summary="Give back")
def mine_cancel(request: HttpRequest, entry_id: int) -> Any:
    services.entry_cancel(user=request.user, entry_id=entry_id)
    return _mine_entry(request, selectors.own_entry_get(user=request.user, entry_id=entry_id))


# --- the merchant -------------------------------------------------------------------------------------------


@router.get(
    "/merchant/offers", response={200: list[MerchantOfferOut], **ERRORS}, summary="Offers I redeem for"
)
def merchant_offers(request: HttpRequest) -> Any:
    return [
        MerchantOfferOut(
            offer_id=m.offer_id, offer_title=m.offer.title, name=m.name, redeemed=int(getattr(m, "n", 0))
        )
        for m in selectors.merchant_offers(user=request.user)
    ]


def _voucher_out(voucher: Any) -> MerchantVoucherOut:
    redemption = getattr(voucher, "redemption", None) if voucher.status == "redeemed" else None
    return MerchantVoucherOut(
        code=voucher.code,
        offer_title=voucher.offer.title,
        holder=voucher.entry.masked_name,
        status=voucher.status,
        expires_at=voucher.expires_at,
        redeemed_at=redemption.at if redemption else None,
    )


@router.get("/merchant/vouchers/{code}", response={200: MerchantVoucherOut, **ERRORS}, summary="Look up")
def merchant_voucher(request: HttpRequest, code: str) -> Any:
    voucher, _merchant = selectors.voucher_for_merchant(user=request.user, code=code)
    return _voucher_out(voucher)


@router.post(
    "/merchant/vouchers/{code}/redeem", response={200: MerchantVoucherOut, **ERRORS}, summary="Redeem"
)
def merchant_redeem(request: HttpRequest, code: str) -> Any:
    redemption = services.voucher_redeem(user=request.user, code=code)
    voucher = redemption.voucher
    voucher.refresh_from_db()
    return _voucher_out(voucher)
