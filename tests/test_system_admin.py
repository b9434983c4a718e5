"""The system administrator's duty: accounts and configuration (the holiday schedule)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.models import AdminDuty, ApiToken
from gonghui.core import calendar
from gonghui.core.errors import ServiceError
from gonghui.core.models import AuditRecord
from tests.conftest import PASSWORD
from tests.test_my_data import duty_holder


@pytest.fixture
def system_admin(db):
    return duty_holder("13600000001", "系统管理员", AdminDuty.SYSTEM)


def test_disabling_an_account_ends_its_sessions_and_tokens(client, tree, member_a, system_admin):
    phone = Client()
    phone.post(reverse("portal:login"), {"mode": "password", "mobile": member_a.mobile, "password": PASSWORD})
    services.api_token_issue(user=member_a)
    client.force_login(system_admin)
    client.post(
        reverse("console:account_admin"), {"mobile": member_a.mobile, "action": "disable", "reason": "离职"}
    )
    member_a.refresh_from_db()
    assert not member_a.is_active
    assert phone.get(reverse("portal:profile")).status_code == 302
    assert not ApiToken.objects.filter(user=member_a, revoked_at__isnull=True).exists()
    with pytest.raises(ServiceError):
        services.password_login(mobile=member_a.mobile, password=PASSWORD)
    client.post(
        reverse("console:account_admin"), {"mobile": member_a.mobile, "action": "enable", "reason": "返岗"}
    )
    assert services.password_login(mobile=member_a.mobile, password=PASSWORD) == member_a
    assert (
        AuditRecord.objects.filter(action__in=["gonghui.account.disabled", "gonghui.account.enabled"]).count()
        == 2
    )


def test_only_the_system_administrator_disables_accounts(client, tree, member_a, district_cadre_a):
    with pytest.raises(ServiceError):
        services.account_set_active(actor=district_cadre_a, user=member_a, active=False, reason="x")
    client.force_login(district_cadre_a)
    assert client.get(reverse("console:account_admin")).status_code == 403


def test_the_system_administrator_enters_a_years_schedule_and_makes_it_official(client, system_admin):
    client.force_login(system_admin)
    url = reverse("console:calendar_admin") + "?year=2031"
    assert "临时" in client.get(url).content.decode()
    client.post(
        reverse("console:calendar_admin"),
        {"year": "2031", "day": "2031-05-01", "is_workday": "0", "name": "劳动节"},
    )
    client.post(
        reverse("console:calendar_admin"),
        {"year": "2031", "day": "2031-04-27", "is_workday": "1", "name": "调休"},
    )
    assert not calendar.is_workday(date(2031, 5, 1)) and calendar.is_workday(date(2031, 4, 27))
    assert calendar.is_provisional(date(2031, 6, 1))
    client.post(reverse("console:calendar_admin"), {"year": "2031", "action": "official"})
    assert not calendar.is_provisional(date(2031, 6, 1))
    bad = client.post(reverse("console:calendar_admin"), {"year": "2031", "day": "not a date"}, follow=True)
    assert bad.status_code == 200
    assert AuditRecord.objects.filter(action__startswith="gonghui.calendar.").count() == 3
