"""Writes of member days and benefits (会员日, 普惠, DOMAIN §5): offers and their rules, sign-ups, the close of
the window with the lottery's seed commitment, the draw, withdrawals that move the waiting list up, check-in at
the door, vouchers redeemed by merchants, and the two periodic sweeps.

The union's side needs "benefit.manage" on the offer's union; a member acts on their own sign-ups only; a
merchant redeems only the vouchers of offers they were assigned to. Each step changes rows inside one
transaction with the offer row locked where places are counted, logs `gonghui.benefit.*` and tells people
through core.notify.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import clean_mobile
from gonghui.core.masking import mask_name
from gonghui.core.notify import notify_org, notify_users
from gonghui.members.models import EmploymentForm, Member
from gonghui.orgs.models import Org
from gonghui.orgs.paths import is_within
from gonghui.orgs.services import require

from . import rules
from .models import (
    Allocation,
    BenefitPolicy,
    Draw,
    Entry,
    EntryStatus,
    Kind,
    Merchant,
    Offer,
    OfferStatus,
    Redemption,
    Voucher,
    VoucherStatus,
)
from .selectors import MANAGE, eligibility_of, live_member, member_offer_get, policy_for, recent_draw_ids

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed without mistakes
CODE_LENGTH = 10
MAX_QUOTA = 100_000
MAX_WINDOW_DAYS = 366
PROBLEM_MESSAGES: dict[str, Any] = {
    "not_in_union": _("This offer is for the members of %(org)s."),
    "member_status": _("Only members in good standing may sign up."),
    "employment_form": _("This offer is for particular groups of workers, and yours is not among them."),
    "membership_too_short": _("This offer needs at least %(months)s months of membership."),
    "won_recently": _("You won one of the union's last %(n)s draws; this time others go first."),
    "already_signed_up": _("You have already signed up."),
}


def new_seed() -> str:
    """A lottery seed: 32 bytes from the operating system's cryptographic random source, in hexadecimal."""
    return secrets.token_hex(32)


def _audit(actor: Any, action: str, obj: Any, org: Org, **data: Any) -> None:
    log_action(actor=actor, action=f"gonghui.benefit.{action}", obj=obj, org_path=org.path, data=data)


def _portal_url(offer: Offer) -> str:
    return reverse("portal:benefits_offer", args=[offer.pk])


def _console_url(offer: Offer) -> str:
    return reverse("console:benefits_offer", args=[offer.pk])


def _locked(offer: Offer) -> Offer:
    return Offer.objects.select_for_update().select_related("org").get(pk=offer.pk)


# --- offers -------------------------------------------------------------------------------------------------


@dataclass
class OfferInput:
    kind: str
    category: str
    title: str
    quota: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    allocation: str
    description: str = ""
    place: str = ""
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    include_retained: bool = False
    employment_forms: list[str] = field(default_factory=list)
    min_membership_months: int = 0
    exclude_recent_winners: int = 0
    voucher_expires_at: datetime.datetime | None = None


RULE_FIELDS = (
    "kind",
    "quota",
    "opens_at",
    "closes_at",
    "allocation",
    "include_retained",
    "employment_forms",
    "min_membership_months",
    "exclude_recent_winners",
)
TEXT_FIELDS = ("category", "title", "description", "place", "starts_at", "ends_at", "voucher_expires_at")


