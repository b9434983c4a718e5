"""The workers' congress API: every endpoint for Wu who runs union A's congress (chair_a), for Zheng in
district B (chair_b: 404, never a hint that it exists), for Chen who may only read (viewer_a: 403 on writes)
and for the delegates, who check in, vote once with a receipt and see results only once published.

The congress has four serving delegates; the first three are present (3 * 3 >= 4 * 2: a quorum).
"""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gonghui.congress import services
from gonghui.congress.models import Attendance, Ballot, Delegate, Participation, Poll, PollStatus
from gonghui.orgs.models import Role
from tests.conftest import CastClient, make_user
from tests.congress_setup import make_congress

pytestmark = pytest.mark.django_db

API = "/api/v1/congress"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 20, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def as_(user) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


def call(client, method, path, data=None):
    return client.generic(method, API + path, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def setup(tree, chair_a):
    return make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4, present=3)


@pytest.fixture
def wu(chair_a):
    return as_(chair_a)


@pytest.fixture
def zheng(chair_b):
    return as_(chair_b)


@pytest.fixture
def chen(viewer_a):
    return as_(viewer_a)


def resolution(setup, chair, *, open_=True, **kw):
    poll = services.poll_create(
        actor=chair,
        meeting=setup.meeting,
        kind="resolution",
        title=kw.pop("title", "关于工资集体协商方案的表决"),
        options=kw.pop("options", ["2027年工资集体协商方案", "职工福利费使用方案"]),
        **kw,
    )
    return services.poll_open(actor=chair, poll=poll) if open_ else poll


def options(poll) -> list[int]:
    return list(poll.options.values_list("pk", flat=True))


def vote(user, poll, marks=None, write_ins=None):
    return call(
        as_(user), "post", f"/polls/{poll.pk}/ballots", {"marks": marks or {}, "write_ins": write_ins or []}
    )


# --- the congress ----------------------------------------------------------------------------------------------


def test_the_congress_list_and_detail_are_scoped(setup, wu, zheng, chen):
    listed = call(wu, "get", "/congresses").json()
    assert listed["count"] == 1 and listed["items"][0]["serving"] == 4
    assert call(chen, "get", "/congresses").json()["count"] == 1
    assert call(zheng, "get", "/congresses").json()["count"] == 0
    url = f"/congresses/{setup.congress.pk}"
    detail = call(wu, "get", url).json()
    assert detail["name"] == setup.congress.name and detail["quorum_numerator"] == 2
    assert call(chen, "get", url).status_code == 200
    assert call(zheng, "get", url).status_code == 404
    assert call(zheng, "get", f"/congresses?org_id={setup.congress.org_id}").status_code == 404


def test_a_term_is_started_by_its_union_only(tree, wu, zheng, chen):
    body = {
        "org_id": tree.grassroots_a.pk,
        "name": "第二届职工代表大会",
        "term_start": "2026-01-01",
        "term_end": "2029-12-31",
        "staff_count": 400,
        "term_number": 2,
    }
    made = call(wu, "post", "/congresses", body)
    assert made.status_code == 201, made.content
    assert made.json()["kind"] == "congress" and made.json()["serving"] == 0
    assert call(zheng, "post", "/congresses", body).status_code == 404
    assert call(chen, "post", "/congresses", {**body, "term_number": 3}).status_code == 403
    short = call(wu, "post", "/congresses", {**body, "term_number": 4, "term_end": "2027-01-01"})
    assert short.status_code == 400 and short.json()["error"]["code"] == "term_length"


def test_the_figures_change_for_the_chair_only(setup, wu, zheng, chen):
    url = f"/congresses/{setup.congress.pk}/figures"
    changed = call(wu, "patch", url, {"quorum_numerator": 3, "quorum_denominator": 4, "min_cosigners": 5})
    assert changed.status_code == 200
    assert (changed.json()["quorum_numerator"], changed.json()["min_cosigners"]) == (3, 5)
    assert call(zheng, "patch", url, {"min_cosigners": 1}).status_code == 404
    assert call(chen, "patch", url, {"min_cosigners": 1}).status_code == 403
    bad = call(wu, "patch", url, {"quorum_numerator": 5})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_quorum"


