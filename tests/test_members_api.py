"""The membership API: a rider joins, is routed with a reason, is approved and checks his card; cadres work
in their scope only; numbers stay masked; every write refuses the wrong role and read-only tokens."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.accounts.sms import LoggingSender
from gonghui.core.logsafety import find_personal_data
from gonghui.core.models import AuditRecord
from gonghui.members import services as svc
from gonghui.members.models import Application, ImportProblem, LapseProposal, Member, Transfer
from gonghui.members.selectors import card_code
from tests.conftest import CastClient, fake_id
from tests.test_api import bearer, issue

pytestmark = pytest.mark.django_db

BASE = "/api/v1/members"


def call(client, method, path, data=None, **extra):
    """One API call with a JSON body."""
    body = json.dumps(data if data is not None else {})
    return client.generic(method, BASE + path, body, content_type="application/json", **extra)


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


def rider(n=1, **extra):
    values = {
        "name": "王小明",
        "id_number": fake_id(n),
        "employment_form": "delivery_rider",
        "work_division_code": "330106",
        "consent": True,
    }
    values.update(extra)
    return values


def person(n, **kw):
    values = {
        "name": "李小红",
        "id_number": fake_id(n),
        "mobile": f"1370000{n:04d}",
        "work_division_code": "330106",
    }
    values.update(kw)
    return svc.person_clean(**values)


def enter(actor, org, n, **kw):
    return svc.member_create(actor=actor, org=org, person=person(n, **kw))


def apply(user, n, **kw):
    route = {k: kw.pop(k) for k in ("employer_org", "platform_org", "chosen_org") if k in kw}
    p = person(n, mobile=user.mobile, **kw)
    return svc.application_submit(user=user, person=p, consent=True, **route)


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    return LoggingSender.outbox


def last_code(outbox, mobile):
    sent_to, text = outbox[-1]
    assert sent_to == mobile
    return re.search(r"\d{6}", text).group(0)


# --- the journey -------------------------------------------------------------------------------------------


def test_a_rider_joins_through_the_api_is_approved_and_his_card_checks_out(
    tree, member_a, district_cadre_b, platform_b, notice, sms, django_capture_on_commit_callbacks
):
    anonymous, me = Client(), logged_in(member_a)
    platforms = call(anonymous, "get", "/platforms").json()
    assert [p["name"] for p in platforms] == [platform_b.name]
    # He joins with his work phone, not the account's: the number is proven with a code first.
    with django_capture_on_commit_callbacks(execute=True):
        sent = call(anonymous, "post", "/join/code", {"mobile": "139 1234 5678"})
    assert sent.status_code == 202
    code = last_code(sms, "13912345678")
    applied = call(
        me,
        "post",
        "/applications",
        rider(mobile="13912345678", code=code, platform_org_id=platforms[0]["id"]),
    )
    assert applied.status_code == 201, applied.content
    body = applied.json()
    assert body["org"]["id"] == platform_b.pk and body["route_code"] == "platform"
    assert platform_b.name in body["route_explanation"]
    assert [s["kind"] for s in body["timeline"]] == ["submitted", "routed"]
    assert fake_id(1) not in applied.content.decode() and "13912345678" not in applied.content.decode()

    cadre = logged_in(district_cadre_b)
    queue = call(cadre, "get", "/applications").json()
    assert [a["id"] for a in queue["items"]] == [body["id"]]
    assert queue["items"][0]["id_number_masked"] == fake_id(1)[:6] + "********" + fake_id(1)[-4:]
    approved = call(cadre, "post", f"/applications/{body['id']}/approve")
    assert approved.status_code == 200, approved.content
    number = approved.json()["number"]

    progress = call(me, "get", f"/applications/mine/{body['id']}").json()
    assert progress["status"] == "approved" and progress["member_number"] == number
    card = call(me, "get", "/membership/mine").json()
    assert card["number"] == number and card["org"]["name"] == platform_b.name
    assert card["card_code"] == card_code(number) and card["verify_url"].endswith(
        f"/card/{card['card_code']}/"
    )
    assert card["mobile_masked"] == "139****5678"

    checked = call(anonymous, "get", f"/cards/{card['card_code']}")
    assert checked.status_code == 200
    assert checked.json() == {
        "valid": True,
        "number": number,
        "name": "王*明",
        "union": platform_b.name,
        "status": "active",
        "status_label": checked.json()["status_label"],
    }
    forged = call(anonymous, "get", f"/cards/{number}-0000000000")
    assert forged.status_code == 404 and forged.json()["error"]["code"] == "card_not_found"


def test_a_rider_without_a_platform_union_goes_to_the_joint_union_where_he_works(
    tree, member_a, joint_a, notice
):
    response = call(logged_in(member_a), "post", "/applications", rider())  # the account's own mobile
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["org"]["id"] == joint_a.pk and body["route_code"] == "joint_local"
    assert joint_a.name in body["route_explanation"]


def test_a_mobile_other_than_the_accounts_needs_the_right_code(tree, member_a, joint_a, notice, sms):
    me = logged_in(member_a)
    missing = call(me, "post", "/applications", rider(mobile="13912345678"))
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "code"
    call(Client(), "post", "/join/code", {"mobile": "13912345678"})
    wrong = call(me, "post", "/applications", rider(mobile="13912345678", code="000000"))
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_sms_code"
    assert not Application.objects.exists()


def test_asking_for_codes_too_fast_is_429(tree, sms):
    anonymous = Client()
    assert call(anonymous, "post", "/join/code", {"mobile": "13912345678"}).status_code == 202
    again = call(anonymous, "post", "/join/code", {"mobile": "13912345678"})
    assert again.status_code == 429 and again.json()["error"]["code"] == "sms_too_soon"


def test_applying_needs_a_login_and_consent(tree, member_a, joint_a, notice):
    assert call(Client(), "post", "/applications", rider()).status_code == 401
    refused = call(logged_in(member_a), "post", "/applications", rider(consent=False))
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "consent"


def test_the_applicant_withdraws_and_only_sees_his_own(tree, member_a, member_b, joint_a, notice):
    app = apply(member_a, 1, employer_org=tree.grassroots_a)
    other = logged_in(member_b)
    assert call(other, "get", f"/applications/mine/{app.pk}").status_code == 404
    assert call(other, "post", f"/applications/mine/{app.pk}/withdraw").status_code == 404
    assert call(other, "get", "/applications/mine").json() == []
    me = logged_in(member_a)
    assert [a["id"] for a in call(me, "get", "/applications/mine").json()] == [app.pk]
    withdrawn = call(me, "post", f"/applications/mine/{app.pk}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert call(me, "post", f"/applications/mine/{app.pk}/withdraw").status_code == 409
    assert call(me, "get", "/membership/mine").json()["error"]["code"] == "not_a_member"


def test_public_lookups_give_only_public_fields(tree, platform_b, joint_a):
    anonymous = Client()
    employers = call(anonymous, "get", "/employers?q=蜂鸟").json()
    assert employers == [{"id": platform_b.pk, "name": platform_b.name, "uscc": platform_b.uscc}]
    unions = call(anonymous, "get", "/unions?q=联合").json()
    assert [u["id"] for u in unions] == [joint_a.pk] and unions[0]["kind"] == "joint"


# --- validation --------------------------------------------------------------------------------------------


def test_validation_errors_come_back_in_the_one_shape_with_the_field(tree, member_a, chair_a, notice):
    me = logged_in(member_a)
    bad_id = call(me, "post", "/applications", rider(id_number="330106199001011234"))
    assert bad_id.status_code == 400
    assert set(bad_id.json()["error"]) == {"code", "message", "field", "details"}
    assert bad_id.json()["error"]["field"] == "id_number"
    missing = call(me, "post", "/applications", {"id_number": fake_id(1)})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_input"
    assert missing.json()["error"]["field"] == "name"
    unknown = call(me, "post", "/applications", rider(employer_org_id=999999))
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "employer_org_id"

    cadre = logged_in(chair_a)
    member = enter(chair_a, tree.grassroots_a, 1)
    bad_month = call(cadre, "put", f"/members/{member.pk}/dues/2026-13", {"wage_base": "8000"})
    assert bad_month.status_code == 422 and bad_month.json()["error"]["field"] == "month"
    bad_money = call(cadre, "put", f"/members/{member.pk}/dues/2026-10", {"wage_base": "80.001"})
    assert bad_money.status_code == 422 and bad_money.json()["error"]["field"] == "wage_base"
    bad_rule = call(cadre, "put", f"/policy?org_id={tree.grassroots_a.pk}", {"review_workdays": 99})
    assert bad_rule.status_code == 422 and bad_rule.json()["error"]["field"] == "review_workdays"
    bad_reveal = call(cadre, "post", f"/members/{member.pk}/reveal", {"field": "name", "reason": "核对"})
    assert bad_reveal.status_code == 422 and bad_reveal.json()["error"]["field"] == "field"
    bad_direction = call(cadre, "get", "/transfers?direction=sideways")
    assert bad_direction.status_code == 422 and bad_direction.json()["error"]["field"] == "direction"


# --- review ------------------------------------------------------------------------------------------------


def test_rejection_needs_a_reason_which_the_applicant_reads(tree, member_a, chair_a, notice):
    app = apply(member_a, 1, employer_org=tree.grassroots_a)
    cadre = logged_in(chair_a)
    blank = call(cadre, "post", f"/applications/{app.pk}/reject", {"reason": " "})
    assert blank.status_code == 400 and blank.json()["error"]["field"] == "reason"
    rejected = call(cadre, "post", f"/applications/{app.pk}/reject", {"reason": "不在本单位工作"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    mine = call(logged_in(member_a), "get", f"/applications/mine/{app.pk}").json()
    assert mine["reason"] == "不在本单位工作" and mine["timeline"][-1]["kind"] == "rejected"


def test_a_district_reroutes_or_places_the_member_in_a_holding_union(
    tree, member_a, member_b, district_cadre_a, joint_a, notice
):
    cadre = logged_in(district_cadre_a)
    to_district = apply(member_a, 1, employer_name="小店")
    assert to_district.org == tree.district_a
    refused = call(cadre, "post", f"/applications/{to_district.pk}/approve")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_a_holding_union"
    placed = call(cadre, "post", f"/applications/{to_district.pk}/approve", {"place_in_org_id": joint_a.pk})
    assert placed.status_code == 200 and placed.json()["org"]["id"] == joint_a.pk

    second = apply(member_b, 2, employer_name="小店")
    moved = call(
        cadre, "post", f"/applications/{second.pk}/reroute", {"org_id": joint_a.pk, "reason": "属地受理"}
    )
    assert moved.status_code == 200
    assert moved.json()["org"]["id"] == joint_a.pk and "属地受理" in moved.json()["route_explanation"]


def test_batch_approval_reports_each_failure(tree, member_a, member_b, chair_a, chair_b, notice):
    ok = apply(member_a, 1, employer_org=tree.grassroots_a)
    decided = apply(member_b, 2, employer_org=tree.grassroots_a)
    svc.application_reject(actor=chair_a, application=decided, reason="重复")
    elsewhere = apply(member_b, 3, employer_org=tree.grassroots_b)
    response = call(
        logged_in(chair_a), "post", "/applications/batch-approve", {"ids": [ok.pk, decided.pk, elsewhere.pk]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["application_id"] for a in body["approved"]] == [ok.pk]
    assert Member.objects.get(pk=body["approved"][0]["member_id"]).number == body["approved"][0]["number"]
    assert sorted(f["application_id"] for f in body["failed"]) == sorted([decided.pk, elsewhere.pk])
    assert Application.objects.get(pk=elsewhere.pk).status == "pending"


# --- members -----------------------------------------------------------------------------------------------


def test_a_cadre_enters_finds_and_updates_a_member_masked(tree, chair_a):
    cadre = logged_in(chair_a)
    created = call(
        cadre,
        "post",
        "/members",
        {"org_id": tree.grassroots_a.pk, "name": "张晓燕", "id_number": fake_id(5), "mobile": "13712340000"},
    )
    assert created.status_code == 201, created.content
    member_id = created.json()["id"]
    assert created.json()["mobile_masked"] == "137****0000"
    assert created.json()["history"][0]["kind"] == "joined"
    found = call(cadre, "get", "/members?q=zxy").json()
    assert found["count"] == 1 and found["items"][0]["id"] == member_id
    assert call(cadre, "get", f"/members?q={fake_id(5)}").json()["count"] == 1  # by blind index
    changed = call(
        cadre, "patch", f"/members/{member_id}", {"employment_form": "courier", "work_place": "文三路"}
    )
    assert changed.status_code == 200 and changed.json()["employment_form"] == "courier"
    assert changed.json()["history"][-1]["kind"] == "updated"
    again = call(
        cadre, "post", "/members", {"org_id": tree.grassroots_a.pk, "name": "张晓燕", "id_number": fake_id(5)}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_member"
    assert find_personal_data(created.content.decode() + changed.content.decode()) == []


def test_the_full_number_is_revealed_only_with_a_reason_and_audited(tree, chair_a, viewer_a):
    member = enter(chair_a, tree.grassroots_a, 1)
    cadre = logged_in(chair_a)
    no_reason = call(cadre, "post", f"/members/{member.pk}/reveal", {"field": "id_number", "reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "reason_required"
    shown = call(
        cadre, "post", f"/members/{member.pk}/reveal", {"field": "id_number", "reason": "办理医疗互助"}
    )
    assert shown.status_code == 200 and shown.json() == {"field": "id_number", "value": fake_id(1)}
    assert shown["Cache-Control"] == "no-store"
    record = AuditRecord.objects.filter(action="gonghui.pii.revealed").latest("pk")
    assert record.result == "ok" and fake_id(1) not in json.dumps(record.data)
    refused = call(
        logged_in(viewer_a), "post", f"/members/{member.pk}/reveal", {"field": "mobile", "reason": "看看"}
    )
    assert refused.status_code == 403
    assert AuditRecord.objects.filter(action="gonghui.pii.revealed", result="denied").count() == 1


def test_status_changes_and_lapse_decisions_go_through_the_api(tree, chair_a):
    cadre = logged_in(chair_a)
    member = enter(chair_a, tree.grassroots_a, 1)
    expel = call(cadre, "post", f"/members/{member.pk}/status", {"status": "expelled", "reason": "严重违纪"})
    assert expel.status_code == 400 and expel.json()["error"]["field"] == "decision"
    retained = call(
        cadre,
        "post",
        f"/members/{member.pk}/status",
        {"status": "retained", "reason": "退休", "retained_reason": "retired"},
    )
    assert retained.status_code == 200 and retained.json()["status"] == "retained"

    stays, goes = enter(chair_a, tree.grassroots_a, 2), enter(chair_a, tree.grassroots_a, 3)
    assert svc.lapse_sweep(today=timezone.localdate() + datetime.timedelta(days=300)) == 2
    proposals = call(cadre, "get", "/lapse-proposals").json()["items"]
    by_member = {p["member_id"]: p["id"] for p in proposals}
    assert set(by_member) == {stays.pk, goes.pk}
    assert (
        call(cadre, "post", f"/lapse-proposals/{by_member[goes.pk]}/confirm", {"note": ""}).status_code == 400
    )
    confirmed = call(
        cadre, "post", f"/lapse-proposals/{by_member[goes.pk]}/confirm", {"note": "已谈话，不再参加"}
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    dismissed = call(cadre, "post", f"/lapse-proposals/{by_member[stays.pk]}/dismiss", {"note": "已补交会费"})
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert (
        Member.objects.get(pk=goes.pk).status == "lapsed"
        and Member.objects.get(pk=stays.pk).status == "active"
    )


def test_dues_arrears_counts_and_rules(tree, chair_a, province_cadre):
    cadre = logged_in(chair_a)
    member = enter(chair_a, tree.grassroots_a, 1)
    set_wage = call(cadre, "put", f"/members/{member.pk}/dues/2026-10", {"wage_base": "8000"})
    assert set_wage.status_code == 200, set_wage.content
    assert set_wage.json() == {
        "month": "2026-10",
        "wage_base": "8000.00",
        "due": "40.00",
        "paid": "0.00",
        "owed": "40.00",
        "paid_on": None,
        "waived": False,
    }
    owing = call(cadre, "get", f"/arrears?org_id={tree.grassroots_a.pk}").json()
    assert owing["items"][0]["owed"] == "40.00" and owing["items"][0]["member_id"] == member.pk
    for _ in range(2):  # recording a payment twice never doubles it
        paid = call(
            cadre, "put", f"/members/{member.pk}/dues/2026-10", {"paid": "40", "paid_on": "2026-10-20"}
        )
    assert (
        paid.json()["paid"] == "40.00"
        and paid.json()["owed"] == "0.00"
        and paid.json()["paid_on"] == "2026-10-20"
    )
    assert call(cadre, "get", f"/arrears?org_id={tree.grassroots_a.pk}").json()["count"] == 0
    assert call(cadre, "get", f"/members/{member.pk}/dues").json()["items"][0]["month"] == "2026-10"
    empty = call(cadre, "put", f"/members/{member.pk}/dues/2026-11", {})
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "nothing_to_set"

    counts = call(cadre, "get", f"/counts?org_id={tree.grassroots_a.pk}").json()
    assert counts["status"] == {"active": 1} and counts["employment_form"] == {"regular": 1}

    province = logged_in(province_cadre)
    rules = call(
        province, "put", f"/policy?org_id={tree.province.pk}", {"dues_rounding": "yuan", "dues_permille": "5"}
    )
    assert rules.status_code == 200 and rules.json()["dues_rounding"] == "yuan"
    inherited = call(cadre, "get", f"/policy?org_id={tree.grassroots_a.pk}").json()
    assert inherited["source_org_id"] == tree.province.pk and inherited["dues_permille"] == "5.00"
    assert call(cadre, "put", f"/policy?org_id={tree.province.pk}", {"lapse_months": 3}).status_code == 404


# --- transfers ---------------------------------------------------------------------------------------------


def test_a_transfer_out_is_accepted_by_the_receiving_union(tree, chair_a, chair_b):
    member = enter(chair_a, tree.grassroots_a, 1)
    started = call(
        logged_in(chair_a),
        "post",
        f"/members/{member.pk}/transfer",
        {"to_org_id": tree.grassroots_b.pk, "reason": "调动"},
    )
    assert started.status_code == 201 and started.json()["started_by"] == "union"
    receiving = logged_in(chair_b)
    waiting = call(receiving, "get", "/transfers?direction=in").json()
    assert [t["id"] for t in waiting["items"]] == [started.json()["id"]]
    assert call(logged_in(chair_a), "get", "/transfers?direction=out").json()["count"] == 1
    cancel = call(receiving, "post", f"/transfers/{started.json()['id']}/cancel", {"note": "x"})
    assert cancel.status_code == 404  # only the member or the losing union cancels
    accepted = call(receiving, "post", f"/transfers/{started.json()['id']}/accept", {"note": "欢迎"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert Member.objects.get(pk=member.pk).org == tree.grassroots_b


def test_the_member_moves_his_membership_and_cancels(tree, member_a, chair_a, chair_b):
    member = svc.member_create(
        actor=chair_a, org=tree.grassroots_a, person=person(1, mobile=member_a.mobile), user=member_a
    )
    me = logged_in(member_a)
    started = call(
        me,
        "post",
        "/membership/mine/transfer",
        {"to_org_id": tree.grassroots_b.pk, "new_employer_name": "长河半导体"},
    )
    assert started.status_code == 201 and started.json()["started_by"] == "member"
    assert call(me, "get", "/membership/mine").json()["transfers"][0]["status"] == "pending"
    refused = call(logged_in(chair_b), "post", f"/transfers/{started.json()['id']}/reject", {"reason": ""})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "reason"
    cancelled = call(me, "post", f"/transfers/{started.json()['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Member.objects.get(pk=member.pk).status == "active"


# --- scope, roles and tokens -------------------------------------------------------------------------------


@pytest.fixture
def grassroots_a_records(tree, chair_a, member_a, member_b, notice):
    """A member of grassroots union A with a transfer out, dues, a lapse proposal, and an application."""
    member = enter(chair_a, tree.grassroots_a, 1)
    svc.dues_wage_set(actor=chair_a, member=member, month=datetime.date(2026, 10, 1), wage_base="6000")
    other = enter(chair_a, tree.grassroots_a, 2)
    svc.lapse_sweep(today=timezone.localdate() + datetime.timedelta(days=300))
    transfer = svc.transfer_start(actor=chair_a, member=other, to_org=tree.street_a, reason="调动")
    app = apply(member_a, 3, employer_org=tree.grassroots_a)
    proposal = LapseProposal.objects.get(member=member)
    return {"member": member, "transfer": transfer, "application": app, "proposal": proposal}


def writes(records, tree):
    m, t, a, p = (records[k].pk for k in ("member", "transfer", "application", "proposal"))
    return [
        ("post", f"/applications/{a}/approve", {}),
        ("post", f"/applications/{a}/reject", {"reason": "不符合"}),
        ("post", f"/applications/{a}/reroute", {"org_id": tree.grassroots_b.pk, "reason": "转"}),
        ("post", "/members", {"org_id": tree.grassroots_a.pk, "name": "赵六", "id_number": fake_id(9)}),
        ("patch", f"/members/{m}", {"work_place": "某处"}),
        ("post", f"/members/{m}/reveal", {"field": "id_number", "reason": "核对"}),
        ("post", f"/members/{m}/status", {"status": "withdrawn", "reason": "本人申请"}),
        ("post", f"/members/{m}/transfer", {"to_org_id": tree.grassroots_b.pk}),
        ("put", f"/members/{m}/dues/2026-10", {"paid": "30"}),
        ("post", f"/transfers/{t}/accept", {}),
        ("post", f"/transfers/{t}/cancel", {}),
        ("post", f"/lapse-proposals/{p}/confirm", {"note": "已谈话"}),
        ("put", f"/policy?org_id={tree.grassroots_a.pk}", {"lapse_months": 3}),
    ]


def reads(records, tree):
    m, a = records["member"].pk, records["application"].pk
    return [
        f"/members/{m}",
        f"/members/{m}/dues",
        f"/applications/{a}",
        f"/counts?org_id={tree.grassroots_a.pk}",
        f"/policy?org_id={tree.grassroots_a.pk}",
        f"/arrears?org_id={tree.grassroots_a.pk}",
    ]


@pytest.mark.parametrize("outsider", ["chair_b", "district_cadre_b"])
def test_another_districts_cadre_gets_404_for_everything_in_district_a(
    request, tree, grassroots_a_records, outsider
):
    client = logged_in(request.getfixturevalue(outsider))
    for path in reads(grassroots_a_records, tree):
        assert call(client, "get", path).status_code == 404, path
    for method, path, data in writes(grassroots_a_records, tree):
        response = call(client, method, path, data)
        assert response.status_code == 404, (path, response.content)
        assert response.json()["error"]["code"] == "not_found"
    for path in ("/members", "/applications", "/transfers?direction=out", "/lapse-proposals"):
        assert call(client, "get", path).json()["count"] == 0, path
    batch = call(
        client, "post", "/applications/batch-approve", {"ids": [grassroots_a_records["application"].pk]}
    )
    assert batch.json()["approved"] == []
    assert Member.objects.filter(status="active").count() == 1


def test_the_viewer_reads_but_every_write_is_refused(tree, grassroots_a_records, viewer_a):
    client = logged_in(viewer_a)
    for path in reads(grassroots_a_records, tree):
        assert call(client, "get", path).status_code == 200, path
    for method, path, data in writes(grassroots_a_records, tree):
        response = call(client, method, path, data)
        assert response.status_code == 403, (path, response.content)
    refused = call(
        client, "post", "/applications/batch-approve", {"ids": [grassroots_a_records["application"].pk]}
    )
    assert refused.status_code == 403
    assert Application.objects.get().status == "pending" and Transfer.objects.get().status == "pending"


def test_a_read_only_token_reads_but_every_write_is_refused(client, tree, grassroots_a_records, chair_a):
    token = bearer(issue(client, chair_a, access="read")["token"])
    reader = Client()
    for path in reads(grassroots_a_records, tree):
        assert call(reader, "get", path, **token).status_code == 200, path
    for method, path, data in writes(grassroots_a_records, tree):
        response = call(reader, method, path, data, **token)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "token_read_only"
    assert Application.objects.get().status == "pending"


def test_a_member_without_a_role_sees_no_cadre_data(tree, grassroots_a_records, member_b):
    client = logged_in(member_b)
    assert call(client, "get", f"/members/{grassroots_a_records['member'].pk}").status_code == 404
    assert call(client, "get", "/members").json()["count"] == 0
    assert (
        call(client, "post", f"/applications/{grassroots_a_records['application'].pk}/approve").status_code
        == 404
    )


# --- cost and privacy of the lists -------------------------------------------------------------------------


@pytest.fixture
def busy_union(tree, chair_a, notice):
    """Twelve members, applications, transfers out, dues and lapse proposals in grassroots union A."""
    from gonghui.accounts.models import User

    members = [
        enter(chair_a, tree.grassroots_a, n, name=f"李{'一二三四五六七八九十甲乙'[n]}") for n in range(12)
    ]
    for n, m in enumerate(members):
        svc.dues_wage_set(actor=chair_a, member=m, month=datetime.date(2026, 10, 1), wage_base=str(5000 + n))
    svc.lapse_sweep(today=timezone.localdate() + datetime.timedelta(days=300))
    for m in members[:6]:
        svc.transfer_start(actor=chair_a, member=m, to_org=tree.street_a, reason="调动")
    for n in range(12):
        user = User.objects.create_user(f"1360000{n:04d}", None, real_name=f"申请人{n}")
        apply(user, 100 + n, employer_org=tree.grassroots_a)
    return members


@pytest.mark.parametrize(
    "path",
    [
        "/members",
        "/members?q=李",
        "/applications",
        "/transfers?direction=out",
        "/lapse-proposals",
        "/arrears?org_id={org}",
        "/members/{member}/dues",
    ],
)
def test_list_endpoints_cost_the_same_queries_whatever_the_page_size(
    tree, chair_a, busy_union, django_assert_num_queries, path
):
    client = logged_in(chair_a)
    url = path.format(org=tree.grassroots_a.pk, member=busy_union[0].pk)
    joiner = "&" if "?" in url else "?"
    call(client, "get", url)  # the session settles (idle timer) on the first request
    with CaptureQueriesContext(connection) as small:
        assert call(client, "get", f"{url}{joiner}limit=2").status_code == 200
    with django_assert_num_queries(len(small)):
        page = call(client, "get", f"{url}{joiner}limit=10").json()
    assert len(page["items"]) == min(10, page["count"])


def test_no_members_get_endpoint_shows_a_full_id_or_mobile_number(
    tree, grassroots_a_records, chair_a, member_a, district_cadre_a
):
    from gonghui.members import imports

    svc.application_approve(actor=chair_a, application=grassroots_a_records["application"])
    file = upload([("赵六", fake_id(20), "13700001111"), ("钱七", fake_id(21)[:-1] + "0", "13700002222")])
    job = logged_in(chair_a).post(f"{BASE}/imports", {"org_id": tree.grassroots_a.pk, "file": file}).json()
    imports.import_check(job_id=job["id"])
    assert ImportProblem.objects.filter(job_id=job["id"]).count() == 1  # a bad ID number, not shown in full
    schema = Client().get("/api/v1/openapi.json").json()
    ids = {
        "member_id": grassroots_a_records["member"].pk,
        "application_id": grassroots_a_records["application"].pk,
        "code": card_code(grassroots_a_records["member"].number),
        "job_id": job["id"],
    }
    query = f"?org_id={tree.grassroots_a.pk}&status="  # every state, so the lists are not empty
    walked = masked = 0
    for who in (district_cadre_a, member_a):
        client = logged_in(who)
        for path, operations in schema["paths"].items():
            if "get" not in operations or not path.startswith(BASE):
                continue
            url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path) + query
            response = client.get(url)
            assert response.status_code < 500, url
            assert find_personal_data(response.content.decode()) == [], url
            masked += response.content.decode().count("********")
            walked += 1
    assert walked >= 2 * 14 and masked >= 6  # the records were there, masked


# --- imports -----------------------------------------------------------------------------------------------


def upload(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "姓名,身份证号码,手机号码\n" + "".join(f"{','.join(r)}\n" for r in rows)
    return SimpleUploadedFile("members.csv", text.encode("utf-8"), content_type="text/csv")


def test_a_member_list_is_checked_then_imported_through_the_api(client, tree, chair_a, chair_b, viewer_a):
    from gonghui.members import imports

    cadre = logged_in(chair_a)
    file = upload([("赵六", fake_id(20), "13700001111"), ("钱七", "123", "13700002222")])
    started = cadre.post(f"{BASE}/imports", {"org_id": tree.grassroots_a.pk, "kind": "members", "file": file})
    assert started.status_code == 201, started.content
    job_id = started.json()["id"]
    assert started.json()["status"] == "checking"
    imports.import_check(job_id=job_id)  # the task worker's dry run

    checked = call(cadre, "get", f"/imports/{job_id}")
    body = checked.json()
    assert body["status"] == "checked" and (body["valid_rows"], body["error_rows"]) == (1, 1)
    assert body["problems"][0]["row"] == 3 and body["problems"][0]["column"] == "身份证号码"
    assert find_personal_data(checked.content.decode()) == []
    all_or_nothing = call(cadre, "post", f"/imports/{job_id}/commit", {"mode": "all"})
    assert (
        all_or_nothing.status_code == 400 and all_or_nothing.json()["error"]["code"] == "import_has_problems"
    )

    assert call(logged_in(chair_b), "get", f"/imports/{job_id}").status_code == 404
    assert call(logged_in(chair_b), "post", f"/imports/{job_id}/commit", {"mode": "valid"}).status_code == 404
    viewer = logged_in(viewer_a)
    assert call(viewer, "post", f"/imports/{job_id}/commit", {"mode": "valid"}).status_code in (403, 404)
    refused = viewer.post(f"{BASE}/imports", {"org_id": tree.grassroots_a.pk, "file": upload([])})
    assert refused.status_code == 403
    outside = cadre.post(f"{BASE}/imports", {"org_id": tree.grassroots_b.pk, "file": upload([])})
    assert outside.status_code == 404
    token = bearer(issue(client, chair_a, access="read")["token"])
    read_only = Client().post(
        f"{BASE}/imports", {"org_id": tree.grassroots_a.pk, "file": upload([])}, **token
    )
    assert read_only.status_code == 403 and read_only.json()["error"]["code"] == "token_read_only"

    committing = call(cadre, "post", f"/imports/{job_id}/commit", {"mode": "valid"})
    assert committing.status_code == 200 and committing.json()["status"] == "committing"
    imports.import_commit(job_id=job_id)  # the task worker writes
    done = call(cadre, "get", f"/imports/{job_id}").json()
    assert done["status"] == "done" and done["created_count"] == 1 and done["progress_percent"] == 100
    assert Member.objects.get().name == "赵六"
