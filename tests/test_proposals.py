"""Congress proposals (提案): submitting, co-signing and the minimum, the committee's decision, conversion to a
suggestion, assignment with a working-day deadline, the answer, the proposer's satisfaction and one
reassignment, the daily sweep, the report and its publication; scope throughout."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from gonghui.congress import services as congress_services
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.proposals import rules, selectors, services
from gonghui.proposals.models import Proposal, ProposalCosign, ProposalEvent, ProposalReport
from gonghui.suggestions.models import Suggestion

from .conftest import make_user
from .congress_setup import make_congress
from .proposal_helpers import answered, at_committee, idea, make_cg, make_dept, submit
from .suggestion_helpers import make_member

# 2026-09-30 is the Wednesday before the National Day holiday (1-7 October 2026, with Saturday 10 October a
# working day): twenty working days from it run across the whole holiday.
BEFORE_HOLIDAY = datetime.datetime(2026, 9, 30, 2, 0, tzinfo=datetime.UTC)
NOV = datetime.datetime(2026, 11, 17, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def cg(tree, chair_a):
    return make_cg(tree, chair_a)


@pytest.fixture
def dept(tree, chair_a):
    return make_dept(tree, chair_a)


# --- submitting and co-signing -------------------------------------------------------------------------------


def test_a_serving_delegate_submits_a_proposal_that_collects_co_signers(tree, cg):
    with time_machine.travel(NOV, tick=False):
        p = submit(cg)
    assert p.status == "collecting" and p.org == tree.grassroots_a and p.proposer == cg.delegates[0]
    assert p.number == f"TA2026{p.pk:06d}" and p.meeting == cg.meeting
    assert AuditRecord.objects.filter(action="gonghui.proposal.submitted", object_id=str(p.pk)).exists()


def test_someone_who_is_not_a_serving_delegate_cannot_submit(tree, cg, member_a):
    with pytest.raises(ServiceError) as exc:
        services.proposal_submit(user=member_a, congress=cg.congress, data=idea())
    assert exc.value.code == "not_delegate" and exc.value.status == 403
    congress_services.delegate_end(
        actor=cg.congress.org and make_user("13800000099", "x", "org_admin", tree.grassroots_a),
        delegate=cg.delegates[4],
        status="resigned",
        on=datetime.date(2026, 3, 1),
        reason="调离",
    )
    with pytest.raises(ServiceError):
        submit(cg, 4)
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "短", "title_length"),
        ("category", "x", "invalid_category"),
        ("reasons", "太短", "reasons_short"),
        ("measures", "", "measures_short"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(tree, cg, field, value, code):
    with pytest.raises(ServiceError) as exc:
        submit(cg, **{field: value})
    assert exc.value.code == code and exc.value.field == field
    assert Proposal.objects.count() == 0 and ProposalEvent.objects.count() == 0


def test_it_reaches_the_committee_exactly_at_the_minimum_of_co_signers(tree, cg, chair_a):
    p = submit(cg)
    p = services.proposal_cosign(user=cg.users[1], proposal=p)
    assert p.status == "collecting" and p.cosigner_count == 1  # one below the minimum of 2
    p = services.proposal_cosign(user=cg.users[2], proposal=p)
    assert p.status == "submitted" and p.cosigner_count == 2 and p.reached_committee_at
    assert Notice.objects.filter(user=chair_a, text__contains=p.number).exists()
    # Further delegates may still co-sign until the committee decides.
    p = services.proposal_cosign(user=cg.users[3], proposal=p)
    assert p.status == "submitted" and p.cosigner_count == 3


def test_the_minimum_is_the_congresss_setting(tree, cg, chair_a):
    congress_services.congress_set_figures(actor=chair_a, congress=cg.congress, min_cosigners=3)
    cg.congress.refresh_from_db()
    p = submit(cg)
    for n in (1, 2):
        p = services.proposal_cosign(user=cg.users[n], proposal=p)
    assert p.status == "collecting"
    assert services.proposal_cosign(user=cg.users[3], proposal=p).status == "submitted"


def test_with_a_minimum_of_zero_a_proposal_goes_straight_to_the_committee(tree, cg, chair_a):
    congress_services.congress_set_figures(actor=chair_a, congress=cg.congress, min_cosigners=0)
    cg.congress.refresh_from_db()
    assert submit(cg).status == "submitted"


def test_a_delegate_co_signs_once_and_never_their_own(tree, cg):
    p = submit(cg)
    with pytest.raises(ServiceError) as exc:
        services.proposal_cosign(user=cg.users[0], proposal=p)
    assert exc.value.code == "own_proposal"
    services.proposal_cosign(user=cg.users[1], proposal=p)
    with pytest.raises(ServiceError) as exc:
        services.proposal_cosign(user=cg.users[1], proposal=p)
    assert exc.value.code == "already_cosigned"
    p.refresh_from_db()
    assert p.cosigner_count == 1 and ProposalCosign.objects.count() == 1


def test_a_delegate_of_another_congress_cannot_co_sign(tree, cg, chair_b):
    other = make_congress(
        org=tree.grassroots_b, chair=chair_b, delegates=2, present=0, mobile_prefix="1360000"
    )
    p = submit(cg)
    with pytest.raises(ServiceError) as exc:
        services.proposal_cosign(user=other.users[0], proposal=p)
    assert exc.value.code == "not_delegate"


def test_the_proposer_withdraws_before_the_decision_but_not_after(tree, cg, chair_a):
    p = submit(cg)
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(user=cg.users[1], proposal=p)
    assert services.proposal_withdraw(user=cg.users[0], proposal=p).status == "withdrawn"
    q = services.proposal_accept(actor=chair_a, proposal=at_committee(cg))
    with pytest.raises(ServiceError) as exc:
        services.proposal_withdraw(user=cg.users[0], proposal=q)
    assert exc.value.code == "wrong_state"


# --- the committee ---------------------------------------------------------------------------------------------


def test_the_committee_cannot_decide_before_the_co_signers_are_there(tree, cg, chair_a):
    p = submit(cg)
    with pytest.raises(ServiceError) as exc:
        services.proposal_accept(actor=chair_a, proposal=p)
    assert exc.value.code == "wrong_state"


def test_rejecting_needs_a_reason_the_proposer_reads(tree, cg, chair_a):
    p = at_committee(cg)
    with pytest.raises(ServiceError) as exc:
        services.proposal_reject(actor=chair_a, proposal=p, reason=" ")
    assert exc.value.code == "reason_required"
    p.refresh_from_db()
    assert p.status == "submitted"
    p = services.proposal_reject(actor=chair_a, proposal=p, reason="属于个人诉求，请通过维权渠道反映")
    assert p.status == "rejected" and p.decision_note.startswith("属于个人诉求")
    assert Notice.objects.filter(user=cg.users[0], text__contains=p.number).exists()


def test_conversion_makes_exactly_one_suggestion_linked_both_ways(tree, cg, chair_a):
    make_member(chair_a, tree.grassroots_a, cg.users[0], 7, name="王代表")
    p = services.proposal_convert(actor=chair_a, proposal=at_committee(cg), note="更适合作为合理化建议办理")
    s = Suggestion.objects.get()
    assert p.status == "converted" and p.suggestion == s and s.from_proposal == p
    assert s.source == "proposal" and s.org == tree.grassroots_a and s.title == p.title
    assert s.member is not None and s.member.user == cg.users[0] and s.submitter == cg.users[0]
    assert s.status == "submitted" and s.situation == p.reasons
    with pytest.raises(ServiceError):
        services.proposal_convert(actor=chair_a, proposal=p)
    assert Suggestion.objects.count() == 1


def test_a_delegate_without_a_membership_record_still_gets_the_suggestion_in_their_name(tree, cg, chair_a):
    p = services.proposal_convert(actor=chair_a, proposal=at_committee(cg))
    assert p.suggestion.member is None and p.suggestion.submitter_name == "代表1"


def test_the_deadline_is_counted_in_working_days_across_the_national_day_holiday(tree, cg, chair_a, dept):
    p = services.proposal_accept(actor=chair_a, proposal=at_committee(cg))
    with time_machine.travel(BEFORE_HOLIDAY, tick=False):
        p = services.proposal_assign(actor=chair_a, proposal=p, department=dept)
    # Twenty working days from Wed 30 September 2026: 8, 9 and (worked Saturday) 10 October, then three
    # full weeks to 30 October, then 2 and 3 November. Weekdays alone would have given 28 October.
    assert p.due_on == datetime.date(2026, 11, 3)
    assert p.status == "assigned" and p.department == dept and not p.due_provisional
    assert Notice.objects.filter(user=dept.contact, text__contains=p.number).exists()


def test_assignment_needs_a_department_of_the_union_and_sane_days(tree, cg, chair_a, chair_b, dept):
    p = services.proposal_accept(actor=chair_a, proposal=at_committee(cg))
    other = services.department_add(actor=chair_b, org=tree.grassroots_b, name="人力资源部")
    for department, days, code in [
        (None, None, "invalid_department"),
        (other, None, "invalid_department"),
        (dept, 0, "invalid_days"),
        (dept, 500, "invalid_days"),
    ]:
        with pytest.raises(ServiceError) as exc:
            services.proposal_assign(actor=chair_a, proposal=p, department=department, workdays=days)
        assert exc.value.code == code
    p.refresh_from_db()
    assert p.status == "accepted" and p.department is None


def test_the_department_contact_or_the_committee_answers_and_nobody_else(tree, cg, chair_a, dept, member_a):
    p = services.proposal_accept(actor=chair_a, proposal=at_committee(cg))
    p = services.proposal_assign(actor=chair_a, proposal=p, department=dept)
    with pytest.raises(NotFound):
        services.proposal_answer(actor=member_a, proposal=p, text="随便写写的答复内容很长")
    with pytest.raises(ServiceError) as exc:
        services.proposal_answer(actor=dept.contact, proposal=p, text="短")
    assert exc.value.code == "answer_short"
    p = services.proposal_answer(actor=dept.contact, proposal=p, text="食堂自十二月起夜间开放一个窗口。")
    assert p.status == "answered" and p.answered_by == dept.contact
    assert (
        Notice.objects.filter(user=cg.users[0], text__contains="satisf").exists()
        or Notice.objects.filter(user=cg.users[0], text__contains=p.number).count() >= 2
    )


def test_the_proposer_rates_once_and_only_the_proposer(tree, cg, chair_a, dept):
    p = answered(cg, chair_a, dept)
    with pytest.raises(PermissionDenied):
        services.proposal_rate(user=cg.users[1], proposal=p, satisfaction="satisfied")
    with pytest.raises(ServiceError) as exc:
        services.proposal_rate(user=cg.users[0], proposal=p, satisfaction="great")
    assert exc.value.code == "invalid_satisfaction"
    p = services.proposal_rate(user=cg.users[0], proposal=p, satisfaction="basically", comment="希望加快")
    assert p.status == "closed" and p.satisfaction == "basically"
    with pytest.raises(ServiceError) as exc:
        services.proposal_rate(user=cg.users[0], proposal=p, satisfaction="satisfied")
    assert exc.value.code == "already_rated"
    p.refresh_from_db()
    assert p.satisfaction == "basically"


def test_not_satisfied_lets_the_committee_reassign_once(tree, cg, chair_a, dept):
    p = answered(cg, chair_a, dept)
    with pytest.raises(ServiceError) as exc:
        services.proposal_reassign(actor=chair_a, proposal=p, department=dept)
    assert exc.value.code == "no_reassign"  # not rated yet
    p = services.proposal_rate(user=cg.users[0], proposal=p, satisfaction="not_satisfied")
    assert Notice.objects.filter(user=chair_a, text__contains=p.number).exists()
    p = services.proposal_reassign(
        actor=chair_a, proposal=p, department=dept, workdays=10, note="请拿出具体时间表"
    )
    assert (
        p.status == "assigned"
        and p.reassigned
        and p.answer == ""
        and p.satisfaction == ""
        and p.rated_at is None
    )
    p = services.proposal_answer(actor=chair_a, proposal=p, text="夜间窗口十二月一日开放，菜单已公布。")
    p = services.proposal_rate(user=cg.users[0], proposal=p, satisfaction="not_satisfied")
    with pytest.raises(ServiceError) as exc:
        services.proposal_reassign(actor=chair_a, proposal=p, department=dept)
    assert exc.value.code == "no_reassign"
    assert list(p.events.filter(kind="reassigned").values_list("kind", flat=True)) == ["reassigned"]


def test_a_satisfied_proposal_cannot_be_reassigned(tree, cg, chair_a, dept):
    p = services.proposal_rate(
        user=cg.users[0], proposal=answered(cg, chair_a, dept), satisfaction="satisfied"
    )
    with pytest.raises(ServiceError):
        services.proposal_reassign(actor=chair_a, proposal=p, department=dept)


# --- scope -----------------------------------------------------------------------------------------------------


def test_a_chair_elsewhere_cannot_decide_and_does_not_learn_it_exists(tree, cg, chair_b):
    p = at_committee(cg)
    with pytest.raises(NotFound):
        services.proposal_accept(actor=chair_b, proposal=p)
    with pytest.raises(NotFound):
        selectors.proposal_get(actor=chair_b, proposal_id=p.pk)


def test_a_viewer_reads_but_may_not_decide(tree, cg, viewer_a):
    p = at_committee(cg)
    assert selectors.proposal_get(actor=viewer_a, proposal_id=p.pk) == p
    with pytest.raises(PermissionDenied):
        services.proposal_accept(actor=viewer_a, proposal=p)


def test_the_portal_shows_a_proposal_to_delegates_of_its_congress_and_the_department_only(
    tree, cg, chair_a, dept, member_a
):
    p = services.proposal_accept(actor=chair_a, proposal=at_committee(cg))
    assert selectors.proposal_for_portal(user=cg.users[3], proposal_id=p.pk) == p
    with pytest.raises(NotFound):
        selectors.proposal_for_portal(user=dept.contact, proposal_id=p.pk)  # not assigned yet
    services.proposal_assign(actor=chair_a, proposal=p, department=dept)
    assert selectors.proposal_for_portal(user=dept.contact, proposal_id=p.pk) == p
    assert list(selectors.proposals_to_answer(user=dept.contact)) == [p]
    with pytest.raises(NotFound):
        selectors.proposal_for_portal(user=member_a, proposal_id=p.pk)


# --- the sweep -------------------------------------------------------------------------------------------------


def test_the_daily_sweep_reminds_once_before_and_flags_once_after_the_deadline(tree, cg, chair_a, dept):
    p = services.proposal_accept(actor=chair_a, proposal=at_committee(cg))
    with time_machine.travel(NOV, tick=False):
        p = services.proposal_assign(actor=chair_a, proposal=p, department=dept, workdays=5)
    assert p.due_on == datetime.date(2026, 11, 24)
    assert services.proposals_sweep(today=datetime.date(2026, 11, 17)) == {"reminded": 0, "overdue": 0}
    assert services.proposals_sweep(today=datetime.date(2026, 11, 19)) == {"reminded": 1, "overdue": 0}
    assert services.proposals_sweep(today=datetime.date(2026, 11, 20)) == {"reminded": 0, "overdue": 0}
    assert services.proposals_sweep(today=datetime.date(2026, 11, 24)) == {"reminded": 0, "overdue": 0}
    assert services.proposals_sweep(today=datetime.date(2026, 11, 25)) == {"reminded": 0, "overdue": 1}
    assert services.proposals_sweep(today=datetime.date(2026, 11, 26)) == {"reminded": 0, "overdue": 0}
    assert list(p.events.filter(kind__in=["reminded", "overdue"]).values_list("kind", flat=True)) == [
        "reminded",
        "overdue",
    ]
    assert (
        Notice.objects.filter(user=dept.contact, text__contains=p.number).count() == 3
    )  # assigned, reminded, overdue


def test_the_sweep_catches_up_after_downtime_with_only_the_overdue_flag(tree, cg, chair_a, dept):
    p = services.proposal_accept(actor=chair_a, proposal=at_committee(cg))
    with time_machine.travel(NOV, tick=False):
        services.proposal_assign(actor=chair_a, proposal=p, department=dept, workdays=5)
    assert services.proposals_sweep(today=datetime.date(2026, 12, 10)) == {"reminded": 0, "overdue": 1}
    assert services.proposals_sweep(today=datetime.date(2026, 12, 11)) == {"reminded": 0, "overdue": 0}


def test_the_sweep_rule_is_pure():
    assert rules.sweep_action(due_days_left=5, overdue=False, reminded=False, flagged=False) == ""
    assert rules.sweep_action(due_days_left=3, overdue=False, reminded=False, flagged=False) == "remind"
    assert rules.sweep_action(due_days_left=3, overdue=False, reminded=True, flagged=False) == ""
    assert rules.sweep_action(due_days_left=0, overdue=True, reminded=True, flagged=False) == "overdue"
    assert rules.sweep_action(due_days_left=0, overdue=True, reminded=True, flagged=True) == ""
    assert rules.reaches_committee(2, 2) and not rules.reaches_committee(1, 2)


# --- the report ------------------------------------------------------------------------------------------------


def test_the_report_lists_every_proposal_and_publishing_is_a_snapshot_for_members(
    tree, cg, chair_a, dept, member_a
):
    make_member(chair_a, tree.grassroots_a, member_a, 9)
    done = services.proposal_rate(
        user=cg.users[0], proposal=answered(cg, chair_a, dept), satisfaction="satisfied"
    )
    rejected = services.proposal_reject(actor=chair_a, proposal=at_committee(cg), reason="不属于提案范围")
    submit(cg, 3)
    rows, totals = services.report_rows(cg.congress, None)
    assert [r["number"] for r in rows][:2] == [done.number, rejected.number]
    assert (
        totals["total"] == 3
        and totals["accepted"] == 1
        and totals["rejected"] == 1
        and totals["satisfied"] == 1
    )
    report = services.proposal_report_publish(actor=chair_a, congress=cg.congress)
    # Written in Chinese (a congress document) once the catalogue has the label, else the English msgid.
    assert report.rows[0]["satisfaction"] in ("满意", "Satisfied") and report.totals["total"] == 3
    assert AuditRecord.objects.filter(action="gonghui.proposal.report_published").exists()
    assert Notice.objects.filter(user=member_a, text__contains=cg.congress.name).exists()
    assert list(selectors.reports_for_member(user=member_a)) == [report]
    with pytest.raises(NotFound):
        selectors.report_for_member(
            user=cg.users[4], report_id=report.pk
        )  # a delegate without a membership here
    # Later changes do not alter what was published.
    services.proposal_withdraw(user=cg.users[3], proposal=Proposal.objects.get(status="collecting"))
    report.refresh_from_db()
    assert report.totals["total"] == 3


def test_since_the_last_meeting_counts_only_proposals_after_it(tree, cg, chair_a):
    old = at_committee(cg)
    Proposal.objects.filter(pk=old.pk).update(created_at=cg.meeting.starts_at - datetime.timedelta(days=1))
    congress_services.meeting_close(actor=chair_a, meeting=cg.meeting)
    new = services.proposal_submit(user=cg.users[2], congress=cg.congress, data=idea())
    since = services.report_since(cg.congress)
    assert since == cg.meeting.starts_at
    rows, _totals = services.report_rows(cg.congress, since)
    assert [r["number"] for r in rows] == [new.number]


def test_an_empty_report_is_not_published_and_a_viewer_may_not_publish(tree, cg, chair_a, viewer_a):
    with pytest.raises(ServiceError) as exc:
        services.proposal_report_publish(actor=chair_a, congress=cg.congress)
    assert exc.value.code == "empty_report"
    at_committee(cg)
    with pytest.raises(PermissionDenied):
        services.proposal_report_publish(actor=viewer_a, congress=cg.congress)
    assert ProposalReport.objects.count() == 0


def test_the_secretariat_records_paper_proposals_and_co_signatures_under_the_same_rules(
    tree, cg, chair_a, viewer_a
):
    paper = cg.delegates[3]
    p = services.proposal_record(actor=chair_a, congress=cg.congress, delegate=paper, data=idea())
    assert p.proposer == paper and p.status == "collecting"
    with pytest.raises(ServiceError) as exc:
        services.proposal_cosign_record(actor=chair_a, proposal=p, delegate=paper)
    assert exc.value.code == "own_proposal"
    services.proposal_cosign_record(actor=chair_a, proposal=p, delegate=cg.delegates[1])
    p = services.proposal_cosign_record(actor=chair_a, proposal=p, delegate=cg.delegates[2])
    assert p.status == "submitted"
    with pytest.raises(PermissionDenied):
        services.proposal_record(actor=viewer_a, congress=cg.congress, delegate=paper, data=idea())


def test_the_secretariat_records_a_paper_feedback_form_only_for_a_proposer_without_an_account(
    tree, cg, chair_a, dept
):
    p = answered(cg, chair_a, dept)
    with pytest.raises(ServiceError) as exc:
        services.proposal_rate_record(actor=chair_a, proposal=p, satisfaction="satisfied")
    assert exc.value.code == "proposer_rates"
    paper = services.proposal_record(
        actor=chair_a, congress=cg.congress, delegate=cg.delegates[3], data=idea()
    )
    paper.proposer.user = None
    paper.proposer.save(update_fields=["user"])
    for n in (1, 2):
        services.proposal_cosign_record(actor=chair_a, proposal=paper, delegate=cg.delegates[n])
    paper = services.proposal_accept(actor=chair_a, proposal=paper)
    paper = services.proposal_assign(actor=chair_a, proposal=paper, department=dept)
    paper = services.proposal_answer(actor=chair_a, proposal=paper, text="已安排夜间窗口，下月起执行。")
    paper = services.proposal_rate_record(actor=chair_a, proposal=paper, satisfaction="basically")
    assert paper.status == "closed" and paper.satisfaction == "basically"
    with pytest.raises(ServiceError):
        services.proposal_rate_record(actor=chair_a, proposal=paper, satisfaction="satisfied")


@pytest.mark.django_db(transaction=True)
def test_the_demo_seed_makes_proposals_in_every_step_once_and_publishes_a_report():
    from gonghui.core.seed.demo import seed_demo
    from gonghui.core.seed.demo_proposals import seed_proposals

    result = seed_demo()  # the demo seed runs the proposals seed
    assert result["proposals_created"] == 8 and result["proposal_reports"] == 1
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {"collecting", "submitted", "assigned", "closed", "converted", "rejected"} <= statuses
    assert Proposal.objects.filter(status="assigned", overdue_at__isnull=False).count() == 1
    assert Proposal.objects.filter(satisfaction="not_satisfied").count() == 1
    assert seed_proposals()["proposals_created"] == 0
