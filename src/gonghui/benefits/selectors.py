"""Reads of member days and benefits, scoped.

A cadre reads the offers of the unions in their subtree with "services.view" (an org administrator or a
viewer) and manages them with "benefit.manage"; outside scope is a 404, inside the actor's view of the tree
without the role a 403. A member sees the offers of their own union and the unions above it (an offer is for
the members of its union's subtree) and only their own sign-ups. A merchant sees only the vouchers of the
offers they were assigned to. The lottery of an offer, once committed, is public: seed commitment, tickets
with masked names, and after the draw the seed and the winners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.members.models import LIVE_STATUSES, Member, MemberStatus
from gonghui.orgs.models import SEGMENT, Org
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, refuse, scope_q
from gonghui.orgs.services import require

from . import rules
from .models import (
    BenefitPolicy,
    Draw,
    Entry,
    EntryStatus,
    Merchant,
    Offer,
    OfferStatus,
    Redemption,
    Voucher,
    VoucherStatus,
)

VIEW = "services.view"
MANAGE = "benefit.manage"
VISIBLE_TO_MEMBERS = (OfferStatus.OPEN, OfferStatus.CLOSED, OfferStatus.ALLOCATED)


def _count(model: Any, via: str = "offer", **filters: Any) -> Coalesce:
    """A correlated count per offer, so counts never multiply each other's rows (one query in all)."""
    sub = (
        model.objects.filter(**{via: OuterRef("pk")}, **filters)
        .order_by()
        .values(via)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet[Offer]) -> QuerySet[Offer]:
    """Sign-ups still in the running, places confirmed, check-ins and redeemed vouchers of each offer."""
    return qs.annotate(
        signups=_count(Entry, status__in=[EntryStatus.APPLIED, EntryStatus.WON, EntryStatus.WAITING]),
        winners=_count(Entry, status=EntryStatus.WON),
        checkins=_count(Entry, checked_in_at__isnull=False),
        redeemed=_count(Voucher, status=VoucherStatus.REDEEMED),
    )


# --- rules as data ------------------------------------------------------------------------------------------


def policy_for(org: Org) -> BenefitPolicy:
    """The nearest BenefitPolicy row up the tree, else an unsaved row with the defaults. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {p.org_id: p for p in BenefitPolicy.objects.filter(org_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in rows:
            return rows[org_id]
    return BenefitPolicy(org=org)


def eligibility_of(offer: Offer) -> rules.Eligibility:
    statuses = {MemberStatus.ACTIVE.value}
    if offer.include_retained:
        statuses.add(MemberStatus.RETAINED.value)
    return rules.Eligibility(
        statuses=frozenset(statuses),
        employment_forms=frozenset(offer.employment_forms or []),
        min_membership_months=offer.min_membership_months,
        exclude_recent_winners=offer.exclude_recent_winners,
    )


def recent_draw_ids(*, org: Org, n: int, before: Offer | None = None) -> list[int]:
    """The offers of the union's last `n` draws (lotteries actually drawn), the newest first."""
    if n <= 0:
        return []
    qs = Draw.objects.filter(offer__org=org, drawn_at__isnull=False)
    if before is not None:
        qs = qs.exclude(offer=before)
    return list(qs.order_by("-drawn_at", "-pk").values_list("offer_id", flat=True)[:n])


# --- the union's side ---------------------------------------------------------------------------------------


def offer_list(*, actor: Any, org: Org, status: str = "", kind: str = "", q: str = "") -> QuerySet[Offer]:
    """Offers of `org`'s subtree within the actor's scope, with their counts (a fixed number of queries)."""
    qs = Offer.objects.filter(subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path"))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(title__icontains=q[:60])
    return with_counts(qs.select_related("org")).order_by("-opens_at", "-pk")


def offer_get(*, actor: Any, offer_id: int, perm: str = VIEW) -> Offer:
    offer = (
        with_counts(Offer.objects.filter(scope_q(actor, perm, "org__path"), pk=offer_id))
        .select_related("org", "created_by")
        .first()
    )
    if offer is None:
        found = Offer.objects.select_related("org").filter(pk=offer_id).first()
        refuse(actor, found.org if found else None, _("No such offer in your scope."))
    return offer


def offer_entries(*, offer: Offer, status: str = "") -> QuerySet[Entry]:
    qs = Entry.objects.filter(offer=offer).select_related("member", "member__org", "voucher")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("number")


def offer_merchants(*, offer: Offer) -> QuerySet[Merchant]:
    return Merchant.objects.filter(offer=offer).annotate(n=Count("redemptions")).order_by("added_at", "pk")


def offer_draw(*, offer: Offer) -> Draw | None:
    return Draw.objects.filter(offer=offer).first()


def entry_by_token(*, actor: Any, token: str) -> Entry:
    """The entry behind a ticket QR, for a cadre who manages its union's offers."""
    token = (token or "").strip().rstrip("/").rsplit("/", 1)[-1]
    entry = (
        Entry.objects.filter(scope_q(actor, MANAGE, "offer__org__path"), token=token)
        .select_related("offer", "offer__org", "member", "checked_in_by")
        .first()
        if token
        else None
    )
    if entry is None:
        found = Entry.objects.select_related("offer__org").filter(token=token).first() if token else None
        refuse(actor, found.offer.org if found else None, _("No such ticket in your scope."))
    return entry


@dataclass
class Rollup:
    offers: int = 0
    signups: int = 0
    winners: int = 0
    checkins: int = 0
    redemptions: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)


