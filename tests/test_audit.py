"""The audit log (MLPS 2.0 level 3): SM3 hash chain, append-only triggers, verify, archive, the console page.

Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://...): the triggers are vendor-specific SQL.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import User
from gonghui.core.audit import (
    LEGAL_MIN_RETENTION_DAYS,
    install_triggers,
    log_action,
    missing_triggers,
    record_hash,
    retention_days,
    sm3_hex,
)
from gonghui.core.context import RequestInfo, reset_request_info, set_request_info
from gonghui.core.exports import csv_safe
from gonghui.core.models import AuditArchive, AuditChainHead, AuditRecord

from .conftest import make_user


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def log_some(n: int, action: str = "gonghui.test.done", **kwargs) -> list[AuditRecord]:
    return [log_action(actor="system", action=action, data={"i": i}, **kwargs) for i in range(n)]


def raw(sql: str, params: list | None = None) -> None:
    """Run SQL in a savepoint, so that a refused statement does not spoil the test's transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def settle_deferred_checks() -> None:
    """PostgreSQL refuses ALTER TABLE and TRUNCATE on a table with deferred foreign-key checks still queued
    in the transaction (each test runs in one); running the checks now empties that queue."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def without_update_trigger(sql: str, params: list) -> None:
    """Tamper the way someone with owner rights on the database could: switch the trigger off, change a
    row, switch it back on."""
    settle_deferred_checks()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_no_update")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER core_auditrecord_no_update")
        else:
            cursor.execute("DROP TRIGGER core_auditrecord_no_update")
            cursor.execute(sql, params)
            cursor.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_delete")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditarchive_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditarchive_no_delete")
            install_triggers(connection)


def without_delete_trigger(sql: str, params: list) -> None:
    settle_deferred_checks()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_no_delete")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER core_auditrecord_no_delete")
        else:
            cursor.execute("DROP TRIGGER core_auditrecord_no_delete")
            cursor.execute(sql, params)
            for name in (
                "core_auditrecord_no_update",
                "core_auditarchive_no_update",
                "core_auditarchive_no_delete",
            ):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            install_triggers(connection)


# --- the hash chain ---------------------------------------------------------------------------------------


def test_sm3_gives_the_standard_test_vector():
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_each_record_is_numbered_and_chained_to_the_one_before_it(db):
    first, second, third = log_some(3)
    assert [r.seq for r in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len(third.hash) == 64
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, third.hash)


def test_the_stored_record_hashes_to_the_same_value_when_read_back(db):
    log_action(
        actor="system",
        action="gonghui.test.done",
        data={"day": date(2026, 1, 2), "pair": (1, 2), 3: "three", "nested": {"b": 1, "a": [1.5, None]}},
    )
    stored = AuditRecord.objects.get()
    assert stored.data["day"] == "2026-01-02"
    assert record_hash(stored) == stored.hash


@pytest.mark.parametrize("address", ["::FFFF:10.0.0.1", "2001:DB8::1", "10.0.0.7"])
def test_an_address_hashes_the_same_however_the_database_prints_it(db, address):
    token = set_request_info(RequestInfo(ip=address, user_agent="ua"))
    try:
        log_action(actor="system", action="gonghui.test.done")
    finally:
        reset_request_info(token)
    stored = AuditRecord.objects.get()
    assert stored.ip
    assert record_hash(stored) == stored.hash


def test_a_forged_address_that_is_not_an_address_is_not_stored(db):
    token = set_request_info(RequestInfo(ip="<script>", user_agent="ua"))
    try:
        record = log_action(actor="system", action="gonghui.test.done")
    finally:
        reset_request_info(token)
    assert record.ip is None


def test_the_hash_covers_the_fields_the_issue_lists(db, member_a):
    record = log_action(actor=member_a, action="gonghui.test.done", obj=member_a, result="denied")
    for field, value in [
        ("action", "gonghui.test.changed"),
        ("result", "ok"),
        ("actor_label", "someone else"),
        ("object_id", "999"),
        ("ip", "10.0.0.1"),
        ("user_agent", "curl"),
        ("org_path", "000000001"),
        ("data", {"x": 1}),
        ("at", record.at - timedelta(microseconds=1)),
        ("prev_hash", "0" * 64),
    ]:
        original = getattr(record, field)
        setattr(record, field, value)
        assert record_hash(record) != record.hash, field
        setattr(record, field, original)
    assert record_hash(record) == record.hash


def test_a_rolled_back_transaction_leaves_no_gap_in_the_chain(db):
    log_some(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        log_some(2)
        raise RuntimeError("the service failed")
    log_some(1)
    assert list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert "chain intact: 2 records" in run("verify")


def test_the_client_address_and_user_agent_come_from_the_request(client, db):
    client.post(
        reverse("portal:login"),
        {"mobile": "13912345678", "password": "wrong-password"},
        HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger",
    )
    record = AuditRecord.objects.order_by("-seq").first()
    assert record is not None
    assert (record.ip, record.user_agent) == ("127.0.0.1", "Mozilla/5.0 MicroMessenger")
    assert record_hash(record) == record.hash


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_append_one_after_another_without_forking_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite admits one writer at a time; the row lock matters on PostgreSQL")
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def write(worker: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    log_action(actor="system", action="gonghui.test.done", data={"worker": worker, "i": i})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    assert list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 41))
    assert "chain intact: 40 records" in run("verify")


# --- append-only in the database --------------------------------------------------------------------------


def test_a_direct_sql_update_on_the_audit_table_fails(db):
    record = log_some(1)[0]
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE core_auditrecord SET action = %s WHERE id = %s", ["gonghui.nothing.happened", record.pk])
    assert AuditRecord.objects.get(pk=record.pk).action == "gonghui.test.done"


def test_a_direct_sql_delete_of_a_recent_audit_record_fails(db):
    record = log_some(1)[0]
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM core_auditrecord WHERE id = %s", [record.pk])
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_the_orm_cannot_change_or_delete_audit_records_either(db):
    log_some(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.update(result="ok")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.count() == 2


def test_old_records_cannot_be_deleted_without_an_archive_past_the_retention_period(db):
    with time_machine.travel(timezone.now() - timedelta(days=300)):
        old = log_some(2)
    # An archive row that covers them but whose cutoff lies inside the retention period unlocks nothing.
    AuditArchive.objects.create(
        cutoff=timezone.now() - timedelta(days=10),
        first_seq=1,
        last_seq=2,
        record_count=2,
        anchor_hash=old[-1].hash,
        file_name="forged.jsonl.gz",
        file_sm3="0" * 64,
    )
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM core_auditrecord WHERE id = %s", [old[0].pk])


def test_archive_rows_cannot_be_changed_or_deleted(db):
    archive = AuditArchive.objects.create(
        cutoff=timezone.now() - timedelta(days=200),
        first_seq=1,
        last_seq=1,
        record_count=1,
        anchor_hash="a" * 64,
        file_name="a.jsonl.gz",
        file_sm3="b" * 64,
    )
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE core_auditarchive SET last_seq = 99 WHERE id = %s", [archive.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM core_auditarchive WHERE id = %s", [archive.pk])


def test_the_migrations_install_every_protection_trigger(db):
    assert missing_triggers(connection) == []


def test_flush_empties_the_audit_log_and_leaves_the_triggers_in_place(db):
    log_some(3)
    settle_deferred_checks()
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert AuditRecord.objects.count() == 0
    assert missing_triggers(connection) == []
    record = log_some(1)[0]
    assert record.seq == 1
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM core_auditrecord WHERE id = %s", [record.pk])


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_that_writes_audit_records_can_be_torn_down():
    # The test runner flushes the database after this test; the flush command must get past the triggers.
    log_some(2)
    assert AuditRecord.objects.count() == 2


# --- verify -----------------------------------------------------------------------------------------------


def test_verify_reports_an_intact_chain(db):
    log_some(5)
    assert run("verify").strip() == "chain intact: 5 records (from the start)"


def test_verify_reads_the_chain_in_batches(db):
    log_some(7)
    assert "chain intact: 7 records" in run("verify", "--chunk-size", "2")


def test_tampering_with_one_audit_row_is_found_by_gonghui_audit_verify(db):
    records = log_some(5)
    target = records[2]
    without_update_trigger(
        "UPDATE core_auditrecord SET result = 'ok', actor_label = %s WHERE id = %s", ["x", target.pk]
    )
    with pytest.raises(CommandError) as exc:
        run("verify")
    assert exc.value.returncode == 1
    assert f"record {target.pk} (seq 3)" in str(exc.value)
    assert "does not match its stored hash" in str(exc.value)


def test_a_tampered_row_whose_hash_was_recomputed_breaks_the_next_link(db):
    records = log_some(4)
    target = records[1]
    target.action = "gonghui.nothing.happened"
    forged = record_hash(target)
    without_update_trigger(
        "UPDATE core_auditrecord SET action = %s, hash = %s WHERE id = %s", [target.action, forged, target.pk]
    )
    with pytest.raises(CommandError) as exc:
        run("verify")
    assert f"record {records[2].pk} (seq 3)" in str(exc.value)
    assert f"record {target.pk} (seq 2)" in str(exc.value)


def test_a_deleted_record_is_found_as_a_gap(db):
    records = log_some(4)
    without_delete_trigger("DELETE FROM core_auditrecord WHERE id = %s", [records[1].pk])
    with pytest.raises(CommandError) as exc:
        run("verify")
    assert f"record {records[2].pk} (seq 3): records with sequence 2 to 2 are missing" in str(exc.value)


def test_removing_the_most_recent_records_is_found_from_the_chain_head(db):
    records = log_some(3)
    without_delete_trigger("DELETE FROM core_auditrecord WHERE id = %s", [records[2].pk])
    with pytest.raises(CommandError, match="chain head is at sequence 3"):
        run("verify")


def test_verify_reports_missing_triggers(db):
    log_some(1)
    settle_deferred_checks()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_no_delete")
        else:
            cursor.execute("DROP TRIGGER core_auditrecord_no_delete")
    with pytest.raises(CommandError, match="core_auditrecord_no_delete"):
        run("verify")


# --- archive ----------------------------------------------------------------------------------------------


def archive(tmp_path: Path, *args: str) -> str:
    return run("archive", "--out", str(tmp_path), *args)


def read_archive(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_archive_exports_old_records_then_prunes_them_and_verify_still_passes(db, tmp_path):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        old = log_some(3)
    recent = log_some(2, action="gonghui.test.recent")

    out = archive(tmp_path)

    row = AuditArchive.objects.get()
    assert "archived 3 records (seq 1-3)" in out
    assert (row.first_seq, row.last_seq, row.record_count, row.anchor_hash) == (1, 3, 3, old[-1].hash)
    path = tmp_path / row.file_name
    assert sm3_hex(path.read_bytes()) == row.file_sm3
    lines = read_archive(path)
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert [line["hash"] for line in lines] == [r.hash for r in old]
    assert list(AuditRecord.objects.order_by("seq").values_list("action", flat=True)) == [
        "gonghui.test.recent",
        "gonghui.test.recent",
        "gonghui.audit.archived",
    ]
    assert recent[0].prev_hash == row.anchor_hash
    assert run("verify").strip() == "chain intact: 3 records (from the latest archive anchor)"
    assert "archive file intact: 3 records" in run("verify", "--file", str(path))


def test_archiving_twice_does_nothing_the_second_time(db, tmp_path):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        log_some(2)
    log_some(1)
    archive(tmp_path)
    assert "nothing to archive" in archive(tmp_path)
    assert AuditArchive.objects.count() == 1
    assert "chain intact" in run("verify")


def test_a_second_archive_continues_from_the_first_anchor(db, tmp_path):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=400)):
        log_some(2)
    with time_machine.travel(now - timedelta(days=300)):
        log_some(2)
    log_some(1)
    archive(tmp_path, "--before", (timezone.localdate() - timedelta(days=350)).isoformat())
    archive(tmp_path)
    first, second = AuditArchive.objects.order_by("last_seq")
    # The second stops before today's records, the first archive's own record (seq 6) among them.
    assert (first.first_seq, first.last_seq, second.first_seq, second.last_seq) == (1, 2, 3, 4)
    assert "chain intact" in run("verify")
    assert "archive file intact: 2 records" in run("verify", "--file", str(tmp_path / second.file_name))


def test_archive_refuses_a_cutoff_inside_the_retention_period(db, tmp_path):
    log_some(1)
    with translation.override("en"), pytest.raises(CommandError, match="must be kept for 184 days"):
        archive(tmp_path, "--before", timezone.localdate().isoformat())
    assert AuditArchive.objects.count() == 0
    assert list(tmp_path.iterdir()) == []


def test_the_retention_period_can_be_raised_but_never_below_184_days(db, settings, tmp_path):
    settings.GONGHUI_AUDIT_RETENTION_DAYS = 30
    assert retention_days() == LEGAL_MIN_RETENTION_DAYS == 184
    settings.GONGHUI_AUDIT_RETENTION_DAYS = 365
    assert retention_days() == 365
    with translation.override("en"), pytest.raises(CommandError, match="must be kept for 365 days"):
        archive(tmp_path, "--before", (timezone.localdate() - timedelta(days=200)).isoformat())


def test_archive_refuses_a_broken_chain_and_deletes_nothing(db, tmp_path):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        old = log_some(3)
    log_some(1)
    without_update_trigger("UPDATE core_auditrecord SET action = 'x' WHERE id = %s", [old[1].pk])
    with translation.override("en"), pytest.raises(CommandError, match=f"broken at record {old[1].pk}"):
        archive(tmp_path)
    assert AuditRecord.objects.count() == 4
    assert [p for p in tmp_path.iterdir()] == []


def test_a_changed_archive_file_is_found_by_verify(db, tmp_path):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        log_some(2)
    log_some(1)
    archive(tmp_path)
    path = tmp_path / AuditArchive.objects.get().file_name
    lines = read_archive(path)
    lines[0]["action"] = "gonghui.nothing.happened"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(line) + "\n" for line in lines)
    with pytest.raises(CommandError, match="SM3 digest differs"):
        run("verify", "--file", str(path))


def test_archive_writes_under_the_var_dir_by_default(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        log_some(1)
    log_some(1)
    run("archive")
    assert (tmp_path / "audit-archive" / AuditArchive.objects.get().file_name).exists()


# --- the console page for the audit administrator --------------------------------------------------------


@pytest.fixture
def auditor(tree) -> User:
    """The platform's audit administrator: reads every audit record, holds no union role."""
    user = make_user("13800000099", "审计员")
    user.admin_duty = "audit_admin"
    user.save()
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def test_someone_not_logged_in_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("console:audit_list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_national_administrator_without_the_audit_duty_is_refused_and_the_attempt_is_audited(
    client, national_admin
):
    client.force_login(national_admin)
    for name, args in [
        ("console:audit_list", []),
        ("console:audit_export", []),
        ("console:audit_detail", [1]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
    assert AuditRecord.objects.filter(action="gonghui.audit.access_denied", result="denied").count() == 3


def test_the_audit_administrator_must_pass_the_second_factor_first(auditor):
    plain = Client()  # logged in with the password only
    plain.force_login(auditor)
    response = plain.get(reverse("console:audit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:2fa_verify"))


def test_a_member_is_refused(client, member_a):
    client.force_login(member_a)
    assert client.get(reverse("console:audit_list")).status_code == 403


def test_the_audit_administrator_sees_every_record_without_a_union_role(client, auditor, tree):
    log_action(actor="system", action="gonghui.org.created", obj=tree.grassroots_b)
    client.force_login(auditor)
    response = client.get(reverse("console:audit_list"))
    assert response.status_code == 200
    assert "长河半导体有限公司工会" in response.content.decode()


def test_the_audit_log_filters_by_action_actor_result_object_type_and_date(client, auditor, tree, member_a):
    log_action(actor=member_a, action="gonghui.auth.login", obj=member_a)
    log_action(actor="13912345678", action="gonghui.auth.login_failed", result="failed")
    log_action(actor="system", action="gonghui.org.created", obj=tree.grassroots_a)
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        log_action(actor="system", action="gonghui.org.moved", obj=tree.grassroots_a)
    client.force_login(auditor)

    def actions(**params) -> list[str]:
        response = client.get(reverse("console:audit_list"), params)
        assert response.status_code == 200
        return [r.action for r in response.context["records"]]

    assert actions(action="gonghui.auth") == ["gonghui.auth.login_failed", "gonghui.auth.login"]
    assert actions(actor="张伟") == ["gonghui.auth.login"]
    assert actions(actor="13900000001") == ["gonghui.auth.login"]
    assert actions(actor="13912345678") == ["gonghui.auth.login_failed"]
    assert actions(result="failed") == ["gonghui.auth.login_failed"]
    assert actions(object_type="orgs.org") == ["gonghui.org.moved", "gonghui.org.created"]
    past = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert actions(date_from=past, date_to=past) == ["gonghui.org.moved"]


def test_the_audit_log_filters_by_a_union_and_its_subtree(client, auditor, tree):
    log_action(actor="system", action="gonghui.org.created", obj=tree.grassroots_a)
    log_action(actor="system", action="gonghui.org.created", obj=tree.grassroots_b)
    client.force_login(auditor)
    response = client.get(reverse("console:audit_list"), {"org": tree.district_a.code})
    assert [r.object_repr for r in response.context["records"]] == ["西溪科技有限公司工会"]
    response = client.get(reverse("console:audit_list"), {"org": "no-such-code"})
    assert response.context["records"] == []
    assert "No union has this code." in response.content.decode() or response.context["form"].errors


def test_an_audit_administrator_who_also_works_in_a_union_may_narrow_to_the_current_union(client, tree):
    user = make_user("13800000098", "兼任审计员", "org_admin", tree.district_b)  # enrolled in TOTP
    user.admin_duty = "audit_admin"
    user.save()
    log_action(actor="system", action="gonghui.org.created", obj=tree.grassroots_a)
    log_action(actor="system", action="gonghui.org.created", obj=tree.grassroots_b)
    client.force_login(user)
    response = client.get(reverse("console:audit_list"), {"current_org": "on"})
    assert [r.object_repr for r in response.context["records"]] == ["长河半导体有限公司工会"]


def test_the_audit_list_makes_a_fixed_number_of_queries_whatever_the_number_of_records(
    client, auditor, member_a
):
    client.force_login(auditor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("console:audit_list"), {"actor": "张"})
        assert response.status_code == 200
        return len(captured)

    log_action(actor=member_a, action="gonghui.auth.login", obj=member_a)
    queries()  # the session's first request also stores the activity time: not part of the page
    few = queries()
    for _ in range(60):
        log_action(actor=member_a, action="gonghui.auth.login", obj=member_a)
    assert queries() == few


def test_the_audit_list_pages_to_older_and_newer_records(client, auditor):
    log_some(120)
    client.force_login(auditor)
    url = reverse("console:audit_list")
    first = client.get(url, {"action": "gonghui.test"}).context
    assert [r.seq for r in first["records"][:2]] == [120, 119]
    assert first["older_before"] == 71 and first["newer_after"] is None
    second = client.get(url, {"action": "gonghui.test", "before": 71}).context
    assert second["records"][0].seq == 70
    assert second["newer_after"] == 70
    back = client.get(url, {"action": "gonghui.test", "after": 70}).context
    assert [r.seq for r in back["records"]] == list(range(120, 70, -1))
    last = client.get(url, {"action": "gonghui.test", "before": 21}).context
    assert [r.seq for r in last["records"]] == list(range(20, 0, -1))
    assert last["older_before"] is None


def test_the_detail_shows_one_record_and_whether_its_hash_matches(client, auditor):
    record = log_action(actor="system", action="gonghui.test.done", data={"note": "备注"})
    client.force_login(auditor)
    response = client.get(reverse("console:audit_detail", args=[record.pk]))
    assert response.status_code == 200
    assert record.hash in response.content.decode()
    assert response.context["hash_ok"] is True
    assert client.get(reverse("console:audit_detail", args=[record.pk + 1000])).status_code == 404


def test_the_export_is_formula_safe_csv_with_a_bom_and_is_itself_audited(client, auditor):
    log_action(actor='=HYPERLINK("http://evil")', action="gonghui.auth.login_failed", result="failed")
    log_action(actor="system", action="gonghui.org.created", data={"name": "西湖"})
    client.force_login(auditor)
    response = client.get(reverse("console:audit_export"), {"result": "failed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    exported = AuditRecord.objects.get(action="gonghui.audit.exported")
    assert exported.actor == auditor
    assert exported.data == {"filters": {"result": "failed"}, "count": 1}


def test_csv_cells_that_a_spreadsheet_would_run_are_defused():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("+86 138") == "'+86 138"
    assert csv_safe("-2") == "'-2"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("\tcmd") == "'\tcmd"
    assert csv_safe("\r=1") == "'\r=1"
    assert csv_safe("西湖区总工会") == "西湖区总工会"
    assert csv_safe(None) == ""
    assert csv_safe(42) == "42"