def offer_clean(data: OfferInput) -> OfferInput:
    """Check an offer's fields; every problem names its field."""
    if data.kind not in Kind.values:
        raise ServiceError("invalid_kind", _("Choose activity or offer."), field="kind")
    if data.allocation not in Allocation.values:
        raise ServiceError("invalid_allocation", _("Choose how places are allocated."), field="allocation")
    data.title = " ".join((data.title or "").split())
    if not data.title or len(data.title) > 120:
        raise ServiceError("title_required", _("Give a title of at most 120 characters."), field="title")
    data.category = " ".join((data.category or "").split())[:40]
    if not data.category:
        raise ServiceError(
            "category_required", _("Give a category, e.g. film or health check."), field="category"
        )
    data.description = (data.description or "").strip()[:5000]
    data.place = " ".join((data.place or "").split())[:200]
    if not isinstance(data.quota, int) or not 1 <= data.quota <= MAX_QUOTA:
        raise ServiceError("invalid_quota", _("Give between 1 and 100,000 places."), field="quota")
    if data.closes_at <= data.opens_at:
        raise ServiceError("window_order", _("Sign-up must close after it opens."), field="closes_at")
    if data.closes_at - data.opens_at > datetime.timedelta(days=MAX_WINDOW_DAYS):
        raise ServiceError(
            "window_too_long", _("Sign-up may stay open for a year at most."), field="closes_at"
        )
    if data.kind == Kind.ACTIVITY:
        if data.starts_at is None or not data.place:
            raise ServiceError(
                "activity_when_where", _("An activity needs a place and a start time."), field="starts_at"
            )
        if data.starts_at < data.closes_at:
            raise ServiceError(
                "starts_before_close", _("The activity must start after sign-up closes."), field="starts_at"
            )
        if data.ends_at is not None and data.ends_at <= data.starts_at:
            raise ServiceError(
                "ends_before_start", _("The activity must end after it starts."), field="ends_at"
            )
    if data.voucher_expires_at is not None and data.voucher_expires_at <= data.closes_at:
        raise ServiceError(
            "voucher_expiry", _("Vouchers must stay valid after sign-up closes."), field="voucher_expires_at"
        )
    forms = sorted(set(data.employment_forms or []))
    if any(f not in EmploymentForm.values for f in forms):
        raise ServiceError(
            "invalid_employment_form", _("Choose employment forms from the list."), field="employment_forms"
        )
    data.employment_forms = forms
    if not 0 <= data.min_membership_months <= 600:
        raise ServiceError("invalid_months", _("Give 0 to 600 months."), field="min_membership_months")
    if not 0 <= data.exclude_recent_winners <= 20:
        raise ServiceError("invalid_recent", _("Give 0 to 20 draws."), field="exclude_recent_winners")
    return data


def offer_create(*, actor: Any, org: Org, data: OfferInput) -> Offer:
    """A draft offer of `org`, for the members of its subtree."""
    require(actor=actor, perm=MANAGE, org=org)
    data = offer_clean(data)
    with transaction.atomic():
        offer = Offer.objects.create(org=org, created_by=actor, **data.__dict__)
        _audit(
            actor,
            "offer_created",
            offer,
            org,
            kind=offer.kind,
            quota=offer.quota,
            allocation=offer.allocation,
        )
    return offer


def offer_update(*, actor: Any, offer: Offer, data: OfferInput) -> Offer:
    """Change an offer: everything while a draft; once published only its texts, place and times, never the
    rules people signed up under (places, window, allocation, eligibility)."""
    require(actor=actor, perm=MANAGE, org=offer.org)
    data = offer_clean(data)
    with transaction.atomic():
        offer = _locked(offer)
        if offer.status in (OfferStatus.ALLOCATED, OfferStatus.CANCELLED, OfferStatus.CLOSED):
            if any(getattr(offer, f) != getattr(data, f) for f in (*RULE_FIELDS, "starts_at")):
                raise ServiceError("offer_locked", _("Sign-up has closed: only the texts can change."))
        elif offer.status == OfferStatus.OPEN:
            changed = [f for f in RULE_FIELDS if getattr(offer, f) != getattr(data, f)]
            if changed:
                raise ServiceError(
                    "rules_locked",
                    _(
                        "The offer is published: its places, sign-up window and eligibility can no longer change."
                    ),
                    field=changed[0],
                )
        for name in (*RULE_FIELDS, *TEXT_FIELDS):
            setattr(offer, name, getattr(data, name))
        offer.save()
        _audit(actor, "offer_updated", offer, offer.org)
    return offer


def offer_publish(*, actor: Any, offer: Offer) -> Offer:
    """Publish a draft: the members of the union's subtree see it and may sign up once the window opens."""
    require(actor=actor, perm=MANAGE, org=offer.org)
    now = timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        if offer.status != OfferStatus.DRAFT:
            raise ServiceError("not_draft", _("Only a draft can be published."))
        if offer.closes_at <= now:
            raise ServiceError("window_past", _("The sign-up window has already passed."), field="closes_at")
        offer.status, offer.published_at = OfferStatus.OPEN, now
        offer.save(update_fields=["status", "published_at", "updated_at"])
        _audit(actor, "offer_published", offer, offer.org)
    return offer


