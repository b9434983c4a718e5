"""The rows a member import's dry run prepared, kept for its commit so that no row is parsed or checked twice.

The dry run (imports.import_check) writes every row that passed the checks of its cells, the duplicate check
within the file and the union check into a table of its own, `members_importstage_<job id>`: ready to insert,
with the ID and mobile numbers already encrypted and their blind indexes computed (the ID number's index is
the one the duplicate lookup computed). Nothing in it is in clear that the member table does not hold in clear.
It is UNLOGGED on PostgreSQL (no write-ahead log for data that can be made again from the upload); a crash
empties such a table, and so does losing it any other way: the row `seq = 0` records how many rows the dry
run staged, and without it the commit reads and checks the file again as it did before this table existed.

The commit (imports.import_commit) then works batch by batch in SQL: one query finds, for each staged row,
whether its union still takes members and whether the person is now a live member somewhere (what may have
changed since the dry run); rows that are still new are copied into the member table by one INSERT ... SELECT,
member numbers and all, with their "imported" events and the counters. Only people who are already members
come back to Python (members.bulk's rules for unchanged, updated and skipped). The table is dropped when the
job ends, fails or is swept.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, connection, transaction

from gonghui.core.crypto import encrypt

from .models import LIVE_STATUSES, Member, MemberEvent, MemberStatus, Sequence
from .rules import NUMBER_BODY

PREFIX = "members_importstage_"

# Column, SQL type (the same names as the member table's where the value is copied as it is).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", "integer PRIMARY KEY"),  # 1, 2, ... in file order; 0 is the header row (see `finish`)
    ("row", "integer NOT NULL"),  # the spreadsheet row, for problems
    ("org_id", "integer NOT NULL"),
    ("joined_on", "date"),  # NULL: the day of the commit
    ("given", "text"),  # the UPDATABLE fields the row gave, comma-separated
    ("user_mobile_index", "varchar(64)"),  # the portal account's blind index of the same mobile number
    ("name", "text"),
    ("name_pinyin", "text"),
    ("name_initials", "text"),
    ("id_number", "text"),  # encrypted
    ("id_number_index", "varchar(64)"),
    ("id_last4", "text"),
    ("birth_date", "date"),
    ("sex", "text"),
    ("mobile", "text"),  # encrypted
    ("mobile_index", "varchar(64)"),
    ("employer_name", "text"),
    ("employer_uscc", "text"),
    ("employment_form", "text"),
    ("work_division_code", "text"),
    ("work_place", "text"),
    ("meta", "text"),  # JSON, on the header row only
)
NAMES = tuple(name for name, _type in COLUMNS)
# Copied into members_member as they are.
PERSON = (
    "name",
    "name_pinyin",
    "name_initials",
    "id_number",
    "id_number_index",
    "id_last4",
    "birth_date",
    "sex",
    "mobile",
    "mobile_index",
    "employer_name",
    "employer_uscc",
    "employment_form",
    "work_division_code",
    "work_place",
)


def table(job_id: int) -> str:
    return f"{PREFIX}{int(job_id)}"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def drop(job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table(job_id)}")


def create(job_id: int) -> None:
    """A new, empty stage for the job (a second dry run starts again)."""
    drop(job_id)
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    unlogged = "UNLOGGED " if _postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE {unlogged}TABLE {table(job_id)} ({columns})")


@functools.cache
def _fields() -> tuple[str, str, Any, Any]:
    from gonghui.accounts.models import User

    id_field, mobile_field = Member._meta.get_field("id_number"), Member._meta.get_field("mobile")
    return (
        id_field.purpose,  # type: ignore[attr-defined]
        mobile_field.purpose,  # type: ignore[attr-defined]
        mobile_field.index,  # type: ignore[attr-defined]
        User._meta.get_field("mobile").index,  # type: ignore[attr-defined]
    )


def prepare(item: Any, id_index: str) -> tuple[Any, ...]:
    """The staged values of one checked row (a members.bulk.NewMember) after seq, row and org_id; `id_index`
    is its ID number's blind index, computed once by the caller. Pure (no database): helper processes run it."""
    id_purpose, mobile_purpose, mobile_index, user_mobile_index = _fields()
    person = item.person
    f = person.fields()
    mobile = person.mobile
    return (
        item.joined_on,
        ",".join(sorted(item.given)) if item.given is not None else None,
        user_mobile_index(mobile) if mobile else None,
        f["name"],
        f["name_pinyin"],
        f["name_initials"],
        encrypt(person.id_number, purpose=id_purpose),
        id_index,
        f["id_last4"],
        f["birth_date"],
        f["sex"],
        encrypt(mobile, purpose=mobile_purpose) if mobile else "",
        mobile_index(mobile) if mobile else None,
        f["employer_name"],
        f["employer_uscc"],
        f["employment_form"],
        f["work_division_code"],
        f["work_place"],
        None,
    )


