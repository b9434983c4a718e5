"""The mutual medical aid API: the member's cover, enrolment and claims; the cadre's plans, enrolment, queue,
review, payment and roll-up, with scope (404) and role (403) on every cadre endpoint."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from gonghui.medical import services as svc
from gonghui.medical.models import Claim, Enrolment, Plan

from . import medical_helpers as h
from .conftest import CastClient
from .medical_helpers import hospital, pdf

frozen, media, plan, zhang, liu, enrolled = h.frozen, h.media, h.plan, h.zhang, h.liu, h.enrolled

BASE = "/api/v1/medical"


def as_(user) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


def call(client, method, path, data=None):
    body = json.dumps(data if data is not None else {})
    return client.generic(method, BASE + path, body, content_type="application/json")


@pytest.fixture
def claim(enrolled, member_a, media):
    return svc.claim_submit(
        actor=member_a, member=enrolled.member, data=hospital(), documents=[("invoice", pdf())]
    )


def test_the_member_reads_their_cover_and_claims(claim, member_a):
    body = as_(member_a).get(BASE + "/mine").json()
    assert body["enrolment"]["cover_from"] == "2026-01-01" and body["claims"][0]["number"] == claim.number
    assert body["plans"][0]["code"] == "basic"


def test_the_member_enrols_themselves_once(plan, zhang, member_a):
    client = as_(member_a)
    response = call(client, "POST", "/mine/enrol", {"payment_ref": "WX-1"})
    assert response.status_code == 201 and response.json()["payment"] == "member"
    again = call(client, "POST", "/mine/enrol", {})
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_enrolled"


def test_the_member_claims_with_a_document_in_one_multipart_request(enrolled, member_a, media):
    response = as_(member_a).post(
        BASE + "/mine/claims",
        {
            "kind": "hospital",
            "event_on": "2026-02-10",
            "discharged_on": "2026-02-20",
            "hospital": "浙江省人民医院",
            "total_amount": "20000",
            "insurance_amount": "12000",
            "out_of_pocket": "8000",
            "file": pdf(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["computed_amount"] == "3500.00" and len(body["documents"]) == 1


def test_a_claim_outside_the_rules_is_a_400_with_a_code(enrolled, member_a, media):
    response = as_(member_a).post(
        BASE + "/mine/claims",
        {"kind": "illness", "event_on": "2026-03-01", "hospital": "医院", "item_code": "flu", "file": pdf()},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "not_listed"


def test_another_person_cannot_read_zhangs_claim(claim, member_b):
    assert as_(member_b).get(f"{BASE}/mine/claims/{claim.pk}").status_code == 404


def test_the_member_adds_a_document_when_asked(claim, chair_a, member_a):
    svc.claim_ask_documents(actor=chair_a, claim=claim, reason="补充")
    response = as_(member_a).post(
        f"{BASE}/mine/claims/{claim.pk}/documents", {"file": pdf(), "kind": "discharge"}
    )
    assert response.status_code == 201 and response.json()["status"] == "submitted"


def test_the_province_sets_a_plan_and_a_district_may_not(
    tree, province_cadre, district_cadre_a, viewer_a, frozen
):
    data = {
        "org_id": tree.province.pk,
        "year": 2027,
        "name": "2027年职工医疗互助",
        "contribution": "60",
        "enrol_opens": "2026-12-01",
        "enrol_closes": "2027-03-31",
        "cover_starts": "2027-01-01",
        "cover_ends": "2027-12-31",
    }
    assert call(as_(province_cadre), "PUT", "/plans", data).status_code == 200
    assert Plan.objects.get().contribution == Decimal(60)
    assert call(as_(district_cadre_a), "PUT", "/plans", data).status_code == 404
    assert call(as_(viewer_a), "PUT", "/plans", {**data, "org_id": tree.district_a.pk}).status_code == 403


def test_plans_in_force_are_read_down_the_tree(tree, plan, chair_a):
    body = as_(chair_a).get(f"{BASE}/plans?org_id={tree.grassroots_a.pk}&year=2026").json()
    assert [p["org"]["id"] for p in body] == [tree.province.pk]


def test_the_chair_enrols_a_list_and_gets_each_bad_entry_back(tree, plan, zhang, chair_a):
    response = call(
        as_(chair_a),
        "POST",
        "/enrolments",
        {"org_id": tree.grassroots_a.pk, "year": 2026, "numbers": [zhang.number, "x"]},
    )
    body = response.json()
    assert (body["created"], body["problems"][0]["row"]) == (1, 2)
    listed = as_(chair_a).get(f"{BASE}/enrolments?org_id={tree.grassroots_a.pk}&year=2026").json()
    assert listed["count"] == 1 and Enrolment.objects.count() == 1


def test_enrolment_scope_and_role(tree, plan, zhang, chair_b, viewer_a):
    data = {"org_id": tree.grassroots_a.pk, "year": 2026}
    assert call(as_(chair_b), "POST", "/enrolments", data).status_code == 404
    assert call(as_(viewer_a), "POST", "/enrolments", data).status_code == 403
    assert as_(chair_b).get(f"{BASE}/enrolments?org_id={tree.grassroots_a.pk}").status_code == 404


def test_the_chair_reviews_and_pays_through_the_api(claim, chair_a):
    client = as_(chair_a)
    queue = client.get(BASE + "/claims").json()
    assert queue["items"][0]["number"] == claim.number
    assert (
        call(client, "POST", f"/claims/{claim.pk}/approve", {"amount": "100"}).json()["error"]["code"]
        == "reason"
    )
    body = call(client, "POST", f"/claims/{claim.pk}/approve", {}).json()
    assert body["status"] == "approved" and body["approved_amount"] == "3500.00"
    body = call(client, "POST", f"/claims/{claim.pk}/pay", {"payment_ref": "R-1"}).json()
    assert body["status"] == "paid" and [e["status"] for e in body["events"]] == [
        "submitted",
        "approved",
        "paid",
    ]


def test_the_chair_asks_for_documents_or_rejects(claim, chair_a):
    client = as_(chair_a)
    assert (
        call(client, "POST", f"/claims/{claim.pk}/ask", {"reason": "缺发票"}).json()["status"] == "more_info"
    )
    assert (
        call(client, "POST", f"/claims/{claim.pk}/reject", {"reason": "不符合"}).json()["status"]
        == "rejected"
    )


def test_the_chair_claims_for_a_member(tree, enrolled, chair_a, media):
    response = as_(chair_a).post(
        BASE + "/claims",
        {
            "org_id": tree.grassroots_a.pk,
            "member_number": enrolled.member.number,
            "kind": "illness",
            "event_on": "2026-03-01",
            "hospital": "浙江省肿瘤医院",
            "item_code": "cancer",
            "file": pdf(),
        },
    )
    assert response.status_code == 201 and response.json()["by_member"] is False


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/claims/{id}", None),
        ("POST", "/claims/{id}/approve", {}),
        ("POST", "/claims/{id}/reject", {"reason": "x"}),
        ("POST", "/claims/{id}/ask", {"reason": "x"}),
        ("POST", "/claims/{id}/pay", {"payment_ref": "x"}),
    ],
)
def test_another_union_gets_404_and_a_viewer_403_on_claim_endpoints(
    claim, chair_b, district_cadre_b, viewer_a, method, path, data
):
    url = path.format(id=claim.pk)
    for user in (chair_b, district_cadre_b):
        assert call(as_(user), method, url, data).status_code == 404
    expected = 200 if method == "GET" else 403
    assert call(as_(viewer_a), method, url, data).status_code == expected


def test_the_queue_of_another_union_is_404_and_a_member_has_no_queue(tree, claim, chair_b, member_a):
    assert as_(chair_b).get(f"{BASE}/claims?org_id={tree.grassroots_a.pk}").status_code == 404
    assert as_(chair_b).get(BASE + "/claims").json()["count"] == 0
    assert as_(member_a).get(BASE + "/claims").status_code == 404


def test_the_roll_up_counts_by_child_union(tree, claim, chair_a, province_cadre, chair_b):
    svc.claim_approve(actor=chair_a, claim=claim)
    svc.claim_pay(actor=chair_a, claim=claim, payment_ref="R")
    body = as_(province_cadre).get(f"{BASE}/stats?org_id={tree.province.pk}&year=2026").json()
    assert (
        body["enrolled"] == 1 and body["by_status"] == {"paid": 1} and Decimal(body["paid"]) == Decimal(3500)
    )
    assert {u["org"]["id"]: u["claims"] for u in body["by_union"]}[tree.city.pk] == 1
    assert as_(chair_b).get(f"{BASE}/stats?org_id={tree.province.pk}").status_code == 404
    assert Claim.objects.count() == 1


def test_the_medical_endpoints_are_in_the_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/medical/mine/claims", "/api/v1/medical/claims/{claim_id}/approve"} <= set(paths)