def offer_cancel(*, actor: Any, offer: Offer, reason: str) -> Offer:
    """Call the offer off: unused vouchers become void and everyone who signed up is told."""
    require(actor=actor, perm=MANAGE, org=offer.org)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ServiceError("reason_required", _("Say why the offer is cancelled."), field="reason")
    with transaction.atomic():
        offer = _locked(offer)
        if offer.status == OfferStatus.CANCELLED:
            raise ServiceError("already_cancelled", _("The offer is already cancelled."))
        Voucher.objects.filter(offer=offer, status=VoucherStatus.ISSUED).update(status=VoucherStatus.VOID)
        users = list(
            Entry.objects.filter(offer=offer)
            .exclude(status=EntryStatus.CANCELLED)
            .values_list("user_id", flat=True)
        )
        offer.status, offer.cancelled_at = OfferStatus.CANCELLED, timezone.now()
        offer.save(update_fields=["status", "cancelled_at", "updated_at"])
        notify_users(
            users,
            str(_('"%(title)s" was cancelled: %(reason)s')) % {"title": offer.title, "reason": reason},
            _portal_url(offer),
        )
        _audit(actor, "offer_cancelled", offer, offer.org, reason=reason, told=len(users))
    return offer


# --- sign-up ------------------------------------------------------------------------------------------------


def problem_message(code: str, offer: Offer) -> Any:
    message = PROBLEM_MESSAGES.get(code, _("You may not sign up for this offer."))
    return str(message) % {
        "org": offer.org.name,
        "months": offer.min_membership_months,
        "n": offer.exclude_recent_winners,
    }


def eligibility_check(
    *, offer: Offer, member: Member | None, user: Any, today: datetime.date
) -> rules.Verdict:
    """Every reason the person may not sign up for `offer` (rules.check with the facts from the database)."""
    if member is None:
        return rules.Verdict(problems=["not_in_union"])
    ids = recent_draw_ids(org=offer.org, n=offer.exclude_recent_winners, before=offer)
    won_recently = (
        bool(ids) and Entry.objects.filter(offer_id__in=ids, user=user, status=EntryStatus.WON).exists()
    )
    facts = rules.Facts(
        in_subtree=is_within(member.org.path, offer.org.path),
        status=member.status,
        employment_form=member.employment_form,
        joined_on=member.joined_on,
        today=today,
        won_recently=won_recently,
        already_signed_up=Entry.objects.filter(offer=offer, user=user).exists(),
    )
    return rules.check(eligibility_of(offer), facts)


def _issue_voucher(entry: Entry, offer: Offer, now: datetime.datetime) -> Voucher | None:
    if offer.kind != Kind.OFFER:
        return None
    expires = offer.voucher_expires_at or now + datetime.timedelta(
        days=policy_for(offer.org).voucher_valid_days
    )
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return Voucher.objects.create(entry=entry, offer=offer, code=code, expires_at=expires)
        except IntegrityError:  # pragma: no cover - a code already taken (one in 10**15); try another
            continue
    raise ServiceError("voucher_code", _("No voucher code could be made; try again."))  # pragma: no cover


def _win(entry: Entry, offer: Offer, now: datetime.datetime, *, promoted: bool = False) -> None:
    entry.status, entry.won_at, entry.waiting_position, entry.promoted = EntryStatus.WON, now, None, promoted
    entry.save(update_fields=["status", "won_at", "waiting_position", "promoted"])
    _issue_voucher(entry, offer, now)


