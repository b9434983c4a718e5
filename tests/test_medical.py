"""Mutual medical aid (DOMAIN §5): the payout schedule at its boundaries, enrolment, cover, claims and their
review, payment and notices. Pages and API have their own files."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.medical import rules, selectors
from gonghui.medical import services as svc
from gonghui.medical.models import AccidentCover, Claim, ClaimStatus, Enrolment

from . import medical_helpers as h
from .conftest import make_user
from .medical_helpers import TODAY, hospital, pdf, plan_input, rider

# The shared fixtures, made visible to pytest in this module.
frozen, media, plan, zhang, liu, enrolled = h.frozen, h.media, h.plan, h.zhang, h.liu, h.enrolled

D = Decimal
TIERS = rules.parse_tiers([["10000", "0.5"], ["30000", "0.6"], [None, "0.7"]])


def payout(out, *, paid="0", stay_cap="20000", annual="30000"):
    return rules.hospital_payout(
        out_of_pocket=D(out),
        deductible=D(1000),
        tiers=TIERS,
        per_stay_cap=D(stay_cap),
        annual_cap=D(annual),
        paid_this_year=D(paid),
    )


# --- the schedule, pure -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("0", "0.00"),
        ("1000", "0.00"),  # exactly the deductible: nothing above it
        ("1000.01", "0.01"),  # one cent above, paid at 50% and rounded half up
        ("11000", "5000.00"),  # the top of the first bracket: 10,000 at 50%
        ("11001", "5000.60"),  # one yuan into the second bracket, at 60%
        ("31000", "17000.00"),  # 10,000 at 50% + 20,000 at 60%
        ("32000", "17700.00"),  # and 1,000 at 70%
        ("35285.72", "20000.00"),  # just at the per-stay cap
        ("100000", "20000.00"),  # far above: the per-stay cap
    ],
)
def test_hospital_payout_follows_the_brackets_and_the_per_stay_cap(out, expected):
    assert payout(out) == D(expected)


def test_hospital_payout_stops_at_what_is_left_of_the_annual_cap():
    assert payout("31000", paid="25000") == D("5000.00")
    assert payout("31000", paid="30000") == D("0.00")
    assert payout("31000", paid="40000") == D("0.00")


def test_tiers_must_rise_and_end_open_with_rates_between_0_and_1():
    for bad in (
        [["10000", "0.5"], ["5000", "0.6"], [None, "0.7"]],
        [[None, "0.5"], ["1", "0.6"]],
        [["1", "1.5"]],
        [],
    ):
        with pytest.raises(ValueError):
            rules.parse_tiers(bad)


def test_a_single_open_tier_is_a_flat_rate():
    flat = rules.parse_tiers([[None, "0.8"]])
    assert rules.hospital_payout(
        out_of_pocket=D(2000), deductible=D(0), tiers=flat, per_stay_cap=D(10**6), annual_cap=D(10**6)
    ) == D("1600.00")


def test_a_late_enrolee_is_covered_after_the_waiting_period_an_early_one_from_the_start():
    start = datetime.date(2026, 1, 1)
    assert (
        rules.cover_from(cover_starts=start, enrolled_on=datetime.date(2025, 12, 31), waiting_days=90)
        == start
    )
    assert rules.cover_from(cover_starts=start, enrolled_on=start, waiting_days=90) == start
    assert rules.cover_from(
        cover_starts=start, enrolled_on=datetime.date(2026, 1, 2), waiting_days=90
    ) == datetime.date(2026, 4, 2)


def test_window_cover_and_deadline_include_their_last_day():
    day = datetime.date(2026, 3, 31)
    assert rules.enrolment_open(opens=datetime.date(2025, 12, 1), closes=day, today=day)
    assert not rules.enrolment_open(
        opens=datetime.date(2025, 12, 1), closes=day, today=day + datetime.timedelta(1)
    )
    assert rules.in_cover(on=day, cover_from=day, cover_until=day)
    assert rules.claim_deadline(ended_on=datetime.date(2026, 1, 1), days=180) == datetime.date(2026, 6, 30)


def test_amounts_cannot_exceed_the_total_or_be_negative():
    assert rules.amounts_valid(total=D(100), insurance=D(60), out_of_pocket=D(40))
    assert not rules.amounts_valid(total=D(100), insurance=D(60), out_of_pocket=D(41))
    assert not rules.amounts_valid(total=D(100), insurance=D(-1), out_of_pocket=D(40))


def test_accident_cover_is_for_new_employment_forms_where_the_province_offers_it():
    assert rules.gets_accident_cover(employment_form="delivery_rider", province_offers=True)
    assert not rules.gets_accident_cover(employment_form="delivery_rider", province_offers=False)
    assert not rules.gets_accident_cover(employment_form="regular", province_offers=True)


def test_listed_sum_finds_an_item_by_code():
    items = [{"code": "cancer", "name": "恶性肿瘤", "amount": "10000"}]
    assert rules.listed_sum(items, "cancer") == ("恶性肿瘤", D("10000.00"))
    assert rules.listed_sum(items, "flu") is None


# --- plans -----------------------------------------------------------------------------------------------------


def test_the_nearest_plan_up_the_tree_applies(tree, plan, national_admin, frozen):
    assert selectors.plan_in_force(tree.grassroots_a, 2026) == plan
    city_plan = svc.plan_set(actor=national_admin, org=tree.city, data=plan_input(contribution=D(60)))
    assert selectors.plan_in_force(tree.grassroots_a, 2026) == city_plan
    assert selectors.plan_in_force(tree.industry, 2026) == plan
    assert selectors.plan_in_force(tree.grassroots_a, 2027) is None


def test_only_a_province_or_city_sets_a_plan(tree, district_cadre_a, frozen):
    with pytest.raises(ServiceError) as exc:
        svc.plan_set(actor=district_cadre_a, org=tree.district_a, data=plan_input())
    assert exc.value.code == "plan_level"


def test_a_district_cadre_cannot_set_the_provinces_plan(tree, district_cadre_a, frozen):
    with pytest.raises(NotFound):
        svc.plan_set(actor=district_cadre_a, org=tree.province, data=plan_input())


def test_a_viewer_cannot_set_a_plan(tree, frozen):
    viewer = make_user("13800000099", "省观察", "viewer", tree.province)
    with pytest.raises(PermissionDenied):
        svc.plan_set(actor=viewer, org=tree.province, data=plan_input())


def test_a_plan_with_falling_tiers_or_a_bad_illness_list_is_refused(tree, province_cadre, frozen):
    with pytest.raises(ServiceError) as exc:
        svc.plan_set(
            actor=province_cadre,
            org=tree.province,
            data=plan_input(hospital_tiers=[["9", "0.5"], ["3", "0.6"]]),
        )
    assert exc.value.code == "plan_tiers"
    with pytest.raises(ServiceError) as exc:
        svc.plan_set(actor=province_cadre, org=tree.province, data=plan_input(illnesses=[{"code": "x"}]))
    assert exc.value.code == "bad_list"


# --- enrolment -----------------------------------------------------------------------------------------------


def test_the_unit_enrols_all_its_live_members_once_and_a_rerun_adds_none(tree, plan, zhang, chair_a):
    first = svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026)
    again = svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026)
    assert (first.created, again.created, again.already) == (1, 0, 1)
    enrolment = Enrolment.objects.get()
    assert enrolment.payment == "unit" and enrolment.amount == D(30)
    # Enrolled on 15 March, after the cover period started: covered after the 90-day waiting period.
    assert enrolment.cover_from == TODAY + datetime.timedelta(days=90)
    assert Notice.objects.filter(user=zhang.user, text__contains="2026").exists()
    assert AuditRecord.objects.filter(action="gonghui.medical.enrolment.bulk").count() == 2


def test_the_database_refuses_a_second_enrolment_in_a_year(enrolled, plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            plan=plan,
            year=2026,
            member=enrolled.member,
            org=enrolled.org,
            via="self",
            enrolled_on=TODAY,
            cover_from=TODAY,
            cover_until=TODAY,
            payment="member",
            amount=D(30),
        )


def test_a_list_of_numbers_reports_every_bad_row(tree, plan, zhang, liu, chair_a, frozen):
    numbers = [(2, zhang.number), (3, zhang.number), (4, ""), (5, "99999"), (6, liu.number)]
    result = svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026, numbers=numbers)
    assert result.created == 1
    assert [row for row, _n, _m in result.problems] == [3, 4, 5, 6]  # twice, empty, unknown, another union's


def test_an_ended_membership_is_reported_not_enrolled(tree, plan, zhang, chair_a):
    zhang.status = "left"
    zhang.save(update_fields=["status"])
    result = svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026, numbers=[(1, zhang.number)])
    assert result.created == 0 and [row for row, _n, _m in result.problems] == [1]


def test_an_xlsx_of_member_numbers_is_read_with_its_header_skipped(tree, plan, zhang, chair_a):
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["会员号"])
    sheet.write_row(1, 0, [zhang.number])
    sheet.write_row(2, 0, ["bad"])
    book.close()
    upload = SimpleUploadedFile("名单.xlsx", buffer.getvalue())
    numbers = svc.enrolment_numbers_from_xlsx(upload)
    assert numbers == [(2, zhang.number), (3, "bad")]
    result = svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026, numbers=numbers)
    assert result.created == 1 and result.problems[0][0] == 3


def test_a_file_that_is_not_a_spreadsheet_is_refused(tree, plan):
    with pytest.raises(ServiceError):
        svc.enrolment_numbers_from_xlsx(SimpleUploadedFile("x.xlsx", b"not a spreadsheet"))


def test_enrolment_is_refused_outside_the_window(tree, plan, zhang, chair_a, frozen):
    frozen.move_to(datetime.datetime(2026, 4, 1, 10, 0))
    with pytest.raises(ServiceError) as exc:
        svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026)
    assert exc.value.code == "enrolment_closed"


def test_enrolment_needs_a_plan(tree, zhang, chair_a, frozen):
    with pytest.raises(ServiceError) as exc:
        svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026)
    assert exc.value.code == "no_plan"


def test_a_chair_cannot_enrol_another_unions_members(tree, plan, chair_a, liu):
    with pytest.raises(NotFound):
        svc.enrol_members(actor=chair_a, org=tree.grassroots_b, year=2026)


def test_a_viewer_cannot_enrol(tree, plan, viewer_a, zhang):
    with pytest.raises(PermissionDenied):
        svc.enrol_members(actor=viewer_a, org=tree.grassroots_a, year=2026)


def test_a_member_enrols_themselves_with_a_payment_record_once(plan, zhang, member_a):
    enrolment = svc.enrol_self(user=member_a, payment_ref="WX-123")
    assert (enrolment.payment, enrolment.payment_ref, enrolment.via) == ("member", "WX-123", "self")
    with pytest.raises(ServiceError) as exc:
        svc.enrol_self(user=member_a)
    assert exc.value.code == "already_enrolled"


def test_someone_who_is_not_a_member_cannot_enrol(plan, member_b):
    with pytest.raises(PermissionDenied):
        svc.enrol_self(user=member_b)


# --- accident cover -------------------------------------------------------------------------------------------


def test_new_employment_members_get_free_accident_cover_once(tree, plan, chair_a, member_b, zhang):
    courier = rider(chair_a, tree.grassroots_a, member_b, 3)
    assert svc.accident_cover_sweep() == 1
    assert svc.accident_cover_sweep() == 0
    cover = AccidentCover.objects.get()
    assert cover.member == courier and cover.cover_until == datetime.date(2026, 12, 31)


def test_no_accident_cover_where_the_nearer_plan_does_not_offer_it(
    tree, plan, chair_a, member_b, national_admin
):
    svc.plan_set(
        actor=national_admin, org=tree.city, data=plan_input(accident_cover_for_new_employment=False)
    )
    rider(chair_a, tree.grassroots_a, member_b, 3)
    assert svc.accident_cover_sweep() == 0


# --- claims ------------------------------------------------------------------------------------------------


def test_a_member_claims_a_hospital_stay_and_the_schedule_computes_the_payout(enrolled, member_a, media):
    claim = svc.claim_submit(
        actor=member_a, member=enrolled.member, data=hospital(), documents=[("invoice", pdf())]
    )
    # 8,000 out of pocket - 1,000 deductible = 7,000 at 50%.
    assert claim.computed_amount == D("3500.00")
    assert claim.number == f"YB2026{claim.pk:06d}" and claim.by_member
    assert claim.documents.count() == 1 and claim.events.count() == 1
    assert Notice.objects.filter(user=member_a, text__contains=claim.number).exists()


def test_a_cadre_claims_on_the_members_behalf(enrolled, chair_a, media):
    claim = svc.claim_submit(
        actor=chair_a, member=enrolled.member, data=hospital(), documents=[("invoice", pdf())]
    )
    assert not claim.by_member


def test_another_member_cannot_claim_for_zhang(enrolled, member_b, media):
    with pytest.raises(NotFound):
        svc.claim_submit(
            actor=member_b, member=enrolled.member, data=hospital(), documents=[("invoice", pdf())]
        )


def test_the_annual_cap_counts_earlier_stays(enrolled, member_a, media):
    big = hospital(total_amount=D(90000), insurance_amount=D(0), out_of_pocket=D(90000))
    first = svc.claim_submit(actor=member_a, member=enrolled.member, data=big, documents=[("invoice", pdf())])
    second = svc.claim_submit(
        actor=member_a, member=enrolled.member, data=big, documents=[("invoice", pdf())]
    )
    assert (first.computed_amount, second.computed_amount) == (D(20000), D(10000))


def test_a_claim_needs_documents(enrolled, member_a, media):
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(actor=member_a, member=enrolled.member, data=hospital(), documents=[])
    assert exc.value.code == "documents"


def test_a_claim_with_amounts_above_the_total_is_refused(enrolled, member_a, media):
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(
            actor=member_a,
            member=enrolled.member,
            data=hospital(out_of_pocket=D(9000)),
            documents=[("x", pdf())],
        )
    assert exc.value.code == "amounts"


def test_a_discharge_before_admission_is_refused(enrolled, member_a, media):
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(
            actor=member_a,
            member=enrolled.member,
            data=hospital(discharged_on=datetime.date(2026, 2, 1)),
            documents=[("x", pdf())],
        )
    assert exc.value.code == "discharge"


def test_a_stay_outside_the_cover_period_is_refused(tree, plan, zhang, chair_a, member_a, media):
    svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026)  # late: covered from 13 June
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(actor=member_a, member=zhang, data=hospital(), documents=[("x", pdf())])
    assert exc.value.code == "out_of_cover"


def test_a_member_not_enrolled_cannot_claim(plan, zhang, member_a, media):
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(actor=member_a, member=zhang, data=hospital(), documents=[("x", pdf())])
    assert exc.value.code == "not_enrolled"


def test_a_claim_after_the_deadline_is_refused_and_on_the_last_day_accepted(
    enrolled, member_a, media, frozen
):
    frozen.move_to(datetime.datetime(2026, 8, 19, 10, 0))  # 20 Feb + 180 days = 19 August
    svc.claim_submit(actor=member_a, member=enrolled.member, data=hospital(), documents=[("x", pdf())])
    frozen.move_to(datetime.datetime(2026, 8, 20, 10, 0))
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(actor=member_a, member=enrolled.member, data=hospital(), documents=[("x", pdf())])
    assert exc.value.code == "too_late"


def illness(code="cancer"):
    return svc.ClaimInput(
        kind="illness", event_on=datetime.date(2026, 3, 1), hospital="浙江省肿瘤医院", item_code=code
    )


def test_a_serious_illness_pays_its_fixed_sum_once_a_year(enrolled, member_a, media):
    claim = svc.claim_submit(
        actor=member_a, member=enrolled.member, data=illness(), documents=[("diagnosis", pdf())]
    )
    assert (claim.computed_amount, claim.item_name) == (D(10000), "恶性肿瘤")
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(
            actor=member_a, member=enrolled.member, data=illness(), documents=[("diagnosis", pdf())]
        )
    assert exc.value.code == "illness_once"


def test_after_a_rejection_the_illness_may_be_claimed_again(enrolled, member_a, chair_a, media):
    claim = svc.claim_submit(
        actor=member_a, member=enrolled.member, data=illness(), documents=[("diagnosis", pdf())]
    )
    svc.claim_reject(actor=chair_a, claim=claim, reason="诊断证明不全")
    svc.claim_submit(actor=member_a, member=enrolled.member, data=illness(), documents=[("diagnosis", pdf())])


def test_an_illness_not_on_the_list_is_refused(enrolled, member_a, media):
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(
            actor=member_a, member=enrolled.member, data=illness("flu"), documents=[("x", pdf())]
        )
    assert exc.value.code == "not_listed"


def test_a_rider_claims_an_accident_benefit_under_free_cover(tree, plan, chair_a, member_b, media):
    courier = rider(chair_a, tree.grassroots_a, member_b, 3)
    svc.accident_cover_sweep()
    data = svc.ClaimInput(
        kind="accident", event_on=TODAY, hospital="杭州市第一人民医院", item_code="injury_stay"
    )
    claim = svc.claim_submit(actor=member_b, member=courier, data=data, documents=[("x", pdf())])
    assert claim.computed_amount == D(2000) and claim.accident_cover is not None


def test_an_accident_claim_without_cover_is_refused(enrolled, member_a, media):
    data = svc.ClaimInput(kind="accident", event_on=TODAY, hospital="医院", item_code="injury_stay")
    with pytest.raises(ServiceError) as exc:
        svc.claim_submit(actor=member_a, member=enrolled.member, data=data, documents=[("x", pdf())])
    assert exc.value.code == "not_covered"


# --- review and payment ------------------------------------------------------------------------------------


@pytest.fixture
def claim(enrolled, member_a, media):
    return svc.claim_submit(
        actor=member_a, member=enrolled.member, data=hospital(), documents=[("invoice", pdf())]
    )


def test_approve_at_the_computed_amount_then_pay_and_the_member_is_told_each_time(claim, chair_a, member_a):
    svc.claim_approve(actor=chair_a, claim=claim)
    claim = svc.claim_pay(actor=chair_a, claim=claim, payment_ref="ZZ-2026-001")
    assert (claim.status, claim.approved_amount, claim.paid_on) == ("paid", D("3500.00"), TODAY)
    assert Notice.objects.filter(user=member_a).count() >= 4  # enrolled, received, approved, paid
    assert list(claim.events.values_list("status", flat=True)) == ["submitted", "approved", "paid"]


def test_an_adjusted_amount_needs_a_reason_and_cannot_exceed_the_schedule(claim, chair_a):
    with pytest.raises(ServiceError) as exc:
        svc.claim_approve(actor=chair_a, claim=claim, amount=D(3000))
    assert exc.value.code == "reason"
    with pytest.raises(ServiceError) as exc:
        svc.claim_approve(actor=chair_a, claim=claim, amount=D("3500.01"), reason="多")
    assert exc.value.code == "amount"
    claim = svc.claim_approve(actor=chair_a, claim=claim, amount=D(3000), reason="自费药品不在互助范围")
    assert claim.approved_amount == D(3000) and claim.reason


def test_a_rejection_needs_a_reason_and_ends_the_claim(claim, chair_a):
    with pytest.raises(ServiceError):
        svc.claim_reject(actor=chair_a, claim=claim, reason=" ")
    svc.claim_reject(actor=chair_a, claim=claim, reason="不在互助期内")
    with pytest.raises(ServiceError) as exc:
        svc.claim_approve(actor=chair_a, claim=claim)
    assert exc.value.code == "not_open"


def test_asking_for_documents_and_adding_them_returns_the_claim_to_review(claim, chair_a, member_a):
    svc.claim_ask_documents(actor=chair_a, claim=claim, reason="请补充出院小结")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.MORE_INFO
    svc.claim_add_documents(actor=member_a, claim=claim, documents=[("discharge", pdf("出院小结.pdf"))])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.documents.count() == 2


def test_only_an_approved_claim_is_paid_and_with_a_reference(claim, chair_a):
    with pytest.raises(ServiceError) as exc:
        svc.claim_pay(actor=chair_a, claim=claim, payment_ref="X")
    assert exc.value.code == "not_approved"
    svc.claim_approve(actor=chair_a, claim=claim)
    with pytest.raises(ServiceError) as exc:
        svc.claim_pay(actor=chair_a, claim=claim, payment_ref="")
    assert exc.value.code == "payment_ref"


def test_a_viewer_may_read_but_not_decide(claim, viewer_a):
    assert selectors.claim_get(actor=viewer_a, claim_id=claim.pk) == claim
    with pytest.raises(PermissionDenied):
        svc.claim_approve(actor=viewer_a, claim=claim)


def test_another_district_does_not_see_the_claim(claim, district_cadre_b, chair_b):
    for actor in (district_cadre_b, chair_b):
        with pytest.raises(NotFound):
            selectors.claim_get(actor=actor, claim_id=claim.pk)
        with pytest.raises(NotFound):
            svc.claim_approve(actor=actor, claim=claim)
    assert not selectors.claim_queue(
        actor=district_cadre_b, org=selectors.Org.objects.get(code="330108")
    ).exists()


def test_a_rejected_stay_no_longer_counts_towards_the_annual_cap(enrolled, member_a, chair_a, media):
    big = hospital(total_amount=D(90000), insurance_amount=D(0), out_of_pocket=D(90000))
    first = svc.claim_submit(actor=member_a, member=enrolled.member, data=big, documents=[("x", pdf())])
    svc.claim_reject(actor=chair_a, claim=first, reason="重复")
    second = svc.claim_submit(actor=member_a, member=enrolled.member, data=big, documents=[("x", pdf())])
    assert second.computed_amount == D(20000)


def test_the_roll_up_counts_by_child_union_in_a_fixed_number_of_queries(
    tree, claim, chair_a, province_cadre, django_assert_max_num_queries
):
    svc.claim_approve(actor=chair_a, claim=claim)
    svc.claim_pay(actor=chair_a, claim=claim, payment_ref="R1")
    province_cadre._gonghui_grants = None
    with django_assert_max_num_queries(6):
        stats = selectors.medical_stats(actor=province_cadre, org=tree.province, year=2026)
    assert (stats.enrolled, stats.paid, stats.by_status) == (1, D("3500.00"), {"paid": 1})
    city = next(r for r in stats.by_union if r.org == tree.city)
    assert (city.enrolled, city.claims, city.paid) == (1, 1, D("3500.00"))
    assert stats.paid_by_year == [(2026, D("3500.00"))]
    assert isinstance(Claim.objects.get(), Claim)


def test_the_daily_task_grants_accident_cover(tree, plan, chair_a, member_b):
    from gonghui.medical import tasks

    rider(chair_a, tree.grassroots_a, member_b, 3)
    assert tasks.accident_cover_sweep.call() == 1
    assert tasks.accident_cover_sweep.call() == 0


def test_in_december_a_member_enrols_in_next_years_plan_when_its_window_is_open(
    tree, plan, zhang, member_a, province_cadre, frozen
):
    import datetime as dt

    frozen.move_to(dt.datetime(2026, 12, 10, 10, 0))
    svc.plan_set(
        actor=province_cadre,
        org=tree.province,
        data=plan_input(
            year=2027,
            enrol_opens=dt.date(2026, 12, 1),
            enrol_closes=dt.date(2027, 3, 31),
            cover_starts=dt.date(2027, 1, 1),
            cover_ends=dt.date(2027, 12, 31),
        ),
    )
    enrolment = svc.enrol_self(user=member_a)
    assert (enrolment.year, enrolment.cover_from) == (2027, dt.date(2027, 1, 1))
