"""Mutual medical aid pages: the member's portal (enrol, claim, follow, add documents) and the cadre's console
(queue, review, payment, enrolment, plan, statistics), with scope and roles on every page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.medical import services as svc
from gonghui.medical.models import Claim, Enrolment, Plan

from . import medical_helpers as h
from .conftest import CastClient
from .medical_helpers import hospital, pdf

frozen, media, plan, zhang, liu, enrolled = h.frozen, h.media, h.plan, h.zhang, h.liu, h.enrolled


def as_(user) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


@pytest.fixture
def claim(enrolled, member_a, media):
    return svc.claim_submit(
        actor=member_a, member=enrolled.member, data=hospital(), documents=[("invoice", pdf())]
    )


# --- portal ------------------------------------------------------------------------------------------------------


def test_the_portal_page_needs_a_login(client, plan):
    response = client.get(reverse("portal:medical"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_member_not_yet_enrolled_sees_the_window_and_enrols_with_a_payment_record(member_a, zhang, plan):
    client = as_(member_a)
    page = client.get(reverse("portal:medical"))
    assert page.status_code == 200 and 'data-testid="enrol-form"' in page.content.decode()
    response = client.post(reverse("portal:medical_enrol"), {"plan_code": "basic", "payment_ref": "WX-9"})
    assert response.status_code == 302
    assert Enrolment.objects.get().payment_ref == "WX-9"
    assert 'data-testid="my-enrolment"' in client.get(reverse("portal:medical")).content.decode()


def test_a_person_who_is_not_a_member_is_told_so(member_b, plan):
    page = as_(member_b).get(reverse("portal:medical"))
    assert page.status_code == 200 and 'data-testid="enrol-form"' not in page.content.decode()
    assert as_(member_b).get(reverse("portal:medical_claim_new")).status_code == 302


def test_a_member_claims_a_hospital_stay_on_the_phone_form(enrolled, member_a, media):
    response = as_(member_a).post(
        reverse("portal:medical_claim_new"),
        {
            "kind": "hospital",
            "event_on": "2026-02-10",
            "discharged_on": "2026-02-20",
            "hospital": "浙江省人民医院",
            "total_amount": "20000",
            "insurance_amount": "12000",
            "out_of_pocket": "8000",
            "invoice": pdf(),
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:medical_claim", args=[claim.pk]
    )
    assert claim.computed_amount == Decimal("3500.00")
    page = as_(member_a).get(response["Location"]).content.decode()
    assert claim.number in page and "3500.00" in page


def test_a_claim_form_error_is_shown_on_the_form(enrolled, member_a, media):
    response = as_(member_a).post(
        reverse("portal:medical_claim_new"),
        {"kind": "hospital", "event_on": "2026-02-10", "discharged_on": "2026-02-20", "hospital": "医院"},
    )
    assert response.status_code == 200 and not Claim.objects.exists()


def test_another_person_cannot_open_zhangs_claim_or_its_documents(claim, member_b):
    assert as_(member_b).get(reverse("portal:medical_claim", args=[claim.pk])).status_code == 404
    doc = claim.documents.get()
    url = reverse("portal:medical_document", args=[claim.pk, doc.pk])
    assert as_(member_b).get(url).status_code == 404


def test_the_member_downloads_their_document(claim, member_a):
    doc = claim.documents.get()
    response = as_(member_a).get(reverse("portal:medical_document", args=[claim.pk, doc.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_when_asked_the_member_adds_documents_and_the_claim_returns_to_review(claim, chair_a, member_a):
    svc.claim_ask_documents(actor=chair_a, claim=claim, reason="请补充出院小结")
    client = as_(member_a)
    assert "请补充出院小结" in client.get(reverse("portal:medical_claim", args=[claim.pk])).content.decode()
    response = client.post(
        reverse("portal:medical_claim", args=[claim.pk]),
        {"kind": "discharge", "attachments": pdf("小结.pdf")},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "submitted" and claim.documents.count() == 2


# --- console -------------------------------------------------------------------------------------------------


def test_the_chair_sees_the_claim_in_the_queue(claim, chair_a):
    page = as_(chair_a).get(reverse("console:medical_claims"))
    assert page.status_code == 200 and claim.number in page.content.decode()


def test_the_queue_has_a_fixed_number_of_queries(
    enrolled, member_a, chair_a, media, django_assert_num_queries
):
    client = as_(chair_a)
    svc.claim_submit(actor=member_a, member=enrolled.member, data=hospital(), documents=[("x", pdf())])
    client.get(reverse("console:medical_claims"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("console:medical_claims"))
    for _ in range(4):
        svc.claim_submit(actor=member_a, member=enrolled.member, data=hospital(), documents=[("x", pdf())])
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("console:medical_claims"))


def test_another_union_gets_404_for_the_claim_and_its_actions(claim, chair_b, district_cadre_b):
    for user in (chair_b, district_cadre_b):
        client = as_(user)
        assert claim.number not in client.get(reverse("console:medical_claims")).content.decode()
        assert client.get(reverse("console:medical_claim", args=[claim.pk])).status_code == 404
        assert client.post(reverse("console:medical_claim_approve", args=[claim.pk])).status_code == 404
        doc = claim.documents.get()
        assert client.get(reverse("console:medical_document", args=[doc.pk])).status_code == 404


def test_a_cadre_opens_a_claim_document_and_the_download_is_audited(claim, chair_a, district_cadre_b):
    from gonghui.core.models import AuditRecord

    doc = claim.documents.get()
    audit = AuditRecord.objects.filter(action="gonghui.medical.document_downloaded")
    response = as_(chair_a).get(reverse("console:medical_document", args=[doc.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert audit.count() == 1 and audit.get().actor_id == chair_a.pk
    assert as_(district_cadre_b).get(reverse("console:medical_document", args=[doc.pk])).status_code == 404
    assert audit.count() == 1


def test_a_viewer_reads_the_claim_but_may_not_decide(claim, viewer_a):
    client = as_(viewer_a)
    page = client.get(reverse("console:medical_claim", args=[claim.pk]))
    assert page.status_code == 200 and 'data-testid="claim-actions"' not in page.content.decode()
    assert client.post(reverse("console:medical_claim_approve", args=[claim.pk]), {}).status_code == 403
    assert (
        client.post(reverse("console:medical_claim_pay", args=[claim.pk]), {"payment_ref": "x"}).status_code
        == 403
    )
    assert client.get(reverse("console:medical_claim_new")).status_code == 403


def test_a_member_without_a_role_has_no_console(claim, member_a):
    for name in ("console:medical_claims", "console:medical_enrolments", "console:medical_stats"):
        assert as_(member_a).get(reverse(name)).status_code == 403


def test_the_chair_approves_with_an_adjustment_and_records_the_payment(claim, chair_a):
    client = as_(chair_a)
    url = reverse("console:medical_claim_approve", args=[claim.pk])
    client.post(url, {"amount": "3000"})  # no reason: refused, shown as a message
    claim.refresh_from_db()
    assert claim.status == "submitted"
    client.post(url, {"amount": "3000", "reason": "部分药品自费"})
    client.post(
        reverse("console:medical_claim_pay", args=[claim.pk]),
        {"payment_ref": "ZZ-1", "paid_on": "2026-03-15"},
    )
    claim.refresh_from_db()
    assert (claim.status, claim.approved_amount, claim.payment_ref) == ("paid", Decimal("3000.00"), "ZZ-1")


def test_the_chair_rejects_or_asks_for_documents_with_a_reason(claim, chair_a):
    client = as_(chair_a)
    client.post(reverse("console:medical_claim_ask", args=[claim.pk]), {"reason": "缺发票原件"})
    claim.refresh_from_db()
    assert claim.status == "more_info"
    client.post(reverse("console:medical_claim_reject", args=[claim.pk]), {"reason": "不在互助期"})
    claim.refresh_from_db()
    assert claim.status == "rejected"


def test_the_chair_claims_on_a_members_behalf(enrolled, chair_a, media):
    response = as_(chair_a).post(
        reverse("console:medical_claim_new"),
        {
            "member_number": enrolled.member.number,
            "kind": "illness",
            "event_on": "2026-03-01",
            "hospital": "浙江省肿瘤医院",
            "item_code": "cancer",
            "diagnosis": pdf(),
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and not claim.by_member and claim.computed_amount == Decimal(10000)


def test_an_unknown_member_number_is_shown_on_the_form(plan, chair_a, media):
    response = as_(chair_a).post(
        reverse("console:medical_claim_new"),
        {
            "member_number": "999",
            "kind": "illness",
            "event_on": "2026-03-01",
            "hospital": "医院",
            "item_code": "cancer",
        },
    )
    assert response.status_code == 200 and not Claim.objects.exists()


def test_the_chair_enrols_all_members_then_an_xlsx_with_its_bad_rows_listed(plan, zhang, chair_a):
    import xlsxwriter

    client = as_(chair_a)
    assert client.post(reverse("console:medical_enrolments"), {"action": "all"}).status_code == 200
    assert Enrolment.objects.count() == 1
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for i, value in enumerate(["会员号", zhang.number, "404404"]):
        sheet.write(i, 0, value)
    book.close()
    page = client.post(
        reverse("console:medical_enrolments"),
        {"action": "import", "file": SimpleUploadedFile("名单.xlsx", buffer.getvalue())},
    ).content.decode()
    assert 'data-testid="enrol-problems"' in page and "404404" in page
    assert Enrolment.objects.count() == 1


def test_a_viewer_sees_enrolments_but_cannot_enrol(plan, zhang, viewer_a):
    client = as_(viewer_a)
    page = client.get(reverse("console:medical_enrolments"))
    assert page.status_code == 200 and 'data-testid="enrol-actions"' not in page.content.decode()
    assert client.post(reverse("console:medical_enrolments"), {"action": "all"}).status_code == 403


def test_the_plan_page_shows_the_schedule_inherited_from_the_province(plan, chair_a):
    page = as_(chair_a).get(reverse("console:medical_plan")).content.decode()
    assert "职工住院医疗互助" in page and "恶性肿瘤" in page


def test_the_statistics_page_draws_its_charts(claim, district_cadre_a):
    page = as_(district_cadre_a).get(reverse("console:medical_stats"))
    assert page.status_code == 200 and 'data-chart="medical-union"' in page.content.decode()


def test_the_enrolment_list_has_a_fixed_number_of_queries(
    tree, plan, chair_a, zhang, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import make_user
    from .suggestion_helpers import make_member

    client = as_(chair_a)
    svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026)
    client.get(reverse("console:medical_enrolments"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("console:medical_enrolments"))
    for n in range(3):
        user = make_user(f"1390000010{n}", "王五赵六"[n : n + 2])
        make_member(chair_a, tree.grassroots_a, user, 10 + n)
    svc.enrol_members(actor=chair_a, org=tree.grassroots_a, year=2026)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("console:medical_enrolments"))


def test_in_december_the_portal_offers_next_years_enrolment(
    tree, plan, zhang, member_a, province_cadre, frozen
):
    import datetime as dt

    frozen.move_to(dt.datetime(2026, 12, 10, 10, 0))
    data = h.plan_input(
        year=2027,
        enrol_opens=dt.date(2026, 12, 1),
        enrol_closes=dt.date(2027, 3, 31),
        cover_starts=dt.date(2027, 1, 1),
        cover_ends=dt.date(2027, 12, 31),
    )
    svc.plan_set(actor=province_cadre, org=tree.province, data=data)
    client = as_(member_a)
    page = client.get(reverse("portal:medical")).content.decode()
    assert 'data-testid="enrol-form"' in page and "2027" in page
    client.post(reverse("portal:medical_enrol"), {"plan_code": "basic"})
    assert Enrolment.objects.get().year == 2027
    assert 'data-testid="enrol-form"' not in client.get(reverse("portal:medical")).content.decode()


PLAN_POST = {
    "year": "2027",
    "code": "basic",
    "name": "2027年职工医疗互助",
    "contribution": "30",
    "enrol_opens": "2026-12-01",
    "enrol_closes": "2027-03-31",
    "cover_starts": "2027-01-01",
    "cover_ends": "2027-12-31",
    "waiting_days": "90",
    "claim_deadline_days": "180",
    "hospital_deductible": "1000",
    "hospital_tiers": "10000 0.5\n- 0.6",
    "per_stay_cap": "20000",
    "annual_cap": "50000",
    "illnesses": "cancer 恶性肿瘤 10000",
    "accident_cover_for_new_employment": "on",
    "accident_benefits": "injury 意外住院 2000",
}


def test_the_province_sets_a_plan_in_the_console(tree, province_cadre, frozen):
    client = as_(province_cadre)
    assert 'data-testid="plan-form"' in client.get(reverse("console:medical_plan")).content.decode()
    response = client.post(reverse("console:medical_plan"), PLAN_POST)
    assert response.status_code == 302
    plan = Plan.objects.get(year=2027)
    assert (
        plan.hospital_tiers == [["10000", "0.5"], [None, "0.6"]] and plan.illnesses[0]["amount"] == "10000.00"
    )
    assert plan.accident_cover_for_new_employment


def test_a_plan_with_bad_tiers_is_shown_on_the_form(tree, province_cadre, frozen):
    page = as_(province_cadre).post(
        reverse("console:medical_plan"), {**PLAN_POST, "hospital_tiers": "9 0.5\n3 0.6"}
    )
    assert page.status_code == 200 and not Plan.objects.filter(year=2027).exists()


def test_a_grassroots_chair_or_a_viewer_cannot_set_a_plan(plan, chair_a, viewer_a):
    for user in (chair_a, viewer_a):
        client = as_(user)
        assert 'data-testid="plan-form"' not in client.get(reverse("console:medical_plan")).content.decode()
        assert client.post(reverse("console:medical_plan"), PLAN_POST).status_code == 403
