"""MLPS level-3 account security: lockout, throttling, password policy, sessions, re-authentication, headers."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts import services
from gonghui.accounts.models import AdminDuty, ApiToken, User
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.models import AuditRecord
from gonghui.orgs.models import RoleAssignment
from tests.conftest import PASSWORD, totp_now

NEW_REVIEWER = "13711112222"


def pass_second_factor(client, user):
    response = client.post(reverse("portal:2fa_verify"), {"token": totp_now(user), "next": "/console/"})
    assert response.status_code == 302, response.content


def login(mobile, password):
    return services.password_login(mobile=mobile, password=password)


def fail_times(user, n):
    for _ in range(n):
        with pytest.raises(ServiceError):
            login(user.mobile, "wrong-password")


def test_the_sixth_login_is_refused_even_with_the_right_password_until_the_lock_ends(member_a, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+08:00")
    fail_times(member_a, 4)
    with pytest.raises(ServiceError) as fifth:
        login(member_a.mobile, "wrong-password")
    assert fifth.value.code == "account_locked"
    with pytest.raises(ServiceError) as sixth:
        login(member_a.mobile, PASSWORD)
    assert sixth.value.code == "account_locked"
    assert "2026-11-23 09:30" in str(sixth.value.message)  # the user is told until when
    time_machine.move_to("2026-11-23 09:29:00+08:00")
    with pytest.raises(ServiceError):
        login(member_a.mobile, PASSWORD)
    time_machine.move_to("2026-11-23 09:31:00+08:00")
    assert login(member_a.mobile, PASSWORD) == member_a
    assert AuditRecord.objects.filter(action="gonghui.auth.account_locked").count() == 1
    assert AuditRecord.objects.filter(action="gonghui.auth.login_locked", result="denied").count() == 2


def test_a_successful_login_resets_the_failure_count(member_a):
    fail_times(member_a, 4)
    login(member_a.mobile, PASSWORD)
    fail_times(member_a, 4)
    assert login(member_a.mobile, PASSWORD) == member_a


@override_settings(GONGHUI_LOCKOUT_ATTEMPTS=2, GONGHUI_LOCKOUT_MINUTES=5)
def test_the_lockout_limits_are_settings(member_a):
    login_attempts = 0
    with pytest.raises(ServiceError):
        login(member_a.mobile, "x")
        login_attempts += 1
    with pytest.raises(ServiceError) as exc:
        login(member_a.mobile, "x")
    assert exc.value.code == "account_locked"
    member_a.refresh_from_db()
    assert timedelta(minutes=4) < member_a.locked_until - timezone.now() <= timedelta(minutes=5)


def test_the_portal_shows_the_lock_plainly(client, member_a):
    fail_times(member_a, 5)
    response = client.post(
        reverse("portal:login"), {"mode": "password", "mobile": member_a.mobile, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(GONGHUI_IP_FAILURE_LIMIT=3)
def test_failures_from_one_address_are_throttled(client, tree, member_a, member_b):
    from django.core.cache import cache

    cache.clear()

    def attempt(user, password):
        data = {"mode": "password", "mobile": user.mobile, "password": password}
        return client.post(reverse("portal:login"), data, REMOTE_ADDR="10.9.8.7")

    attempt(member_a, "wrong")
    attempt(member_a, "wrong")
    attempt(member_b, "wrong")
    response = attempt(member_b, PASSWORD)  # even the right password: the address is throttled
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="gonghui.auth.login_throttled").count() == 1
    assert (
        Client()
        .post(  # another address is not affected
            reverse("portal:login"),
            {"mode": "password", "mobile": member_b.mobile, "password": PASSWORD},
            REMOTE_ADDR="10.9.8.6",
        )
        .status_code
        == 302
    )
    cache.clear()


def test_an_administrator_unlocks_an_account_in_scope(
    client, tree, district_cadre_a, viewer_a, district_cadre_b
):
    fail_times(viewer_a, 5)
    client.force_login(district_cadre_a)
    html = client.get(reverse("console:role_list")).content.decode()
    assert "解锁" in html
    client.post(reverse("console:account_unlock", args=[viewer_a.pk]))
    viewer_a.refresh_from_db()
    assert viewer_a.locked_until is None
    assert AuditRecord.objects.filter(
        action="gonghui.auth.account_unlocked", object_id=str(viewer_a.pk)
    ).exists()
    fail_times(viewer_a, 5)
    with pytest.raises(ServiceError) as exc:
        services.account_unlock(actor=district_cadre_b, user=viewer_a)  # not in B's scope
    assert exc.value.status == 404


def test_the_security_administrator_unlocks_anyone(member_a):
    security = User.objects.create_user(
        "13600000001", PASSWORD, real_name="安全员", admin_duty=AdminDuty.SECURITY
    )
    fail_times(member_a, 5)
    services.account_unlock(actor=security, user=member_a)
    assert login(member_a.mobile, PASSWORD) == member_a


@override_settings(GONGHUI_SMS_SENDER="gonghui.accounts.sms.LoggingSender", GONGHUI_SMS_PER_PHONE_PER_DAY=2)
def test_sms_codes_are_limited_per_phone_per_day(member_a, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+08:00")
    services.sms_code_request(mobile=member_a.mobile)
    time_machine.move_to("2026-11-23 09:02:00+08:00")
    services.sms_code_request(mobile=member_a.mobile)
    time_machine.move_to("2026-11-23 09:04:00+08:00")
    with pytest.raises(ServiceError) as exc:
        services.sms_code_request(mobile=member_a.mobile)
    assert exc.value.code == "sms_limit"
    time_machine.move_to("2026-11-24 09:05:00+08:00")
    services.sms_code_request(mobile=member_a.mobile)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!", "password_too_short"),
        ("abcdefgh1", "password_too_simple"),
        ("Xy13900000001!", "password_has_mobile"),
        ("x" * 129 + "A1!", "password_too_long"),
    ],
)
def test_the_mlps_profile_refuses_weak_passwords(member_a, password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, member_a)
    assert code in {e.code for e in exc.value.error_list}


def test_the_mlps_profile_refuses_the_last_five_passwords(member_a):
    passwords = [f"Gh-{i}-secret-A" for i in range(6)]
    current = PASSWORD
    for new in passwords:
        services.password_change(user=member_a, old_password=current, new_password=new)
        current = new
    with pytest.raises(ServiceError) as exc:
        services.password_change(user=member_a, old_password=current, new_password=passwords[2])
    assert exc.value.code == "weak_password"
    services.password_change(
        user=member_a, old_password=current, new_password=passwords[0]
    )  # six back: allowed


def test_the_asvs_profile_checks_length_and_the_shipped_breach_list(member_a, settings):
    from gonghui.accounts.passwords import validators_for

    settings.AUTH_PASSWORD_VALIDATORS = validators_for("asvs")
    with pytest.raises(ValidationError) as exc:
        validate_password("woaini1314", member_a)
    assert {"password_too_short", "password_breached"} <= {e.code for e in exc.value.error_list}
    with pytest.raises(ValidationError):
        validate_password("Gonghui@2026", member_a)
    validate_password("correct horse battery staple", member_a)  # long, no classes needed


def test_cadre_passwords_expire_after_90_days_and_members_never(
    client, tree, district_cadre_a, member_a, time_machine
):
    time_machine.move_to(timezone.now() + timedelta(days=91))
    assert services.password_expired(district_cadre_a)
    assert not services.password_expired(member_a)
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:dashboard"))
    assert response["Location"] == reverse("portal:password_change")
    client.post(
        reverse("portal:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "New-Pass-2026x",
            "new_password2": "New-Pass-2026x",
        },
    )
    assert client.get(reverse("console:dashboard")).status_code == 200


def test_logout_everywhere_ends_every_session_and_revokes_tokens(tree, member_a):
    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        c.post(reverse("portal:login"), {"mode": "password", "mobile": member_a.mobile, "password": PASSWORD})
        assert c.get(reverse("portal:profile")).status_code == 200
    services.api_token_issue(user=member_a)
    phone.post(reverse("portal:logout_everywhere"))
    assert laptop.get(reverse("portal:profile")).status_code == 302
    assert phone.get(reverse("portal:profile")).status_code == 302
    assert not ApiToken.objects.filter(user=member_a, revoked_at__isnull=True).exists()


def test_a_cadre_session_ends_after_30_idle_minutes_but_a_member_session_does_not(
    tree, district_cadre_a, member_a, time_machine
):
    time_machine.move_to("2026-11-23 09:00:00+08:00", tick=False)
    cadre, member = Client(), Client()
    cadre.force_login(district_cadre_a)
    pass_second_factor(cadre, district_cadre_a)
    member.force_login(member_a)
    assert cadre.get(reverse("console:dashboard")).status_code == 200
    member.get(reverse("portal:profile"))
    time_machine.move_to("2026-11-23 09:29:00+08:00", tick=False)
    assert cadre.get(reverse("console:dashboard")).status_code == 200  # activity renews the timer
    time_machine.move_to("2026-11-23 10:00:00+08:00", tick=False)
    response = cadre.get(reverse("console:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert member.get(reverse("portal:profile")).status_code == 200
    assert AuditRecord.objects.filter(action="gonghui.auth.session_expired").count() == 1


def test_a_sensitive_action_asks_for_the_password_again(tree, district_cadre_a):
    plain = Client()
    plain.force_login(district_cadre_a)
    pass_second_factor(plain, district_cadre_a)
    response = plain.post(
        reverse("console:role_list"), {"mobile": "13711112222", "real_name": "赵审核", "role": "viewer"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/reauth/")
    assert not RoleAssignment.objects.filter(
        user__in=User.objects.filter(blind_q(User, "mobile", NEW_REVIEWER))
    ).exists()
    wrong = plain.post("/reauth/", {"password": "nope", "next": "/console/roles/"})
    assert wrong.status_code == 200
    ok = plain.post("/reauth/", {"password": PASSWORD, "next": "/console/roles/"})
    assert ok["Location"] == "/console/roles/"
    plain.post(
        reverse("console:role_list"), {"mobile": "13711112222", "real_name": "赵审核", "role": "viewer"}
    )
    assert RoleAssignment.objects.filter(
        user__in=User.objects.filter(blind_q(User, "mobile", NEW_REVIEWER))
    ).exists()


def test_pages_carry_a_strict_content_security_policy_and_safe_cookies(client, member_a):
    client.post(
        reverse("portal:login"), {"mode": "password", "mobile": member_a.mobile, "password": PASSWORD}
    )
    response = client.get(reverse("portal:profile"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    session_cookie = client.cookies["sessionid"]
    assert session_cookie["httponly"] and session_cookie["samesite"] == "Lax"


def test_no_page_contains_an_inline_script(client, district_cadre_a, tree):
    import re

    client.force_login(district_cadre_a)
    for url in [
        "/",
        "/login/",
        "/me/",
        "/console/",
        "/console/orgs/",
        "/console/roles/",
        "/console/requests/",
    ]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers either


def test_logging_in_counts_as_a_recent_password_but_not_for_long(tree, district_cadre_a, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+08:00", tick=False)
    cadre = Client()
    cadre.post(
        reverse("portal:login"), {"mode": "password", "mobile": district_cadre_a.mobile, "password": PASSWORD}
    )
    pass_second_factor(cadre, district_cadre_a)
    grant = {"mobile": "13711113333", "real_name": "钱审核", "role": "viewer"}
    assert cadre.post(reverse("console:role_list"), grant)["Location"] == reverse("console:role_list")
    time_machine.move_to("2026-11-23 09:11:00+08:00", tick=False)
    grant["mobile"] = "13711114444"
    assert cadre.post(reverse("console:role_list"), grant)["Location"].startswith("/reauth/")


def test_the_superuser_cannot_be_used_for_daily_work(client, db):
    User.objects.create_superuser("13600000009", PASSWORD, real_name="运维超级用户")
    with pytest.raises(ServiceError) as exc:
        login("13600000009", PASSWORD)
    assert exc.value.code == "superuser_not_for_operation"
    response = client.post(
        "/api/v1/auth/token",
        {"username": "13600000009", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 403
    # The operations admin still accepts it, for emergencies.
    admin_login = client.post("/ops/admin/login/", {"username": "13600000009", "password": PASSWORD})
    assert admin_login.status_code == 302


def test_the_activity_time_is_stored_at_most_once_a_minute(client, member_a, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+08:00", tick=False)
    client.force_login(member_a)
    client.get(reverse("portal:profile"))
    first = client.session["gonghui_last_activity"]
    time_machine.move_to("2026-11-23 09:00:30+08:00", tick=False)
    client.get(reverse("portal:profile"))
    assert client.session["gonghui_last_activity"] == first
    time_machine.move_to("2026-11-23 09:01:30+08:00", tick=False)
    client.get(reverse("portal:profile"))
    assert client.session["gonghui_last_activity"] == first + 90
