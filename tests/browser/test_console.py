"""The cadre console on a phone and on a desktop: dashboard, union tree, search, requests and roles."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from gonghui.core.seed.demo import ACCOUNTS
from gonghui.orgs.models import Org, OrgKind, OrgRequest

from .helpers import assert_fits_phone, login, snap, zh, zh_plural

pytestmark = pytest.mark.browser

CADRE_A = next(a for a in ACCOUNTS if a.what.startswith("district cadre A"))  # 李区干, 杭州市西湖区总工会
DISTRICT_A = "杭州市西湖区总工会"
STREET = "西湖区文新街道总工会"
GRASSROOTS = "杭州西溪数智科技有限公司工会委员会"  # under STREET, with an address


def tree_node(page: Page, name: str):  # type: ignore[no-untyped-def]
    """The <li> of one union in the tree browser: a node with children shows its name in the <summary>
    (tapping it expands the node), a leaf shows a link to the union's page."""
    own = (
        f"xpath=./details/summary/span/span[@class='node-name'][normalize-space()='{name}']"
        f" | ./div[@class='leaf']/a[normalize-space()='{name}']"
    )
    return page.locator("ul.tree li").filter(has=page.locator(own))


def expand(page: Page, name: str) -> None:
    """Open a node of the tree browser as a person does: tap its name."""
    tree_node(page, name).locator("xpath=./details/summary/span/span[@class='node-name']").click()
    expect(tree_node(page, name).locator("xpath=./details")).to_have_attribute("open", "")


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_district_cadre_walks_the_union_tree(request: pytest.FixtureRequest, screen: str, demo) -> None:
    page: Page = request.getfixturevalue(screen)
    login(page, CADRE_A.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/")

    # The dashboard: the cadre's own district, its roll-up figures and the unions directly under it.
    district = Org.objects.get(name=DISTRICT_A)
    subtree = Org.objects.filter(path__startswith=district.path)
    expect(page.locator("main h1")).to_have_text(DISTRICT_A)
    expect(page.locator('[data-testid="org-switcher"]')).to_contain_text(DISTRICT_A)
    expect(page.locator('[data-stat="orgs"]')).to_have_text(str(subtree.count()))
    expect(page.locator('[data-stat="grassroots"]')).to_have_text(
        str(subtree.filter(kind=OrgKind.GRASSROOTS).count())
    )
    children = page.locator("main [data-testid=org-table] tbody tr")
    expect(children).to_have_count(Org.objects.filter(parent=district).count())
    expect(children.filter(has_text=STREET)).to_have_count(1)
    snap(page, f"console-dashboard-{screen}")

    # The tree browser: expanding a street loads its grassroots unions with htmx.
    page.get_by_role("navigation", name=zh("Console sections")).get_by_role(
        "link", name=zh("Union tree")
    ).click()
    expect(page).to_have_url(re.compile(r"/console/orgs/$"))
    street_node = tree_node(page, STREET)
    expect(street_node).to_have_count(1)
    expect(page.get_by_role("link", name=GRASSROOTS)).to_have_count(0)  # not loaded until expanded
    snap(page, f"console-tree-{screen}")
    expand(page, STREET)
    street = Org.objects.get(name=STREET)
    grandchildren = street_node.locator(".sub > ul.tree > li")
    expect(grandchildren).to_have_count(Org.objects.filter(parent=street).count())
    expect(street_node.get_by_role("link", name=GRASSROOTS)).to_be_visible()
    snap(page, f"console-tree-expanded-{screen}")

    # Two levels deep: the group of a branch of a big enterprise's union.
    expand(page, "浙江西湖电力设备集团有限公司工会委员会")
    expand(page, "浙江西湖电力设备集团有限公司第一车间分工会")
    expect(page.get_by_role("link", name="装配班组工会小组")).to_be_visible()
    assert_fits_phone(page)

    # A grassroots union's page: breadcrumb up to the cadre's district and no further, and its facts.
    street_node.get_by_role("link", name=GRASSROOTS).click()
    expect(page.locator("main h1")).to_have_text(GRASSROOTS)
    crumbs = page.get_by_role("navigation", name=zh("Breadcrumb"))
    expect(crumbs.get_by_role("link")).to_have_text([DISTRICT_A, STREET])
    expect(crumbs).not_to_contain_text("杭州市总工会")  # above the cadre's scope
    expect(page.locator(".facts")).to_contain_text("西湖区文一西路 588 号")
    expect(page.locator(".facts")).to_contain_text(zh("Grassroots union"))
    snap(page, f"console-org-detail-{screen}")
    crumbs.get_by_role("link", name=STREET).click()
    expect(page.locator("main h1")).to_have_text(STREET)

    # Search by name, by pinyin initials and by full pinyin, always within the cadre's scope.
    page.goto("/console/orgs/")
    search = page.get_by_role("searchbox", name=zh("Search"))
    search.fill("翠苑")
    search.press("Enter")
    results = page.locator("main .table-wrap tbody tr")
    expect(results).to_have_count(3)
    expect(page.locator("main h2")).to_have_text(zh_plural("%(n)s union found", "%(n)s unions found", 3))
    expect(results.first).to_contain_text("翠苑")
    snap(page, f"console-search-name-{screen}")

    search = page.get_by_role("searchbox", name=zh("Search"))
    search.fill("xxsz")  # 杭州西溪数智科技 → hzxxszkj…
    search.press("Enter")
    expect(results).to_have_count(1)
    expect(results.first.get_by_role("link")).to_have_text(GRASSROOTS)
    snap(page, f"console-search-pinyin-{screen}")

    search = page.get_by_role("searchbox", name=zh("Search"))
    search.fill("changhe")  # 长河 is in 滨江区, another district: not found
    search.press("Enter")
    expect(page.get_by_role("searchbox", name=zh("Search"))).to_have_value("changhe")
    expect(page.locator("main")).not_to_contain_text("长河")


def test_a_search_that_finds_nothing_says_so(phone: Page, demo) -> None:
    page = phone
    login(page, CADRE_A.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/orgs/?q=changhe")
    expect(page.locator("main h2")).to_have_text(zh_plural("%(n)s union found", "%(n)s unions found", 0))
    expect(page.locator("main")).to_contain_text(zh("No unions below this one."))


def test_a_cadre_switches_to_a_union_in_scope_and_finds_nothing_outside_it(phone: Page, demo) -> None:
    page = phone
    login(page, CADRE_A.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/")
    page.locator('[data-testid="org-switcher"]').click()
    expect(page).to_have_url(re.compile(r"/console/switch/$"))
    search = page.get_by_role("searchbox", name=zh("Search"))
    search.fill("鄞州")  # Ningbo's district: someone else's
    search.press("Enter")
    expect(page.locator("main")).to_contain_text(zh("Nothing found."))
    search = page.get_by_role("searchbox", name=zh("Search"))
    search.fill("cyjd")  # 翠苑街道 by initials
    search.press("Enter")
    snap(page, "console-switch-phone")
    page.get_by_role("button", name="西湖区翠苑街道总工会").click()
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator("main h1")).to_have_text("西湖区翠苑街道总工会")
    expect(page.locator('[data-testid="org-switcher"]')).to_contain_text("西湖区翠苑街道总工会")
    expect(page.get_by_role("navigation", name=zh("Breadcrumb")).get_by_role("link")).to_have_text(
        [DISTRICT_A]
    )


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_district_cadre_approves_a_set_up_request_and_the_union_appears_in_the_tree(
    request: pytest.FixtureRequest, screen: str, demo
) -> None:
    page: Page = request.getfixturevalue(screen)
    pending = OrgRequest.objects.get(parent__name=STREET, status=OrgRequest.Status.PENDING)
    elsewhere = OrgRequest.objects.exclude(pk=pending.pk).get(status=OrgRequest.Status.PENDING)  # in Ningbo
    login(page, CADRE_A.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/")

    waiting = page.get_by_role(
        "link",
        name=zh_plural(
            "%(n)s set-up request waits for a decision", "%(n)s set-up requests wait for a decision", 1
        ),
    )
    waiting.click()
    expect(page).to_have_url(re.compile(r"/console/requests/$"))
    rows = page.locator("main .table-wrap tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(pending.name)
    expect(page.locator("main")).not_to_contain_text(elsewhere.name)
    snap(page, f"console-requests-{screen}")

    rows.first.get_by_role("link", name=pending.name).click()
    expect(page.locator("main h1")).to_have_text(pending.name)
    expect(page.locator(".badge")).to_have_text(zh("Pending"))
    snap(page, f"console-request-detail-{screen}")
    page.get_by_label(zh("Note (optional)")).fill("材料齐全，同意组建。")
    page.locator('[data-testid="approve"]').click()

    # The new union's own page, under the street, with a success message.
    expect(page).to_have_url(re.compile(r"/console/orgs/\d+/$"))
    expect(page.locator("main h1")).to_have_text(pending.name)
    expect(page.locator(".messages")).to_contain_text(pending.name)
    expect(page.get_by_role("navigation", name=zh("Breadcrumb")).get_by_role("link")).to_have_text(
        [DISTRICT_A, STREET]
    )
    snap(page, f"console-request-approved-{screen}")

    # And in the tree, when the street is expanded.
    page.goto("/console/orgs/")
    expand(page, STREET)
    expect(tree_node(page, STREET).get_by_role("link", name=pending.name)).to_be_visible()

    # The request is no longer pending; the dashboard stops asking.
    page.goto("/console/requests/?status=approved")
    expect(page.locator("main .table-wrap tbody tr").filter(has_text=pending.name)).to_contain_text(
        zh("Approved")
    )
    page.goto("/console/")
    expect(waiting).to_have_count(0)
    pending.refresh_from_db()
    assert pending.status == OrgRequest.Status.APPROVED and pending.created_org is not None


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_an_administrator_grants_a_viewer_role_to_a_new_mobile_number(
    request: pytest.FixtureRequest, screen: str, demo
) -> None:
    page: Page = request.getfixturevalue(screen)
    login(page, CADRE_A.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/roles/")
    expect(page.locator("main h1")).to_have_text(zh("Roles"))
    snap(page, f"console-roles-{screen}")

    page.get_by_label(zh("Mobile number")).fill("13700001234")
    page.get_by_label(zh("Real name (for a new account)")).fill("新观察员")
    page.get_by_label(zh("Role")).select_option("viewer")
    page.get_by_role("button", name=zh("Grant")).click()

    expect(page.locator(".messages")).to_contain_text("新观察员")
    row = page.locator("main .table-wrap tbody tr").filter(has_text="新观察员")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("137****1234")
    expect(row).to_contain_text(DISTRICT_A)
    expect(row).to_contain_text(zh("Read-only viewer"))
    expect(page.locator("main")).not_to_contain_text("13700001234")
    snap(page, f"console-roles-granted-{screen}")


def test_a_new_mobile_number_without_a_name_is_refused_with_a_field_error(phone: Page, demo) -> None:
    page = phone
    login(page, CADRE_A.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/roles/")
    page.get_by_label(zh("Mobile number")).fill("13700005678")
    page.get_by_label(zh("Role")).select_option("viewer")
    page.get_by_role("button", name=zh("Grant")).click()
    expect(page.locator(".field.has-error .error")).to_have_text(
        zh("No account uses this number yet; give the person's real name.")
    )
    expect(page.locator("main .table-wrap tbody")).not_to_contain_text("137****5678")
    assert_fits_phone(page)
