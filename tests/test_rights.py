"""Rights protection services (DOMAIN §4): routing, first-contact ownership, every state change, deadlines in
working days, the sweep, anonymous follow-up, statistics and a simulated year. The faces have their own files."""

from __future__ import annotations

import datetime
import importlib.util
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice, ScheduleYear, WorkdayOverride
from gonghui.orgs.models import OrgKind, Role
from gonghui.orgs.services import _insert_org
from gonghui.rights import rules
from gonghui.rights import selectors as sel
from gonghui.rights import services as svc
from gonghui.rights.models import Case, CaseEvent, CaseStatus, Category, ServiceLevel
from gonghui.rights.services import CaseInput

from .conftest import make_user

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(y: int, m: int, d: int, h: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=SH)


def travel(when: datetime.datetime):
    return time_machine.travel(when, tick=False)


def case_input(**kw) -> CaseInput:
    values = {
        "category": "contract",
        "description": "公司入职半年不签劳动合同，加班也没有加班费。",
        "work_division_code": "330106",
        "contact_mobile": "13912345678",
    }
    values.update(kw)
    return CaseInput(**values)


def submit(user=None, *, when=None, anonymous=False, employer_org=None, **kw) -> tuple[Case, str]:
    with travel(when or at(2026, 11, 2)):
        return svc.case_submit(
            user=user, data=case_input(**kw), anonymous=anonymous, employer_org=employer_org
        )


def nth_workday(start: D, n: int) -> D:
    """The n-th working day after `start`, counted straight from chinese_calendar (not core/calendar.py)."""
    day = start
    while n:
        day += datetime.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


@pytest.fixture
def handler_a2(tree):
    """A second case handler of grassroots union A: may handle its requests, but not take one from the chair."""
    return make_user("13800000031", "孙办事", Role.CASE_HANDLER, tree.grassroots_a)


@pytest.fixture
def street_handler(tree):
    """The case handler of street A, the union above grassroots union A: supervises its requests."""
    return make_user("13800000032", "街道办事员", Role.CASE_HANDLER, tree.street_a)


@pytest.fixture
def taken(tree, member_a, chair_a) -> Case:
    """A named request of member A at grassroots union A, taken on by its chair on Monday 2 November 2026."""
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    with travel(at(2026, 11, 2, 11)):
        return svc.case_acknowledge(actor=chair_a, case=case)


# --- routing ------------------------------------------------------------------------------------------------