def entry_apply(*, user: Any, offer_id: int) -> Entry:
    """Sign up for an offer: once per person, within the window, when eligible. First come: the place is
    confirmed at once while places remain, else the person joins the waiting list. Lottery: the person is
    in the draw."""
    offer = member_offer_get(user=user, offer_id=offer_id)
    now = timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        state = rules.window_state(now=now, opens_at=offer.opens_at, closes_at=offer.closes_at)
        if offer.status != OfferStatus.OPEN or state != "open":
            message = _("Sign-up has not opened yet.") if state == "before" else _("Sign-up is closed.")
            raise ServiceError("window_closed", message, status=409)
        member = live_member(user=user)
        verdict = eligibility_check(offer=offer, member=member, user=user, today=timezone.localdate(now))
        if not verdict.eligible:
            code = verdict.problems[0]
            raise ServiceError(
                code, problem_message(code, offer), status=409 if code == "already_signed_up" else 400
            )
        assert member is not None
        number = offer.next_number
        offer.next_number = number + 1
        offer.save(update_fields=["next_number"])
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    offer=offer,
                    user=user,
                    member=member,
                    number=number,
                    masked_name=mask_name(member.name),
                    token=secrets.token_urlsafe(18),
                )
        except IntegrityError as exc:
            raise ServiceError("already_signed_up", _("You have already signed up."), status=409) from exc
        if offer.allocation == Allocation.FIRST_COME:
            won = Entry.objects.filter(offer=offer, status=EntryStatus.WON).count()
            if won < offer.quota:
                _win(entry, offer, now)
                text = _('Your place for "%(title)s" is confirmed.')
            else:
                last = Entry.objects.filter(offer=offer).aggregate(p=Max("waiting_position"))["p"] or 0
                entry.status, entry.waiting_position = EntryStatus.WAITING, last + 1
                entry.save(update_fields=["status", "waiting_position"])
                text = _('All places for "%(title)s" are taken: you are number %(n)s on the waiting list.')
        else:
            text = _('You are in the draw for "%(title)s" with ticket %(ticket)s.')
        notify_users(
            [user],
            str(text) % {"title": offer.title, "n": entry.waiting_position, "ticket": entry.ticket},
            _portal_url(offer),
        )
        _audit(
            user, "entry_applied", entry, offer.org, offer=offer.pk, ticket=entry.number, status=entry.status
        )
    return entry


def entry_cancel(*, user: Any, entry_id: int) -> Entry:
    """Withdraw one's own sign-up. A confirmed place passes to the first on the waiting list. Not while the
    draw is awaited (the ticket list is frozen), nor after check-in or redemption, nor within the union's
    notice before an activity starts."""
    from .selectors import own_entry_get

    entry = own_entry_get(user=user, entry_id=entry_id)
    now = timezone.now()
    with transaction.atomic():
        offer = _locked(entry.offer)
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.status in (EntryStatus.CANCELLED, EntryStatus.INELIGIBLE):
            raise ServiceError("not_active", _("This sign-up is no longer active."), status=409)
        if offer.status == OfferStatus.CLOSED:
            raise ServiceError(
                "awaiting_draw",
                _("The ticket list is frozen for the draw: withdraw after the results."),
                status=409,
            )
        if offer.status == OfferStatus.CANCELLED:
            raise ServiceError("offer_cancelled", _("The offer was cancelled."), status=409)
        if entry.checked_in_at is not None:
            raise ServiceError("checked_in", _("You have already been checked in."), status=409)
        voucher = Voucher.objects.filter(entry=entry).first()
        if voucher is not None and voucher.status == VoucherStatus.REDEEMED:
            raise ServiceError("redeemed", _("Your voucher has already been used."), status=409)
        if entry.status == EntryStatus.WON and offer.kind == Kind.ACTIVITY and offer.starts_at is not None:
            hours = policy_for(offer.org).cancel_hours_before
            if now > offer.starts_at - datetime.timedelta(hours=hours):
                raise ServiceError(
                    "too_late",
                    _("Places can be given back until %(hours)s hours before the start.") % {"hours": hours},
                    status=409,
                )
        was_won = entry.status == EntryStatus.WON
        entry.status, entry.cancelled_at = EntryStatus.CANCELLED, now
        entry.save(update_fields=["status", "cancelled_at"])
        if voucher is not None and voucher.status == VoucherStatus.ISSUED:
            voucher.status = VoucherStatus.VOID
            voucher.save(update_fields=["status"])
        promoted = _promote(offer, now) if was_won and offer.status == OfferStatus.ALLOCATED else None
        _audit(
            user,
            "entry_cancelled",
            entry,
            offer.org,
            offer=offer.pk,
            ticket=entry.number,
            promoted=promoted.number if promoted else None,
        )
    return entry


def _promote(offer: Offer, now: datetime.datetime) -> Entry | None:
    """The first still waiting moves up into the freed place (rules.promote over the waiting order)."""
    nxt = (
        Entry.objects.select_for_update()
        .filter(offer=offer, status=EntryStatus.WAITING)
        .order_by("waiting_position", "number")
        .first()
    )
    if nxt is None:
        return None
    _win(nxt, offer, now, promoted=True)
    notify_users(
        [nxt.user_id],
        str(_('A place for "%(title)s" became free and is now yours.')) % {"title": offer.title},
        _portal_url(offer),
    )
    return nxt


