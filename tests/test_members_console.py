"""The cadre console pages of the membership module: the application queue, members, transfers, lapse
proposals, arrears, the membership rules and the dashboard's member section."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.core.logsafety import find_personal_data
from gonghui.core.models import AuditRecord
from gonghui.members import services as svc
from gonghui.members.models import Application, DuesMonth, LapseProposal, Member, MemberPolicy, Transfer

from .conftest import fake_id

pytestmark = pytest.mark.django_db


def person(n: int = 1, **kw):
    values = {
        "name": "王小明",
        "id_number": fake_id(n),
        "mobile": f"1390000{n:04d}",
        "employment_form": "regular",
        "work_division_code": "330106",
    }
    values.update(kw)
    return svc.person_clean(**values)


def join(user, n: int = 1, **kw) -> Application:
    route = {k: kw.pop(k) for k in ("employer_org", "platform_org", "chosen_org") if k in kw}
    return svc.application_submit(user=user, person=person(n, **kw), consent=True, **route)


def enter(actor, org, n: int, **kw) -> Member:
    return svc.member_create(actor=actor, org=org, person=person(n, **kw))


@pytest.fixture
def app_a(tree, member_a, notice) -> Application:
    """Zhang Wei's application to the grassroots union in district A, pending."""
    return join(member_a, 1, name="张伟", employer_org=tree.grassroots_a)


@pytest.fixture
def member_in_a(tree, chair_a) -> Member:
    """A member of the grassroots union in district A, entered by its chair."""
    return enter(chair_a, tree.grassroots_a, 5, name="赵敏")


@pytest.fixture
def transfer_ab(tree, chair_a, member_in_a) -> Transfer:
    """A transfer of that member from district A to district B, started by chair A."""
    return svc.transfer_start(actor=chair_a, member=member_in_a, to_org=tree.grassroots_b, reason="调动")


@pytest.fixture
def proposal_a(tree, chair_a) -> LapseProposal:
    """A lapse proposal for a member in district A who joined long ago and did nothing since."""
    with time_machine.travel(datetime.datetime(2025, 1, 6, 2, tzinfo=datetime.UTC)):
        enter(chair_a, tree.grassroots_a, 7, name="孙丽")
    svc.lapse_sweep()
    return LapseProposal.objects.get()


def login(client, user):
    client.force_login(user)
    client.get(reverse("console:dashboard"))  # the first request stores the activity time
    return client


# --- every page, for the right cadre -----------------------------------------------------------------------


