"""Spreadsheet imports of members, wage bases (payroll files) and dues payments.

An import is two tasks on the worker, with a person's decision between them:

1. `import_start` checks and stores the upload and enqueues the dry run; `import_check` reads every row, reports
   every bad cell as an ImportProblem (spreadsheet row, column header, reason), and counts valid and bad rows.
2. `import_confirm` records the chosen mode (all or nothing, or the valid rows only) and enqueues
   `import_commit`, which writes in batches. A member import's dry run keeps the rows it prepared (parsed,
   validated, encrypted, blind-indexed) in a stage (members.staging), and the commit writes from it, checking
   again only what the database may have changed since the dry run: whether each person is now a member
   somewhere, and whether each union still takes members. Dues imports, and a member import whose stage was
   lost, read the file again and check every row again, writing through members.bulk.

Rows are streamed and written batch by batch, so memory stays bounded whatever the file's size: what is kept
for the whole file is one small integer per row, to find the same person twice in one file. Importing the
same file again creates nothing twice: people already members of the union are unchanged (or updated), a
month already recorded is overwritten with the same figures.
"""

from __future__ import annotations

import dataclasses
import datetime
import multiprocessing
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.audit import log_action
from gonghui.core.crypto import decrypt
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_division_code, clean_id_number, clean_mobile, clean_uscc
from gonghui.core.uploads import check_upload, delete_stored, media_path, safe_name, sha256_of, store_upload
from gonghui.orgs.models import Org
from gonghui.orgs.paths import is_within, subtree_q
from gonghui.orgs.selectors import scope_paths
from gonghui.orgs.services import require

from . import counters, staging
from .bulk import (
    UPDATABLE,
    BulkCounts,
    DuesRow,
    NewMember,
    PolicyCache,
    add_members,
    bulk_add_members,
    bulk_record_payments,
    bulk_set_wages,
    id_index,
    source_label,
)
from .models import (
    LIVE_STATUSES,
    EmploymentForm,
    ImportJob,
    ImportProblem,
    Member,
    MemberStatus,
    id_index_q,
)
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


def _person_from(table: Table, cells: list[Any], today: Any = None) -> tuple[NewMember | None, Errors]:
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
    if joined is not None and joined > (today or timezone.localdate()):
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


# One row's checked cells: (the item, or None when the row is bad or was prepared by a helper process; its
# problems; its union code; the ID number's blind index; the staged values; the ID number's first 17 digits).
_Prepared = tuple[NewMember | None, Errors, str, str | None, tuple[Any, ...] | None, int | None]


def _prepare_row(table: Table, cells: list[Any], today: Any, stage: bool) -> _Prepared:
    """Everything about one member row that needs no database: its cells checked and, when the dry run stages
    rows, its values prepared (encrypted, blind-indexed). Pure, so helper processes can do it."""
    item, errors = _person_from(table, cells, today)
    errors = [(key, str(reason)) for key, reason in errors]
    code = text(table.cell(cells, "union_code")) if table.has("union_code") else ""
    index = payload = key = None
    if item is not None:
        key = int(item.person.id_number[:17])
        if stage:
            index = id_index(item.person.id_number)
            payload = staging.prepare(item, index)
    return item, errors, code, index, payload, key


PARALLEL_MIN_ROWS = 20_000  # smaller files are checked in the worker's own process
PARALLEL_CHUNK = 1000  # rows per piece of work sent to a helper process
_HELPER_STATE: tuple[Table, Any] | None = None  # what helper processes inherit when they are forked


def _prepare_chunk(chunk: list[tuple[int, list[Any]]]) -> list[tuple[int, _Prepared]]:
    assert _HELPER_STATE is not None
    table, today = _HELPER_STATE
    # The staged values are all the dry run needs of a row: the row object is not sent back (pickling it
    # would cost about as much as preparing it).
    return [(row, (None, *_prepare_row(table, cells, today, True)[1:])) for row, cells in chunk]