# --- close and draw -----------------------------------------------------------------------------------------


def offer_close(*, actor: Any, offer: Offer) -> Offer:
    """End sign-up (the cadre after the window, or the scheduler). Memberships are checked again. A lottery
    with more sign-ups than places gets its seed commitment and frozen ticket list published now, before the
    draw; otherwise every remaining sign-up gets a place and the results are announced."""
    if actor != "system":
        require(actor=actor, perm=MANAGE, org=offer.org)
    now = timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        if offer.status != OfferStatus.OPEN:
            raise ServiceError("not_open", _("Sign-up is not open."), status=409)
        if now < offer.closes_at:
            at = f"{timezone.localtime(offer.closes_at):%Y-%m-%d %H:%M}"
            raise ServiceError("window_not_over", _("Sign-up closes at %(at)s.") % {"at": at}, status=409)
        statuses = eligibility_of(offer).statuses
        pending = list(
            Entry.objects.select_for_update()
            .filter(offer=offer, status=EntryStatus.APPLIED)
            .select_related("member")
            .order_by("number")
        )
        dropped = [e for e in pending if e.member.status not in statuses]
        for e in dropped:
            e.status = EntryStatus.INELIGIBLE
            e.save(update_fields=["status"])
        pool = [e for e in pending if e.member.status in statuses]
        offer.closed_at = now
        draw = None
        if offer.allocation == Allocation.LOTTERY and rules.needs_lottery(
            applicants=len(pool), quota=offer.quota
        ):
            seed = new_seed()
            tickets = [[e.number, e.masked_name] for e in pool]
            draw = Draw.objects.create(
                offer=offer,
                algorithm=rules.ALGORITHM,
                commitment=rules.commitment(seed),
                seed=seed,
                quota=offer.quota,
                tickets=tickets,
                tickets_digest=rules.tickets_digest(e.number for e in pool),
                committed_at=now,
            )
            offer.status = OfferStatus.CLOSED
            notify_users(
                [e.user_id for e in pool],
                str(
                    _(
                        'Sign-up for "%(title)s" closed with %(n)s entries for %(quota)s places; the draw follows.'
                    )
                )
                % {"title": offer.title, "n": len(pool), "quota": offer.quota},
                _portal_url(offer),
            )
            notify_org(
                offer.org,
                MANAGE,
                str(_('"%(title)s" is ready for the draw.')) % {"title": offer.title},
                _console_url(offer),
            )
        else:
            for e in pool:
                _win(e, offer, now)
            _announce(offer, now, winners=[e.user_id for e in pool])
        offer.save(update_fields=["status", "closed_at", "allocated_at", "updated_at"])
        _audit(
            actor,
            "offer_closed",
            offer,
            offer.org,
            entries=len(pool),
            dropped=len(dropped),
            commitment=draw.commitment if draw else None,
        )
    return offer


def _announce(offer: Offer, now: datetime.datetime, *, winners: list[int]) -> None:
    """Results are out: winners and those waiting are told."""
    offer.status, offer.allocated_at = OfferStatus.ALLOCATED, now
    url = _portal_url(offer)
    notify_users(
        winners, str(_('Good news: you have a place for "%(title)s".')) % {"title": offer.title}, url
    )
    waiting = list(
        Entry.objects.filter(offer=offer, status=EntryStatus.WAITING)
        .order_by("waiting_position")
        .values_list("user_id", "waiting_position")
    )
    for user_id, position in waiting:
        notify_users(
            [user_id],
            str(_('No place for "%(title)s" this time: you are number %(n)s on the waiting list.'))
            % {"title": offer.title, "n": position},
            url,
        )


