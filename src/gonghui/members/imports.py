"""Spreadsheet imports of members, wage bases (payroll files) and dues payments.

An import is two tasks on the worker, with a person's decision between them:

1. `import_start` checks and stores the upload and enqueues the dry run; `import_check` reads every row, reports
   every bad cell as an ImportProblem (spreadsheet row, column header, reason), and counts valid and bad rows.
2. `import_confirm` records the chosen mode (all or nothing, or the valid rows only) and enqueues
   `import_commit`, which reads the file again, checks each row again (the database may have changed since
   the dry run) and writes in batches through members.bulk.

Rows are streamed and written batch by batch, so memory stays bounded whatever the file's size: what is kept
for the whole file is one small integer per row, to find the same person twice in one file. Importing the
same file again creates nothing twice: people already members of the union are unchanged (or updated), a
month already recorded is overwritten with the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_division_code, clean_id_number, clean_mobile, clean_uscc
from gonghui.core.uploads import check_upload, delete_stored, media_path, safe_name, sha256_of, store_upload
from gonghui.orgs.models import Org
from gonghui.orgs.paths import is_within, subtree_q
from gonghui.orgs.selectors import scope_paths
from gonghui.orgs.services import require

from .bulk import (
    UPDATABLE,
    BulkCounts,
    DuesRow,
    NewMember,
    PolicyCache,
    bulk_add_members,
    bulk_record_payments,
    bulk_set_wages,
    id_index,
)
from .models import LIVE_STATUSES, EmploymentForm, ImportJob, ImportProblem, Member
from .rules import HOLDING_KINDS, member_number_valid
from .selectors import IMPORT_PERMISSIONS
from .services import Person, clean_name, member_numbers_reserve, parse_money
from .spreadsheets import (
    EMPLOYMENT_LABELS,
    CellError,
    Table,
    date_cell,
    digits_cell,
    employment_form_code,
    month_cell,
    read_table,
    text,
)

BATCH = 5000  # rows written per transaction (valid-rows mode) and per audit record
PROGRESS_EVERY = 1000
MAX_PROBLEMS = 100_000  # a file that is wrong throughout is not worth a million problem rows
IMPORT_TYPES = frozenset({"xlsx", "csv"})


def import_max_bytes() -> int:
    """Imports are larger than documents: GONGHUI_IMPORT_MAX_MB, 50 by default (about a million rows of CSV)."""
    return int(getattr(settings, "GONGHUI_IMPORT_MAX_MB", 50)) * 1024 * 1024


# --- start, confirm ----------------------------------------------------------------------------------------


def import_start(*, actor: Any, org: Org, kind: str, upload: Any) -> ImportJob:
    """Check the uploaded file (type from its content, size, zip bombs), store it outside anything served, and
    enqueue the dry run. Members are imported into a union that holds members; dues into any union whose
    members the file names."""
    if kind not in ImportJob.Kind.values:
        raise ServiceError("invalid_kind", gettext_lazy("Choose what the file holds."), field="kind")
    require(actor=actor, perm=IMPORT_PERMISSIONS[kind], org=org)
    if kind == ImportJob.Kind.MEMBERS and not org.is_active:
        raise ServiceError("org_inactive", gettext_lazy("That union is no longer active."), field="org")
    check_upload(upload, allowed=IMPORT_TYPES, max_bytes=import_max_bytes())
    digest = sha256_of(upload)
    stored = store_upload(upload, folder="imports")
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                org=org,
                kind=kind,
                created_by=actor,
                original_name=safe_name(getattr(upload, "name", "") or "import"),
                stored_path=stored,
                sha256=digest,
                status=ImportJob.Status.CHECKING,
            )
            log_action(
                actor=actor,
                action="gonghui.member.import_started",
                obj=job,
                org_path=org.path,
                data={"kind": kind, "sha256": digest},
            )
            transaction.on_commit(lambda: _enqueue(job.pk, "check"))
    except Exception:
        delete_stored(stored)
        raise
    return job


def _enqueue(job_id: int, phase: str) -> None:
    from .tasks import run_import

    run_import.enqueue(job_id, phase)


def import_confirm(*, actor: Any, job: ImportJob, mode: str) -> ImportJob:
    """Commit a checked import: "all" writes every row in one transaction and is refused while any row has a
    problem; "valid" writes the valid rows and leaves the others."""
    if mode not in ImportJob.Mode.values:
        raise ServiceError("invalid_mode", gettext_lazy("Choose how to import."), field="mode")
    with transaction.atomic():
        j = ImportJob.objects.select_for_update().select_related("org").get(pk=job.pk)
        require(actor=actor, perm=IMPORT_PERMISSIONS[j.kind], org=j.org)
        if j.status != ImportJob.Status.CHECKED:
            raise ServiceError(
                "import_not_checked", gettext_lazy("This import is not waiting for a decision."), status=409
            )
        if mode == ImportJob.Mode.ALL_OR_NOTHING and j.error_rows:
            raise ServiceError(
                "import_has_problems",
                gettext_lazy("Some rows have problems: correct the file, or import the valid rows only."),
                field="mode",
            )
        if not j.valid_rows:
            raise ServiceError(
                "import_nothing", gettext_lazy("No row of this file can be imported."), field="mode"
            )
        j.mode, j.status, j.processed_rows, j.message = mode, ImportJob.Status.COMMITTING, 0, ""
        j.save(update_fields=["mode", "status", "processed_rows", "message"])
        log_action(
            actor=actor,
            action="gonghui.member.import_confirmed",
            obj=j,
            org_path=j.org.path,
            data={"mode": mode},
        )
        transaction.on_commit(lambda: _enqueue(j.pk, "commit"))
    return j


# --- problems and progress ---------------------------------------------------------------------------------


class _Problems:
    """Problem rows, written 1,000 at a time; held back while an all-or-nothing transaction is open (they
    would roll back with it) and written after it."""

    def __init__(self, job: ImportJob, *, store: bool = True) -> None:
        self.job = job
        self.store = store
        self.buffer: list[ImportProblem] = []
        self.count = 0

    def add(self, row: int, column: str, reason: Any) -> None:
        self.count += 1
        if self.count > MAX_PROBLEMS:
            return
        self.buffer.append(ImportProblem(job=self.job, row=row, column=column[:60], reason=str(reason)[:300]))
        if self.store and len(self.buffer) >= 1000:
            self.flush()

    def flush(self) -> None:
        if self.store and self.buffer:
            ImportProblem.objects.bulk_create(self.buffer, batch_size=1000)
            self.buffer = []


def _progress(job: ImportJob, processed: int, estimate: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed, total_rows=max(estimate, processed))


# --- reading rows ------------------------------------------------------------------------------------------

Errors = list[tuple[str, Any]]  # (column key, reason)


def _required() -> str:
    return _("This cell is empty, but it is required.")


def _clean(errors: Errors, key: str, fn: Callable[[], Any]) -> Any:
    """Run one cell's cleaner; a ServiceError or CellError becomes a problem of that column."""
    try:
        return fn()
    except (ServiceError, CellError) as exc:
        errors.append((key, exc.message))
        return None