class Writer:
    """Staged rows, written one batch at a time (COPY on PostgreSQL)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.seq = 0
        self.buffer: list[tuple[Any, ...]] = []

    def add(self, *, row: int, org_id: int, payload: tuple[Any, ...]) -> None:
        """One checked row: its spreadsheet row, its union and what `prepare` made of it."""
        self.seq += 1
        self.buffer.append((self.seq, row, org_id, *payload))

    def flush(self) -> None:
        if self.buffer:
            _write(self.job_id, self.buffer)
            self.buffer = []

    def finish(self, *, headers: dict[str, str]) -> None:
        """Write what is left and the header row, which marks the stage complete."""
        self.flush()
        meta = json.dumps({"headers": headers}, ensure_ascii=False)
        blank: list[Any] = [None] * len(COLUMNS)
        blank[0], blank[1], blank[2], blank[-1] = 0, self.seq, 0, meta
        _write(self.job_id, [tuple(blank)])
        if _postgres():
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table(self.job_id)}")


def _write(job_id: int, rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if _postgres():
            with cursor.cursor.copy(f"COPY {table(job_id)} ({', '.join(NAMES)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(NAMES))
            cursor.executemany(
                f"INSERT INTO {table(job_id)} ({', '.join(NAMES)}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def header(job_id: int) -> tuple[int, dict[str, str]] | None:
    """(rows staged, the file's column headers), or None when the stage is missing or incomplete."""
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute(f"SELECT row, meta FROM {table(job_id)} WHERE seq = 0")  # noqa: S608
                found = cursor.fetchone()
        except DatabaseError:  # no such table
            return None
    if found is None:
        return None
    return int(found[0]), json.loads(found[1])["headers"]


def staged_org_ids(job_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT org_id FROM {table(job_id)} WHERE seq > 0")  # noqa: S608
        return [r[0] for r in cursor.fetchall()]


def forget_problems(job_id: int, problem_table: str) -> None:
    """The dry run's problems of staged rows depended on the database (who was a member where): the commit
    finds them again. Problems of bad cells stay as the dry run recorded them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {problem_table} WHERE job_id = %s AND row IN "  # noqa: S608
            f"(SELECT row FROM {table(job_id)} WHERE seq > 0)",
            [job_id],
        )


_LIVE = ", ".join(f"'{s}'" for s in sorted(LIVE_STATUSES))


def classify(job_id: int, lo: int, hi: int) -> list[tuple[int, int, int, int | None, str | None, str | None]]:
    """(seq, row, org_id, live member's org id, that org's path and name) of each staged row in [lo, hi]."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.seq, s.row, s.org_id, m.org_id, o.path, o.name FROM {table(job_id)} s "  # noqa: S608
            f"LEFT JOIN {Member._meta.db_table} m ON m.id_number_index = s.id_number_index "
            f"AND m.status IN ({_LIVE}) "
            "LEFT JOIN orgs_org o ON o.id = m.org_id "
            "WHERE s.seq >= %s AND s.seq <= %s ORDER BY s.seq",
            [lo, hi],
        )
        return cursor.fetchall()


def read(job_id: int, seqs: list[int]) -> Iterator[dict[str, Any]]:
    """Whole staged rows (still encrypted), for the few that need Python: people already members."""
    with connection.cursor() as cursor:
        for start in range(0, len(seqs), 2000):
            part = seqs[start : start + 2000]
            cursor.execute(
                f"SELECT {', '.join(NAMES)} FROM {table(job_id)} "  # noqa: S608
                f"WHERE seq IN ({', '.join(['%s'] * len(part))}) ORDER BY seq",
                part,
            )
            for values in cursor.fetchall():
                yield dict(zip(NAMES, values, strict=True))


def reserve_serials(count: int) -> int:
    """The first of `count` consecutive member serials, from the counter of services.member_numbers_reserve
    (the same row, locked the same way; the numbers are made from the serials in SQL by `_number_sql`)."""
    with transaction.atomic():
        Sequence.objects.get_or_create(name="member_number")
        seq = Sequence.objects.select_for_update().get(name="member_number")
        start = seq.value + 1
        seq.value += count
        seq.save(update_fields=["value"])
    return int(start)


def _number_sql(serial: str) -> str:
    """rules.member_number in SQL: the serial zero-padded to 11 digits and its ISO 7064 MOD 11-2 check
    character. The checksum is the sum of each digit times 2^k mod 11 (k counted from the right); the check
    is (1 - 2 * checksum) mod 11, written (1 + 9 * checksum) mod 11 to stay positive; 10 is X. (%% is the
    modulo operator once the database driver has put the parameters in.)"""
    terms = " + ".join(f"(({serial} / {10**k}) %% 10) * {pow(2, k, 11)}" for k in range(NUMBER_BODY))
    check = f"((1 + 9 * (({terms}) %% 11)) %% 11)"
    if _postgres():
        body = f"lpad(CAST({serial} AS text), {NUMBER_BODY}, '0')"
    else:
        body = f"substr('{'0' * NUMBER_BODY}' || {serial}, -{NUMBER_BODY})"
    return f"{body} || CASE WHEN {check} = 10 THEN 'X' ELSE CAST({check} AS text) END"


_MEMBER_COLUMNS = (
    "org_id",
    "user_id",
    "number",
    "status",
    "retained_reason",
    "joined_on",
    "last_participated_on",
    "source",
    "created_at",
    "updated_at",
    *PERSON,
)


def insert_new(
    *,
    job_id: int,
    lo: int,
    hi: int,
    exclude: list[int],
    first_serial: int,
    source: str,
    actor_id: int | None,
    note: str,
    today: Any,
    now: Any,
) -> list[tuple[int, str, Any, int]]:
    """Copy the staged rows in [lo, hi], except `exclude`, into new active memberships numbered from
    `first_serial` in file order, each with its "imported" event; returns (org id, employment form, month
    joined, count) of what was inserted, for the counters."""
    from gonghui.accounts.models import User

    ops = connection.ops
    member, event, user = Member._meta.db_table, MemberEvent._meta.db_table, User._meta.db_table
    day, at = ops.adapt_datefield_value(today), ops.adapt_datetimefield_value(now)
    where = "seq >= %s AND seq <= %s"
    params: list[Any] = [lo, hi]
    if exclude:
        where += f" AND seq NOT IN ({', '.join(['%s'] * len(exclude))})"
        params += exclude
    # Every name comes from the models and every value is a parameter, except the integer serial.
    select = (
        f"SELECT s.org_id, u.id, "  # noqa: S608
        f"{_number_sql(f'({int(first_serial) - 1} + s.rn)')}, '{MemberStatus.ACTIVE}', '', "
        f"COALESCE(s.joined_on, %s), %s, %s, %s, %s, {', '.join('s.' + c for c in PERSON)} "
        f"FROM (SELECT *, row_number() OVER (ORDER BY seq) AS rn FROM {table(job_id)} WHERE {where}) s "
        # The portal account with the same mobile number, if any (its index is unique).
        f"LEFT JOIN {user} u ON u.mobile_index = s.user_mobile_index"
    )
    params = [day, day, source[:40], at, at, *params]
    insert = f"INSERT INTO {member} ({', '.join(_MEMBER_COLUMNS)}) {select}"
    event_columns = "member_id, kind, at, actor_id, org_id, other_org_id, from_status, to_status, note"
    event_values = [MemberEvent.Kind.IMPORTED, at, actor_id, MemberStatus.ACTIVE, note]
    with connection.cursor() as cursor:
        if _postgres():
            # One statement: the members, their events (from the ids RETURNING gives) and the counts.
            cursor.execute(
                f"WITH ins AS ({insert} RETURNING id, org_id, employment_form, joined_on), "  # noqa: S608
                f"ev AS (INSERT INTO {event} ({event_columns}) "
                "SELECT id, %s, %s, %s, org_id, NULL, '', %s, %s FROM ins) "
                "SELECT org_id, employment_form, CAST(date_trunc('month', joined_on) AS date), count(*) "
                "FROM ins GROUP BY 1, 2, 3",
                [*params, *event_values],
            )
            return [(o, f, m, int(n)) for o, f, m, n in cursor.fetchall()]
        cursor.execute(f"{insert} RETURNING id, org_id, employment_form, joined_on", params)
        inserted = cursor.fetchall()
        kind, at_value, actor, status, text = event_values
        cursor.executemany(
            f"INSERT INTO {event} ({event_columns}) VALUES (%s, %s, %s, %s, %s, NULL, '', %s, %s)",  # noqa: S608
            [(pk, kind, at_value, actor, org_id, status, text) for pk, org_id, _f, _j in inserted],
        )
    groups: dict[tuple[int, str, str], int] = {}
    for _pk, org_id, form, joined in inserted:
        key = (org_id, form, str(joined)[:7])
        groups[key] = groups.get(key, 0) + 1
    return [(o, f, datetime.date.fromisoformat(f"{m}-01"), n) for (o, f, m), n in groups.items()]
