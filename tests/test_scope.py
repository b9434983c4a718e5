"""Scope is the heart of the console: Li (district A) must never see or touch anything in district B.

Every console view and API endpoint that takes an org or a request is listed here and tried across the
district line; outside scope is always a 404 (the org's existence is not revealed), never a 403 or a 500.
"""

import json

import pytest
from django.urls import reverse

from gonghui.orgs import selectors, services
from gonghui.orgs.models import Org, OrgKind, OrgRequest, RoleAssignment
from tests.conftest import PASSWORD, totp_now


@pytest.fixture
def request_b(tree, member_b):
    return services.org_request_submit(actor=member_b, parent=tree.district_b, name="滨江某公司工会")


def test_a_district_cadre_sees_only_their_district(tree, district_cadre_a):
    visible = set(selectors.org_list(actor=district_cadre_a).values_list("name", flat=True))
    assert visible == {"西湖区总工会", "文新街道总工会", "西溪科技有限公司工会"}


def test_the_province_cadre_sees_the_province_but_not_the_national_federation(tree, province_cadre):
    visible = set(selectors.org_list(actor=province_cadre).values_list("pk", flat=True))
    assert tree.grassroots_b.pk in visible and tree.industry.pk in visible
    assert tree.national.pk not in visible


def test_scope_is_the_union_of_all_subtrees_held(tree, district_cadre_a):
    RoleAssignment.objects.create(user=district_cadre_a, org=tree.grassroots_b, role="viewer")
    district_cadre_a._gonghui_grants = None
    visible = set(selectors.org_list(actor=district_cadre_a).values_list("pk", flat=True))
    assert tree.grassroots_b.pk in visible and tree.district_b.pk not in visible


def test_a_member_without_roles_sees_no_org(tree, member_a):
    assert not selectors.org_list(actor=member_a).exists()


def test_the_breadcrumb_stops_at_the_top_of_scope(tree, district_cadre_a):
    names = [o.name for o in selectors.org_visible_ancestors(actor=district_cadre_a, org=tree.grassroots_a)]
    assert names == ["西湖区总工会", "文新街道总工会"]


def console_urls(tree, request_b):
    b = tree.district_b.pk
    return [
        ("get", reverse("console:org_detail", args=[b])),
        ("get", reverse("console:org_children", args=[b])),
        ("get", reverse("console:org_move", args=[tree.grassroots_b.pk])),
        ("post", reverse("console:org_use", args=[b])),
        ("get", reverse("console:request_detail", args=[request_b.pk])),
        ("post", reverse("console:request_detail", args=[request_b.pk])),
    ]


def test_every_console_view_answers_404_across_the_district_line(client, tree, district_cadre_a, request_b):
    client.force_login(district_cadre_a)
    for method, url in console_urls(tree, request_b):
        data = {"action": "approve"} if "requests" in url else {"org": tree.district_b.pk}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, url
    request_b.refresh_from_db()
    assert request_b.status == OrgRequest.Status.PENDING