def test_every_membership_page_renders_for_the_district_cadre_with_numbers_masked(
    client, tree, district_cadre_a, chair_a, app_a, member_in_a, transfer_ab, proposal_a
):
    svc.dues_wage_set(actor=chair_a, member=member_in_a, month=datetime.date(2026, 1, 1), wage_base="8000")
    login(client, district_cadre_a)
    pages = [
        reverse("console:dashboard"),
        reverse("console:application_list"),
        reverse("console:application", args=[app_a.pk]),
        reverse("console:member_list"),
        reverse("console:member_new"),
        reverse("console:member_detail", args=[member_in_a.pk]),
        reverse("console:member_detail", args=[member_in_a.pk]) + "?to_q=长河",
        reverse("console:member_reveal", args=[member_in_a.pk]),
        reverse("console:transfer_list") + "?dir=out",
        reverse("console:transfer", args=[transfer_ab.pk]),
        reverse("console:lapse_list"),
        reverse("console:lapse_decide", args=[proposal_a.pk]),
        reverse("console:arrears"),
        reverse("console:member_policy"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert find_personal_data(response.content.decode()) == [], url
    html = client.get(reverse("console:member_detail", args=[member_in_a.pk])).content.decode()
    assert "330106********" in html and "139****0005" in html


def test_the_receiving_chair_sees_the_incoming_transfer(client, tree, chair_b, transfer_ab):
    login(client, chair_b)
    response = client.get(reverse("console:transfer_list"))
    assert list(response.context["page"].object_list) == [transfer_ab]
    assert client.get(reverse("console:transfer_list") + "?dir=out").context["page"].paginator.count == 0


def test_the_dashboard_counts_members_and_charts_this_years_joins(
    client, tree, district_cadre_a, chair_a, app_a, member_in_a
):
    login(client, district_cadre_a)
    response = client.get(reverse("console:dashboard"))
    members = response.context["members"]
    assert members["pending"] == 1 and members["overdue"] == 0
    assert [n for _label, n in members["forms"]] == [1]
    assert sum(members["chart"]["series"][0]["data"]) == 1
    assert len(members["chart"]["labels"]) == 12
    html = response.content.decode()
    assert 'id="members-chart-data"' in html and 'data-chart="members-chart-data"' in html


# --- scope: the wrong union gets 404 -----------------------------------------------------------------------


@pytest.mark.parametrize("intruder", ["chair_b", "district_cadre_b"])
def test_cadres_of_district_b_cannot_see_district_a_records(
    client, request, tree, chair_a, app_a, member_in_a, proposal_a, joint_a, intruder
):
    # A transfer inside district A: from the grassroots union to the joint union.
    t = svc.transfer_start(actor=chair_a, member=member_in_a, to_org=joint_a, reason="转入联合工会")
    login(client, request.getfixturevalue(intruder))
    m = member_in_a.pk
    for url in [
        reverse("console:application", args=[app_a.pk]),
        reverse("console:member_detail", args=[m]),
        reverse("console:member_reveal", args=[m]),
        reverse("console:transfer", args=[t.pk]),
        reverse("console:lapse_decide", args=[proposal_a.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url, data in [
        (reverse("console:application", args=[app_a.pk]), {"action": "approve"}),
        (reverse("console:member_detail", args=[m]), {"employment_form": "regular"}),
        (reverse("console:member_status", args=[m]), {"status": "withdrawn", "reason": "x"}),
        (reverse("console:member_transfer", args=[m]), {"to_org": tree.grassroots_b.pk}),
        (reverse("console:member_reveal", args=[m]), {"field": "id_number", "reason": "核对"}),
        (reverse("console:member_dues", args=[m]), {"action": "wage", "month": "2026-01", "wage_base": "1"}),
        (reverse("console:transfer", args=[t.pk]), {"action": "accept", "note": ""}),
        (reverse("console:lapse_decide", args=[proposal_a.pk]), {"action": "confirm", "note": "谈过"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("console:member_list") + "?q=赵敏").context["page"].paginator.count == 0
    assert client.get(reverse("console:application_list")).context["page"].paginator.count == 0
    assert client.get(reverse("console:lapse_list")).context["page"].paginator.count == 0
    for direction in ("in", "out"):
        assert (
            client.get(reverse("console:transfer_list"), {"dir": direction}).context["page"].paginator.count
            == 0
        )
    app_a.refresh_from_db()
    t.refresh_from_db()
    assert app_a.status == "pending" and t.status == "pending"
    assert Member.objects.get(pk=m).status == "transferring" and not DuesMonth.objects.exists()


def test_a_transfer_is_invisible_to_a_union_at_neither_end(client, tree, transfer_ab):
    from .conftest import make_user

    login(client, make_user("13800000098", "韩主席", "org_admin", tree.industry))
    assert client.get(reverse("console:transfer", args=[transfer_ab.pk])).status_code == 404
    assert (
        client.post(reverse("console:transfer", args=[transfer_ab.pk]), {"action": "accept"}).status_code
        == 404
    )


# --- the wrong role is refused -----------------------------------------------------------------------------


def test_a_viewer_may_look_but_every_write_is_refused(
    client, tree, viewer_a, app_a, member_in_a, transfer_ab, proposal_a
):
    login(client, viewer_a)
    m = member_in_a.pk
    assert client.get(reverse("console:member_detail", args=[m])).status_code == 200
    assert client.get(reverse("console:application", args=[app_a.pk])).status_code == 200
    assert client.get(reverse("console:member_new")).status_code == 403
    assert client.get(reverse("console:lapse_decide", args=[proposal_a.pk])).status_code == 403
    writes = [
        (reverse("console:application", args=[app_a.pk]), {"action": "approve"}),
        (reverse("console:application", args=[app_a.pk]), {"action": "reject", "reason": "不符合"}),
        (reverse("console:application_batch"), {"ids": [app_a.pk]}),
        (
            reverse("console:member_new"),
            {"org": tree.grassroots_a.pk, "name": "李四", "id_number": fake_id(9)},
        ),
        (reverse("console:member_detail", args=[m]), {"employment_form": "courier"}),
        (reverse("console:member_status", args=[m]), {"status": "withdrawn", "reason": "本人申请"}),
        (reverse("console:member_transfer", args=[m]), {"to_org": tree.grassroots_b.pk}),
        (reverse("console:member_dues", args=[m]), {"action": "wage", "month": "2026-01", "wage_base": "1"}),
        (reverse("console:member_reveal", args=[m]), {"field": "id_number", "reason": "核对"}),
        (reverse("console:transfer", args=[transfer_ab.pk]), {"action": "cancel", "note": ""}),
        (reverse("console:lapse_decide", args=[proposal_a.pk]), {"action": "confirm", "note": "谈过"}),
        (reverse("console:member_policy"), {"review_workdays": 3}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    app_a.refresh_from_db()
    member_in_a.refresh_from_db()
    transfer_ab.refresh_from_db()
    assert (
        app_a.status == "pending" and member_in_a.status == "transferring" and transfer_ab.status == "pending"
    )
    assert member_in_a.employment_form == "regular" and not DuesMonth.objects.exists()
    assert not MemberPolicy.objects.exists() and LapseProposal.objects.get().status == "proposed"
    # The refused look at the full ID number is itself in the audit log.
    assert AuditRecord.objects.filter(action="gonghui.pii.revealed", result="denied").count() == 1


def test_the_receiving_union_cannot_cancel_and_the_losing_union_cannot_accept(
    client, tree, chair_a, chair_b, transfer_ab
):
    login(client, chair_a)
    page = client.get(reverse("console:transfer", args=[transfer_ab.pk]))
    assert page.context["can_cancel"] and not page.context["can_decide"]
    assert (
        client.post(reverse("console:transfer", args=[transfer_ab.pk]), {"action": "accept"}).status_code
        == 404
    )
    client.logout()
    login(client, chair_b)
    page = client.get(reverse("console:transfer", args=[transfer_ab.pk]))
    assert page.context["can_decide"] and not page.context["can_cancel"]
    transfer_ab.refresh_from_db()
    assert transfer_ab.status == "pending"


# --- applications ------------------------------------------------------------------------------------------


def test_batch_approval_approves_what_it_can_and_reports_each_failure(
    client, tree, chair_a, member_a, notice
):
    good = join(member_a, 1, name="张伟", employer_org=tree.grassroots_a)
    late = join(member_a, 2, name="刘洋", employer_org=tree.grassroots_a)
    svc.application_reject(actor=chair_a, application=late, reason="重复申请")
    login(client, chair_a)
    response = client.post(reverse("console:application_batch"), {"ids": [good.pk, late.pk]}, follow=True)
    good.refresh_from_db()
    assert good.status == "approved" and good.member is not None
    texts = [str(m) for m in response.context["messages"]]
    assert any("1" in t for t in texts)
    assert any(t.startswith("刘洋") for t in texts)  # the failure names the applicant


def test_batch_approval_with_nothing_ticked_says_so(client, tree, chair_a, app_a):
    login(client, chair_a)
    response = client.post(reverse("console:application_batch"), {}, follow=True)
    assert response.status_code == 200 and len(list(response.context["messages"])) == 1
    app_a.refresh_from_db()
    assert app_a.status == "pending"


def test_a_rejection_without_a_reason_shows_the_error_and_changes_nothing(client, tree, chair_a, app_a):
    login(client, chair_a)
    url = reverse("console:application", args=[app_a.pk])
    response = client.post(url, {"action": "reject", "reason": "   "})
    assert response.status_code == 200 and response.context["reject_form"].errors
    app_a.refresh_from_db()
    assert app_a.status == "pending" and not app_a.steps.filter(kind="rejected").exists()
    response = client.post(url, {"action": "reject", "reason": "不在本单位工作"})
    app_a.refresh_from_db()
    assert response.status_code == 302 and app_a.status == "rejected" and app_a.reason == "不在本单位工作"


def test_the_detail_shows_the_person_masked_the_route_and_the_timeline(client, tree, chair_a, app_a):
    login(client, chair_a)
    html = client.get(reverse("console:application", args=[app_a.pk])).content.decode()
    assert find_personal_data(html) == []
    assert "330106********" in html and "139****0001" in html and "1990-01-01" in html
    assert app_a.route_note in html
    assert html.count('class="timeline"') == 1


def test_a_district_places_the_applicant_in_one_of_its_holding_unions(
    client, tree, district_cadre_a, member_a, notice, joint_a
):
    app = join(member_a, 1, employer_name="小店", work_division_code="330106")
    assert app.org == tree.district_a
    login(client, district_cadre_a)
    url = reverse("console:application", args=[app.pk])
    page = client.get(url)
    assert page.context["needs_place"]
    choices = dict(page.context["approve_form"].fields["place_in"].choices)
    assert joint_a.pk in choices and tree.grassroots_a.pk in choices and tree.district_a.pk not in choices
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 200 and response.context["approve_form"].errors  # a district holds no one
    client.post(url, {"action": "approve", "place_in": joint_a.pk})
    app.refresh_from_db()
    assert app.status == "approved" and app.member.org == joint_a


def test_reroute_to_a_union_found_by_search_needs_a_reason(client, tree, chair_a, app_a, joint_a):
    login(client, chair_a)
    url = reverse("console:application", args=[app_a.pk])
    page = client.get(url + "?org_q=联合")
    assert joint_a in list(page.context["org_results"])
    response = client.post(url + "?org_q=联合", {"action": "reroute", "org": joint_a.pk, "reason": ""})
    assert response.status_code == 200 and response.context["reroute_form"].errors
    response = client.post(url, {"action": "reroute", "org": tree.district_a.pk, "reason": "属地"})
    assert response.status_code == 200 and response.context["reroute_form"].errors  # not a holding union
    client.post(url, {"action": "reroute", "org": joint_a.pk, "reason": "属地联合工会受理"})
    app_a.refresh_from_db()
    assert app_a.org == joint_a


def test_the_queue_puts_overdue_first_with_a_badge_and_filters_by_deadline(
    client, tree, chair_a, member_a, notice
):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 2, tzinfo=datetime.UTC)):
        old = join(member_a, 1, name="张伟", employer_org=tree.grassroots_a)
    with time_machine.travel(datetime.datetime(2026, 11, 16, 2, tzinfo=datetime.UTC)):
        new = join(member_a, 2, name="刘洋", employer_org=tree.grassroots_a)
        svc.deadlines_sweep()
        login(client, chair_a)
        response = client.get(reverse("console:application_list"))
        assert list(response.context["page"].object_list) == [old, new]
        html = response.content.decode()
        assert "badge-overdue" in html and "badge-escalated" in html
        overdue = client.get(reverse("console:application_list") + "?status=pending&due=overdue")
        assert list(overdue.context["page"].object_list) == [old]
        escalated = client.get(reverse("console:application_list") + "?due=escalated")
        assert list(escalated.context["page"].object_list) == [old]
        riders = client.get(reverse("console:application_list") + "?employment_form=delivery_rider")
        assert riders.context["page"].paginator.count == 0
        found = client.get(reverse("console:application_list") + "?q=liuyang")
        assert list(found.context["page"].object_list) == [new]


def test_the_queue_costs_the_same_queries_whatever_the_page_size(
    client, tree, chair_a, member_a, notice, django_assert_num_queries
):
    for n in range(30):
        join(member_a, n + 1, employer_org=tree.grassroots_a)
    login(client, chair_a)
    url = reverse("console:application_list")
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url, {"per_page": 25}).context["page"].object_list) == 25
    with django_assert_num_queries(len(small)):
        assert len(client.get(url, {"per_page": 50}).context["page"].object_list) == 30


# --- members -----------------------------------------------------------------------------------------------


def test_the_union_column_shows_only_when_the_list_spans_several_unions(
    client, tree, district_cadre_a, chair_a, member_in_a
):
    login(client, chair_a)  # the chair's console opens on the grassroots union itself
    assert client.get(reverse("console:member_list")).context["show_union"] is False
    client.logout()
    login(client, district_cadre_a)
    response = client.get(reverse("console:member_list"))
    assert response.context["show_union"] is True
    assert tree.grassroots_a.name in response.content.decode()


def test_the_member_list_costs_the_same_queries_whatever_the_page_size(
    client, tree, chair_a, django_assert_num_queries
):
    for n in range(30):
        enter(chair_a, tree.grassroots_a, n + 10)
    login(client, chair_a)
    url = reverse("console:member_list")
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url, {"per_page": 25}).context["rows"]) == 25
    with django_assert_num_queries(len(small)):
        assert len(client.get(url, {"per_page": 100}).context["rows"]) == 30


def test_members_are_found_by_name_pinyin_last_four_and_number_and_listed_masked(
    client, tree, chair_a, member_in_a
):
    enter(chair_a, tree.grassroots_a, 6, name="钱多多")
    login(client, chair_a)
    url = reverse("console:member_list")
    for q in ("赵", "zhaomin", "zm", member_in_a.id_number[-4:], member_in_a.number, member_in_a.mobile):
        rows = client.get(url, {"q": q}).context["rows"]
        assert [r.obj for r in rows] == [member_in_a], q
    html = client.get(url).content.decode()
    assert find_personal_data(html) == [] and "139****0005" in html
    assert client.get(url, {"status": "live"}).context["page"].paginator.count == 2
    assert client.get(url, {"status": "withdrawn"}).context["page"].paginator.count == 0
    assert client.get(url, {"status": "nonsense"}).status_code == 200


def test_a_cadre_enters_a_member_and_a_second_live_membership_is_a_form_error(client, tree, chair_a):
    login(client, chair_a)
    data = {
        "org": tree.grassroots_a.pk,
        "name": "周 杰",
        "id_number": fake_id(20),
        "mobile": "",
        "employment_form": "courier",
        "employer_name": "",
        "employer_uscc": "",
        "work_division_code": "330106",
        "work_place": "",
    }
    response = client.post(reverse("console:member_new"), data)
    member = Member.objects.get()
    assert response["Location"] == reverse("console:member_detail", args=[member.pk])
    assert member.name == "周杰" and member.org == tree.grassroots_a and member.employment_form == "courier"
    again = client.post(reverse("console:member_new"), data)
    assert again.status_code == 200 and again.context["form"].errors["id_number"]
    bad = client.post(reverse("console:member_new"), {**data, "id_number": "330106199001010000"})
    assert bad.status_code == 200 and bad.context["form"].errors["id_number"]
    assert Member.objects.count() == 1


def test_only_holding_unions_are_offered_for_a_new_member(client, tree, district_cadre_a, joint_a):
    login(client, district_cadre_a)
    choices = dict(client.get(reverse("console:member_new")).context["form"].fields["org"].choices)
    assert set(choices) == {tree.street_a.pk, tree.grassroots_a.pk, joint_a.pk}


def test_showing_a_number_in_full_needs_a_reason_and_is_audited(client, tree, chair_a, member_in_a):
    login(client, chair_a)
    url = reverse("console:member_reveal", args=[member_in_a.pk])
    response = client.post(url, {"field": "id_number", "reason": " "})
    assert response.status_code == 200 and response.context["form"].errors
    assert not AuditRecord.objects.filter(action="gonghui.pii.revealed").exists()
    response = client.post(url, {"field": "id_number", "reason": "核对会员身份"})
    assert response.status_code == 200 and member_in_a.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    record = AuditRecord.objects.get(action="gonghui.pii.revealed")
    assert record.result == "ok" and record.data == {"field": "id_number", "reason": "核对会员身份"}
    assert member_in_a.id_number not in str(record.data)


def test_showing_a_number_in_full_asks_for_the_password_again_after_a_while(
    client, tree, chair_a, member_in_a
):
    login(client, chair_a)
    session = client.session
    session["gonghui_reauth_at"] = int(time.time()) - 3600
    session.save()
    response = client.post(
        reverse("console:member_reveal", args=[member_in_a.pk]), {"field": "mobile", "reason": "联系"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/reauth/")
    assert not AuditRecord.objects.filter(action="gonghui.pii.revealed").exists()


def test_editing_contact_details_keeps_the_mobile_when_left_empty(client, tree, chair_a, member_in_a):
    login(client, chair_a)
    url = reverse("console:member_detail", args=[member_in_a.pk])
    page = client.get(url)
    assert member_in_a.mobile not in page.content.decode()  # never pre-filled in the form
    data = {"mobile": "", "employer_name": "西溪科技", "employer_uscc": "", "employment_form": "dispatched"}
    assert client.post(url, {**data, "work_division_code": "", "work_place": ""}).status_code == 302
    member_in_a.refresh_from_db()
    assert member_in_a.mobile == "13900000005" and member_in_a.employment_form == "dispatched"
    bad = client.post(url, {**data, "mobile": "12345", "work_division_code": "", "work_place": ""})
    assert bad.status_code == 200 and bad.context["edit_form"].errors["mobile"]


def test_the_status_form_offers_only_allowed_changes_and_expulsion_needs_the_decision(
    client, tree, chair_a, member_in_a
):
    login(client, chair_a)
    page = client.get(reverse("console:member_detail", args=[member_in_a.pk]))
    assert {v for v, _ in page.context["status_choices"]} == {"retained", "withdrawn", "expelled"}
    url = reverse("console:member_status", args=[member_in_a.pk])
    response = client.post(url, {"status": "expelled", "reason": "严重违纪"})
    assert response.status_code == 200 and response.context["status_form"].errors["decision"]
    response = client.post(url, {"status": "retained", "reason": "退休"})
    assert response.context["status_form"].errors["retained_reason"]
    response = client.post(url, {"status": "lapsed", "reason": "x"})
    assert response.context["status_form"].errors["status"]  # not offered from active
    response = client.post(url, {"status": "retained", "reason": "退休", "retained_reason": "retired"})
    member_in_a.refresh_from_db()
    assert response.status_code == 302 and member_in_a.status == "retained"
    assert member_in_a.events.filter(kind="status", to_status="retained").exists()


def test_dues_months_are_recorded_and_bad_amounts_are_form_errors(client, tree, chair_a, member_in_a):
    login(client, chair_a)
    url = reverse("console:member_dues", args=[member_in_a.pk])
    client.post(url, {"action": "wage", "month": "2026-10", "wage_base": "8000"})
    client.post(url, {"action": "payment", "month": "2026-10", "amount": "40", "paid_on": "2026-10-20"})
    row = DuesMonth.objects.get()
    assert (row.month, str(row.due), str(row.paid)) == (datetime.date(2026, 10, 1), "40.00", "40.00")
    response = client.post(url, {"action": "payment", "month": "2026-10", "amount": "四十"})
    assert response.status_code == 200 and response.context["payment_form"].errors["amount"]
    response = client.post(url, {"action": "wage", "month": "2026-13", "wage_base": "1"})
    assert response.context["wage_form"].errors["month"]
    assert "2026-10" in client.get(reverse("console:member_detail", args=[member_in_a.pk])).content.decode()


# --- transfers ---------------------------------------------------------------------------------------------


def test_a_transfer_is_started_from_the_member_page_and_accepted_by_the_receiving_union(
    client, tree, chair_a, chair_b, member_in_a
):
    login(client, chair_a)
    page = client.get(reverse("console:member_detail", args=[member_in_a.pk]), {"to_q": "长河"})
    assert tree.grassroots_b in list(page.context["to_results"])
    response = client.post(
        reverse("console:member_transfer", args=[member_in_a.pk]),
        {"to_org": tree.grassroots_b.pk, "reason": "调入长河半导体", "new_employer_name": "长河半导体"},
    )
    t = Transfer.objects.get()
    assert response["Location"] == reverse("console:transfer", args=[t.pk])
    out = client.get(reverse("console:transfer_list"), {"dir": "out"})
    assert list(out.context["page"].object_list) == [t]
    client.logout()
    login(client, chair_b)
    url = reverse("console:transfer", args=[t.pk])
    response = client.post(url, {"action": "reject", "note": ""})
    assert response.status_code == 200 and response.context["form"].errors  # a refusal needs a reason
    client.post(url, {"action": "accept", "note": ""})
    member_in_a.refresh_from_db()
    assert member_in_a.org == tree.grassroots_b and member_in_a.status == "active"


def test_a_transfer_to_a_union_that_holds_no_members_is_a_form_error(client, tree, chair_a, member_in_a):
    login(client, chair_a)
    response = client.post(
        reverse("console:member_transfer", args=[member_in_a.pk]), {"to_org": tree.district_b.pk}
    )
    assert response.status_code == 200 and response.context["transfer_form"].errors["to_org"]
    assert not Transfer.objects.exists()


def test_the_losing_union_cancels_a_transfer(client, tree, chair_a, transfer_ab):
    login(client, chair_a)
    response = client.post(
        reverse("console:transfer", args=[transfer_ab.pk]), {"action": "cancel", "note": ""}
    )
    assert response.status_code == 302
    transfer_ab.refresh_from_db()
    assert transfer_ab.status == "cancelled" and transfer_ab.member.status == "active"


# --- lapse proposals ---------------------------------------------------------------------------------------


def test_a_lapse_is_confirmed_one_by_one_with_a_note_of_the_conversation(client, tree, chair_a, proposal_a):
    login(client, chair_a)
    listing = client.get(reverse("console:lapse_list"))
    assert list(listing.context["page"].object_list) == [proposal_a]
    assert b'type="checkbox"' not in listing.content  # nothing in batch
    url = reverse("console:lapse_decide", args=[proposal_a.pk])
    response = client.post(url, {"action": "confirm", "note": ""})
    assert response.status_code == 200 and response.context["form"].errors["note"]
    proposal_a.refresh_from_db()
    assert proposal_a.status == "proposed"
    client.post(url, {"action": "confirm", "note": "2026-11-03 电话谈话，本人表示不再参加"})
    proposal_a.refresh_from_db()
    assert proposal_a.status == "confirmed" and proposal_a.member.status == "lapsed"


def test_a_lapse_proposal_is_dismissed_with_a_note(client, tree, chair_a, proposal_a):
    login(client, chair_a)
    client.post(
        reverse("console:lapse_decide", args=[proposal_a.pk]), {"action": "dismiss", "note": "已补交会费"}
    )
    proposal_a.refresh_from_db()
    assert proposal_a.status == "dismissed" and proposal_a.member.status == "active"


# --- arrears and rules -------------------------------------------------------------------------------------


def test_arrears_list_who_owes_and_say_that_late_payment_never_ends_membership(
    client, tree, chair_a, district_cadre_a, member_in_a
):
    for month in (9, 10):
        svc.dues_wage_set(
            actor=chair_a, member=member_in_a, month=datetime.date(2026, month, 1), wage_base="8000"
        )
    svc.dues_payment_record(actor=chair_a, member=member_in_a, month=datetime.date(2026, 9, 1), amount="40")
    login(client, district_cadre_a)
    response = client.get(reverse("console:arrears"))
    [row] = response.context["page"].object_list
    assert row.member == member_in_a and row.months == 1 and row.owed == Decimal("40")
    assert row.last_paid_month == datetime.date(2026, 9, 1)
    assert 'data-testid="late-never-ends"' in response.content.decode()
    assert client.get(reverse("console:arrears"), {"since": "2026-11"}).context["count"] == 0


def test_the_rules_page_says_whose_rules_apply_and_saves_the_unions_own(
    client, tree, province_cadre, district_cadre_a
):
    svc.member_policy_set(actor=province_cadre, org=tree.province, review_workdays=3)
    login(client, district_cadre_a)
    page = client.get(reverse("console:member_policy"))
    assert page.context["source"] == tree.province and not page.context["own"]
    assert page.context["form"].initial["review_workdays"] == 3
    data = {
        "review_workdays": 4,
        "transfer_workdays": 5,
        "remind_workdays_before": 1,
        "dues_permille": "5",
        "dues_rounding": "jiao",
        "lapse_months": 6,
    }
    bad = client.post(reverse("console:member_policy"), {**data, "review_workdays": 90})
    assert bad.status_code == 200 and bad.context["form"].errors["review_workdays"]
    assert client.post(reverse("console:member_policy"), data).status_code == 302
    policy = MemberPolicy.objects.get(org=tree.district_a)
    assert policy.review_workdays == 4 and policy.dues_rounding == "jiao"
    assert client.get(reverse("console:member_policy")).context["own"]


def test_the_navigation_shows_only_the_membership_sections_a_role_can_open(client, tree, viewer_a):
    from .conftest import make_user

    handler = make_user("13800000011", "冯专干", "case_handler", tree.district_a)

    def nav() -> str:
        page = client.get(reverse("console:dashboard")).content.decode()
        return page[
            page.index('<nav class="sidenav"') : page.index("</nav>", page.index('<nav class="sidenav"'))
        ]

    client.force_login(handler)
    page = nav()
    assert reverse("console:member_list") not in page and reverse("console:application_list") not in page
    client.force_login(viewer_a)
    page = nav()
    assert reverse("console:member_list") in page and reverse("console:arrears") in page
    assert reverse("console:import_list") not in page and reverse("console:lapse_list") not in page
