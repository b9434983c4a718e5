"""A person sees and downloads their own data and asks for corrections (PIPL art. 45, 46)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.models import AdminDuty, CorrectionRequest, User
from gonghui.core.errors import ServiceError
from gonghui.core.models import AuditRecord
from tests.conftest import PASSWORD, make_user


def duty_holder(mobile, name, duty):
    """A person holding one of the three duties, with TOTP enrolled as the platform requires."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user(mobile, name)
    user.admin_duty = duty
    user.save(update_fields=["admin_duty"])
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


@pytest.fixture
def system_admin(db):
    """Handles corrections of account data; nothing else."""
    return duty_holder("13600000001", "系统管理员", AdminDuty.SYSTEM)


def test_the_page_shows_masked_data_roles_and_activity(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    html = client.get(reverse("portal:my_data")).content.decode()
    assert "138****0004" in html and "13800000004" not in html
    assert "西湖区总工会" in html


def test_the_download_asks_for_the_password_and_then_holds_everything_in_full(tree, member_a):
    plain = Client()
    plain.force_login(member_a)
    asked = plain.post(reverse("portal:my_data_download"))
    assert asked.status_code == 302 and asked["Location"].startswith("/reauth/")
    plain.post("/reauth/", {"password": PASSWORD, "next": "/me/data/"})
    response = plain.post(reverse("portal:my_data_download"))
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment;")
    assert data["account"]["mobile"] == member_a.mobile and data["account"]["real_name"] == "张伟"
    assert AuditRecord.objects.filter(action="gonghui.pii.self_export", actor=member_a).count() == 1


def test_a_correction_is_requested_and_applied_by_the_system_administrator(client, member_a, system_admin):
    client.force_login(member_a)
    client.post(reverse("portal:my_data"), {"field": "mobile", "value": "139 1234 5678", "reason": "换号"})
    correction = CorrectionRequest.objects.get()
    assert correction.requested_value == "13912345678" and correction.masked_value == "139****5678"
    client.force_login(system_admin)
    html = client.get(reverse("console:correction_list")).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    client.post(
        reverse("console:correction_decide", args=[correction.pk]), {"action": "apply", "note": "电话核实"}
    )
    assert services.password_login(mobile="13912345678", password=PASSWORD) == member_a
    correction.refresh_from_db()
    assert correction.status == CorrectionRequest.Status.DONE
    assert AuditRecord.objects.filter(action="gonghui.pii.corrected").exists()


def test_only_the_system_administrator_decides_corrections(client, tree, member_a, national_admin):
    correction = services.correction_request_submit(user=member_a, field="real_name", value="张伟民")
    with pytest.raises(ServiceError) as exc:
        services.correction_apply(actor=national_admin, correction=correction)
    assert exc.value.status == 403
    client.force_login(national_admin)
    assert client.get(reverse("console:correction_list")).status_code == 403
    member_a.refresh_from_db()
    assert member_a.real_name == "张伟"


def test_a_rejection_needs_a_reason_and_changes_nothing(member_a, system_admin):
    correction = services.correction_request_submit(user=member_a, field="real_name", value="张伟民")
    with pytest.raises(ServiceError):
        services.correction_reject(actor=system_admin, correction=correction, reason=" ")
    services.correction_reject(actor=system_admin, correction=correction, reason="与身份证不符")
    correction.refresh_from_db()
    assert correction.status == CorrectionRequest.Status.REJECTED
    assert User.objects.get(pk=member_a.pk).real_name == "张伟"


def test_a_mobile_used_by_another_account_is_not_applied(member_a, member_b, system_admin):
    correction = services.correction_request_submit(user=member_a, field="mobile", value=member_b.mobile)
    with pytest.raises(ServiceError) as exc:
        services.correction_apply(actor=system_admin, correction=correction)
    assert exc.value.code == "mobile_in_use"


def test_one_pending_correction_per_field_and_bad_values_are_refused(member_a):
    services.correction_request_submit(user=member_a, field="real_name", value="张伟民")
    with pytest.raises(ServiceError) as exc:
        services.correction_request_submit(user=member_a, field="real_name", value="张维")
    assert exc.value.code == "already_pending"
    with pytest.raises(ServiceError) as exc:
        services.correction_request_submit(user=member_a, field="mobile", value="123")
    assert exc.value.field == "value"


@pytest.fixture
def security_admin(db):
    """Assigns the three duties and unlocks accounts."""
    return duty_holder("13600000002", "安全管理员", AdminDuty.SECURITY)


def test_the_security_administrator_assigns_duties_one_per_account(client, member_a, security_admin):
    client.force_login(security_admin)
    client.post(reverse("console:duty_list"), {"mobile": member_a.mobile, "duty": "audit_admin"})
    member_a.refresh_from_db()
    assert member_a.admin_duty == AdminDuty.AUDIT
    client.post(reverse("console:duty_list"), {"mobile": member_a.mobile, "duty": "system_admin"})
    member_a.refresh_from_db()
    assert member_a.admin_duty == AdminDuty.SYSTEM  # replaced, never both
    client.post(reverse("console:duty_list"), {"mobile": security_admin.mobile, "duty": ""})
    security_admin.refresh_from_db()
    assert security_admin.admin_duty == AdminDuty.SECURITY  # nobody changes their own duty
    assert AuditRecord.objects.filter(action="gonghui.account.duty_changed").count() == 2


def test_only_the_security_administrator_assigns_duties(client, member_a, member_b, system_admin):
    with pytest.raises(ServiceError):
        services.admin_duty_assign(actor=system_admin, user=member_a, duty=AdminDuty.AUDIT)
    client.force_login(system_admin)
    assert client.get(reverse("console:duty_list")).status_code == 403


def test_the_first_security_administrator_is_named_by_command(member_a):
    from django.core.management import call_command

    call_command("duty", "--mobile", member_a.mobile, "--duty", "security_admin")
    member_a.refresh_from_db()
    assert member_a.admin_duty == AdminDuty.SECURITY


def test_the_security_administrator_manages_roles_anywhere(client, tree, member_a, viewer_a, security_admin):
    from gonghui.orgs.models import RoleAssignment

    client.force_login(security_admin)
    page = client.get(reverse("console:security_roles"), {"q": viewer_a.mobile}).content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "陈观察" in table and "<td>138****0010</td>" in table and f"<td>{viewer_a.mobile}<" not in table
    client.post(
        reverse("console:security_roles"),
        {"mobile": member_a.mobile, "org_code": tree.grassroots_b.code, "role": "viewer", "q": ""},
    )
    assert RoleAssignment.objects.filter(user=member_a, org=tree.grassroots_b, role="viewer").exists()
    viewer_role = RoleAssignment.objects.get(user=viewer_a)
    client.post(
        reverse("console:security_roles"),
        {"action": "revoke", "assignment": viewer_role.pk, "q": viewer_a.mobile},
    )
    assert not RoleAssignment.objects.filter(pk=viewer_role.pk).exists()
    assert (
        AuditRecord.objects.filter(action__in=["gonghui.role.granted", "gonghui.role.revoked"]).count() == 2
    )


def test_an_org_administrator_cannot_open_the_platform_roles_page(client, tree, district_cadre_a):
    client.force_login(district_cadre_a)
    assert client.get(reverse("console:security_roles")).status_code == 403