def _person_from(table: Table, cells: list[Any]) -> tuple[NewMember | None, Errors]:
    """One member row, cell by cell with the cleaners of services.person_clean (each cell on its own, so
    that every bad cell is reported, not only the first)."""
    errors: Errors = []
    raw = {key: table.cell(cells, key) for key in table.index}
    name = None
    name_text = text(raw.get("name"))
    if name_text:
        name = _clean(errors, "name", lambda: clean_name(name_text))
    else:
        errors.append(("name", _required()))
    id_number = mobile = None
    id_text = _clean(errors, "id_number", lambda: digits_cell(raw.get("id_number")))
    if id_text:
        id_number = _clean(errors, "id_number", lambda: clean_id_number(id_text))
    elif id_text == "":
        errors.append(("id_number", _required()))
    mobile_text = _clean(errors, "mobile", lambda: digits_cell(raw.get("mobile")))
    if mobile_text:
        mobile = _clean(errors, "mobile", lambda: clean_mobile(mobile_text))
    elif mobile_text == "":
        errors.append(("mobile", _required()))
    uscc_text = _clean(errors, "employer_uscc", lambda: digits_cell(raw.get("employer_uscc")))
    uscc = (
        _clean(errors, "employer_uscc", lambda: clean_uscc(uscc_text, field="employer_uscc"))
        if uscc_text
        else ""
    )
    division_text = _clean(errors, "work_division_code", lambda: digits_cell(raw.get("work_division_code")))
    division = (
        _clean(
            errors,
            "work_division_code",
            lambda: clean_division_code(division_text, field="work_division_code"),
        )
        if division_text
        else ""
    )
    form_text = text(raw.get("employment_form"))
    form = employment_form_code(form_text) if form_text else EmploymentForm.REGULAR
    if form is None:
        labels = "、".join(labels[0] for labels in EMPLOYMENT_LABELS.values())
        errors.append(
            (
                "employment_form",
                _("Unknown employment form “%(value)s”; use one of: %(labels)s.")
                % {"value": form_text[:20], "labels": labels},
            )
        )
    joined = _clean(errors, "joined_on", lambda: date_cell(raw.get("joined_on")))
    if joined is not None and joined > timezone.localdate():
        errors.append(("joined_on", _("The date of joining is in the future.")))
    elif joined is not None and joined.year < 1925:
        errors.append(("joined_on", _("The date of joining is too early.")))
    if errors:
        return None, errors
    person = Person(
        name=name or "",
        id_number=id_number or "",
        mobile=mobile or "",
        employer_name=text(raw.get("employer_name"))[:120],
        employer_uscc=uscc or "",
        employment_form=form or EmploymentForm.REGULAR,
        work_division_code=division or "",
        work_place=text(raw.get("work_place"))[:200],
    )
    given = frozenset(f for f in UPDATABLE if f in raw and text(raw[f]))
    return NewMember(person, joined_on=joined, given=given), []


