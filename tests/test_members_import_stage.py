"""The member import's stage (members.staging): the commit writes what the dry run prepared without reading or
checking the file again, checks again only what the database may have changed since, and a commit that died
half-way finishes on its retry without doubling anything."""

from __future__ import annotations

import pytest
from django.db import connection

from gonghui.core.models import AuditRecord
from gonghui.members import counters, imports, staging
from gonghui.members import services as svc
from gonghui.members.models import ImportJob, Member, MemberEvent
from gonghui.members.rules import member_number, member_number_valid
from gonghui.members.tasks import run_import

from .conftest import fake_id, make_user
from .test_members_import import (  # noqa: F401 (fixtures)
    HEADERS,
    commit,
    elsewhere,
    media_root,
    messy,
    problems,
    row,
    start,
    workbook,
)

pytestmark = pytest.mark.django_db


def stage_rows(job: ImportJob) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {staging.table(job.pk)} ORDER BY seq")
        return cursor.fetchall()


def svc_index(mobile: str) -> str:
    return Member._meta.get_field("mobile").index(mobile)


def stage_exists(job: ImportJob) -> bool:
    return staging.header(job.pk) is not None


def test_member_numbers_made_in_sql_match_the_rule():
    serials = [1, 2, 9, 10, 11, 12345, 99999999999, *range(100, 130)]
    with connection.cursor() as cursor:
        for serial in serials:
            cursor.execute(f"SELECT {staging._number_sql(str(serial))}", [])
            assert cursor.fetchone()[0] == member_number(serial), serial
    assert any(member_number(s).endswith("X") for s in serials)


def test_the_dry_run_stages_the_rows_encrypted_and_the_commit_drops_them(tree, chair_a, messy):  # noqa: F811
    job = start(chair_a, tree.grassroots_a, messy)
    staged, headers = staging.header(job.pk)
    # The rows that passed their cells' checks: the four valid ones and the one already a member elsewhere.
    assert staged == 5 and headers["id_number"] == "身份证号"
    text = repr(stage_rows(job))
    for n in (1, 3, 4, 40):
        assert fake_id(n) not in text and f"1390000{n:04d}" not in text
    job = commit(chair_a, job)
    assert job.status == ImportJob.Status.DONE and job.created_count == 4
    assert not stage_exists(job)


def test_the_commit_writes_what_the_dry_run_checked_without_reading_the_file_again(tree, chair_a):
    job = start(chair_a, tree.grassroots_a, workbook([HEADERS, row(1), row(2)]))
    # Whatever happens to the stored file after the dry run, the commit writes the rows that were checked.
    imports.media_path(job.stored_path).write_bytes(workbook([HEADERS, row(3)]))
    # Row 2's person opens a portal account before the commit: the membership is linked to it.
    account = make_user("13900000002", "王小明")
    job = commit(chair_a, job)
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    assert {m.id_number for m in Member.objects.filter(org=tree.grassroots_a)} == {fake_id(1), fake_id(2)}
    assert dict(Member.objects.values_list("mobile_index", "user_id")) == {
        svc_index("13900000001"): None,
        svc_index("13900000002"): account.pk,
    }
    numbers = list(Member.objects.values_list("number", flat=True))
    assert all(member_number_valid(n) for n in numbers) and len(set(numbers)) == 2
    assert MemberEvent.objects.filter(kind="imported").count() == 2
    assert counters.find_drift() == []


def test_without_its_stage_the_commit_reads_and_checks_the_file_again(tree, chair_a, messy):  # noqa: F811
    job = start(chair_a, tree.grassroots_a, messy)
    staging.drop(job.pk)
    job = commit(chair_a, job)
    assert (job.status, job.created_count, job.error_rows) == (ImportJob.Status.DONE, 4, 8)
    assert len(problems(job)) == 9
    assert counters.find_drift() == []


