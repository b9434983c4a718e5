"""Exports of lists with personal data: masked at once; in full only with a second person's approval."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gonghui.core import services
from gonghui.core.errors import ServiceError
from gonghui.core.exports import csv_bytes, csv_safe
from gonghui.core.models import AuditRecord, ExportRequest
from gonghui.orgs.models import Role
from tests.conftest import make_user


@pytest.fixture
def second_admin_a(tree):
    """Another administrator of district A: the second person who may approve a full export."""
    return make_user("13800000011", "赵副主席", Role.ORG_ADMIN, tree.district_a)


def text(data: bytes) -> str:
    return data.decode("utf-8-sig")


def test_cells_that_a_spreadsheet_would_run_are_defused():
    assert csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_safe("+86") == "'+86" and csv_safe("@a") == "'@a" and csv_safe("-1") == "'-1"
    assert csv_safe("\tx") == "'\tx" and csv_safe("张三") == "张三" and csv_safe(None) == ""
    assert csv_bytes(["a"], [["=1+1"]]).startswith("\ufeff".encode())


def test_the_masked_export_is_immediate_and_masked(client, tree, district_cadre_a, viewer_a):
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:export_masked", args=["roles"]))
    body = text(response.content)
    assert "138****0010" in body and "13800000010" not in body
    assert "陈观察" in body and response["Content-Disposition"].startswith("attachment;")
    assert AuditRecord.objects.filter(action="gonghui.export.masked").count() == 1


def test_a_full_export_needs_a_second_person_then_downloads_once(
    client, tree, district_cadre_a, second_admin_a, viewer_a
):
    req = services.export_request_submit(
        actor=district_cadre_a, kind="roles", org=tree.district_a, reason="换届选举"
    )
    with pytest.raises(ServiceError) as own:
        services.export_request_decide(actor=district_cadre_a, request=req, approve=True)
    assert own.value.status == 403
    with pytest.raises(ServiceError):
        services.export_download(actor=district_cadre_a, request=req)  # not approved yet
    services.export_request_decide(actor=second_admin_a, request=req, approve=True, note="同意")
    client.force_login(district_cadre_a)
    response = client.post(reverse("console:export_download", args=[req.pk]))
    assert "13800000010" in text(response.content)
    again = client.post(reverse("console:export_download", args=[req.pk]))
    assert again.status_code == 302  # once only
    actions = list(
        AuditRecord.objects.filter(action__startswith="gonghui.export.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["gonghui.export.requested", "gonghui.export.approved", "gonghui.export.downloaded"]


def test_the_database_refuses_an_approval_by_the_requester(tree, district_cadre_a):
    req = services.export_request_submit(
        actor=district_cadre_a, kind="roles", org=tree.district_a, reason="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportRequest.objects.filter(pk=req.pk).update(decided_by=district_cadre_a)


def test_an_approval_expires(tree, district_cadre_a, second_admin_a, time_machine):
    req = services.export_request_submit(
        actor=district_cadre_a, kind="roles", org=tree.district_a, reason="x"
    )
    services.export_request_decide(actor=second_admin_a, request=req, approve=True)
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    with pytest.raises(ServiceError) as exc:
        services.export_download(actor=district_cadre_a, request=req)
    assert exc.value.code == "expired"


def test_only_administrators_in_scope_export_or_approve(
    client, tree, district_cadre_a, district_cadre_b, viewer_a
):
    req = services.export_request_submit(
        actor=district_cadre_a, kind="roles", org=tree.district_a, reason="x"
    )
    with pytest.raises(ServiceError) as outside:
        services.export_request_decide(actor=district_cadre_b, request=req, approve=True)
    assert outside.value.status == 404
    client.force_login(viewer_a)
    assert client.get(reverse("console:export_masked", args=["roles"])).status_code == 403
    client.force_login(district_cadre_b)
    assert (
        client.post(reverse("console:export_decide", args=[req.pk]), {"action": "approve"}).status_code == 404
    )
    req.refresh_from_db()
    assert req.status == ExportRequest.Status.PENDING


def test_a_rejection_needs_a_reason(tree, district_cadre_a, second_admin_a):
    req = services.export_request_submit(
        actor=district_cadre_a, kind="roles", org=tree.district_a, reason="x"
    )
    with pytest.raises(ServiceError):
        services.export_request_decide(actor=second_admin_a, request=req, approve=False, note="")
    services.export_request_decide(actor=second_admin_a, request=req, approve=False, note="理由不充分")
    req.refresh_from_db()
    assert req.status == ExportRequest.Status.REJECTED


def test_the_export_pages_work_through_the_console(client, tree, district_cadre_a, second_admin_a):
    client.force_login(district_cadre_a)
    client.post(reverse("console:export_request", args=["roles"]), {"reason": "年度统计"})
    req = ExportRequest.objects.get()
    client.force_login(second_admin_a)
    page = client.get(reverse("console:export_list")).content.decode()
    assert "年度统计" in page
    client.post(reverse("console:export_decide", args=[req.pk]), {"action": "approve"})
    req.refresh_from_db()
    assert req.status == ExportRequest.Status.APPROVED and req.decided_by == second_admin_a