def _prepared_rows(table: Table, today: Any) -> Iterator[tuple[int, _Prepared]]:
    """The dry run's rows prepared by helper processes, one per core, in file order.

    Checking and encrypting a row costs about 150 µs of Python; a task worker is one process, so a large file
    is spread over forked helpers (they inherit the table's layout and the active language, and never use
    the database connection). At most two pieces per helper are in flight, so memory stays bounded."""
    global _HELPER_STATE
    processes = min(os.cpu_count() or 1, 4)
    if processes < 2 or table.total_estimate < PARALLEL_MIN_ROWS:
        for row, cells in table.rows:
            yield row, _prepare_row(table, cells, today, True)
        return
    _HELPER_STATE = (dataclasses.replace(table, rows=iter(())), today)
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            window: deque[Future[list[tuple[int, _Prepared]]]] = deque()
            chunk: list[tuple[int, list[Any]]] = []
            for row, cells in table.rows:
                chunk.append((row, cells))
                if len(chunk) >= PARALLEL_CHUNK:
                    window.append(pool.submit(_prepare_chunk, chunk))
                    chunk = []
                    if len(window) >= 2 * processes:
                        yield from window.popleft().result()
            if chunk:
                window.append(pool.submit(_prepare_chunk, chunk))
            while window:
                yield from window.popleft().result()
    finally:
        _HELPER_STATE = None


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
    # The dry run keeps the rows it prepared for the commit (members.staging).
    stage: staging.Writer | None = None

    def __post_init__(self) -> None:
        self.scope = scope_paths(self.job.created_by, "member.view")
        self.today = timezone.localdate()  # once per file, not once per row

    def target(self, code: str, errors: Errors) -> Org | None:
        """The union a row goes into: the one named by its union code, which must hold members and lie within
        the importing union; without a code, the importing union itself, if it holds members (a district
        importing for its grassroots unions names each row's union)."""
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
        self.take(row, _prepare_row(self.table, cells, self.today, self.stage is not None))

    def take(self, row: int, prepared: _Prepared) -> None:
        """A row whose cells _prepare_row has checked (here or in a helper process): its union, and whether
        the file named the same person before."""
        item, errors, code, index, payload, key = prepared
        org = self.target(code, errors)
        if key is not None and org is not None:
            if item is not None:
                item.org = org
            first = self.seen.setdefault(key, row)
            if first != row:
                errors = [
                    (
                        "id_number",
                        _("The same person is already on row %(row)d of this file.") % {"row": first},
                    )
                ]
        if errors or key is None or org is None:
            self.bad(row, errors)
        else:
            self.pending.append((row, item, index, payload, org))

    def resolve(self) -> None:
        if not self.pending:
            return
        # The blind index computed with the row's other prepared values, reused for this lookup and the stage.
        by_index = {
            index or id_index(item.person.id_number): (row, item, payload, org)
            for row, item, index, payload, org in self.pending
        }
        live = {
            index: (org_id, path, name)
            for index, org_id, path, name in Member.objects.filter(
                id_number_index__any=list(by_index), status__in=LIVE_STATUSES
            ).values_list("id_number_index", "org_id", "org__path", "org__name")
        }
        good: dict[Org, list[NewMember]] = {}
        for index, (row, item, payload, target) in by_index.items():
            found = live.get(index)
            if self.stage is not None and payload is not None:
                # Staged even when the person is a member elsewhere now: the commit looks again.
                self.stage.add(row=row, org_id=target.pk, payload=payload)
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
            self.valid += 1
            if item is not None:  # (None: prepared by a helper for the stage, never written from here)
                good.setdefault(target, []).append(item)
        self.pending = []
        if self.stage is not None:
            self.stage.flush()
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
            for m in within.filter(id_index_q(list(indexes.values()))).order_by("pk"):
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


def _scan(
    job: ImportJob,
    *,
    write: bool,
    problems: _Problems,
    numbers: Iterator[str] | None = None,
    stage: staging.Writer | None = None,
) -> _Scan:
    """Read the whole file once, row by row; rows are checked against the database and, when `write`, written
    one batch at a time (or, with `stage`, kept for the commit)."""
    table = read_table(media_path(job.stored_path), job.kind)
    scan: _Scan
    if job.kind == ImportJob.Kind.MEMBERS:
        scan = _MemberScan(job, table, problems, write, numbers=numbers, stage=stage)
    else:
        scan = _DuesScan(job, table, problems, write)
    _progress(job, 0, table.total_estimate)
    if isinstance(scan, _MemberScan) and stage is not None:
        for row, prepared in _prepared_rows(table, scan.today):
            scan.total += 1
            scan.take(row, prepared)
            if len(scan.pending) >= BATCH:
                scan.resolve()
            if scan.total % PROGRESS_EVERY == 0:
                _progress(job, scan.total, table.total_estimate)
    for row, cells in table.rows:  # (what is left: nothing, after a member import's dry run)
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
    _drop_stage(job.pk)


