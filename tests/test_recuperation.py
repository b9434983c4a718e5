"""Recuperation (疗休养): spending limits as data inherited down the tree, quotas split down the tree, eligibility
and priority, allocation with a waiting list, cancellation that moves it up, one place a year, attendance,
roll-up counts; scope everywhere."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.recuperation import rules, selectors, services
from gonghui.recuperation.models import Application, ApplicationStatus, Quota
from tests.recuperation_support import (
    CLOSED,
    NOW,
    batch,
    crowd,
    frozen,
    join,
    liu,
    make_batch,
    make_site,
    site,
    zhang,
)

pytestmark = pytest.mark.django_db
__all__ = ["batch", "frozen", "liu", "site", "zhang"]

TODAY = NOW.date()


# --- the pure rules -----------------------------------------------------------------------------------------


def test_a_batch_counts_its_first_and_last_day():
    assert rules.batch_days(datetime.date(2026, 5, 20), datetime.date(2026, 5, 21)) == 2


def test_a_plan_within_days_times_the_daily_limit_passes_and_above_it_fails():
    ok = rules.plan_problems(days=2, cost_per_person=Decimal("800"), daily_limit=Decimal("400"), max_days=2)
    assert ok == []
    over = rules.plan_problems(
        days=2, cost_per_person=Decimal("800.01"), daily_limit=Decimal("400"), max_days=2
    )
    assert over == ["over_limit"]
    long = rules.plan_problems(days=3, cost_per_person=Decimal("100"), daily_limit=Decimal("400"), max_days=2)
    assert long == ["too_many_days"]


def test_places_given_down_never_exceed_the_places_held():
    assert rules.split_fits(held=10, given=[4, 3], new=3)
    assert not rules.split_fits(held=10, given=[4, 3], new=4)
    assert not rules.split_fits(held=10, given=[], new=-1)


def test_years_of_membership_count_from_the_anniversary():
    assert rules.membership_years(datetime.date(2020, 4, 2), datetime.date(2026, 4, 1)) == 5
    assert rules.membership_years(datetime.date(2020, 4, 1), datetime.date(2026, 4, 1)) == 6
    assert rules.membership_years(None, TODAY) == 0


def facts(**kw):
    base = {
        "has_quota": True,
        "status": "active",
        "joined_on": datetime.date(2020, 1, 1),
        "today": TODAY,
        "year": 2026,
    }
    base.update(kw)
    return rules.Facts(**base)


def test_an_active_member_of_a_union_with_places_is_eligible():
    assert rules.check(rules.Eligibility(), facts()).eligible


@pytest.mark.parametrize(
    "rule,fact,problem",
    [
        (rules.Eligibility(), {"has_quota": False}, "no_quota"),
        (rules.Eligibility(), {"status": "retained"}, "member_status"),
        (rules.Eligibility(min_membership_years=7), {}, "membership_too_short"),
        (rules.Eligibility(only_designations=frozenset({"model_worker"})), {}, "designation"),
        (rules.Eligibility(), {"placed_this_year": True}, "place_this_year"),
        (rules.Eligibility(interval_years=3), {"last_year": 2024}, "too_recent"),
        (rules.Eligibility(), {"already_applied": True}, "already_applied"),
    ],
)
def test_each_eligibility_rule_refuses_with_its_reason(rule, fact, problem):
    assert rules.check(rule, facts(**fact)).problems == [problem]


def test_the_interval_rule_lets_a_member_go_again_after_the_interval_or_when_it_is_zero():
    assert rules.check(rules.Eligibility(interval_years=3), facts(last_year=2023)).eligible
    assert rules.check(rules.Eligibility(interval_years=0), facts(last_year=2025)).eligible
    model = rules.Eligibility(only_designations=frozenset({"model_worker"}))
    assert rules.check(model, facts(designations=frozenset({"model_worker"}))).eligible


def test_priority_points_add_model_worker_front_line_and_capped_service():
    points = rules.Points(model_worker=50, frontline=20, per_year=2, max_service=30)
    assert rules.score(points, designations=["model_worker"], years=5) == (
        60,
        {"model_worker": 50, "frontline": 0, "service": 10},
    )
    assert rules.score(points, designations=["frontline"], years=40)[0] == 50


def test_ties_go_to_the_earlier_application_then_the_lower_id():
    t = datetime.datetime(2026, 4, 1, 10, 0)
    ranked = rules.rank(
        [
            rules.Candidate(5, 10, t),
            rules.Candidate(3, 10, t),
            rules.Candidate(4, 10, t - datetime.timedelta(minutes=1)),
            rules.Candidate(9, 60, t + datetime.timedelta(hours=1)),
        ]
    )
    assert ranked == [9, 4, 3, 5]
    assert rules.allocate(ranked, 2) == rules.AllocationResult(allocated=[9, 4], waiting=[3, 5])
    assert rules.allocate(ranked, -1).allocated == []


def test_a_member_may_cancel_until_the_cut_off_day():
    start = datetime.date(2026, 5, 20)
    assert rules.cancel_allowed(today=datetime.date(2026, 5, 13), starts_on=start, days_before=7)
    assert not rules.cancel_allowed(today=datetime.date(2026, 5, 14), starts_on=start, days_before=7)


# --- rules as data, sites and batches -----------------------------------------------------------------------


def test_the_service_refuses_a_batch_plan_above_the_spending_limit(site, province_cadre):
    with pytest.raises(ServiceError) as exc:
        make_batch(province_cadre, site, cost_per_person=Decimal("801"))
    assert exc.value.code == "over_limit"
    with pytest.raises(ServiceError) as exc:
        make_batch(province_cadre, site, ends_on=datetime.date(2026, 5, 22))
    assert exc.value.code == "too_many_days"


def test_a_batch_within_the_limit_records_the_limit_and_gives_the_organiser_the_whole_capacity(
    site, province_cadre, tree
):
    batch = make_batch(province_cadre, site)
    assert (batch.days, batch.daily_limit, batch.year) == (2, Decimal("400"), 2026)
    root = Quota.objects.get(batch=batch)
    assert (root.org, root.parent, root.places) == (tree.province, None, 40)
    assert AuditRecord.objects.filter(action="gonghui.recuperation.batch_created").exists()


def test_the_nearest_policy_up_the_tree_wins(tree, province_cadre):
    services.recuperation_policy_set(
        actor=province_cadre, org=tree.province, daily_limit=Decimal("400"), max_days=5
    )
    services.recuperation_policy_set(
        actor=province_cadre, org=tree.city, daily_limit=Decimal("300"), max_days=3
    )
    assert selectors.policy_for(tree.grassroots_a).daily_limit == Decimal("300")
    assert selectors.policy_for(tree.industry).max_days == 5
    assert selectors.policy_for(tree.national).daily_limit == Decimal("400")  # the default, unsaved
    city_site = make_site(province_cadre, tree.city, name="杭州市职工疗休养院", kind="sanatorium")
    with pytest.raises(ServiceError) as exc:
        make_batch(
            province_cadre, city_site, ends_on=datetime.date(2026, 5, 22), cost_per_person=Decimal("901")
        )
    assert exc.value.code == "over_limit"


def test_a_policy_refuses_nonsense_limits(tree, province_cadre):
    with pytest.raises(ServiceError):
        services.recuperation_policy_set(actor=province_cadre, org=tree.province, daily_limit=Decimal("0"))
    with pytest.raises(ServiceError):
        services.recuperation_policy_set(actor=province_cadre, org=tree.province, max_days=0)


def test_a_batch_needs_sane_dates_and_places(site, province_cadre):
    for kw, code in [
        ({"ends_on": datetime.date(2026, 5, 19)}, "dates_order"),
        ({"closes_at": NOW - datetime.timedelta(days=1)}, "window_order"),
        ({"closes_at": datetime.datetime(2026, 5, 20, 9, tzinfo=NOW.tzinfo)}, "window_late"),
        ({"capacity": 121}, "invalid_capacity"),
        ({"only_designations": ["hero"]}, "invalid_designation"),
    ]:
        with pytest.raises(ServiceError) as exc:
            make_batch(province_cadre, site, **kw)
        assert exc.value.code == code


def test_only_the_sites_union_may_plan_batches_there(site, district_cadre_a):
    with pytest.raises(NotFound):
        make_batch(district_cadre_a, site)
    with pytest.raises(NotFound):
        services.site_create(
            actor=district_cadre_a, org=site.org, name="x", kind="base", address="y", capacity=3
        )


# --- quotas -------------------------------------------------------------------------------------------------


def test_quotas_split_down_the_tree_and_never_exceed_the_places_held(
    batch, province_cadre, district_cadre_a, tree
):
    city = Quota.objects.get(batch=batch, org=tree.city)
    district = Quota.objects.get(batch=batch, org=tree.district_a)
    assert district.parent == city and city.parent.org == tree.province
    with pytest.raises(ServiceError) as exc:
        services.quota_set(actor=province_cadre, batch=batch, org=tree.district_b, places=5)
    assert exc.value.code == "over_quota"  # the city holds 10, 6 given to A
    services.quota_set(actor=province_cadre, batch=batch, org=tree.district_b, places=4)
    grass = services.quota_set(actor=district_cadre_a, batch=batch, org=tree.grassroots_a, places=3)
    assert grass.parent == district
    with pytest.raises(ServiceError) as exc:
        services.quota_set(actor=province_cadre, batch=batch, org=tree.city, places=9)
    assert exc.value.code == "below_use"
    with pytest.raises(ServiceError) as exc:
        services.quota_set(actor=province_cadre, batch=batch, org=tree.industry, places=31)
    assert exc.value.code == "over_quota"  # the province holds 40, 10 given to the city


def test_a_union_splits_only_its_own_quota(batch, district_cadre_a, district_cadre_b, viewer_a, tree):
    with pytest.raises(NotFound):  # the city's quota is not district A's to split
        services.quota_set(actor=district_cadre_a, batch=batch, org=tree.district_b, places=1)
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=viewer_a, batch=batch, org=tree.grassroots_a, places=1)
    with pytest.raises(NotFound):
        services.quota_set(actor=district_cadre_b, batch=batch, org=tree.grassroots_a, places=1)
    with pytest.raises(ServiceError) as exc:
        services.quota_set(actor=district_cadre_a, batch=batch, org=tree.national, places=1)
    assert exc.value.code == "not_below"


# --- applications -------------------------------------------------------------------------------------------


def test_an_eligible_member_applies_through_the_nearest_quota_with_points(batch, zhang, member_a, tree):
    app = services.application_submit(user=member_a, batch_id=batch.pk)
    assert app.quota.org == tree.district_a
    assert app.points == 10 and app.points_detail["service"] == 10
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, batch_id=batch.pk)
    assert exc.value.code == "already_applied"


def test_the_refusal_says_why(batch, tree, chair_a, member_a, province_cadre, site):
    join(chair_a, tree.grassroots_a, member_a, n=1, years=0)
    verdict = services.eligibility_check(
        batch=batch, member=selectors.live_member(user=member_a), user=member_a, today=TODAY
    )
    assert verdict.problems == ["membership_too_short"]
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, batch_id=batch.pk)
    assert exc.value.code == "membership_too_short" and "1" in str(exc.value)


def test_a_model_worker_batch_is_only_for_model_workers(site, province_cadre, zhang, member_a, chair_a):
    only = make_batch(province_cadre, site, only_designations=["model_worker"])
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, batch_id=only.pk)
    assert exc.value.code == "designation"
    services.designation_add(
        actor=chair_a, member=zhang, kind="model_worker", title="浙江省劳动模范", year=2024
    )
    app = services.application_submit(user=member_a, batch_id=only.pk)
    assert app.points == 60 and app.quota.org == only.org


def test_a_member_outside_the_unions_with_places_does_not_see_the_batch(
    tree, district_cadre_a, liu, member_b
):
    local = make_batch(
        district_cadre_a, make_site(district_cadre_a, tree.district_a, name="西湖区职工疗休养点")
    )
    with pytest.raises(NotFound):
        services.application_submit(user=member_b, batch_id=local.pk)
    assert list(selectors.member_batches(user=member_b)) == []


def test_members_of_a_union_without_a_quota_apply_through_the_nearest_one_above(batch, liu, member_b, tree):
    assert services.application_submit(user=member_b, batch_id=batch.pk).quota.org == tree.city


def test_applications_are_taken_only_within_the_window(batch, zhang, member_a, frozen):
    frozen.move_to(CLOSED)
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, batch_id=batch.pk)
    assert exc.value.code == "window_closed"


def _applicants(batch, chair_a, tree, n=8):
    users = crowd(chair_a, tree.grassroots_a, n)
    return [services.application_submit(user=u, batch_id=batch.pk) for u in users]


def test_allocation_fills_the_quota_by_priority_and_keeps_an_ordered_waiting_list(
    batch, chair_a, district_cadre_a, tree, frozen
):
    apps = _applicants(batch, chair_a, tree)
    services.designation_add(actor=chair_a, member=apps[7].member, kind="frontline")
    Application.objects.filter(pk=apps[7].pk).update(points=30)
    quota = Quota.objects.get(batch=batch, org=tree.district_a)
    with pytest.raises(ServiceError) as exc:
        services.quota_allocate(actor=district_cadre_a, quota=quota)
    assert exc.value.code == "window_open"
    frozen.move_to(CLOSED)
    outcome = services.quota_allocate(actor=district_cadre_a, quota=quota)
    assert (outcome.allocated, outcome.waiting) == (6, 2)
    placed = list(Application.objects.filter(status="allocated").order_by("pk").values_list("pk", flat=True))
    assert placed == sorted([apps[7].pk, *[a.pk for a in apps[:5]]])
    waiting = Application.objects.filter(status="waiting").order_by("waiting_position")
    assert [(a.pk, a.waiting_position) for a in waiting] == [(apps[5].pk, 1), (apps[6].pk, 2)]
    assert Notice.objects.filter(user=apps[7].user, text__contains=batch.title).exists()


def test_only_the_union_holding_the_quota_allocates_it(
    batch, chair_a, district_cadre_b, viewer_a, tree, frozen
):
    quota = Quota.objects.get(batch=batch, org=tree.district_a)
    frozen.move_to(CLOSED)
    with pytest.raises(NotFound):
        services.quota_allocate(actor=district_cadre_b, quota=quota)
    with pytest.raises(PermissionDenied):
        services.quota_allocate(actor=viewer_a, quota=quota)
    with pytest.raises(NotFound):
        services.quota_allocate(actor=chair_a, quota=quota)


def test_a_member_who_gives_back_a_place_before_the_cut_off_lets_the_next_one_in(
    batch, chair_a, district_cadre_a, tree, frozen
):
    apps = _applicants(batch, chair_a, tree)
    frozen.move_to(CLOSED)
    services.quota_allocate(actor=district_cadre_a, quota=Quota.objects.get(batch=batch, org=tree.district_a))
    services.application_cancel(user=apps[0].user, application_id=apps[0].pk, reason="家中有事")
    nxt = Application.objects.get(pk=apps[6].pk)
    assert nxt.status == ApplicationStatus.ALLOCATED and nxt.promoted
    assert Notice.objects.filter(user=nxt.user, text__contains=batch.title).count() >= 2
    frozen.move_to(datetime.datetime(2026, 5, 14, 9, tzinfo=NOW.tzinfo))
    with pytest.raises(ServiceError) as exc:
        services.application_cancel(user=apps[1].user, application_id=apps[1].pk)
    assert exc.value.code == "too_late"


def test_the_union_withdraws_a_place_and_the_waiting_list_moves_up(
    batch, chair_a, district_cadre_a, tree, frozen
):
    apps = _applicants(batch, chair_a, tree, n=7)
    frozen.move_to(CLOSED)
    services.quota_allocate(actor=district_cadre_a, quota=Quota.objects.get(batch=batch, org=tree.district_a))
    app = selectors.application_get(actor=district_cadre_a, application_id=apps[2].pk, perm=selectors.MANAGE)
    with pytest.raises(ServiceError):
        services.application_withdraw(actor=district_cadre_a, application=app, reason="")
    services.application_withdraw(actor=district_cadre_a, application=app, reason="单位生产任务")
    assert Application.objects.get(pk=apps[6].pk).status == ApplicationStatus.ALLOCATED
    assert Notice.objects.filter(user=apps[2].user, text__contains="单位生产任务").exists()


def test_one_place_per_member_per_year_in_the_database_and_in_the_rules(
    batch, site, province_cadre, zhang, member_a, district_cadre_a, tree, frozen
):
    other = make_batch(
        province_cadre,
        site,
        title="2026年第二期",
        starts_on=datetime.date(2026, 6, 20),
        ends_on=datetime.date(2026, 6, 21),
    )
    services.quota_set(actor=province_cadre, batch=other, org=tree.city, places=5)
    first = services.application_submit(user=member_a, batch_id=batch.pk)
    second = services.application_submit(user=member_a, batch_id=other.pk)
    frozen.move_to(CLOSED)
    services.quota_allocate(actor=district_cadre_a, quota=first.quota)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(status="allocated")
    outcome = services.quota_allocate(actor=province_cadre, quota=second.quota)
    assert outcome.allocated == 0
    assert Application.objects.get(pk=second.pk).status == ApplicationStatus.WAITING
    verdict = services.eligibility_check(batch=other, member=zhang, user=member_a, today=TODAY)
    assert "place_this_year" in verdict.problems


def test_a_member_who_went_within_the_interval_waits(batch, site, province_cadre, zhang, member_a):
    before = make_batch(province_cadre, site, publish=False, title="2024年疗休养")
    old = Application.objects.create(
        batch=before,
        quota=Quota.objects.get(batch=before),
        org=zhang.org,
        user=member_a,
        member=zhang,
        year=2024,
        status=ApplicationStatus.ATTENDED,
        created_at=NOW,
    )
    with pytest.raises(ServiceError) as exc:
        services.application_submit(user=member_a, batch_id=batch.pk)
    assert exc.value.code == "too_recent"
    Application.objects.filter(pk=old.pk).update(year=2023)
    assert services.application_submit(user=member_a, batch_id=batch.pk).status == ApplicationStatus.APPLIED


def test_attendance_is_recorded_once_the_batch_has_started(batch, zhang, member_a, district_cadre_a, frozen):
    app = services.application_submit(user=member_a, batch_id=batch.pk)
    frozen.move_to(CLOSED)
    services.quota_allocate(actor=district_cadre_a, quota=app.quota)
    with pytest.raises(ServiceError) as exc:
        services.application_attendance(actor=district_cadre_a, application=app, attended=True)
    assert exc.value.code == "not_started"
    frozen.move_to(datetime.datetime(2026, 5, 20, 18, tzinfo=NOW.tzinfo))
    app = services.application_attendance(actor=district_cadre_a, application=app, attended=True)
    assert app.status == ApplicationStatus.ATTENDED
    with pytest.raises(ServiceError):
        services.application_cancel(user=member_a, application_id=app.pk)


def test_a_cancelled_batch_cancels_its_applications_and_tells_people(batch, zhang, member_a, province_cadre):
    services.application_submit(user=member_a, batch_id=batch.pk)
    services.batch_cancel(actor=province_cadre, batch=batch, reason="基地检修")
    assert Application.objects.get(member=zhang).status == ApplicationStatus.CANCELLED
    assert Notice.objects.filter(user=member_a, text__contains="基地检修").exists()


# --- reads --------------------------------------------------------------------------------------------------


def test_a_district_cadre_sees_the_province_batch_through_its_quota_and_the_other_district_does_not(
    batch, district_cadre_a, district_cadre_b, chair_b, tree
):
    assert selectors.batch_get(actor=district_cadre_a, batch_id=batch.pk) == batch
    assert [b.pk for b in selectors.batch_list(actor=district_cadre_a, org=tree.district_a)] == [batch.pk]
    assert list(selectors.batch_list(actor=district_cadre_b, org=tree.district_b)) == []
    with pytest.raises(NotFound):
        selectors.batch_get(actor=district_cadre_b, batch_id=batch.pk)
    quotas = selectors.batch_quotas(actor=district_cadre_a, batch=batch)
    assert [q.org for q in quotas] == [tree.district_a]


def test_roll_up_counts_places_applications_allocated_and_attended_in_fixed_queries(
    batch, chair_a, province_cadre, district_cadre_a, tree, frozen, django_assert_num_queries
):
    apps = _applicants(batch, chair_a, tree, n=7)
    frozen.move_to(CLOSED)
    services.quota_allocate(actor=district_cadre_a, quota=apps[0].quota)
    frozen.move_to(datetime.datetime(2026, 5, 20, 18, tzinfo=NOW.tzinfo))
    services.application_attendance(actor=district_cadre_a, application=apps[0], attended=True)
    with django_assert_num_queries(6):
        r = selectors.rollup(actor=province_cadre, org=tree.province, year=2026)
    assert (r.places, r.applications, r.allocated, r.attended) == (40, 7, 6, 1)
    rows = {row["org"].pk: row for row in r.rows}
    assert rows[tree.province.pk]["places"] == 30 and rows[tree.city.pk]["places"] == 10
    assert rows[tree.city.pk]["allocated"] == 6
    with pytest.raises(NotFound):
        selectors.rollup(actor=district_cadre_a, org=tree.province, year=2026)
