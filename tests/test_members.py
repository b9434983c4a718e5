"""Membership services: join and routing, review, numbers, one membership at a time, transfer, status,
lapse, dues, deadlines, counters. The faces have their own test files."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection

from gonghui.accounts.models import Consent
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import Notice
from gonghui.members import counters, rules
from gonghui.members import services as svc
from gonghui.members.models import Application, Member
from gonghui.members.selectors import member_counts, member_search, policy_for
from gonghui.orgs.models import OrgRollup

from .conftest import fake_id

pytestmark = pytest.mark.django_db


def person(n: int = 1, **kw):
    values = {
        "name": "王小明",
        "id_number": fake_id(n),
        "mobile": f"1390000{n:04d}",
        "employer_name": "",
        "employment_form": "regular",
        "work_division_code": "330106",
    }
    values.update(kw)
    return svc.person_clean(**values)


def join(user, n=1, **kw):
    route = {k: kw.pop(k) for k in ("employer_org", "platform_org", "chosen_org") if k in kw}
    return svc.application_submit(user=user, person=person(n, **kw), consent=True, **route)


# --- rules -------------------------------------------------------------------------------------------------


def test_member_numbers_carry_a_check_character_that_catches_typos():
    number = rules.member_number(12345)
    assert len(number) == 12 and rules.member_number_valid(number)
    typo = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]
    assert not rules.member_number_valid(typo)
    swapped = number[:3] + number[4] + number[3] + number[5:]
    assert number[3] == number[4] or not rules.member_number_valid(swapped)


@pytest.mark.parametrize(
    ("wage", "rounding", "expected"),
    [
        ("6543.21", "fen", "32.72"),
        ("6543.21", "jiao", "32.70"),
        ("6543.21", "yuan", "33.00"),
        ("6501.00", "jiao_up", "32.60"),
        ("0", "fen", "0.00"),
    ],
)
def test_dues_are_five_permille_of_the_wage_rounded_as_the_province_says(wage, rounding, expected):
    assert rules.dues_amount(Decimal(wage), rounding=rounding) == Decimal(expected)


def test_lapse_needs_six_whole_months_without_dues_or_participation():
    today = datetime.date(2026, 11, 22)
    joined = datetime.date(2020, 1, 1)
    assert rules.lapse_due(
        today=today, joined_on=joined, last_paid_month=datetime.date(2026, 4, 1), last_participated_on=None
    )
    assert not rules.lapse_due(
        today=today, joined_on=joined, last_paid_month=datetime.date(2026, 5, 1), last_participated_on=None
    )
    assert not rules.lapse_due(
        today=today, joined_on=joined, last_paid_month=None, last_participated_on=datetime.date(2026, 6, 30)
    )
    assert not rules.lapse_due(
        today=today, joined_on=datetime.date(2026, 9, 1), last_paid_month=None, last_participated_on=None
    )


# --- joining and routing -----------------------------------------------------------------------------------


def test_join_needs_consent_before_the_id_number_is_stored(tree, member_a, notice):
    with pytest.raises(ServiceError) as err:
        svc.application_submit(user=member_a, person=person(), consent=False)
    assert err.value.code == "consent_required"
    assert not Application.objects.exists()
    join(member_a)
    assert Consent.objects.filter(user=member_a, purpose="sensitive", withdrawn_at__isnull=True).exists()


def test_an_application_goes_to_the_employers_union_and_says_why(tree, member_a, notice):
    app = join(member_a, employer_org=tree.grassroots_a)
    assert app.org == tree.grassroots_a and app.route_code == "employer"
    assert tree.grassroots_a.name in app.route_note
    assert (
        app.birth_date == datetime.date(1990, 1, 1)
        and app.sex == "male"
        and app.id_last4 == app.id_number[-4:]
    )


def test_an_unknown_employer_with_a_known_credit_code_is_matched(tree, member_a, notice, platform_b):
    app = join(member_a, employer_uscc=platform_b.uscc, employment_form="regular")
    assert app.org == platform_b and app.route_code == "employer"


def test_a_rider_goes_to_the_platform_union(tree, member_a, notice, platform_b):
    app = join(member_a, employment_form="delivery_rider", platform_org=platform_b)
    assert (app.org, app.route_code) == (platform_b, "platform")


def test_a_rider_without_platform_union_goes_to_the_joint_union_where_he_works(
    tree, member_a, notice, joint_a
):
    app = join(member_a, employment_form="delivery_rider", work_division_code="330106")
    assert (app.org, app.route_code) == (joint_a, "joint_local")


def test_a_worker_whose_employer_has_no_union_goes_to_the_local_union(tree, member_a, notice):
    app = join(member_a, employer_name="无工会小店", work_division_code="330108")
    assert (app.org, app.route_code) == (tree.district_b, "local")


def test_no_place_of_work_and_no_employer_is_a_clear_error(tree, member_a, notice):
    with pytest.raises(ServiceError) as err:
        join(member_a, work_division_code="")
    assert err.value.code == "no_route" and not Application.objects.exists()


def test_a_second_pending_application_is_refused(tree, member_a, notice):
    join(member_a, employer_org=tree.grassroots_a)
    with pytest.raises(ServiceError) as err:
        join(member_a, employer_org=tree.grassroots_a)
    assert err.value.code == "application_pending"


def test_reviewers_are_told_and_the_employer_is_not(tree, member_a, notice, chair_a, district_cadre_a):
    join(member_a, employer_org=tree.grassroots_a)
    assert Notice.objects.filter(user=chair_a).count() == 1
    assert not Notice.objects.filter(user=district_cadre_a).exists()  # only the handling union itself


def test_the_deadline_counts_working_days_across_national_day(tree, member_a, notice):
    with time_machine.travel(datetime.datetime(2025, 9, 30, 10, tzinfo=datetime.UTC)):
        app = join(member_a, employer_org=tree.grassroots_a)
    # 2025: 1-8 October are holidays and Saturday 11 October is a working day, so the five working days
    # after Tuesday 30 September are 9, 10, 11, 13 and 14 October.
    assert app.due_on == datetime.date(2025, 10, 14)


# --- review ------------------------------------------------------------------------------------------------


def test_approval_makes_a_member_with_a_number_and_counts_it(tree, member_a, notice, chair_a):
    app = join(member_a, employer_org=tree.grassroots_a)
    member = svc.application_approve(actor=chair_a, application=app)
    assert rules.member_number_valid(member.number) and member.user == member_a
    assert member.status == "active" and member.org == tree.grassroots_a
    assert list(app.steps.values_list("kind", flat=True)) == ["submitted", "routed", "approved"]
    for org in (tree.grassroots_a, tree.street_a, tree.district_a, tree.national):
        assert OrgRollup.objects.get(org=org).members == 1
    assert member_counts(actor=chair_a, org=tree.grassroots_a)["form"] == {"regular": 1}
    assert counters.find_drift() == []


def test_a_cadre_of_another_district_cannot_review(tree, member_a, notice, chair_b, viewer_a):
    app = join(member_a, employer_org=tree.grassroots_a)
    with pytest.raises(NotFound):
        svc.application_approve(actor=chair_b, application=app)
    with pytest.raises(PermissionDenied):
        svc.application_approve(actor=viewer_a, application=app)
    assert Member.objects.count() == 0


def test_rejection_needs_a_reason_that_the_applicant_is_told(tree, member_a, notice, chair_a):
    app = join(member_a, employer_org=tree.grassroots_a)
    with pytest.raises(ServiceError):
        svc.application_reject(actor=chair_a, application=app, reason="  ")
    svc.application_reject(actor=chair_a, application=app, reason="不在本单位工作")
    assert Notice.objects.filter(user=member_a, text__contains="不在本单位工作").exists()


def test_reroute_with_a_reason_and_a_fresh_deadline(tree, member_a, notice, district_cadre_a, joint_a):
    app = join(member_a, employer_name="小店", work_division_code="330106")
    assert app.org == tree.district_a
    svc.application_reroute(actor=district_cadre_a, application=app, org=joint_a, reason="属地联合工会受理")
    app.refresh_from_db()
    assert app.org == joint_a and "属地联合工会受理" in app.route_note
    assert app.steps.filter(kind="rerouted").exists()


def test_a_district_places_the_member_in_a_holding_union(tree, member_a, notice, district_cadre_a, joint_a):
    app = join(member_a, employer_name="小店", work_division_code="330106")
    with pytest.raises(ServiceError) as err:
        svc.application_approve(actor=district_cadre_a, application=app)
    assert err.value.code == "not_a_holding_union"
    member = svc.application_approve(actor=district_cadre_a, application=app, place_in=joint_a)
    assert member.org == joint_a


def test_batch_approval_reports_each_failure(tree, member_a, member_b, notice, chair_a):
    a1 = join(member_a, 1, employer_org=tree.grassroots_a)
    a2 = join(member_b, 2, employer_org=tree.grassroots_a)
    svc.application_reject(actor=chair_a, application=a2, reason="重复")
    result = svc.applications_approve_batch(actor=chair_a, applications=[a1, a2])
    assert len(result.approved) == 1 and len(result.failed) == 1


# --- one membership at a time and transfer -----------------------------------------------------------------


def test_the_database_refuses_a_second_live_membership(tree, member_a, notice, chair_a):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    clone = Member(
        org=tree.grassroots_b,
        number=rules.member_number(999),
        joined_on=m.joined_on,
        name=m.name,
        id_number=m.id_number,
    )
    with pytest.raises(IntegrityError):
        clone.save()


def test_an_application_from_a_member_elsewhere_becomes_a_transfer(tree, member_a, notice, chair_a, chair_b):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    app = join(member_a, employer_org=tree.grassroots_b)
    assert app.status == "transfer" and app.transfer.to_org == tree.grassroots_b
    m.refresh_from_db()
    assert m.status == "transferring"
    moved = svc.transfer_accept(actor=chair_b, transfer=app.transfer)
    assert moved.org == tree.grassroots_b and moved.status == "active" and moved.number == m.number
    assert [e.kind for e in moved.events.all()] == ["joined", "transfer_started", "transferred"]
    assert OrgRollup.objects.get(org=tree.grassroots_a).members == 0
    assert OrgRollup.objects.get(org=tree.grassroots_b).members == 1
    assert OrgRollup.objects.get(org=tree.city).members == 1
    assert counters.find_drift() == []


def test_transfer_started_by_the_losing_union_and_refused(tree, member_a, notice, chair_a, chair_b):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    t = svc.transfer_start(actor=chair_a, member=m, to_org=tree.grassroots_b, reason="调动")
    assert t.started_by == "union"
    with pytest.raises(ServiceError):
        svc.transfer_start(actor=chair_a, member=m, to_org=tree.grassroots_b)
    with pytest.raises(NotFound):
        svc.transfer_accept(actor=chair_a, transfer=t)  # only the receiving union decides
    svc.transfer_reject(actor=chair_b, transfer=t, reason="未在本单位就业")
    m.refresh_from_db()
    assert m.status == "active" and m.org == tree.grassroots_a
    assert counters.find_drift() == []


def test_the_member_starts_a_transfer_for_a_new_job(tree, member_a, notice, chair_a):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    t = svc.transfer_start(actor=member_a, member=m, to_org=tree.grassroots_b, new_employer_name="长河半导体")
    assert t.started_by == "member"
    svc.transfer_cancel(actor=member_a, transfer=t)
    m.refresh_from_db()
    assert m.status == "active"


# --- status, lapse, dues -----------------------------------------------------------------------------------


def test_status_changes_follow_the_rules_and_are_kept(tree, member_a, notice, chair_a, viewer_a):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    with pytest.raises(PermissionDenied):
        svc.member_status_change(
            actor=viewer_a, member=m, status="retained", reason="退休", retained_reason="retired"
        )
    svc.member_status_change(
        actor=chair_a, member=m, status="retained", reason="退休", retained_reason="retired"
    )
    with pytest.raises(ServiceError) as err:
        svc.member_status_change(actor=chair_a, member=m, status="expelled", reason="严重违纪")
    assert err.value.code == "decision_required"
    svc.member_status_change(
        actor=chair_a, member=m, status="expelled", reason="严重违纪", decision="2026-11-01 会员大会决议第3号"
    )
    m.refresh_from_db()
    assert m.status == "expelled" and m.left_on is not None
    with pytest.raises(ServiceError):
        svc.member_status_change(actor=chair_a, member=m, status="active", reason="误操作")
    assert OrgRollup.objects.get(org=tree.grassroots_a).members == 0
    assert member_counts(actor=chair_a, org=tree.grassroots_a)["status"] == {"expelled": 1}
    assert counters.find_drift() == []


def test_lapse_is_proposed_then_confirmed_one_by_one(tree, member_a, notice, chair_a):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC)):
        m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    # Joined in January: February to July are six whole months without dues or participation.
    assert svc.lapse_sweep(today=datetime.date(2026, 7, 31)) == 0
    assert svc.lapse_sweep(today=datetime.date(2026, 8, 1)) == 1
    assert svc.lapse_sweep(today=datetime.date(2026, 8, 2)) == 0  # idempotent
    proposal = m.lapse_proposals.get()
    with pytest.raises(ServiceError):
        svc.lapse_confirm(actor=chair_a, proposal=proposal, note="")
    svc.lapse_confirm(actor=chair_a, proposal=proposal, note="已谈话，本人表示不再参加")
    m.refresh_from_db()
    assert m.status == "lapsed"


def test_late_dues_never_end_membership_and_payments_do_not_double(tree, member_a, notice, chair_a):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    row = svc.dues_wage_set(actor=chair_a, member=m, month=datetime.date(2026, 10, 15), wage_base="8000")
    assert row.due == Decimal("40.00") and row.month == datetime.date(2026, 10, 1)
    svc.dues_payment_record(actor=chair_a, member=m, month=datetime.date(2026, 10, 1), amount="40")
    svc.dues_payment_record(actor=chair_a, member=m, month=datetime.date(2026, 10, 1), amount="40")
    assert m.dues.get().paid == Decimal("40.00")
    m.refresh_from_db()
    assert m.status == "active"


def test_retained_members_owe_no_dues(tree, member_a, notice, chair_a):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    svc.member_status_change(
        actor=chair_a, member=m, status="retained", reason="退休", retained_reason="retired"
    )
    m.refresh_from_db()
    row = svc.dues_wage_set(actor=chair_a, member=m, month=datetime.date(2026, 10, 1), wage_base="5000")
    assert row.waived and row.due == 0


def test_a_province_sets_its_own_rounding(tree, member_a, notice, chair_a, province_cadre):
    svc.member_policy_set(actor=province_cadre, org=tree.province, dues_rounding="yuan", review_workdays=3)
    assert policy_for(tree.grassroots_a).dues_rounding == "yuan"
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    assert svc.dues_wage_set(
        actor=chair_a, member=m, month=datetime.date(2026, 10, 1), wage_base="6543.21"
    ).due == Decimal("33.00")


# --- deadlines ---------------------------------------------------------------------------------------------


def test_reminder_then_escalation_and_catch_up_after_downtime(
    tree, member_a, notice, chair_a, district_cadre_a
):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)):  # Monday
        app = join(member_a, employer_org=tree.grassroots_a)
    assert app.due_on == datetime.date(2026, 11, 9)
    assert svc.deadlines_sweep(today=datetime.date(2026, 11, 3)) == {"reminded": 0, "escalated": 0}
    assert svc.deadlines_sweep(today=datetime.date(2026, 11, 6)) == {"reminded": 1, "escalated": 0}
    # The worker was down for a week: the next run escalates once, and a second run does nothing.
    assert svc.deadlines_sweep(today=datetime.date(2026, 11, 16)) == {"reminded": 0, "escalated": 1}
    assert svc.deadlines_sweep(today=datetime.date(2026, 11, 17)) == {"reminded": 0, "escalated": 0}
    app.refresh_from_db()
    assert app.escalated_to == tree.street_a
    assert Notice.objects.filter(user=chair_a).count() >= 2


# --- search ------------------------------------------------------------------------------------------------


def test_search_by_name_pinyin_initials_number_last4_and_blind_index(
    tree, member_a, notice, chair_a, chair_b
):
    m = svc.application_approve(
        actor=chair_a, application=join(member_a, name="张晓燕", employer_org=tree.grassroots_a)
    )
    for q in ("张晓", "zhangxiao", "zxy", m.number, m.id_number[-4:], m.id_number, m.mobile):
        assert list(member_search(actor=chair_a, q=q)) == [m], q
    assert list(member_search(actor=chair_b, q="张晓")) == []


def test_letters_find_members_by_full_pinyin_or_initials_once_each_within_scope(
    tree, notice, chair_a, chair_b
):
    def add(actor, org, n, name):
        return svc.member_create(actor=actor, org=org, person=person(n, name=name))

    by_pinyin = add(chair_a, tree.grassroots_a, 20, "夏天")  # xiatian, xt
    by_initials = add(chair_a, tree.grassroots_a, 21, "徐晓")  # xuxiao, xx
    add(chair_a, tree.grassroots_a, 22, "王强")  # wangqiang, wq: neither
    add(chair_b, tree.grassroots_b, 23, "夏雪")  # xiaxue, xx: outside chair_a's scope
    assert [m.pk for m in member_search(actor=chair_a, q="xia")] == [by_pinyin.pk]
    assert [m.pk for m in member_search(actor=chair_a, q="XX")] == [by_initials.pk]
    # "x" starts both the pinyin and the initials of each: every member is listed once, in pinyin order.
    assert [m.pk for m in member_search(actor=chair_a, q="x")] == [by_pinyin.pk, by_initials.pk]
    assert member_search(actor=chair_a, q="x").count() == 2
    assert [m.pk for m in member_search(actor=chair_a, q="x", status="withdrawn")] == []


def test_a_search_by_id_number_finds_past_and_live_memberships(tree, member_a, notice, chair_a):
    # Live and past memberships sit in two partial indexes (members.models.id_index_q): both are asked.
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    svc.member_status_change(actor=chair_a, member=m, status="withdrawn", reason="本人书面申请退会")
    assert list(member_search(actor=chair_a, q=m.id_number)) == [m]
    again = svc.member_create(
        actor=chair_a,
        org=tree.grassroots_a,
        person=svc.person_clean(
            name=m.name, id_number=m.id_number, mobile=m.mobile, employment_form="regular"
        ),
    )
    found = list(member_search(actor=chair_a, q=m.id_number))
    assert sorted(x.pk for x in found) == sorted([m.pk, again.pk])
    assert {x.status for x in found} == {"withdrawn", "active"}
    assert list(member_search(actor=chair_a, q=m.id_number, status="live")) == [again]


def test_a_search_page_costs_the_same_queries_whatever_its_size(
    tree, notice, chair_a, django_assert_num_queries
):
    for n in range(12):
        svc.member_create(
            actor=chair_a,
            org=tree.grassroots_a,
            person=person(n + 10, name=f"李{'一二三四五六七八九十甲乙'[n]}"),
        )
    for q in ("李", "li"):  # characters, then letters (full pinyin or initials)
        for size in (2, 10):
            chair_a.__dict__.pop("_gonghui_grants", None)
            with django_assert_num_queries(2):
                rows = list(member_search(actor=chair_a, q=q)[:size])
                assert len(rows) == size and all(r.org.name for r in rows)


def test_reconcile_reports_no_drift_after_changes(tree, member_a, notice, chair_a):
    svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    call_command("reconcile")  # exits non-zero on drift
    with connection.cursor() as cur:
        cur.execute("UPDATE members_memberrollup SET count = count + 1")
    assert counters.find_drift()


def test_a_retired_member_stays_retained_through_a_transfer_either_way(
    tree, member_a, notice, chair_a, chair_b
):
    m = svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))
    svc.member_status_change(
        actor=chair_a, member=m, status="retained", reason="退休", retained_reason="retired"
    )
    t = svc.transfer_start(actor=chair_a, member=m, to_org=tree.grassroots_b, reason="随子女迁居")
    svc.transfer_reject(actor=chair_b, transfer=t, reason="不在本单位")
    m.refresh_from_db()
    assert m.status == "retained"
    t = svc.transfer_start(actor=chair_a, member=m, to_org=tree.grassroots_b, reason="随子女迁居")
    moved = svc.transfer_accept(actor=chair_b, transfer=t)
    assert (moved.status, moved.org) == ("retained", tree.grassroots_b)
    assert counters.find_drift() == []


def test_unions_near_me_are_the_holding_unions_inside_the_district_of_the_code(tree, joint_a):
    from gonghui.members.selectors import holding_orgs

    near = set(holding_orgs(division_code="330106"))
    assert {tree.grassroots_a, joint_a, tree.street_a} <= near and tree.grassroots_b not in near
    assert list(holding_orgs(division_code="650101")) == []
