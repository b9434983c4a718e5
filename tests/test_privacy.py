"""The privacy notice and separate, withdrawable consents (PIPL art. 14, 15, 29)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.models import AdminDuty, Consent, PrivacyNotice
from gonghui.core.errors import ServiceError
from gonghui.core.models import AuditRecord
from tests.conftest import make_user


@pytest.fixture
def notice(db):
    return PrivacyNotice.objects.create(version="2026.1", title="个人信息处理规则", body="……")


def test_a_member_gives_a_separate_consent_naming_the_notice_version(client, member_a, notice):
    client.force_login(member_a)
    page = client.get(reverse("portal:privacy")).content.decode()
    assert "个人信息处理规则" in page and "2026.1" in page
    unticked = client.post(reverse("portal:consent_give"), {"purpose": "sensitive", "notice": "2026.1"})
    assert unticked.status_code == 302 and not Consent.objects.exists()
    client.post(reverse("portal:consent_give"), {"purpose": "sensitive", "notice": "2026.1", "agree": "yes"})
    consent = Consent.objects.get()
    assert consent.notice == notice and consent.purpose == "sensitive" and consent.withdrawn_at is None
    assert AuditRecord.objects.filter(action="gonghui.privacy.consent_given").count() == 1


def test_consent_to_an_outdated_notice_is_not_recorded(client, member_a, notice):
    client.force_login(member_a)
    PrivacyNotice.objects.create(version="2026.2", title="新版", body="……")
    client.post(reverse("portal:consent_give"), {"purpose": "sensitive", "notice": "2026.1", "agree": "yes"})
    assert not Consent.objects.exists()


def test_withdrawing_keeps_the_record_and_is_audited(client, member_a, notice):
    consent = services.consent_give(user=member_a, purpose="sensitive", notice=notice)
    client.force_login(member_a)
    client.post(reverse("portal:consent_withdraw", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert services.consent_live(user=member_a, purpose="sensitive") is None
    assert AuditRecord.objects.filter(action="gonghui.privacy.consent_withdrawn").count() == 1


def test_consenting_under_a_new_version_replaces_the_live_consent(member_a, notice):
    services.consent_give(user=member_a, purpose="sensitive", notice=notice)
    newer = PrivacyNotice.objects.create(version="2026.2", title="新版", body="……")
    services.consent_give(user=member_a, purpose="sensitive", notice=newer)
    assert services.consent_live(user=member_a, purpose="sensitive").notice == newer
    assert Consent.objects.filter(user=member_a).count() == 2


def test_the_database_allows_one_live_consent_per_purpose(member_a, notice):
    Consent.objects.create(user=member_a, purpose="sensitive", notice=notice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(user=member_a, purpose="sensitive", notice=notice)


def test_someone_cannot_withdraw_another_persons_consent(client, member_a, member_b, notice):
    consent = services.consent_give(user=member_a, purpose="sensitive", notice=notice)
    client.force_login(member_b)
    assert client.post(reverse("portal:consent_withdraw", args=[consent.pk])).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_only_the_system_administrator_publishes_a_notice(client, member_a, db):
    with pytest.raises(ServiceError):
        services.privacy_notice_publish(actor=member_a, version="1", title="t", body="b")
    admin = make_user("13600000001", "系统管理员")
    admin.admin_duty = AdminDuty.SYSTEM
    admin.save(update_fields=["admin_duty"])
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin, name="default", confirmed=True)
    client.force_login(admin)
    client.post(reverse("console:privacy_notices"), {"version": "2027.1", "title": "规则", "body": "正文"})
    assert services.privacy_notice_current().version == "2027.1"
