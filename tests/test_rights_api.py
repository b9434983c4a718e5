"""The rights-protection API: a worker asks for help and follows the request with a code; the union takes
it on, replies, closes it and is rated; cadres work in their scope only; the worker's view never shows
internal notes, the handler or the contact's number; deadlines follow the union's service levels."""

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gonghui.accounts.sms import LoggingSender
from gonghui.core.models import AuditRecord
from gonghui.orgs.models import Role
from gonghui.rights import services as svc
from gonghui.rights.models import Case, CaseDocument, CaseEvent, Category, Outcome, RightsPolicy, ServiceLevel
from tests.conftest import CastClient, make_user
from tests.test_api import bearer, issue

pytestmark = pytest.mark.django_db

BASE = "/api/v1/rights"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # a working Monday with a known schedule
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$")
DESCRIPTION = "公司已经三个月没有发工资了，一共拖欠两万多元，老板说没钱。"


def call(client, method, path, data=None, **extra):
    """One API call with a JSON body."""
    body = json.dumps(data if data is not None else {})
    return client.generic(method, BASE + path, body, content_type="application/json", **extra)


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


def body(**kw):
    values = {"category": "wages", "description": DESCRIPTION, "work_division_code": "330106"}
    values.update(kw)
    return values


def submit(user=None, *, anonymous=False, employer_org=None, **kw):
    """A request made through the service, for tests about what happens next."""
    kw.setdefault("contact_mobile", "" if user or anonymous else "13912345678")
    data = svc.CaseInput(
        **{"category": "wages", "description": DESCRIPTION, "work_division_code": "330106", **kw}
    )
    return svc.case_submit(user=user, data=data, anonymous=anonymous, employer_org=employer_org)