def test_the_org_switcher_refuses_an_org_outside_scope(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    assert client.post(reverse("console:switch"), {"org": tree.district_b.pk}).status_code == 404
    assert client.post(reverse("console:switch"), {"org": tree.street_a.pk}).status_code == 302
    assert client.get(reverse("console:dashboard")).context["org"] == tree.street_a


def test_the_switcher_search_shows_only_orgs_in_scope(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:switch"), {"q": "区总工会"})
    assert [o.name for o in response.context["results"]] == ["西湖区总工会"]


def test_the_tree_search_never_leaks_other_districts(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:org_tree"), {"q": "工会"})
    names = {o.name for o in response.context["page"].object_list}
    assert "长河半导体有限公司工会" not in names and "西溪科技有限公司工会" in names


def test_a_member_without_a_role_is_refused_the_console(client, member_a):
    client.force_login(member_a)
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 403
    assert client.get(reverse("console:org_tree")).status_code == 403


def test_the_console_asks_an_anonymous_visitor_to_log_in(client, tree):
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_viewer_cannot_manage_roles_or_decide_requests(client, tree, viewer_a, member_a):
    req = services.org_request_submit(actor=member_a, parent=tree.street_a, name="某公司工会")
    client.force_login(viewer_a)
    assert client.get(reverse("console:role_list")).status_code == 403
    response = client.post(reverse("console:request_detail", args=[req.pk]), {"action": "approve"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == OrgRequest.Status.PENDING


def test_a_chair_cannot_open_the_district_above(client, tree, chair_a):
    client.force_login(chair_a)
    assert client.get(reverse("console:org_detail", args=[tree.district_a.pk])).status_code == 404
    assert client.get(reverse("console:org_detail", args=[tree.grassroots_a.pk])).status_code == 200


def api_endpoints(tree, request_b):
    b, gb = tree.district_b.pk, tree.grassroots_b.pk
    return [
        ("get", f"/api/v1/orgs/{b}", None),
        ("patch", f"/api/v1/orgs/{b}", {"name": "x"}),
        ("get", f"/api/v1/orgs/{b}/children", None),
        ("get", f"/api/v1/orgs/{b}/ancestors", None),
        ("get", f"/api/v1/orgs?within={b}", None),
        ("get", f"/api/v1/orgs/{b}/roles", None),
        ("post", f"/api/v1/orgs/{b}/roles", {"mobile": "13700000000", "real_name": "某人", "role": "viewer"}),
        ("post", f"/api/v1/orgs/{gb}/move", {"new_parent_id": tree.district_a.pk, "reason": "x"}),
        ("post", f"/api/v1/orgs/{tree.street_a.pk}/move", {"new_parent_id": b, "reason": "x"}),
        ("post", "/api/v1/orgs", {"parent_id": b, "name": "某街道", "kind": "street"}),
        ("post", "/api/v1/orgs/requests", {"parent_id": b, "name": "某公司工会"}),
        ("get", f"/api/v1/orgs/requests/{request_b.pk}", None),
        ("post", f"/api/v1/orgs/requests/{request_b.pk}/approve", {}),
        ("post", f"/api/v1/orgs/requests/{request_b.pk}/reject", {"reason": "x"}),
    ]


def test_every_api_endpoint_answers_404_across_the_district_line(client, tree, district_cadre_a, request_b):
    token = client.post(
        "/api/v1/auth/token",
        {"username": district_cadre_a.mobile, "password": PASSWORD, "otp": totp_now(district_cadre_a)},
        content_type="application/json",
    ).json()["token"]
    before = (Org.objects.count(), RoleAssignment.objects.count())
    for method, url, body in api_endpoints(tree, request_b):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if method in ("post", "patch"):
            send = getattr(client, method)
            response = send(url, json.dumps(body), content_type="application/json", **kwargs)
        else:
            response = client.get(url, **kwargs)
        assert response.status_code == 404, (url, response.content)
        assert response.json()["error"]["code"] == "not_found"
    assert (Org.objects.count(), RoleAssignment.objects.count()) == before
    request_b.refresh_from_db()
    assert request_b.status == OrgRequest.Status.PENDING
    tree.street_a.refresh_from_db()
    assert tree.street_a.path.startswith(tree.district_a.path)


def test_the_api_list_is_scoped(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    body = client.get("/api/v1/orgs").json()
    assert body["count"] == 3
    assert {o["name"] for o in body["items"]} == {"西湖区总工会", "文新街道总工会", "西溪科技有限公司工会"}


def test_a_viewer_is_refused_writes_in_the_api(client, tree, viewer_a):
    client.force_login(viewer_a)
    response = client.post(
        "/api/v1/orgs",
        {"parent_id": tree.district_a.pk, "name": "某街道", "kind": OrgKind.STREET},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
