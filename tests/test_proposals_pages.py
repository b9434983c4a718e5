"""The proposal pages: the delegate's portal (submit, co-sign, follow, rate), the department's answer in the
portal, the published report for members; the committee's console (queue, decision, assignment, answer,
reassignment, departments, the report with its PDF, workbook and publication). Scope on every page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from gonghui.core.models import AuditRecord
from gonghui.proposals import services
from gonghui.proposals.models import Department, Proposal, ProposalReport
from gonghui.suggestions.models import Suggestion

from .conftest import CastClient, make_user
from .proposal_helpers import answered, at_committee, make_cg, make_dept, submit
from .suggestion_helpers import make_member

FORM = {
    "title": "关于增设职工子女暑托班的提案",
    "category": "life",
    "reasons": "暑假期间双职工家庭孩子无人照看，职工上班分心。",
    "measures": "利用培训中心开设暑托班，聘请专业机构管理，费用工会补贴一半。",
}


@pytest.fixture
def cg(tree, chair_a):
    return make_cg(tree, chair_a)


@pytest.fixture
def dept(tree, chair_a):
    return make_dept(tree, chair_a)


def logged_in(user) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


@pytest.fixture
def handler_a(tree):
    return make_user("13800000020", "赵维权", "case_handler", tree.district_a)


# --- portal --------------------------------------------------------------------------------------------------


def test_a_delegate_submits_a_colleague_co_signs_and_the_proposer_rates_it(tree, cg, chair_a, dept):
    client = logged_in(cg.users[0])
    assert 'data-testid="proposal-new"' in client.get(reverse("portal:proposals")).content.decode()
    response = client.post(
        reverse("portal:proposal_new"), {**FORM, "congress": cg.congress.pk, "meeting": cg.meeting.pk}
    )
    p = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:proposal", args=[p.pk])
    colleague = logged_in(cg.users[1])
    assert p.title in colleague.get(reverse("portal:proposals")).content.decode()
    assert 'data-testid="cosign"' in colleague.get(reverse("portal:proposal", args=[p.pk])).content.decode()
    colleague.post(reverse("portal:proposal_cosign", args=[p.pk]))
    colleague.post(reverse("portal:proposal_cosign", args=[p.pk]))  # a second time: refused with a message
    logged_in(cg.users[2]).post(reverse("portal:proposal_cosign", args=[p.pk]))
    p.refresh_from_db()
    assert p.status == "submitted" and p.cosigner_count == 2
    # The proposer's own page has no co-sign button.
    assert 'data-testid="cosign"' not in client.get(reverse("portal:proposal", args=[p.pk])).content.decode()
    services.proposal_accept(actor=chair_a, proposal=p)
    services.proposal_assign(actor=chair_a, proposal=p, department=dept)
    # The department's contact answers in the portal.
    contact = logged_in(dept.contact)
    assert p.title in contact.get(reverse("portal:proposals")).content.decode()
    contact.post(
        reverse("portal:proposal_answer", args=[p.pk]), {"text": "培训中心七月起开设暑托班，报名通知另发。"}
    )
    p.refresh_from_db()
    assert p.status == "answered"
    client.post(
        reverse("portal:proposal_rate", args=[p.pk]), {"satisfaction": "satisfied", "comment": "谢谢"}
    )
    client.post(reverse("portal:proposal_rate", args=[p.pk]), {"satisfaction": "not_satisfied"})  # once only
    p.refresh_from_db()
    assert p.status == "closed" and p.satisfaction == "satisfied"


def test_bad_input_shows_the_error_and_writes_nothing(tree, cg):
    client = logged_in(cg.users[0])
    response = client.post(
        reverse("portal:proposal_new"), {**FORM, "congress": cg.congress.pk, "reasons": "短"}
    )
    assert response.status_code == 200 and "reasons" in response.context["form"].errors
    assert Proposal.objects.count() == 0


def test_someone_who_is_not_a_delegate_cannot_submit_or_read(tree, cg, member_a):
    p = submit(cg)
    client = logged_in(member_a)
    assert 'data-testid="not-delegate"' in client.get(reverse("portal:proposal_new")).content.decode()
    client.post(reverse("portal:proposal_new"), {**FORM, "congress": cg.congress.pk})
    assert Proposal.objects.count() == 1
    assert client.get(reverse("portal:proposal", args=[p.pk])).status_code == 404
    for name in (
        "portal:proposal_cosign",
        "portal:proposal_withdraw",
        "portal:proposal_answer",
        "portal:proposal_rate",
    ):
        assert (
            client.post(
                reverse(name, args=[p.pk]), {"text": "x" * 20, "satisfaction": "satisfied"}
            ).status_code
            == 404
        ), name
    p.refresh_from_db()
    assert p.cosigner_count == 0 and p.status == "collecting"


def test_a_colleague_cannot_rate_or_withdraw_someone_elses_proposal(tree, cg, chair_a, dept):
    p = answered(cg, chair_a, dept)
    colleague = logged_in(cg.users[1])
    colleague.post(reverse("portal:proposal_rate", args=[p.pk]), {"satisfaction": "satisfied"})
    p.refresh_from_db()
    assert p.status == "answered" and p.satisfaction == ""


def test_the_portal_pages_need_a_login(tree):
    client = CastClient()
    for name in ("portal:proposals", "portal:proposal_new"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_members_read_the_published_report_and_others_do_not(tree, cg, chair_a, dept, member_a, member_b):
    make_member(chair_a, tree.grassroots_a, member_a, 9)
    answered(cg, chair_a, dept)
    report = services.proposal_report_publish(actor=chair_a, congress=cg.congress)
    client = logged_in(member_a)
    assert report.title in client.get(reverse("portal:proposals")).content.decode()
    page = client.get(reverse("portal:proposal_report", args=[report.pk])).content.decode()
    assert "关于改善倒班职工夜班餐的提案" in page
    assert logged_in(member_b).get(reverse("portal:proposal_report", args=[report.pk])).status_code == 404


# --- console ---------------------------------------------------------------------------------------------------


def test_the_committee_works_a_proposal_through_the_console(tree, cg, chair_a, dept):
    p = at_committee(cg)
    client = logged_in(chair_a)
    assert p.title in client.get(reverse("console:proposals")).content.decode()
    page = client.get(reverse("console:proposal", args=[p.pk])).content.decode()
    assert 'data-testid="decide-form"' in page
    client.post(reverse("console:proposal_decide", args=[p.pk]), {"decision": "reject", "note": ""})
    p.refresh_from_db()
    assert p.status == "submitted"  # a rejection without a reason is refused with a message
    client.post(reverse("console:proposal_decide", args=[p.pk]), {"decision": "accept"})
    client.post(
        reverse("console:proposal_assign", args=[p.pk]), {"department": str(dept.pk), "workdays": "15"}
    )
    p.refresh_from_db()
    assert p.status == "assigned" and p.department == dept
    client.post(reverse("console:proposal_answer", args=[p.pk]), {"text": "食堂自十二月起夜间开放一个窗口。"})
    services.proposal_rate(user=cg.users[0], proposal=p, satisfaction="not_satisfied")
    assert (
        'data-testid="assign-form"' in client.get(reverse("console:proposal", args=[p.pk])).content.decode()
    )
    client.post(
        reverse("console:proposal_reassign", args=[p.pk]),
        {"department": str(dept.pk), "workdays": "10", "note": "请给出时间表"},
    )
    p.refresh_from_db()
    assert p.status == "assigned" and p.reassigned


def test_converting_in_the_console_makes_one_suggestion(tree, cg, chair_a):
    p = at_committee(cg)
    client = logged_in(chair_a)
    client.post(reverse("console:proposal_decide", args=[p.pk]), {"decision": "convert"})
    client.post(reverse("console:proposal_decide", args=[p.pk]), {"decision": "convert"})
    assert Suggestion.objects.count() == 1
    page = client.get(reverse("console:proposal", args=[p.pk])).content.decode()
    assert 'data-testid="proposal-suggestion"' in page


def test_the_committee_keeps_the_departments(tree, chair_a, member_b):
    client = logged_in(chair_a)
    client.post(
        reverse("console:proposal_departments"), {"name": "人力资源部", "contact_mobile": member_b.mobile}
    )
    d = Department.objects.get()
    assert d.org == tree.grassroots_a and d.contact == member_b
    response = client.post(
        reverse("console:proposal_departments"), {"name": "人力资源部", "contact_mobile": ""}
    )
    assert response.status_code == 200 and Department.objects.count() == 1  # duplicate: error on the form
    response = client.post(
        reverse("console:proposal_departments"), {"name": "财务部", "contact_mobile": "13999999999"}
    )
    assert response.status_code == 200 and Department.objects.count() == 1  # unknown account
    client.post(
        reverse("console:proposal_department_edit", args=[d.pk]), {"name": "人力资源部", "contact_mobile": ""}
    )
    d.refresh_from_db()
    assert d.contact is None and not d.active


def test_the_report_page_pdf_workbook_and_publication(tree, cg, chair_a, dept):
    answered(cg, chair_a, dept)
    client = logged_in(chair_a)
    url = reverse("console:proposal_report") + f"?congress={cg.congress.pk}"
    page = client.get(url).content.decode()
    assert "关于改善倒班职工夜班餐的提案" in page and 'data-testid="report-publish"' in page
    pdf = client.get(url + "&format=pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    xlsx = client.get(url + "&format=xlsx")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "编号" and rows[2][1] == "关于改善倒班职工夜班餐的提案"
    client.post(reverse("console:proposal_report_publish"), {"congress": cg.congress.pk})
    assert ProposalReport.objects.count() == 1
    assert AuditRecord.objects.filter(action="gonghui.proposal.report_published").exists()
    assert AuditRecord.objects.filter(action="gonghui.proposal.report_downloaded").count() == 2


def test_the_queue_costs_the_same_queries_whatever_its_length(tree, cg, chair_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(chair_a)
    submit(cg)
    client.get(reverse("console:proposals") + "?status=")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("console:proposals") + "?status=")
    for n in range(1, 5):
        submit(cg, n)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("console:proposals") + "?status=")
    assert len(five.captured_queries) == len(one.captured_queries)


# --- scope on every console page -------------------------------------------------------------------------------

ACTIONS = [
    ("console:proposal_decide", {"decision": "accept"}),
    ("console:proposal_assign", {"department": "1", "workdays": "5"}),
    ("console:proposal_reassign", {"department": "1", "workdays": "5"}),
    ("console:proposal_answer", {"text": "答复内容答复内容答复内容"}),
]


def test_every_console_page_of_a_proposal_is_not_found_for_another_union(tree, cg, chair_b, dept):
    p = at_committee(cg)
    client = logged_in(chair_b)
    assert client.get(reverse("console:proposal", args=[p.pk])).status_code == 404
    for name, data in ACTIONS:
        assert client.post(reverse(name, args=[p.pk]), data).status_code == 404, name
    assert (
        client.post(
            reverse("console:proposal_department_edit", args=[dept.pk]), {"name": "x部门"}
        ).status_code
        == 404
    )
    assert client.get(reverse("console:proposal_report") + f"?congress={cg.congress.pk}").status_code == 404
    assert (
        client.post(reverse("console:proposal_report_publish"), {"congress": cg.congress.pk}).status_code
        == 404
    )
    assert p.title not in client.get(reverse("console:proposals") + "?status=").content.decode()
    p.refresh_from_db()
    assert p.status == "submitted"


def test_a_role_without_democratic_management_is_refused_on_every_page(tree, cg, handler_a, dept):
    p = at_committee(cg)
    client = logged_in(handler_a)
    for name in ("console:proposals", "console:proposal_departments", "console:proposal_report"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("console:proposal", args=[p.pk])).status_code == 403
    for name, data in ACTIONS:
        assert client.post(reverse(name, args=[p.pk]), data).status_code == 403, name
    assert client.get(reverse("console:proposal_report") + f"?congress={cg.congress.pk}").status_code == 403


def test_a_viewer_reads_but_every_step_is_refused(tree, cg, viewer_a, dept):
    p = at_committee(cg)
    client = logged_in(viewer_a)
    assert client.get(reverse("console:proposal", args=[p.pk])).status_code == 200
    for name, data in ACTIONS:
        assert client.post(reverse(name, args=[p.pk]), data).status_code == 403, name
    assert client.post(reverse("console:proposal_departments"), {"name": "新部门"}).status_code == 403
    assert (
        client.post(
            reverse("console:proposal_department_edit", args=[dept.pk]), {"name": "x部门"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("console:proposal_report_publish"), {"congress": cg.congress.pk}).status_code
        == 403
    )
    p.refresh_from_db()
    assert p.status == "submitted" and ProposalReport.objects.count() == 0


def test_the_secretariat_records_paper_forms_in_the_console(tree, cg, chair_a, dept):
    client = logged_in(chair_a)
    page = client.get(reverse("console:proposal_record") + f"?congress={cg.congress.pk}").content.decode()
    assert 'data-testid="paper-proposal-form"' in page
    paper = cg.delegates[3]
    paper.user = None
    paper.save(update_fields=["user"])
    response = client.post(
        reverse("console:proposal_record"),
        {**FORM, "congress": cg.congress.pk, "delegate": paper.pk, "meeting": ""},
    )
    p = Proposal.objects.get()
    assert response["Location"] == reverse("console:proposal", args=[p.pk]) and p.proposer == paper
    assert (
        'data-testid="paper-forms"' in client.get(reverse("console:proposal", args=[p.pk])).content.decode()
    )
    client.post(
        reverse("console:proposal_cosign_record", args=[p.pk]), {"delegate": str(paper.pk)}
    )  # own: refused
    for n in (1, 2):
        client.post(
            reverse("console:proposal_cosign_record", args=[p.pk]), {"delegate": str(cg.delegates[n].pk)}
        )
    p.refresh_from_db()
    assert p.status == "submitted" and p.cosigner_count == 2
    services.proposal_accept(actor=chair_a, proposal=p)
    services.proposal_assign(actor=chair_a, proposal=p, department=dept)
    services.proposal_answer(actor=chair_a, proposal=p, text="暑托班七月开班，报名通知另发。")
    assert (
        'data-testid="rate-record-submit"'
        in client.get(reverse("console:proposal", args=[p.pk])).content.decode()
    )
    client.post(reverse("console:proposal_rate_record", args=[p.pk]), {"satisfaction": "basically"})
    p.refresh_from_db()
    assert p.status == "closed" and p.satisfaction == "basically"


def test_the_paper_form_pages_follow_scope_and_role(tree, cg, chair_b, viewer_a, handler_a):
    p = submit(cg)
    url = reverse("console:proposal_record") + f"?congress={cg.congress.pk}"
    assert logged_in(chair_b).get(url).status_code == 404
    assert logged_in(viewer_a).get(url).status_code == 403
    assert logged_in(handler_a).get(url).status_code == 403
    for client, status in (
        (logged_in(chair_b), 404),
        (logged_in(viewer_a), 403),
        (logged_in(handler_a), 403),
    ):
        data = {"delegate": str(cg.delegates[1].pk), "satisfaction": "satisfied"}
        assert client.post(reverse("console:proposal_cosign_record", args=[p.pk]), data).status_code == status
        assert client.post(reverse("console:proposal_rate_record", args=[p.pk]), data).status_code == status
    p.refresh_from_db()
    assert p.cosigner_count == 0