def test_the_composition_carries_its_warnings(setup, wu, zheng, chen):
    url = f"/congresses/{setup.congress.pk}/composition"
    report = call(wu, "get", url).json()
    assert report["delegates"] == 4 and report["required"] == 30
    assert {"code": "too_few", "actual": 4, "expected": 30} in report["warnings"]
    assert report["by_category"]["manager"] == 1
    assert call(chen, "get", url).status_code == 200
    assert call(zheng, "get", url).status_code == 404


def test_constituencies_are_listed_and_added(setup, wu, zheng, chen):
    url = f"/congresses/{setup.congress.pk}/constituencies"
    added = call(wu, "post", url, {"name": "二车间", "staff_count": 80, "seats": 4})
    assert added.status_code == 201 and added.json()["seats"] == 4
    assert [c["name"] for c in call(chen, "get", url).json()] == ["一车间", "二车间"]
    assert call(wu, "post", url, {"name": "二车间"}).status_code == 409
    assert call(zheng, "get", url).status_code == 404
    assert call(zheng, "post", url, {"name": "三车间"}).status_code == 404
    assert call(chen, "post", url, {"name": "三车间"}).status_code == 403


# --- delegates ----------------------------------------------------------------------------------------------


def test_delegates_are_listed_added_recalled_and_ended(setup, wu, zheng, chen):
    url = f"/congresses/{setup.congress.pk}/delegates"
    listed = call(chen, "get", url).json()
    assert listed["count"] == 4 and listed["items"][0]["constituency"]["name"] == "一车间"
    assert listed["items"][0]["has_account"] is True
    body = {
        "category": "technician",
        "elected_on": "2026-01-05",
        "constituency_id": setup.constituency.pk,
        "name": "赵工",
        "sex": "female",
    }
    added = call(wu, "post", url, body)
    assert added.status_code == 201 and added.json()["status"] == "active"
    assert call(zheng, "post", url, body).status_code == 404
    assert call(chen, "post", url, body).status_code == 403
    assert call(zheng, "get", url).status_code == 404
    new_id = added.json()["id"]
    recall = {"votes_for": 30, "constituency_size": 80, "on": "2026-03-01", "reason": "严重失职"}
    short = call(wu, "post", f"/delegates/{new_id}/recall", recall)
    assert short.status_code == 400 and short.json()["error"]["code"] == "recall_short"
    assert call(zheng, "post", f"/delegates/{new_id}/recall", {**recall, "votes_for": 41}).status_code == 404
    assert call(chen, "post", f"/delegates/{new_id}/recall", {**recall, "votes_for": 41}).status_code == 403
    recalled = call(wu, "post", f"/delegates/{new_id}/recall", {**recall, "votes_for": 41})
    assert recalled.status_code == 200 and recalled.json()["status"] == "recalled"
    ended_url = f"/delegates/{setup.delegates[3].pk}/end"
    end = {"status": "left", "on": "2026-03-01", "reason": "调离"}
    assert call(zheng, "post", ended_url, end).status_code == 404
    assert call(chen, "post", ended_url, end).status_code == 403
    assert call(wu, "post", ended_url, end).json()["status"] == "left"
    assert call(wu, "get", url + "?status=active").json()["count"] == 3


# --- meetings and attendance --------------------------------------------------------------------------------


