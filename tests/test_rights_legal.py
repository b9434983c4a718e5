"""Legal aid and mediation (DOMAIN §4): the lawyer roster of a union and the unions below it, a request that
becomes a legal-aid case with a lawyer, a record, stages and a result; mediation committees, mediators and
mediations with parties, sessions, the 15-day limit and the arbitration limitation date (law, in rules.py),
the agreement signed by both parties and the mediator, printed as a PDF; the sweep that warns and then tells
the parties once; the console pages, the portal and the API, each refusing the wrong union (404) and the wrong
role (403)."""

from __future__ import annotations

import datetime
import json
import re
import zlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from gonghui.accounts.sms import LoggingSender
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.orgs.models import Role
from gonghui.rights import rules, services
from gonghui.rights.documents import mediation_agreement_html, mediation_agreement_pdf
from gonghui.rights.models import (
    CaseEvent,
    Lawyer,
    LegalAid,
    LegalAidEntry,
    LegalStage,
    Mediation,
    MediationCommittee,
    MediationStatus,
)
from gonghui.rights.services import PartyInput

from .conftest import CastClient, make_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
TODAY = MONDAY.date()
EMPLOYER_USCC = "91330106MA2GL1234X"


@pytest.fixture
def frozen():
    """Monday 2 November 2026, 10:00 in Shanghai; tests move it on with traveller.shift()."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    return LoggingSender.outbox


@pytest.fixture
def handler_a(tree):
    """A case handler at district A: handles requests, legal aid and mediation there, nothing else."""
    return make_user("13800000020", "赵维权", Role.CASE_HANDLER, tree.district_a)


def _uscc() -> str:
    from gonghui.core.identifiers import uscc_with_check

    return uscc_with_check("91330106MA2GL1234")


def submit(user=None, *, division="330106", mobile="13912345678"):
    data = services.CaseInput(
        category="wages",
        description="公司已经三个月没有发工资了，一共拖欠两万多元。",
        work_division_code=division,
        employer_name="西溪科技有限公司",
        contact_name="" if user else "王快递",
        contact_mobile="" if user else mobile,
    )
    case, _code = services.case_submit(user=user, data=data)
    return case


def parties(worker_phone="13911112222", employer_phone="0571-88886666"):
    return [
        PartyInput(side="worker", name="王快递", phone=worker_phone),
        PartyInput(
            side="employer",
            name="西溪科技有限公司",
            uscc=_uscc(),
            representative="孙经理",
            phone=employer_phone,
        ),
    ]


def committee(actor, org, **kw):
    return services.committee_add(
        actor=actor,
        org=org,
        name=kw.pop("name", "西湖区劳动争议调解委员会"),
        kind=kw.pop("kind", "regional"),
        **kw,
    )


def open_mediation(actor, org, *, case=None, received_on=None, known_on=None, with_mediator=True, **kw):
    com = kw.pop("com", None) or committee(actor, org)
    mediator = services.mediator_add(actor=actor, committee=com, name="冯调解") if with_mediator else None
    return services.mediation_open(
        actor=actor,
        committee=com,
        subject=kw.pop("subject", "拖欠三个月工资共计两万元，要求支付。"),
        parties=kw.pop("parties", parties()),
        known_on=known_on or (received_on or TODAY) - datetime.timedelta(days=30),
        received_on=received_on,
        case=case,
        mediator=mediator,
    )


def error_code(call):
    with pytest.raises(ServiceError) as info:
        call()
    return info.value.code


# --- the law, in rules.py ---------------------------------------------------------------------------------------


def test_the_mediation_limit_is_fifteen_calendar_days_from_receipt():
    assert rules.mediation_due(datetime.date(2026, 11, 2)) == datetime.date(2026, 11, 17)
    # Across the end of a month and of a year; holidays and weekends count (calendar days, art. 14).
    assert rules.mediation_due(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 15)
    assert rules.mediation_due(datetime.date(2026, 12, 31)) == datetime.date(2027, 1, 15)
    assert rules.mediation_due(datetime.date(2024, 2, 29)) == datetime.date(2024, 3, 15)
    assert rules.mediation_due(datetime.date(2026, 9, 30)) == datetime.date(2026, 10, 15)  # over National Day


def test_the_limitation_is_one_year_and_29_february_ends_on_28_february():
    assert rules.arbitration_limitation(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)
    assert rules.arbitration_limitation(datetime.date(2025, 3, 1)) == datetime.date(2026, 3, 1)
    assert rules.arbitration_limitation(datetime.date(2023, 2, 28)) == datetime.date(2024, 2, 28)
    assert rules.arbitration_limitation(datetime.date(2026, 12, 31)) == datetime.date(2027, 12, 31)


@pytest.mark.parametrize(
    ("today", "warned", "told", "expected"),
    [
        (datetime.date(2026, 11, 14), False, False, ""),  # three days before: nothing yet
        (datetime.date(2026, 11, 15), False, False, "warn"),  # two days before
        (datetime.date(2026, 11, 15), True, False, ""),  # warned once only
        (datetime.date(2026, 11, 17), True, False, ""),  # the last day is still in time
        (datetime.date(2026, 11, 18), True, False, "tell"),
        (datetime.date(2026, 11, 18), False, False, "tell"),  # after downtime: no late warning, the notice
        (datetime.date(2026, 12, 30), True, True, ""),  # told once only
    ],
)
def test_the_sweep_rule_warns_then_tells_once(today, warned, told, expected):
    due = datetime.date(2026, 11, 17)
    assert (
        rules.mediation_action(today=today, due_on=due, warn_days_before=2, warned=warned, told=told)
        == expected
    )


# --- the lawyer roster --------------------------------------------------------------------------------------------


def test_a_roster_is_kept_by_case_handlers_and_refused_elsewhere(
    tree, district_cadre_a, district_cadre_b, viewer_a
):
    lawyer = services.lawyer_add(
        actor=district_cadre_a,
        org=tree.district_a,
        name="林律师",
        firm="浙江某某律师事务所",
        phone="0571-1234567",
    )
    assert lawyer.active and lawyer.org == tree.district_a
    assert AuditRecord.objects.filter(action="gonghui.rights.legal_aid.lawyer_added").exists()
    services.lawyer_update(
        actor=district_cadre_a, lawyer=lawyer, name="林律师", firm="新所", specialties="劳动争议"
    )
    lawyer.refresh_from_db()
    assert lawyer.firm == "新所"
    assert error_code(lambda: services.lawyer_add(actor=district_cadre_a, org=tree.district_a, name=" ")) == (
        "name_required"
    )
    assert error_code(
        lambda: services.lawyer_add(actor=district_cadre_a, org=tree.district_a, name="x", phone="call me")
    ) == ("invalid_phone")
    with pytest.raises(NotFound):
        services.lawyer_add(actor=district_cadre_b, org=tree.district_a, name="钱律师")
    with pytest.raises(PermissionDenied):
        services.lawyer_add(actor=viewer_a, org=tree.district_a, name="钱律师")
    with pytest.raises(NotFound):
        services.lawyer_deactivate(actor=district_cadre_b, lawyer=lawyer)
    services.lawyer_deactivate(actor=district_cadre_a, lawyer=lawyer)
    lawyer.refresh_from_db()
    assert not lawyer.active
    services.lawyer_reactivate(actor=district_cadre_a, lawyer=lawyer)
    lawyer.refresh_from_db()
    assert lawyer.active


# --- legal aid -------------------------------------------------------------------------------------------------------


def test_a_request_becomes_legal_aid_once_with_a_lawyer_from_its_own_or_an_ancestors_roster(
    tree, member_a, district_cadre_a, province_cadre, chair_b, sms
):
    case = submit(member_a)
    own = services.lawyer_add(actor=district_cadre_a, org=tree.district_a, name="林律师", firm="西湖律所")
    above = services.lawyer_add(actor=province_cadre, org=tree.province, name="省律师", firm="省法援中心")
    below = services.lawyer_add(actor=district_cadre_a, org=tree.street_a, name="街道律师")
    elsewhere = services.lawyer_add(actor=chair_b, org=tree.grassroots_b, name="外区律师")
    aid = services.legal_aid_open(actor=district_cadre_a, case=case, amount_claimed="21000.50")
    assert aid.stage == LegalStage.CONSULTATION and aid.amount_claimed == Decimal("21000.50")
    assert (
        error_code(lambda: services.legal_aid_open(actor=district_cadre_a, case=case)) == "legal_aid_exists"
    )
    for wrong in (below, elsewhere):
        assert error_code(
            lambda wrong=wrong: services.legal_aid_assign(actor=district_cadre_a, aid=aid, lawyer=wrong)
        ) == ("lawyer_not_allowed")
    services.legal_aid_assign(actor=district_cadre_a, aid=aid, lawyer=own)
    assert error_code(lambda: services.legal_aid_assign(actor=district_cadre_a, aid=aid, lawyer=own)) == (
        "same_lawyer"
    )
    services.legal_aid_assign(actor=district_cadre_a, aid=aid, lawyer=above, note="疑难案件")
    aid.refresh_from_db()
    assert aid.lawyer == above
    services.lawyer_deactivate(actor=district_cadre_a, lawyer=own)
    assert error_code(lambda: services.legal_aid_assign(actor=district_cadre_a, aid=aid, lawyer=own)) == (
        "lawyer_not_allowed"
    )
    kinds = list(aid.entries.values_list("kind", flat=True))
    assert kinds == ["stage", "lawyer", "lawyer"]
    worker_notes = list(
        case.events.filter(kind=CaseEvent.Kind.LEGAL_AID, visible_to_worker=True).values_list(
            "note", flat=True
        )
    )
    assert len(worker_notes) == 3 and "省律师" in worker_notes[-1]
    assert Notice.objects.filter(user=member_a, text__contains="省律师").exists()
    assert set(
        AuditRecord.objects.filter(action__startswith="gonghui.rights.legal_aid.").values_list(
            "action", flat=True
        )
    ) >= {"gonghui.rights.legal_aid.opened", "gonghui.rights.legal_aid.assigned"}


def test_legal_aid_is_refused_outside_scope_for_the_wrong_role_and_for_a_withdrawn_request(
    tree, member_a, district_cadre_b, viewer_a, district_cadre_a
):
    case = submit(member_a)
    with pytest.raises(NotFound):
        services.legal_aid_open(actor=district_cadre_b, case=case)
    with pytest.raises(PermissionDenied):
        services.legal_aid_open(actor=viewer_a, case=case)
    services.case_withdraw(case=case)
    assert error_code(lambda: services.legal_aid_open(actor=district_cadre_a, case=case)) == "case_withdrawn"
    assert not LegalAid.objects.exists()


def test_the_record_takes_dated_entries_and_a_hearing_may_be_ahead(frozen, tree, member_a, district_cadre_a):
    case = submit(member_a)
    aid = services.legal_aid_open(actor=district_cadre_a, case=case)
    services.legal_aid_record(
        actor=district_cadre_a, aid=aid, kind="consultation", on_date=TODAY, note="当面咨询，梳理证据"
    )
    services.legal_aid_record(
        actor=district_cadre_a, aid=aid, kind="drafting", on_date=TODAY, note="起草仲裁申请书"
    )
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert error_code(
        lambda: services.legal_aid_record(
            actor=district_cadre_a, aid=aid, kind="drafting", on_date=tomorrow, note="x"
        )
    ) == ("date_in_future")
    services.legal_aid_record(
        actor=district_cadre_a,
        aid=aid,
        kind="hearing",
        on_date=TODAY + datetime.timedelta(days=20),
        note="仲裁开庭",
    )
    assert error_code(
        lambda: services.legal_aid_record(
            actor=district_cadre_a, aid=aid, kind="result", on_date=TODAY, note="x"
        )
    ) == ("invalid_kind")
    assert error_code(
        lambda: services.legal_aid_record(
            actor=district_cadre_a, aid=aid, kind="note", on_date=TODAY, note=" "
        )
    ) == ("text_required")
    entries = list(aid.entries.values_list("kind", "on_date"))
    assert entries[1:] == [
        ("consultation", TODAY),
        ("drafting", TODAY),
        ("hearing", TODAY + datetime.timedelta(days=20)),
    ]
    assert Notice.objects.filter(user=member_a, text__contains="2026-11-22").exists()


def test_stages_move_forward_and_back_only_with_a_note(tree, member_a, district_cadre_a):
    case = submit(member_a)
    aid = services.legal_aid_open(actor=district_cadre_a, case=case)
    services.legal_aid_stage(actor=district_cadre_a, aid=aid, stage="arbitration")
    services.legal_aid_stage(actor=district_cadre_a, aid=aid, stage="second_instance")  # may skip forward
    assert error_code(
        lambda: services.legal_aid_stage(actor=district_cadre_a, aid=aid, stage="first_instance")
    ) == ("note_required")
    assert error_code(
        lambda: services.legal_aid_stage(actor=district_cadre_a, aid=aid, stage="second_instance")
    ) == ("same_stage")
    assert error_code(lambda: services.legal_aid_stage(actor=district_cadre_a, aid=aid, stage="appeal")) == (
        "invalid_stage"
    )
    services.legal_aid_stage(actor=district_cadre_a, aid=aid, stage="first_instance", note="二审发回重审")
    aid.refresh_from_db()
    assert aid.stage == "first_instance"
    stage_notes = list(aid.entries.filter(kind="stage").values_list("note", flat=True))
    assert "二审发回重审" in stage_notes[-1]
    back = AuditRecord.objects.filter(action="gonghui.rights.legal_aid.staged").order_by("seq").last()
    assert back.data["back"] is True and back.data["after"] == "first_instance"


def test_closing_records_the_result_and_amounts_and_ends_the_case(tree, member_a, district_cadre_a):
    case = submit(member_a)
    aid = services.legal_aid_open(actor=district_cadre_a, case=case, amount_claimed=20000)
    assert error_code(
        lambda: services.legal_aid_close(actor=district_cadre_a, aid=aid, result="won", amount_recovered="-1")
    ) == ("invalid_amount")
    assert error_code(
        lambda: services.legal_aid_close(
            actor=district_cadre_a, aid=aid, result="won", amount_recovered="1.005"
        )
    ) == ("invalid_amount")
    assert error_code(
        lambda: services.legal_aid_close(actor=district_cadre_a, aid=aid, result="great", amount_recovered=1)
    ) == ("invalid_result")
    services.legal_aid_close(
        actor=district_cadre_a, aid=aid, result="partly_won", amount_recovered="15000", amount_claimed="22000"
    )
    aid.refresh_from_db()
    assert aid.closed_at and aid.result == "partly_won"
    assert (aid.amount_recovered, aid.amount_claimed) == (Decimal("15000.00"), Decimal("22000.00"))
    assert aid.entries.last().kind == LegalAidEntry.Kind.RESULT
    for call in (
        lambda: services.legal_aid_stage(actor=district_cadre_a, aid=aid, stage="arbitration"),
        lambda: services.legal_aid_record(
            actor=district_cadre_a, aid=aid, kind="note", on_date=TODAY, note="x"
        ),
        lambda: services.legal_aid_close(actor=district_cadre_a, aid=aid, result="won", amount_recovered=1),
    ):
        assert error_code(call) == "legal_aid_closed"
    assert "15,000.00" in case.events.filter(kind="legal_aid").last().note


# --- mediation -------------------------------------------------------------------------------------------------


def test_a_mediation_computes_its_limit_and_limitation_and_needs_both_sides(
    frozen, tree, member_a, district_cadre_a
):
    case = submit(member_a)
    m = open_mediation(district_cadre_a, tree.district_a, case=case, known_on=datetime.date(2024, 2, 29))
    assert m.received_on == TODAY and m.due_on == datetime.date(2026, 11, 17)
    assert m.limitation_on == datetime.date(2025, 2, 28)
    assert re.fullmatch(r"TJ20261102\d{6}", m.number)
    assert m.parties.count() == 2 and m.status == MediationStatus.OPEN
    party = m.parties.get(side="worker")
    assert party.phone == "13911112222"
    from django.db import connection

    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT phone FROM rights_mediationparty WHERE id = %s", [party.pk])
        assert "13911112222" not in cursor.fetchone()[0]
    assert case.events.filter(kind="mediation").exists()
    com = m.committee
    only_worker = [PartyInput(side="worker", name="王快递")]
    assert error_code(
        lambda: services.mediation_open(
            actor=district_cadre_a,
            committee=com,
            subject="拖欠工资两万元一直未付",
            parties=only_worker,
            known_on=TODAY,
        )
    ) == ("parties_required")
    assert error_code(
        lambda: services.mediation_open(
            actor=district_cadre_a,
            committee=com,
            subject="拖欠工资两万元一直未付",
            parties=parties(),
            known_on=TODAY,
            received_on=TODAY + datetime.timedelta(days=1),
        )
    ) == ("received_in_future")
    assert error_code(
        lambda: services.mediation_open(
            actor=district_cadre_a,
            committee=com,
            subject="拖欠工资两万元一直未付",
            parties=parties(),
            known_on=TODAY,
            received_on=TODAY - datetime.timedelta(days=1),
        )
    ) == ("known_after_received")
    assert error_code(
        lambda: services.mediation_open(
            actor=district_cadre_a,
            committee=com,
            subject="拖欠工资两万元一直未付",
            parties=parties(),
            known_on=TODAY,
            case=case,
        )
    ) == ("mediation_exists")
    bad_uscc = [PartyInput(side="worker", name="王"), PartyInput(side="employer", name="某公司", uscc="123")]
    assert error_code(
        lambda: services.mediation_open(
            actor=district_cadre_a,
            committee=com,
            subject="拖欠工资两万元一直未付",
            parties=bad_uscc,
            known_on=TODAY,
        )
    ) == ("invalid_uscc")


def test_a_received_on_at_the_end_of_a_month_is_due_in_the_next(frozen, tree, district_cadre_a):
    m = open_mediation(district_cadre_a, tree.district_a, received_on=datetime.date(2026, 10, 31))
    assert m.due_on == datetime.date(2026, 11, 15)
    assert Mediation.objects.get(pk=m.pk).limitation_on == datetime.date(2027, 10, 1)


def test_mediation_is_refused_outside_scope_and_for_the_wrong_role(
    tree, district_cadre_a, district_cadre_b, viewer_a, member_a
):
    com = committee(district_cadre_a, tree.district_a)
    with pytest.raises(NotFound):
        committee(district_cadre_b, tree.district_a)
    with pytest.raises(PermissionDenied):
        committee(viewer_a, tree.district_a)
    with pytest.raises(NotFound):
        services.mediator_add(actor=district_cadre_b, committee=com, name="x")
    with pytest.raises(NotFound):
        open_mediation(district_cadre_b, tree.district_a, com=com, with_mediator=False)
    # A cadre of district B cannot mediate district A's request at B's own committee either.
    com_b = committee(district_cadre_b, tree.district_b, name="滨江区调委会")
    case = submit(member_a)
    with pytest.raises(NotFound):
        open_mediation(district_cadre_b, tree.district_b, com=com_b, case=case, with_mediator=False)
    m = open_mediation(district_cadre_a, tree.district_a, com=com)
    for call in (
        lambda: services.mediation_session_add(
            actor=district_cadre_b, mediation=m, held_on=m.received_on, notes="x"
        ),
        lambda: services.mediation_fail(actor=district_cadre_b, mediation=m),
        lambda: services.mediation_sign(actor=district_cadre_b, mediation=m, signer="worker"),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(PermissionDenied):
        services.mediation_agree(actor=viewer_a, mediation=m, terms="一次性支付", amount=1)


def test_an_agreement_takes_effect_with_the_third_signature_and_new_terms_clear_signatures(
    frozen, tree, member_a, district_cadre_a, sms, django_capture_on_commit_callbacks
):
    case = submit(member_a)
    m = open_mediation(district_cadre_a, tree.district_a, case=case, with_mediator=False)
    assert error_code(
        lambda: services.mediation_agree(actor=district_cadre_a, mediation=m, terms="支付", amount=1)
    ) == ("mediator_required")
    assert error_code(
        lambda: services.mediation_sign(actor=district_cadre_a, mediation=m, signer="worker")
    ) == ("no_agreement")
    mediator = services.mediator_add(actor=district_cadre_a, committee=m.committee, name="冯调解")
    services.mediation_mediator_set(actor=district_cadre_a, mediation=m, mediator=mediator)
    services.mediation_session_add(
        actor=district_cadre_a, mediation=m, held_on=TODAY, place="调解室", notes="双方陈述，公司同意分期"
    )
    assert error_code(
        lambda: services.mediation_session_add(
            actor=district_cadre_a, mediation=m, held_on=TODAY + datetime.timedelta(days=1), notes="x"
        )
    ) == ("invalid_session_date")
    services.mediation_agree(
        actor=district_cadre_a, mediation=m, terms="公司于11月30日前支付工资18000元", amount="18000"
    )
    services.mediation_sign(actor=district_cadre_a, mediation=m, signer="worker")
    assert error_code(
        lambda: services.mediation_sign(actor=district_cadre_a, mediation=m, signer="worker")
    ) == ("already_signed")
    # New terms void the signature already given.
    services.mediation_agree(
        actor=district_cadre_a, mediation=m, terms="公司于12月5日前支付工资18000元", amount="18000"
    )
    m.refresh_from_db()
    assert m.worker_signed_at is None
    sms.clear()
    for signer in ("employer", "worker"):
        services.mediation_sign(actor=district_cadre_a, mediation=m, signer=signer)
        m.refresh_from_db()
        assert m.status == MediationStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        services.mediation_sign(actor=district_cadre_a, mediation=m, signer="mediator")
    m.refresh_from_db()
    assert m.status == MediationStatus.AGREED and m.ended_at is not None and m.amount == Decimal("18000")
    # The request's contact (the account's number) and the worker party each get one SMS; the employer's is a landline.
    assert sorted(mobile for mobile, _text in sms) == ["13900000001", "13911112222"]
    assert "12月5日" in case.events.filter(kind="mediation").last().note
    assert (
        error_code(lambda: services.mediation_fail(actor=district_cadre_a, mediation=m)) == "mediation_ended"
    )
    assert AuditRecord.objects.filter(action="gonghui.rights.mediation.agreed").count() == 1


def test_a_failed_mediation_tells_the_parties_about_arbitration(
    frozen, tree, district_cadre_a, sms, django_capture_on_commit_callbacks
):
    m = open_mediation(district_cadre_a, tree.district_a, known_on=datetime.date(2026, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.mediation_fail(actor=district_cadre_a, mediation=m, note="公司拒绝调解")
    m.refresh_from_db()
    assert m.status == MediationStatus.FAILED and m.arbitration_told_at and m.end_note == "公司拒绝调解"
    assert [mobile for mobile, _text in sms] == ["13911112222"]
    assert "2027-03-01" in sms[0][1]
    # The sweep does not tell them again.
    assert services.mediations_sweep(today=TODAY + datetime.timedelta(days=30)) == {"warned": 0, "told": 0}
    other = open_mediation(district_cadre_a, tree.district_a, com=m.committee, with_mediator=False)
    services.mediation_withdraw(actor=district_cadre_a, mediation=other, note="已自行和解")
    other.refresh_from_db()
    assert other.status == MediationStatus.WITHDRAWN and other.arbitration_told_at is None


def test_the_sweep_warns_then_tells_once_each_and_catches_up(
    frozen, tree, member_a, district_cadre_a, handler_a, sms, django_capture_on_commit_callbacks
):
    case = submit(None, mobile="13987654321")
    m = open_mediation(district_cadre_a, tree.district_a, case=case)
    assert m.due_on == datetime.date(2026, 11, 17)
    assert services.mediations_sweep(today=datetime.date(2026, 11, 14)) == {"warned": 0, "told": 0}
    assert services.mediations_sweep(today=datetime.date(2026, 11, 15)) == {"warned": 1, "told": 0}
    assert services.mediations_sweep(today=datetime.date(2026, 11, 16)) == {"warned": 0, "told": 0}
    assert Notice.objects.filter(user=handler_a, text__contains=m.number).count() >= 1
    assert services.mediations_sweep(today=datetime.date(2026, 11, 17)) == {"warned": 0, "told": 0}
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mediations_sweep(today=datetime.date(2026, 11, 18)) == {"warned": 0, "told": 1}
    assert services.mediations_sweep(today=datetime.date(2026, 11, 19)) == {"warned": 0, "told": 0}
    m.refresh_from_db()
    assert m.arbitration_told_at is not None and m.status == MediationStatus.OPEN
    # Both the party's number and the request's contact number, once each.
    assert sorted(mobile for mobile, _t in sms) == ["13911112222", "13987654321"]
    told = case.events.filter(kind="mediation", visible_to_worker=True).last()
    assert m.limitation_on.isoformat() in told.note
    assert AuditRecord.objects.filter(action="gonghui.rights.mediation.arbitration_told").count() == 1
    assert AuditRecord.objects.filter(action="gonghui.rights.mediation.warned").count() == 1
    # After downtime: a mediation received long ago goes straight to the notice, with no late warning.
    late = open_mediation(
        district_cadre_a, tree.district_a, com=m.committee, received_on=datetime.date(2026, 10, 1)
    )
    assert services.mediations_sweep() == {"warned": 0, "told": 1}
    late.refresh_from_db()
    assert late.warned_at is None and late.arbitration_told_at is not None


def test_the_warning_lead_time_is_the_committees_own(frozen, tree, district_cadre_a):
    com = committee(district_cadre_a, tree.district_a, warn_days_before=5)
    m = open_mediation(district_cadre_a, tree.district_a, com=com)
    assert services.mediations_sweep(today=datetime.date(2026, 11, 11)) == {"warned": 0, "told": 0}
    assert services.mediations_sweep(today=datetime.date(2026, 11, 12)) == {"warned": 1, "told": 0}
    assert error_code(
        lambda: services.committee_update(
            actor=district_cadre_a, committee=com, name="x", warn_days_before=99
        )
    ) == ("invalid_warn_days")
    m.refresh_from_db()
    assert m.warned_at is not None


def test_the_scheduler_runs_the_mediation_sweep_every_hour():
    from gonghui.core.scheduler import JOBS

    job = next(j for j in JOBS if j.name == "rights.sweep_mediations")
    assert job.every == datetime.timedelta(hours=1) and job.task == "gonghui.rights.tasks.sweep_mediations"


# --- the agreement as a PDF --------------------------------------------------------------------------------------


def _pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, inflated (WeasyPrint compresses objects and content)."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        data = match.group(1)
        try:
            streams.append(zlib.decompress(data))
        except zlib.error:
            streams.append(data)
    return streams


def _pdf_text(pdf: bytes) -> str:
    """The text of a WeasyPrint PDF without a PDF library (none is a dependency): the content streams name
    glyphs by id, and each font's ToUnicode map turns ids into characters (enough for a test)."""
    streams = _pdf_streams(pdf)
    glyphs: dict[int, str] = {}
    for s in streams:
        if b"begincmap" not in s:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                glyphs[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "ignore")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                start = int.from_bytes(bytes.fromhex(dst.decode()), "big")
                for i, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    glyphs[gid] = chr(start + i)
    text = []
    for s in streams:
        if b"BT" not in s or b"begincmap" in s:
            continue
        for hexes in re.findall(rb"<([0-9a-fA-F]+)>", s):
            raw = bytes.fromhex(hexes.decode()) if len(hexes) % 2 == 0 else b""
            text.append(
                "".join(glyphs.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2))
            )
    return "".join(text)