def _drop_stage(job_id: int) -> None:
    staging.drop(job_id)


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
        stage = None
        if job.kind == ImportJob.Kind.MEMBERS:
            staging.create(job.pk)
            stage = staging.Writer(job.pk)
        try:
            scan = _scan(job, write=False, problems=_Problems(job), stage=stage)
            if stage is not None:
                stage.finish(headers=scan.table.headers)
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


class _Serials:
    """Member serials reserved before a long all-or-nothing transaction (so the counter row is not locked for
    its whole length), handed out in consecutive runs; topped up inside it if more people turn out to be new
    than the dry run counted."""

    def __init__(self, count: int) -> None:
        self.next, self.end = 1, 1
        if count > 0:
            self.next = staging.reserve_serials(count)
            self.end = self.next + count

    def take(self, count: int) -> int:
        if self.end - self.next < count:
            self.next = staging.reserve_serials(max(count, BATCH))
            self.end = self.next + max(count, BATCH)
        first = self.next
        self.next += count
        return first


@dataclass
class _StagedCommit:
    """The commit of a member import from its stage (members.staging): batch by batch, only what the database
    may have changed since the dry run is checked again (is the union still there and taking members, is the
    person now a member somewhere); the rows themselves are not read or checked again."""

    job: ImportJob
    staged: int
    headers: dict[str, str]
    problems: _Problems
    all_or_nothing: bool
    serials: _Serials | None = None
    counts: BulkCounts = field(default_factory=BulkCounts)
    bad: int = 0
    first_serial: int = 0  # set when the batches are written in parallel

    def __post_init__(self) -> None:
        job = self.job
        self.scope = scope_paths(job.created_by, "member.view")
        # The unions the rows go into that still hold members within the importing union (moved, closed or
        # merged away since the dry run: the row is reported).
        self.unions = dict(
            Org.objects.filter(
                subtree_q(job.org.path),
                kind__in=HOLDING_KINDS,
                is_active=True,
                pk__in=staging.staged_org_ids(job.pk),
            ).values_list("pk", "path")
        )
        self.source = f"import:{job.pk}"
        self.note = source_label(self.source)
        self.actor = job.created_by

    def report(self, row: int, key: str, reason: Any) -> None:
        self.bad += 1
        self.problems.add(row, self.headers.get(key, key), reason)

    def run(self) -> None:
        job = self.job
        ranges = [(lo, min(lo + BATCH - 1, self.staged)) for lo in range(1, self.staged + 1, BATCH)]
        n = self._connections(len(ranges))
        if n > 1:
            self._run_parallel(ranges, n)
            return
        for lo, hi in ranges:
            self.absorb(*self.batch(lo, hi))
            _progress(job, round(job.total_rows * hi / self.staged), job.total_rows)

    def _connections(self, batches: int) -> int:
        """Valid-rows batches of a large import on PostgreSQL are written on several connections at once: the
        commit is the database server's work, one connection keeps one core busy (bench/RESULTS.md). An
        all-or-nothing import is one transaction, so one connection; SQLite writes one transaction at a time.
        Inside a caller's transaction other connections would not see what it holds, so one connection too."""
        if (
            self.all_or_nothing
            or connection.vendor != "postgresql"
            or batches < 4
            or connection.in_atomic_block
        ):
            return 1
        return max(1, min(settings.GONGHUI_IMPORT_CONNECTIONS, batches))

    def _run_parallel(self, ranges: list[tuple[int, int]], n: int) -> None:
        """Each thread writes every n-th batch on its own connection (closed when it is done). Serials for every
        staged row are reserved first, so a batch numbers its rows from its own slice and no batch waits on
        another's lock of the counter (rows left out leave gaps, as a retried batch would anyway). What each
        batch found is taken in file order once all are written."""
        job = self.job
        self.first_serial = staging.reserve_serials(self.staged)
        language = translation.get_language()
        results: dict[int, tuple[list[tuple[int, str, Any]], BulkCounts]] = {}
        failures: list[BaseException] = []
        lock = threading.Lock()
        written = 0

        def worker(mine: list[tuple[int, int]]) -> None:
            nonlocal written
            try:
                with translation.override(language):
                    for lo, hi in mine:
                        if failures:
                            return
                        result = self.batch(lo, hi)
                        with lock:
                            results[lo] = result
                            written += hi - lo + 1
                            done = written
                        _progress(job, round(job.total_rows * done / self.staged), job.total_rows)
            except BaseException as exc:  # re-raised in the calling thread below
                failures.append(exc)
            finally:
                connections.close_all()  # this thread's connection only

        threads = [threading.Thread(target=worker, args=(ranges[i::n],)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        for lo, _hi in ranges:
            self.absorb(*results[lo])

    def absorb(self, found: list[tuple[int, str, Any]], counts: BulkCounts) -> None:
        for row, key, reason in found:
            self.report(row, key, reason)
        self.bad += counts.skipped
        self.counts.add(counts)

    def batch(self, lo: int, hi: int) -> tuple[list[tuple[int, str, Any]], BulkCounts]:
        writing = not (self.all_or_nothing and self.bad)
        for attempt in (1, 2, 3):
            try:
                with transaction.atomic():
                    if not self.all_or_nothing:
                        _no_flush_wait()
                    return self.write(lo, hi, writing)
            except IntegrityError:
                # Someone became a member between our look and our insert: look again, once.
                if attempt >= 2:
                    raise ServiceError(
                        "import_conflict",
                        gettext_lazy(
                            "Other changes to these members happened at the same time; run the import again."
                        ),
                        status=409,
                    ) from None
            except OperationalError as exc:
                # Two batches updating the same counters may deadlock; PostgreSQL undoes one, which is
                # written again.
                if getattr(exc.__cause__, "sqlstate", "") != "40P01" or attempt == 3:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def write(self, lo: int, hi: int, writing: bool) -> tuple[list[tuple[int, str, Any]], BulkCounts]:
        job = self.job
        found: list[tuple[int, str, Any]] = []
        existing: list[int] = []
        exclude: list[int] = []
        for seq, row, org_id, live_org, live_path, live_name in staging.classify(job.pk, lo, hi):
            if org_id not in self.unions:
                found.append(
                    (
                        row,
                        "union_code",
                        _("No union holding members has this code within %(org)s.") % {"org": job.org.name},
                    )
                )
            elif live_org is None:
                continue
            elif live_org != org_id:
                if any(is_within(live_path or "", p) for p in self.scope):
                    reason = _("Already a member of %(org)s: start a transfer instead of importing.") % {
                        "org": live_name
                    }
                else:
                    reason = _(
                        "Already a member of another union: a transfer is needed instead of an import."
                    )
                found.append((row, "id_number", reason))
            else:
                existing.append(seq)
            exclude.append(seq)
        counts = BulkCounts()
        if not writing:
            return found, counts
        if existing:
            # People already members of the union: unchanged, or updated from the details the row gave.
            counts.add(
                add_members(
                    org=job.org,
                    items=dict(self.people(existing)),
                    joined_on=None,
                    source=self.source,
                    actor=self.actor,
                    numbers=None,
                )
            )
        new = hi - lo + 1 - len(exclude)
        if new:
            if self.serials:
                first = self.serials.take(new)
            elif self.first_serial:
                first = self.first_serial + lo - 1  # this batch's slice of the serials reserved up front
            else:
                first = staging.reserve_serials(new)
            groups = staging.insert_new(
                job_id=job.pk,
                lo=lo,
                hi=hi,
                exclude=exclude,
                first_serial=first,
                source=self.source,
                actor_id=getattr(self.actor, "pk", None),
                note=self.note,
                today=timezone.localdate(),
                now=timezone.now(),
            )
            deltas: Counter[tuple[str, str, str]] = Counter()
            for org_id, form, month, n in groups:
                for dim, key in counters.member_keys(MemberStatus.ACTIVE, form, month):
                    deltas[(self.unions[org_id], dim, key)] += n
                counts.created += n
            counters.apply(dict(deltas))
        log_action(
            actor=self.actor,
            action="gonghui.member.imported",
            obj=job.org,
            data={**counts.as_dict(), "source": self.source, "job": job.pk},
        )
        return found, counts

    def people(self, seqs: list[int]) -> Iterator[tuple[str, NewMember]]:
        """Staged rows back as the bulk path's items (decrypted here, for these few rows only)."""
        id_purpose = Member._meta.get_field("id_number").purpose  # type: ignore[attr-defined]
        mobile_purpose = Member._meta.get_field("mobile").purpose  # type: ignore[attr-defined]
        for d in staging.read(self.job.pk, seqs):
            person = Person(
                name=d["name"],
                id_number=decrypt(d["id_number"], purpose=id_purpose),
                mobile=decrypt(d["mobile"], purpose=mobile_purpose) if d["mobile"] else "",
                employer_name=d["employer_name"],
                employer_uscc=d["employer_uscc"],
                employment_form=d["employment_form"],
                work_division_code=d["work_division_code"],
                work_place=d["work_place"],
            )
            joined = d["joined_on"]
            if isinstance(joined, str):
                joined = datetime.date.fromisoformat(joined)
            given = frozenset(d["given"].split(",")) if d["given"] else frozenset()
            org = Org(pk=d["org_id"], path=self.unions[d["org_id"]])
            yield d["id_number_index"], NewMember(person, joined_on=joined, given=given, org=org)


def _no_flush_wait() -> None:
    """On PostgreSQL, commit this batch without waiting for its write-ahead log to reach the disk. A crash may
    then lose the last batches committed, never half of one, and the job is still "importing", so the task's
    retry writes them again; the job's final status is committed normally, which flushes everything before."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _commit_staged(job: ImportJob, staged: int, headers: dict[str, str]) -> tuple[BulkCounts, int] | None:
    """(what was written, rows that no longer pass), or None when an all-or-nothing import was undone."""
    all_or_nothing = job.mode == ImportJob.Mode.ALL_OR_NOTHING
    staging.forget_problems(job.pk, ImportProblem._meta.db_table)
    problems = _Problems(job, store=not all_or_nothing)
    if not all_or_nothing:
        commit = _StagedCommit(job, staged, headers, problems, False)
        commit.run()
        problems.flush()
        return commit.counts, commit.bad
    commit = _StagedCommit(job, staged, headers, problems, True, serials=_Serials(job.created_count))
    try:
        with transaction.atomic():
            commit.run()
            if commit.bad:
                raise _Abort
    except _Abort:
        problems.store = True
        problems.flush()
        _fail(job, _("Nothing was imported: some rows no longer pass the check (see the problems)."))
        ImportJob.objects.filter(pk=job.pk).update(error_rows=job.total_rows - staged + commit.bad)
        return None
    return commit.counts, commit.bad


def import_commit(*, job_id: int) -> dict[str, int]:
    """Write a confirmed import. All or nothing: one transaction, undone if any row no longer passes. Valid
    rows only: one transaction and one audit record per batch; bad rows are left and listed again.

    A member import whose dry run left its stage (members.staging) is written from it; otherwise (dues
    imports, a stage lost) the file is read and every row checked again."""
    job = ImportJob.objects.select_related("org", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.COMMITTING:
        return {"skipped": 1}
    stage = staging.header(job.pk) if job.kind == ImportJob.Kind.MEMBERS else None
    with _language():
        try:
            if stage is not None:
                staged, headers = stage
                done = _commit_staged(job, staged, headers)
                if done is None:
                    return {"failed": 1}
                counts, bad = done
                total, valid, errors = job.total_rows, staged - bad, job.total_rows - staged + bad
            else:
                ImportProblem.objects.filter(job=job).delete()
                scan = _scan_again(job)
                if scan is None:
                    return {"failed": 1}
                counts = scan.counts
                total, valid = scan.total, scan.valid - counts.skipped
                errors = scan.errors + counts.skipped
        except ServiceError as exc:
            _fail(job, exc.message)
            return {"failed": 1}
        except Exception:
            # Valid-rows mode may have written some batches: importing the file again leaves those unchanged.
            _fail(
                job, _("The import stopped because of an internal error. Upload the file again to finish it.")
            )
            raise
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            total_rows=total,
            processed_rows=total,
            valid_rows=valid,
            error_rows=errors,
            created_count=counts.created,
            updated_count=counts.updated,
            unchanged_count=counts.unchanged,
            finished_at=timezone.now(),
        )
    # The uploaded file holds personal data in clear: once imported, it is not kept; nor is the stage.
    delete_stored(job.stored_path)
    _drop_stage(job.pk)
    return counts.as_dict()


def _scan_again(job: ImportJob) -> _Scan | None:
    """The commit without a stage: read the file and check every row again, writing batch by batch."""
    if job.mode != ImportJob.Mode.ALL_OR_NOTHING:
        return _scan(job, write=True, problems=_Problems(job))
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
        _fail(job, _("Nothing was imported: some rows no longer pass the check (see the problems)."))
        ImportJob.objects.filter(pk=job.pk).update(error_rows=max(scan.errors, 1))
        return None
    return scan


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
        _drop_stage(pk)
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