# --- scanning ----------------------------------------------------------------------------------------------


@dataclass
class _Scan:
    """One pass over a file: rows read, valid, bad; what was written; rows waiting for their batch."""

    job: ImportJob
    table: Table
    problems: _Problems
    write: bool
    total: int = 0
    valid: int = 0
    errors: int = 0
    existing: int = 0  # rows naming someone already a member of the union (dry run of a member import)
    counts: BulkCounts = field(default_factory=BulkCounts)
    pending: list[Any] = field(default_factory=list)

    def bad(self, row: int, errors: Errors) -> None:
        self.errors += 1
        for key, reason in errors:
            self.problems.add(row, self.table.headers.get(key, key), reason)

    def feed(self, row: int, cells: list[Any]) -> None:
        raise NotImplementedError

    def resolve(self) -> None:
        raise NotImplementedError


@dataclass
class _MemberScan(_Scan):
    numbers: Iterator[str] | None = None
    seen: dict[int, int] = field(default_factory=dict)  # the ID number's first 17 digits -> first row
    # Union code -> the union, or None when the code names no union that may receive rows.
    unions: dict[str, Org | None] = field(default_factory=dict)
    # Code -> (id, path) of every union within the importing one that holds members, read on first need.
    holding: dict[str, tuple[int, str]] | None = None

    def __post_init__(self) -> None:
        self.scope = scope_paths(self.job.created_by, "member.view")

    def target(self, cells: list[Any], errors: Errors) -> Org | None:
        """The union a row goes into: the one named by its union code, which must hold members and lie within
        the importing union; without a code, the importing union itself, if it holds members (a district
        importing for its grassroots unions names each row's union)."""
        code = text(self.table.cell(cells, "union_code")) if self.table.has("union_code") else ""
        job_org = self.job.org
        if not code:
            if job_org.kind in HOLDING_KINDS:
                return job_org
            errors.append(
                (
                    "union_code",
                    _("%(org)s does not hold member records: give the code of the member's union.")
                    % {"org": job_org.name},
                )
            )
            return None
        if self.holding is None:
            # Every union that may receive rows, read once: one query instead of one per union named.
            self.holding = {
                c: (pk, path)
                for c, pk, path in Org.objects.filter(
                    subtree_q(job_org.path), kind__in=HOLDING_KINDS, is_active=True
                ).values_list("code", "pk", "path")
            }
        if code not in self.unions:
            found = self.holding.get(code)
            self.unions[code] = Org(pk=found[0], path=found[1], code=code) if found else None
        org = self.unions[code]
        if org is None:
            errors.append(
                (
                    "union_code",
                    _("No union holding members has this code within %(org)s.") % {"org": job_org.name},
                )
            )
        return org

    def feed(self, row: int, cells: list[Any]) -> None:
        item, errors = _person_from(self.table, cells)
        org = self.target(cells, errors)
        if item is not None and org is not None:
            item.org = org
            key = int(item.person.id_number[:17])
            first = self.seen.setdefault(key, row)
            if first != row:
                errors = [
                    (
                        "id_number",
                        _("The same person is already on row %(row)d of this file.") % {"row": first},
                    )
                ]
        if errors or item is None or org is None:
            self.bad(row, errors)
        else:
            self.pending.append((row, item))

    def resolve(self) -> None:
        if not self.pending:
            return
        by_index = {id_index(item.person.id_number): (row, item) for row, item in self.pending}
        live = {
            index: (org_id, path, name)
            for index, org_id, path, name in Member.objects.filter(
                id_number_index__in=list(by_index), status__in=LIVE_STATUSES
            ).values_list("id_number_index", "org_id", "org__path", "org__name")
        }
        good: dict[Org, list[NewMember]] = {}
        for index, (row, item) in by_index.items():
            found = live.get(index)
            target = item.org or self.job.org
            if found is not None and found[0] != target.pk:
                _org_id, path, org_name = found
                if any(is_within(path, p) for p in self.scope):
                    reason = _("Already a member of %(org)s: start a transfer instead of importing.") % {
                        "org": org_name
                    }
                else:
                    reason = _(
                        "Already a member of another union: a transfer is needed instead of an import."
                    )
                self.bad(row, [("id_number", reason)])
                continue
            self.existing += found is not None
            good.setdefault(target, []).append(item)
        self.pending = []
        self.valid += sum(len(rows) for rows in good.values())
        if self.write and good:
            counts = bulk_add_members(
                org=self.job.org,
                rows=[item for rows in good.values() for item in rows],
                source=f"import:{self.job.pk}",
                actor=self.job.created_by,
                numbers=self.numbers,
                audit_data={"job": self.job.pk},
            )
            self.counts.add(counts)


