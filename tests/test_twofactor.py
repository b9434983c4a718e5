"""Two factors for administrators and reviewers (MLPS level 3): TOTP with recovery codes."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import AdminDuty, ApiToken, User
from gonghui.core.models import AuditRecord
from gonghui.orgs.models import Role
from tests.conftest import PASSWORD, make_user, totp_now


def code_for(device):
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(
        device.digits
    )


def logged_in(user):
    client = Client()
    client.post(reverse("portal:login"), {"mode": "password", "mobile": user.mobile, "password": PASSWORD})
    return client


@pytest.fixture
def reviewer_without_totp(tree):
    user = make_user("13800000008", "王审核")
    user.roles.create(org=tree.district_a, role=Role.REVIEWER)
    return user


def test_a_reviewer_without_totp_cannot_reach_the_console(reviewer_without_totp):
    client = logged_in(reviewer_without_totp)
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith("/me/2fa/verify/")
    assert client.get(response["Location"])["Location"].startswith("/me/2fa/enrol/")
    assert client.get("/console/orgs/").status_code == 302


def test_enrolment_shows_a_qr_code_then_recovery_codes_and_opens_the_console(reviewer_without_totp):
    client = logged_in(reviewer_without_totp)
    page = client.get(reverse("portal:2fa_enrol"))
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=reviewer_without_totp, confirmed=False)
    wrong = client.post(
        reverse("portal:2fa_enrol"), {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert "验证码错误" in wrong.content.decode()
    done = client.post(reverse("portal:2fa_enrol"), {"token": code_for(device), "next": "/console/"})
    codes = re.findall(r"<code>([a-z0-9]+)</code>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("console:dashboard")).status_code == 200
    assert AuditRecord.objects.filter(action="gonghui.auth.2fa_enrolled").count() == 1


def test_each_session_must_verify_and_a_recovery_code_works_once(reviewer_without_totp, time_machine):
    device = TOTPDevice.objects.create(user=reviewer_without_totp, name="default", confirmed=True)
    from gonghui.accounts.twofactor import recovery_codes_reset

    codes = recovery_codes_reset(user=reviewer_without_totp)
    first = logged_in(reviewer_without_totp)
    assert first.get("/console/").status_code == 302
    first.post(reverse("portal:2fa_verify"), {"token": codes[0], "next": "/console/"})
    assert first.get("/console/").status_code == 200
    second = logged_in(reviewer_without_totp)
    again = second.post(reverse("portal:2fa_verify"), {"token": codes[0], "next": "/console/"})
    assert again.status_code == 200 and "验证码错误" in again.content.decode()
    assert StaticToken.objects.filter(device__user=reviewer_without_totp).count() == 9
    # A failure throttles every device of the user for a moment (django-otp doubles the wait each time).
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    second.post(reverse("portal:2fa_verify"), {"token": code_for(device), "next": "/console/"})
    assert second.get("/console/").status_code == 200


def test_viewers_case_handlers_and_members_need_no_second_factor(tree, viewer_a, member_a):
    handler = make_user("13800000009", "冯专干", Role.CASE_HANDLER, tree.district_a)
    for user in (viewer_a, handler):
        assert logged_in(user).get("/console/").status_code == 200
    assert logged_in(member_a).get("/me/").status_code == 200


def test_the_three_administrator_duties_need_a_second_factor(db):
    from gonghui.accounts.twofactor import requires_2fa

    auditor = User.objects.create_user(
        "13600000003", PASSWORD, real_name="审计员", admin_duty=AdminDuty.AUDIT
    )
    assert requires_2fa(auditor)


def test_an_api_token_needs_the_code_from_an_administrator(
    client, tree, district_cadre_a, reviewer_without_totp, time_machine
):
    body = {"username": district_cadre_a.mobile, "password": PASSWORD}
    missing = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_otp"
    time_machine.move_to(timezone.now() + timedelta(seconds=5))  # the failure throttles the device a moment
    ok = client.post(
        "/api/v1/auth/token", {**body, "otp": totp_now(district_cadre_a)}, content_type="application/json"
    )
    assert ok.status_code == 200
    unenrolled = client.post(
        "/api/v1/auth/token",
        {"username": reviewer_without_totp.mobile, "password": PASSWORD},
        content_type="application/json",
    )
    assert (
        unenrolled.status_code == 403 and unenrolled.json()["error"]["code"] == "second_factor_not_enrolled"
    )
    assert ApiToken.objects.count() == 1


def test_a_member_gets_a_token_without_a_second_factor(client, member_a):
    body = {"username": member_a.mobile, "password": PASSWORD}
    assert client.post("/api/v1/auth/token", body, content_type="application/json").status_code == 200


def test_the_api_refuses_an_unverified_administrator_session(tree, district_cadre_a):
    client = logged_in(district_cadre_a)
    response = client.get("/api/v1/orgs")
    assert response.status_code == 403 and response.json()["error"]["code"] == "second_factor_required"
    client.post(reverse("portal:2fa_verify"), {"token": totp_now(district_cadre_a), "next": "/"})
    assert client.get("/api/v1/orgs").status_code == 200


def test_the_demo_shows_the_current_code_only_when_configured(tree, district_cadre_a, settings):
    client = logged_in(district_cadre_a)
    assert 'data-testid="demo-totp"' not in client.get(reverse("portal:2fa_verify")).content.decode()
    settings.GONGHUI_DEMO_SHOW_TOTP = True
    html = client.get(reverse("portal:2fa_verify")).content.decode()
    assert totp_now(district_cadre_a) in html