def test_the_agreement_pdf_is_a4_with_the_parties_terms_and_signed_dates(frozen, tree, district_cadre_a):
    m = open_mediation(district_cadre_a, tree.district_a, known_on=datetime.date(2024, 2, 29))
    services.mediation_agree(
        actor=district_cadre_a, mediation=m, terms="公司一次性支付工资一万八千元", amount="18000"
    )
    frozen.shift(datetime.timedelta(days=3))
    services.mediation_sign(actor=district_cadre_a, mediation=m, signer="worker")
    m.refresh_from_db()
    html = mediation_agreement_html(m)
    assert (
        "劳动争议调解协议书" in html
        and m.number in html
        and "孙经理" in html
        and "人民币 18000.00 元" in html
    )
    assert "最迟至 2025年2月28日" in html and "第二十九条" in html
    assert (
        html.count("2026年11月5日") == 1
    )  # the worker's signature; the employer's and mediator's lines are blank
    assert html.count("日期：") == 2 and "本协议经双方当事人签名" in html  # not yet in effect
    pdf = mediation_agreement_pdf(m)
    objects = b"".join(_pdf_streams(pdf))
    assert pdf.startswith(b"%PDF-") and b"/MediaBox [0 0 595.2" in objects  # A4 is 595 x 842 points
    assert re.search(rb"/BaseFont /[A-Z]{6}\+Noto-Sans-CJK-SC", objects)  # the font is embedded, as a subset
    text = _pdf_text(pdf)
    for expected in ("王快递", "西溪科技有限公司", "劳动争议调解协议书", "冯调解"):
        assert expected in text, expected