def test_what_changed_in_the_database_since_the_dry_run_is_checked_again(tree, chair_a, chair_b, elsewhere):  # noqa: F811
    rows = [HEADERS, row(1), row(2), row(3), row(40, name="赵敏")]
    job = start(chair_a, tree.grassroots_a, workbook(rows))
    assert (job.valid_rows, job.error_rows) == (3, 1)  # row 5: a member in district B
    # Before the commit: row 2's person joins district B, row 3's is added to this union by hand, and the
    # member of district B leaves, so row 5 may now be imported.
    svc.member_create(
        actor=chair_b,
        org=tree.grassroots_b,
        person=svc.person_clean(name="王小明", id_number=fake_id(2), mobile="13900000002"),
    )
    svc.member_create(
        actor=chair_a,
        org=tree.grassroots_a,
        person=svc.person_clean(name="王小明", id_number=fake_id(3), mobile="13900000003"),
    )
    svc.member_status_change(actor=chair_b, member=elsewhere, status="withdrawn", reason="调离")
    job = commit(chair_a, job)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 1, 0)  # work details given
    assert (job.valid_rows, job.error_rows) == (3, 1)
    assert problems(job) == {(3, "身份证号码")}
    assert {m.id_number for m in Member.objects.filter(org=tree.grassroots_a)} == {
        fake_id(1),
        fake_id(3),
        fake_id(40),
    }
    assert counters.find_drift() == []


def test_a_union_that_stopped_holding_members_since_the_dry_run_is_reported(tree, district_cadre_a, joint_a):
    rows = [
        ["姓名", "身份证号码", "手机号码", "所属工会代码"],
        ["赵一", fake_id(301), "13912340001", tree.grassroots_a.code],
        ["钱二", fake_id(302), "13912340002", joint_a.code],
    ]
    job = start(district_cadre_a, tree.district_a, workbook(rows))
    assert job.valid_rows == 2
    type(joint_a).objects.filter(pk=joint_a.pk).update(is_active=False)
    job = commit(district_cadre_a, job)
    assert (job.created_count, job.error_rows) == (1, 1)
    assert problems(job) == {(3, "所属工会代码")}
    assert counters.find_drift() == []


def test_all_or_nothing_from_the_stage_writes_nothing_when_a_union_vanished(tree, district_cadre_a, joint_a):
    rows = [
        ["姓名", "身份证号码", "手机号码", "所属工会代码"],
        ["赵一", fake_id(301), "13912340001", tree.grassroots_a.code],
        ["钱二", fake_id(302), "13912340002", joint_a.code],
    ]
    job = start(district_cadre_a, tree.district_a, workbook(rows))
    type(joint_a).objects.filter(pk=joint_a.pk).update(is_active=False)
    job = commit(district_cadre_a, job, "all")
    assert job.status == ImportJob.Status.FAILED and job.error_rows == 1
    assert not Member.objects.exists() and problems(job) == {(3, "所属工会代码")}
    assert not stage_exists(job)
    assert counters.find_drift() == []


class WorkerDied(BaseException):
    """What the task sees when its worker process is killed: no handler of the import runs."""


def test_a_commit_that_died_half_way_finishes_on_retry_without_doubling(tree, chair_a, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 2)
    job = start(chair_a, tree.grassroots_a, workbook([HEADERS, *(row(n) for n in range(1, 8))]))
    imports.import_confirm(actor=chair_a, job=job, mode="valid")
    real_insert, calls = staging.insert_new, []

    def dies_on_the_third_batch(**kwargs):
        calls.append(kwargs["lo"])
        if len(calls) == 3:
            raise WorkerDied
        return real_insert(**kwargs)

    monkeypatch.setattr(staging, "insert_new", dies_on_the_third_batch)
    with pytest.raises(WorkerDied):
        run_import.call(job.pk, "commit")
    assert Member.objects.count() == 4  # two batches of two were written
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTING and stage_exists(job)
    # The scheduler re-queues the task; it runs again from the start.
    run_import.call(job.pk, "commit")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.unchanged_count) == (3, 4)
    assert Member.objects.count() == 7 and MemberEvent.objects.filter(kind="imported").count() == 7
    assert len(set(Member.objects.values_list("number", flat=True))) == 7
    assert AuditRecord.objects.filter(action="gonghui.member.imported").count() == 2 + 4
    assert counters.find_drift() == []