def offer_draw(*, actor: Any, offer: Offer) -> Draw:
    """The draw: only after the close, only once. Reveals the seed committed at the close and runs the
    published algorithm (rules.draw) over the frozen ticket list; the first `quota` win, the rest wait in
    order."""
    require(actor=actor, perm=MANAGE, org=offer.org)
    now = timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        draw = Draw.objects.select_for_update().filter(offer=offer).first()
        if offer.status != OfferStatus.CLOSED or draw is None:
            raise ServiceError(
                "not_ready", _("There is nothing to draw: sign-up must close first."), status=409
            )
        if draw.drawn_at is not None:
            raise ServiceError("already_drawn", _("The draw has already taken place."), status=409)
        result = rules.draw([int(n) for n, _name in draw.tickets], draw.seed, draw.quota)
        entries = {
            e.number: e
            for e in Entry.objects.select_for_update().filter(offer=offer, number__in=result.order)
        }
        for number in result.winners:
            _win(entries[number], offer, now)
        for position, number in enumerate(result.waiting, start=1):
            e = entries[number]
            e.status, e.waiting_position = EntryStatus.WAITING, position
            e.save(update_fields=["status", "waiting_position"])
        draw.drawn_at, draw.drawn_by = now, actor
        draw.winners, draw.waiting = result.winners, result.waiting
        draw.save(update_fields=["drawn_at", "drawn_by", "winners", "waiting"])
        _announce(offer, now, winners=[entries[n].user_id for n in result.winners])
        offer.save(update_fields=["status", "allocated_at", "updated_at"])
        _audit(
            actor,
            "offer_drawn",
            offer,
            offer.org,
            seed=draw.seed,
            commitment=draw.commitment,
            winners=result.winners,
            entries=len(result.order),
        )
    return draw


# --- at the door and at the shop ----------------------------------------------------------------------------


def entry_check_in(*, actor: Any, entry: Entry) -> Entry:
    """The organiser scanned a winner's ticket at the activity: checked in once, during the check-in time."""
    offer = entry.offer
    require(actor=actor, perm=MANAGE, org=offer.org)
    now = timezone.now()
    if offer.kind != Kind.ACTIVITY:
        raise ServiceError("not_activity", _("Check-in is for activities; offers use vouchers."))
    if entry.status != EntryStatus.WON or offer.status != OfferStatus.ALLOCATED:
        raise ServiceError("no_place", _("This ticket holds no confirmed place."), status=409)
    minutes = policy_for(offer.org).checkin_minutes_before
    if not rules.checkin_open(
        now=now, starts_at=offer.starts_at, ends_at=offer.ends_at, minutes_before=minutes
    ):
        raise ServiceError(
            "checkin_closed",
            _("Check-in opens %(m)s minutes before the start and closes at the end.") % {"m": minutes},
            status=409,
        )
    with transaction.atomic():
        done = Entry.objects.filter(pk=entry.pk, checked_in_at__isnull=True, status=EntryStatus.WON).update(
            checked_in_at=now, checked_in_by=actor
        )
        if not done:
            raise ServiceError(
                "already_checked_in", _("This ticket has already been checked in."), status=409
            )
        entry.refresh_from_db()
        _audit(actor, "entry_checked_in", entry, offer.org, offer=offer.pk, ticket=entry.number)
    return entry


