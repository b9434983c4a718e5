"""Collective contracts (集体合同): the term of one to three years, negotiation, signing, the labour
administration's 15 days (day 14 under review, day 15 in effect), objection and renegotiation, one reminder
before expiry, expiry, renewal, coverage rolled up the tree (each unit once, in scope), and the member's view."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.contracts import rules, selectors, services
from gonghui.contracts.models import CollectiveContract, ContractCoverage, Status
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.orgs.models import OrgKind
from gonghui.orgs.services import _insert_org
from tests.test_disclosure import join

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(D(2026, 3, 2)), tick=False) as traveller:
        yield traveller


def data(**kw):
    values = {
        "title": "西溪科技有限公司集体合同",
        "kind": "comprehensive",
        "union_party": "西溪科技有限公司工会",
        "union_representative": "吴主席",
        "employer_party": "西溪科技有限公司",
        "employer_representative": "赵总经理",
        "summary": "工资每年协商一次，增幅不低于5%。",
    }
    values.update(kw)
    return services.ContractInput(**values)


def negotiated(actor, org, **kw):
    contract = services.contract_create(actor=actor, org=org, data=data(**kw))
    services.contract_round_add(
        actor=actor,
        contract=contract,
        held_on=D(2026, 2, 20),
        union_participants="吴主席、职工代表3人",
        employer_participants="赵总经理、人事部长",
        minutes="双方就工资增幅达成一致。",
    )
    return contract


def submitted(actor, org, received_on=None, **kw):
    received_on = received_on or D(2026, 3, 2)
    contract = negotiated(actor, org, **kw)
    services.contract_sign(
        actor=actor,
        contract=contract,
        signed_on=D(2026, 2, 25),
        term_start=D(2026, 3, 1),
        term_end=D(2029, 2, 28),
    )
    services.contract_submit(actor=actor, contract=contract, submitted_on=D(2026, 2, 27))
    services.contract_receipt(actor=actor, contract=contract, received_on=received_on)
    contract.refresh_from_db()
    return contract


def effective(actor, org, **kw):
    contract = negotiated(actor, org, **kw)
    services.contract_sign(
        actor=actor,
        contract=contract,
        signed_on=D(2026, 2, 25),
        term_start=D(2026, 3, 1),
        term_end=D(2027, 2, 28),
    )
    services.contract_submit(actor=actor, contract=contract, submitted_on=D(2026, 2, 26))
    services.contract_confirm(actor=actor, contract=contract, confirmed_on=D(2026, 3, 1))
    contract.refresh_from_db()
    return contract


# --- rules ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,end,problem",
    [
        (D(2026, 1, 1), D(2026, 12, 31), None),  # exactly one year
        (D(2026, 1, 1), D(2026, 12, 30), "term_too_short"),
        (D(2026, 1, 1), D(2028, 12, 31), None),  # exactly three years
        (D(2026, 1, 1), D(2029, 1, 1), "term_too_long"),
        (D(2026, 1, 1), D(2026, 1, 1), "end_before_start"),
        (D(2026, 1, 1), D(2025, 6, 1), "end_before_start"),
        (D(2024, 2, 29), D(2025, 2, 27), None),  # from a leap day: a year ends on 27 February
    ],
)
def test_the_term_is_one_to_three_years(start, end, problem):
    result = rules.term_problem(start, end)
    assert (result.code if result else None) == problem


def test_the_contract_takes_effect_on_the_15th_day_after_receipt():
    received = D(2026, 3, 2)
    assert rules.review_ends(received) == D(2026, 3, 17)
    assert not rules.takes_effect(received_on=received, today=D(2026, 3, 16))  # day 14
    assert rules.takes_effect(received_on=received, today=D(2026, 3, 17))  # day 15
    assert not rules.takes_effect(received_on=None, today=D(2030, 1, 1))


def test_the_expiry_reminder_falls_due_once_within_the_lead_time():
    end = D(2027, 2, 28)
    assert not rules.should_remind(end=end, today=D(2026, 12, 29), remind_days=60, reminded_for=None)
    assert rules.should_remind(end=end, today=D(2026, 12, 30), remind_days=60, reminded_for=None)
    assert not rules.should_remind(end=end, today=D(2027, 1, 5), remind_days=60, reminded_for=end)
    assert not rules.should_remind(end=end, today=D(2027, 3, 1), remind_days=60, reminded_for=None)


def test_the_workflow_moves_only_along_its_arrows():
    assert rules.can_move("submitted", "effective") and rules.can_move("objected", "negotiating")
    assert not rules.can_move("drafting", "effective") and not rules.can_move("expired", "effective")


# --- the workflow -----------------------------------------------------------------------------------------


def test_an_enterprise_contract_covers_its_own_union(tree, chair_a):
    contract = services.contract_create(actor=chair_a, org=tree.grassroots_a, data=data())
    assert contract.level == "enterprise" and contract.status == Status.DRAFTING
    assert list(selectors.contract_coverage(contract=contract)) == [tree.grassroots_a]
    assert contract.staff_covered == 120
    assert contract.number.startswith("JT2026")


def test_a_contract_with_a_four_year_term_is_refused_and_nothing_is_saved(tree, chair_a):
    with pytest.raises(ServiceError) as exc:
        services.contract_create(
            actor=chair_a,
            org=tree.grassroots_a,
            data=data(term_start=D(2026, 1, 1), term_end=D(2029, 12, 31)),
        )
    assert exc.value.code == "term_too_long" and exc.value.field == "term_end"
    assert not CollectiveContract.objects.exists()


def test_signing_needs_a_negotiation_and_a_valid_term(tree, chair_a):
    contract = services.contract_create(actor=chair_a, org=tree.grassroots_a, data=data())
    with pytest.raises(ServiceError):
        services.contract_sign(
            actor=chair_a,
            contract=contract,
            signed_on=D(2026, 3, 1),
            term_start=D(2026, 3, 1),
            term_end=D(2027, 2, 28),
        )
    services.contract_round_add(
        actor=chair_a,
        contract=contract,
        held_on=D(2026, 2, 20),
        union_participants="甲",
        employer_participants="乙",
        minutes="纪要",
    )
    contract.refresh_from_db()
    assert contract.status == Status.NEGOTIATING
    with pytest.raises(ServiceError) as exc:
        services.contract_sign(
            actor=chair_a,
            contract=contract,
            signed_on=D(2026, 3, 1),
            term_start=D(2026, 3, 1),
            term_end=D(2026, 9, 1),
        )
    assert exc.value.code == "term_too_short"
    with pytest.raises(ServiceError) as exc:
        services.contract_sign(
            actor=chair_a,
            contract=contract,
            signed_on=D(2026, 2, 1),
            term_start=D(2026, 3, 1),
            term_end=D(2027, 2, 28),
        )
    assert exc.value.code == "signed_before_negotiation"
    contract.refresh_from_db()
    assert contract.status == Status.NEGOTIATING and contract.signed_on is None


def test_day_14_after_receipt_is_under_review_and_day_15_is_in_effect(tree, chair_a, frozen):
    contract = submitted(chair_a, tree.grassroots_a, received_on=D(2026, 3, 2))
    assert contract.review_ends_on == D(2026, 3, 17)
    frozen.move_to(at(D(2026, 3, 16), 23))
    assert services.contracts_sweep()["effective"] == 0
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED
    frozen.move_to(at(D(2026, 3, 17), 0))
    assert services.contracts_sweep()["effective"] == 1
    assert services.contracts_sweep()["effective"] == 0  # idempotent
    contract.refresh_from_db()
    assert contract.status == Status.EFFECTIVE and contract.effective_on == D(2026, 3, 17)
    assert Notice.objects.filter(user=chair_a, text__contains=contract.number).exists()
    assert AuditRecord.objects.filter(action="gonghui.contract.effective", actor_label="system").count() == 1


def test_a_receipt_recorded_after_the_15_days_puts_the_contract_in_effect_at_once(tree, chair_a, frozen):
    frozen.move_to(at(D(2026, 4, 1)))
    contract = submitted(chair_a, tree.grassroots_a, received_on=D(2026, 3, 2))
    assert contract.status == Status.EFFECTIVE and contract.effective_on == D(2026, 3, 17)


def test_an_objection_within_the_15_days_sends_it_back_to_negotiation(tree, chair_a, frozen):
    contract = submitted(chair_a, tree.grassroots_a, received_on=D(2026, 3, 2))
    frozen.move_to(at(D(2026, 3, 10)))
    services.contract_object(
        actor=chair_a, contract=contract, objected_on=D(2026, 3, 10), objection="工时条款违反规定"
    )
    contract.refresh_from_db()
    assert contract.status == Status.OBJECTED
    frozen.move_to(at(D(2026, 3, 20)))
    assert services.contracts_sweep()["effective"] == 0
    services.contract_round_add(
        actor=chair_a,
        contract=contract,
        held_on=D(2026, 3, 18),
        union_participants="甲",
        employer_participants="乙",
        minutes="修改工时条款",
    )
    contract.refresh_from_db()
    assert contract.status == Status.NEGOTIATING


def test_an_objection_after_the_15_days_is_refused(tree, chair_a, frozen):
    contract = submitted(chair_a, tree.grassroots_a, received_on=D(2026, 3, 2))
    frozen.move_to(at(D(2026, 3, 17), 0))  # the sweep has not run yet today
    with pytest.raises(ServiceError) as exc:
        services.contract_object(
            actor=chair_a, contract=contract, objected_on=D(2026, 3, 17), objection="迟到的异议"
        )
    assert exc.value.code == "review_over"
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED and contract.objection == ""


def test_the_union_is_reminded_once_before_expiry_and_the_contract_expires(tree, chair_a, frozen):
    contract = effective(chair_a, tree.grassroots_a)  # ends 28 February 2027
    frozen.move_to(at(D(2026, 12, 29)))
    assert services.contracts_sweep()["reminded"] == 0
    frozen.move_to(at(D(2026, 12, 30)))  # 60 days before
    assert services.contracts_sweep()["reminded"] == 1
    frozen.move_to(at(D(2027, 1, 15)))
    assert services.contracts_sweep()["reminded"] == 0
    assert Notice.objects.filter(user=chair_a, text__contains="2027-02-28").count() == 1
    frozen.move_to(at(D(2027, 2, 28)))
    assert services.contracts_sweep()["expired"] == 0
    frozen.move_to(at(D(2027, 3, 1)))
    assert services.contracts_sweep() == {"effective": 0, "reminded": 0, "expired": 1}
    contract.refresh_from_db()
    assert contract.status == Status.EXPIRED and contract.expired_on == D(2027, 3, 1)


def test_the_reminder_lead_time_is_the_nearest_unions_setting(tree, chair_a, district_cadre_a, frozen):
    services.contract_policy_set(actor=district_cadre_a, org=tree.district_a, remind_days_before=30)
    assert selectors.policy_for(tree.grassroots_a).remind_days_before == 30
    effective(chair_a, tree.grassroots_a)
    frozen.move_to(at(D(2026, 12, 30)))
    assert services.contracts_sweep()["reminded"] == 0
    frozen.move_to(at(D(2027, 1, 29)))
    assert services.contracts_sweep()["reminded"] == 1
    with pytest.raises(ServiceError):
        services.contract_policy_set(actor=district_cadre_a, org=tree.district_a, remind_days_before=0)


def test_renewal_starts_a_linked_draft_once_and_stops_the_reminder(tree, chair_a, frozen):
    contract = effective(chair_a, tree.grassroots_a)
    renewal = services.contract_renew(actor=chair_a, contract=contract)
    assert renewal.renews == contract and renewal.status == Status.DRAFTING
    assert (renewal.term_start, renewal.term_end) == (D(2027, 3, 1), D(2028, 2, 29))
    assert list(selectors.contract_coverage(contract=renewal)) == [tree.grassroots_a]
    with pytest.raises(ServiceError) as exc:
        services.contract_renew(actor=chair_a, contract=contract)
    assert exc.value.code == "already_renewed"
    frozen.move_to(at(D(2027, 1, 10)))
    assert services.contracts_sweep()["reminded"] == 0


def test_a_signed_contract_cannot_be_changed(tree, chair_a):
    contract = effective(chair_a, tree.grassroots_a)
    with pytest.raises(ServiceError) as exc:
        services.contract_update(actor=chair_a, contract=contract, data=data(title="改"))
    assert exc.value.code == "not_editable"


def test_a_viewer_may_read_but_not_sign_and_another_district_sees_nothing(
    tree, chair_a, viewer_a, district_cadre_b
):
    contract = negotiated(chair_a, tree.grassroots_a)
    assert selectors.contract_get(actor=viewer_a, contract_id=contract.pk) == contract
    with pytest.raises(PermissionDenied):
        services.contract_sign(
            actor=viewer_a,
            contract=contract,
            signed_on=D(2026, 3, 1),
            term_start=D(2026, 3, 1),
            term_end=D(2027, 2, 28),
        )
    with pytest.raises(NotFound):
        selectors.contract_get(actor=district_cadre_b, contract_id=contract.pk)


def test_the_task_runs_the_sweep(tree, chair_a, frozen):
    from gonghui.contracts.tasks import sweep

    submitted(chair_a, tree.grassroots_a, received_on=D(2026, 3, 2))
    frozen.move_to(at(D(2026, 3, 17)))
    assert sweep.call()["effective"] == 1


# --- regional contracts and coverage ----------------------------------------------------------------------


@pytest.fixture
def second_a(tree):
    return _insert_org(
        parent=tree.street_a,
        name="文新物业公司工会",
        kind=OrgKind.GRASSROOTS,
        code="330106-G2",
        staff_count=80,
    )


def test_a_regional_contract_covers_units_of_its_area_only(tree, district_cadre_a, second_a):
    with pytest.raises(ServiceError) as exc:
        services.contract_create(
            actor=district_cadre_a,
            org=tree.street_a,
            data=data(kind="wages", covered_org_ids=[second_a.pk, tree.grassroots_b.pk]),
        )
    assert exc.value.code == "unit_not_coverable"
    with pytest.raises(ServiceError) as exc:
        services.contract_create(actor=district_cadre_a, org=tree.street_a, data=data(kind="wages"))
    assert exc.value.code == "units_required"
    assert not CollectiveContract.objects.exists()
    c = services.contract_create(
        actor=district_cadre_a,
        org=tree.street_a,
        data=data(
            kind="wages",
            covered_org_ids=[second_a.pk, tree.grassroots_a.pk],
            other_units="文新小餐馆",
            other_units_count=1,
            other_staff=12,
        ),
    )
    assert c.level == "regional" and c.staff_covered == 120 + 80 + 12
    assert ContractCoverage.objects.filter(contract=c).count() == 2


def test_coverage_counts_each_unit_once_per_child_union_and_in_scope(
    tree, chair_a, district_cadre_a, national_admin, second_a, district_cadre_b
):
    effective(chair_a, tree.grassroots_a)  # union A's own contract
    effective(chair_a, tree.grassroots_a, kind="wages")  # and a special one: still one unit
    regional = negotiated(
        district_cadre_a,
        tree.street_a,
        kind="wages",
        covered_org_ids=[tree.grassroots_a.pk, second_a.pk],
        other_units="文新小餐馆\n文新理发店",
        other_units_count=2,
        other_staff=15,
    )
    services.contract_sign(
        actor=district_cadre_a,
        contract=regional,
        signed_on=D(2026, 2, 25),
        term_start=D(2026, 3, 1),
        term_end=D(2027, 2, 28),
    )
    services.contract_submit(actor=district_cadre_a, contract=regional, submitted_on=D(2026, 2, 26))
    services.contract_confirm(actor=district_cadre_a, contract=regional, confirmed_on=D(2026, 3, 1))
    services.contract_create(
        actor=district_cadre_b, org=tree.grassroots_b, data=data()
    )  # drafting: not counted

    cov = selectors.coverage(actor=national_admin, org=tree.city)
    assert (cov.total.units, cov.total.staff, cov.total.other_units, cov.total.other_staff) == (2, 200, 2, 15)
    rows = {r.org.code: r for r in cov.rows if r.org}
    assert (rows["330106"].units, rows["330106"].staff, rows["330106"].other_units) == (2, 200, 2)
    assert rows["330108"].units == 0
    street = selectors.coverage(actor=district_cadre_a, org=tree.street_a)
    assert street.total.units == 2
    own = next(r for r in street.rows if r.org is None)  # the street's own regional contract's other units
    assert own.other_units == 2 and own.units == 0
    with pytest.raises(NotFound):
        selectors.coverage(actor=district_cadre_b, org=tree.district_a)


def test_coverage_costs_the_same_queries_whatever_the_subtree_holds(tree, chair_a, national_admin, second_a):
    with CaptureQueriesContext(connection) as few:
        selectors.coverage(actor=national_admin, org=tree.province)
    effective(chair_a, tree.grassroots_a)
    for n in range(5):
        _insert_org(parent=tree.district_b, name=f"单位{n}工会", kind=OrgKind.GRASSROOTS, code=f"330108-X{n}")
    national_admin._gonghui_grants = None
    with CaptureQueriesContext(connection) as many:
        selectors.coverage(actor=national_admin, org=tree.province)
    assert len(many) == len(few)


# --- the member ---------------------------------------------------------------------------------------------


def test_a_member_sees_the_contracts_in_effect_for_their_union(
    tree, chair_a, chair_b, member_a, member_b, district_cadre_a
):
    join(chair_a, tree.grassroots_a, member_a, n=1)
    join(chair_b, tree.grassroots_b, member_b, n=2, name="刘芳")
    mine = effective(chair_a, tree.grassroots_a)
    draft = services.contract_create(actor=chair_a, org=tree.grassroots_a, data=data(kind="women"))
    assert list(selectors.own_contracts(user=member_a)) == [mine]
    with pytest.raises(NotFound):
        selectors.own_contract_get(user=member_a, contract_id=draft.pk)
    with pytest.raises(NotFound):
        selectors.own_contract_get(user=member_b, contract_id=mine.pk)