def _branch_counts(qs: QuerySet[Any], path_field: str, width: int) -> dict[str, int]:
    rows = (
        qs.annotate(branch=Substr(path_field, 1, width)).values("branch").annotate(n=Count("pk")).order_by()
    )
    return {row["branch"]: row["n"] for row in rows}


def rollup(*, actor: Any, org: Org) -> Rollup:
    """Offers, sign-ups, winners, check-ins and redemptions of `org`'s subtree, in total and per child union
    (the union's own offers on a row of their own). Six queries, whatever the size of the tree."""
    if not actor_can(actor, VIEW, org):
        refuse(actor, org, _("No such union in your scope."))
    width = len(org.path) + SEGMENT
    sub = subtree_q(org.path, "org__path")
    entry_sub = subtree_q(org.path, "offer__org__path")
    counts = {
        "offers": _branch_counts(
            Offer.objects.filter(sub).exclude(status=OfferStatus.DRAFT), "org__path", width
        ),
        "signups": _branch_counts(
            Entry.objects.filter(entry_sub).exclude(status=EntryStatus.CANCELLED), "offer__org__path", width
        ),
        "winners": _branch_counts(
            Entry.objects.filter(entry_sub, won_at__isnull=False), "offer__org__path", width
        ),
        "checkins": _branch_counts(
            Entry.objects.filter(entry_sub, checked_in_at__isnull=False), "offer__org__path", width
        ),
        "redemptions": _branch_counts(
            Redemption.objects.filter(subtree_q(org.path, "voucher__offer__org__path")),
            "voucher__offer__org__path",
            width,
        ),
    }
    branches: set[str] = set()
    for c in counts.values():
        branches |= set(c)
    ids = [int(b[-SEGMENT:]) for b in branches]
    orgs = Org.objects.in_bulk(ids)
    r = Rollup()
    for branch in sorted(branches):
        o = orgs.get(int(branch[-SEGMENT:]))
        if o is None:
            continue
        row = {"org": o, "own": branch == org.path, **{k: c.get(branch, 0) for k, c in counts.items()}}
        r.rows.append(row)
    r.rows.sort(key=lambda row: (not row["own"], -row["signups"], row["org"].name))
    for key in ("offers", "signups", "winners", "checkins", "redemptions"):
        setattr(r, key, sum(c for c in counts[key].values()))
    return r


# --- the member ---------------------------------------------------------------------------------------------


def live_member(*, user: Any) -> Member | None:
    """The person's live membership (one at most), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.filter(user=user, status__in=LIVE_STATUSES)
        .select_related("org")
        .order_by("-pk")
        .first()
    )


def member_offers(*, user: Any) -> QuerySet[Offer]:
    """Published offers of the person's union and the unions above it, the soonest closing first, each marked
    with the person's entry (status and id)."""
    member = live_member(user=user)
    if member is None:
        return Offer.objects.none()
    ids = [*member.org.ancestor_ids(), member.org_id]
    mine = Entry.objects.filter(offer=OuterRef("pk"), user=user)
    return (
        Offer.objects.filter(org_id__in=ids, status__in=VISIBLE_TO_MEMBERS)
        .select_related("org")
        .annotate(my_status=Subquery(mine.values("status")[:1]), my_entry=Subquery(mine.values("pk")[:1]))
        .order_by("status", "closes_at", "pk")
    )


def member_offer_get(*, user: Any, offer_id: int) -> Offer:
    offer = member_offers(user=user).filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("No such offer for you."))
    return offer


