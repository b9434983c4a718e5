"""The rights-protection pages: the worker's portal (ask, follow, rate, reopen, withdraw) and the cadre console
(queue, request, handling, hotline call, statistics, service levels), with scope on every console page."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from gonghui.core.models import Notice
from gonghui.orgs.models import Role
from gonghui.rights import services
from gonghui.rights.models import Case, CaseEvent, CaseStatus, ServiceLevel

from .conftest import make_user

TUESDAY = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=datetime.UTC)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _case(
    user=None, *, division="330106", anonymous=False, mobile="13912345678", **extra
) -> tuple[Case, str]:
    data = services.CaseInput(
        category=extra.pop("category", "wages"),
        description="老板拖欠三个月工资，一直不给",
        work_division_code=division,
        contact_mobile="" if user else mobile,
        contact_name="" if user else "王快递",
        **extra,
    )
    return services.case_submit(user=user, data=data, anonymous=anonymous)


@pytest.fixture
def handler_a(tree):
    """A case handler at district A: handles requests there, nothing else."""
    return make_user("13800000020", "赵维权", Role.CASE_HANDLER, tree.district_a)


# --- portal --------------------------------------------------------------------------------------------------


def test_a_worker_without_an_account_asks_for_help_and_sees_the_code_once(client, tree):
    page = client.get(reverse("portal:rights_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("portal:rights_new"),
        {
            "category": "wages",
            "description": "站点三个月没有发工资，站长说等总部打款",
            "workers_affected": "3",
            "employer_name": "某某配送站",
            "work_division_code": "330106",
            "contact_name": "王快递",
            "contact_mobile": "13912345678",
            "documents": [io.BytesIO(PNG)],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:rights_case", args=[case.pk]
    )
    assert case.org == tree.district_a and case.contact_name == "王快递" and case.documents.count() == 1
    first = client.get(response["Location"]).content.decode()
    assert 'data-testid="follow-code"' in first and tree.district_a.name in first
    second = client.get(response["Location"]).content.decode()
    assert 'data-testid="follow-code"' not in second  # shown only once


def test_bad_input_shows_translated_errors_and_writes_nothing(client, tree):
    response = client.post(
        reverse("portal:rights_new"),
        {"category": "wages", "description": "太短", "workers_affected": "1", "work_division_code": "330106"},
    )
    assert response.status_code == 200
    assert "请" in response.content.decode() or "至少" in response.content.decode()
    assert Case.objects.count() == 0


def test_an_anonymous_report_is_followed_with_its_code_from_another_browser(client, tree, member_a):
    client.force_login(member_a)
    client.post(
        reverse("portal:rights_new"),
        {
            "category": "safety",
            "description": "车间没有防护设备，工人经常受伤",
            "workers_affected": "1",
            "work_division_code": "330106",
            "anonymous": "on",
        },
    )
    case = Case.objects.get()
    assert case.anonymous and case.requester is None and case.contact_mobile == ""
    # The owner of the account sees it only through the code, like anyone else: nothing links it to them.
    assert client.get(reverse("portal:rights")).status_code == 200
    from django.test import Client

    stranger = Client()
    assert stranger.get(reverse("portal:rights_case", args=[case.pk])).status_code == 404
    _case2, code = _case(division="330106", anonymous=True)
    wrong = stranger.post(reverse("portal:rights_follow"), {"code": "ZZZZZ-ZZZZZ"})
    assert wrong["Location"] == reverse("portal:rights")
    right = stranger.post(reverse("portal:rights_follow"), {"code": code.lower().replace("-", "")})
    assert right["Location"] == reverse("portal:rights_case", args=[_case2.pk])
    assert stranger.get(right["Location"]).status_code == 200


def test_the_worker_sees_replies_not_internal_notes_then_rates(client, tree, member_a, district_cadre_a):
    case, _code = _case(member_a)
    services.case_acknowledge(actor=district_cadre_a, case=case)
    services.case_record(actor=district_cadre_a, case=case, kind="note", text="内部：老板电话打不通")
    services.case_record(actor=district_cadre_a, case=case, kind="response", text="已约老板周四面谈")
    client.force_login(member_a)
    page = client.get(reverse("portal:rights_case", args=[case.pk])).content.decode()
    assert "已约老板周四面谈" in page and "老板电话打不通" not in page
    services.case_close(actor=district_cadre_a, case=case, outcome="resolved", summary="工资已全部补发")
    page = client.get(reverse("portal:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="rate-form"' in page
    client.post(reverse("portal:rights_rate", args=[case.pk]), {"rating": "4", "comment": "及时"})
    case.refresh_from_db()
    assert case.rating == 4 and case.rating_comment == "及时"
    assert Notice.objects.filter(user=member_a).count() >= 3


def test_the_worker_reopens_within_the_period_and_withdraws(client, tree, member_a, district_cadre_a):
    case, _code = _case(member_a)
    services.case_acknowledge(actor=district_cadre_a, case=case)
    services.case_close(actor=district_cadre_a, case=case, outcome="unfounded", summary="经核实已按时发放")
    client.force_login(member_a)
    client.post(reverse("portal:rights_reopen", args=[case.pk]), {"reason": "其实十月的还没发"})
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLING and case.reopened_count == 1
    client.post(reverse("portal:rights_withdraw", args=[case.pk]), {"reason": "已私下解决"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "withdrawn"


def test_a_worker_never_sees_another_workers_request(client, tree, member_a, member_b):
    case, _code = _case(member_a)
    client.force_login(member_b)
    assert client.get(reverse("portal:rights_case", args=[case.pk])).status_code == 404
    assert client.post(reverse("portal:rights_rate", args=[case.pk]), {"rating": "1"}).status_code == 404


# --- console ---------------------------------------------------------------------------------------------------


def test_the_queue_shows_overdue_first_and_only_in_scope(
    client, tree, member_a, district_cadre_a, district_cadre_b
):
    with time_machine.travel(TUESDAY - datetime.timedelta(days=20), tick=False):
        old, _ = _case(member_a)
    with time_machine.travel(TUESDAY, tick=False):
        new, _ = _case(member_a)
        in_b, _ = _case(None, division="330108")
        client.force_login(district_cadre_a)
        page = client.get(reverse("console:rights_list")).content.decode()
    assert page.index(old.number) < page.index(new.number)
    assert in_b.number not in page and "row-overdue" in page
    client.force_login(district_cadre_b)
    assert client.get(reverse("console:rights_case", args=[old.pk])).status_code == 404


def test_console_pages_refuse_outside_scope_and_the_wrong_role(
    client, tree, member_a, district_cadre_b, viewer_a
):
    case, _ = _case(member_a)
    urls_get = [reverse("console:rights_case", args=[case.pk])]
    urls_post = [
        reverse(name, args=[case.pk])
        for name in (
            "console:rights_acknowledge",
            "console:rights_record",
            "console:rights_document_add",
            "console:rights_handover",
            "console:rights_transfer",
            "console:rights_close",
        )
    ]
    client.force_login(district_cadre_b)
    for url in urls_get:
        assert client.get(url).status_code == 404, url
    for url in urls_post:
        assert (
            client.post(url, {"text": "x", "outcome": "resolved", "summary": "x", "reason": "x"}).status_code
            == 404
        ), url
    client.force_login(viewer_a)  # may look at the union, may not handle requests
    assert client.get(reverse("console:rights_list")).status_code == 403
    assert client.get(reverse("console:rights_case", args=[case.pk])).status_code == 403
    client.force_login(member_a)
    assert client.get(reverse("console:rights_list")).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and case.handler is None


def test_a_handler_takes_replies_attaches_hands_over_and_closes(
    client, tree, member_a, district_cadre_a, handler_a
):
    case, _ = _case(member_a)
    client.force_login(handler_a)
    client.post(reverse("console:rights_acknowledge", args=[case.pk]))
    case.refresh_from_db()
    assert case.handler == handler_a and case.status == CaseStatus.ACKNOWLEDGED
    client.post(
        reverse("console:rights_record", args=[case.pk]), {"kind": "contact", "text": "电话联系人事部"}
    )
    client.post(reverse("console:rights_record", args=[case.pk]), {"kind": "response", "text": "已联系单位"})
    upload = io.BytesIO(PNG)
    upload.name = "工资条.png"
    client.post(reverse("console:rights_document_add", args=[case.pk]), {"file": upload})
    doc = case.documents.get()
    download = client.get(reverse("console:rights_document", args=[case.pk, doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    client.post(
        reverse("console:rights_handover", args=[case.pk]),
        {"to_user": district_cadre_a.pk, "note": "需要领导协调"},
    )
    case.refresh_from_db()
    assert case.handler == district_cadre_a and case.status == CaseStatus.HANDLING
    client.force_login(district_cadre_a)
    page = client.get(reverse("console:rights_case", args=[case.pk])).content.decode()
    assert "电话联系人事部" in page and "需要领导协调" in page
    client.post(
        reverse("console:rights_close", args=[case.pk]),
        {"outcome": "arbitration", "summary": "已引导申请仲裁"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "arbitration"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "received",
        "routed",
        "acknowledged",
        "contact",
        "response",
        "document",
        "handover",
        "closed",
    ]


def test_a_second_cadre_cannot_take_a_taken_request(client, tree, member_a, district_cadre_a, handler_a):
    case, _ = _case(member_a)
    services.case_acknowledge(actor=handler_a, case=case)
    client.force_login(district_cadre_a)
    client.post(reverse("console:rights_acknowledge", args=[case.pk]))
    case.refresh_from_db()
    assert case.handler == handler_a


def test_a_transfer_moves_the_request_out_of_scope(
    client, tree, member_a, district_cadre_a, district_cadre_b
):
    case, _ = _case(member_a)
    client.force_login(district_cadre_a)
    response = client.post(
        reverse("console:rights_transfer", args=[case.pk]),
        {"to_org": tree.district_b.pk, "reason": "单位实际在滨江"},
    )
    assert response["Location"] == reverse("console:rights_list")
    case.refresh_from_db()
    assert case.org == tree.district_b and case.handler is None
    assert case.events.filter(kind=CaseEvent.Kind.TRANSFERRED).exists()
    client.force_login(district_cadre_b)
    assert client.get(reverse("console:rights_case", args=[case.pk])).status_code == 200


def test_a_hotline_operator_records_a_call(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.post(
        reverse("console:rights_call"),
        {
            "category": "injury",
            "description": "工地摔伤，老板不给报工伤",
            "workers_affected": "1",
            "work_division_code": "330106",
            "contact_name": "李师傅",
            "contact_mobile": "13912340000",
            "keep": "on",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("console:rights_case", args=[case.pk])
    assert case.channel == "hotline" and case.handler == district_cadre_a and case.acknowledged_at is not None


def test_the_overview_counts_open_overdue_and_unassigned_requests(client, tree, member_a, district_cadre_a):
    with time_machine.travel(TUESDAY - datetime.timedelta(days=30), tick=False):
        _case(member_a)
    with time_machine.travel(TUESDAY, tick=False):
        _case(member_a)
        client.force_login(district_cadre_a)
        page = client.get(reverse("console:dashboard"))
    assert page.context["rights"] == {"open": 2, "overdue": 1, "unassigned": 2, "escalated": 0}
    assert 'data-testid="rights-summary"' in page.content.decode()


def test_statistics_and_levels_pages(client, tree, member_a, district_cadre_a, chair_a):
    case, _ = _case(member_a)
    services.case_acknowledge(actor=district_cadre_a, case=case)
    services.case_close(actor=district_cadre_a, case=case, outcome="resolved", summary="已解决")
    client.force_login(district_cadre_a)
    page = client.get(reverse("console:rights_stats"))
    assert page.status_code == 200 and page.context["stats"].total == 1 and page.context["stats"].on_time == 1
    response = client.post(
        reverse("console:rights_levels"),
        {
            "action": "level",
            "category": "wages",
            "ack_workdays": "1",
            "respond_workdays": "2",
            "conclude_workdays": "10",
        },
    )
    assert response.status_code == 302
    assert ServiceLevel.objects.get(org=tree.district_a, category="wages").conclude_workdays == 10
    bad = client.post(
        reverse("console:rights_levels"),
        {
            "action": "level",
            "category": "wages",
            "ack_workdays": "5",
            "respond_workdays": "2",
            "conclude_workdays": "10",
        },
    )
    assert bad.status_code == 200 and ServiceLevel.objects.count() == 1
    client.force_login(chair_a)  # an administrator of a grassroots union sees the level inherited from above
    table = client.get(reverse("console:rights_levels")).context["table"]
    assert next(r for r in table if r.category == "wages").days == (1, 2, 10)


# --- limits on people who are not signed in ------------------------------------------------------------------


def test_wrong_follow_up_codes_are_refused_past_the_hourly_limit(client, tree, settings):
    settings.GONGHUI_RIGHTS_CODE_FAILURES_PER_HOUR = 3
    case, code = _case(None)
    for _i in range(3):
        client.post(reverse("portal:rights_follow"), {"code": "AAAAA-AAAAA"})
    # Even the right code is refused now: whoever tried three wrong ones waits an hour.
    response = client.post(reverse("portal:rights_follow"), {"code": code}, follow=True)
    assert response.request["PATH_INFO"] == reverse("portal:rights")
    assert client.get(reverse("portal:rights_case", args=[case.pk])).status_code == 404
    api = client.post("/api/v1/rights/follow", {"code": code}, content_type="application/json")
    assert api.status_code == 429 and api.json()["error"]["code"] == "too_many_tries"


def test_requests_without_an_account_are_limited_per_number_per_day(client, tree, settings):
    settings.GONGHUI_RIGHTS_REQUESTS_PER_PHONE_PER_DAY = 2
    for _i in range(2):
        _case(None, mobile="13912345679")
    with pytest.raises(services_error()) as refused:
        _case(None, mobile="13912345679")
    assert refused.value.code == "too_many_requests" and Case.objects.count() == 2
    _case(None, mobile="13912345670")  # another number is not affected


def test_document_download_through_the_api_is_audited(client, tree, member_a, district_cadre_a):
    from gonghui.core.models import AuditRecord

    case, _ = _case(member_a)
    services.case_acknowledge(actor=district_cadre_a, case=case)
    upload = io.BytesIO(PNG)
    upload.name = "欠条.png"
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = services.case_document_add(
        actor=district_cadre_a, case=case, file=SimpleUploadedFile("欠条.png", PNG, content_type="image/png")
    )
    client.force_login(district_cadre_a)
    response = client.get(f"/api/v1/rights/cases/{case.pk}/documents/{doc.pk}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AuditRecord.objects.filter(action="gonghui.rights.case.document_downloaded").count() == 1


def services_error():
    from gonghui.core.errors import ServiceError

    return ServiceError


def test_an_escalation_skips_a_parent_union_with_nobody_to_handle_it(
    tree, member_a, chair_a, district_cadre_a
):
    # grassroots_a hangs under street_a, where nobody holds a role: the district above hears of it instead.
    with time_machine.travel(TUESDAY - datetime.timedelta(days=30), tick=False):
        case, _ = services.case_submit(
            user=member_a,
            data=services.CaseInput(
                category="wages", description="三个月没发工资，老板不接电话", work_division_code="330106"
            ),
            employer_org=tree.grassroots_a,
        )
    assert case.org == tree.grassroots_a
    with time_machine.travel(TUESDAY, tick=False):
        services.cases_sweep()
    case.refresh_from_db()
    assert case.escalated_to == tree.district_a
    assert Notice.objects.filter(user=district_cadre_a, url__contains=f"/rights/{case.pk}/").exists()
