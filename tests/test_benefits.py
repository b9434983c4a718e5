"""Member days and benefits (会员日, 普惠): offers with eligibility, quota and a sign-up window; first come or a
lottery with a seed committed before the draw; results announced; a waiting list that moves up; check-in at
the door; vouchers redeemed once by the offer's merchant; the sweeps; roll-up counts; scope everywhere."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from gonghui.benefits import rules, selectors, services
from gonghui.benefits.models import (
    Draw,
    Entry,
    EntryStatus,
    OfferStatus,
    Redemption,
    Voucher,
    VoucherStatus,
)
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.members.models import Member, MemberStatus
from tests.benefits_support import (
    NOW,
    crowd,
    frozen,
    join,
    liu,
    make_offer,
    offer_input,
    voucher_offer,
    zhang,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
__all__ = ["frozen", "liu", "zhang"]

LATER = datetime.timedelta(days=2, minutes=1)


def codes(exc_info) -> str:
    return exc_info.value.code


# --- the pure rules -----------------------------------------------------------------------------------------


TODAY = NOW.date()


def facts(**kw):
    base = {
        "in_subtree": True,
        "status": "active",
        "employment_form": "regular",
        "joined_on": TODAY - datetime.timedelta(days=400),
        "today": TODAY,
    }
    base.update(kw)
    return rules.Facts(**base)


def test_an_active_member_of_the_subtree_is_eligible_by_default():
    assert rules.check(rules.Eligibility(), facts()).eligible


@pytest.mark.parametrize(
    "rule,fact,problem",
    [
        (rules.Eligibility(), {"in_subtree": False}, "not_in_union"),
        (rules.Eligibility(), {"status": "retained"}, "member_status"),
        (rules.Eligibility(employment_forms=frozenset({"delivery_rider"})), {}, "employment_form"),
        (rules.Eligibility(min_membership_months=14), {}, "membership_too_short"),
        (rules.Eligibility(min_membership_months=1), {"joined_on": None}, "membership_too_short"),
        (rules.Eligibility(exclude_recent_winners=2), {"won_recently": True}, "won_recently"),
        (rules.Eligibility(), {"already_signed_up": True}, "already_signed_up"),
    ],
)
def test_each_eligibility_rule_refuses_with_its_reason(rule, fact, problem):
    assert rules.check(rule, facts(**fact)).problems == [problem]


def test_retained_members_and_chosen_groups_are_let_in_when_the_offer_says_so():
    rule = rules.Eligibility(
        statuses=frozenset({"active", "retained"}), employment_forms=frozenset({"courier"})
    )
    assert rules.check(rule, facts(status="retained", employment_form="courier")).eligible
    assert rules.check(rule, facts(won_recently=True)).problems == ["employment_form"]
    assert rules.check(rules.Eligibility(), facts(won_recently=True)).eligible  # not excluded unless asked


def test_months_of_membership_count_whole_months():
    assert rules.months_between(datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)) == 0
    assert rules.months_between(datetime.date(2026, 1, 15), datetime.date(2026, 2, 15)) == 1
    assert rules.months_between(datetime.date(2025, 5, 10), datetime.date(2026, 5, 10)) == 12
    assert rules.months_between(datetime.date(2026, 6, 1), datetime.date(2026, 5, 1)) == 0


def test_the_window_includes_its_opening_and_excludes_its_closing_instant():
    opens, closes = NOW, NOW + datetime.timedelta(hours=1)
    second = datetime.timedelta(seconds=1)
    assert rules.window_state(now=opens - second, opens_at=opens, closes_at=closes) == "before"
    assert rules.window_state(now=opens, opens_at=opens, closes_at=closes) == "open"
    assert rules.window_state(now=closes - second, opens_at=opens, closes_at=closes) == "open"
    assert rules.window_state(now=closes, opens_at=opens, closes_at=closes) == "closed"


def test_check_in_runs_from_before_the_start_to_the_end():
    start, end = NOW, NOW + datetime.timedelta(hours=2)
    kw = {"starts_at": start, "ends_at": end, "minutes_before": 60}
    assert not rules.checkin_open(now=start - datetime.timedelta(minutes=61), **kw)
    assert rules.checkin_open(now=start - datetime.timedelta(minutes=60), **kw)
    assert rules.checkin_open(now=end, **kw)
    assert not rules.checkin_open(now=end + datetime.timedelta(seconds=1), **kw)


# --- offers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change,code",
    [
        ({"quota": 0}, "invalid_quota"),
        ({"closes_at": NOW - datetime.timedelta(hours=2)}, "window_order"),
        ({"closes_at": NOW + datetime.timedelta(days=400)}, "window_too_long"),
        ({"place": ""}, "activity_when_where"),
        ({"starts_at": None}, "activity_when_where"),
        ({"starts_at": NOW + datetime.timedelta(days=1)}, "starts_before_close"),
        ({"ends_at": NOW + datetime.timedelta(days=5)}, "ends_before_start"),
        ({"kind": "party"}, "invalid_kind"),
        ({"allocation": "auction"}, "invalid_allocation"),
        ({"title": " "}, "title_required"),
        ({"employment_forms": ["astronaut"]}, "invalid_employment_form"),
        ({"exclude_recent_winners": 21}, "invalid_recent"),
    ],
)
def test_an_offer_with_bad_fields_is_refused(tree, chair_a, change, code):
    with pytest.raises(ServiceError) as exc:
        services.offer_create(actor=chair_a, org=tree.grassroots_a, data=offer_input(**change))
    assert codes(exc) == code


def test_only_the_unions_managers_may_create_an_offer(tree, viewer_a, district_cadre_b, chair_a):
    with pytest.raises(PermissionDenied):
        services.offer_create(actor=viewer_a, org=tree.grassroots_a, data=offer_input())
    with pytest.raises(NotFound):
        services.offer_create(actor=district_cadre_b, org=tree.grassroots_a, data=offer_input())
    offer = services.offer_create(actor=chair_a, org=tree.grassroots_a, data=offer_input())
    assert offer.status == OfferStatus.DRAFT
    assert AuditRecord.objects.filter(action="gonghui.benefit.offer_created").count() == 1


def test_a_published_offer_keeps_its_rules_but_may_fix_its_texts(tree, chair_a):
    offer = make_offer(chair_a, tree.grassroots_a)
    with pytest.raises(ServiceError) as exc:
        services.offer_update(actor=chair_a, offer=offer, data=offer_input(quota=10))
    assert codes(exc) == "rules_locked"
    offer = services.offer_update(
        actor=chair_a, offer=offer, data=offer_input(place="西湖文化广场影城 5 号厅")
    )
    assert offer.place.endswith("5 号厅")
    with pytest.raises(ServiceError) as exc:
        services.offer_publish(actor=chair_a, offer=offer)
    assert codes(exc) == "not_draft"


def test_a_draft_is_invisible_to_members_and_a_published_offer_is_visible_down_the_tree(
    tree, district_cadre_a, chair_a, zhang, member_a, liu, member_b
):
    draft = make_offer(district_cadre_a, tree.district_a, publish=False)
    assert not selectors.member_offers(user=member_a).filter(pk=draft.pk).exists()
    services.offer_publish(actor=district_cadre_a, offer=draft)
    assert selectors.member_offers(user=member_a).filter(pk=draft.pk).exists()  # A's member, below district A
    assert not selectors.member_offers(user=member_b).exists()  # district B sees nothing of district A
    with pytest.raises(NotFound):
        services.entry_apply(user=member_b, offer_id=draft.pk)


# --- sign-up ------------------------------------------------------------------------------------------------


def test_a_member_signs_up_once_and_the_database_refuses_a_second(tree, chair_a, zhang, member_a):
    offer = make_offer(chair_a, tree.grassroots_a)
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    assert (entry.number, entry.status, entry.masked_name) == (1, EntryStatus.APPLIED, "张*")
    assert Notice.objects.filter(user=member_a, text__contains="0001").exists()
    with pytest.raises(ServiceError) as exc:
        services.entry_apply(user=member_a, offer_id=offer.pk)
    assert codes(exc) == "already_signed_up"
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            offer=offer, user=member_a, member=zhang, number=99, masked_name="张*", token="x"
        )


def test_sign_up_keeps_to_its_window(tree, chair_a, zhang, member_a, frozen):
    offer = make_offer(chair_a, tree.grassroots_a, opens_at=NOW + datetime.timedelta(hours=1))
    with pytest.raises(ServiceError) as exc:
        services.entry_apply(user=member_a, offer_id=offer.pk)
    assert codes(exc) == "window_closed"
    frozen.move_to(offer.closes_at)
    with pytest.raises(ServiceError) as exc:
        services.entry_apply(user=member_a, offer_id=offer.pk)
    assert codes(exc) == "window_closed"


def test_someone_without_a_live_membership_cannot_sign_up(tree, chair_a, member_a):
    offer = make_offer(chair_a, tree.grassroots_a)
    with pytest.raises(NotFound):
        services.entry_apply(user=member_a, offer_id=offer.pk)


def test_eligibility_on_the_offer_is_applied_at_sign_up(tree, chair_a, zhang, member_a):
    riders = make_offer(chair_a, tree.grassroots_a, employment_forms=["delivery_rider", "courier"])
    with pytest.raises(ServiceError) as exc:
        services.entry_apply(user=member_a, offer_id=riders.pk)
    assert codes(exc) == "employment_form"
    veterans = make_offer(chair_a, tree.grassroots_a, min_membership_months=36)
    with pytest.raises(ServiceError) as exc:
        services.entry_apply(user=member_a, offer_id=veterans.pk)
    assert codes(exc) == "membership_too_short"
    assert "36" in str(exc.value.message)
    Member.objects.filter(pk=zhang.pk).update(status=MemberStatus.RETAINED)
    active_only = make_offer(chair_a, tree.grassroots_a)
    with pytest.raises(ServiceError) as exc:
        services.entry_apply(user=member_a, offer_id=active_only.pk)
    assert codes(exc) == "member_status"
    retirees_too = make_offer(chair_a, tree.grassroots_a, include_retained=True)
    assert services.entry_apply(user=member_a, offer_id=retirees_too.pk).status == EntryStatus.APPLIED


def test_a_new_employment_worker_may_sign_up_for_an_offer_for_their_group(tree, chair_a):
    rider = make_user("13711110001", "骑手小李")
    join(chair_a, tree.grassroots_a, rider, n=50, name="李骑手", employment_form="delivery_rider")
    offer = make_offer(chair_a, tree.grassroots_a, employment_forms=["delivery_rider"])
    assert services.entry_apply(user=rider, offer_id=offer.pk).status == EntryStatus.APPLIED


def test_winners_of_the_unions_last_draws_may_be_left_out(tree, chair_a, zhang, member_a, frozen):
    others = crowd(chair_a, tree.grassroots_a, 3)
    first = make_offer(chair_a, tree.grassroots_a, quota=1)
    for user in [member_a, *others]:
        services.entry_apply(user=user, offer_id=first.pk)
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=first)
    draw = services.offer_draw(actor=chair_a, offer=first)
    winner = Entry.objects.get(offer=first, number=draw.winners[0]).user
    frozen.move_to(NOW + LATER + datetime.timedelta(minutes=5))
    nxt = make_offer(
        chair_a,
        tree.grassroots_a,
        exclude_recent_winners=1,
        opens_at=NOW + LATER,
        closes_at=NOW + datetime.timedelta(days=4),
        starts_at=NOW + datetime.timedelta(days=8),
        ends_at=NOW + datetime.timedelta(days=8, hours=2),
    )
    with pytest.raises(ServiceError) as exc:
        services.entry_apply(user=winner, offer_id=nxt.pk)
    assert codes(exc) == "won_recently"
    loser = next(u for u in [member_a, *others] if u != winner)
    assert services.entry_apply(user=loser, offer_id=nxt.pk).status == EntryStatus.APPLIED


# --- first come ---------------------------------------------------------------------------------------------


def test_first_come_confirms_places_in_order_then_fills_a_waiting_list(tree, chair_a, zhang, member_a):
    others = crowd(chair_a, tree.grassroots_a, 3)
    offer = voucher_offer(chair_a, tree.grassroots_a, quota=2)
    entries = [services.entry_apply(user=u, offer_id=offer.pk) for u in [member_a, *others]]
    assert [e.status for e in entries] == ["won", "won", "waiting", "waiting"]
    assert [e.waiting_position for e in entries] == [None, None, 1, 2]
    assert Voucher.objects.filter(offer=offer).count() == 2
    waiting_notice = Notice.objects.get(user=others[2])
    assert "2" in waiting_notice.text and waiting_notice.url.endswith(f"/benefits/{offer.pk}/")


def test_a_winner_who_gives_back_a_place_moves_the_first_on_the_waiting_list_up(
    tree, chair_a, zhang, member_a, frozen
):
    others = crowd(chair_a, tree.grassroots_a, 3)
    offer = voucher_offer(chair_a, tree.grassroots_a, quota=1)
    mine = services.entry_apply(user=member_a, offer_id=offer.pk)
    waiting = [services.entry_apply(user=u, offer_id=offer.pk) for u in others]
    frozen.move_to(NOW + LATER)
    services.offer_close(actor="system", offer=offer)
    services.entry_cancel(user=member_a, entry_id=mine.pk)
    mine.refresh_from_db()
    assert mine.status == EntryStatus.CANCELLED
    assert Voucher.objects.get(entry=mine).status == VoucherStatus.VOID
    first = Entry.objects.get(pk=waiting[0].pk)
    assert (first.status, first.promoted) == (EntryStatus.WON, True)
    assert Voucher.objects.get(entry=first).status == VoucherStatus.ISSUED
    assert Notice.objects.filter(user=others[0]).count() >= 2
    assert Entry.objects.get(pk=waiting[1].pk).status == EntryStatus.WAITING
    with pytest.raises(ServiceError) as exc:
        services.entry_cancel(user=member_a, entry_id=mine.pk)
    assert codes(exc) == "not_active"


# --- the lottery --------------------------------------------------------------------------------------------


@pytest.fixture
def oversubscribed(tree, chair_a, zhang, member_a):
    """A lottery for 3 places with 8 sign-ups: 张伟 and seven colleagues."""
    others = crowd(chair_a, tree.grassroots_a, 7)
    offer = make_offer(chair_a, tree.grassroots_a, quota=3)
    for user in [member_a, *others]:
        services.entry_apply(user=user, offer_id=offer.pk)
    return offer


def test_sign_up_cannot_be_closed_before_its_window_ends(oversubscribed, chair_a):
    with pytest.raises(ServiceError) as exc:
        services.offer_close(actor=chair_a, offer=oversubscribed)
    assert codes(exc) == "window_not_over"


def test_the_close_publishes_the_seed_commitment_and_the_tickets_before_the_draw(
    oversubscribed, chair_a, frozen
):
    frozen.move_to(NOW + LATER)
    offer = services.offer_close(actor=chair_a, offer=oversubscribed)
    assert offer.status == OfferStatus.CLOSED
    draw = Draw.objects.get(offer=offer)
    assert draw.commitment == rules.commitment(draw.seed)
    assert [n for n, _name in draw.tickets] == list(range(1, 9))
    assert draw.tickets[0][1] == "张*"
    published = selectors.published_lottery(draw)
    assert published["seed"] is None and published["winners"] == []  # the seed stays secret until the draw
    assert published["commitment"] == draw.commitment
    assert (
        AuditRecord.objects.get(action="gonghui.benefit.offer_closed").data["commitment"] == draw.commitment
    )


def test_the_draw_runs_once_with_the_committed_seed_and_announces_the_results(
    oversubscribed, chair_a, frozen
):
    with pytest.raises(ServiceError) as exc:
        services.offer_draw(actor=chair_a, offer=oversubscribed)
    assert codes(exc) == "not_ready"
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=oversubscribed)
    committed = Draw.objects.get(offer=oversubscribed)
    draw = services.offer_draw(actor=chair_a, offer=oversubscribed)
    assert draw.seed == committed.seed and draw.commitment == committed.commitment
    expected = rules.draw(range(1, 9), draw.seed, 3)
    assert draw.winners == expected.winners and draw.waiting == expected.waiting
    won = Entry.objects.filter(offer=oversubscribed, status=EntryStatus.WON)
    assert sorted(won.values_list("number", flat=True)) == sorted(expected.winners)
    waiting = Entry.objects.filter(offer=oversubscribed, status=EntryStatus.WAITING).order_by(
        "waiting_position"
    )
    assert list(waiting.values_list("number", flat=True)) == expected.waiting
    oversubscribed.refresh_from_db()
    assert oversubscribed.status == OfferStatus.ALLOCATED
    for entry in Entry.objects.filter(offer=oversubscribed):
        assert (
            Notice.objects.filter(
                user_id=entry.user_id, url__endswith=f"/benefits/{oversubscribed.pk}/"
            ).count()
            >= 2
        )
    check = selectors.verify_published(selectors.published_lottery(draw))
    assert check["commitment_ok"] and check["winners_ok"] and check["digest_ok"]
    assert AuditRecord.objects.get(action="gonghui.benefit.offer_drawn").data["seed"] == draw.seed
    with pytest.raises(ServiceError) as exc:
        services.offer_draw(actor=chair_a, offer=oversubscribed)
    assert codes(exc) in ("not_ready", "already_drawn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(
            offer=oversubscribed,
            algorithm="x",
            commitment="x",
            seed="x",
            quota=1,
            tickets_digest="x",
            committed_at=NOW,
        )


def test_only_a_manager_of_the_union_may_draw(oversubscribed, viewer_a, district_cadre_b, chair_a, frozen):
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=oversubscribed)
    with pytest.raises(PermissionDenied):
        services.offer_draw(actor=viewer_a, offer=oversubscribed)
    with pytest.raises(NotFound):
        services.offer_draw(actor=district_cadre_b, offer=oversubscribed)


def test_with_no_more_sign_ups_than_places_everyone_gets_one_without_a_draw(
    tree, chair_a, zhang, member_a, frozen
):
    others = crowd(chair_a, tree.grassroots_a, 2)
    offer = make_offer(chair_a, tree.grassroots_a, quota=3)
    for user in [member_a, *others]:
        services.entry_apply(user=user, offer_id=offer.pk)
    frozen.move_to(NOW + LATER)
    offer = services.offer_close(actor=chair_a, offer=offer)
    assert offer.status == OfferStatus.ALLOCATED
    assert not Draw.objects.filter(offer=offer).exists()
    assert Entry.objects.filter(offer=offer, status=EntryStatus.WON).count() == 3


def test_someone_who_left_the_union_before_the_close_is_not_in_the_draw(
    oversubscribed, zhang, chair_a, frozen
):
    Member.objects.filter(pk=zhang.pk).update(status=MemberStatus.WITHDRAWN)
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=oversubscribed)
    draw = Draw.objects.get(offer=oversubscribed)
    assert 1 not in [n for n, _name in draw.tickets]
    assert Entry.objects.get(offer=oversubscribed, number=1).status == EntryStatus.INELIGIBLE


def test_nobody_withdraws_while_the_draw_is_awaited_but_may_after_it(
    oversubscribed, chair_a, member_a, frozen
):
    entry = Entry.objects.get(offer=oversubscribed, user=member_a)
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=oversubscribed)
    with pytest.raises(ServiceError) as exc:
        services.entry_cancel(user=member_a, entry_id=entry.pk)
    assert codes(exc) == "awaiting_draw"
    draw = services.offer_draw(actor=chair_a, offer=oversubscribed)
    winner = Entry.objects.get(offer=oversubscribed, number=draw.winners[0])
    services.entry_cancel(user=winner.user, entry_id=winner.pk)
    moved = Entry.objects.get(offer=oversubscribed, number=draw.waiting[0])
    assert moved.status == EntryStatus.WON and moved.promoted
    assert Entry.objects.filter(offer=oversubscribed, status=EntryStatus.WON).count() == 3


def test_a_place_cannot_be_given_back_shortly_before_the_activity(oversubscribed, chair_a, frozen):
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=oversubscribed)
    draw = services.offer_draw(actor=chair_a, offer=oversubscribed)
    winner = Entry.objects.get(offer=oversubscribed, number=draw.winners[0])
    frozen.move_to(oversubscribed.starts_at - datetime.timedelta(hours=23))
    with pytest.raises(ServiceError) as exc:
        services.entry_cancel(user=winner.user, entry_id=winner.pk)
    assert codes(exc) == "too_late"


def test_the_sweep_closes_due_windows_once(oversubscribed, frozen):
    assert services.offers_close_due() == 0
    frozen.move_to(NOW + LATER)
    assert services.offers_close_due() == 1
    assert services.offers_close_due() == 0
    oversubscribed.refresh_from_db()
    assert oversubscribed.status == OfferStatus.CLOSED


# --- check-in -----------------------------------------------------------------------------------------------


@pytest.fixture
def allocated(oversubscribed, chair_a, frozen):
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=oversubscribed)
    services.offer_draw(actor=chair_a, offer=oversubscribed)
    oversubscribed.refresh_from_db()
    return oversubscribed


def test_a_winner_is_checked_in_once_during_check_in_time(allocated, chair_a, frozen):
    winner = Entry.objects.filter(offer=allocated, status=EntryStatus.WON).first()
    with pytest.raises(ServiceError) as exc:
        services.entry_check_in(actor=chair_a, entry=winner)
    assert codes(exc) == "checkin_closed"
    frozen.move_to(allocated.starts_at - datetime.timedelta(minutes=30))
    entry = selectors.entry_by_token(
        actor=chair_a, token=f"https://example.test/console/benefits/checkin/{winner.token}/"
    )
    entry = services.entry_check_in(actor=chair_a, entry=entry)
    assert entry.checked_in_at is not None and entry.checked_in_by == chair_a
    with pytest.raises(ServiceError) as exc:
        services.entry_check_in(actor=chair_a, entry=winner)
    assert codes(exc) == "already_checked_in"
    loser = Entry.objects.filter(offer=allocated, status=EntryStatus.WAITING).first()
    with pytest.raises(ServiceError) as exc:
        services.entry_check_in(actor=chair_a, entry=loser)
    assert codes(exc) == "no_place"


def test_a_ticket_of_another_district_is_not_found_and_a_viewer_may_not_check_in(
    allocated, district_cadre_b, viewer_a
):
    winner = Entry.objects.filter(offer=allocated, status=EntryStatus.WON).first()
    with pytest.raises(NotFound):
        selectors.entry_by_token(actor=district_cadre_b, token=winner.token)
    with pytest.raises(PermissionDenied):
        selectors.entry_by_token(actor=viewer_a, token=winner.token)


# --- vouchers -----------------------------------------------------------------------------------------------


@pytest.fixture
def shop():
    return make_user("13722220001", "体检中心前台")


@pytest.fixture
def voucher(tree, chair_a, zhang, member_a, shop):
    offer = voucher_offer(chair_a, tree.grassroots_a)
    services.merchant_add(actor=chair_a, offer=offer, mobile="13722220001", name="西湖体检中心")
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    return Voucher.objects.get(entry=entry)


def test_a_winner_of_an_offer_gets_a_voucher_with_a_unique_code(voucher):
    assert len(voucher.code) == services.CODE_LENGTH
    assert set(voucher.code) <= set(services.CODE_ALPHABET)
    assert voucher.expires_at == NOW + datetime.timedelta(days=30)  # the platform default
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(entry=voucher.entry, offer=voucher.offer, code="OTHER", expires_at=NOW)


def test_the_merchant_redeems_a_voucher_once(voucher, shop, member_a):
    redemption = services.voucher_redeem(user=shop, code=voucher.code.lower())
    assert redemption.merchant.name == "西湖体检中心"
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED
    assert Notice.objects.filter(user=member_a, text__contains="西湖体检中心").exists()
    with pytest.raises(ServiceError) as exc:
        services.voucher_redeem(user=shop, code=voucher.code)
    assert codes(exc) == "already_redeemed"


def test_the_database_refuses_a_second_redemption_even_behind_the_services_back(voucher, shop):
    services.voucher_redeem(user=shop, code=voucher.code)
    Voucher.objects.filter(pk=voucher.pk).update(status=VoucherStatus.ISSUED)  # a race the lock would prevent
    with pytest.raises(ServiceError) as exc:
        services.voucher_redeem(user=shop, code=voucher.code)
    assert codes(exc) == "already_redeemed"
    assert Redemption.objects.filter(voucher=voucher).count() == 1


def test_only_a_merchant_of_the_offer_finds_its_vouchers(voucher, chair_a, member_a):
    for user in (chair_a, member_a, make_user("13722220009", "别家商户")):
        with pytest.raises(NotFound):
            services.voucher_redeem(user=user, code=voucher.code)


def test_an_expired_voucher_is_refused_and_the_sweep_marks_it(voucher, shop, frozen):
    frozen.move_to(voucher.expires_at)
    with pytest.raises(ServiceError) as exc:
        services.voucher_redeem(user=shop, code=voucher.code)
    assert codes(exc) == "voucher_expired"
    assert services.vouchers_expire() == 1
    assert services.vouchers_expire() == 0
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.EXPIRED


def test_cancelling_an_offer_voids_its_vouchers_and_tells_everyone(voucher, chair_a, shop, member_a):
    with pytest.raises(ServiceError) as exc:
        services.offer_cancel(actor=chair_a, offer=voucher.offer, reason=" ")
    assert codes(exc) == "reason_required"
    services.offer_cancel(actor=chair_a, offer=voucher.offer, reason="体检中心装修")
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.VOID
    assert Notice.objects.filter(user=member_a, text__contains="体检中心装修").exists()
    with pytest.raises(ServiceError) as exc:
        services.voucher_redeem(user=shop, code=voucher.code)
    assert codes(exc) == "voucher_void"


def test_a_merchant_needs_an_account_and_is_added_once(tree, chair_a, shop):
    offer = voucher_offer(chair_a, tree.grassroots_a)
    with pytest.raises(ServiceError) as exc:
        services.merchant_add(actor=chair_a, offer=offer, mobile="13722229999", name="无账号")
    assert codes(exc) == "no_account"
    services.merchant_add(actor=chair_a, offer=offer, mobile="13722220001", name="西湖体检中心")
    with pytest.raises(ServiceError) as exc:
        services.merchant_add(actor=chair_a, offer=offer, mobile="13722220001", name="西湖体检中心")
    assert codes(exc) == "merchant_exists"
    activity = make_offer(chair_a, tree.grassroots_a)
    with pytest.raises(ServiceError) as exc:
        services.merchant_add(actor=chair_a, offer=activity, mobile="13722220001", name="影城")
    assert codes(exc) == "not_offer"


# --- rules as data ------------------------------------------------------------------------------------------


def test_the_unions_rules_are_inherited_down_the_tree(tree, district_cadre_a, chair_a, viewer_a):
    assert selectors.policy_for(tree.grassroots_a).voucher_valid_days == 30
    services.benefit_policy_set(
        actor=district_cadre_a,
        org=tree.district_a,
        voucher_valid_days=14,
        cancel_hours_before=48,
        checkin_minutes_before=30,
    )
    policy = selectors.policy_for(tree.grassroots_a)
    assert (policy.voucher_valid_days, policy.org_id) == (14, tree.district_a.pk)
    services.benefit_policy_set(
        actor=chair_a,
        org=tree.grassroots_a,
        voucher_valid_days=7,
        cancel_hours_before=0,
        checkin_minutes_before=0,
    )
    assert selectors.policy_for(tree.grassroots_a).voucher_valid_days == 7
    assert selectors.policy_for(tree.street_a).voucher_valid_days == 14
    with pytest.raises(ServiceError) as exc:
        services.benefit_policy_set(
            actor=chair_a,
            org=tree.grassroots_a,
            voucher_valid_days=0,
            cancel_hours_before=0,
            checkin_minutes_before=0,
        )
    assert codes(exc) == "invalid_days"
    with pytest.raises(PermissionDenied):
        services.benefit_policy_set(
            actor=viewer_a,
            org=tree.district_a,
            voucher_valid_days=3,
            cancel_hours_before=0,
            checkin_minutes_before=0,
        )


def test_a_voucher_follows_the_unions_validity(tree, chair_a, zhang, member_a):
    services.benefit_policy_set(
        actor=chair_a,
        org=tree.grassroots_a,
        voucher_valid_days=7,
        cancel_hours_before=24,
        checkin_minutes_before=60,
    )
    entry = services.entry_apply(user=member_a, offer_id=voucher_offer(chair_a, tree.grassroots_a).pk)
    assert Voucher.objects.get(entry=entry).expires_at == NOW + datetime.timedelta(days=7)
    fixed = voucher_offer(chair_a, tree.grassroots_a, voucher_expires_at=NOW + datetime.timedelta(days=60))
    other = crowd(chair_a, tree.grassroots_a, 1)[0]
    entry = services.entry_apply(user=other, offer_id=fixed.pk)
    assert Voucher.objects.get(entry=entry).expires_at == NOW + datetime.timedelta(days=60)


# --- roll-up ------------------------------------------------------------------------------------------------


def test_roll_up_counts_each_child_union_and_the_total(
    tree, district_cadre_a, chair_a, zhang, member_a, shop, frozen, django_assert_num_queries
):
    others = crowd(chair_a, tree.grassroots_a, 3)
    film = make_offer(chair_a, tree.grassroots_a, quota=2)
    for user in [member_a, *others]:
        services.entry_apply(user=user, offer_id=film.pk)
    district_offer = voucher_offer(district_cadre_a, tree.district_a, quota=5)
    services.merchant_add(actor=district_cadre_a, offer=district_offer, mobile="13722220001", name="超市")
    entry = services.entry_apply(user=member_a, offer_id=district_offer.pk)
    services.voucher_redeem(user=shop, code=entry.voucher.code)
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=film)
    services.offer_draw(actor=chair_a, offer=film)
    frozen.move_to(film.starts_at)
    services.entry_check_in(
        actor=chair_a, entry=Entry.objects.filter(offer=film, status=EntryStatus.WON).first()
    )
    with django_assert_num_queries(6):
        r = selectors.rollup(actor=district_cadre_a, org=tree.district_a)
    assert (r.offers, r.signups, r.winners, r.checkins, r.redemptions) == (2, 5, 3, 1, 1)
    rows = {row["org"].pk: row for row in r.rows}
    assert rows[tree.district_a.pk]["own"] and rows[tree.district_a.pk]["redemptions"] == 1
    assert rows[tree.street_a.pk]["signups"] == 4 and rows[tree.street_a.pk]["checkins"] == 1
    with pytest.raises(NotFound):
        selectors.rollup(actor=district_cadre_a, org=tree.district_b)


# --- the demo -----------------------------------------------------------------------------------------------


def test_the_demo_seed_shows_each_feature_once():
    from gonghui.core.seed.demo import seed_demo
    from gonghui.core.seed.demo_benefits import seed_benefits

    seed_demo(worker_services=False)
    assert seed_benefits() == {"benefit_offers": 4}
    assert seed_benefits() == {"benefit_offers": 0}
    film = Draw.objects.get(offer__title__startswith="会员日观影")
    assert film.drawn_at is not None and len(film.winners) == 5 and len(film.tickets) == 12
    assert selectors.verify_published(selectors.published_lottery(film))["winners_ok"]
    assert Entry.objects.filter(offer=film.offer, user__real_name="张伟").exists()
    market = film.offer.__class__.objects.get(title__startswith="会员日超市购物券")
    assert market.status == OfferStatus.OPEN and market.merchants.count() == 1
    clinic = film.offer.__class__.objects.get(title="职工健康体检 5 折")
    assert Voucher.objects.filter(offer=clinic, status=VoucherStatus.REDEEMED).count() == 4
    assert Voucher.objects.filter(offer=clinic, status=VoucherStatus.ISSUED).count() == 6