def test_meetings_are_planned_opened_moved_on_and_closed(setup, wu, zheng, chen):
    url = f"/congresses/{setup.congress.pk}/meetings"
    body = {
        "title": "第一届第二次职工代表大会",
        "starts_at": "2026-03-25T09:00:00+08:00",
        "place": "大礼堂",
        "agenda": [{"title": "工作报告", "kind": "report"}, {"title": "选举", "kind": "election"}],
    }
    made = call(wu, "post", url, body)
    assert made.status_code == 201 and made.json()["number"] == 2
    assert [a["title"] for a in made.json()["agenda"]] == ["工作报告", "选举"]
    assert call(zheng, "post", url, body).status_code == 404
    assert call(chen, "post", url, body).status_code == 403
    assert [m["number"] for m in call(chen, "get", url).json()] == [2, 1]
    assert call(zheng, "get", url).status_code == 404
    mid = made.json()["id"]
    for action in ("open", "close"):
        assert call(zheng, "post", f"/meetings/{mid}/{action}").status_code == 404
        assert call(chen, "post", f"/meetings/{mid}/{action}").status_code == 403
    opened = call(wu, "post", f"/meetings/{mid}/open").json()
    assert opened["status"] == "open" and opened["current_item_id"] == opened["agenda"][0]["id"]
    second = opened["agenda"][1]["id"]
    assert call(zheng, "put", f"/meetings/{mid}/current-item", {"item_id": second}).status_code == 404
    assert call(chen, "put", f"/meetings/{mid}/current-item", {"item_id": second}).status_code == 403
    moved = call(wu, "put", f"/meetings/{mid}/current-item", {"item_id": second})
    assert moved.json()["current_item_id"] == second
    other = setup.meeting.agenda.first().pk
    assert call(wu, "put", f"/meetings/{mid}/current-item", {"item_id": other}).status_code == 404
    assert call(wu, "post", f"/meetings/{mid}/close").json()["status"] == "closed"


def test_only_those_who_run_the_congress_get_the_check_in_address(setup, wu, zheng, chen):
    url = f"/meetings/{setup.meeting.pk}"
    mine = call(wu, "get", url).json()
    assert mine["checkin_url"].endswith(f"/congress/checkin/{setup.meeting.checkin_token}/")
    assert (mine["electorate"], mine["present"], mine["quorum_needed"], mine["quorum"]) == (4, 3, 3, True)
    assert call(chen, "get", url).json()["checkin_url"] is None
    assert call(zheng, "get", url).status_code == 404


def test_a_delegate_checks_in_with_the_code_and_again_harmlessly(setup, member_a):
    late = as_(setup.users[3])
    first = call(late, "post", "/checkin", {"token": setup.meeting.checkin_token})
    assert first.status_code == 200 and first.json()["method"] == "qr"
    assert call(late, "post", "/checkin", {"token": setup.meeting.checkin_token}).status_code == 200
    assert Attendance.objects.filter(delegate=setup.delegates[3]).count() == 1
    assert call(late, "post", "/checkin", {"token": "nope"}).status_code == 404
    stranger = call(as_(member_a), "post", "/checkin", {"token": setup.meeting.checkin_token})
    assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "not_a_delegate"


def test_the_secretariat_checks_in_at_the_door_and_reads_the_sheet(setup, wu, zheng, chen):
    url = f"/meetings/{setup.meeting.pk}/attendance"
    body = {"delegate_id": setup.delegates[3].pk}
    assert call(zheng, "post", url, body).status_code == 404
    assert call(chen, "post", url, body).status_code == 403
    done = call(wu, "post", url, body)
    assert done.status_code == 200 and done.json()["method"] == "secretariat"
    sheet = call(chen, "get", url).json()
    assert (sheet["electorate"], sheet["present"], sheet["quorum"]) == (4, 4, True)
    assert all(row["present"] for row in sheet["rows"])
    assert call(zheng, "get", url).status_code == 404


# --- polls --------------------------------------------------------------------------------------------------