@dataclass
class _DuesScan(_Scan):
    policies: PolicyCache = field(default_factory=PolicyCache)
    seen: dict[tuple[int, int], int] = field(default_factory=dict)  # (member, month) -> first row

    def feed(self, row: int, cells: list[Any]) -> None:
        t = self.table
        errors: Errors = []
        number = _clean(errors, "member_number", lambda: digits_cell(t.cell(cells, "member_number")))
        id_text = _clean(errors, "id_number", lambda: digits_cell(t.cell(cells, "id_number")))
        id_number = None
        if number:
            if not member_number_valid(number):
                errors.append(("member_number", _("This is not a valid member number; look for a typo.")))
        elif id_text:
            id_number = _clean(errors, "id_number", lambda: clean_id_number(id_text))
        elif number == "" and id_text == "":
            errors.append(
                (
                    "member_number" if t.has("member_number") else "id_number",
                    _("Give the member number or the ID number."),
                )
            )
        month = _clean(errors, "month", lambda: month_cell(t.cell(cells, "month")))
        today = timezone.localdate()
        if month is None and not any(k == "month" for k, _r in errors):
            errors.append(("month", _required()))
        elif month is not None and month > today.replace(day=1):
            errors.append(("month", _("This month has not begun yet.")))
        amount_key = "wage_base" if self.job.kind == ImportJob.Kind.WAGES else "amount"
        amount_text = text(t.cell(cells, amount_key))
        amount = None
        if amount_text:
            amount = _clean(errors, amount_key, lambda: parse_money(amount_text, field=amount_key))
        else:
            errors.append((amount_key, _required()))
        paid_on = None
        if self.job.kind == ImportJob.Kind.PAYMENTS:
            paid_on = _clean(errors, "paid_on", lambda: date_cell(t.cell(cells, "paid_on")))
            if paid_on is not None and paid_on > today:
                errors.append(("paid_on", _("The payment date is in the future.")))
        if errors:
            self.bad(row, errors)
            return
        self.pending.append(
            (row, number or None, id_number, month, amount, paid_on, text(t.cell(cells, "name")))
        )

    def resolve(self) -> None:
        if not self.pending:
            return
        within = Member.objects.filter(subtree_q(self.job.org.path, "org__path")).only(
            "pk", "org", "status", "name", "number", "id_number_index"
        )
        numbers = [p[1] for p in self.pending if p[1]]
        indexes = {p[2]: id_index(p[2]) for p in self.pending if p[2]}
        by_number = {m.number: m for m in within.filter(number__in=numbers)} if numbers else {}
        by_index: dict[str, Member] = {}
        if indexes:
            # A person may have several memberships over the years: the live one, else the latest.
            for m in within.filter(id_number_index__in=list(indexes.values())).order_by("pk"):
                current = by_index.get(m.id_number_index or "")
                if current is None or m.status in LIVE_STATUSES or current.status not in LIVE_STATUSES:
                    by_index[m.id_number_index or ""] = m
        good: list[DuesRow] = []
        for row, number, id_number, month, amount, paid_on, name in self.pending:
            member = by_number.get(number) if number else by_index.get(indexes[id_number])
            if member is None:
                key = "member_number" if number else "id_number"
                reason = (
                    _("No member with this number in this union.")
                    if number
                    else _("No member with this ID number in this union.")
                )
                self.bad(row, [(key, reason)])
                continue
            if name and name.replace(" ", "") != member.name.replace(" ", ""):
                self.bad(row, [("name", _("The name differs from the member's record; check the row."))])
                continue
            first = self.seen.setdefault((member.pk, month.toordinal()), row)
            if first != row:
                self.bad(
                    row, [("month", _("This member's month is already on row %(row)d.") % {"row": first})]
                )
                continue
            good.append(DuesRow(member=member, month=month, amount=amount, paid_on=paid_on))
        self.pending = []
        self.valid += len(good)
        if self.write and good:
            audit = {"job": self.job.pk}
            if self.job.kind == ImportJob.Kind.WAGES:
                counts = bulk_set_wages(
                    rows=good, actor=self.job.created_by, policies=self.policies, audit_data=audit
                )
            else:
                counts = bulk_record_payments(rows=good, actor=self.job.created_by, audit_data=audit)
            self.counts.add(counts)