def pdf(name="letter.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )


@pytest.fixture
def frozen():
    """Monday 2 November 2026, 10:00 in Shanghai; tests move it on with traveller.shift()."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    return LoggingSender.outbox


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def handler_a(tree):
    """Sun handles requests at grassroots union A, like its chair, but is not the chair."""
    return make_user("13800000020", "孙专员", Role.CASE_HANDLER, tree.grassroots_a)


@pytest.fixture
def case_a(tree, member_a):
    """Zhang's named request about his employer, with grassroots union A."""
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    return case


# --- the worker ------------------------------------------------------------------------------------------------


def test_a_signed_in_worker_submits_and_gets_a_code_shown_once(tree, member_a, chair_a, frozen):
    me = logged_in(member_a)
    response = call(me, "post", "/cases", body(employer_org_id=tree.grassroots_a.pk))
    assert response.status_code == 201, response.content
    made = response.json()
    assert CODE.match(made["follow_code"])
    assert made["org"] == {"id": tree.grassroots_a.pk, "name": tree.grassroots_a.name}
    assert tree.grassroots_a.name in made["route_explanation"]
    assert made["status"] == "received" and made["category"] == "wages"
    # Wage arrears: taken on within 1 working day, first reply within 3, conclusion within 15.
    assert (made["ack_due"], made["respond_due"], made["conclude_due"]) == (
        "2026-11-03",
        "2026-11-05",
        "2026-11-23",
    )
    assert made["due_provisional"] is False
    assert [e["kind"] for e in made["events"]] == ["received", "routed"]
    assert member_a.mobile not in response.content.decode()

    case = Case.objects.get()
    assert case.requester == member_a and case.contact_mobile == member_a.mobile  # the account's number
    assert made["follow_code"] not in case.follow_code_hash
    later = call(me, "get", f"/cases/mine/{case.pk}")
    assert later.status_code == 200 and "follow_code" not in later.json()
    assert [c["id"] for c in call(me, "get", "/cases/mine").json()] == [case.pk]


def test_the_code_follows_the_request_and_a_wrong_code_is_404(tree, chair_a):
    anonymous = Client()
    made = call(
        anonymous, "post", "/cases", body(employer_org_id=tree.grassroots_a.pk, contact_mobile="13912345678")
    )
    assert made.status_code == 201, made.content
    code = made.json()["follow_code"]

    followed = call(anonymous, "post", "/follow", {"code": code})
    assert followed.status_code == 200 and followed.json()["id"] == made.json()["id"]
    # Read off a phone or heard on the hotline: case, spaces and the dash do not matter.
    loose = call(Client(), "post", "/follow", {"code": code.replace("-", " ").lower()})
    assert loose.status_code == 200 and loose.json()["id"] == made.json()["id"]

    wrong = call(anonymous, "post", "/follow", {"code": "22222-22222"})
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "unknown_code" and wrong.json()["error"]["field"] == "code"
    assert call(anonymous, "post", "/follow/withdraw", {"code": "22222-22222"}).status_code == 404
    assert call(anonymous, "post", "/follow", {"code": ""}).status_code == 404
    # Without a sign-in the worker's own list is not reachable.
    assert call(anonymous, "get", "/cases/mine").status_code == 401


def test_an_anonymous_request_stores_no_requester_or_contact(tree, member_a, district_cadre_a):
    me = logged_in(member_a)
    response = call(
        me,
        "post",
        "/cases",
        body(
            employer_org_id=tree.grassroots_a.pk,
            anonymous=True,
            contact_name="张伟",
            contact_mobile="13912345678",
        ),
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.anonymous and case.requester_id is None
    assert case.contact_name == "" and case.contact_mobile == "" and not case.contact_mobile_index
    # The employer's own union must not learn who complained: the request goes to the union above it.
    assert case.org == tree.street_a and case.route_code == "above_employer"
    submitted = AuditRecord.objects.get(action="gonghui.rights.case.submitted")
    assert submitted.actor_id is None and submitted.actor_label == "anonymous"
    assert call(me, "get", "/cases/mine").json() == []
    assert call(me, "get", f"/cases/mine/{case.pk}").status_code == 404

    detail = call(logged_in(district_cadre_a), "get", f"/cases/{case.pk}").json()
    assert detail["anonymous"] is True and detail["has_account"] is False
    assert detail["contact_name"] == "" and detail["contact_mobile_masked"] == ""
    assert "张伟" not in json.dumps(detail, ensure_ascii=False)


def test_a_named_request_without_any_way_to_reach_the_worker_is_refused(tree):
    refused = call(Client(), "post", "/cases", body())
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "contact_mobile"
    assert not Case.objects.exists()


def test_a_worker_cannot_reach_another_workers_request(tree, member_a, member_b, case_a):
    other = logged_in(member_b)
    assert call(other, "get", f"/cases/mine/{case_a.pk}").status_code == 404
    for action, data in (("rate", {"rating": 1}), ("reopen", {"reason": "x"}), ("withdraw", {})):
        response = call(other, "post", f"/cases/mine/{case_a.pk}/{action}", data)
        assert response.status_code == 404, action
    assert call(other, "get", "/cases/mine").json() == []
    assert call(other, "get", f"/cases/{case_a.pk}").status_code == 404  # nor through the cadre's door
    case_a.refresh_from_db()
    assert case_a.status == "received"


# --- handling ----------------------------------------------------------------------------------------------------


def test_the_handler_takes_it_on_replies_closes_and_the_worker_rates_and_reopens(
    tree, member_a, chair_a, frozen
):
    case, code = submit(member_a, employer_org=tree.grassroots_a)
    cadre, me = logged_in(chair_a), logged_in(member_a)

    taken = call(cadre, "post", f"/cases/{case.pk}/acknowledge")
    assert taken.status_code == 200, taken.content
    assert taken.json()["status"] == "acknowledged" and taken.json()["handler"]["id"] == chair_a.pk
    frozen.shift(datetime.timedelta(days=1))
    cadre, me = logged_in(chair_a), logged_in(member_a)  # a day later: a fresh sign-in (idle timeout)
    note = call(cadre, "post", f"/cases/{case.pk}/record", {"kind": "note", "text": "内部：老板是区人大代表"})
    assert note.status_code == 200
    contact = call(
        cadre, "post", f"/cases/{case.pk}/record", {"kind": "contact", "text": "已电话联系公司财务"}
    )
    assert contact.status_code == 200
    replied = call(
        cadre, "post", f"/cases/{case.pk}/record", {"kind": "response", "text": "已联系公司，本周内答复"}
    )
    assert replied.status_code == 200 and replied.json()["status"] == "handling"
    deadlines = {d["stage"]: d for d in replied.json()["deadlines"]}
    assert (
        deadlines["ack"]["done_at"]
        and deadlines["respond"]["done_at"]
        and not deadlines["conclude"]["done_at"]
    )

    worker = call(me, "get", f"/cases/mine/{case.pk}")
    text = json.dumps(worker.json(), ensure_ascii=False)
    assert "已联系公司，本周内答复" in text
    assert "老板是区人大代表" not in text and "公司财务" not in text  # internal entries stay with the union
    assert chair_a.real_name not in text and member_a.mobile not in text and "handler" not in worker.json()
    assert [e["kind"] for e in worker.json()["events"]] == ["received", "routed", "acknowledged", "response"]

    frozen.shift(datetime.timedelta(days=2))
    cadre, me = logged_in(chair_a), logged_in(member_a)
    closed = call(
        cadre, "post", f"/cases/{case.pk}/close", {"outcome": "resolved", "summary": "公司已补发全部工资"}
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert call(cadre, "post", f"/cases/{case.pk}/record", {"kind": "note", "text": "x"}).status_code == 409
    view = call(me, "get", f"/cases/mine/{case.pk}").json()
    assert view["outcome"] == "resolved" and view["summary"] == "公司已补发全部工资"
    assert view["can_rate"] and view["can_reopen"] and view["reopen_until"] == "2026-12-05"

    rated = call(me, "post", f"/cases/mine/{case.pk}/rate", {"rating": 5, "comment": "很及时"})
    assert rated.status_code == 200 and rated.json()["rating"] == 5 and not rated.json()["can_rate"]
    again = call(me, "post", f"/cases/mine/{case.pk}/rate", {"rating": 1})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"

    frozen.shift(datetime.timedelta(days=7))  # Thursday 12 November
    me = logged_in(member_a)
    blank = call(me, "post", f"/cases/mine/{case.pk}/reopen", {"reason": " "})
    assert blank.status_code == 400 and blank.json()["error"]["field"] == "reason"
    reopened = call(Client(), "post", "/follow/reopen", {"code": code, "reason": "只补发了一半"})
    assert reopened.status_code == 200, reopened.content
    again_open = reopened.json()
    assert again_open["status"] == "handling" and again_open["rating"] is None and again_open["outcome"] == ""
    assert again_open["conclude_due"] == "2026-12-03"  # 15 working days from the reopening
    case.refresh_from_db()
    assert case.handler == chair_a and case.reopened_count == 1


def test_a_withdrawn_request_can_be_neither_reopened_nor_rated(tree, member_a, chair_a):
    _case, code = submit(member_a, employer_org=tree.grassroots_a)
    anonymous = Client()
    withdrawn = call(anonymous, "post", "/follow/withdraw", {"code": code, "reason": "已经和老板谈好了"})
    assert withdrawn.status_code == 200 and withdrawn.json()["outcome"] == "withdrawn"
    assert not withdrawn.json()["can_rate"] and not withdrawn.json()["can_reopen"]
    assert call(anonymous, "post", "/follow/withdraw", {"code": code}).status_code == 409
    reopen = call(anonymous, "post", "/follow/reopen", {"code": code, "reason": "又拖欠了"})
    assert reopen.status_code == 409 and reopen.json()["error"]["code"] == "reopen_expired"
    # A worker's own withdrawal says nothing about how the union handled it.
    rate = call(anonymous, "post", "/follow/rate", {"code": code, "rating": 1})
    assert rate.status_code == 409
    assert Case.objects.get().rating is None


def test_only_the_handler_or_the_union_above_records(tree, case_a, chair_a, handler_a, district_cadre_a):
    svc.case_acknowledge(actor=chair_a, case=case_a)
    colleague = logged_in(handler_a)
    assert call(colleague, "get", f"/cases/{case_a.pk}").status_code == 200  # same union: may read it
    refused = call(colleague, "post", f"/cases/{case_a.pk}/record", {"kind": "note", "text": "我来处理"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert (
        call(
            colleague, "post", f"/cases/{case_a.pk}/close", {"outcome": "resolved", "summary": "x"}
        ).status_code
        == 403
    )
    taken = call(colleague, "post", f"/cases/{case_a.pk}/acknowledge")
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "already_taken"

    supervisor = logged_in(district_cadre_a)  # the district supervises the street and its unions
    stepped_in = call(
        supervisor, "post", f"/cases/{case_a.pk}/record", {"kind": "note", "text": "请尽快处理"}
    )
    assert stepped_in.status_code == 200
    events = CaseEvent.objects.filter(case=case_a, kind="note")
    assert [e.actor for e in events] == [district_cadre_a]


def test_recording_needs_the_request_taken_on_first(tree, case_a, chair_a):
    refused = call(
        logged_in(chair_a), "post", f"/cases/{case_a.pk}/record", {"kind": "response", "text": "收到"}
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_taken"
    bad_kind = call(logged_in(chair_a), "post", f"/cases/{case_a.pk}/record", {"kind": "gossip", "text": "x"})
    assert bad_kind.status_code == 400 and bad_kind.json()["error"]["field"] == "kind"


def test_a_hand_over_goes_only_to_someone_who_may_handle_the_union(
    tree, case_a, chair_a, handler_a, chair_b, member_b
):
    svc.case_acknowledge(actor=chair_a, case=case_a)
    cadre = logged_in(chair_a)
    for outsider in (chair_b, member_b):
        refused = call(
            cadre, "post", f"/cases/{case_a.pk}/handover", {"to_user_id": outsider.pk, "note": "换人"}
        )
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "handler_not_allowed"
    no_note = call(cadre, "post", f"/cases/{case_a.pk}/handover", {"to_user_id": handler_a.pk, "note": ""})
    assert no_note.status_code == 400 and no_note.json()["error"]["field"] == "note"
    handed = call(
        cadre, "post", f"/cases/{case_a.pk}/handover", {"to_user_id": handler_a.pk, "note": "我出差"}
    )
    assert handed.status_code == 200 and handed.json()["handler"]["id"] == handler_a.pk
    assert handed.json()["events"][-1]["kind"] == "handover"
    assert handed.json()["events"][-1]["visible_to_worker"] is False


def test_a_transfer_may_leave_the_callers_scope(tree, case_a, district_cadre_a, district_cadre_b, member_a):
    cadre = logged_in(district_cadre_a)
    missing = call(cadre, "post", f"/cases/{case_a.pk}/transfer", {"to_org_id": 999999, "reason": "不属本区"})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "to_org_id"
    no_reason = call(
        cadre, "post", f"/cases/{case_a.pk}/transfer", {"to_org_id": tree.district_b.pk, "reason": ""}
    )
    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"

    moved = call(
        cadre,
        "post",
        f"/cases/{case_a.pk}/transfer",
        {"to_org_id": tree.district_b.pk, "reason": "工作地在滨江"},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["org"]["id"] == tree.district_b.pk and moved.json()["handler"] is None
    assert call(cadre, "get", f"/cases/{case_a.pk}").status_code == 404  # no longer district A's
    assert call(logged_in(district_cadre_b), "get", f"/cases/{case_a.pk}").status_code == 200
    worker = call(logged_in(member_a), "get", f"/cases/mine/{case_a.pk}").json()
    assert worker["org"]["id"] == tree.district_b.pk and "工作地在滨江" in worker["route_explanation"]


def test_the_handler_attaches_documents(tree, case_a, chair_a, handler_a, media):
    svc.case_acknowledge(actor=chair_a, case=case_a)
    cadre = logged_in(chair_a)
    url = f"{BASE}/cases/{case_a.pk}/documents"
    added = cadre.post(url, {"file": pdf()})
    assert added.status_code == 201, added.content
    docs = added.json()["documents"]
    assert [d["original_name"] for d in docs] == ["letter.pdf"] and docs[0]["by_worker"] is False
    wrong_type = cadre.post(
        url,
        {"file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")},
    )
    assert wrong_type.status_code == 400 and wrong_type.json()["error"]["field"] == "file"
    assert logged_in(handler_a).post(url, {"file": pdf()}).status_code == 403
    assert CaseDocument.objects.count() == 1


# --- scope -------------------------------------------------------------------------------------------------------


def cadre_calls(case, tree, other_user):
    """Every cadre endpoint, aimed at district A's request and union."""
    a = tree.grassroots_a.pk
    return [
        ("get", f"/cases/{case.pk}", None),
        ("post", f"/cases/{case.pk}/acknowledge", {}),
        ("post", f"/cases/{case.pk}/record", {"kind": "note", "text": "看看"}),
        ("post", f"/cases/{case.pk}/handover", {"to_user_id": other_user.pk, "note": "交给你"}),
        ("post", f"/cases/{case.pk}/transfer", {"to_org_id": tree.district_b.pk, "reason": "转走"}),
        ("post", f"/cases/{case.pk}/close", {"outcome": "unfounded", "summary": "不成立"}),
        ("get", f"/queue?org_id={a}", None),
        ("get", f"/stats?org_id={a}", None),
        ("post", "/hotline", {**body(), "org_id": a, "contact_mobile": "13912345678"}),
    ]


def upload_document(client, case):
    return client.post(f"{BASE}/cases/{case.pk}/documents", {"file": pdf()})


@pytest.mark.parametrize("outsider", ["chair_b", "district_cadre_b"])
def test_another_districts_cadre_gets_404_for_every_cadre_endpoint(
    request, tree, case_a, chair_a, outsider, media
):
    svc.case_acknowledge(actor=chair_a, case=case_a)
    person = request.getfixturevalue(outsider)
    client = logged_in(person)
    for method, path, data in cadre_calls(case_a, tree, person):
        response = call(client, method, path, data)
        assert response.status_code == 404, (path, response.content)
        assert response.json()["error"]["code"] == "not_found"
    assert upload_document(client, case_a).status_code == 404
    assert call(client, "get", "/queue?status=").json()["count"] == 0
    for method, path, data in (
        ("get", f"/levels?org_id={tree.grassroots_a.pk}", None),
        (
            "put",
            f"/levels?org_id={tree.grassroots_a.pk}",
            {"category": "wages", "ack_workdays": 1, "respond_workdays": 2, "conclude_workdays": 3},
        ),
        ("put", f"/policy?org_id={tree.grassroots_a.pk}", {"remind_workdays_before": 1, "reopen_days": 1}),
    ):
        assert call(client, method, path, data).status_code == 404, path
    case_a.refresh_from_db()
    assert case_a.org == tree.grassroots_a and case_a.status == "acknowledged" and case_a.handler == chair_a
    assert CaseEvent.objects.filter(case=case_a).count() == 3 and Case.objects.count() == 1
    assert not ServiceLevel.objects.exists() and not RightsPolicy.objects.exists()


@pytest.mark.parametrize("who", ["member_a", "member_b", "viewer_a"])
def test_people_who_may_not_handle_requests_are_refused_every_cadre_endpoint(
    request, tree, case_a, who, media
):
    person = request.getfixturevalue(who)
    client = logged_in(person)
    # A member has no union scope at all (404); the viewer sees district A but may not handle requests (403).
    expected = 403 if who == "viewer_a" else 404
    for method, path, data in cadre_calls(case_a, tree, person):
        response = call(client, method, path, data)
        assert response.status_code == expected, (path, response.content)
    assert upload_document(client, case_a).status_code == expected
    assert call(client, "get", "/queue?status=").json()["count"] == 0
    case_a.refresh_from_db()
    assert case_a.status == "received" and Case.objects.count() == 1


def test_a_read_only_token_reads_but_every_write_is_refused(client, tree, case_a, chair_a):
    token = bearer(issue(client, chair_a, access="read")["token"])
    reader = Client()
    assert call(reader, "get", "/queue", **token).json()["count"] == 1
    assert call(reader, "get", f"/cases/{case_a.pk}", **token).status_code == 200
    for method, path, data in [
        ("post", f"/cases/{case_a.pk}/acknowledge", {}),
        ("post", "/cases", body(contact_mobile="13912345678")),
        (
            "put",
            f"/levels?org_id={tree.grassroots_a.pk}",
            {"category": "wages", "ack_workdays": 1, "respond_workdays": 2, "conclude_workdays": 3},
        ),
    ]:
        response = call(reader, method, path, data, **token)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "token_read_only"
    assert (
        call(
            reader,
            "post",
            "/cases",
            body(contact_mobile="13912345678"),
            HTTP_AUTHORIZATION="Bearer gh_nonsense",
        ).status_code
        == 401
    )
    assert Case.objects.count() == 1 and Case.objects.get().status == "received"


# --- the queue ---------------------------------------------------------------------------------------------------


@pytest.fixture
def busy_district(tree, member_a, chair_a, district_cadre_a, frozen):
    """Requests in district A, received over two weeks: some overdue, one escalated, one collective, one closed,
    one taken on by the chair; returns them by name."""
    made = {}
    frozen.move_to(MONDAY - datetime.timedelta(days=14))  # Monday 19 October
    made["old"], _c = submit(member_a, employer_org=tree.grassroots_a)
    made["old_contract"], _c = submit(None, employer_org=tree.grassroots_a, category="contract")
    frozen.move_to(MONDAY)
    svc.cases_sweep()  # both old ones are overdue: escalated to the street union
    made["new"], _c = submit(None, employer_org=tree.grassroots_a, employer_name="钱塘建材")
    made["taken"], _c = submit(None, employer_org=tree.grassroots_a)
    svc.case_acknowledge(actor=chair_a, case=made["taken"])
    made["collective"], _c = submit(None, workers_affected=30, employer_name="某建筑工地")
    made["closed"], _c = submit(None, employer_org=tree.grassroots_a, category="injury")
    svc.case_acknowledge(actor=chair_a, case=made["closed"])
    svc.case_close(actor=chair_a, case=made["closed"], outcome=Outcome.RESOLVED, summary="已解决")
    return made


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_the_queue_filters_and_pages(tree, busy_district, district_cadre_a, chair_a):
    m = {name: case.pk for name, case in busy_district.items()}
    cadre = logged_in(district_cadre_a)
    open_ids = {m["old"], m["old_contract"], m["new"], m["taken"], m["collective"]}
    assert ids(call(cadre, "get", "/queue?limit=50")) == open_ids
    everything = call(cadre, "get", "/queue?status=&limit=50").json()
    assert everything["count"] == 6
    assert everything["items"][0]["id"] in (m["old"], m["old_contract"])  # the most overdue first
    assert everything["items"][-1]["id"] == m["closed"]  # closed last
    assert ids(call(cadre, "get", "/queue?status=closed")) == {m["closed"]}
    assert ids(call(cadre, "get", "/queue?category=contract")) == {m["old_contract"]}
    assert ids(call(cadre, "get", "/queue?due=overdue")) == {m["old"], m["old_contract"]}
    assert ids(call(cadre, "get", "/queue?due=escalated")) == {m["old"], m["old_contract"]}
    # "soon": the next stage is due within two days; the chair took one on, so its next stage is the reply.
    assert ids(call(cadre, "get", "/queue?due=soon")) == {m["new"], m["collective"]}
    assert ids(call(cadre, "get", "/queue?due=unassigned")) == open_ids - {m["taken"]}
    assert ids(call(cadre, "get", "/queue?due=collective")) == {m["collective"]}
    assert ids(call(logged_in(chair_a), "get", "/queue?mine=true")) == {m["taken"]}
    assert ids(call(cadre, "get", "/queue?q=钱塘")) == {m["new"]}
    assert ids(call(cadre, "get", f"/queue?q={busy_district['taken'].number}")) == {m["taken"]}
    assert ids(call(cadre, "get", f"/queue?org_id={tree.district_a.pk}&due=collective")) == {m["collective"]}
    assert ids(call(cadre, "get", f"/queue?org_id={tree.grassroots_a.pk}")) == open_ids - {m["collective"]}
    bad = call(cadre, "get", "/queue?due=someday")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "due"

    first = call(cadre, "get", "/queue?status=&limit=4").json()
    rest = call(cadre, "get", "/queue?status=&limit=4&offset=4").json()
    assert first["count"] == rest["count"] == 6 and len(first["items"]) == 4 and len(rest["items"]) == 2
    assert {i["id"] for i in first["items"]} | {i["id"] for i in rest["items"]} == set(m.values())
    # The collective case is the district's: the grassroots chair does not see it.
    assert m["collective"] not in ids(call(logged_in(chair_a), "get", "/queue?status=&limit=50"))


def test_the_queue_costs_the_same_queries_whatever_the_page_size(
    tree, member_a, chair_a, handler_a, district_cadre_a, frozen, django_assert_num_queries, settings
):
    settings.GONGHUI_RIGHTS_REQUESTS_PER_PHONE_PER_DAY = 100  # one test number sends them all
    frozen.move_to(MONDAY - datetime.timedelta(days=14))
    for n in range(14):
        case, _c = submit(None, employer_org=tree.grassroots_a, category=Category.values[n % 9])
        if n % 3 == 0:
            svc.case_acknowledge(actor=chair_a if n % 2 else handler_a, case=case)
    frozen.move_to(MONDAY)
    svc.cases_sweep()  # escalated_to is set on the overdue ones
    client = logged_in(district_cadre_a)
    call(client, "get", "/queue")  # the session settles (idle timer) on the first request
    with CaptureQueriesContext(connection) as small:
        assert len(call(client, "get", "/queue?limit=5").json()["items"]) == 5
    with django_assert_num_queries(len(small)):
        assert len(call(client, "get", "/queue?limit=50").json()["items"]) == 14


# --- hotline, service levels, statistics ------------------------------------------------------------------------


def test_a_hotline_operator_keeps_a_call_or_routes_it(
    tree, district_cadre_a, district_cadre_b, sms, frozen, django_capture_on_commit_callbacks
):
    operator = logged_in(district_cadre_a)
    call_data = {**body(contact_name="王师傅", contact_mobile="13912345678"), "org_id": tree.district_a.pk}
    with django_capture_on_commit_callbacks(execute=True):
        kept = call(operator, "post", "/hotline", {**call_data, "keep": True})
    assert kept.status_code == 201, kept.content
    k = kept.json()
    assert CODE.match(k["follow_code"]) and k["channel"] == "hotline" and k["route_code"] == "operator"
    assert k["org"]["id"] == tree.district_a.pk and k["handler"]["id"] == district_cadre_a.pk
    assert k["status"] == "acknowledged" and k["contact_mobile_masked"] == "139****5678"
    assert sms[-1][0] == "13912345678" and k["follow_code"] in sms[-1][1]  # the caller gets the code by SMS

    routed = call(operator, "post", "/hotline", {**call_data, "work_division_code": "330108", "keep": False})
    assert routed.status_code == 201, routed.content
    r = routed.json()
    assert r["org"]["id"] == tree.district_b.pk and r["route_code"] == "local" and r["handler"] is None
    assert [e["kind"] for e in r["events"]] == ["received", "routed"]
    assert r["events"][0]["org"]["id"] == tree.district_a.pk  # received by the operator's union
    assert call(operator, "get", f"/cases/{r['id']}").status_code == 404  # now district B's
    assert ids(call(logged_in(district_cadre_b), "get", "/queue")) == {r["id"]}
    follow = call(Client(), "post", "/follow", {"code": r["follow_code"]})
    assert follow.status_code == 200 and follow.json()["channel"] == "hotline"


def test_new_service_levels_apply_to_requests_received_after(
    tree, member_a, district_cadre_a, handler_a, viewer_a, frozen
):
    before, _c = submit(member_a, employer_org=tree.grassroots_a)
    cadre = logged_in(district_cadre_a)
    table = {
        row["category"]: row for row in call(cadre, "get", f"/levels?org_id={tree.grassroots_a.pk}").json()
    }
    assert (
        table["wages"]["ack_workdays"],
        table["wages"]["respond_workdays"],
        table["wages"]["conclude_workdays"],
    ) == (1, 3, 15)
    assert table["wages"]["source_org"] is None and len(table) == len(Category.values)

    level = {"category": "wages", "ack_workdays": 2, "respond_workdays": 4, "conclude_workdays": 10}
    # They may see the union but not change its rules.
    assert (
        call(logged_in(handler_a), "put", f"/levels?org_id={tree.grassroots_a.pk}", level).status_code == 403
    )
    assert call(logged_in(viewer_a), "put", f"/levels?org_id={tree.district_a.pk}", level).status_code == 403
    unordered = call(cadre, "put", f"/levels?org_id={tree.district_a.pk}", {**level, "respond_workdays": 12})
    assert unordered.status_code == 400 and unordered.json()["error"]["code"] == "invalid_levels"
    bad_category = call(
        cadre, "put", f"/levels?org_id={tree.district_a.pk}", {**level, "category": "weather"}
    )
    assert bad_category.status_code == 400 and bad_category.json()["error"]["field"] == "category"
    assert not ServiceLevel.objects.exists()

    saved = call(cadre, "put", f"/levels?org_id={tree.district_a.pk}", level)
    assert saved.status_code == 200, saved.content
    wages = next(row for row in saved.json() if row["category"] == "wages")
    assert wages["source_org"] == {"id": tree.district_a.pk, "name": tree.district_a.name}
    inherited = next(
        r
        for r in call(cadre, "get", f"/levels?org_id={tree.grassroots_a.pk}").json()
        if r["category"] == "wages"
    )
    assert inherited["conclude_workdays"] == 10 and inherited["source_org"]["id"] == tree.district_a.pk

    made = call(logged_in(member_a), "post", "/cases", body(employer_org_id=tree.grassroots_a.pk)).json()
    assert (made["ack_due"], made["respond_due"], made["conclude_due"]) == (
        "2026-11-04",
        "2026-11-06",
        "2026-11-16",
    )
    before.refresh_from_db()
    assert before.conclude_due == datetime.date(
        2026, 11, 23
    )  # a request already received keeps its deadlines
    other = call(
        logged_in(member_a), "post", "/cases", body(category="contract", employer_org_id=tree.grassroots_a.pk)
    )
    assert other.json()["conclude_due"] == "2026-11-23"  # other categories keep the default


def test_the_rules_for_reminders_and_reopening_are_set_per_union(tree, district_cadre_a, handler_a):
    cadre = logged_in(district_cadre_a)
    default = call(cadre, "get", f"/policy?org_id={tree.grassroots_a.pk}").json()
    assert default == {
        "org_id": tree.grassroots_a.pk,
        "source_org_id": None,
        "remind_workdays_before": 1,
        "reopen_days": 30,
    }
    bad = call(
        cadre,
        "put",
        f"/policy?org_id={tree.district_a.pk}",
        {"remind_workdays_before": 1, "reopen_days": 999},
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "reopen_days"
    refused = call(
        logged_in(handler_a),
        "put",
        f"/policy?org_id={tree.grassroots_a.pk}",
        {"remind_workdays_before": 2, "reopen_days": 10},
    )
    assert refused.status_code == 403
    saved = call(
        cadre, "put", f"/policy?org_id={tree.district_a.pk}", {"remind_workdays_before": 2, "reopen_days": 10}
    )
    assert saved.status_code == 200 and saved.json()["reopen_days"] == 10
    below = call(cadre, "get", f"/policy?org_id={tree.grassroots_a.pk}").json()
    assert below["source_org_id"] == tree.district_a.pk and below["reopen_days"] == 10


def test_a_deadline_past_the_known_holiday_schedule_is_provisional(tree, member_a, district_cadre_a):
    with time_machine.travel(datetime.datetime(2026, 12, 21, 10, 0, tzinfo=SHANGHAI), tick=False):
        made = call(logged_in(member_a), "post", "/cases", body(employer_org_id=tree.grassroots_a.pk)).json()
    assert made["conclude_due"] > "2027-01-01" and made["due_provisional"] is True
    detail = call(logged_in(district_cadre_a), "get", f"/cases/{made['id']}").json()
    assert detail["due_provisional"] is True and all(d["provisional"] for d in detail["deadlines"])


def test_the_statistics_count_what_happened(
    tree, member_a, chair_a, district_cadre_a, district_cadre_b, frozen
):
    first, _c = submit(member_a, employer_org=tree.grassroots_a)
    second, _c = submit(None, employer_org=tree.grassroots_a)
    submit(None, employer_org=tree.grassroots_a, category="contract")
    submit(None, workers_affected=12)  # collective: with district A itself
    submit(None, work_division_code="330108")  # district B's: not counted
    svc.case_acknowledge(actor=chair_a, case=first)
    svc.case_acknowledge(actor=chair_a, case=second)
    frozen.shift(datetime.timedelta(days=2))
    svc.case_close(actor=chair_a, case=first, outcome="resolved", summary="已补发")
    frozen.shift(datetime.timedelta(days=28))  # 30 days after receipt: past the 15 working days
    svc.case_close(actor=chair_a, case=second, outcome="arbitration", summary="已引导仲裁")
    svc.case_rate(case=first, rating=5)
    svc.case_rate(case=second, rating=2)

    stats = call(logged_in(district_cadre_a), "get", f"/stats?org_id={tree.district_a.pk}")
    assert stats.status_code == 200, stats.content
    s = stats.json()
    assert (s["total"], s["open"], s["closed"], s["overdue"]) == (4, 2, 2, 2)
    assert (s["on_time"], s["on_time_rate"]) == (1, 50.0)
    assert s["handling_days_avg"] == 16.0 and (s["rated"], s["rating_avg"]) == (2, 3.5)
    assert {row["label"]: row["count"] for row in s["by_category"]} == {
        str(Category.WAGES.label): 3,
        str(Category.CONTRACT.label): 1,
    }
    assert {row["label"]: row["count"] for row in s["by_outcome"]} == {
        str(Outcome.RESOLVED.label): 1,
        str(Outcome.ARBITRATION.label): 1,
    }
    by_union = {row["org"]["id"]: (row["count"], row["open"]) for row in s["by_union"]}
    assert by_union == {tree.street_a.pk: (3, 1), tree.district_a.pk: (1, 1)}
    since = call(
        logged_in(district_cadre_a), "get", f"/stats?org_id={tree.district_a.pk}&since=2026-12-01"
    ).json()
    assert since["total"] == 0 and since["on_time_rate"] is None
    assert (
        call(logged_in(district_cadre_b), "get", f"/stats?org_id={tree.district_b.pk}").json()["total"] == 1
    )


# --- bad input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"description": "工资没发"}, "description_short", "description"),
        ({"description": "字" * 5001}, "description_long", "description"),
        ({"category": "weather"}, "invalid_category", "category"),
        ({"work_division_code": "99999"}, "invalid_division_code", "work_division_code"),
        ({"work_division_code": "110101"}, "no_route", "work_division_code"),  # no union known there
        ({"employer_uscc": "91330106ABCDEFGH1X"}, "invalid_uscc", "employer_uscc"),
        ({"contact_mobile": "12345"}, "invalid_mobile", "contact_mobile"),
        ({"workers_affected": 0}, "invalid_workers", "workers_affected"),
        ({"employer_org_id": 999999}, "unknown_union", "employer_org_id"),
    ],
)
def test_bad_input_gives_400_in_the_one_shape_and_writes_nothing(tree, change, code, field):
    response = call(Client(), "post", "/cases", {**body(contact_mobile="13912345678"), **change})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "field", "details"}
    assert (error["code"], error["field"]) == (code, field) and error["message"]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="gonghui.rights").exists()


def test_a_missing_field_is_422_in_the_one_shape(tree):
    response = call(Client(), "post", "/cases", {"category": "wages"})
    assert response.status_code == 422
    assert (
        response.json()["error"]["code"] == "invalid_input"
        and response.json()["error"]["field"] == "description"
    )
    assert not Case.objects.exists()


# --- the optional sign-in and personal data -------------------------------------------------------------------


def test_an_anonymous_browser_submits_without_a_csrf_token_but_a_signed_in_one_needs_it(tree, member_a):
    browser = Client(enforce_csrf_checks=True)
    made = call(browser, "post", "/cases", body(contact_mobile="13912345678"))
    assert made.status_code == 201, made.content  # nobody's session to ride on
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(member_a)
    refused = call(signed_in, "post", "/cases", body())
    assert refused.status_code == 403  # a forged request from another site must not act as Zhang
    assert Case.objects.count() == 1 and Case.objects.get().requester_id is None


def test_no_get_endpoint_shows_a_full_mobile_number(tree, member_a, chair_a, district_cadre_a, media):
    from gonghui.core.logsafety import find_personal_data

    case, code = submit(member_a, employer_org=tree.grassroots_a, contact_mobile="13912345678")
    svc.case_acknowledge(actor=chair_a, case=case)
    schema = Client().get("/api/v1/openapi.json").json()
    paths = [p for p, ops in schema["paths"].items() if p.startswith(BASE) and "get" in ops]
    assert f"{BASE}/cases" in schema["paths"] and len(paths) >= 7
    walked = masked = 0
    for who in (district_cadre_a, member_a):
        client = logged_in(who)
        for path in paths:
            url = path.replace("{case_id}", str(case.pk)) + f"?org_id={tree.grassroots_a.pk}&status="
            response = client.get(url)
            assert response.status_code < 500, url
            assert find_personal_data(response.content.decode()) == [], url
            masked += response.content.decode().count("139****5678")
            walked += 1
    followed = call(Client(), "post", "/follow", {"code": code}).content.decode()
    assert find_personal_data(followed) == [] and "139****5678" not in followed
    assert walked == 2 * len(paths) and masked >= 1  # the cadre's detail, masked
