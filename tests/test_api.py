import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import ApiToken
from gonghui.core.models import AuditRecord
from gonghui.orgs.models import OrgRequest
from tests.conftest import PASSWORD, totp_now


def issue(client, user, **extra):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if TOTPDevice.objects.filter(user=user).exists():
        extra.setdefault("otp", totp_now(user))
    response = client.post(
        "/api/v1/auth/token",
        {"username": user.mobile, "password": PASSWORD, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_token_is_issued_for_a_mobile_and_password_and_works(client, tree, district_cadre_a):
    body = issue(client, district_cadre_a)
    assert body["token"].startswith("gh_") and body["access"] == "read_write"
    stored = ApiToken.objects.get(pk=body["id"])
    assert body["token"] not in stored.key_hash  # only a hash is kept
    me = client.get("/api/v1/auth/me", **bearer(body["token"])).json()
    assert me["real_name"] == "李区干" and me["mobile"] == "138****0004"
    assert AuditRecord.objects.filter(action="gonghui.api_token.issued").exists()


def test_a_wrong_password_gets_the_error_shape_and_is_audited(client, tree, district_cadre_a):
    response = client.post(
        "/api/v1/auth/token",
        {"username": district_cadre_a.mobile, "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert (
        response.json()
        == {
            "error": {
                "code": "invalid_credentials",
                "message": "手机号或密码错误。",
                "field": None,
                "details": {},
            }
        }
        or response.json()["error"]["code"] == "invalid_credentials"
    )
    assert AuditRecord.objects.filter(action="gonghui.auth.login_failed", result="failed").count() == 1
    assert not ApiToken.objects.exists()


def test_no_credentials_is_401_in_the_error_shape(client, tree):
    response = client.get("/api/v1/orgs")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_invalid_input_is_422_with_every_field_named(client, tree):
    response = client.post("/api/v1/auth/token", {"username": "13800000004"}, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert any(e["field"] and "password" in e["field"] for e in error["details"]["errors"])


def test_a_revoked_token_stops_working(client, tree, district_cadre_a):
    body = issue(client, district_cadre_a)
    assert client.get("/api/v1/orgs", **bearer(body["token"])).status_code == 200
    revoke = client.post(f"/api/v1/auth/tokens/{body['id']}/revoke", **bearer(body["token"]))
    assert revoke.status_code == 204
    assert client.get("/api/v1/orgs", **bearer(body["token"])).status_code == 401


def test_an_expired_token_stops_working(client, tree, district_cadre_a):
    body = issue(client, district_cadre_a)
    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/orgs", **bearer(body["token"])).status_code == 401


def test_a_token_limited_to_an_org_sees_only_that_subtree(client, tree, province_cadre):
    body = issue(client, province_cadre, org_id=tree.district_b.pk, access="read")
    listed = client.get("/api/v1/orgs", **bearer(body["token"])).json()
    assert {o["name"] for o in listed["items"]} == {"滨江区总工会", "长河半导体有限公司工会"}
    assert client.get(f"/api/v1/orgs/{tree.district_a.pk}", **bearer(body["token"])).status_code == 404


def test_a_read_only_token_cannot_write(client, tree, province_cadre):
    body = issue(client, province_cadre, access="read")
    response = client.post(
        "/api/v1/orgs/requests",
        json.dumps({"parent_id": tree.street_a.pk, "name": "某公司工会"}),
        content_type="application/json",
        **bearer(body["token"]),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    assert not OrgRequest.objects.exists()


def test_a_token_cannot_be_limited_to_an_org_outside_scope(client, tree, district_cadre_a):
    response = client.post(
        "/api/v1/auth/token",
        {
            "username": district_cadre_a.mobile,
            "password": PASSWORD,
            "org_id": tree.district_b.pk,
            "otp": totp_now(district_cadre_a),
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not ApiToken.objects.exists()


def test_a_session_write_without_csrf_is_refused(tree, district_cadre_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_cadre_a)
    response = client.post(
        "/api/v1/orgs/requests",
        json.dumps({"parent_id": tree.street_a.pk, "name": "某公司工会"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not OrgRequest.objects.exists()


def test_the_tree_endpoints_walk_the_tree(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    children = client.get(f"/api/v1/orgs/{tree.district_a.pk}/children").json()
    assert [c["name"] for c in children] == ["文新街道总工会"]
    ancestors = client.get(f"/api/v1/orgs/{tree.grassroots_a.pk}/ancestors").json()
    assert [a["name"] for a in ancestors] == ["西湖区总工会", "文新街道总工会"]
    detail = client.get(f"/api/v1/orgs/{tree.district_a.pk}").json()
    assert detail["subtree_orgs"] == 3 and detail["kind"] == "district"


def test_the_list_is_paginated(client, tree, national_admin):
    client.force_login(national_admin)
    page = client.get("/api/v1/orgs?limit=3&offset=3").json()
    assert page["count"] == 9 and len(page["items"]) == 3


def test_a_setup_request_goes_through_the_api(client, tree, member_a, district_cadre_a):
    member_token = issue(client, member_a)["token"]
    # A member has no scope, so the parent must be chosen by a cadre or the portal's public code lookup.
    refused = client.post(
        "/api/v1/orgs/requests",
        json.dumps({"parent_id": tree.street_a.pk, "name": "某公司工会"}),
        content_type="application/json",
        **bearer(member_token),
    )
    assert refused.status_code == 404
    cadre = issue(client, district_cadre_a)["token"]
    created = client.post(
        "/api/v1/orgs/requests",
        json.dumps({"parent_id": tree.street_a.pk, "name": "某公司工会", "staff_count": 30}),
        content_type="application/json",
        **bearer(cadre),
    )
    assert created.status_code == 201
    req_id = created.json()["id"]
    approved = client.post(
        f"/api/v1/orgs/requests/{req_id}/approve", "{}", content_type="application/json", **bearer(cadre)
    )
    assert approved.status_code == 200
    assert approved.json()["parent_id"] == tree.street_a.pk
    again = client.post(
        f"/api/v1/orgs/requests/{req_id}/approve", "{}", content_type="application/json", **bearer(cadre)
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_pending"


def test_roles_are_granted_and_revoked_through_the_api(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    granted = client.post(
        f"/api/v1/orgs/{tree.street_a.pk}/roles",
        {"mobile": "13700000001", "real_name": "新审核", "role": "reviewer"},
        content_type="application/json",
    )
    assert granted.status_code == 201
    listed = client.get(f"/api/v1/orgs/{tree.street_a.pk}/roles").json()
    assert [r["user_name"] for r in listed] == ["新审核"]
    revoked = client.delete(f"/api/v1/orgs/{tree.street_a.pk}/roles/{granted.json()['id']}")
    assert revoked.status_code == 204
    assert (
        AuditRecord.objects.filter(action__in=["gonghui.role.granted", "gonghui.role.revoked"]).count() == 2
    )


def test_the_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs/{org_id}/ancestors" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    # Every script and stylesheet is served from here (a random CSRF token may contain the letters "cdn").
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)


@pytest.mark.parametrize("bad", ["", "   ", "abc"])
def test_bad_bearer_tokens_are_401(client, tree, bad):
    assert client.get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {bad}").status_code == 401


def test_a_viewer_cannot_open_accounts_through_the_role_endpoint(client, tree, viewer_a):
    from gonghui.accounts.models import User

    client.force_login(viewer_a)
    before = User.objects.count()
    response = client.post(
        f"/api/v1/orgs/{tree.district_a.pk}/roles",
        {"mobile": "13712345678", "real_name": "某人", "role": "viewer"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert User.objects.count() == before


@pytest.mark.parametrize("days", [0, -5, 100_000_000])
def test_token_lifetimes_out_of_range_are_422_not_500(client, tree, district_cadre_a, days):
    response = client.post(
        "/api/v1/auth/token",
        {"username": district_cadre_a.mobile, "password": PASSWORD, "days": days},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "days"
    assert not ApiToken.objects.exists()


def test_an_org_is_updated_through_the_api(client, tree, district_cadre_a, viewer_a):
    client.force_login(district_cadre_a)
    response = client.patch(
        f"/api/v1/orgs/{tree.grassroots_a.pk}",
        {"staff_count": 200, "address": "文一西路 1 号"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["staff_count"] == 200
    assert client.get(f"/api/v1/orgs/{tree.district_a.pk}").json()["subtree_orgs"] == 3
    bad = client.patch(
        f"/api/v1/orgs/{tree.grassroots_a.pk}", {"uscc": "123"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "uscc"
    client.force_login(viewer_a)
    refused = client.patch(
        f"/api/v1/orgs/{tree.grassroots_a.pk}", {"name": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    client.force_login(district_cadre_a)
    outside = client.patch(
        f"/api/v1/orgs/{tree.grassroots_b.pk}", {"name": "x"}, content_type="application/json"
    )
    assert outside.status_code == 404
