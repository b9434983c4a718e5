"""The member-day API: the union's side (offers, close, draw, entries, merchants, check-in, figures, rules),
the member's side (/mine), the merchant's side (/merchant) and the public lottery; 404 for another union,
403 for the wrong role, on every endpoint."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from gonghui.benefits import rules, services
from gonghui.benefits.models import Entry, EntryStatus, Voucher
from tests.benefits_support import NOW, call, crowd, frozen, liu, logged_in, make_offer, voucher_offer, zhang
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
__all__ = ["frozen", "liu", "zhang"]

LATER = datetime.timedelta(days=2, minutes=1)


def body(**kw):
    base = {
        "kind": "activity",
        "category": "健步走",
        "title": "西湖健步走",
        "place": "断桥",
        "starts_at": "2026-05-20T08:00:00+08:00",
        "quota": 100,
        "opens_at": "2026-05-10T09:00:00+08:00",
        "closes_at": "2026-05-15T18:00:00+08:00",
        "allocation": "first_come",
    }
    base.update(kw)
    return base


@pytest.fixture
def offer(tree, chair_a):
    return make_offer(chair_a, tree.grassroots_a)


def test_a_chair_drafts_publishes_and_lists_an_offer(tree, chair_a):
    client = logged_in(chair_a)
    created = call(client, "POST", f"/offers?org_id={tree.grassroots_a.pk}", body())
    assert created.status_code == 201, created.content
    offer_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert call(client, "POST", f"/offers/{offer_id}/publish").json()["status"] == "open"
    listed = client.get(f"/api/v1/benefits/offers?org_id={tree.grassroots_a.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["signups"] == 0
    changed = call(client, "PUT", f"/offers/{offer_id}", body(place="苏堤"))
    assert changed.json()["place"] == "苏堤"
    refused = call(client, "PUT", f"/offers/{offer_id}", body(quota=5))
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "rules_locked"


def test_bad_input_gets_the_one_error_shape(tree, chair_a):
    response = call(logged_in(chair_a), "POST", f"/offers?org_id={tree.grassroots_a.pk}", body(quota=0))
    assert response.status_code == 400
    assert (
        response.json()["error"]["code"] == "invalid_quota" and response.json()["error"]["field"] == "quota"
    )


def test_the_whole_lottery_through_the_api(tree, chair_a, zhang, member_a, frozen):
    others = crowd(chair_a, tree.grassroots_a, 4)
    offer = make_offer(chair_a, tree.grassroots_a, quota=2)
    applied = call(logged_in(member_a), "POST", f"/mine/offers/{offer.pk}/apply")
    assert applied.status_code == 201 and applied.json()["ticket"] == 1
    again = call(logged_in(member_a), "POST", f"/mine/offers/{offer.pk}/apply")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_signed_up"
    for user in others:
        services.entry_apply(user=user, offer_id=offer.pk)
    frozen.move_to(NOW + LATER)
    cadre = logged_in(chair_a)
    closed = call(cadre, "POST", f"/offers/{offer.pk}/close").json()
    assert closed["status"] == "closed" and closed["lottery"]["seed"] is None
    public = Client().get(f"/api/v1/benefits/offers/{offer.pk}/lottery").json()
    assert public["commitment"] == closed["lottery"]["commitment"] and public["seed"] is None
    drawn = call(cadre, "POST", f"/offers/{offer.pk}/draw").json()
    assert (
        drawn["status"] == "allocated"
        and rules.commitment(drawn["lottery"]["seed"]) == drawn["lottery"]["commitment"]
    )
    twice = call(cadre, "POST", f"/offers/{offer.pk}/draw")
    assert twice.status_code == 409
    public = Client().get(f"/api/v1/benefits/offers/{offer.pk}/lottery").json()
    tickets = [t["ticket"] for t in public["tickets"]]
    assert (
        rules.draw(tickets, public["seed"], public["quota"]).winners
        == public["winners"]
        == drawn["lottery"]["winners"]
    )
    entries = cadre.get(f"/api/v1/benefits/offers/{offer.pk}/entries?status=won").json()
    assert entries["count"] == 2 and {e["ticket"] for e in entries["items"]} == set(public["winners"])
    mine = logged_in(member_a).get("/api/v1/benefits/mine/entries").json()
    assert mine[0]["status"] in ("won", "waiting")
    if mine[0]["status"] == "won":
        assert "/console/benefits/checkin/" in mine[0]["ticket_qr_url"]


def test_check_in_by_the_scanned_token(tree, chair_a, zhang, member_a, frozen):
    offer = make_offer(chair_a, tree.grassroots_a, allocation="first_come")
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    frozen.move_to(NOW + LATER)
    services.offer_close(actor=chair_a, offer=offer)
    frozen.move_to(offer.starts_at)
    cadre = logged_in(chair_a)
    done = call(cadre, "POST", "/checkin", {"token": entry.token})
    assert done.status_code == 200 and done.json()["checked_in_at"]
    again = call(cadre, "POST", "/checkin", {"token": entry.token})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_checked_in"


def test_a_voucher_is_issued_shown_and_redeemed_once_through_the_api(tree, chair_a, zhang, member_a):
    shop = make_user("13722220001", "前台")
    offer = voucher_offer(chair_a, tree.grassroots_a)
    added = call(
        logged_in(chair_a), "POST", f"/offers/{offer.pk}/merchants", {"name": "超市", "mobile": "13722220001"}
    )
    assert added.status_code == 201
    entry = call(logged_in(member_a), "POST", f"/mine/offers/{offer.pk}/apply").json()
    code = entry["voucher"]["code"]
    assert entry["status"] == "won" and code in entry["voucher"]["qr_url"]
    merchant = logged_in(shop)
    assert merchant.get("/api/v1/benefits/merchant/offers").json()[0]["offer_id"] == offer.pk
    looked = merchant.get(f"/api/v1/benefits/merchant/vouchers/{code}").json()
    assert looked["holder"] == "张*" and looked["status"] == "issued"
    assert call(merchant, "POST", f"/merchant/vouchers/{code}/redeem").json()["status"] == "redeemed"
    again = call(merchant, "POST", f"/merchant/vouchers/{code}/redeem")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_redeemed"
    assert logged_in(member_a).get(f"/api/v1/benefits/merchant/vouchers/{code}").status_code == 404
    assert Voucher.objects.get(code=code).status == "redeemed"


def test_a_member_gives_a_place_back_through_the_api(tree, chair_a, zhang, member_a):
    offer = voucher_offer(chair_a, tree.grassroots_a)
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    given = call(logged_in(member_a), "POST", f"/mine/entries/{entry.pk}/cancel")
    assert given.status_code == 200 and given.json()["status"] == "cancelled"
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.CANCELLED


def test_figures_and_rules_through_the_api(tree, district_cadre_a, chair_a, zhang, member_a):
    offer = voucher_offer(chair_a, tree.grassroots_a)
    services.entry_apply(user=member_a, offer_id=offer.pk)
    client = logged_in(district_cadre_a)
    stats = client.get(f"/api/v1/benefits/stats?org_id={tree.district_a.pk}").json()
    assert (
        stats["offers"] == 1 and stats["signups"] == 1 and stats["rows"][0]["org"]["id"] == tree.street_a.pk
    )
    assert (
        client.get(f"/api/v1/benefits/policy?org_id={tree.grassroots_a.pk}").json()["voucher_valid_days"]
        == 30
    )
    put = call(
        client,
        "PUT",
        f"/policy?org_id={tree.district_a.pk}",
        {"voucher_valid_days": 10, "cancel_hours_before": 2, "checkin_minutes_before": 15},
    )
    assert put.json()["source"]["id"] == tree.district_a.pk
    inherited = client.get(f"/api/v1/benefits/policy?org_id={tree.grassroots_a.pk}").json()
    assert inherited["voucher_valid_days"] == 10


# --- scope --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/offers/{id}"),
        ("PUT", "/offers/{id}"),
        ("POST", "/offers/{id}/publish"),
        ("POST", "/offers/{id}/close"),
        ("POST", "/offers/{id}/draw"),
        ("POST", "/offers/{id}/cancel"),
        ("GET", "/offers/{id}/entries"),
        ("GET", "/offers/{id}/merchants"),
        ("POST", "/offers/{id}/merchants"),
        ("GET", "/offers?org_id={org}"),
        ("POST", "/offers?org_id={org}"),
        ("GET", "/stats?org_id={org}"),
        ("GET", "/policy?org_id={org}"),
        ("PUT", "/policy?org_id={org}"),
    ],
)
def test_another_districts_offers_are_not_found(tree, offer, district_cadre_b, method, path):
    url = path.format(id=offer.pk, org=tree.grassroots_a.pk)
    data = {
        **body(),
        "reason": "x",
        "name": "x",
        "mobile": "13722220001",
        "voucher_valid_days": 1,
        "cancel_hours_before": 1,
        "checkin_minutes_before": 1,
    }
    assert call(logged_in(district_cadre_b), method, url, data).status_code == 404


@pytest.mark.parametrize(
    "method,path",
    [
        ("PUT", "/offers/{id}"),
        ("POST", "/offers/{id}/publish"),
        ("POST", "/offers/{id}/close"),
        ("POST", "/offers/{id}/draw"),
        ("POST", "/offers/{id}/cancel"),
        ("POST", "/offers/{id}/merchants"),
        ("POST", "/offers?org_id={org}"),
        ("PUT", "/policy?org_id={org}"),
    ],
)
def test_a_viewer_may_read_but_not_write(tree, offer, viewer_a, method, path):
    url = path.format(id=offer.pk, org=tree.grassroots_a.pk)
    data = {
        **body(),
        "reason": "x",
        "name": "x",
        "mobile": "13722220001",
        "voucher_valid_days": 1,
        "cancel_hours_before": 1,
        "checkin_minutes_before": 1,
    }
    client = logged_in(viewer_a)
    assert client.get(f"/api/v1/benefits/offers/{offer.pk}").status_code == 200
    assert call(client, method, url, data).status_code == 403


def test_check_in_of_another_districts_ticket_is_not_found_and_a_viewer_is_refused(
    tree, chair_a, zhang, member_a, district_cadre_b, viewer_a
):
    offer = make_offer(chair_a, tree.grassroots_a, allocation="first_come")
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    assert call(logged_in(district_cadre_b), "POST", "/checkin", {"token": entry.token}).status_code == 404
    assert call(logged_in(viewer_a), "POST", "/checkin", {"token": entry.token}).status_code == 403


def test_members_see_only_their_unions_offers_and_their_own_entries(offer, zhang, member_a, liu, member_b):
    entry = services.entry_apply(user=member_a, offer_id=offer.pk)
    other = logged_in(member_b)
    assert other.get("/api/v1/benefits/mine/offers").json() == []
    assert call(other, "POST", f"/mine/offers/{offer.pk}/apply").status_code == 404
    assert other.get(f"/api/v1/benefits/mine/entries/{entry.pk}").status_code == 404
    assert call(other, "POST", f"/mine/entries/{entry.pk}/cancel").status_code == 404
    assert [o["id"] for o in logged_in(member_a).get("/api/v1/benefits/mine/offers").json()] == [offer.pk]


def test_the_api_needs_authentication_except_for_the_public_lottery(offer):
    anonymous = Client()
    assert anonymous.get("/api/v1/benefits/mine/offers").status_code == 401
    assert anonymous.get(f"/api/v1/benefits/offers/{offer.pk}").status_code == 401
    assert (
        anonymous.get(f"/api/v1/benefits/offers/{offer.pk}/lottery").status_code == 404
    )  # nothing committed
