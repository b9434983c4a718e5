import re

import pytest
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.sms import LoggingSender
from gonghui.core.errors import ServiceError
from gonghui.core.models import AuditRecord
from tests.conftest import PASSWORD

SENDER = "gonghui.accounts.sms.LoggingSender"

# Transactional: an SMS leaves only after the code is committed (on_commit), as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = SENDER
    LoggingSender.outbox.clear()
    return LoggingSender.outbox


def last_code(outbox, mobile):
    sent_to, text = outbox[-1]
    assert sent_to == mobile
    return re.search(r"\d{6}", text).group(0)


def test_password_login_through_the_portal(client, member_a):
    response = client.post(
        reverse("portal:login"), {"mode": "password", "mobile": "139 0000 0001", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:profile")).context["user"] == member_a
    record = AuditRecord.objects.get(action="gonghui.auth.login")
    assert record.actor == member_a and record.ip == "127.0.0.1"


def test_a_wrong_password_shows_a_translated_error_and_is_audited(client, member_a):
    response = client.post(
        reverse("portal:login"), {"mode": "password", "mobile": member_a.mobile, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "手机号或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="gonghui.auth.login_failed").count() == 1


def test_login_redirects_only_to_this_site(client, member_a):
    response = client.post(
        reverse("portal:login") + "?next=https://evil.example/",
        {"mode": "password", "mobile": member_a.mobile, "password": PASSWORD},
    )
    assert response["Location"] == "/"


def test_sms_login_with_the_code_sent(client, member_a, sms):
    assert client.post(reverse("portal:sms_code"), {"mobile": member_a.mobile}).status_code == 200
    code = last_code(sms, member_a.mobile)
    response = client.post(reverse("portal:login"), {"mode": "sms", "mobile": member_a.mobile, "code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member_a.pk)


def test_an_sms_code_works_once(member_a, sms):
    services.sms_code_request(mobile=member_a.mobile)
    code = last_code(sms, member_a.mobile)
    assert services.sms_login(mobile=member_a.mobile, code=code) == member_a
    with pytest.raises(ServiceError):
        services.sms_login(mobile=member_a.mobile, code=code)


def test_wrong_sms_codes_are_counted_and_lock_the_code(member_a, sms):
    services.sms_code_request(mobile=member_a.mobile)
    code = last_code(sms, member_a.mobile)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.SMS_MAX_ATTEMPTS):
        with pytest.raises(ServiceError):
            services.sms_login(mobile=member_a.mobile, code=wrong)
    with pytest.raises(ServiceError):
        services.sms_login(mobile=member_a.mobile, code=code)  # the right code no longer helps
    assert (
        AuditRecord.objects.filter(action="gonghui.auth.login_failed").count()
        == services.SMS_MAX_ATTEMPTS + 1
    )


def test_an_expired_sms_code_is_refused(member_a, sms, time_machine):
    time_machine.move_to("2026-11-22 10:00:00+08:00")
    services.sms_code_request(mobile=member_a.mobile)
    code = last_code(sms, member_a.mobile)
    time_machine.move_to("2026-11-22 10:06:00+08:00")
    with pytest.raises(ServiceError) as exc:
        services.sms_login(mobile=member_a.mobile, code=code)
    assert exc.value.code == "invalid_sms_code"


def test_a_second_code_within_a_minute_is_refused(member_a, sms):
    services.sms_code_request(mobile=member_a.mobile)
    with pytest.raises(ServiceError) as exc:
        services.sms_code_request(mobile=member_a.mobile)
    assert exc.value.code == "sms_too_soon"


def test_no_message_is_sent_to_a_number_without_an_account(db, sms):
    services.sms_code_request(mobile="13912345678")
    assert sms == []


def test_without_a_configured_sender_sms_login_says_so(client, member_a, settings):
    settings.GONGHUI_SMS_SENDER = ""
    with pytest.raises(ServiceError) as exc:
        services.sms_code_request(mobile=member_a.mobile)
    assert exc.value.code == "sms_not_configured"
    response = client.post(reverse("portal:sms_code"), {"mobile": member_a.mobile})
    assert "未配置短信发送" in response.content.decode()


def test_an_invalid_mobile_number_is_refused_clearly(db, sms):
    with pytest.raises(ServiceError) as exc:
        services.sms_code_request(mobile="12345")
    assert exc.value.code == "invalid_mobile"


def test_logout_is_audited(client, member_a):
    client.force_login(member_a)
    client.post(reverse("portal:logout"))
    assert AuditRecord.objects.filter(action="gonghui.auth.logout", actor=member_a).exists()
    assert "_auth_user_id" not in client.session


def test_the_profile_masks_the_mobile_number(client, member_a):
    client.force_login(member_a)
    html = client.get(reverse("portal:profile")).content.decode()
    assert "139****0001" in html and "13900000001" not in html
