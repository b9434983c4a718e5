"""Hardship aid: files, the review chain up the tree, the limits as data (caps, the same illness once a year,
no cash), the announcement and objections before payment, and the double-payment check across unions and
levels. Rules are pure functions, tested on their own first."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from gonghui.aid import rules, selectors, services
from gonghui.aid.models import AidApplication, AidPolicy, AppState, FileStatus, HardshipFile, HouseholdMember
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.members.models import Member
from gonghui.orgs.models import Role

from .aid_helpers import approve_all, cadres, medical, verified_file, zhejiang_chain
from .conftest import fake_id, make_user
from .suggestion_helpers import make_member

TUESDAY = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def cast(tree, chair_a, district_cadre_a):
    zhejiang_chain(tree)
    return cadres(tree, chair_a, district_cadre_a)


@pytest.fixture
def zhang_file(tree, cast, member_a):
    return verified_file(tree, cast, member_a)


# --- pure rules ------------------------------------------------------------------------------------------------


def test_per_capita_income_divides_by_household_and_rounds_to_the_fen():
    assert rules.per_capita(Decimal("2400"), 3) == Decimal("800.00")
    assert rules.per_capita(Decimal("1000"), 3) == Decimal("333.33")
    assert rules.per_capita(Decimal("500"), 0) == Decimal("500.00")


def test_the_same_need_is_the_illness_the_school_year_the_season_or_the_month():
    assert rules.need_key("medical", illness_code="c50.9") == "medical:C50.9"
    assert rules.need_key("education", school_year="2026-2027") == "education:2026-2027"
    assert rules.need_key("holiday", season="2027春节") == "holiday:2027春节"
    assert rules.need_key("living", period="2026-11") == "living:2026-11"


def test_each_type_of_aid_needs_its_detail():
    assert rules.need_problem("medical", illness_code="cancer") == ("illness_code", "illness_code")
    assert rules.need_problem("medical", illness_code="C50.9") is None
    assert rules.need_problem("education", school_year="2026-2028") == ("school_year", "school_year")
    assert rules.need_problem("education", school_year="2026-2027") is None
    assert rules.need_problem("holiday") == ("season", "season")
    assert rules.need_problem("living", period="2026-13") == ("period", "period")


def test_a_cap_allows_exactly_up_to_the_limit():
    assert not rules.over_cap(Decimal("1200"), Decimal("1000"), Decimal("2200"))
    assert rules.over_cap(Decimal("1200"), Decimal("1000.01"), Decimal("2200"))


def test_no_cash_forbids_cash_and_shopping_cards_only():
    assert rules.method_allowed("transfer", no_cash=True) and rules.method_allowed("card", no_cash=True)
    assert not rules.method_allowed("cash", no_cash=True)
    assert not rules.method_allowed("shopping_card", no_cash=True)
    assert rules.method_allowed("cash", no_cash=False)


def test_the_chain_takes_the_nearest_org_of_each_kind_and_skips_missing_levels():
    lineage = [(9, "grassroots"), (8, "street"), (7, "district"), (6, "city"), (5, "province")]
    assert rules.resolve_chain(["grassroots", "district", "city"], lineage) == [9, 7, 6]
    assert rules.resolve_chain(["grassroots", "park", "city"], lineage) == [9, 6]
    assert rules.resolve_chain(["industry"], lineage) == [9]  # never empty


def test_add_months_keeps_the_day_or_the_end_of_month():
    assert rules.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert rules.add_months(datetime.date(2026, 11, 17), 12) == datetime.date(2027, 11, 17)


# --- files -----------------------------------------------------------------------------------------------------


@time_machine.travel(TUESDAY, tick=False)
def test_a_file_keeps_the_household_with_encrypted_id_numbers_and_a_review_date(tree, cast, member_a):
    member = make_member(cast.grassroots, tree.grassroots_a, member_a, 1)
    f = services.file_create(
        actor=cast.grassroots,
        member=member,
        category="deep",
        situation="妻子重病",
        worker_income=Decimal("2400"),
        household=[
            services.HouseholdInput(
                name="王丽", relation="spouse", monthly_income=Decimal("0"), id_number=fake_id(7, male=False)
            )
        ],
    )
    assert f.household_size == 2 and f.per_capita_income == Decimal("1200.00") is not None
    assert f.household_key == member.id_number_index and f.review_due == datetime.date(2027, 11, 17)
    spouse = HouseholdMember.objects.get(file=f, relation="spouse")
    assert spouse.id_number == fake_id(7, male=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM aid_householdmember WHERE id = %s", [spouse.pk])
        raw = cursor.fetchone()[0]
    assert fake_id(7, male=False) not in raw  # ciphertext at rest
    assert AuditRecord.objects.filter(action="gonghui.aid.file_created").exists()


def test_a_household_above_the_local_threshold_is_not_filed_unless_the_hardship_is_an_accident(
    tree, cast, member_a
):
    AidPolicy.objects.create(org=tree.city, income_threshold=Decimal("1000"))
    member = make_member(cast.grassroots, tree.grassroots_a, member_a, 1)
    args = dict(
        actor=cast.grassroots, member=member, situation="收入低", worker_income=Decimal("3000"), household=[]
    )
    with pytest.raises(ServiceError) as exc:
        services.file_create(category="relative", **args)
    assert exc.value.code == "above_threshold"
    assert services.file_create(category="accident", **args).status == FileStatus.ACTIVE


def test_only_a_live_member_is_filed_and_only_once(tree, cast, member_a, zhang_file):
    with pytest.raises(ServiceError) as exc:
        services.file_create(
            actor=cast.grassroots,
            member=zhang_file.member,
            category="deep",
            situation="x",
            worker_income=Decimal(0),
            household=[],
        )
    assert exc.value.code == "already_on_file"
    Member.objects.filter(pk=zhang_file.member.pk).update(status="withdrawn")
    zhang_file.member.refresh_from_db()
    with pytest.raises(ServiceError) as exc:
        services.file_create(
            actor=cast.grassroots,
            member=zhang_file.member,
            category="deep",
            situation="x",
            worker_income=Decimal(0),
            household=[],
        )
    assert exc.value.code == "not_live_member"


def test_the_cadre_who_opened_a_file_does_not_verify_it(tree, cast, member_a):
    member = make_member(cast.grassroots, tree.grassroots_a, member_a, 1)
    f = services.file_create(
        actor=cast.grassroots,
        member=member,
        category="deep",
        situation="x",
        worker_income=Decimal(0),
        household=[],
    )
    with pytest.raises(ServiceError) as exc:
        services.file_verify(actor=cast.grassroots, file=f)
    assert exc.value.code == "same_person"


def test_an_unverified_or_exited_file_gets_no_aid(tree, cast, member_a, zhang_file):
    HardshipFile.objects.filter(pk=zhang_file.pk).update(verified_at=None)
    zhang_file.refresh_from_db()
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, file=zhang_file, data=medical())
    assert exc.value.code == "file_not_ready"


@time_machine.travel(TUESDAY, tick=False)
def test_the_yearly_review_moves_the_due_date_and_exit_closes_the_file(tree, cast, zhang_file):
    f = services.file_review(
        actor=cast.grassroots,
        file=zhang_file,
        category="relative",
        monthly_income=Decimal("3000"),
        household_size=3,
    )
    assert f.category == "relative" and f.last_reviewed_on == datetime.date(2026, 11, 17)
    assert f.review_due == datetime.date(2027, 11, 17) and f.per_capita_income == Decimal("1000.00")
    f = services.file_exit(actor=cast.grassroots, file=f, reason="已就业，家庭收入超过标准")
    assert f.status == FileStatus.EXITED and f.exited_on == datetime.date(2026, 11, 17)
    with pytest.raises(ServiceError):
        services.file_exit(actor=cast.grassroots, file=f, reason="again")


def test_a_cadre_outside_the_subtree_cannot_touch_a_file_and_a_viewer_cannot_change_it(
    tree, cast, zhang_file, district_cadre_b, viewer_a
):
    with pytest.raises(NotFound):
        services.file_exit(actor=district_cadre_b, file=zhang_file, reason="试试看")
    with pytest.raises(PermissionDenied):
        services.file_exit(actor=viewer_a, file=zhang_file, reason="试试看")
    with pytest.raises(NotFound):
        selectors.file_get(actor=district_cadre_b, file_id=zhang_file.pk)
    assert selectors.file_get(actor=viewer_a, file_id=zhang_file.pk) == zhang_file


# --- the review chain ------------------------------------------------------------------------------------------


def test_the_zhejiang_chain_runs_grassroots_district_city_and_skips_the_street(tree, cast):
    assert services.chain_for(tree.grassroots_a) == [tree.grassroots_a, tree.district_a, tree.city]
    assert services.chain_for(tree.grassroots_b) == [tree.grassroots_b, tree.district_b, tree.city]


def test_without_a_chain_the_grassroots_union_decides_alone(tree):
    assert services.chain_for(tree.grassroots_a) == [tree.grassroots_a]


def test_a_lower_union_may_set_its_own_chain_and_the_nearest_wins(tree, cast, district_cadre_a):
    services.review_chain_set(actor=district_cadre_a, org=tree.district_a, levels=["grassroots", "district"])
    assert services.chain_for(tree.grassroots_a) == [tree.grassroots_a, tree.district_a]
    assert services.chain_for(tree.grassroots_b)[-1] == tree.city
    with pytest.raises(ServiceError):
        services.review_chain_set(actor=district_cadre_a, org=tree.district_a, levels=["planet"])


@time_machine.travel(TUESDAY, tick=False)
def test_an_application_climbs_level_by_level_and_is_announced_at_the_top(tree, cast, member_a, zhang_file):
    app = services.application_submit(user=member_a, file=zhang_file, data=medical("3000"))
    assert app.state == AppState.REVIEWING and app.current_org == tree.grassroots_a
    assert app.chain == [tree.grassroots_a.pk, tree.district_a.pk, tree.city.pk]
    assert Notice.objects.filter(user=cast.grassroots).exists()
    with pytest.raises(NotFound):  # a chair elsewhere cannot read this union's queue
        selectors.review_queue(
            actor=make_user("13800000099", "外人", Role.ORG_ADMIN, tree.grassroots_b), org=tree.grassroots_a
        )
    app = services.application_approve(actor=cast.grassroots, application=app, amount=Decimal("2500"))
    assert app.current_org == tree.district_a and app.level == 1 and app.state == AppState.REVIEWING
    assert list(selectors.review_queue(actor=cast.district, org=tree.district_a)) == [app]
    app = services.application_approve(actor=cast.district, application=app)
    assert app.current_org == tree.city and app.amount_approved == Decimal("2500")
    app = services.application_approve(actor=cast.city, application=app)
    assert app.state == AppState.ANNOUNCED and app.announce_from == datetime.date(2026, 11, 17)
    assert app.announce_until == datetime.date(2026, 11, 24)  # five working days
    assert list(app.steps.values_list("org_id", flat=True)) == app.chain
    assert Notice.objects.filter(user=member_a, url=f"/aid/applications/{app.pk}/").exists()


def test_a_reviewer_needs_aid_manage_at_the_level_and_one_person_approves_one_level(
    tree, cast, member_a, zhang_file, viewer_a, district_cadre_b
):
    app = services.application_submit(user=member_a, file=zhang_file, data=medical())
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=viewer_a, application=app)
    with pytest.raises(NotFound):
        services.application_approve(actor=district_cadre_b, application=app)
    app = services.application_approve(actor=cast.district, application=app)  # holds the role over grassroots
    with pytest.raises(ServiceError) as exc:
        services.application_approve(actor=cast.district, application=app)
    assert exc.value.code == "same_reviewer"
    with pytest.raises(NotFound):  # the district level is above the grassroots chair's scope
        services.application_approve(actor=cast.grassroots, application=app)


def test_a_rejection_at_any_level_ends_the_application_with_its_reason(tree, cast, member_a, zhang_file):
    app = services.application_submit(user=member_a, file=zhang_file, data=medical())
    app = services.application_approve(actor=cast.grassroots, application=app)
    with pytest.raises(ServiceError):
        services.application_reject(actor=cast.district, application=app, reason="")
    app = services.application_reject(actor=cast.district, application=app, reason="医保已报销大部分费用")
    assert app.state == AppState.REJECTED and app.reject_reason == "医保已报销大部分费用"
    with pytest.raises(ServiceError) as exc:
        services.application_approve(actor=cast.city, application=app)
    assert exc.value.code == "not_reviewing"


def test_bad_details_are_refused_on_their_field(tree, cast, member_a, zhang_file):
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, file=zhang_file, data=medical(code="癌症"))
    assert exc.value.field == "illness_code"
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, file=zhang_file, data=medical(amount="0"))
    assert exc.value.field == "amount"


def test_another_worker_cannot_apply_on_someone_elses_file(tree, cast, zhang_file, member_b):
    with pytest.raises(NotFound):
        services.application_submit(user=member_b, file=zhang_file, data=medical())


# --- limits as data ----------------------------------------------------------------------------------------------


@time_machine.travel(TUESDAY, tick=False)
def test_the_yearly_cap_per_type_is_checked_when_approving_and_names_what_is_left(
    tree, cast, member_a, zhang_file
):
    AidPolicy.objects.create(org=tree.province, cap_holiday=Decimal("2200"))
    first = services.application_submit(
        user=member_a,
        file=zhang_file,
        data=services.ApplicationInput(
            aid_type="holiday", amount=Decimal("1500"), reason="春节送温暖慰问", season="2027春节"
        ),
    )
    approve_all(first, cast)
    second = services.application_submit(
        user=member_a,
        file=zhang_file,
        data=services.ApplicationInput(
            aid_type="holiday", amount=Decimal("1000"), reason="中秋送温暖慰问", season="2026中秋"
        ),
    )
    with pytest.raises(ServiceError) as exc:
        services.application_approve(actor=cast.grassroots, application=second)
    assert exc.value.code == "over_cap" and "700" in str(exc.value.message)
    app = services.application_approve(actor=cast.grassroots, application=second, amount=Decimal("700"))
    assert app.amount_approved == Decimal("700")


def test_the_cap_is_the_nearest_unions_rule(tree, cast, member_a, zhang_file, district_cadre_a):
    AidPolicy.objects.create(org=tree.province, cap_medical=Decimal("10000"))
    services.aid_policy_set(actor=district_cadre_a, org=tree.district_a, cap_medical=Decimal("2000"))
    assert services.policy_for(tree.grassroots_a).cap_medical == Decimal("2000")
    assert services.policy_for(tree.grassroots_b).cap_medical == Decimal("10000")
    app = services.application_submit(user=member_a, file=zhang_file, data=medical("3000"))
    with pytest.raises(ServiceError) as exc:
        services.application_approve(actor=cast.grassroots, application=app)
    assert exc.value.code == "over_cap"


@time_machine.travel(TUESDAY, tick=False)
def test_the_same_illness_is_aided_once_a_year_but_another_illness_may_be(tree, cast, member_a, zhang_file):
    approve_all(services.application_submit(user=member_a, file=zhang_file, data=medical("2000")), cast)
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, file=zhang_file, data=medical("1000"))
    assert exc.value.code == "same_illness"
    other = services.application_submit(user=member_a, file=zhang_file, data=medical("1000", code="I21.9"))
    assert other.state == AppState.REVIEWING


@time_machine.travel(TUESDAY, tick=False)
def test_the_same_illness_rule_can_be_switched_off_but_double_payment_still_holds(
    tree, cast, member_a, zhang_file
):
    AidPolicy.objects.create(org=tree.province, single_illness_once_a_year=False)
    approve_all(services.application_submit(user=member_a, file=zhang_file, data=medical("2000")), cast)
    again = services.application_submit(user=member_a, file=zhang_file, data=medical("1000"))
    with pytest.raises(ServiceError) as exc:
        services.application_approve(actor=cast.grassroots, application=again)
    assert exc.value.code == "double_payment"


# --- double payment across the tree ------------------------------------------------------------------------------


@time_machine.travel(TUESDAY, tick=False)
def test_the_same_need_at_two_levels_is_refused_naming_the_union_and_the_date(
    tree, cast, member_a, zhang_file
):
    AidPolicy.objects.create(org=tree.province, single_illness_once_a_year=False)
    a = services.application_submit(user=member_a, file=zhang_file, data=medical("2000"))
    b = services.application_submit(user=cast.grassroots, file=zhang_file, data=medical("1500"))
    b = services.application_approve(actor=cast.grassroots_2, application=b)  # b climbs to the district
    approve_all(a, cast)  # a is granted by the city
    with pytest.raises(ServiceError) as exc:
        services.application_approve(
            actor=make_user("13800000032", "何区干", Role.ORG_ADMIN, tree.district_a), application=b
        )
    message = str(exc.value.message)
    assert (
        exc.value.code == "double_payment" and tree.grassroots_a.name in message and "2026-11-17" in message
    )


@time_machine.travel(TUESDAY, tick=False)
def test_a_worker_who_moved_union_is_still_the_same_household(
    tree, cast, member_a, zhang_file, chair_b, district_cadre_b
):
    approve_all(services.application_submit(user=member_a, file=zhang_file, data=medical("2000")), cast)
    services.file_exit(actor=cast.grassroots, file=zhang_file, reason="调到滨江工作")
    Member.objects.filter(pk=zhang_file.member.pk).update(status="withdrawn")
    AidPolicy.objects.create(org=tree.district_b, single_illness_once_a_year=False)
    new_file = verified_file(
        tree, cast, member_a, n=1, org=tree.grassroots_b, creator=chair_b, verifier=district_cadre_b
    )
    assert new_file.household_key == zhang_file.household_key
    app = services.application_submit(user=member_a, file=new_file, data=medical("1000"))
    with pytest.raises(ServiceError) as exc:
        services.application_approve(actor=chair_b, application=app)
    assert exc.value.code == "double_payment" and tree.grassroots_a.name in str(exc.value.message)


@time_machine.travel(TUESDAY, tick=False)
def test_a_rejected_application_does_not_block_the_same_need(tree, cast, member_a, zhang_file):
    first = services.application_submit(user=member_a, file=zhang_file, data=medical("2000"))
    services.application_reject(actor=cast.grassroots, application=first, reason="材料不全")
    second = services.application_submit(user=member_a, file=zhang_file, data=medical("2000"))
    assert approve_all(second, cast).state == AppState.ANNOUNCED


# --- announcement, objections and payment -------------------------------------------------------------------------


@pytest.fixture
def announced(tree, cast, member_a, zhang_file):
    with time_machine.travel(TUESDAY, tick=False):
        return approve_all(
            services.application_submit(user=member_a, file=zhang_file, data=medical("2000")), cast
        )


def test_payment_waits_for_the_end_of_the_announcement(tree, cast, announced):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ServiceError) as exc:
            services.payment_record(actor=cast.city, application=announced, method="transfer")
        assert exc.value.code == "announcing"
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False):
        payment = services.payment_record(
            actor=cast.city, application=announced, method="transfer", reference="HZ01"
        )
    announced.refresh_from_db()
    assert announced.state == AppState.PAID and payment.amount == Decimal("2000") and payment.org == tree.city


def test_no_cash_gifts(tree, cast, announced):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False):
        for method in ("cash", "shopping_card"):
            with pytest.raises(ServiceError) as exc:
                services.payment_record(actor=cast.city, application=announced, method=method)
            assert exc.value.code == "no_cash"


def test_only_the_paying_union_records_the_payment(tree, cast, announced, viewer_a):
    after = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(after, tick=False), pytest.raises(NotFound):
        services.payment_record(actor=cast.district, application=announced, method="transfer")


def test_an_objection_holds_payment_until_resolved_and_an_upheld_one_withdraws_the_aid(
    tree, cast, announced, member_b
):
    with time_machine.travel(datetime.datetime(2026, 11, 19, 9, 0, tzinfo=datetime.UTC), tick=False):
        objection = services.objection_raise(user=member_b, application=announced, text="他家新买了一辆车")
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ServiceError) as exc:
            services.payment_record(actor=cast.city, application=announced, method="transfer")
        assert exc.value.code == "objection_open"
        services.objection_resolve(
            actor=cast.city, objection=objection, upheld=False, finding="车辆为亲属所有，经核实"
        )
        services.payment_record(actor=cast.city, application=announced, method="card")


def test_an_upheld_objection_withdraws_the_aid(tree, cast, announced, member_b):
    with time_machine.travel(datetime.datetime(2026, 11, 19, 9, 0, tzinfo=datetime.UTC), tick=False):
        objection = services.objection_raise(user=member_b, application=announced, text="家庭收入远超标准")
        services.objection_resolve(
            actor=cast.city, objection=objection, upheld=True, finding="核实属实，撤销"
        )
    announced.refresh_from_db()
    assert announced.state == AppState.REJECTED


def test_objections_close_with_the_announcement(tree, cast, announced, member_b):
    after = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(after, tick=False), pytest.raises(ServiceError) as exc:
        services.objection_raise(user=member_b, application=announced, text="家庭收入远超标准")
    assert exc.value.code == "announcement_over"


# --- the sweep and roll-up ---------------------------------------------------------------------------------------


def test_the_sweep_tells_the_paying_union_once_and_reminds_reviews_due_once(
    tree, cast, announced, zhang_file
):
    HardshipFile.objects.filter(pk=zhang_file.pk).update(review_due=datetime.date(2026, 12, 10))
    first = services.aid_sweep(today=datetime.date(2026, 11, 25))
    assert first == {"announcements_ended": 1, "reviews_due": 1}
    assert services.aid_sweep(today=datetime.date(2026, 11, 26)) == {
        "announcements_ended": 0,
        "reviews_due": 0,
    }
    assert Notice.objects.filter(user=cast.city, text__contains=announced.number).count() >= 1


def test_rollup_counts_the_subtree_in_a_fixed_number_of_queries(
    tree, cast, announced, province_cadre, django_assert_num_queries
):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False):
        services.payment_record(actor=cast.city, application=announced, method="transfer")
    province_cadre._gonghui_grants = None
    selectors.rollup(actor=province_cadre, org=tree.province, year=2026)  # warm the grants cache
    with django_assert_num_queries(6):
        r = selectors.rollup(actor=province_cadre, org=tree.province, year=2026)
    assert r.files_by_category == {"deep": 1} and r.applications_by_state == {"paid": 1}
    assert r.paid_by_type == {"medical": Decimal("2000.00")}
    city_row = next(row for row in r.by_child if row[0] == tree.city)
    assert city_row[1] == 1 and city_row[2] == Decimal("2000.00")


def test_an_announcement_is_seen_only_by_members_of_the_same_union_with_a_masked_name(
    tree, cast, announced, member_b, chair_b
):
    assert selectors.public_announcements(user=member_b) == []
    make_member(chair_b, tree.grassroots_b, member_b, 40, region="330108")
    assert selectors.public_announcements(user=member_b) == []
    coworker = make_user("13900000050", "李同事")
    make_member(cast.grassroots, tree.grassroots_a, coworker, 41)
    [row] = selectors.public_announcements(user=coworker)
    assert row.masked_name == "张*" and row.amount == Decimal("2000")


# --- the demo seed -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(TUESDAY, tick=False)
def test_the_demo_seed_shows_aid_in_every_state_once():
    from gonghui.core.seed.demo import seed_demo
    from gonghui.core.seed.demo_aid import seed_aid

    seed_demo(worker_services=False)
    made = seed_aid()
    assert made == {"aid_files": 4, "aid_applications": 5}
    assert seed_aid() == {"aid_files": 0, "aid_applications": 0}
    states = sorted(AidApplication.objects.values_list("state", flat=True))
    assert states == ["announced", "paid", "rejected", "reviewing", "reviewing"]
    zhang = HardshipFile.objects.get(member__name="张伟")
    assert zhang.org.code == "330106-G01" and zhang.verified
    assert AidApplication.objects.get(state="announced").objections.filter(resolved_at__isnull=True).exists()
    assert AidApplication.objects.filter(state="reviewing", current_org__code="330106").exists()
