"""Spreadsheet imports of members, wage bases and payments, and the member list export: messy real-world files,
the dry run, both commit modes, re-imports that change nothing, and the console pages."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.core import services as core_services
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord
from gonghui.core.uploads import media_path
from gonghui.members import counters, imports
from gonghui.members import services as svc
from gonghui.members.bulk import bulk_add_members
from gonghui.members.models import DuesMonth, ImportJob, ImportProblem, Member, MemberEvent
from gonghui.members.services import Person
from gonghui.members.tasks import run_import
from gonghui.orgs.models import Role

from .conftest import fake_id, make_user

pytestmark = pytest.mark.django_db

HEADERS = [
    "姓名",
    "身份证号码",
    "手机号码",
    "工作单位",
    "统一社会信用代码",
    "就业形式",
    "工作地区划代码",
    "工作地点",
    "入会日期",
    "所属工会代码",
]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
X_ID = fake_id(9)  # an ID number whose check character is X


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def workbook(rows: list[list[object]], *, title_rows: int = 0, width: int = 9) -> bytes:
    """An .xlsx as units make them: merged title rows above the header, then the rows as given (a cell that
    is a datetime is written as a date cell, a float as a number)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("花名册")
    date_format = book.add_format({"num_format": "yyyy年m月d日"})
    for r in range(title_rows):
        sheet.merge_range(
            r, 0, r, width - 1, "西溪科技有限公司工会会员花名册" if r == 0 else "填报日期：2024年3月"
        )
    for r, row in enumerate(rows, start=title_rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def upload(data: bytes, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def start(actor, org, data: bytes, *, name: str = "花名册.xlsx", kind: str = "members") -> ImportJob:
    job = imports.import_start(actor=actor, org=org, kind=kind, upload=upload(data, name))
    run_import.call(job.pk, "check")
    job.refresh_from_db()
    return job


def commit(actor, job: ImportJob, mode: str = "valid") -> ImportJob:
    imports.import_confirm(actor=actor, job=job, mode=mode)
    run_import.call(job.pk, "commit")
    job.refresh_from_db()
    return job


def row(n: int, name: str = "王小明", **kw: object) -> list[object]:
    values = {
        "name": name,
        "id": fake_id(n),
        "mobile": f"1390000{n:04d}",
        "employer": "西溪科技有限公司",
        "uscc": "",
        "form": "",
        "division": "330106",
        "place": "杭州市西湖区",
        "joined": "2024-03-05",
    }
    values.update(kw)
    return list(values.values())


def problems(job: ImportJob) -> set[tuple[int, str]]:
    return set(ImportProblem.objects.filter(job=job).values_list("row", "column"))


@pytest.fixture
def elsewhere(tree, chair_b) -> Member:
    """A person who is already a member of the grassroots union in district B (invisible to chair_a)."""
    person = svc.person_clean(name="赵敏", id_number=fake_id(40), mobile="13900000040")
    return svc.member_create(actor=chair_b, org=tree.grassroots_b, person=person)


@pytest.fixture
def messy(elsewhere) -> bytes:
    """A member list the way it arrives: two merged title rows, a header with a space in 姓 名 and the short
    form 身份证号, full-width digits, spaces, a lower-case x, Chinese and dotted dates, a date cell, an Excel
    serial, a phone stored as a float, and one bad thing or more on each of rows 8 to 15."""
    header = ["姓 名", "身份证号", *HEADERS[2:]]
    return workbook(
        [
            header,  # row 3
            row(
                1, name="王 小明", id=fake_id(1).translate(FULLWIDTH), form="外卖骑手", joined="2024年3月5日"
            ),  # 4
            row(
                2, name="李　娜", id=X_ID.lower(), mobile=13800000002.0, form="劳务派遣", joined="2024.3.5"
            ),  # 5
            row(
                3,
                id=f"  {fake_id(3)[:6]} {fake_id(3)[6:]} ",
                form="courier",
                joined=datetime.datetime(2023, 7, 1),
            ),
            row(4, name="孙悦", form="快递员", joined=45000),  # row 7: an Excel serial date (2023-03-15)
            row(5, id=fake_id(5)[:-1] + ("0" if fake_id(5)[-1] != "0" else "1")),  # 8: wrong check character
            row(6, mobile="1234567"),  # 9: bad mobile
            row(1, name="王小明"),  # 10: the same person as row 4
            row(40, name="赵敏"),  # 11: already a member in district B
            row(7, form="宇航员"),  # 12: unknown employment form
            row(8, name=""),  # 13: required name missing
            row(10, mobile="12345", joined="2024-13-45"),  # 14: two bad cells
            row(11, id=330106199001010000.0),  # 15: an ID number Excel turned into a float
            [],  # 16: empty
            ["合计", "12人"],  # 17: a footnote, not data
        ],
        title_rows=2,
    )


# --- the dry run -------------------------------------------------------------------------------------------


def test_the_dry_run_reports_every_bad_cell_by_row_and_column(tree, chair_a, messy, elsewhere):
    job = start(chair_a, tree.grassroots_a, messy)
    assert job.status == ImportJob.Status.CHECKED
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
    reasons = dict(ImportProblem.objects.filter(job=job).values_list("row", "reason"))
    assert "4" in reasons[10]  # points at the first row of the same person
    assert tree.grassroots_b.name not in reasons[11]  # a union outside chair_a's scope is not named
    assert all(reasons.values())
    # A dry run writes nothing but the job and its problems.
    assert Member.objects.count() == 1 and not DuesMonth.objects.exists()


def test_the_union_is_named_when_the_importer_can_see_it(tree, district_cadre_b, elsewhere, platform_b):
    job = start(district_cadre_b, platform_b, workbook([HEADERS, row(40, name="赵敏")]))
    [reason] = ImportProblem.objects.filter(job=job).values_list("reason", flat=True)
    assert tree.grassroots_b.name in reason


def test_without_the_header_row_the_check_fails_with_a_message(tree, chair_a):
    job = start(chair_a, tree.grassroots_a, workbook([["名单"], ["王小明", fake_id(1)]]))
    assert job.status == ImportJob.Status.FAILED
    assert "身份证号码" in job.message


def test_the_template_imports_as_an_empty_file(tree, chair_a):
    from gonghui.members.spreadsheets import template_xlsx

    job = start(chair_a, tree.grassroots_a, template_xlsx("members"))
    assert job.status == ImportJob.Status.CHECKED and job.total_rows == 0 and job.message


# --- committing --------------------------------------------------------------------------------------------


def test_valid_only_writes_exactly_the_valid_rows_normalised(tree, chair_a, messy):
    job = commit(chair_a, start(chair_a, tree.grassroots_a, messy), "valid")
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (4, 0, 0)
    imported = {m.id_number: m for m in Member.objects.filter(org=tree.grassroots_a)}
    assert set(imported) == {fake_id(1), X_ID, fake_id(3), fake_id(4)}
    first, second, third, fourth = (imported[i] for i in (fake_id(1), X_ID, fake_id(3), fake_id(4)))
    assert (first.name, first.employment_form, first.joined_on) == (
        "王小明",
        "delivery_rider",
        datetime.date(2024, 3, 5),
    )
    assert (second.name, second.mobile, second.employment_form) == ("李娜", "13800000002", "dispatched")
    assert second.joined_on == datetime.date(2024, 3, 5) and second.id_last4.endswith("X")
    assert (third.employment_form, third.joined_on) == ("courier", datetime.date(2023, 7, 1))
    assert fourth.joined_on == datetime.date(2023, 3, 15)
    assert all(m.number and m.name_pinyin and m.birth_date for m in imported.values())
    assert MemberEvent.objects.filter(kind="imported", member__org=tree.grassroots_a).count() == 4
    assert AuditRecord.objects.filter(action="gonghui.member.imported").count() == 1  # one per batch
    assert counters.find_drift() == []
    # The uploaded file (personal data in clear) is not kept once imported.
    assert not (Path(imports.media_path(job.stored_path))).exists()


def test_all_or_nothing_is_refused_while_rows_have_problems(tree, chair_a, messy):
    job = start(chair_a, tree.grassroots_a, messy)
    with pytest.raises(ServiceError) as err:
        imports.import_confirm(actor=chair_a, job=job, mode="all")
    assert err.value.code == "import_has_problems"
    assert not Member.objects.filter(org=tree.grassroots_a).exists()


def test_all_or_nothing_writes_nothing_when_a_row_fails_at_commit(tree, chair_a, chair_b):
    job = start(chair_a, tree.grassroots_a, workbook([HEADERS, row(1), row(2), row(3)]))
    assert job.error_rows == 0
    # Between the check and the commit, one of them joins a union in district B.
    svc.member_create(
        actor=chair_b,
        org=tree.grassroots_b,
        person=svc.person_clean(name="王小明", id_number=fake_id(2), mobile="13900000002"),
    )
    job = commit(chair_a, job, "all")
    assert job.status == ImportJob.Status.FAILED and job.message
    assert not Member.objects.filter(org=tree.grassroots_a).exists()
    assert problems(job) == {(3, "身份证号码")}
    assert counters.find_drift() == []


def test_all_or_nothing_writes_every_row_in_one_go(tree, chair_a):
    job = commit(
        chair_a, start(chair_a, tree.grassroots_a, workbook([HEADERS, *(row(n) for n in range(1, 6))])), "all"
    )
    assert job.status == ImportJob.Status.DONE and job.created_count == 5
    assert Member.objects.filter(org=tree.grassroots_a).count() == 5
    assert counters.find_drift() == []


def test_a_second_import_of_the_same_file_changes_nothing(tree, chair_a, messy):
    commit(chair_a, start(chair_a, tree.grassroots_a, messy))
    before = (
        Member.objects.count(),
        MemberEvent.objects.count(),
        list(Member.objects.values_list("number", flat=True)),
    )
    again = commit(chair_a, start(chair_a, tree.grassroots_a, messy))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    after = (
        Member.objects.count(),
        MemberEvent.objects.count(),
        list(Member.objects.values_list("number", flat=True)),
    )
    assert after == before
    assert counters.find_drift() == []


def test_a_reimport_brings_changed_details_up_to_date_without_erasing(tree, chair_a):
    commit(chair_a, start(chair_a, tree.grassroots_a, workbook([HEADERS, row(1, form="外卖骑手"), row(2)])))
    changed = workbook([HEADERS, row(1, mobile="13912345678", form="快递员", employer=""), row(2)])
    job = commit(chair_a, start(chair_a, tree.grassroots_a, changed))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    member = Member.objects.get(org=tree.grassroots_a, id_last4=fake_id(1)[-4:])
    assert (member.mobile, member.employment_form, member.employer_name) == (
        "13912345678",
        "courier",
        "西溪科技有限公司",
    )
    assert Member.objects.filter(svc_blind(member.mobile)).exists()
    assert MemberEvent.objects.filter(member=member, kind="updated").count() == 1
    assert counters.find_drift() == []


def svc_blind(mobile: str):
    from gonghui.core.fields import blind_q

    return blind_q(Member, "mobile", mobile)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_files_in_gb18030_and_utf8_with_or_without_bom_are_read(tree, chair_a, encoding):
    lines = [
        ",".join(HEADERS),
        ",".join(str(c) for c in row(1, form="网约配送员")),
        ",".join(str(c) for c in row(2)),
    ]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    job = commit(chair_a, start(chair_a, tree.grassroots_a, data, name="名单.csv"))
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    assert set(Member.objects.values_list("name", "employment_form")) == {
        ("王小明", "delivery_rider"),
        ("王小明", "regular"),
    }


def test_a_file_that_is_not_a_spreadsheet_is_refused(tree, chair_a):
    with pytest.raises(ServiceError) as err:
        imports.import_start(
            actor=chair_a, org=tree.grassroots_a, kind="members", upload=upload(b"%PDF-1.4\n", "a.pdf")
        )
    assert err.value.code == "upload_type"
    assert not ImportJob.objects.exists()


def test_only_administrators_in_scope_import(tree, chair_a, chair_b, viewer_a, messy):
    with pytest.raises(NotFound):
        imports.import_start(actor=chair_b, org=tree.grassroots_a, kind="members", upload=upload(messy))
    with pytest.raises(PermissionDenied):
        imports.import_start(actor=viewer_a, org=tree.grassroots_a, kind="members", upload=upload(messy))
    job = start(chair_a, tree.grassroots_a, messy)
    with pytest.raises(NotFound):
        imports.import_confirm(actor=chair_b, job=job, mode="valid")


def test_a_district_import_names_each_members_union_and_rows_without_one_are_reported(
    tree, district_cadre_a, joint_a
):
    rows = [
        ["姓名", "身份证号码", "手机号码", "所属工会代码"],
        ["赵一", fake_id(301), "13912340001", tree.grassroots_a.code],
        ["钱二", fake_id(302), "13912340002", joint_a.code],
        ["孙三", fake_id(303), "13912340003", ""],
        ["李四", fake_id(304), "13912340004", tree.grassroots_b.code],
        ["周五", fake_id(305), "13912340005", tree.street_a.code],
    ]
    job = start(district_cadre_a, tree.district_a, workbook(rows))
    assert (job.valid_rows, job.error_rows) == (3, 2)
    problems = {p.row: (p.column, p.reason) for p in job.problems.all()}
    assert set(problems) == {4, 5} and all(c == "所属工会代码" for c, _r in problems.values())
    commit(district_cadre_a, job)
    orgs = dict(Member.objects.values_list("name", "org__code"))
    assert orgs == {"赵一": tree.grassroots_a.code, "钱二": joint_a.code, "周五": tree.street_a.code}
    assert counters.find_drift() == []


def test_starting_an_import_enqueues_the_check_after_commit(
    tree, chair_a, messy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = imports.import_start(actor=chair_a, org=tree.grassroots_a, kind="members", upload=upload(messy))
    assert len(callbacks) == 1
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk, "check"]).exists()


def test_bulk_add_members_works_without_an_import_job(tree):
    people = [
        svc.person_clean(name="钱七", id_number=fake_id(n), mobile=f"1390000{n:04d}") for n in range(1, 4)
    ]
    counts = bulk_add_members(org=tree.grassroots_a, rows=people, source="bench")
    assert (counts.created, counts.unchanged) == (3, 0)
    assert bulk_add_members(org=tree.grassroots_a, rows=people, source="bench").unchanged == 3
    assert counters.find_drift() == []


# --- wages and payments ------------------------------------------------------------------------------------


@pytest.fixture
def members_a(tree, chair_a) -> list[Member]:
    people = [
        svc.person_clean(name="王小明", id_number=fake_id(n), mobile=f"1390000{n:04d}") for n in range(1, 4)
    ]
    bulk_add_members(org=tree.grassroots_a, rows=people)
    return list(Member.objects.filter(org=tree.grassroots_a).order_by("pk"))


def test_a_payroll_file_sets_wage_bases_and_dues_and_a_second_import_changes_nothing(
    tree, chair_a, members_a, elsewhere
):
    m1, m2, m3 = members_a
    data = workbook(
        [
            ["会员编号", "身份证号码", "姓名", "月份", "工资基数"],
            [m1.number, "", "王小明", "2024-03", 6543.21],
            ["", m2.id_number.lower(), "", "2024年3月", "6,500.00"],
            [m3.number, "", "", datetime.datetime(2024, 3, 1), "8000"],
            [m3.number, "", "", "202403", "8000"],  # 5: the same member and month again
            ["", elsewhere.id_number, "", "2024-03", "5000"],  # 6: not a member of this union
            ["000000000000", "", "", "2024-03", "5000"],  # 7: not a member number
            [m1.number, "", "张三", "2024-04", "5000"],  # 8: the name does not match
            [m2.number, "", "", "2099-01", "abc"],  # 9: a future month and not an amount
        ]
    )
    job = start(chair_a, tree.grassroots_a, data, kind="wages")
    assert (job.valid_rows, job.error_rows) == (3, 5)
    assert problems(job) == {
        (5, "月份"),
        (6, "身份证号码"),
        (7, "会员编号"),
        (8, "姓名"),
        (9, "月份"),
        (9, "工资基数"),
    }
    job = commit(chair_a, job)
    march = datetime.date(2024, 3, 1)
    dues = {d.member_id: d for d in DuesMonth.objects.filter(month=march)}
    assert (dues[m1.pk].wage_base, dues[m1.pk].due) == (Decimal("6543.21"), Decimal("32.72"))
    assert (dues[m2.pk].due, dues[m3.pk].due) == (Decimal("32.50"), Decimal("40.00"))
    again = commit(chair_a, start(chair_a, tree.grassroots_a, data, kind="wages"))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert DuesMonth.objects.count() == 3


def test_a_payment_file_sets_what_was_paid_and_never_adds(tree, chair_a, members_a):
    m1, m2, _m3 = members_a
    svc.dues_wage_set(actor=chair_a, member=m1, month=datetime.date(2024, 3, 1), wage_base="6500")
    data = workbook(
        [
            ["会员编号", "身份证号码", "月份", "实缴金额", "缴费日期"],
            [m1.number, "", "2024-03", "32.50", "2024年3月31日"],
            [m2.number, "", "2024-03", 20, ""],
        ]
    )
    first = commit(chair_a, start(chair_a, tree.grassroots_a, data, kind="payments"))
    assert (first.created_count, first.updated_count) == (1, 1)
    row = DuesMonth.objects.get(member=m1, month=datetime.date(2024, 3, 1))
    assert (row.due, row.paid, row.paid_on) == (
        Decimal("32.50"),
        Decimal("32.50"),
        datetime.date(2024, 3, 31),
    )
    again = commit(chair_a, start(chair_a, tree.grassroots_a, data, kind="payments"))
    assert again.unchanged_count == 2
    row.refresh_from_db()
    assert row.paid == Decimal("32.50")  # set, not added
    assert DuesMonth.objects.get(member=m2).paid == Decimal("20.00")


def test_dues_files_need_the_right_to_manage_dues(tree, chair_b, viewer_a, members_a):
    data = workbook([["会员编号", "月份", "工资基数"], [members_a[0].number, "2024-03", "6000"]])
    with pytest.raises(NotFound):
        imports.import_start(actor=chair_b, org=tree.grassroots_a, kind="wages", upload=upload(data))
    with pytest.raises(PermissionDenied):
        imports.import_start(actor=viewer_a, org=tree.grassroots_a, kind="payments", upload=upload(data))


# --- the console pages -------------------------------------------------------------------------------------


def use_org(client, org) -> None:
    client.post(reverse("console:org_use", args=[org.pk]))


def xlsx_rows(data: bytes) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_the_import_journey_in_the_console(client, tree, chair_a, messy):
    client.force_login(chair_a)
    page = client.get(reverse("console:import_new"))
    assert (
        page.status_code == 200
        and reverse("console:import_template", args=["wages"]) in page.content.decode()
    )
    response = client.post(reverse("console:import_new"), {"kind": "members", "file": upload(messy)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("console:import_detail", args=[job.pk])
    detail = client.get(response.url).content.decode()
    assert reverse("console:import_progress", args=[job.pk]) in detail and 'hx-trigger="every 1s"' in detail
    assert client.get(reverse("console:import_progress", args=[job.pk])).status_code == 200

    run_import.call(job.pk, "check")
    progress = client.get(reverse("console:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true" and "hx-trigger" not in progress.content.decode()
    detail = client.get(reverse("console:import_detail", args=[job.pk])).content.decode()
    assert "hx-trigger" not in detail and "身份证号" in detail and 'value="all" disabled' in detail
    sheet = xlsx_rows(client.get(reverse("console:import_problems", args=[job.pk])).content)
    assert (
        sheet[0] == ["行号", "列", "问题"] and len(sheet) == 1 + ImportProblem.objects.filter(job=job).count()
    )
    assert {(int(r[0]), r[1]) for r in sheet[1:]} == problems(job)

    response = client.post(reverse("console:import_commit", args=[job.pk]), {"mode": "all"})
    assert response.status_code == 302
    assert ImportJob.objects.get().status == ImportJob.Status.CHECKED  # refused: rows have problems
    client.post(reverse("console:import_commit", args=[job.pk]), {"mode": "valid"})
    assert ImportJob.objects.get().status == ImportJob.Status.COMMITTING
    run_import.call(job.pk, "commit")
    detail = client.get(reverse("console:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-counts"' in detail
    assert client.get(reverse("console:import_list")).status_code == 200


def test_the_upload_form_shows_a_refused_file_as_a_message(client, tree, chair_a):
    client.force_login(chair_a)
    use_org(client, tree.grassroots_a)
    response = client.post(
        reverse("console:import_new"), {"kind": "members", "file": upload(b"%PDF-1.4\n", "a.pdf")}
    )
    assert response.status_code == 200 and not ImportJob.objects.exists()
    assert response.context["form"].errors


def test_the_template_download_has_the_chinese_headers(client, tree, chair_a):
    client.force_login(chair_a)
    response = client.get(reverse("console:import_template", args=["members"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = xlsx_rows(response.content)
    assert [h.lstrip("*") for h in rows[2]] == HEADERS
    assert client.get(reverse("console:import_template", args=["nonsense"])).status_code == 404


def test_another_union_gets_404_for_every_import_page(client, tree, chair_a, chair_b, messy):
    job = start(chair_a, tree.grassroots_a, messy)
    client.force_login(chair_b)
    for name in ("import_detail", "import_progress", "import_problems"):
        assert client.get(reverse(f"console:{name}", args=[job.pk])).status_code == 404, name
    assert client.post(reverse("console:import_commit", args=[job.pk]), {"mode": "valid"}).status_code == 404
    assert ImportJob.objects.get().status == ImportJob.Status.CHECKED


def test_a_viewer_is_refused_every_import_and_export_page(client, tree, chair_a, viewer_a, messy):
    job = start(chair_a, tree.grassroots_a, messy)
    client.force_login(viewer_a)
    for url in (
        reverse("console:import_list"),
        reverse("console:import_new"),
        reverse("console:import_template", args=["members"]),
        reverse("console:member_export"),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("console:import_new"), {"kind": "members", "file": upload(messy)}).status_code
        == 403
    )
    # The job itself is outside what a viewer may manage: not found, as the selector says.
    assert client.get(reverse("console:import_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("console:import_commit", args=[job.pk]), {"mode": "valid"}).status_code == 404
    assert ImportJob.objects.count() == 1


def test_a_worker_without_a_role_has_no_import_pages(client, tree, member_a):
    client.force_login(member_a)
    assert client.get(reverse("console:import_list")).status_code == 403


# --- exports -----------------------------------------------------------------------------------------------


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/"))


def test_the_member_export_is_masked_and_formula_safe(client, tree, chair_a, district_cadre_a):
    tricky = Person(name="=1+1", id_number=fake_id(1), mobile="13900000001", employer_name="@SUM(A1)")
    bulk_add_members(
        org=tree.grassroots_a,
        rows=[tricky, svc.person_clean(name="周杰", id_number=X_ID, mobile="13900000002")],
    )
    client.force_login(district_cadre_a)
    response = client.get(reverse("console:member_export"), {"status": "live"})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    rows = xlsx_rows(response.content)
    assert rows[0][:4] == ["会员编号", "姓名", "身份证号码", "手机号码"]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {"=1+1", "周杰"}
    assert (
        by_name["=1+1"][2] == fake_id(1)[:6] + "********" + fake_id(1)[-4:]
        and by_name["=1+1"][3] == "139****0001"
    )
    xml = sheet_xml(response.content)
    assert fake_id(1) not in xml and "13900000001" not in xml and X_ID not in xml
    assert "<f>" not in xml and 'quotePrefix="1"' in xml  # stays text, never evaluated
    assert AuditRecord.objects.filter(action="gonghui.export.masked", data__kind="members").exists()
    filtered = xlsx_rows(client.get(reverse("console:member_export"), {"q": "zhou"}).content)
    assert [r[1] for r in filtered[1:]] == ["周杰"]


def test_the_member_export_of_another_district_is_out_of_reach(client, tree, chair_b, district_cadre_b):
    bulk_add_members(
        org=tree.grassroots_a, rows=[svc.person_clean(name="周杰", id_number=X_ID, mobile="13900000002")]
    )
    client.force_login(district_cadre_b)
    rows = xlsx_rows(client.get(reverse("console:member_export")).content)
    assert rows[1:] == []


def test_the_full_member_list_needs_a_second_administrator(tree, chair_a):
    second = make_user("13800000099", "王副主席", Role.ORG_ADMIN, tree.grassroots_a)
    bulk_add_members(
        org=tree.grassroots_a, rows=[svc.person_clean(name="周杰", id_number=X_ID, mobile="13900000002")]
    )
    req = core_services.export_request_submit(
        actor=chair_a, kind="members", org=tree.grassroots_a, reason="换届核对"
    )
    core_services.export_request_decide(actor=second, request=req, approve=True)
    data = core_services.export_download(actor=chair_a, request=req).decode("utf-8-sig")
    assert "会员编号" in data and X_ID in data and "13900000002" in data


def test_a_roster_checked_but_never_committed_is_deleted_after_a_week(tree, chair_a, messy):
    job = start(chair_a, tree.grassroots_a, messy)
    stored = media_path(job.stored_path)
    assert stored.exists() and job.status == "checked"
    assert imports.import_files_sweep(now=job.created_at + datetime.timedelta(days=6)) == 0
    assert imports.import_files_sweep(now=job.created_at + datetime.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == "cancelled" and not stored.exists()
    assert job.problems.exists()  # what was wrong with the file is still there to read
    assert imports.import_files_sweep(now=job.created_at + datetime.timedelta(days=9)) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  张　三 ", "张 三"),  # full-width space folded, ends trimmed
        ("a \t b", "a b"),  # ASCII runs of whitespace made one space
        ("ＡＢ１２", "AB12"),  # full-width letters and digits folded
        ("x\u200by", "xy"),  # invisible characters dropped
        ("杭州\x00市\x07", "杭州市"),  # control characters dropped (a NUL cannot even be stored)
        ("Room\x00 5\x1b", "Room 5"),  # ... from ASCII text too
        (12345.0, "12345"),
    ],
)
def test_cells_read_as_tidy_text(value, expected):
    from gonghui.members.spreadsheets import text

    assert text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", datetime.date(2024, 3, 5)),
        ("2024-3-5", datetime.date(2024, 3, 5)),
        ("2024年3月5日", datetime.date(2024, 3, 5)),
        ("２０２４－０３－０５", datetime.date(2024, 3, 5)),
        ("20240305", datetime.date(2024, 3, 5)),
    ],
)
def test_dates_are_read_in_every_common_spelling(value, expected):
    from gonghui.members.spreadsheets import date_cell

    assert date_cell(value) == expected


@pytest.mark.parametrize("value", ["2024-02-30", "2024-13-01", "someday"])
def test_impossible_dates_are_reported_not_guessed(value):
    from gonghui.members.spreadsheets import CellError, date_cell

    with pytest.raises(CellError):
        date_cell(value)


def test_codes_lose_spaces_and_dashes_whatever_their_width():
    from gonghui.members.spreadsheets import digits_cell

    assert digits_cell(" 330106-1990 0101 121x ") == "33010619900101121X"
    assert digits_cell("１３８－０００ ０００１") == "1380000001"


@pytest.mark.parametrize("value", ["2024-3", "2024-03", "2024年3月", "2024.3", "202403", "2024-3-18"])
def test_months_are_read_in_every_common_spelling(value):
    from gonghui.members.spreadsheets import month_cell

    assert month_cell(value) == datetime.date(2024, 3, 1)
