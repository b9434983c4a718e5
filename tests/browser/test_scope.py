"""Scope in a real browser: Li, the cadre of district A, gets "not found" for anything in district B."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, Tree

from .helpers import login, snap, zh

pytestmark = pytest.mark.browser


def test_a_district_cadre_gets_a_404_page_and_a_404_answer_for_a_union_in_another_district(
    phone: Page, tree: Tree, district_cadre_a, district_cadre_b
) -> None:
    page = phone
    login(page, district_cadre_a.mobile, PASSWORD, next_url="/console/")
    expect(page.locator("main h1")).to_have_text(tree.district_a.name)

    # His own grassroots union opens, in the UI and in the API (so the session is good for both).
    response = page.goto(f"/console/orgs/{tree.grassroots_a.pk}/")
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_have_text(tree.grassroots_a.name)
    own = page.request.get(f"/api/v1/orgs/{tree.grassroots_a.pk}")
    assert own.status == 200, own.text()
    assert own.json()["name"] == tree.grassroots_a.name

    # District B's union: the not-found page, which says neither that it exists nor what it is called.
    for path in (
        f"/console/orgs/{tree.grassroots_b.pk}/",
        f"/console/orgs/{tree.district_b.pk}/",
        f"/console/orgs/{tree.grassroots_b.pk}/move/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.locator("h1")).to_have_text(zh("Not found"))
        expect(page.locator("body")).not_to_contain_text(tree.grassroots_b.name)
    snap(page, "console-404-other-district-phone")

    # The htmx fragment behind the tree browser refuses it too.
    children = page.request.get(f"/console/orgs/{tree.district_b.pk}/children/")
    assert children.status == 404
    assert tree.grassroots_b.name not in children.text()

    # The API answers 404 in its one JSON error shape, with nothing about the union.
    for api_path in (
        f"/api/v1/orgs/{tree.grassroots_b.pk}",
        f"/api/v1/orgs/{tree.district_b.pk}/children",
        f"/api/v1/orgs/{tree.grassroots_b.pk}/ancestors",
    ):
        answer = page.request.get(api_path)
        assert answer.status == 404, (api_path, answer.status, answer.text())
        assert answer.json()["error"]["code"] == "not_found"
        assert tree.grassroots_b.name not in answer.text()

    # Switching the console to district B is refused the same way.
    page.goto("/console/switch/")
    search = page.get_by_role("searchbox", name=zh("Search"))
    search.fill(tree.grassroots_b.name)
    search.press("Enter")
    expect(page.locator("main")).to_contain_text(zh("Nothing found."))


def test_the_cadre_of_district_b_sees_district_b_but_not_district_a(
    desktop: Page, tree: Tree, district_cadre_a, district_cadre_b
) -> None:
    page = desktop
    login(page, district_cadre_b.mobile, PASSWORD, next_url="/console/")
    expect(page.locator("main h1")).to_have_text(tree.district_b.name)
    expect(page.locator("main .table-wrap")).to_contain_text(tree.grassroots_b.name)
    response = page.goto(f"/console/orgs/{tree.grassroots_a.pk}/")
    assert response is not None and response.status == 404
    assert page.request.get(f"/api/v1/orgs/{tree.grassroots_a.pk}").status == 404
    snap(page, "console-404-other-district-desktop")


def test_a_member_without_a_role_is_kept_out_of_the_console(phone: Page, member_a) -> None:
    page = phone
    login(page, member_a.mobile, PASSWORD)
    response = page.goto("/console/")
    assert response is not None and response.status == 403
    expect(page.locator("main h1")).to_have_text(zh("No console access"))
    snap(page, "console-no-access-phone")