def test_a_vote_is_prepared_opened_closed_counted_and_published(setup, wu, zheng, chen, chair_a):
    url = f"/meetings/{setup.meeting.pk}/polls"
    body = {"kind": "resolution", "title": "表决", "options": ["方案一", "方案二"]}
    assert call(zheng, "post", url, body).status_code == 404
    assert call(chen, "post", url, body).status_code == 403
    made = call(wu, "post", url, body)
    assert made.status_code == 201 and made.json()["status"] == "draft"
    pid = made.json()["id"]
    assert [o["label"] for o in made.json()["options"]] == ["方案一", "方案二"]
    assert [p["id"] for p in call(chen, "get", url).json()] == [pid]
    assert call(zheng, "get", url).status_code == 404
    for action in ("open", "close", "count", "publish"):
        assert call(zheng, "post", f"/polls/{pid}/{action}").status_code == 404
        assert call(chen, "post", f"/polls/{pid}/{action}").status_code == 403
    opened = call(wu, "post", f"/polls/{pid}/open").json()
    assert (opened["status"], opened["electorate"], opened["present_at_open"]) == ("open", 4, 3)
    poll = Poll.objects.get(pk=pid)
    for user in setup.users[:3]:
        assert vote(user, poll, {str(options(poll)[0]): "approve"}).status_code == 201
    assert call(chen, "get", f"/polls/{pid}/turnout").json() == {"electorate": 4, "present": 3, "voted": 3}
    assert call(zheng, "get", f"/polls/{pid}/turnout").status_code == 404
    closed = call(wu, "post", f"/polls/{pid}/close").json()
    assert closed["status"] == "closed" and closed["result"]["valid"] == 3  # counted at once, no paper
    assert call(wu, "post", f"/polls/{pid}/count").status_code == 409  # already counted
    assert (
        call(chen, "get", f"/polls/{pid}").json()["result"] is None
    )  # not published: only the chair sees it
    assert call(zheng, "get", f"/polls/{pid}").status_code == 404
    published = call(wu, "post", f"/polls/{pid}/publish").json()
    assert published["status"] == "published"
    counts = {c["label"]: c for c in call(chen, "get", f"/polls/{pid}").json()["result"]["counts"]}
    assert counts["方案一"]["approve"] == 3 and counts["方案一"]["passed"] is True
    assert counts["方案二"]["abstain"] == 3 and counts["方案二"]["passed"] is False


def test_no_quorum_no_vote(setup, wu, chair_a):
    services.congress_set_figures(
        actor=chair_a, congress=setup.congress, quorum_numerator=1, quorum_denominator=1
    )
    poll = resolution(setup, chair_a, open_=False)
    refused = call(wu, "post", f"/polls/{poll.pk}/open")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_quorum"
    assert refused.json()["error"]["details"] == {"present": 3, "electorate": 4}


def test_an_election_without_a_winner_goes_to_a_further_round(setup, wu, zheng, chen, chair_a):
    poll = services.poll_create(
        actor=chair_a,
        meeting=setup.meeting,
        kind="election",
        title="选举职工董事",
        options=["王芳", "李强"],
        seats=1,
    )
    services.poll_open(actor=chair_a, poll=poll)
    wang, li = options(poll)
    vote(setup.users[0], poll, {str(wang): "approve"})
    vote(setup.users[1], poll, {str(wang): "approve"})
    vote(setup.users[2], poll, {str(li): "approve"})
    call(wu, "post", f"/polls/{poll.pk}/close")
    call(wu, "post", f"/polls/{poll.pk}/publish")
    assert (
        call(chen, "get", f"/polls/{poll.pk}").json()["result"]["unfilled"] == 1
    )  # 2 of 4 is not a majority
    body = {"candidates": ["王芳", "李强"]}
    assert call(zheng, "post", f"/polls/{poll.pk}/next-round", body).status_code == 404
    assert call(chen, "post", f"/polls/{poll.pk}/next-round", body).status_code == 403
    nxt = call(wu, "post", f"/polls/{poll.pk}/next-round", body)
    assert nxt.status_code == 201
    assert (nxt.json()["round"], nxt.json()["previous_id"], nxt.json()["seats"]) == (2, poll.pk, 1)
    assert call(wu, "post", f"/polls/{poll.pk}/next-round", body).status_code == 409


# --- ballots ------------------------------------------------------------------------------------------------