def merchant_add(*, actor: Any, offer: Offer, mobile: str, name: str) -> Merchant:
    """Let a person (by their account's mobile number) redeem the offer's vouchers on their phone."""
    require(actor=actor, perm=MANAGE, org=offer.org)
    if offer.kind != Kind.OFFER:
        raise ServiceError("not_offer", _("Merchants redeem the vouchers of offers, not activities."))
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ServiceError("name_required", _("Give the merchant's name."), field="name")
    mobile = clean_mobile(mobile)
    user = User.objects.filter(blind_q(User, "mobile", mobile), is_active=True).first()
    if user is None:
        raise ServiceError(
            "no_account",
            _("No account has this mobile number: the merchant registers first."),
            field="mobile",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                merchant = Merchant.objects.create(offer=offer, user=user, name=name, added_by=actor)
        except IntegrityError as exc:
            raise ServiceError(
                "merchant_exists", _("This person already redeems for the offer."), field="mobile"
            ) from exc
        notify_users(
            [user],
            str(_('You may now redeem the vouchers of "%(title)s".')) % {"title": offer.title},
            reverse("portal:benefits_merchant"),
        )
        _audit(actor, "merchant_added", merchant, offer.org, offer=offer.pk)
    return merchant


def voucher_redeem(*, user: Any, code: str) -> Redemption:
    """A merchant of the offer redeems a valid voucher, once: the database refuses a second redemption."""
    from .selectors import voucher_for_merchant

    voucher, merchant = voucher_for_merchant(user=user, code=code)
    now = timezone.now()
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().select_related("offer", "offer__org").get(pk=voucher.pk)
        if voucher.status == VoucherStatus.REDEEMED:
            raise ServiceError("already_redeemed", _("This voucher has already been used."), status=409)
        if voucher.status == VoucherStatus.VOID or voucher.offer.status == OfferStatus.CANCELLED:
            raise ServiceError("voucher_void", _("This voucher is void."), status=409)
        if voucher.status == VoucherStatus.EXPIRED or voucher.expires_at <= now:
            raise ServiceError("voucher_expired", _("This voucher has expired."), status=409)
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(voucher=voucher, merchant=merchant, by=user, at=now)
        except IntegrityError as exc:
            raise ServiceError(
                "already_redeemed", _("This voucher has already been used."), status=409
            ) from exc
        voucher.status = VoucherStatus.REDEEMED
        voucher.save(update_fields=["status"])
        notify_users(
            [voucher.entry.user_id],
            str(_('Your voucher for "%(title)s" was used at %(shop)s.'))
            % {"title": voucher.offer.title, "shop": merchant.name},
            reverse("portal:benefits_ticket", args=[voucher.entry_id]),
        )
        _audit(
            user, "voucher_redeemed", voucher, voucher.offer.org, offer=voucher.offer_id, merchant=merchant.pk
        )
    return redemption


# --- rules as data ------------------------------------------------------------------------------------------


def benefit_policy_set(
    *, actor: Any, org: Org, voucher_valid_days: int, cancel_hours_before: int, checkin_minutes_before: int
) -> BenefitPolicy:
    """The union's member-day rules, which the unions below inherit unless they set their own."""
    require(actor=actor, perm=MANAGE, org=org)
    if not 1 <= voucher_valid_days <= 366:
        raise ServiceError("invalid_days", _("Give 1 to 366 days."), field="voucher_valid_days")
    if not 0 <= cancel_hours_before <= 720:
        raise ServiceError("invalid_hours", _("Give 0 to 720 hours."), field="cancel_hours_before")
    if not 0 <= checkin_minutes_before <= 720:
        raise ServiceError("invalid_minutes", _("Give 0 to 720 minutes."), field="checkin_minutes_before")
    with transaction.atomic():
        policy, _created = BenefitPolicy.objects.update_or_create(
            org=org,
            defaults={
                "voucher_valid_days": voucher_valid_days,
                "cancel_hours_before": cancel_hours_before,
                "checkin_minutes_before": checkin_minutes_before,
            },
        )
        _audit(
            actor,
            "policy_set",
            policy,
            org,
            voucher_valid_days=voucher_valid_days,
            cancel_hours_before=cancel_hours_before,
            checkin_minutes_before=checkin_minutes_before,
        )
    return policy


# --- sweeps -------------------------------------------------------------------------------------------------


def offers_close_due(*, now: datetime.datetime | None = None) -> int:
    """Close every published offer whose window has ended (idempotent: a closed offer is left alone)."""
    now = now or timezone.now()
    closed = 0
    for offer in Offer.objects.filter(status=OfferStatus.OPEN, closes_at__lte=now).select_related("org"):
        try:
            offer_close(actor="system", offer=offer)
        except ServiceError:
            continue
        closed += 1
    return closed


def vouchers_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark unused vouchers past their date as expired (idempotent)."""
    now = now or timezone.now()
    with transaction.atomic():
        n = Voucher.objects.filter(status=VoucherStatus.ISSUED, expires_at__lte=now).update(
            status=VoucherStatus.EXPIRED
        )
        if n:
            log_action(actor="system", action="gonghui.benefit.vouchers_expired", data={"n": n})
    return n


__all__ = [
    "OfferInput",
    "benefit_policy_set",
    "eligibility_check",
    "entry_apply",
    "entry_cancel",
    "entry_check_in",
    "merchant_add",
    "offer_cancel",
    "offer_clean",
    "offer_close",
    "offer_create",
    "offer_draw",
    "offer_publish",
    "offer_update",
    "offers_close_due",
    "voucher_redeem",
    "vouchers_expire",
]