def _scan(job: ImportJob, *, write: bool, problems: _Problems, numbers: Iterator[str] | None = None) -> _Scan:
    """Read the whole file once, row by row; rows are checked against the database and, when `write`, written
    one batch at a time."""
    table = read_table(media_path(job.stored_path), job.kind)
    scan: _Scan
    if job.kind == ImportJob.Kind.MEMBERS:
        scan = _MemberScan(job, table, problems, write, numbers=numbers)
    else:
        scan = _DuesScan(job, table, problems, write)
    _progress(job, 0, table.total_estimate)
    for row, cells in table.rows:
        scan.total += 1
        scan.feed(row, cells)
        if len(scan.pending) >= BATCH:
            scan.resolve()
        if scan.total % PROGRESS_EVERY == 0:
            _progress(job, scan.total, table.total_estimate)
    scan.resolve()
    problems.flush()
    return scan


def _fail(job: ImportJob, message: Any) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=str(message)[:2000], finished_at=timezone.now()
    )
    delete_stored(job.stored_path)


def _language() -> Any:
    return translation.override(settings.LANGUAGE_CODE)


# --- the two tasks -----------------------------------------------------------------------------------------


def import_check(*, job_id: int) -> dict[str, int]:
    """The dry run: every bad cell becomes a problem; nothing else is written. Idempotent (a second run
    starts the problem list again)."""
    job = ImportJob.objects.select_related("org", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return {"skipped": 1}
    with _language():
        ImportProblem.objects.filter(job=job).delete()
        try:
            scan = _scan(job, write=False, problems=_Problems(job))
        except ServiceError as exc:
            _fail(job, exc.message)
            return {"failed": 1}
        except Exception:
            _fail(job, _("The check stopped because of an internal error. Upload the file again."))
            raise
        notes = []
        if scan.problems.count > MAX_PROBLEMS:
            notes.append(_("Only the first %(n)d problems are listed.") % {"n": MAX_PROBLEMS})
        extra = scan.table.extra
        if extra:
            notes.append(_("Columns not imported: %(names)s.") % {"names": "、".join(extra)[:300]})
        if not scan.total:
            notes.append(_("The file has no data rows below its header."))
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.CHECKED,
            total_rows=scan.total,
            processed_rows=scan.total,
            valid_rows=scan.valid,
            error_rows=scan.errors,
            # The dry run's forecast; the commit replaces these with what it did.
            created_count=scan.valid - scan.existing if job.kind == ImportJob.Kind.MEMBERS else 0,
            updated_count=0,
            unchanged_count=scan.existing,
            message=" ".join(notes),
        )
    return {"rows": scan.total, "valid": scan.valid, "errors": scan.errors}