def test_a_delegate_votes_once_and_gets_a_receipt(setup, chair_a):
    poll = resolution(setup, chair_a)
    first = vote(setup.users[0], poll, {str(options(poll)[0]): "approve"})
    assert first.status_code == 201
    receipt = first.json()["receipt"]
    assert len(receipt) == 14 and receipt.count("-") == 2
    again = vote(setup.users[0], poll, {str(options(poll)[0]): "oppose"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_voted"
    assert Ballot.objects.filter(poll=poll).count() == Participation.objects.filter(poll=poll).count() == 1


def test_an_open_vote_gives_no_receipt(setup, chair_a):
    poll = resolution(setup, chair_a, secret=False)
    assert vote(setup.users[0], poll, {str(options(poll)[0]): "approve"}).json() == {"receipt": None}


def test_a_delegate_who_has_not_checked_in_cannot_vote(setup, chair_a):
    poll = resolution(setup, chair_a)
    refused = vote(setup.users[3], poll, {str(options(poll)[0]): "approve"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_checked_in"


def test_no_one_outside_the_congress_may_vote(setup, tree, chair_a, chair_b, member_a):
    poll = resolution(setup, chair_a)
    other = make_congress(org=tree.grassroots_b, chair=chair_b, delegates=3, mobile_prefix="1370001")
    for user in (member_a, chair_b, other.users[0], chair_a):
        assert vote(user, poll, {str(options(poll)[0]): "approve"}).status_code == 404
    assert not Participation.objects.filter(poll=poll).exists()


def test_a_bad_ballot_is_refused_in_the_error_shape(setup, chair_a):
    poll = resolution(setup, chair_a)
    unknown = vote(setup.users[0], poll, {"999999": "approve"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "bad_mark"
    wrong = vote(setup.users[0], poll, {str(options(poll)[0]): "maybe"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "bad_choice"
    garbled = call(as_(setup.users[0]), "post", f"/polls/{poll.pk}/ballots", {"marks": {"x": "approve"}})
    assert garbled.status_code == 422
    assert not Participation.objects.filter(poll=poll).exists()


def test_an_election_ballot_approving_more_than_the_seats_is_refused(setup, chair_a):
    poll = services.poll_create(
        actor=chair_a, meeting=setup.meeting, kind="election", title="选举", options=["王芳", "李强"], seats=1
    )
    services.poll_open(actor=chair_a, poll=poll)
    refused = vote(setup.users[0], poll, {str(options(poll)[0]): "approve"}, write_ins=["赵敏"])
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "too_many_approvals"


# --- paper ballots ------------------------------------------------------------------------------------------


def test_paper_ballots_are_handed_out_entered_by_two_tellers_and_counted(
    setup, tree, wu, zheng, chen, chair_a
):
    teller_a = make_user("13800000031", "计票甲")
    teller_b = make_user("13800000032", "计票乙")
    made = call(
        wu,
        "post",
        f"/meetings/{setup.meeting.pk}/polls",
        {
            "kind": "resolution",
            "title": "纸质表决",
            "options": ["方案"],
            "teller_a_id": teller_a.pk,
            "teller_b_id": teller_b.pk,
        },
    ).json()
    pid = made["id"]
    call(wu, "post", f"/polls/{pid}/open")
    body = {"delegate_id": setup.delegates[0].pk}
    assert call(zheng, "post", f"/polls/{pid}/paper", body).status_code == 404
    assert call(chen, "post", f"/polls/{pid}/paper", body).status_code == 403
    issued = call(wu, "post", f"/polls/{pid}/paper", body)
    assert issued.status_code == 201 and issued.json()["channel"] == "paper"
    assert call(wu, "post", f"/polls/{pid}/paper", body).json()["error"]["code"] == "already_voted"
    poll = Poll.objects.get(pk=pid)
    assert vote(setup.users[0], poll, {}).status_code == 409  # the paper ballot was their vote
    closed = call(wu, "post", f"/polls/{pid}/close").json()
    assert closed["status"] == "closed" and closed["result"] is None  # waits for the tellers
    entry = {"serial": 1, "marks": {str(options(poll)[0]): "approve"}}
    assert call(wu, "post", f"/polls/{pid}/paper-entries", entry).status_code == 404  # not a teller
    first = call(as_(teller_a), "post", f"/polls/{pid}/paper-entries", entry)
    assert first.status_code == 200 and first.json()["mismatches"] == [1]
    assert call(as_(teller_b), "post", f"/polls/{pid}/paper-entries", entry).json()["mismatches"] == []
    counted = call(wu, "post", f"/polls/{pid}/count").json()
    assert counted["result"]["valid"] == 1 and counted["result"]["counts"][0]["approve"] == 1


# --- receipts, the big screen and the delegate's view -------------------------------------------------------


def test_a_receipt_is_found_only_once_published_and_never_shows_the_marks(setup, chair_a, member_a, wu):
    poll = resolution(setup, chair_a)
    receipt = vote(setup.users[0], poll, {str(options(poll)[0]): "oppose"}).json()["receipt"]
    anyone = as_(member_a)
    assert call(anyone, "post", "/receipts/check", {"code": receipt}).json() == {
        "counted": False,
        "poll": None,
    }
    call(wu, "post", f"/polls/{poll.pk}/close")
    call(wu, "post", f"/polls/{poll.pk}/publish")
    found = call(anyone, "post", "/receipts/check", {"code": receipt.lower()})
    assert found.json()["counted"] is True and found.json()["poll"]["id"] == poll.pk
    assert "oppose" not in found.content.decode() and "marks" not in found.content.decode()


def test_the_big_screen_shows_the_result_only_once_published(setup, chair_a, wu, zheng, chen):
    poll = resolution(setup, chair_a)
    url = f"/meetings/{setup.meeting.pk}/screen"
    vote(setup.users[0], poll, {str(options(poll)[0]): "approve"})
    live = call(chen, "get", url).json()
    assert (live["present"], live["quorum"], live["poll"]["voted"], live["result"]) == (3, True, 1, None)
    assert live["item"]["title"] == "审议工资集体协商方案"
    call(wu, "post", f"/polls/{poll.pk}/close")
    assert call(wu, "get", url).json()["result"] is None
    call(wu, "post", f"/polls/{poll.pk}/publish")
    assert call(wu, "get", url).json()["result"]["valid"] == 1
    assert call(zheng, "get", url).status_code == 404


def test_a_delegate_sees_their_congress_and_results_only_once_published(setup, chair_a, wu, member_a):
    poll = resolution(setup, chair_a)
    me = as_(setup.users[0])
    mine = call(me, "get", "/mine").json()
    assert mine["delegateships"][0]["congress_id"] == setup.congress.pk
    assert mine["meetings"][0]["checked_in"] is True
    assert mine["open_polls"][0]["id"] == poll.pk and mine["open_polls"][0]["voted"] is False
    vote(setup.users[0], poll, {str(options(poll)[0]): "approve"})
    assert call(me, "get", "/mine").json()["open_polls"][0]["voted"] is True
    call(wu, "post", f"/polls/{poll.pk}/close")
    closed = call(me, "get", f"/mine/polls/{poll.pk}").json()
    assert closed["status"] == "closed" and closed["result"] is None and closed["voted"] is True
    call(wu, "post", f"/polls/{poll.pk}/publish")
    assert call(me, "get", f"/mine/polls/{poll.pk}").json()["result"]["valid"] == 1
    assert call(me, "get", f"/polls/{poll.pk}").status_code == 404  # the cadres' view is not theirs
    nobody = call(as_(member_a), "get", "/mine").json()
    assert nobody == {"delegateships": [], "meetings": [], "open_polls": []}
    assert call(as_(member_a), "get", f"/mine/polls/{poll.pk}").status_code == 404


def test_a_draft_is_not_shown_to_delegates(setup, chair_a):
    poll = resolution(setup, chair_a, open_=False)
    assert call(as_(setup.users[0]), "get", f"/mine/polls/{poll.pk}").status_code == 404
    assert poll.status == PollStatus.DRAFT


def test_a_case_handler_of_the_union_may_not_read_the_congress(setup, tree):
    handler = make_user("13800000021", "孙专员", Role.CASE_HANDLER, tree.grassroots_a)
    assert call(as_(handler), "get", f"/congresses/{setup.congress.pk}").status_code == 404
    assert Delegate.objects.filter(congress=setup.congress).count() == 4


def test_a_ballot_for_a_draft_closed_or_missing_poll_says_nothing_to_outsiders(
    setup, tree, chair_a, chair_b, wu
):
    draft = resolution(setup, chair_a, open_=False)
    closed = resolution(setup, chair_a, title="已结束的表决")
    call(wu, "post", f"/polls/{closed.pk}/close")
    other = make_congress(org=tree.grassroots_b, chair=chair_b, delegates=3, mobile_prefix="1370001")
    for poll in (draft, closed):
        assert vote(other.users[0], poll).status_code == 404
    assert vote(setup.users[0], draft).status_code == 404  # a vote in preparation is not shown to delegates
    shut = vote(setup.users[0], closed)
    assert shut.status_code == 409 and shut.json()["error"]["code"] == "poll_not_open"
    missing = call(as_(setup.users[0]), "post", "/polls/999999/ballots", {"marks": {}})
    assert missing.status_code == 404
