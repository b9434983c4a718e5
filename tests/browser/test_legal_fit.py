"""The legal-aid and mediation pages fit a 375-pixel-wide phone (no sideways scrolling of the page itself),
for the cadre who works them and for the worker who follows their request."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page

from gonghui.orgs.models import Role
from gonghui.rights import services
from tests.conftest import PASSWORD, make_user

from .helpers import login, snap

pytestmark = pytest.mark.browser


def test_legal_aid_and_mediation_pages_fit_a_phone(phone: Page, transactional_db, tree, member_a) -> None:
    handler = make_user("13800000020", "赵维权", Role.CASE_HANDLER, tree.district_a)
    data = services.CaseInput(
        category="wages",
        description="公司已经三个月没有发工资了，一共拖欠两万多元，老板说没钱，让我们再等等。",
        work_division_code="330106",
        employer_name="杭州西溪数字科技股份有限公司滨江第二分公司",
    )
    case, _code = services.case_submit(user=member_a, data=data)
    lawyer = services.lawyer_add(
        actor=handler,
        org=tree.district_a,
        name="欧阳娜娜",
        firm="浙江天册律师事务所（杭州西湖分所）",
        phone="0571-87901234",
    )
    aid = services.legal_aid_open(actor=handler, case=case, amount_claimed="23456.78", lawyer=lawyer)
    services.legal_aid_record(
        actor=handler,
        aid=aid,
        kind="consultation",
        on_date=datetime.date.today(),
        note="当面咨询，梳理工资条、考勤记录和聊天记录等证据。" * 3,
    )
    committee = services.committee_add(
        actor=handler, org=tree.district_a, name="杭州市西湖区劳动人事争议调解中心", kind="regional"
    )
    mediator = services.mediator_add(actor=handler, committee=committee, name="司马调解")
    m = services.mediation_open(
        actor=handler,
        committee=committee,
        subject="拖欠 2026 年 8 月至 10 月工资共计 23456.78 元，要求一次性支付并支付经济补偿。",
        parties=[
            services.PartyInput(side="worker", name="张伟", phone="13911112222", representative="李四"),
            services.PartyInput(
                side="employer", name="杭州西溪数字科技股份有限公司滨江第二分公司", representative="孙经理"
            ),
        ],
        known_on=datetime.date.today() - datetime.timedelta(days=60),
        case=case,
        mediator=mediator,
    )
    services.mediation_session_add(
        actor=handler, mediation=m, held_on=datetime.date.today(), notes="双方陈述，公司同意分两期支付。"
    )
    services.mediation_agree(
        actor=handler,
        mediation=m,
        terms="公司于 2026 年 12 月 31 日前分两期支付工资 23456.78 元。",
        amount="23456.78",
    )
    page = phone
    login(page, handler.mobile, PASSWORD, next_url="/console/")
    for name, path in [
        ("legal-list", "/console/legal/?status=all"),
        ("legal-detail", f"/console/legal/{aid.pk}/"),
        ("lawyers", "/console/legal/lawyers/"),
        ("lawyer", f"/console/legal/lawyers/{lawyer.pk}/"),
        ("committees", "/console/mediation/committees/"),
        ("committee", f"/console/mediation/committees/{committee.pk}/"),
        ("mediation-list", "/console/mediation/"),
        ("mediation-new", f"/console/mediation/new/?case={case.pk}"),
        ("mediation-detail", f"/console/mediation/{m.pk}/"),
        ("request-with-panel", f"/console/rights/{case.pk}/"),
    ]:
        page.goto(path)
        snap(page, f"fit-legal-{name}")
    page.context.clear_cookies()
    login(page, member_a.mobile, PASSWORD)
    page.goto(f"/rights/{case.pk}/")
    snap(page, "fit-legal-portal-request")