class _Abort(Exception):
    """Leaves the all-or-nothing transaction: something no longer holds, so nothing is written."""


class _NumberPool:
    """Member numbers reserved before a long all-or-nothing transaction (so the counter row is not locked
    for its whole length), topped up inside it if more people turn out to be new than the dry run counted."""

    def __init__(self, count: int) -> None:
        self.numbers = iter(member_numbers_reserve(count))

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        try:
            return next(self.numbers)
        except StopIteration:
            self.numbers = iter(member_numbers_reserve(BATCH))
            return next(self.numbers)


def import_commit(*, job_id: int) -> dict[str, int]:
    """Write a confirmed import. All or nothing: one transaction, undone if any row no longer passes. Valid
    rows only: one transaction and one audit record per batch; bad rows are left and listed again."""
    job = ImportJob.objects.select_related("org", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.COMMITTING:
        return {"skipped": 1}
    with _language():
        ImportProblem.objects.filter(job=job).delete()
        try:
            if job.mode == ImportJob.Mode.ALL_OR_NOTHING:
                problems = _Problems(job, store=False)
                numbers = _NumberPool(job.created_count) if job.kind == ImportJob.Kind.MEMBERS else None
                try:
                    with transaction.atomic():
                        scan = _scan(job, write=True, problems=problems, numbers=numbers)
                        if scan.errors or scan.counts.skipped:
                            raise _Abort
                except _Abort:
                    problems.store = True
                    problems.flush()
                    _fail(
                        job, _("Nothing was imported: some rows no longer pass the check (see the problems).")
                    )
                    ImportJob.objects.filter(pk=job.pk).update(error_rows=max(scan.errors, 1))
                    return {"failed": 1}
            else:
                scan = _scan(job, write=True, problems=_Problems(job))
        except ServiceError as exc:
            _fail(job, exc.message)
            return {"failed": 1}
        except Exception:
            # Valid-rows mode may have written some batches: importing the file again leaves those unchanged.
            _fail(
                job, _("The import stopped because of an internal error. Upload the file again to finish it.")
            )
            raise
        counts = scan.counts
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            total_rows=scan.total,
            processed_rows=scan.total,
            valid_rows=scan.valid - counts.skipped,
            error_rows=scan.errors + counts.skipped,
            created_count=counts.created,
            updated_count=counts.updated,
            unchanged_count=counts.unchanged,
            finished_at=timezone.now(),
        )
    # The uploaded file holds personal data in clear: once imported, it is not kept.
    delete_stored(job.stored_path)
    return counts.as_dict()


STALE_DAYS = 7


def import_files_sweep(*, now: Any = None) -> int:
    """Uploaded rosters hold personal data in clear. A file checked but never committed is not kept for ever:
    after STALE_DAYS its job is cancelled and the file deleted (the problem list stays). Run daily; idempotent."""
    from datetime import timedelta

    cutoff = (now or timezone.now()) - timedelta(days=STALE_DAYS)
    stale = list(
        ImportJob.objects.filter(
            created_at__lt=cutoff, status__in=[ImportJob.Status.CHECKED, ImportJob.Status.CHECKING]
        ).values_list("pk", "stored_path")
    )
    for pk, stored in stale:
        delete_stored(stored)
        ImportJob.objects.filter(pk=pk).update(
            status=ImportJob.Status.CANCELLED,
            message=_("Not committed within %(days)d days: the file was deleted.") % {"days": STALE_DAYS},
            finished_at=timezone.now(),
        )
    if stale:
        log_action(
            actor="system", action="gonghui.member.import_files_swept", data={"jobs": [p for p, _s in stale]}
        )
    return len(stale)


__all__ = ["import_check", "import_commit", "import_confirm", "import_files_sweep", "import_start"]
