"""Rationalisation suggestions (合理化建议): who may submit, the states and their rules, the reward and the benefit,
the annual list and the counts rolled up the tree."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.suggestions import rules, selectors, services
from gonghui.suggestions.models import Suggestion, SuggestionEvent, SuggestionStatus

from .conftest import make_user
from .suggestion_helpers import make_member

NOV = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=datetime.UTC)


def idea(**extra) -> services.SuggestionInput:
    data = {
        "title": "冲压车间换模改进",
        "category": "technology",
        "situation": "换模一次要四十分钟，设备停机时间长。",
        "measures": "做一套快速换模夹具，提前预热模具，换模改为两人协同作业。",
        "expected_benefit": "每班多出半小时产能",
    }
    data.update(extra)
    return services.SuggestionInput(**data)


@pytest.fixture
def zhang(tree, chair_a, member_a):
    """member_a (张伟) as an active member of grassroots union A."""
    return make_member(chair_a, tree.grassroots_a, member_a, 1)


@pytest.fixture
def liu(tree, chair_b, member_b):
    """member_b (刘芳) as an active member of grassroots union B."""
    return make_member(chair_b, tree.grassroots_b, member_b, 2, region="330108")


def submitted(user) -> Suggestion:
    return services.suggestion_submit(user=user, data=idea())


def adopted(user, chair) -> Suggestion:
    s = submitted(user)
    services.suggestion_evaluate(actor=chair, suggestion=s)
    return services.suggestion_decide(actor=chair, suggestion=s, adopt=True, notes="可行")


# --- submitting ----------------------------------------------------------------------------------------------


def test_an_active_member_submits_to_their_own_grassroots_union_and_the_chair_is_told(
    tree, zhang, member_a, chair_a
):
    with time_machine.travel(NOV, tick=False):
        s = submitted(member_a)
    assert s.org == tree.grassroots_a and s.member == zhang and s.submitter == member_a
    assert s.status == SuggestionStatus.SUBMITTED and s.year == 2026 and s.number == f"JY2026{s.pk:06d}"
    assert s.submitter_name == "张伟"
    assert list(s.events.values_list("kind", flat=True)) == ["submitted"]
    assert Notice.objects.filter(user=chair_a, text__contains=s.number).exists()
    assert AuditRecord.objects.filter(action="gonghui.suggestion.submitted", object_id=str(s.pk)).exists()


def test_a_person_without_an_active_membership_cannot_submit(tree, member_a):
    with pytest.raises(ServiceError) as exc:
        submitted(member_a)
    assert exc.value.code == "not_member" and exc.value.status == 403
    assert Suggestion.objects.count() == 0


def test_a_withdrawn_member_cannot_submit(tree, zhang, member_a, chair_a):
    from gonghui.members import services as member_services

    member_services.member_status_change(actor=chair_a, member=zhang, status="withdrawn", reason="本人申请")
    with pytest.raises(ServiceError) as exc:
        submitted(member_a)
    assert exc.value.code == "not_member"
    assert Suggestion.objects.count() == 0


def test_a_member_of_a_branch_submits_to_the_grassroots_union_above_it(tree, chair_a, member_a):
    from gonghui.orgs.models import OrgKind
    from gonghui.orgs.services import _insert_org

    branch = _insert_org(
        parent=tree.grassroots_a, name="一车间分工会", kind=OrgKind.BRANCH, code="330106-G1-B1"
    )
    make_member(chair_a, branch, member_a, 3)
    assert submitted(member_a).org == tree.grassroots_a


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "短", "title_length"),
        ("category", "nonsense", "invalid_category"),
        ("situation", "太短", "situation_short"),
        ("measures", "   ", "measures_short"),
        ("measures", "长" * 5001, "measures_long"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(tree, zhang, member_a, field, value, code):
    with pytest.raises(ServiceError) as exc:
        services.suggestion_submit(user=member_a, data=idea(**{field: value}))
    assert exc.value.code == code and exc.value.field == field
    assert Suggestion.objects.count() == 0 and SuggestionEvent.objects.count() == 0


# --- the states ----------------------------------------------------------------------------------------------


def test_the_whole_life_submitted_evaluated_adopted_implemented_rewarded(tree, zhang, member_a, chair_a):
    s = submitted(member_a)
    s = services.suggestion_evaluate(actor=chair_a, suggestion=s)
    assert s.status == "evaluating" and s.evaluator == chair_a and s.evaluation_started_at
    services.suggestion_note(actor=chair_a, suggestion=s, text="请设备科核算成本")
    s = services.suggestion_decide(actor=chair_a, suggestion=s, adopt=True, notes="技术上可行")
    assert s.status == "adopted" and s.decided_by == chair_a and "技术上可行" in s.evaluation_notes
    s = services.suggestion_implement(
        actor=chair_a, suggestion=s, implemented_on=None, note="十月起在二号线试行", benefit_amount="12000.50"
    )
    assert s.status == "implemented" and s.benefit_amount == Decimal("12000.50")
    s = services.suggestion_reward(
        actor=chair_a,
        suggestion=s,
        form="cash",
        amount="800",
        benefit_amount="36000",
        benefit_description="全年减少停机约 120 小时",
    )
    s.refresh_from_db()
    assert s.status == "rewarded" and s.reward_amount == Decimal("800") and s.reward_form == "cash"
    assert s.benefit_amount == Decimal("36000") and s.benefit_description == "全年减少停机约 120 小时"
    assert list(s.events.values_list("kind", flat=True)) == [
        "submitted",
        "evaluating",
        "note",
        "adopted",
        "implemented",
        "rewarded",
    ]
    # The member reads the steps, not the evaluators' working note.
    assert "note" not in selectors.suggestion_events(suggestion=s, member=True).values_list("kind", flat=True)
    assert Notice.objects.filter(user=member_a).count() == 4
    actions = set(
        AuditRecord.objects.filter(object_id=str(s.pk), action__startswith="gonghui.suggestion.").values_list(
            "action", flat=True
        )
    )
    assert {
        "gonghui.suggestion.evaluating",
        "gonghui.suggestion.adopted",
        "gonghui.suggestion.implemented",
        "gonghui.suggestion.rewarded",
    } <= actions


def test_declining_needs_a_reason_the_member_reads(tree, zhang, member_a, chair_a):
    s = submitted(member_a)
    services.suggestion_evaluate(actor=chair_a, suggestion=s)
    with pytest.raises(ServiceError) as exc:
        services.suggestion_decide(actor=chair_a, suggestion=s, adopt=False, reason="  ")
    assert exc.value.code == "reason_required"
    s.refresh_from_db()
    assert s.status == "evaluating"
    s = services.suggestion_decide(actor=chair_a, suggestion=s, adopt=False, reason="与现行安全规程冲突")
    assert s.status == "not_adopted" and s.reason == "与现行安全规程冲突"
    # Not adopted is final.
    with pytest.raises(ServiceError) as exc:
        services.suggestion_implement(actor=chair_a, suggestion=s, implemented_on=None, note="x")
    assert exc.value.code == "wrong_state" and exc.value.status == 409


@pytest.mark.parametrize("step", ["decide", "implement", "reward"])
def test_steps_out_of_order_are_refused_and_change_nothing(tree, zhang, member_a, chair_a, step):
    s = submitted(member_a)
    with pytest.raises(ServiceError) as exc:
        if step == "decide":
            services.suggestion_decide(actor=chair_a, suggestion=s, adopt=True)
        elif step == "implement":
            services.suggestion_implement(actor=chair_a, suggestion=s, implemented_on=None, note="做了")
        else:
            services.suggestion_reward(actor=chair_a, suggestion=s, form="certificate")
    assert exc.value.code == "wrong_state"
    s.refresh_from_db()
    assert s.status == "submitted" and s.events.count() == 1


def test_evaluating_twice_is_refused(tree, zhang, member_a, chair_a):
    s = submitted(member_a)
    services.suggestion_evaluate(actor=chair_a, suggestion=s)
    with pytest.raises(ServiceError):
        services.suggestion_evaluate(actor=chair_a, suggestion=s)


def test_a_cash_reward_needs_an_amount_and_amounts_must_be_sane(tree, zhang, member_a, chair_a):
    s = adopted(member_a, chair_a)
    services.suggestion_implement(actor=chair_a, suggestion=s, implemented_on=None, note="已实施")
    for kwargs, code in [
        ({"form": "cash"}, "amount_required"),
        ({"form": "cash", "amount": "-5"}, "invalid_amount"),
        ({"form": "cash", "amount": "1.005"}, "invalid_amount"),
        ({"form": "cash", "amount": "abc"}, "invalid_amount"),
        ({"form": "cash", "amount": "2000000"}, "invalid_amount"),
        ({"form": "trophy"}, "invalid_reward_form"),
        ({"form": "certificate", "benefit_amount": "NaN"}, "invalid_amount"),
    ]:
        with pytest.raises(ServiceError) as exc:
            services.suggestion_reward(actor=chair_a, suggestion=s, **kwargs)
        assert exc.value.code == code, kwargs
    s.refresh_from_db()
    assert s.status == "implemented" and s.reward_form == ""
    s = services.suggestion_reward(actor=chair_a, suggestion=s, form="certificate")
    assert s.status == "rewarded" and s.reward_amount is None


def test_an_implementation_cannot_be_dated_in_the_future_or_before_the_adoption(
    tree, zhang, member_a, chair_a
):
    with time_machine.travel(NOV, tick=False):
        s = adopted(member_a, chair_a)
        for day, code in [
            (datetime.date(2026, 11, 18), "date_in_future"),
            (datetime.date(2026, 11, 1), "date_before_adoption"),
        ]:
            with pytest.raises(ServiceError) as exc:
                services.suggestion_implement(actor=chair_a, suggestion=s, implemented_on=day, note="已实施")
            assert exc.value.code == code
        with pytest.raises(ServiceError) as exc:
            services.suggestion_implement(actor=chair_a, suggestion=s, implemented_on=None, note="  ")
        assert exc.value.code == "note_required"
        s.refresh_from_db()
        assert s.status == "adopted"


def test_the_rules_table_allows_only_forward_steps():
    assert rules.can_move("submitted", "evaluating")
    assert not rules.can_move("submitted", "adopted")
    assert not rules.can_move("rewarded", "evaluating")
    assert not rules.can_move("not_adopted", "adopted")
    assert rules.amount_ok(Decimal("0"), maximum=rules.REWARD_MAX)
    assert not rules.amount_ok(Decimal("Infinity"), maximum=rules.REWARD_MAX)


# --- scope -----------------------------------------------------------------------------------------------------


def test_a_chair_elsewhere_cannot_act_and_does_not_learn_it_exists(tree, zhang, member_a, chair_b):
    s = submitted(member_a)
    with pytest.raises(NotFound):
        services.suggestion_evaluate(actor=chair_b, suggestion=s)
    with pytest.raises(NotFound):
        selectors.suggestion_get(actor=chair_b, suggestion_id=s.pk)


def test_a_viewer_reads_but_may_not_decide(tree, zhang, member_a, viewer_a):
    s = submitted(member_a)
    assert selectors.suggestion_get(actor=viewer_a, suggestion_id=s.pk) == s
    with pytest.raises(PermissionDenied):
        services.suggestion_evaluate(actor=viewer_a, suggestion=s)


def test_a_case_handler_in_scope_is_refused_with_403(tree, zhang, member_a):
    handler = make_user("13800000020", "赵维权", "case_handler", tree.district_a)
    s = submitted(member_a)
    with pytest.raises(PermissionDenied):
        selectors.suggestion_get(actor=handler, suggestion_id=s.pk)


def test_a_district_cadre_above_may_handle_a_suggestion_of_a_union_below(
    tree, zhang, member_a, district_cadre_a
):
    s = submitted(member_a)
    assert services.suggestion_evaluate(actor=district_cadre_a, suggestion=s).status == "evaluating"


def test_a_member_sees_only_their_own_suggestions(tree, zhang, liu, member_a, member_b):
    s = submitted(member_a)
    with pytest.raises(NotFound):
        selectors.suggestion_of_member(user=member_b, suggestion_id=s.pk)
    assert list(selectors.suggestions_of(user=member_a)) == [s]


# --- annual list and the roll-up ----------------------------------------------------------------------------


def test_the_annual_list_and_the_adopted_list_follow_the_year(tree, zhang, member_a, chair_a):
    with time_machine.travel(datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        old = adopted(member_a, chair_a)
    with time_machine.travel(NOV, tick=False):
        new = adopted(member_a, chair_a)
        pending = submitted(member_a)
    assert list(selectors.annual_list(actor=chair_a, org=tree.grassroots_a, year=2026)) == [new, pending]
    assert list(selectors.annual_list(actor=chair_a, org=tree.grassroots_a, year=2025)) == [old]
    assert list(selectors.adopted_of_union(org=tree.grassroots_a, year=2026)) == [new]
    assert selectors.years_of(org=tree.grassroots_a) == [2026, 2025]


def test_counts_roll_up_to_each_child_union_in_a_fixed_number_of_queries(
    tree, zhang, liu, member_a, member_b, chair_a, chair_b, province_cadre, django_assert_num_queries
):
    first = adopted(member_a, chair_a)
    services.suggestion_implement(
        actor=chair_a, suggestion=first, implemented_on=None, note="已实施", benefit_amount="5000"
    )
    services.suggestion_reward(actor=chair_a, suggestion=first, form="cash", amount="300")
    submitted(member_a)
    s = submitted(member_b)
    services.suggestion_evaluate(actor=chair_b, suggestion=s)
    services.suggestion_decide(actor=chair_b, suggestion=s, adopt=False, reason="已有同类改进")
    province_cadre._gonghui_grants = None
    selectors.suggestion_stats(actor=province_cadre, org=tree.city)  # warm the actor's grants
    with django_assert_num_queries(4):
        stats = selectors.suggestion_stats(actor=province_cadre, org=tree.city)
    assert stats.totals.total == 3 and stats.totals.adopted == 1 and stats.totals.not_adopted == 1
    assert stats.totals.reward_sum == Decimal("300") and stats.totals.benefit_sum == Decimal("5000")
    assert stats.totals.adoption_rate == 50.0
    by = {o.pk: t for o, t in stats.by_union}
    assert set(by) == {tree.district_a.pk, tree.district_b.pk}
    assert by[tree.district_a.pk].total == 2 and by[tree.district_b.pk].not_adopted == 1
    with pytest.raises(NotFound):
        selectors.suggestion_stats(actor=chair_b, org=tree.city)


def test_the_workbook_cells_cannot_run_as_formulas(tree, zhang, member_a, chair_a):
    import io

    from python_calamine import CalamineWorkbook

    from gonghui.suggestions import exports

    s = services.suggestion_submit(user=member_a, data=idea(title='=HYPERLINK("x")改进'))
    data = exports.xlsx_bytes("清单", exports.ANNUAL_HEADERS, exports.annual_rows([s]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "编号" and rows[2][3] == '=HYPERLINK("x")改进'
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # a string, never a formula


@pytest.mark.django_db(transaction=True)
def test_the_demo_seed_makes_suggestions_in_every_state_once():
    from gonghui.core.seed.demo import seed_demo
    from gonghui.core.seed.demo_suggestions import seed_suggestions

    assert seed_demo()["suggestions_created"] == 7  # the demo seed runs the suggestions seed
    assert set(Suggestion.objects.values_list("status", flat=True)) == set(SuggestionStatus.values)
    assert seed_suggestions() == {"suggestions_created": 0}
