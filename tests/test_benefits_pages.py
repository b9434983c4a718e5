"""Member-day pages: the console (offers, one offer with its actions, the draw, the check-in desk and ticket,
figures, rules) and the portal (offers, sign-up, my ticket or voucher with its QR, the public lottery page,
the merchant's redeem page). Every page keeps to scope: another union's offer is a 404, the wrong role a 403."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from gonghui.benefits import rules, services
from gonghui.benefits.models import Draw, Entry, EntryStatus, Offer, OfferStatus, Voucher, VoucherStatus
from gonghui.core.models import AuditRecord
from tests.benefits_support import NOW, crowd, frozen, liu, logged_in, make_offer, voucher_offer, zhang
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
__all__ = ["frozen", "liu", "zhang"]

LATER = datetime.timedelta(days=2, minutes=1)


def post_form(**kw):
    base = {
        "kind": "activity",
        "category": "亲子",
        "title": "亲子手工课",
        "description": "",
        "place": "职工之家活动室",
        "starts_at": "2026-05-20T14:00",
        "ends_at": "2026-05-20T16:00",
        "quota": "20",
        "opens_at": "2026-05-10T09:00",
        "closes_at": "2026-05-15T18:00",
        "allocation": "lottery",
        "min_membership_months": "0",
        "exclude_recent_winners": "0",
    }
    base.update(kw)
    return base


@pytest.fixture
def offer(tree, chair_a):
    return make_offer(chair_a, tree.grassroots_a)


@pytest.fixture
def drawn(tree, chair_a, zhang, member_a, frozen):
    others = crowd(chair_a, tree.grassroots_a, 5)
    offer = make_offer(chair_a, tree.grassroots_a, quota=2)
    for user in [member_a, *others]:
        services.entry_apply(user=user, offer_id=offer.pk)
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=offer)
    services.offer_draw(actor=chair_a, offer=offer)
    return Offer.objects.get(pk=offer.pk)


# --- console ------------------------------------------------------------------------------------------------


def test_a_chair_creates_publishes_and_sees_an_offer(tree, chair_a):
    client = logged_in(chair_a)
    assert client.get(reverse("console:benefits_new")).status_code == 200
    response = client.post(reverse("console:benefits_new"), post_form())
    offer = Offer.objects.get(title="亲子手工课")
    assert response.status_code == 302 and response.url == reverse("console:benefits_offer", args=[offer.pk])
    assert client.post(reverse("console:benefits_publish", args=[offer.pk])).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN
    page = client.get(reverse("console:benefits_list"))
    assert page.status_code == 200 and "亲子手工课" in page.content.decode()
    detail = client.get(reverse("console:benefits_offer", args=[offer.pk]))
    assert detail.status_code == 200 and 'data-testid="offer-counts"' in detail.content.decode()


def test_a_bad_offer_form_is_shown_again_with_the_problem(tree, chair_a):
    client = logged_in(chair_a)
    response = client.post(reverse("console:benefits_new"), post_form(starts_at="2026-05-14T10:00"))
    assert response.status_code == 200
    assert not Offer.objects.exists()
    assert 'class="error"' in response.content.decode()


def test_the_edit_page_refuses_changed_rules_once_published(tree, chair_a, offer):
    client = logged_in(chair_a)
    assert client.get(reverse("console:benefits_edit", args=[offer.pk])).status_code == 200
    response = client.post(
        reverse("console:benefits_edit", args=[offer.pk]),
        post_form(
            kind="activity",
            title=offer.title,
            category=offer.category,
            place=offer.place,
            quota="50",
            opens_at="2026-05-10T09:00",
            closes_at="2026-05-12T10:00",
            starts_at="2026-05-16T10:00",
            ends_at="2026-05-16T13:00",
        ),
    )
    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.quota == 3


def test_the_offer_list_costs_the_same_queries_for_one_offer_or_many(
    tree, chair_a, client, django_assert_max_num_queries
):
    make_offer(chair_a, tree.grassroots_a)
    client.force_login(chair_a)
    client.get(reverse("console:benefits_list"))
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("console:benefits_list"))
    for i in range(8):
        make_offer(chair_a, tree.grassroots_a, title=f"健步走 {i}", category="健步走")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("console:benefits_list"))
    assert len(re.findall(r">健步走 \d<", response.content.decode())) == 8


def test_the_cadre_closes_and_draws_on_the_offer_page_once(tree, chair_a, zhang, member_a, frozen):
    others = crowd(chair_a, tree.grassroots_a, 4)
    offer = make_offer(chair_a, tree.grassroots_a, quota=2)
    for user in [member_a, *others]:
        services.entry_apply(user=user, offer_id=offer.pk)
    client = logged_in(chair_a)
    client.post(reverse("console:benefits_close", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN  # the window is not over: refused with a message
    frozen.move_to(NOW + LATER)
    client = logged_in(chair_a)  # a new session: the cadre's idle timeout ended the old one
    client.post(reverse("console:benefits_close", args=[offer.pk]))
    page = client.get(reverse("console:benefits_offer", args=[offer.pk])).content.decode()
    draw = Draw.objects.get(offer=offer)
    assert draw.commitment in page and draw.seed not in page and 'data-testid="draw"' in page
    client.post(reverse("console:benefits_draw", args=[offer.pk]))
    client.post(reverse("console:benefits_draw", args=[offer.pk]))
    assert AuditRecord.objects.filter(action="gonghui.benefit.offer_drawn").count() == 1
    draw.refresh_from_db()
    page = client.get(reverse("console:benefits_offer", args=[offer.pk])).content.decode()
    assert draw.seed in page and 'data-testid="draw"' not in page


def test_the_check_in_desk_and_the_scanned_ticket_check_a_winner_in(drawn, chair_a, frozen):
    client = logged_in(chair_a)
    winner = Entry.objects.filter(offer=drawn, status=EntryStatus.WON).first()
    desk = client.get(reverse("console:benefits_desk", args=[drawn.pk]))
    assert desk.status_code == 200
    response = client.post(
        reverse("console:benefits_desk", args=[drawn.pk]),
        {"code": f"http://testserver/console/benefits/checkin/{winner.token}/"},
    )
    assert response.url == reverse("console:benefits_checkin", args=[winner.token])
    frozen.move_to(drawn.starts_at)
    client = logged_in(chair_a)
    page = client.get(response.url)
    assert page.status_code == 200 and 'data-testid="check-in"' in page.content.decode()
    client.post(response.url)
    page = client.get(response.url).content.decode()
    assert 'data-testid="checked-in"' in page
    winner.refresh_from_db()
    assert winner.checked_in_at is not None


def test_merchants_are_added_and_the_offer_can_be_cancelled_from_its_page(tree, chair_a):
    make_user("13722220001", "前台")
    offer = voucher_offer(chair_a, tree.grassroots_a)
    client = logged_in(chair_a)
    client.post(
        reverse("console:benefits_merchant_add", args=[offer.pk]),
        {"name": "西湖体检中心", "mobile": "13722220001"},
    )
    assert offer.merchants.count() == 1
    client.post(reverse("console:benefits_cancel", args=[offer.pk]), {"reason": "场地调整"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.CANCELLED


def test_figures_and_rules_pages_show_for_the_district(tree, district_cadre_a, drawn):
    client = logged_in(district_cadre_a)
    stats = client.get(reverse("console:benefits_stats"))
    assert stats.status_code == 200
    body = stats.content.decode()
    assert (
        'data-chart="benefits-union"' in body and "西溪科技有限公司工会" not in body
    )  # rolled up to the street
    assert "文新街道总工会" in body
    assert client.get(reverse("console:benefits_policy")).status_code == 200
    client.post(
        reverse("console:benefits_policy"),
        {"voucher_valid_days": "15", "cancel_hours_before": "12", "checkin_minutes_before": "45"},
    )
    assert tree.district_a.benefit_policy.voucher_valid_days == 15


@pytest.mark.parametrize(
    "name,method",
    [
        ("console:benefits_offer", "get"),
        ("console:benefits_edit", "get"),
        ("console:benefits_publish", "post"),
        ("console:benefits_close", "post"),
        ("console:benefits_draw", "post"),
        ("console:benefits_cancel", "post"),
        ("console:benefits_merchant_add", "post"),
        ("console:benefits_desk", "get"),
    ],
)
def test_another_districts_offer_is_not_found_in_the_console(offer, district_cadre_b, name, method):
    client = logged_in(district_cadre_b)
    response = getattr(client, method)(
        reverse(name, args=[offer.pk]), {"reason": "x", "name": "x", "mobile": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name,method",
    [
        ("console:benefits_edit", "get"),
        ("console:benefits_publish", "post"),
        ("console:benefits_close", "post"),
        ("console:benefits_draw", "post"),
        ("console:benefits_cancel", "post"),
        ("console:benefits_merchant_add", "post"),
        ("console:benefits_desk", "get"),
    ],
)
def test_a_viewer_may_look_but_not_act(offer, viewer_a, name, method):
    client = logged_in(viewer_a)
    assert client.get(reverse("console:benefits_offer", args=[offer.pk])).status_code == 200
    response = getattr(client, method)(
        reverse(name, args=[offer.pk]), {"reason": "x", "name": "x", "mobile": "x"}
    )
    assert response.status_code == 403


def test_a_viewer_cannot_create_or_set_rules_and_a_member_has_no_console(tree, viewer_a, member_a):
    client = logged_in(viewer_a)
    assert client.get(reverse("console:benefits_new")).status_code == 403
    assert client.post(reverse("console:benefits_policy"), {"voucher_valid_days": "3"}).status_code == 403
    assert logged_in(member_a).get(reverse("console:benefits_list")).status_code == 403


def test_a_ticket_of_another_district_is_not_found_and_a_viewer_is_refused(drawn, district_cadre_b, viewer_a):
    winner = Entry.objects.filter(offer=drawn, status=EntryStatus.WON).first()
    url = reverse("console:benefits_checkin", args=[winner.token])
    assert logged_in(district_cadre_b).get(url).status_code == 404
    assert logged_in(viewer_a).get(url).status_code == 403
    assert (
        logged_in(district_cadre_b).get(reverse("console:benefits_checkin", args=["nonsense"])).status_code
        == 404
    )


# --- portal -------------------------------------------------------------------------------------------------


def test_a_member_signs_up_in_two_taps_and_sees_the_ticket(offer, zhang, member_a):
    client = logged_in(member_a)
    home = client.get(reverse("portal:benefits")).content.decode()
    assert offer.title in home
    page = client.get(reverse("portal:benefits_offer", args=[offer.pk])).content.decode()
    assert 'data-testid="apply"' in page
    response = client.post(reverse("portal:benefits_apply", args=[offer.pk]))
    entry = Entry.objects.get(offer=offer, user=member_a)
    assert response.url == reverse("portal:benefits_ticket", args=[entry.pk])
    ticket = client.get(response.url).content.decode()
    assert "0001" in ticket and 'data-testid="cancel"' in ticket


def test_the_offer_page_says_why_someone_may_not_sign_up(tree, chair_a, zhang, member_a):
    riders = make_offer(chair_a, tree.grassroots_a, employment_forms=["delivery_rider"])
    page = logged_in(member_a).get(reverse("portal:benefits_offer", args=[riders.pk])).content.decode()
    assert 'data-testid="not-eligible"' in page and 'data-testid="apply"' not in page


def test_a_winner_of_an_activity_sees_the_ticket_qr_and_a_loser_the_waiting_place(drawn, member_a):
    client = logged_in(member_a)
    entry = Entry.objects.get(offer=drawn, user=member_a)
    page = client.get(reverse("portal:benefits_ticket", args=[entry.pk])).content.decode()
    if entry.status == EntryStatus.WON:
        assert 'data-testid="ticket-qr"' in page and "<svg" in page
    else:
        assert 'data-testid="waiting"' in page and "<svg" not in page


def test_a_voucher_holder_sees_the_voucher_qr_and_the_merchant_redeems_it_on_the_phone(
    tree, chair_a, zhang, member_a
):
    shop = make_user("13722220001", "前台")
    offer = voucher_offer(chair_a, tree.grassroots_a)
    services.merchant_add(actor=chair_a, offer=offer, mobile="13722220001", name="西湖体检中心")
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    voucher = Voucher.objects.get(entry=entry)
    page = logged_in(member_a).get(reverse("portal:benefits_ticket", args=[entry.pk])).content.decode()
    assert voucher.code in page and 'data-testid="voucher-qr"' in page
    merchant = logged_in(shop)
    home = merchant.get(reverse("portal:benefits_merchant")).content.decode()
    assert offer.title in home
    response = merchant.post(reverse("portal:benefits_merchant"), {"code": voucher.code.lower()})
    assert response.url == reverse("portal:benefits_redeem", args=[voucher.code])
    assert 'data-testid="redeem"' in merchant.get(response.url).content.decode()
    merchant.post(response.url)
    merchant.post(response.url)
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED
    assert 'data-testid="redeemed"' in merchant.get(response.url).content.decode()
    assert logged_in(member_a).get(response.url).status_code == 404  # the holder is no merchant


def test_the_public_lottery_page_lets_anyone_check_the_draw(drawn):
    draw = Draw.objects.get(offer=drawn)
    anonymous = logged_in(make_user("13733330000", "路人")).get(
        reverse("portal:benefits_lottery", args=[drawn.pk])
    )
    assert anonymous.status_code == 200
    from django.test import Client

    page = Client().get(reverse("portal:benefits_lottery", args=[drawn.pk])).content.decode()
    assert draw.seed in page and draw.commitment in page and 'data-testid="verified"' in page
    assert "bn-ok" in page and "张*" in page and "张伟" not in page
    data = Client().get(reverse("portal:benefits_lottery_json", args=[drawn.pk])).json()
    assert (
        rules.draw([t["ticket"] for t in data["tickets"]], data["seed"], data["quota"]).winners
        == data["winners"]
    )


def test_before_the_draw_the_lottery_page_shows_the_commitment_but_not_the_seed(
    tree, chair_a, zhang, member_a, frozen
):
    others = crowd(chair_a, tree.grassroots_a, 4)
    offer = make_offer(chair_a, tree.grassroots_a, quota=1)
    for user in [member_a, *others]:
        services.entry_apply(user=user, offer_id=offer.pk)
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=offer)
    draw = Draw.objects.get(offer=offer)
    from django.test import Client

    page = Client().get(reverse("portal:benefits_lottery", args=[offer.pk])).content.decode()
    assert draw.commitment in page and draw.seed not in page
    assert Client().get(reverse("portal:benefits_lottery_json", args=[offer.pk])).json()["seed"] is None


def test_the_portal_hides_other_unions_offers_and_other_peoples_tickets(
    offer, liu, member_b, zhang, member_a
):
    other = logged_in(member_b)
    assert offer.title not in other.get(reverse("portal:benefits")).content.decode()
    assert other.get(reverse("portal:benefits_offer", args=[offer.pk])).status_code == 404
    assert other.post(reverse("portal:benefits_apply", args=[offer.pk])).status_code == 404
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    assert other.get(reverse("portal:benefits_ticket", args=[entry.pk])).status_code == 404
    assert other.post(reverse("portal:benefits_cancel", args=[entry.pk])).status_code == 404
    assert other.get(reverse("portal:benefits_redeem", args=["ABCDEFGHJK"])).status_code == 404
    assert logged_in(member_a).get(reverse("portal:benefits_lottery", args=[offer.pk])).status_code == 404


def test_a_member_gives_a_place_back_from_the_ticket_page(offer, zhang, member_a):
    client = logged_in(member_a)
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    client.post(reverse("portal:benefits_cancel", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CANCELLED


def test_the_portal_needs_a_login(offer):
    from django.test import Client

    response = Client().get(reverse("portal:benefits"))
    assert response.status_code == 302 and "login" in response.url