# --- console pages -------------------------------------------------------------------------------------------


def logged_in(user) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


def test_a_cadre_turns_a_request_into_legal_aid_and_works_it_through_the_console(
    frozen, tree, member_a, district_cadre_a
):
    case = submit(member_a)
    client = logged_in(district_cadre_a)
    page = client.get(reverse("console:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="open-legal-aid"' in page
    client.post(
        reverse("console:lawyer_list"), {"name": "林律师", "firm": "西湖律所", "phone": "0571-1234567"}
    )
    lawyer = Lawyer.objects.get()
    roster = client.get(reverse("console:lawyer_list")).content.decode()
    assert "林律师" in roster and "西湖律所" in roster
    response = client.post(reverse("console:legal_open", args=[case.pk]), {"amount_claimed": "20000"})
    aid = LegalAid.objects.get()
    assert response["Location"] == reverse("console:legal_aid", args=[aid.pk])
    client.post(reverse("console:legal_assign", args=[aid.pk]), {"lawyer": lawyer.pk})
    client.post(
        reverse("console:legal_record", args=[aid.pk]),
        {"kind": "consultation", "on_date": "2026-11-02", "note": "梳理证据清单"},
    )
    client.post(reverse("console:legal_stage", args=[aid.pk]), {"stage": "arbitration"})
    back = client.post(reverse("console:legal_stage", args=[aid.pk]), {"stage": "consultation"}, follow=True)
    with translation.override("zh-hans"):
        refusal = translation.gettext("Say why the case goes back to an earlier stage.")
    assert refusal in back.content.decode()
    detail = client.get(reverse("console:legal_aid", args=[aid.pk])).content.decode()
    assert "林律师" in detail and "梳理证据清单" in detail and 'data-testid="legal-stages"' in detail
    client.post(
        reverse("console:legal_close", args=[aid.pk]),
        {"result": "won", "amount_recovered": "20000", "amount_claimed": "20000"},
    )
    aid.refresh_from_db()
    assert (aid.lawyer, aid.stage, aid.result, aid.amount_recovered) == (
        lawyer,
        "arbitration",
        "won",
        Decimal("20000.00"),
    )
    listing = client.get(reverse("console:legal_list") + "?status=all").content.decode()
    assert case.number in listing and "20000.00" in listing
    panel = client.get(reverse("console:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="case-legal-link"' in panel and 'data-testid="open-legal-aid"' not in panel
    # The worker sees the lawyer and the stage on their request.
    worker = logged_in(member_a)
    mine = worker.get(reverse("portal:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="worker-lawyer"' in mine and "林律师" in mine and "西湖律所" in mine


def test_a_cadre_mediates_from_a_request_to_a_signed_agreement_and_prints_it(
    frozen, tree, member_a, district_cadre_a
):
    case = submit(member_a)
    client = logged_in(district_cadre_a)
    client.post(
        reverse("console:committee_list"),
        {"name": "西湖区调委会", "kind": "regional", "warn_days_before": "3"},
    )
    com = MediationCommittee.objects.get()
    assert com.warn_days_before == 3 and com.org == tree.district_a
    client.post(reverse("console:committee", args=[com.pk]), {"action": "mediator", "name": "冯调解"})
    mediator = com.mediators.get()
    page = client.get(reverse("console:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="start-mediation"' in page
    form = client.get(reverse("console:mediation_new") + f"?case={case.pk}").content.decode()
    assert "西溪科技有限公司" in form and "13900000001" not in form  # the number is never shown
    response = client.post(
        reverse("console:mediation_new"),
        {
            "case": case.pk,
            "committee": com.pk,
            "mediator": mediator.pk,
            "subject": "拖欠三个月工资共计两万元，要求支付。",
            "received_on": "2026-10-31",
            "known_on": "2024-02-29",
            "worker_name": "张伟",
            "worker_phone_from_case": "on",
            "other_workers": "李四, 13911113333\n王五",
            "employer_name": "西溪科技有限公司",
            "employer_uscc": _uscc(),
            "employer_representative": "孙经理",
        },
    )
    m = Mediation.objects.get()
    assert response["Location"] == reverse("console:mediation", args=[m.pk])
    assert (m.case, m.due_on, m.limitation_on) == (
        case,
        datetime.date(2026, 11, 15),
        datetime.date(2025, 2, 28),
    )
    assert sorted(m.parties.filter(side="worker").values_list("name", flat=True)) == ["张伟", "李四", "王五"]
    assert m.parties.get(name="张伟").phone == "13900000001"
    detail = client.get(reverse("console:mediation", args=[m.pk])).content.decode()
    assert "2025-02-28" in detail and 'data-testid="countdown"' in detail and "139****0001" in detail
    client.post(
        reverse("console:mediation_session", args=[m.pk]),
        {"held_on": "2026-11-02", "place": "调解室", "notes": "公司同意分两期支付"},
    )
    client.post(
        reverse("console:mediation_agree", args=[m.pk]),
        {"terms": "公司于11月30日前支付18000元", "amount": "18000"},
    )
    pdf = client.get(reverse("console:mediation_pdf", args=[m.pk]))
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    for signer in ("worker", "employer", "mediator"):
        client.post(reverse("console:mediation_sign", args=[m.pk]), {"signer": signer})
    m.refresh_from_db()
    assert m.status == MediationStatus.AGREED and m.sessions.count() == 1
    assert AuditRecord.objects.filter(action="gonghui.rights.mediation.agreement_printed").count() == 1
    listing = client.get(reverse("console:mediation_list") + "?status=agreed").content.decode()
    assert m.number in listing
    worker = logged_in(member_a)
    mine = worker.get(reverse("portal:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="worker-terms"' in mine and "公司于11月30日前支付18000元" in mine


def test_the_mediation_list_puts_open_ones_first_by_limit_with_badges(frozen, tree, district_cadre_a):
    com = committee(district_cadre_a, tree.district_a)
    later = open_mediation(district_cadre_a, tree.district_a, com=com, with_mediator=False)
    overdue = open_mediation(
        district_cadre_a,
        tree.district_a,
        com=com,
        with_mediator=False,
        received_on=datetime.date(2026, 10, 1),
    )
    soon = open_mediation(
        district_cadre_a,
        tree.district_a,
        com=com,
        with_mediator=False,
        received_on=datetime.date(2026, 10, 19),
    )
    ended = open_mediation(district_cadre_a, tree.district_a, com=com, with_mediator=False)
    services.mediation_withdraw(actor=district_cadre_a, mediation=ended)
    client = logged_in(district_cadre_a)
    page = client.get(reverse("console:mediation_list")).content.decode()
    assert page.index(overdue.number) < page.index(soon.number) < page.index(later.number)
    assert ended.number not in page and "badge-overdue" in page and "badge-soon" in page
    every = client.get(reverse("console:mediation_list") + "?status=all").content.decode()
    assert every.index(later.number) < every.index(ended.number)
    failed = client.post(
        reverse("console:mediation_end", args=[overdue.pk]), {"action": "fail", "note": "拒绝"}
    )
    assert failed.status_code == 302
    notice = client.get(reverse("console:mediation", args=[overdue.pk])).content.decode()
    assert 'data-testid="arbitration-notice"' in notice and overdue.limitation_on.isoformat() in notice


def test_every_console_page_refuses_another_district_and_the_wrong_role(
    tree, member_a, district_cadre_a, district_cadre_b, viewer_a
):
    case = submit(member_a)
    lawyer = services.lawyer_add(actor=district_cadre_a, org=tree.district_a, name="林律师")
    aid = services.legal_aid_open(actor=district_cadre_a, case=case)
    m = open_mediation(district_cadre_a, tree.district_a, case=case)
    services.mediation_agree(actor=district_cadre_a, mediation=m, terms="公司一次性支付", amount=1)
    com = m.committee
    gets = [
        reverse("console:lawyer_edit", args=[lawyer.pk]),
        reverse("console:legal_aid", args=[aid.pk]),
        reverse("console:committee", args=[com.pk]),
        reverse("console:mediation", args=[m.pk]),
        reverse("console:mediation_pdf", args=[m.pk]),
        reverse("console:mediation_new") + f"?case={case.pk}",
    ]
    posts = [
        (reverse("console:lawyer_edit", args=[lawyer.pk]), {"action": "deactivate"}),
        (reverse("console:legal_open", args=[case.pk]), {"amount_claimed": "0"}),
        (reverse("console:legal_assign", args=[aid.pk]), {"lawyer": lawyer.pk}),
        (
            reverse("console:legal_record", args=[aid.pk]),
            {"kind": "note", "on_date": "2026-01-01", "note": "x"},
        ),
        (reverse("console:legal_stage", args=[aid.pk]), {"stage": "arbitration"}),
        (reverse("console:legal_close", args=[aid.pk]), {"result": "won", "amount_recovered": "1"}),
        (reverse("console:committee", args=[com.pk]), {"action": "mediator", "name": "x"}),
        (reverse("console:mediation_mediator", args=[m.pk]), {"mediator": "1"}),
        (reverse("console:mediation_session", args=[m.pk]), {"held_on": "2026-01-01", "notes": "x"}),
        (reverse("console:mediation_agree", args=[m.pk]), {"terms": "x", "amount": "1"}),
        (reverse("console:mediation_sign", args=[m.pk]), {"signer": "worker"}),
        (reverse("console:mediation_end", args=[m.pk]), {"action": "fail"}),
    ]
    for user, status in ((district_cadre_b, 404), (viewer_a, 403)):
        client = logged_in(user)
        for url in gets:
            assert client.get(url).status_code == status, (user.real_name, url)
        for url, data in posts:
            assert client.post(url, data).status_code == status, (user.real_name, url)
    lists = ["legal_list", "lawyer_list", "committee_list", "mediation_list", "mediation_new"]
    viewer = logged_in(viewer_a)
    for name in lists:
        assert viewer.get(reverse(f"console:{name}")).status_code == 403, name
    other = logged_in(district_cadre_b)
    for name in lists:
        page = other.get(reverse(f"console:{name}"))
        assert (
            page.status_code == 200
            and "林律师" not in page.content.decode()
            and m.number not in page.content.decode()
        )
    assert logged_in(member_a).get(reverse("console:mediation_list")).status_code == 403
    m.refresh_from_db()
    aid.refresh_from_db()
    assert m.status == "open" and m.worker_signed_at is None and aid.stage == "consultation" and lawyer.active


# --- the API ---------------------------------------------------------------------------------------------------------


def api(client, method, path, data=None):
    body = json.dumps(data if data is not None else {})
    return client.generic(method, "/api/v1/rights" + path, body, content_type="application/json")


def test_the_api_works_a_legal_aid_case_through(frozen, tree, member_a, district_cadre_a, province_cadre):
    case = submit(member_a)
    client = logged_in(district_cadre_a)
    r = api(
        client, "POST", "/legal/lawyers", {"org_id": tree.district_a.pk, "name": "林律师", "firm": "西湖律所"}
    )
    assert r.status_code == 201, r.content
    lawyer_id = r.json()["id"]
    above = services.lawyer_add(actor=province_cadre, org=tree.province, name="省律师")
    roster = api(client, "GET", f"/legal/lawyers?org_id={tree.district_a.pk}").json()
    assert {row["name"] for row in roster} == {"林律师", "省律师"}
    r = api(
        client,
        "PUT",
        f"/legal/lawyers/{lawyer_id}",
        {"name": "林律师", "firm": "新所", "specialties": "工伤"},
    )
    assert r.json()["firm"] == "新所"
    r = api(
        client,
        "POST",
        "/legal/cases",
        {"case_id": case.pk, "amount_claimed": "21000.5", "lawyer_id": lawyer_id},
    )
    assert r.status_code == 201, r.content
    aid = r.json()
    assert (
        aid["amount_claimed"] == "21000.50"
        and aid["lawyer"]["name"] == "林律师"
        and aid["stage"] == "consultation"
    )
    assert (
        api(client, "POST", "/legal/cases", {"case_id": case.pk}).json()["error"]["code"]
        == "legal_aid_exists"
    )
    aid_id = aid["id"]
    r = api(client, "POST", f"/legal/cases/{aid_id}/assign", {"lawyer_id": above.pk})
    assert r.json()["lawyer"]["name"] == "省律师"
    r = api(
        client,
        "POST",
        f"/legal/cases/{aid_id}/record",
        {"kind": "hearing", "on_date": "2026-11-20", "note": "开庭"},
    )
    assert r.json()["entries"][-1]["kind"] == "hearing"
    r = api(client, "POST", f"/legal/cases/{aid_id}/stage", {"stage": "first_instance"})
    assert r.json()["stage"] == "first_instance"
    r = api(client, "POST", f"/legal/cases/{aid_id}/stage", {"stage": "arbitration"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "note"
    r = api(client, "POST", f"/legal/cases/{aid_id}/close", {"result": "settled", "amount_recovered": "-5"})
    assert r.status_code == 422
    r = api(
        client, "POST", f"/legal/cases/{aid_id}/close", {"result": "settled", "amount_recovered": "18000"}
    )
    assert r.json()["result"] == "settled" and r.json()["amount_recovered"] == "18000.00"
    listing = api(client, "GET", "/legal/cases?status=closed").json()
    assert listing["count"] == 1 and listing["items"][0]["case_number"] == case.number
    assert api(client, "POST", f"/legal/lawyers/{lawyer_id}/deactivate").json()["active"] is False
    assert api(client, "POST", f"/legal/lawyers/{lawyer_id}/reactivate").json()["active"] is True


def test_the_api_works_a_mediation_through_to_the_pdf(frozen, tree, member_a, district_cadre_a, sms):
    case = submit(member_a)
    client = logged_in(district_cadre_a)
    r = api(
        client,
        "POST",
        "/mediation/committees",
        {"org_id": tree.district_a.pk, "name": "西湖区调委会", "kind": "regional"},
    )
    assert r.status_code == 201, r.content
    com_id = r.json()["id"]
    mediator = api(client, "POST", f"/mediation/committees/{com_id}/mediators", {"name": "冯调解"}).json()
    body = {
        "committee_id": com_id,
        "case_id": case.pk,
        "mediator_id": mediator["id"],
        "subject": "拖欠三个月工资共计两万元，要求支付。",
        "received_on": "2026-10-31",
        "known_on": "2024-02-29",
        "parties": [
            {"side": "worker", "name": "张伟", "phone": "13911112222"},
            {"side": "employer", "name": "西溪科技有限公司", "uscc": _uscc(), "representative": "孙经理"},
        ],
    }
    r = api(client, "POST", "/mediation/mediations", body)
    assert r.status_code == 201, r.content
    m = r.json()
    assert (m["due_on"], m["limitation_on"], m["days_left"]) == ("2026-11-15", "2025-02-28", 13)
    assert m["parties"][0]["phone_masked"] == "139****2222"
    mid = m["id"]
    assert api(client, "POST", "/mediation/mediations", body).json()["error"]["code"] == "mediation_exists"
    future = {**body, "case_id": None, "received_on": "2026-11-03"}
    assert (
        api(client, "POST", "/mediation/mediations", future).json()["error"]["code"] == "received_in_future"
    )
    r = api(
        client,
        "POST",
        f"/mediation/mediations/{mid}/sessions",
        {"held_on": "2026-11-02", "notes": "双方陈述"},
    )
    assert r.status_code == 201 and len(r.json()["sessions"]) == 1
    r = api(
        client,
        "PUT",
        f"/mediation/mediations/{mid}/agreement",
        {"terms": "一次性支付18000元", "amount": "18000"},
    )
    assert r.json()["amount"] == "18000.00"
    pdf = client.get(f"/api/v1/rights/mediation/mediations/{mid}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for signer in ("worker", "employer", "mediator"):
        r = api(client, "POST", f"/mediation/mediations/{mid}/sign", {"signer": signer})
    assert r.json()["status"] == "agreed" and r.json()["mediator_signed_at"]
    assert api(client, "POST", f"/mediation/mediations/{mid}/fail").status_code == 409
    listing = api(client, "GET", "/mediation/mediations?status=agreed").json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == m["number"]
    committees = api(client, "GET", f"/mediation/committees?org_id={tree.district_a.pk}").json()
    assert committees[0]["mediators"][0]["name"] == "冯调解"
    r = api(client, "PUT", f"/mediation/committees/{com_id}", {"name": "西湖区调委会", "warn_days_before": 4})
    assert r.json()["warn_days_before"] == 4
    other = api(client, "POST", "/mediation/mediations", {**body, "case_id": None}).json()
    r = api(client, "POST", f"/mediation/mediations/{other['id']}/fail", {"note": "公司拒绝"})
    assert r.json()["status"] == "failed" and "2025-02-28" in r.json()["arbitration_notice"]
    third = api(
        client, "POST", "/mediation/mediations", {**body, "case_id": None, "mediator_id": None}
    ).json()
    r = api(client, "POST", f"/mediation/mediations/{third['id']}/mediator", {"mediator_id": mediator["id"]})
    assert r.json()["mediator"]["name"] == "冯调解"
    assert (
        api(client, "POST", f"/mediation/mediations/{third['id']}/withdraw").json()["status"] == "withdrawn"
    )
    assert api(client, "POST", f"/mediation/mediators/{mediator['id']}/deactivate").json()["active"] is False


def test_every_api_endpoint_refuses_another_district_and_the_wrong_role(
    tree, member_a, district_cadre_a, district_cadre_b, viewer_a
):
    case = submit(member_a)
    other_case = submit(member_a)
    lawyer = services.lawyer_add(actor=district_cadre_a, org=tree.district_a, name="林律师")
    aid = services.legal_aid_open(actor=district_cadre_a, case=case)
    m = open_mediation(district_cadre_a, tree.district_a, case=case)
    services.mediation_agree(actor=district_cadre_a, mediation=m, terms="公司一次性支付", amount=1)
    com, mediator = m.committee, m.mediator
    a = tree.district_a.pk
    calls = [
        ("GET", f"/legal/lawyers?org_id={a}", None),
        ("POST", "/legal/lawyers", {"org_id": a, "name": "x"}),
        ("PUT", f"/legal/lawyers/{lawyer.pk}", {"name": "x"}),
        ("POST", f"/legal/lawyers/{lawyer.pk}/deactivate", None),
        ("POST", f"/legal/lawyers/{lawyer.pk}/reactivate", None),
        ("GET", f"/legal/cases?org_id={a}", None),
        ("POST", "/legal/cases", {"case_id": other_case.pk}),
        ("GET", f"/legal/cases/{aid.pk}", None),
        ("POST", f"/legal/cases/{aid.pk}/assign", {"lawyer_id": lawyer.pk}),
        ("POST", f"/legal/cases/{aid.pk}/record", {"kind": "note", "on_date": "2026-01-01", "note": "x"}),
        ("POST", f"/legal/cases/{aid.pk}/stage", {"stage": "arbitration"}),
        ("POST", f"/legal/cases/{aid.pk}/close", {"result": "won", "amount_recovered": "1"}),
        ("GET", f"/mediation/committees?org_id={a}", None),
        ("POST", "/mediation/committees", {"org_id": a, "name": "x", "kind": "regional"}),
        ("PUT", f"/mediation/committees/{com.pk}", {"name": "x", "warn_days_before": 2}),
        ("POST", f"/mediation/committees/{com.pk}/mediators", {"name": "x"}),
        ("POST", f"/mediation/mediators/{mediator.pk}/deactivate", None),
        ("GET", f"/mediation/mediations?org_id={a}", None),
        (
            "POST",
            "/mediation/mediations",
            {
                "committee_id": com.pk,
                "subject": "拖欠工资两万元一直未付",
                "known_on": "2026-01-01",
                "parties": [{"side": "worker", "name": "x"}, {"side": "employer", "name": "y"}],
            },
        ),
        ("GET", f"/mediation/mediations/{m.pk}", None),
        ("POST", f"/mediation/mediations/{m.pk}/mediator", {"mediator_id": mediator.pk}),
        ("POST", f"/mediation/mediations/{m.pk}/sessions", {"held_on": "2026-01-01", "notes": "x"}),
        ("PUT", f"/mediation/mediations/{m.pk}/agreement", {"terms": "x", "amount": "1"}),
        ("POST", f"/mediation/mediations/{m.pk}/sign", {"signer": "worker"}),
        ("POST", f"/mediation/mediations/{m.pk}/fail", {}),
        ("POST", f"/mediation/mediations/{m.pk}/withdraw", {}),
        ("GET", f"/mediation/mediations/{m.pk}/agreement.pdf", None),
    ]
    for user, status in ((district_cadre_b, 404), (viewer_a, 403)):
        client = logged_in(user)
        for method, path, data in calls:
            r = api(client, method, path, data)
            assert r.status_code == status, (user.real_name, method, path, r.content[:200])
    # The lists without a union are the caller's own scope: empty for district B.
    other = logged_in(district_cadre_b)
    assert api(other, "GET", "/legal/cases?status=all").json()["count"] == 0
    assert api(other, "GET", "/mediation/mediations?status=all").json()["count"] == 0
    assert api(CastClient(), "GET", "/legal/cases").status_code == 401
    m.refresh_from_db()
    aid.refresh_from_db()
    assert m.status == "open" and m.worker_signed_at is None and aid.stage == "consultation"
    assert Lawyer.objects.count() == 1 and MediationCommittee.objects.count() == 1


def test_the_worker_is_told_on_their_request_that_they_may_go_to_arbitration(
    frozen, tree, member_a, district_cadre_a
):
    case = submit(member_a)
    m = open_mediation(district_cadre_a, tree.district_a, case=case, known_on=datetime.date(2024, 2, 29))
    worker = logged_in(member_a)
    page = worker.get(reverse("portal:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="worker-mediation-status"' in page and "2026-11-17" in page
    assert 'data-testid="worker-arbitration"' not in page
    services.mediation_fail(actor=district_cadre_a, mediation=m, note="公司拒绝")
    page = worker.get(reverse("portal:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="worker-arbitration"' in page and "2025-02-28" in page
    # Someone else's request shows nothing of it.
    stranger = logged_in(make_user("13900000099", "路人"))
    assert stranger.get(reverse("portal:rights_case", args=[case.pk])).status_code == 404


def test_list_pages_cost_the_same_queries_whatever_they_hold(frozen, tree, member_a, district_cadre_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(district_cadre_a)
    com = committee(district_cadre_a, tree.district_a)
    lawyer = services.lawyer_add(actor=district_cadre_a, org=tree.district_a, name="林律师")

    def add(n):
        for _i in range(n):
            case = submit(member_a)
            services.legal_aid_open(actor=district_cadre_a, case=case, lawyer=lawyer)
            open_mediation(district_cadre_a, tree.district_a, com=com, case=case)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    LISTS = [f"console:{n}" for n in ("legal_list", "mediation_list", "lawyer_list", "committee_list")]
    add(2)
    # The first request of a session reads more (the session, caches): warm up before counting.
    [count(reverse(name)) for name in LISTS]
    few = [count(reverse(name)) for name in LISTS]
    add(6)
    many = [count(reverse(name)) for name in LISTS]
    assert few == many


def test_the_roster_page_shows_the_unions_own_lawyers_and_those_above_it_it_may_use(
    tree, district_cadre_a, province_cadre, district_cadre_b
):
    own = services.lawyer_add(actor=district_cadre_a, org=tree.district_a, name="林律师")
    services.lawyer_add(actor=province_cadre, org=tree.province, name="省律师")
    services.lawyer_add(actor=district_cadre_b, org=tree.district_b, name="滨江律师")
    page = logged_in(district_cadre_a).get(reverse("console:lawyer_list")).content.decode()
    assert "林律师" in page and "省律师" in page and "滨江律师" not in page
    assert reverse("console:lawyer_edit", args=[own.pk]) in page  # the union's own: editable
    above = Lawyer.objects.get(name="省律师")
    assert (
        reverse("console:lawyer_edit", args=[above.pk]) not in page
    )  # a union above's: usable, not editable
    assert logged_in(district_cadre_a).get(reverse("console:lawyer_edit", args=[above.pk])).status_code == 404
