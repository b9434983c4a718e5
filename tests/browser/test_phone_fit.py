"""Every page fits a 375-pixel-wide phone: no sideways scrolling of the page itself.

Wide tables are allowed to be wider than the screen only inside their own scrolling .table-wrap.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from gonghui.core.seed.demo import ACCOUNTS
from gonghui.members.models import Application, LapseProposal, Member, Transfer
from gonghui.members.selectors import card_code
from gonghui.orgs.models import Org, OrgRequest
from gonghui.rights.models import Case

from .helpers import PHONE_WIDTH, assert_fits_phone, login, snap

pytestmark = pytest.mark.browser

NATIONAL_ADMIN = next(a for a in ACCOUNTS if a.what == "national administrator")
MEMBER = next(a for a in ACCOUNTS if a.role is None)


def test_every_portal_page_fits_a_phone(phone: Page, demo) -> None:
    page = phone
    for name, path in [
        ("home", "/"),
        ("login", "/login/"),
        ("login-sms", "/login/?mode=sms"),
        ("language", "/language/"),
        ("not-found", "/no-such-page/"),
    ]:
        page.goto(path)
        expect(page.locator("body")).to_be_visible()
        snap(page, f"fit-portal-{name}-anonymous")
    page.goto("/join/")
    snap(page, "fit-portal-join-anonymous")
    login(page, MEMBER.mobile, settings.GONGHUI_DEMO_PASSWORD)
    member = Member.objects.get(user__real_name=MEMBER.name)
    own_case = Case.objects.filter(requester__real_name=MEMBER.name).order_by("-received_at").first()
    assert own_case is not None
    for name, path in [
        ("home", "/"),
        ("profile", "/me/"),
        ("org-request", "/unions/new/"),
        ("join", "/join/"),
        ("membership", "/me/membership/"),
        ("applications", "/me/applications/"),
        ("transfer", "/me/membership/transfer/"),
        ("notices", "/me/notices/"),
        ("card-check", f"/card/{card_code(member.number)}/"),
        ("rights", "/rights/"),
        ("rights-new", "/rights/new/"),
        ("rights-case", f"/rights/{own_case.pk}/"),
    ]:
        page.goto(path)
        snap(page, f"fit-portal-{name}")
    # A form full of errors is the widest a form gets.
    page.goto("/unions/new/")
    page.locator("form.form").evaluate("f => { f.noValidate = true; }")
    page.get_by_role("button").last.click()
    expect(page.locator(".field.has-error").first).to_be_visible()
    snap(page, "fit-portal-org-request-errors")


def test_every_console_page_fits_a_phone(phone: Page, demo) -> None:
    """The national administrator sees the widest tables and the longest names in the tree."""
    page = phone
    login(page, NATIONAL_ADMIN.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/")
    deep = Org.objects.get(code="330106-G11-B1-1")  # the deepest node: the longest breadcrumb
    platform = Org.objects.get(code="330108-G04")  # a platform company with an address
    req = OrgRequest.objects.first()
    assert req is not None
    application = Application.objects.filter(status="pending").first()
    member = Member.objects.filter(status="active").order_by("pk").first()
    transfer = Transfer.objects.filter(status="pending").first()
    lapse = LapseProposal.objects.filter(status="proposed").first()
    case = Case.objects.filter(status="handling").order_by("pk").first()
    assert application and member and transfer and lapse and case
    pages = [
        ("dashboard", "/console/"),
        ("switch", "/console/switch/"),
        ("switch-search", "/console/switch/?q=hz"),
        ("tree", "/console/orgs/"),
        ("tree-search", "/console/orgs/?q=gonghui"),
        ("tree-kind", "/console/orgs/?kind=grassroots"),
        ("org-deep", f"/console/orgs/{deep.pk}/"),
        ("org-platform", f"/console/orgs/{platform.pk}/"),
        ("org-move", f"/console/orgs/{platform.pk}/move/"),
        ("requests", "/console/requests/"),
        ("request-new", "/console/requests/new/"),
        ("request-detail", f"/console/requests/{req.pk}/"),
        ("roles", "/console/roles/"),
        ("not-found", "/console/orgs/999999999/"),
        ("applications", "/console/applications/"),
        ("application", f"/console/applications/{application.pk}/"),
        ("members", "/console/members/"),
        ("members-search", "/console/members/?q=wang"),
        ("member", f"/console/members/{member.pk}/"),
        ("member-new", "/console/members/new/"),
        ("transfers", "/console/transfers/"),
        ("transfer", f"/console/transfers/{transfer.pk}/"),
        ("lapses", "/console/lapses/"),
        ("lapse", f"/console/lapses/{lapse.pk}/"),
        ("arrears", "/console/dues/arrears/"),
        ("policy", "/console/members/policy/"),
        ("imports", "/console/imports/"),
        ("import-new", "/console/imports/new/"),
        ("rights", "/console/rights/"),
        ("rights-all", "/console/rights/?status="),
        ("rights-case", f"/console/rights/{case.pk}/"),
        ("rights-call", "/console/rights/call/"),
        ("rights-stats", "/console/rights/stats/"),
        ("rights-levels", "/console/rights/levels/"),
    ]
    for name, path in pages:
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        snap(page, f"fit-console-{name}")
    # The tree with every level opened, down to the deepest group.
    page.goto("/console/orgs/")
    closed = page.locator("ul.tree details:not([open]) > summary")
    for _ in range(200):  # a bound, not a wait: the demo tree has a few dozen expandable nodes
        if closed.count() == 0:
            break
        org_id = closed.first.evaluate("s => s.closest('li').dataset.org")
        page.locator(f'li[data-org="{org_id}"] > details > summary').click(position={"x": 4, "y": 10})
        expect(page.locator(f'li[data-org="{org_id}"] > details > .sub > ul.tree')).to_have_count(1)
    expect(page.get_by_role("link", name="装配班组工会小组")).to_be_visible()
    snap(page, "fit-console-tree-all-open")
    # Tables scroll inside their wrapper, never the page.
    for wrap in page.locator(".table-wrap").all():
        assert wrap.evaluate("el => el.clientWidth") <= PHONE_WIDTH
    assert_fits_phone(page)