def own_entries(*, user: Any) -> QuerySet[Entry]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Entry.objects.none()
    return (
        Entry.objects.filter(user=user)
        .select_related("offer", "offer__org", "voucher")
        .order_by("-created_at")
    )


def own_entry_get(*, user: Any, entry_id: int) -> Entry:
    entry = own_entries(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("No such sign-up of yours."))
    return entry


def own_entry_for(*, user: Any, offer: Offer) -> Entry | None:
    return own_entries(user=user).filter(offer=offer).first()


# --- merchants ----------------------------------------------------------------------------------------------


def merchant_offers(*, user: Any) -> QuerySet[Merchant]:
    """The offers whose vouchers the person redeems, with how many they redeemed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Merchant.objects.none()
    return (
        Merchant.objects.filter(user=user)
        .select_related("offer", "offer__org")
        .annotate(n=Count("redemptions"))
        .order_by("-offer__opens_at", "pk")
    )


def voucher_for_merchant(*, user: Any, code: str) -> tuple[Voucher, Merchant]:
    """A voucher of an offer the person redeems for; any other code is not found (never says it exists)."""
    code = normalise_code(code)
    voucher = (
        Voucher.objects.filter(code=code).select_related("offer", "offer__org", "entry").first()
        if code
        else None
    )
    merchant = (
        Merchant.objects.filter(offer_id=voucher.offer_id, user=user).first()
        if voucher is not None and getattr(user, "is_authenticated", False)
        else None
    )
    if voucher is None or merchant is None:
        raise NotFound(_("No such voucher for your shop."))
    return voucher, merchant


def normalise_code(code: str) -> str:
    """What a scanner or a person typed: a whole address or the code, any case, with spaces or dashes."""
    text = (code or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return "".join(c for c in text.upper() if c.isalnum())[:16]


# --- the public lottery -------------------------------------------------------------------------------------


def public_draw(*, offer_id: int) -> Draw:
    """The lottery of an offer, public once committed (the seed itself only after the draw)."""
    draw = Draw.objects.select_related("offer", "offer__org").filter(offer_id=offer_id).first()
    if draw is None or draw.offer.status == OfferStatus.DRAFT:
        raise NotFound(_("No published lottery."))
    return draw


def published_lottery(draw: Draw) -> dict[str, Any]:
    """The data anyone needs to re-run the draw (scripts/verify_lottery.py reads exactly this)."""
    drawn = draw.drawn_at is not None
    return {
        "offer": draw.offer.title,
        "union": draw.offer.org.name,
        "algorithm": draw.algorithm,
        "commitment": draw.commitment,
        "committed_at": draw.committed_at.isoformat(),
        "quota": draw.quota,
        "tickets": [{"ticket": int(n), "name": str(name)} for n, name in draw.tickets],
        "tickets_digest": draw.tickets_digest,
        "seed": draw.seed if drawn else None,
        "drawn_at": draw.drawn_at.isoformat() if draw.drawn_at else None,
        "winners": list(draw.winners) if drawn else [],
        "waiting": list(draw.waiting) if drawn else [],
    }


def verify_published(data: dict[str, Any]) -> dict[str, Any]:
    """Re-run a published draw: does the seed match its commitment, and does the draw give the same winners?"""
    seed = data.get("seed") or ""
    tickets = [int(t["ticket"]) for t in data.get("tickets", [])]
    result: dict[str, Any] = {
        "drawn": bool(seed),
        "digest_ok": rules.tickets_digest(tickets) == data.get("tickets_digest"),
    }
    if not seed or not rules.seed_valid(seed):
        return {**result, "commitment_ok": None, "winners_ok": None, "winners": []}
    rerun = rules.draw(tickets, seed, int(data["quota"]))
    return {
        **result,
        "commitment_ok": rules.commitment(seed) == data.get("commitment"),
        "winners_ok": rerun.winners == list(data.get("winners", []))
        and rerun.waiting == list(data.get("waiting", [])),
        "winners": rerun.winners,
    }


def dashboard_figures(*, actor: Any, org: Org, year: int) -> dict[str, Any]:
    """For the console overview (needs "services.view" on `org`): this year's sign-ups to the activities
    and offers of `org`'s subtree and the places confirmed. One query."""
    require(actor=actor, perm=VIEW, org=org)
    counts = Entry.objects.filter(subtree_q(org.path, "offer__org__path"), created_at__year=year).aggregate(
        signups=Count("pk", filter=~Q(status=EntryStatus.CANCELLED)),
        won=Count("pk", filter=Q(status=EntryStatus.WON)),
    )
    return {key: int(n or 0) for key, n in counts.items()}