def test_a_second_dry_run_starts_the_stage_again(tree, chair_a):
    job = start(chair_a, tree.grassroots_a, workbook([HEADERS, row(1), row(2)]))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    run_import.call(job.pk, "check")
    assert staging.header(job.pk)[0] == 2 and len(stage_rows(job)) == 3


def test_the_sweep_drops_the_stage_of_a_roster_never_committed(tree, chair_a):
    import datetime

    job = start(chair_a, tree.grassroots_a, workbook([HEADERS, row(1)]))
    assert stage_exists(job)
    imports.import_files_sweep(now=job.created_at + datetime.timedelta(days=8))
    assert not stage_exists(job)


def test_a_large_file_is_checked_by_helper_processes_with_the_same_outcome(tree, chair_a, messy, monkeypatch):  # noqa: F811
    submitted = []

    class Pool(imports.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(imports, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(imports, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(imports, "PARALLEL_CHUNK", 3)
    monkeypatch.setattr(imports.os, "cpu_count", lambda: 2)
    job = start(chair_a, tree.grassroots_a, messy)
    assert sum(submitted) == 12 and len(submitted) == 4  # every row went through a helper
    assert (job.total_rows, job.valid_rows, job.error_rows) == (12, 4, 8)
    assert problems(job) == {
        (8, "身份证号"),
        (9, "手机号码"),
        (10, "身份证号"),
        (11, "身份证号"),
        (12, "就业形式"),
        (13, "姓 名"),
        (14, "手机号码"),
        (14, "入会日期"),
        (15, "身份证号"),
    }
    job = commit(chair_a, job)
    assert (job.status, job.created_count, job.error_rows) == (ImportJob.Status.DONE, 4, 8)
    assert counters.find_drift() == []


@pytest.mark.django_db(transaction=True)
def test_a_large_valid_rows_import_writes_its_batches_on_several_connections(
    tree,
    chair_a,
    elsewhere,  # noqa: F811
    settings,
    monkeypatch,
    media_root,  # noqa: F811
):
    """PostgreSQL only (SQLite writes one transaction at a time). Transactional: the batches' own connections
    must see the committed stage and job, as the task worker's do."""
    if connection.vendor != "postgresql":
        pytest.skip("the commit writes on several connections only on PostgreSQL")
    monkeypatch.setattr(imports, "BATCH", 25)
    settings.GONGHUI_IMPORT_CONNECTIONS = 3
    rows = [row(n) for n in range(100, 300)]
    rows[57] = row(40)  # already a member of district B's union: reported, not imported
    job = start(chair_a, tree.grassroots_a, workbook([HEADERS, *rows]))
    batches = AuditRecord.objects.filter(action="gonghui.member.imported").count()
    threads: set[int] = set()
    batch = imports._StagedCommit.batch

    def spy(self, lo, hi):
        import threading

        threads.add(threading.get_ident())
        return batch(self, lo, hi)

    monkeypatch.setattr(imports._StagedCommit, "batch", spy)
    job = commit(chair_a, job)
    assert (job.status, job.created_count, job.error_rows) == (ImportJob.Status.DONE, 199, 1)
    assert len(threads) == 3
    assert problems(job) == {(59, "身份证号码")}
    numbers = list(Member.objects.filter(org=tree.grassroots_a).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 199 and all(member_number_valid(n) for n in numbers)
    # Numbers follow the file's order, whichever connection wrote the row.
    by_row = [m.number for m in Member.objects.filter(org=tree.grassroots_a).order_by("number")]
    assert [Member.objects.get(number=n).id_number for n in by_row[:3]] == [
        fake_id(100),
        fake_id(101),
        fake_id(102),
    ]
    assert MemberEvent.objects.filter(member__org=tree.grassroots_a, kind="imported").count() == 199
    assert AuditRecord.objects.filter(action="gonghui.member.imported").count() - batches == 8
    assert counters.find_drift() == []
    # The same file again changes nothing, in parallel too.
    again = commit(chair_a, start(chair_a, tree.grassroots_a, workbook([HEADERS, *rows])))
    assert (again.created_count, again.unchanged_count) == (0, 199)
    assert Member.objects.filter(org=tree.grassroots_a).count() == 199 and counters.find_drift() == []
