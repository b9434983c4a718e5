"""The proposals API: delegates submit, co-sign and rate; the department answers; the committee decides,
assigns, reassigns, keeps departments and publishes the report. Scope on every endpoint."""

from __future__ import annotations

import json

import pytest

from gonghui.proposals import services
from gonghui.proposals.models import Proposal
from gonghui.suggestions.models import Suggestion

from .conftest import CastClient, make_user
from .proposal_helpers import answered, at_committee, make_cg, make_dept, submit

BASE = "/api/v1/proposals"


def call(client, method, path, data=None):
    return client.generic(method, BASE + path, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def cg(tree, chair_a):
    return make_cg(tree, chair_a)


@pytest.fixture
def dept(tree, chair_a):
    return make_dept(tree, chair_a)


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


BODY = {
    "title": "关于更新车间通风设备的提案",
    "category": "safety",
    "reasons": "喷涂车间通风设备老化，夏天气味很重，职工头晕。",
    "measures": "更换排风机组，增加局部排风罩，每季度检测空气质量。",
}


def test_the_whole_journey_through_the_api(tree, cg, chair_a, dept):
    proposer = logged_in(cg.users[0])
    response = call(
        proposer, "POST", "/mine", {**BODY, "congress_id": cg.congress.pk, "meeting_id": cg.meeting.pk}
    )
    assert response.status_code == 201, response.content
    pid = response.json()["id"]
    assert [p["id"] for p in call(logged_in(cg.users[1]), "GET", "/delegate/to-cosign").json()] == [pid]
    response = call(proposer, "POST", f"/portal/{pid}/cosign")
    assert response.status_code == 409 and response.json()["error"]["code"] == "own_proposal"
    call(logged_in(cg.users[1]), "POST", f"/portal/{pid}/cosign")
    out = call(logged_in(cg.users[2]), "POST", f"/portal/{pid}/cosign").json()
    assert out["status"] == "submitted" and out["cosigner_count"] == 2
    committee = logged_in(chair_a)
    assert call(committee, "POST", f"/{pid}/decide", {"decision": "maybe"}).status_code == 400
    assert call(committee, "POST", f"/{pid}/decide", {"decision": "accept"}).json()["status"] == "accepted"
    out = call(committee, "POST", f"/{pid}/assign", {"department_id": dept.pk, "workdays": 5}).json()
    assert out["status"] == "assigned" and out["department"]["name"] == "后勤保障部" and out["due_on"]
    assert [p["id"] for p in call(logged_in(dept.contact), "GET", "/department/to-answer").json()] == [pid]
    out = call(
        logged_in(dept.contact),
        "POST",
        f"/portal/{pid}/answer",
        {"text": "排风机组下月更换，检测报告每季度公开。"},
    ).json()
    assert out["status"] == "answered"
    out = call(
        proposer, "POST", f"/portal/{pid}/rate", {"satisfaction": "not_satisfied", "comment": "太慢"}
    ).json()
    assert out["status"] == "closed"
    response = call(proposer, "POST", f"/portal/{pid}/rate", {"satisfaction": "satisfied"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_rated"
    out = call(
        committee, "POST", f"/{pid}/reassign", {"department_id": dept.pk, "workdays": 3, "note": "加快"}
    ).json()
    assert out["status"] == "assigned" and out["reassigned"]
    report = call(committee, "GET", f"/report/{cg.congress.pk}").json()
    assert report["totals"]["total"] == 1 and report["rows"][0]["number"] == out["number"]
    assert call(committee, "GET", f"/report/{cg.congress.pk}/pdf").content[:5] == b"%PDF-"
    assert call(committee, "GET", f"/report/{cg.congress.pk}/xlsx").content[:2] == b"PK"
    assert call(committee, "GET", f"/report/{cg.congress.pk}/doc").status_code == 404
    assert call(committee, "POST", f"/report/{cg.congress.pk}/publish").status_code == 201


def test_conversion_through_the_api_makes_exactly_one_suggestion(tree, cg, chair_a):
    p = at_committee(cg)
    committee = logged_in(chair_a)
    out = call(committee, "POST", f"/{p.pk}/decide", {"decision": "convert"}).json()
    assert out["status"] == "converted" and out["suggestion_id"] == Suggestion.objects.get().pk
    assert call(committee, "POST", f"/{p.pk}/decide", {"decision": "convert"}).status_code == 409
    assert Suggestion.objects.count() == 1


def test_bad_input_is_refused_and_writes_nothing(tree, cg):
    client = logged_in(cg.users[0])
    response = call(client, "POST", "/mine", {**BODY, "congress_id": cg.congress.pk, "title": "短"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "title"
    assert call(client, "POST", "/mine", {"title": "x"}).status_code == 422
    assert Proposal.objects.count() == 0


def test_someone_who_is_not_a_delegate_is_refused(tree, cg, member_a):
    response = call(logged_in(member_a), "POST", "/mine", {**BODY, "congress_id": cg.congress.pk})
    assert response.status_code == 403
    p = submit(cg)
    for path in (f"/portal/{p.pk}", f"/portal/{p.pk}/cosign"):
        method = "GET" if path.endswith(str(p.pk)) else "POST"
        assert call(logged_in(member_a), method, path).status_code == 404


ENDPOINTS = [
    ("GET", "/{id}", None),
    ("POST", "/{id}/decide", {"decision": "accept"}),
    ("POST", "/{id}/assign", {"department_id": 1}),
    ("POST", "/{id}/reassign", {"department_id": 1}),
    ("POST", "/{id}/answer", {"text": "答复内容答复内容答复内容"}),
]
CONGRESS_ENDPOINTS = [
    ("GET", "/report/{c}"),
    ("GET", "/report/{c}/pdf"),
    ("GET", "/report/{c}/xlsx"),
    ("POST", "/report/{c}/publish"),
]


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_every_committee_endpoint_is_404_for_another_union(tree, cg, chair_b, method, path, data):
    p = at_committee(cg)
    assert call(logged_in(chair_b), method, path.format(id=p.pk), data).status_code == 404
    p.refresh_from_db()
    assert p.status == "submitted"


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_every_committee_endpoint_is_403_for_a_role_without_democratic_management(
    tree, cg, method, path, data
):
    handler = make_user("13800000020", "赵维权", "case_handler", tree.district_a)
    p = at_committee(cg)
    assert call(logged_in(handler), method, path.format(id=p.pk), data).status_code == 403


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS[1:])
def test_a_viewer_reads_but_every_step_is_403(tree, cg, viewer_a, method, path, data):
    p = at_committee(cg)
    assert call(logged_in(viewer_a), "GET", f"/{p.pk}").status_code == 200
    assert call(logged_in(viewer_a), method, path.format(id=p.pk), data).status_code == 403


@pytest.mark.parametrize(("method", "path"), CONGRESS_ENDPOINTS)
def test_the_report_endpoints_are_404_outside_scope_and_403_for_the_wrong_role(
    tree, cg, chair_b, method, path
):
    at_committee(cg)
    handler = make_user("13800000020", "赵维权", "case_handler", tree.district_a)
    assert call(logged_in(chair_b), method, path.format(c=cg.congress.pk)).status_code == 404
    assert call(logged_in(handler), method, path.format(c=cg.congress.pk)).status_code == 403


def test_the_department_endpoints_follow_scope(tree, chair_a, chair_b, viewer_a):
    assert call(logged_in(chair_b), "GET", f"/departments/{tree.grassroots_a.pk}").status_code == 404
    assert (
        call(
            logged_in(chair_b), "POST", "/departments", {"org_id": tree.grassroots_a.pk, "name": "财务部"}
        ).status_code
        == 404
    )
    assert (
        call(
            logged_in(viewer_a), "POST", "/departments", {"org_id": tree.grassroots_a.pk, "name": "财务部"}
        ).status_code
        == 403
    )
    assert (
        call(
            logged_in(chair_a), "POST", "/departments", {"org_id": tree.grassroots_a.pk, "name": "财务部"}
        ).status_code
        == 201
    )
    assert [
        d["name"] for d in call(logged_in(viewer_a), "GET", f"/departments/{tree.grassroots_a.pk}").json()
    ] == ["财务部"]


def test_members_read_published_reports_of_their_union(tree, cg, chair_a, dept, member_a):
    from .suggestion_helpers import make_member

    make_member(chair_a, tree.grassroots_a, member_a, 9)
    answered(cg, chair_a, dept)
    services.proposal_report_publish(actor=chair_a, congress=cg.congress)
    assert len(call(logged_in(member_a), "GET", "/reports/published").json()) == 1
    assert call(logged_in(cg.users[4]), "GET", "/reports/published").json() == []


def test_the_secretariat_records_paper_forms_through_the_api(tree, cg, chair_a, chair_b, viewer_a):
    committee = logged_in(chair_a)
    body = {**BODY, "congress_id": cg.congress.pk, "delegate_id": cg.delegates[3].pk}
    assert call(logged_in(chair_b), "POST", "/record", body).status_code == 404
    assert call(logged_in(viewer_a), "POST", "/record", body).status_code == 403
    response = call(committee, "POST", "/record", {**body, "delegate_id": 999999})
    assert response.status_code == 400 and response.json()["error"]["field"] == "delegate_id"
    out = call(committee, "POST", "/record", body).json()
    pid = out["id"]
    assert out["proposer_name"] == "代表4" and out["status"] == "collecting"
    assert (
        call(
            logged_in(chair_b), "POST", f"/{pid}/cosign-record", {"delegate_id": cg.delegates[1].pk}
        ).status_code
        == 404
    )
    assert (
        call(
            logged_in(viewer_a), "POST", f"/{pid}/cosign-record", {"delegate_id": cg.delegates[1].pk}
        ).status_code
        == 403
    )
    for n in (1, 2):
        out = call(committee, "POST", f"/{pid}/cosign-record", {"delegate_id": cg.delegates[n].pk}).json()
    assert out["status"] == "submitted"
    response = call(committee, "POST", f"/{pid}/rate-record", {"satisfaction": "satisfied"})
    assert response.status_code == 409  # not answered yet (and this delegate rates in the portal)
    assert (
        call(logged_in(chair_b), "POST", f"/{pid}/rate-record", {"satisfaction": "satisfied"}).status_code
        == 404
    )