def test_a_named_request_goes_to_the_employers_union_and_says_why(tree, member_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    assert (case.org, case.route_code) == (tree.grassroots_a, "employer")
    assert tree.grassroots_a.name in case.route_note
    assert list(CaseEvent.objects.filter(case=case, kind="routed").values_list("note", flat=True)) == [
        case.route_note
    ]


def test_an_employer_is_found_by_its_credit_code(tree, member_b, platform_b):
    case, _code = submit(member_b, employer_uscc=platform_b.uscc, work_division_code="330108")
    assert (case.org, case.route_code, case.employer_org) == (platform_b, "employer", None)
    assert case.employer_uscc == platform_b.uscc


def test_an_anonymous_report_goes_above_the_employers_union_never_to_it(tree, member_a):
    case, _code = submit(member_a, anonymous=True, employer_org=tree.grassroots_a)
    assert (case.org, case.route_code) == (tree.street_a, "above_employer")
    assert tree.street_a.name in case.route_note


def test_an_anonymous_report_about_a_branch_skips_the_whole_enterprise_union(tree):
    branch = _insert_org(
        parent=tree.grassroots_a, name="西溪科技研发部分工会", kind=OrgKind.BRANCH, code="G1-B1"
    )
    case, _code = submit(None, anonymous=True, employer_org=branch)
    assert case.org == tree.street_a and case.org not in (branch, tree.grassroots_a)


def test_an_anonymous_report_found_by_credit_code_also_goes_above(tree, platform_b):
    case, _code = submit(None, anonymous=True, employer_uscc=platform_b.uscc, work_division_code="330108")
    assert (case.org, case.route_code) == (tree.district_b, "above_employer")


def test_ten_workers_make_a_collective_case_for_the_district(tree, member_a):
    assert rules.COLLECTIVE_THRESHOLD == 10
    nine, _c = submit(member_a, employer_org=tree.grassroots_a, workers_affected=9)
    ten, _c = submit(member_a, employer_org=tree.grassroots_a, workers_affected=rules.COLLECTIVE_THRESHOLD)
    assert (nine.org, nine.collective) == (tree.grassroots_a, False)
    assert (ten.org, ten.route_code, ten.collective) == (tree.district_a, "collective", True)
    assert tree.district_a.name in ten.route_note


def test_a_collective_case_without_employer_goes_to_the_district_of_the_place_of_work(tree):
    case, _code = submit(None, anonymous=True, work_division_code="330108", workers_affected=40)
    assert (case.org, case.route_code) == (tree.district_b, "collective")


def test_without_employer_the_place_of_work_decides_district_else_city(tree, member_a):
    district, _c = submit(member_a, work_division_code="330108")
    city, _c = submit(member_a, work_division_code="330110")  # a district of the city without its own union
    assert (district.org, district.route_code) == (tree.district_b, "local")
    assert (city.org, city.route_code) == (tree.city, "local")
    assert tree.city.name in city.route_note


@pytest.mark.parametrize("division", ["650101", ""])
def test_no_union_found_is_a_clear_error_and_nothing_is_stored(tree, member_a, division):
    with pytest.raises(ServiceError) as err:
        submit(member_a, work_division_code=division)
    assert err.value.code == "no_route"
    assert not Case.objects.exists()


def test_a_named_request_needs_a_way_to_reach_the_worker(tree):
    with pytest.raises(ServiceError) as err:
        submit(None, employer_org=tree.grassroots_a, contact_mobile="")
    assert err.value.code == "contact_required"


def test_a_hotline_call_kept_by_the_operator_is_taken_on_at_once(
    tree, district_cadre_a, settings, django_capture_on_commit_callbacks
):
    from gonghui.accounts.sms import LoggingSender

    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    with travel(at(2026, 11, 2)), django_capture_on_commit_callbacks(execute=True):
        case, code = svc.case_record_call(
            actor=district_cadre_a, org=tree.district_a, data=case_input(contact_name="王师傅"), keep=True
        )
    assert (case.org, case.route_code, case.channel) == (tree.district_a, "operator", "hotline")
    assert (case.handler, case.status, case.acknowledged_at) == (
        district_cadre_a, CaseStatus.ACKNOWLEDGED, at(2026, 11, 2)
    )  # fmt: skip
    received = CaseEvent.objects.get(case=case, kind="received")
    assert (received.actor, received.org) == (district_cadre_a, tree.district_a)
    # The caller gets the follow-up code by SMS, and nothing else keeps it.
    assert (
        LoggingSender.outbox == [("13912345678", LoggingSender.outbox[0][1])]
        and code in LoggingSender.outbox[0][1]
    )
    assert sel.case_by_code(code=code) == case
    assert svc.cases_sweep(today=D(2026, 11, 4)) == {"reminded": 0, "escalated": 0}  # taken on in time


def test_a_hotline_call_is_handed_to_the_responsible_union_on_the_record(tree, district_cadre_a, chair_a):
    with travel(at(2026, 11, 2)):
        case, _code = svc.case_record_call(
            actor=district_cadre_a, org=tree.district_a, data=case_input(), employer_org=tree.grassroots_a
        )
    assert (case.org, case.route_code, case.handler) == (tree.grassroots_a, "employer", None)
    routed = CaseEvent.objects.get(case=case, kind="routed")
    assert routed.actor == district_cadre_a and tree.grassroots_a.name in routed.note
    assert Notice.objects.filter(user=chair_a, text__contains=case.number).exists()


def test_an_operator_records_calls_only_for_unions_in_scope(tree, district_cadre_b, viewer_a):
    with pytest.raises(NotFound):
        svc.case_record_call(actor=district_cadre_b, org=tree.district_a, data=case_input(), keep=True)
    with pytest.raises(PermissionDenied):
        svc.case_record_call(actor=viewer_a, org=tree.district_a, data=case_input(), keep=True)
    assert not Case.objects.exists()


# --- ownership: first-contact responsibility ------------------------------------------------------------------


def test_acknowledging_makes_the_cadre_the_handler(tree, taken, chair_a, member_a):
    assert (taken.handler, taken.status) == (chair_a, CaseStatus.ACKNOWLEDGED)
    assert taken.acknowledged_at == at(2026, 11, 2, 11)
    assert "acknowledged" in kinds(taken)
    assert svc.case_acknowledge(actor=chair_a, case=taken).handler == chair_a  # again: nothing changes
    assert CaseEvent.objects.filter(case=taken, kind="acknowledged").count() == 1


def test_a_second_cadre_cannot_take_a_request_someone_handles(taken, handler_a2, district_cadre_a):
    for other in (handler_a2, district_cadre_a):
        with pytest.raises(ServiceError) as err:
            svc.case_acknowledge(actor=other, case=taken)
        assert err.value.code == "already_taken"
    taken.refresh_from_db()
    assert taken.handler.real_name == "吴主席"


def test_a_handover_goes_on_the_record_with_a_note_and_tells_the_new_handler(taken, chair_a, handler_a2):
    with pytest.raises(ServiceError) as err:
        svc.case_handover(actor=chair_a, case=taken, to_user=handler_a2, note="  ")
    assert err.value.code == "note_required"
    case = svc.case_handover(actor=chair_a, case=taken, to_user=handler_a2, note="孙负责劳动合同类")
    assert case.handler == handler_a2
    event = CaseEvent.objects.get(case=case, kind="handover")
    assert event.actor == chair_a and "孙负责劳动合同类" in event.note and not event.visible_to_worker
    assert Notice.objects.filter(user=handler_a2, text__contains=case.number).exists()
    # The new handler records; the old one no longer may.
    svc.case_record(actor=handler_a2, case=case, kind="note", text="已电话联系")
    with pytest.raises(PermissionDenied):
        svc.case_record(actor=chair_a, case=case, kind="note", text="我还能写吗")


def test_a_handover_only_to_someone_who_may_handle_that_unions_requests(
    taken, chair_a, chair_b, member_a, viewer_a, district_cadre_a
):
    for person in (chair_b, member_a, viewer_a, None):
        with pytest.raises(ServiceError) as err:
            svc.case_handover(actor=chair_a, case=taken, to_user=person, note="请接手")
        assert err.value.code == "handler_not_allowed"
    with pytest.raises(ServiceError) as err:
        svc.case_handover(actor=chair_a, case=taken, to_user=chair_a, note="请接手")
    assert err.value.code == "same_handler"
    # A cadre of a union above may take it over on the record.
    assert svc.case_handover(
        actor=chair_a, case=taken, to_user=district_cadre_a, note="区里接手"
    ).handler == (district_cadre_a)


def test_a_cadre_who_is_not_the_handler_cannot_hand_the_request_over(taken, handler_a2):
    with pytest.raises(PermissionDenied):
        svc.case_handover(actor=handler_a2, case=taken, to_user=handler_a2, note="我来")


def test_a_cadre_who_is_not_the_handler_cannot_transfer_the_request_away(taken, handler_a2, tree):
    with pytest.raises(PermissionDenied):
        svc.case_transfer(actor=handler_a2, case=taken, to_org=tree.grassroots_b, reason="不归我们")
    taken.refresh_from_db()
    assert taken.org == tree.grassroots_a


def test_a_transfer_clears_the_handler_keeps_the_deadlines_and_tells_everyone(
    tree, taken, chair_a, chair_b, member_a
):
    due = (taken.ack_due, taken.respond_due, taken.conclude_due)
    with pytest.raises(ServiceError) as err:
        svc.case_transfer(actor=chair_a, case=taken, to_org=tree.grassroots_b, reason="")
    assert err.value.code == "reason_required"
    with pytest.raises(ServiceError) as err:
        svc.case_transfer(actor=chair_a, case=taken, to_org=tree.grassroots_a, reason="同一个")
    assert err.value.code == "same_union"
    before = Notice.objects.filter(user=member_a).count()
    case = svc.case_transfer(actor=chair_a, case=taken, to_org=tree.grassroots_b, reason="工作地点在滨江")
    assert (case.org, case.handler, case.route_code) == (tree.grassroots_b, None, "transferred")
    assert (case.ack_due, case.respond_due, case.conclude_due) == due
    assert "工作地点在滨江" in case.route_note and tree.grassroots_b.name in case.route_note
    assert CaseEvent.objects.filter(case=case, kind="transferred", org=tree.grassroots_b).exists()
    assert Notice.objects.filter(user=chair_b, text__contains=case.number).exists()
    assert Notice.objects.filter(user=member_a).count() == before + 1
    # The old union no longer sees it; the new one takes it on.
    with pytest.raises(NotFound):
        sel.case_get(actor=chair_a, case_id=case.pk)
    assert svc.case_acknowledge(actor=chair_b, case=case).handler == chair_b


def test_only_the_handler_or_the_union_above_records_and_closes(
    taken, handler_a2, street_handler, district_cadre_a
):
    with pytest.raises(PermissionDenied):
        svc.case_record(actor=handler_a2, case=taken, kind="response", text="我们正在处理")
    with pytest.raises(PermissionDenied):
        svc.case_close(actor=handler_a2, case=taken, outcome="resolved", summary="已解决")
    svc.case_record(actor=street_handler, case=taken, kind="note", text="街道督办")
    svc.case_close(actor=district_cadre_a, case=taken, outcome="resolved", summary="区总工会协调解决")
    taken.refresh_from_db()
    assert taken.status == CaseStatus.CLOSED


def test_nothing_is_recorded_before_someone_takes_the_request(tree, member_a, chair_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    with pytest.raises(ServiceError) as err:
        svc.case_record(actor=chair_a, case=case, kind="note", text="先记一笔")
    assert err.value.code == "not_taken"


def test_district_b_cannot_see_or_touch_district_as_request(taken, district_cadre_b, chair_b):
    for cadre in (district_cadre_b, chair_b):
        with pytest.raises(NotFound):
            sel.case_get(actor=cadre, case_id=taken.pk)
        with pytest.raises(NotFound):
            svc.case_acknowledge(actor=cadre, case=taken)
        with pytest.raises(NotFound):
            svc.case_record(actor=cadre, case=taken, kind="note", text="越权")
        assert taken not in sel.case_queue(actor=cadre)
    with pytest.raises(NotFound):
        sel.case_stats(actor=district_cadre_b, org=taken.org)


def test_a_viewer_may_not_handle_requests(tree, member_a, viewer_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    with pytest.raises(PermissionDenied):
        svc.case_acknowledge(actor=viewer_a, case=case)
    with pytest.raises(PermissionDenied):  # inside the viewer's unions, so refused rather than hidden
        sel.case_get(actor=viewer_a, case_id=case.pk)
    assert case not in sel.case_queue(actor=viewer_a)


# --- every state change ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["resolved", "arbitration", "inspection", "unfounded"])
def test_a_request_goes_from_received_to_rated_and_the_worker_hears_of_each_step(
    tree, member_a, chair_a, outcome
):
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    assert case.status == CaseStatus.RECEIVED and case.requester == member_a
    assert Notice.objects.filter(user=chair_a, text__contains=case.number).count() == 1
    heard = [Notice.objects.filter(user=member_a).count()]
    with travel(at(2026, 11, 3)):
        case = svc.case_acknowledge(actor=chair_a, case=case)
    heard.append(Notice.objects.filter(user=member_a).count())
    with travel(at(2026, 11, 4)):
        svc.case_record(actor=chair_a, case=case, kind="note", text="内部备注：先查工资条")
        svc.case_record(actor=chair_a, case=case, kind="contact", text="已约谈人事经理")
        case.refresh_from_db()
        assert (case.status, case.responded_at) == (CaseStatus.ACKNOWLEDGED, None)  # internal entries only
        svc.case_record(actor=chair_a, case=case, kind="response", text="已与公司沟通，下周答复")
    case.refresh_from_db()
    assert (case.status, case.responded_at) == (CaseStatus.HANDLING, at(2026, 11, 4))
    heard.append(Notice.objects.filter(user=member_a).count())
    with pytest.raises(ServiceError) as err:
        svc.case_close(actor=chair_a, case=case, outcome="withdrawn", summary="撤回")
    assert err.value.code == "invalid_outcome"
    with pytest.raises(ServiceError) as err:
        svc.case_close(actor=chair_a, case=case, outcome=outcome, summary=" ")
    assert err.value.code == "summary_required"
    with pytest.raises(ServiceError) as err:
        svc.case_rate(case=case, rating=5)
    assert err.value.code == "not_closed"
    with travel(at(2026, 11, 10)):
        case = svc.case_close(actor=chair_a, case=case, outcome=outcome, summary="公司已补签合同")
    assert (case.status, case.outcome, case.closed_at) == (CaseStatus.CLOSED, outcome, at(2026, 11, 10))
    heard.append(Notice.objects.filter(user=member_a).count())
    assert heard == [1, 2, 3, 4]  # received, taken on, replied, closed
    for bad in (0, 6, "5"):
        with pytest.raises(ServiceError) as err:
            svc.case_rate(case=case, rating=bad)
        assert err.value.code == "invalid_rating"
    case = svc.case_rate(case=case, rating=4, comment="挺快的")
    assert (case.rating, case.rating_comment) == (4, "挺快的")
    with pytest.raises(ServiceError) as err:
        svc.case_rate(case=case, rating=1)
    assert err.value.code == "already_rated"
    assert kinds(case) == [
        "received", "routed", "acknowledged", "note", "contact", "response", "closed", "rated"
    ]  # fmt: skip
    worker_sees = [e.kind for e in sel.case_events(case=case, worker=True)]
    assert "note" not in worker_sees and "contact" not in worker_sees and "response" in worker_sees


def test_a_closed_request_refuses_records_and_a_second_close(taken, chair_a):
    svc.case_close(actor=chair_a, case=taken, outcome="resolved", summary="已解决")
    for kind in ("note", "response"):
        with pytest.raises(ServiceError) as err:
            svc.case_record(actor=chair_a, case=taken, kind=kind, text="再补一句")
        assert err.value.code == "case_closed"
    with pytest.raises(ServiceError) as err:
        svc.case_close(actor=chair_a, case=taken, outcome="resolved", summary="再关一次")
    assert err.value.code == "case_closed"
    with pytest.raises(ServiceError) as err:
        svc.case_withdraw(case=taken)
    assert err.value.code == "case_closed"


def test_closing_also_meets_the_earlier_stages(tree, member_a, chair_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    with travel(at(2026, 11, 3)):
        case = svc.case_acknowledge(actor=chair_a, case=case)
    with travel(at(2026, 11, 5)):
        case = svc.case_close(actor=chair_a, case=case, outcome="unfounded", summary="经核实不属实")
    assert case.responded_at == case.closed_at == at(2026, 11, 5)


def test_a_request_is_reopened_within_the_unions_period_in_calendar_days(
    tree, taken, chair_a, district_cadre_a
):
    svc.rights_policy_set(
        actor=district_cadre_a, org=tree.district_a, remind_workdays_before=1, reopen_days=10
    )
    with travel(at(2026, 11, 6)):
        case = svc.case_close(actor=chair_a, case=taken, outcome="resolved", summary="已补签合同")
    case = svc.case_rate(case=case, rating=2)
    assert svc.reopen_until(case) == D(2026, 11, 16)
    with pytest.raises(ServiceError) as err, travel(at(2026, 11, 16)):
        svc.case_reopen(case=case, reason=" ")
    assert err.value.code == "reason_required"
    told = Notice.objects.filter(user=chair_a, text__contains=case.number).count()
    with travel(at(2026, 11, 16, 22)):  # the tenth calendar day, a Monday, late in the evening
        case = svc.case_reopen(case=case, reason="公司又不认账了")
    assert (case.status, case.handler, case.outcome, case.closed_at) == (
        CaseStatus.HANDLING,
        chair_a,
        "",
        None,
    )
    assert (case.rating, case.rated_at, case.reopened_count) == (None, None, 1)
    assert case.conclude_due == nth_workday(D(2026, 11, 16), 15)
    assert Notice.objects.filter(user=chair_a, text__contains=case.number).count() == told + 1  # the handler
    # Closed again, it may be rated again; after the period it cannot be reopened.
    with travel(at(2026, 11, 20)):
        case = svc.case_close(actor=chair_a, case=case, outcome="arbitration", summary="建议申请仲裁")
    assert svc.case_rate(case=case, rating=3).rating == 3
    with pytest.raises(ServiceError) as err, travel(at(2026, 12, 1)):
        svc.case_reopen(case=case, reason="还是不行")
    assert err.value.code == "reopen_expired"


def test_an_open_request_cannot_be_reopened(taken):
    with pytest.raises(ServiceError) as err:
        svc.case_reopen(case=taken, reason="为什么")
    assert err.value.code == "not_closed"


def test_a_withdrawn_request_cannot_be_reopened_and_its_handler_hears_of_it(taken, chair_a):
    before = Notice.objects.filter(user=chair_a).count()
    with travel(at(2026, 11, 3)):
        case = svc.case_withdraw(case=taken, reason="公司已经补发了")
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, "withdrawn")
    assert Notice.objects.filter(user=chair_a).count() == before + 1
    with pytest.raises(ServiceError) as err, travel(at(2026, 11, 4)):
        svc.case_reopen(case=case, reason="又拖欠了")
    assert err.value.code == "reopen_expired"
    with pytest.raises(ServiceError) as err:
        svc.case_rate(case=case, rating=1)
    assert err.value.code == "withdrawn"


# --- deadlines in working days ---------------------------------------------------------------------------------


def test_the_2026_schedule_is_the_one_the_tests_assume():
    assert chinese_calendar.get_holiday_detail(D(2026, 10, 1)) == (True, "National Day")
    assert chinese_calendar.get_holiday_detail(D(2026, 10, 10)) == (False, "National Day")  # 调休 Saturday
    assert chinese_calendar.get_holiday_detail(D(2026, 2, 16)) == (True, "Spring Festival")
    assert chinese_calendar.get_holiday_detail(D(2026, 2, 14)) == (False, "Spring Festival")  # 调休 Saturday
    assert chinese_calendar.get_holiday_detail(D(2026, 2, 28)) == (False, "Spring Festival")  # 调休 Saturday


def test_a_request_received_before_national_day_waits_out_the_holiday(tree, member_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a, when=at(2026, 9, 30, 16))
    assert case.received_on == D(2026, 9, 30)
    assert (case.ack_due, case.respond_due, case.conclude_due) == (
        nth_workday(D(2026, 9, 30), 1),
        nth_workday(D(2026, 9, 30), 5),
        nth_workday(D(2026, 9, 30), 15),
    )
    # 1-7 October are holidays; Saturday 10 October is a moved working day and counts.
    assert (case.ack_due, case.respond_due, case.conclude_due) == (
        D(2026, 10, 8),
        D(2026, 10, 13),
        D(2026, 10, 27),
    )
    assert not case.due_provisional


def test_a_request_received_before_the_spring_festival_counts_the_moved_saturdays(tree, member_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a, when=at(2026, 2, 13, 17))
    expected = tuple(nth_workday(D(2026, 2, 13), n) for n in (1, 5, 15))
    assert (case.ack_due, case.respond_due, case.conclude_due) == expected
    # Saturday 14 February is a working day, then 15-23 February are the holiday, Saturday 28 February works.
    assert expected == (D(2026, 2, 14), D(2026, 2, 27), D(2026, 3, 12))
    assert D(2026, 2, 14).weekday() == 5 and D(2026, 2, 28).weekday() == 5


def test_a_late_evening_request_counts_from_the_local_day(tree, member_a):
    # 23:30 in Beijing on 30 September is still 30 September, though it is 15:30 UTC.
    case, _code = submit(member_a, employer_org=tree.grassroots_a, when=at(2026, 9, 30, 23))
    assert case.received_on == D(2026, 9, 30) and case.ack_due == D(2026, 10, 8)


def test_a_year_without_an_official_schedule_gives_provisional_weekday_deadlines(tree, member_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a, when=at(2028, 4, 28))  # a Friday
    assert case.due_provisional
    assert (case.ack_due, case.respond_due) == (D(2028, 5, 1), D(2028, 5, 5))  # weekdays only


def test_a_deadline_running_into_an_unscheduled_year_is_provisional(tree, member_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a, when=at(2026, 12, 21))
    assert case.ack_due.year == 2026 and case.conclude_due.year == 2027
    assert case.due_provisional


def test_an_entered_schedule_replaces_the_guess_once_the_year_is_official(tree, member_a):
    WorkdayOverride.objects.bulk_create(
        [WorkdayOverride(day=D(2028, 5, d), is_workday=False, name="劳动节") for d in range(1, 6)]
        + [WorkdayOverride(day=D(2028, 4, 29), is_workday=True, name="劳动节调休")]  # a Saturday
    )
    entered, _c = submit(member_a, employer_org=tree.grassroots_a, when=at(2028, 4, 28))
    # Saturday 29 April works, 30 April is a Sunday, 1-5 May are the holiday, 6-7 May the weekend.
    assert (entered.ack_due, entered.respond_due) == (D(2028, 4, 29), D(2028, 5, 11))
    assert entered.due_provisional  # entered days are used, but the year is not complete yet
    ScheduleYear.objects.create(year=2028)
    official, _c = submit(member_a, employer_org=tree.grassroots_a, when=at(2028, 4, 28))
    assert (official.ack_due, official.respond_due) == (D(2028, 4, 29), D(2028, 5, 11))
    assert not official.due_provisional


def test_a_service_level_applies_to_the_subtree_and_the_nearest_wins(tree, district_cadre_a):
    assert sel.level_for(tree.grassroots_a, "contract") == rules.DEFAULT_LEVEL == (1, 5, 15)
    assert sel.level_for(tree.grassroots_a, "wages") == (1, 3, 15)
    svc.service_level_set(
        actor=district_cadre_a, org=tree.district_a, category="contract", ack_workdays=2, respond_workdays=4,
        conclude_workdays=10,
    )  # fmt: skip
    assert sel.level_for(tree.grassroots_a, "contract") == (2, 4, 10)
    assert sel.level_for(tree.district_a, "contract") == (2, 4, 10)
    assert sel.level_for(tree.grassroots_b, "contract") == (1, 5, 15)  # another district
    assert sel.level_for(tree.grassroots_a, "wages") == (1, 3, 15)  # another category
    svc.service_level_set(
        actor=district_cadre_a, org=tree.street_a, category="contract", ack_workdays=1, respond_workdays=2,
        conclude_workdays=5,
    )  # fmt: skip
    assert sel.level_for(tree.grassroots_a, "contract") == (1, 2, 5)
    assert sel.level_for(tree.district_a, "contract") == (2, 4, 10)
    assert svc.deadlines(tree.grassroots_a, "contract", D(2026, 11, 2)) == (
        D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 9), False
    )  # fmt: skip
    svc.service_level_set(
        actor=district_cadre_a, org=tree.street_a, category="contract", ack_workdays=1, respond_workdays=3,
        conclude_workdays=6,
    )  # fmt: skip
    assert ServiceLevel.objects.filter(org=tree.street_a).count() == 1  # updated, not added
    assert sel.level_for(tree.grassroots_a, "contract") == (1, 3, 6)


@pytest.mark.parametrize("days", [(2, 1, 5), (1, 5, 4), (0, 1, 2), (1, 2, 121)])
def test_service_levels_out_of_order_are_refused(tree, district_cadre_a, days):
    with pytest.raises(ServiceError) as err:
        svc.service_level_set(
            actor=district_cadre_a, org=tree.district_a, category="wages", ack_workdays=days[0],
            respond_workdays=days[1], conclude_workdays=days[2],
        )  # fmt: skip
    assert err.value.code == "invalid_levels"
    assert not ServiceLevel.objects.exists()


def test_only_a_union_administrator_sets_its_service_levels(tree, chair_a, handler_a2):
    with pytest.raises(NotFound):
        svc.service_level_set(
            actor=chair_a, org=tree.district_a, category="wages", ack_workdays=1, respond_workdays=2,
            conclude_workdays=3,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        svc.service_level_set(
            actor=handler_a2, org=tree.grassroots_a, category="wages", ack_workdays=1, respond_workdays=2,
            conclude_workdays=3,
        )  # fmt: skip


# --- the sweep: reminders and escalation ------------------------------------------------------------------------


@pytest.fixture
def fresh(tree, member_a) -> Case:
    """An untouched request at grassroots union A received Monday 2 November 2026 (contract: 1, 5, 15 days):
    acknowledge by Tuesday 3, respond by Monday 9, conclude by Monday 23 November."""
    case, _code = submit(member_a, employer_org=tree.grassroots_a)
    assert (case.ack_due, case.respond_due, case.conclude_due) == (
        D(2026, 11, 3),
        D(2026, 11, 9),
        D(2026, 11, 23),
    )
    return case


def events(case: Case, kind: str) -> list[str]:
    return list(CaseEvent.objects.filter(case=case, kind=kind).values_list("stage", flat=True))


def test_it_reminds_once_a_working_day_before_each_deadline(fresh, chair_a):
    got = {}
    for offset in range(0, 22):
        day = D(2026, 11, 2) + datetime.timedelta(days=offset)
        if day == D(2026, 11, 3):
            with travel(at(2026, 11, 3)):
                svc.case_acknowledge(actor=chair_a, case=fresh)
        if day == D(2026, 11, 9):
            with travel(at(2026, 11, 9)):
                svc.case_record(actor=chair_a, case=fresh, kind="response", text="正在协调")
        got[day] = svc.cases_sweep(today=day)
    reminded_on = [d for d, r in got.items() if r["reminded"]]
    # Monday 2 (ack due Tuesday), Friday 6 (respond due Monday 9), Friday 20 (conclude due Monday 23).
    assert reminded_on == [D(2026, 11, 2), D(2026, 11, 6), D(2026, 11, 20)]
    assert all(r["escalated"] == 0 for r in got.values())
    assert events(fresh, "reminded") == ["ack", "respond", "conclude"]
    assert Notice.objects.filter(user=chair_a, text__contains="2026-11-23").count() == 1  # to the handler


def test_the_union_sets_how_early_it_is_reminded(tree, fresh, district_cadre_a):
    svc.rights_policy_set(
        actor=district_cadre_a, org=tree.district_a, remind_workdays_before=3, reopen_days=30
    )
    assert svc.cases_sweep(today=D(2026, 11, 3)) == {"reminded": 1, "escalated": 0}  # ack, due today
    assert svc.cases_sweep(today=D(2026, 11, 4)) == {
        "reminded": 1,
        "escalated": 1,
    }  # respond 3 days out; ack late
    assert events(fresh, "reminded") == ["ack", "respond"]


def test_it_escalates_an_overdue_stage_to_the_parent_union_once(
    tree, fresh, chair_a, street_handler, district_cadre_a
):
    assert svc.cases_sweep(today=D(2026, 11, 3)) == {"reminded": 1, "escalated": 0}
    assert svc.cases_sweep(today=D(2026, 11, 4)) == {"reminded": 0, "escalated": 1}
    assert svc.cases_sweep(today=D(2026, 11, 4)) == {"reminded": 0, "escalated": 0}  # idempotent
    assert svc.cases_sweep(today=D(2026, 11, 5)) == {"reminded": 0, "escalated": 0}
    fresh.refresh_from_db()
    assert (fresh.escalated, fresh.escalated_to) == ("ack", tree.street_a)
    event = CaseEvent.objects.get(case=fresh, kind="escalated")
    assert (event.stage, event.org) == ("ack", tree.street_a)
    assert Notice.objects.filter(user=street_handler, text__contains=fresh.number).count() == 1
    assert not Notice.objects.filter(user=district_cadre_a).exists()  # the parent union only, not every level
    # The union's own cadres hear of it too (the chair took office after the request came in): the reminder
    # and the escalation.
    assert Notice.objects.filter(user=chair_a, text__contains=fresh.number).count() == 2
    # The union above now sees the request in its queue.
    assert sel.case_get(actor=street_handler, case_id=fresh.pk) == fresh
    # Audited per sweep chunk (decisions.md §14), naming the request, the stage and the union above.
    swept = [r.data for r in AuditRecord.objects.filter(action="gonghui.rights.case.swept")]
    assert [a for d in swept for a in d["actions"] if a[1] == "escalate"] == [
        [fresh.pk, "escalate", "ack", tree.street_a.pk]
    ]


def test_running_the_sweep_twice_does_nothing_more(fresh):
    for day in (D(2026, 11, 2), D(2026, 11, 10), D(2026, 12, 1)):
        first = svc.cases_sweep(today=day)
        counts = (Notice.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count())
        assert svc.cases_sweep(today=day) == {"reminded": 0, "escalated": 0}, first
        assert (Notice.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count()) == counts


def test_it_escalates_each_overdue_stage_once_after_downtime(fresh, street_handler):
    # The scheduler was down from the day of receipt until December: one run catches up on all three stages.
    assert svc.cases_sweep(today=D(2026, 12, 1)) == {"reminded": 0, "escalated": 3}
    assert svc.cases_sweep(today=D(2026, 12, 2)) == {"reminded": 0, "escalated": 0}
    assert sorted(events(fresh, "escalated")) == ["ack", "conclude", "respond"]
    fresh.refresh_from_db()
    assert fresh.escalated == "ack,respond,conclude"
    assert Notice.objects.filter(user=street_handler).count() == 3


def test_downtime_across_two_deadlines_escalates_only_the_passed_ones(fresh):
    assert svc.cases_sweep(today=D(2026, 11, 10)) == {"reminded": 0, "escalated": 2}  # ack and respond
    assert svc.cases_sweep(today=D(2026, 11, 20)) == {"reminded": 1, "escalated": 0}  # conclude is Monday
    assert svc.cases_sweep(today=D(2026, 11, 24)) == {"reminded": 0, "escalated": 1}
    assert sorted(events(fresh, "escalated")) == ["ack", "conclude", "respond"]


def test_a_stage_completed_in_time_is_never_escalated(fresh, chair_a):
    with travel(at(2026, 11, 3, 17)):  # on the deadline day itself
        svc.case_acknowledge(actor=chair_a, case=fresh)
    with travel(at(2026, 11, 9, 18)):
        svc.case_record(actor=chair_a, case=fresh, kind="response", text="已约谈公司")
    for offset in range(2, 23):  # through Tuesday 24 November, the day after the conclusion deadline
        svc.cases_sweep(today=D(2026, 11, 2) + datetime.timedelta(days=offset))
    assert events(fresh, "escalated") == ["conclude"]
    fresh.refresh_from_db()
    assert fresh.escalated == "conclude"


def test_a_request_closed_in_time_is_never_escalated(fresh, chair_a):
    with travel(at(2026, 11, 3)):
        svc.case_acknowledge(actor=chair_a, case=fresh)
    with travel(at(2026, 11, 23, 17)):
        svc.case_close(actor=chair_a, case=fresh, outcome="resolved", summary="公司补签合同")
    assert svc.cases_sweep(today=D(2026, 12, 31)) == {"reminded": 0, "escalated": 0}
    assert events(fresh, "escalated") == []


def test_a_reopened_request_gets_a_fresh_conclusion_deadline_and_escalation(fresh, chair_a):
    assert svc.cases_sweep(today=D(2026, 11, 24))["escalated"] == 3
    with travel(at(2026, 11, 25)):
        svc.case_acknowledge(actor=chair_a, case=fresh)
        svc.case_close(actor=chair_a, case=fresh, outcome="resolved", summary="已解决")
    with travel(at(2026, 11, 26)):
        case = svc.case_reopen(case=fresh, reason="没有解决")
    assert case.escalated == "ack,respond" and case.conclude_due == nth_workday(D(2026, 11, 26), 15)
    assert svc.cases_sweep(today=case.conclude_due + datetime.timedelta(days=1)) == {
        "reminded": 0,
        "escalated": 1,
    }
    assert events(case, "escalated").count("conclude") == 2  # once per closing


def test_an_escalation_at_the_root_has_no_parent_and_still_tells_the_union(tree, national_admin):
    root_case = Case.objects.create(
        number="WQROOT",
        channel="portal",
        category="other",
        follow_code_hash="root",
        description="全国层面的诉求测试。",
        org=tree.national,
        route_code="local",
        received_at=at(2026, 11, 2),
        received_on=D(2026, 11, 2),
        ack_due=D(2026, 11, 3),
        respond_due=D(2026, 11, 9),
        conclude_due=D(2026, 11, 23),
    )
    assert svc.cases_sweep(today=D(2026, 11, 4)) == {"reminded": 0, "escalated": 1}
    root_case.refresh_from_db()
    assert root_case.escalated_to is None
    assert Notice.objects.filter(user=national_admin, text__contains="WQROOT").exists()


# --- the pure rule -------------------------------------------------------------------------------------------


def calendar_days(a: D, b: D) -> int:
    return max(0, (b - a).days)


def clock(**kw) -> rules.CaseClock:
    values = {
        "due": {"ack": D(2026, 1, 10), "respond": D(2026, 1, 15), "conclude": D(2026, 1, 30)},
        "done": set(),
        "reminded": set(),
        "escalated": set(),
    }
    values.update(kw)
    return rules.CaseClock(**values)


def test_stage_actions_remind_within_the_window_and_escalate_after_the_deadline():
    act = rules.stage_actions
    assert act(clock(), D(2026, 1, 1), remind_before=1, workdays_between=calendar_days) == []
    assert act(clock(), D(2026, 1, 9), remind_before=1, workdays_between=calendar_days) == [("ack", "remind")]
    assert act(clock(), D(2026, 1, 10), remind_before=0, workdays_between=calendar_days) == [
        ("ack", "remind")
    ]
    assert act(clock(), D(2026, 1, 11), remind_before=1, workdays_between=calendar_days) == [
        ("ack", "escalate")
    ]
    assert act(clock(), D(2026, 1, 14), remind_before=1, workdays_between=calendar_days) == [
        ("ack", "escalate"), ("respond", "remind")
    ]  # fmt: skip
    assert act(clock(), D(2026, 2, 1), remind_before=1, workdays_between=calendar_days) == [
        ("ack", "escalate"), ("respond", "escalate"), ("conclude", "escalate")
    ]  # fmt: skip


def test_stage_actions_act_once_and_never_on_a_done_stage():
    act = rules.stage_actions
    done = clock(done={"ack", "respond"})
    assert act(done, D(2026, 2, 1), remind_before=1, workdays_between=calendar_days) == [
        ("conclude", "escalate")
    ]
    once = clock(escalated={"ack", "respond"}, reminded={"conclude"})
    assert act(once, D(2026, 1, 29), remind_before=5, workdays_between=calendar_days) == []
    assert act(once, D(2026, 1, 31), remind_before=5, workdays_between=calendar_days) == [
        ("conclude", "escalate")
    ]
    # An escalated stage is not reminded afterwards, even if its deadline were moved later.
    moved = clock(
        escalated={"ack"}, due={"ack": D(2026, 2, 5), "respond": D(2026, 2, 6), "conclude": D(2026, 2, 7)}
    )
    assert ("ack", "remind") not in act(moved, D(2026, 2, 5), remind_before=1, workdays_between=calendar_days)


def test_stage_actions_count_the_reminder_window_with_the_given_calendar():
    seen: list[tuple[D, D]] = []

    def fake(a: D, b: D) -> int:
        seen.append((a, b))
        return 2

    assert rules.stage_actions(clock(), D(2026, 1, 8), remind_before=1, workdays_between=fake) == []
    assert rules.stage_actions(clock(), D(2026, 1, 8), remind_before=2, workdays_between=fake) == [
        ("ack", "remind"), ("respond", "remind"), ("conclude", "remind")
    ]  # fmt: skip
    assert (D(2026, 1, 8), D(2026, 1, 10)) in seen


def test_the_stage_memory_round_trips_in_stage_order():
    assert rules.stage_text({"conclude", "ack"}) == "ack,conclude"
    assert rules.stage_set("ack,conclude") == {"ack", "conclude"} and rules.stage_set("") == set()


# --- anonymous follow-up -------------------------------------------------------------------------------------


def test_the_follow_up_code_finds_the_request_and_is_not_stored(tree):
    case, code = submit(None, anonymous=True, employer_org=tree.grassroots_a)
    assert len(code) == 11 and code[5] == "-"
    raw = code.replace("-", "")
    for variant in (code, code.lower(), raw, raw.lower(), f" {code[:3]} {code[3:]} "):
        assert sel.case_by_code(code=variant) == case, variant
    assert case.follow_code_hash not in (code, raw) and raw not in case.follow_code_hash
    wrong = ("2" if raw[0] != "2" else "3") + raw[1:]
    assert sel.case_by_code(code=wrong) is None
    assert sel.case_by_code(code="") is None and sel.case_by_code(code=code * 5) is None


def test_every_request_gets_its_own_code(tree):
    codes = {submit(None, anonymous=True, employer_org=tree.grassroots_a)[1] for _i in range(5)}
    assert len(codes) == 5


def test_an_anonymous_request_keeps_no_trace_of_who_made_it(tree, member_a):
    case, _code = submit(
        member_a,
        anonymous=True,
        employer_org=tree.grassroots_a,
        contact_name="张伟",
        contact_mobile="13900000001",
    )
    case.refresh_from_db()
    assert (case.requester, case.contact_name, case.contact_mobile) == (None, "", "")
    assert not case.contact_mobile_index
    assert not Notice.objects.filter(user=member_a).exists()
    assert not sel.cases_of(user=member_a).exists()
    with travel(at(2026, 11, 3)):
        svc.case_withdraw(case=case, reason="不想追究了")
    records = AuditRecord.objects.filter(object_type="rights.case", object_id=str(case.pk))
    assert records.count() == 2  # submitted, withdrawn
    for record in records:
        assert record.actor_id is None and record.actor_label == "anonymous"
        assert "张伟" not in str(record.data) and "13900000001" not in str(record.data)
    assert not AuditRecord.objects.filter(actor=member_a).exists()
    assert not CaseEvent.objects.filter(case=case, actor__isnull=False).exists()


def test_the_anonymous_worker_rates_and_reopens_by_code_without_being_named(tree, chair_a):
    case, code = submit(None, anonymous=True, employer_org=tree.grassroots_a, workers_affected=1)
    street_chair = make_user("13800000033", "街道主席", Role.ORG_ADMIN, tree.street_a)
    with travel(at(2026, 11, 3)):
        svc.case_acknowledge(actor=street_chair, case=case)
        svc.case_close(actor=street_chair, case=case, outcome="resolved", summary="已协调")
    found = sel.case_by_code(code=code)
    svc.case_rate(case=found, rating=5)
    with travel(at(2026, 11, 4)):
        svc.case_reopen(case=found, reason="又欠薪了")
    labels = set(
        AuditRecord.objects.filter(object_id=str(case.pk), action__in=[
            "gonghui.rights.case.rated", "gonghui.rights.case.reopened"
        ]).values_list("actor_label", flat=True)
    )  # fmt: skip
    assert labels == {"anonymous"}


def test_a_named_request_keeps_the_contact_encrypted_and_audits_the_worker(tree, member_a):
    case, _code = submit(member_a, employer_org=tree.grassroots_a, contact_mobile="")
    case.refresh_from_db()
    assert case.contact_mobile == "13900000001" and case.contact_name == "张伟"  # from the account
    assert (
        AuditRecord.objects.get(action="gonghui.rights.case.submitted", object_id=str(case.pk)).actor
        == member_a
    )
    assert list(Case.objects.filter(contact_mobile_index=case.contact_mobile_index)) == [case]


# --- statistics --------------------------------------------------------------------------------------------


def test_statistics_roll_child_unions_up_and_count_on_time_and_satisfaction(
    tree, member_a, chair_a, district_cadre_a, street_handler
):
    # 1. grassroots A, concluded on time in 3 days, rated 4.
    quick, _c = submit(member_a, employer_org=tree.grassroots_a, category="wages", when=at(2026, 11, 2))
    with travel(at(2026, 11, 5)):
        svc.case_acknowledge(actor=chair_a, case=quick)
        svc.case_close(actor=chair_a, case=quick, outcome="resolved", summary="已补发")
    svc.case_rate(case=quick, rating=4)
    # 2. grassroots A, open and overdue.
    submit(member_a, employer_org=tree.grassroots_a, category="contract", when=at(2026, 11, 2))
    # 3. street A (anonymous report), concluded late after 25 days, rated 2.
    late, _c = submit(
        None, anonymous=True, employer_org=tree.grassroots_a, category="wages", when=at(2026, 11, 2)
    )
    with travel(at(2026, 11, 27)):
        svc.case_acknowledge(actor=street_handler, case=late)
        svc.case_close(actor=street_handler, case=late, outcome="arbitration", summary="转仲裁")
    svc.case_rate(case=late, rating=2)
    # 4. district A itself (collective), open, not yet due.
    submit(
        member_a, employer_org=tree.grassroots_a, category="wages", workers_affected=30, when=at(2026, 11, 26)
    )
    # 5. district B: not counted.
    submit(member_a, work_division_code="330108", when=at(2026, 11, 2))

    s = sel.case_stats(actor=district_cadre_a, org=tree.district_a, today=D(2026, 11, 27))
    assert (s.total, s.open, s.overdue, s.closed, s.on_time, s.rated) == (4, 2, 1, 2, 1, 2)
    assert s.on_time_rate == 50.0
    assert s.rating_avg == 3.0
    assert s.handling_days_avg == 14.0  # (3 + 25) / 2
    assert s.by_category == [(str(Category.WAGES.label), 3), (str(Category.CONTRACT.label), 1)]
    by_union = {org: (n, open_) for org, n, open_ in s.by_union}
    assert by_union[tree.street_a] == (3, 1)  # grassroots A's two under street A, with street A's own
    assert by_union[tree.district_a] == (1, 1)
    assert tree.grassroots_b not in by_union and tree.district_b not in by_union
    # Asking at street A: grassroots A's requests count under grassroots A.
    street = sel.case_stats(actor=district_cadre_a, org=tree.street_a, today=D(2026, 11, 27))
    assert {org: n for org, n, _o in street.by_union} == {tree.grassroots_a: 2, tree.street_a: 1}
    # Since a date: only what was received from then on.
    recent = sel.case_stats(
        actor=district_cadre_a, org=tree.district_a, since=D(2026, 11, 20), today=D(2026, 11, 27)
    )
    assert recent.total == 1


def test_a_withdrawn_request_counts_as_closed_but_not_as_handled_in_time(
    tree, member_a, chair_a, district_cadre_a
):
    handled, _c = submit(member_a, employer_org=tree.grassroots_a, when=at(2026, 11, 2))
    with travel(at(2026, 11, 30)):  # a week after the conclusion deadline of 23 November
        svc.case_acknowledge(actor=chair_a, case=handled)
        svc.case_close(actor=chair_a, case=handled, outcome="resolved", summary="已解决")
    withdrawn, _c = submit(member_a, employer_org=tree.grassroots_a, when=at(2026, 11, 2))
    with travel(at(2026, 11, 3)):
        svc.case_withdraw(case=withdrawn, reason="私下解决了")
    s = sel.case_stats(actor=district_cadre_a, org=tree.district_a, today=D(2026, 12, 1))
    assert (s.closed, s.on_time) == (2, 0)
    # The worker's withdrawal says nothing about the union's handling: not "on time", not a handling time.
    assert s.on_time_rate == 0.0
    assert s.handling_days_avg == 28.0


def test_statistics_of_an_empty_union(tree, district_cadre_a):
    s = sel.case_stats(actor=district_cadre_a, org=tree.district_a, today=D(2026, 11, 27))
    assert (s.total, s.on_time_rate, s.rating_avg, s.handling_days_avg, s.by_union) == (
        0,
        None,
        None,
        None,
        [],
    )


# --- a simulated year ------------------------------------------------------------------------------------------


def _load_simulation():
    path = Path(__file__).resolve().parent.parent / "bench" / "rights_year.py"
    spec = importlib.util.spec_from_file_location("rights_year", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["rights_year"] = module
    spec.loader.exec_module(module)
    return module


def test_a_simulated_year_misses_no_escalation(tree, joint_a, street_handler):
    """A few thousand requests received over a year (June 2025 to May 2026), handled in time, late or never,
    swept day by day with random downtimes: every stage that was unfinished at the first sweep after its
    deadline is escalated exactly once, no stage done in time is escalated, and every stage that a sweep found
    unfinished within a working day of its deadline was reminded exactly once."""
    sim = _load_simulation()
    orgs = [tree.grassroots_a, tree.grassroots_b, tree.street_a, joint_a, tree.district_a]
    plans, days, run = sim.simulate([o.pk for o in orgs], 500, seed=7)
    result = sim.check(plans, days)
    assert result.mismatches == []
    assert run.escalated == result.must_escalate > 300 and run.reminded == result.must_remind > 300
    assert result.done_in_time > 300
    assert len(days) < (days[-1] - days[0]).days + 1  # there was downtime
    # Every request was routed to a union that exists; every escalation went to the parent union.
    parents = {o.pk: o.parent_id for o in orgs}
    escalated = Case.objects.exclude(escalated="").values_list("org_id", "escalated_to_id")
    assert escalated and all(to == parents[org] for org, to in escalated)
