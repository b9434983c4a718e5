"""The membership roll-up counters: members by status, by employment form and by month joined, for every
union's whole subtree, plus `OrgRollup.members` (live memberships). Services call these in the same
transaction as the change; `expected`/`find_drift`/`repair` recompute them for `gonghui reconcile`.

Status and month joined count every membership row (history included); employment form and
`OrgRollup.members` count live memberships only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gonghui.orgs.models import Org, OrgRollup
from gonghui.orgs.paths import ids_from_path

from .models import LIVE_STATUSES, Member, MemberRollup

Key = tuple[str, str]  # (dimension, key)
LIVE = "live"  # the pseudo-dimension that maps to OrgRollup.members


def member_keys(status: str, form: str, joined_on: Any) -> list[Key]:
    keys: list[Key] = [("status", status), ("joined", f"{joined_on:%Y-%m}")]
    if status in LIVE_STATUSES:
        keys += [("form", form), (LIVE, "")]
    return keys


def apply(deltas: dict[tuple[str, str, str], int]) -> None:
    """Add `deltas[(org_path, dimension, key)]` to the org's counters and all its ancestors'. One UPDATE per
    distinct (dimension, key, delta), whatever the number of orgs: a whole import batch is a few statements."""
    by_ancestor: Counter[tuple[int, str, str]] = Counter()
    for (path, dim, key), delta in deltas.items():
        if delta:
            for org_id in ids_from_path(path):
                by_ancestor[(org_id, dim, key)] += delta
    if not by_ancestor:
        return
    # In a fixed order, so two imports' batches written at once lock the counter rows in the same order.
    changes = sorted((org_id, dim, key, d) for (org_id, dim, key), d in by_ancestor.items() if d)
    counts = [c for c in changes if c[1] != LIVE]
    live = [(o, d) for o, dim, _k, d in changes if dim == LIVE]
    table, rollups = MemberRollup._meta.db_table, OrgRollup._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL takes each column as one array parameter: a statement of four parameters whatever the
            # batch (psycopg spent more time splitting a VALUES list of thousands of placeholders than the
            # server spent on the upsert).
            if counts:
                cursor.execute(
                    f"INSERT INTO {table} (org_id, dimension, key, count) "  # noqa: S608
                    "SELECT * FROM unnest(%s::integer[], %s::text[], %s::text[], %s::bigint[]) "
                    f"ON CONFLICT (org_id, dimension, key) DO UPDATE SET count = {table}.count + excluded.count",
                    [list(column) for column in zip(*counts, strict=True)],
                )
            if live:
                cursor.execute(
                    f"UPDATE {rollups} SET members = {rollups}.members + v.d, updated_at = %s "  # noqa: S608
                    "FROM unnest(%s::integer[], %s::bigint[]) AS v(org_id, d) "
                    f"WHERE {rollups}.org_id = v.org_id",
                    [timezone.now(), *[list(column) for column in zip(*live, strict=True)]],
                )
            return
        # One upsert per 2,000 counters (INSERT ... ON CONFLICT DO UPDATE, the same SQL on SQLite 3.24+ and
        # PostgreSQL): a batch of thousands of members over thousands of unions is a handful of statements.
        for start in range(0, len(counts), 2000):
            part = counts[start : start + 2000]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(part))
            cursor.execute(  # the table name comes from the model, every value is a parameter
                f"INSERT INTO {table} (org_id, dimension, key, count) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (org_id, dimension, key) DO UPDATE SET count = {table}.count + excluded.count",
                [x for row in part for x in row],
            )
        for start in range(0, len(live), 2000):
            lpart = live[start : start + 2000]
            values = ", ".join(["(%s, %s)"] * len(lpart))
            cursor.execute(
                f"WITH v(org_id, d) AS (VALUES {values}) "  # noqa: S608
                f"UPDATE {rollups} SET members = {rollups}.members + v.d, updated_at = %s FROM v "
                f"WHERE {rollups}.org_id = v.org_id",
                [*[x for row in lpart for x in row], timezone.now()],
            )


def _change(path: str, keys: list[Key], sign: int, into: Counter[tuple[str, str, str]]) -> None:
    for dim, key in keys:
        into[(path, dim, key)] += sign


def member_added(member: Member) -> None:
    deltas: Counter[tuple[str, str, str]] = Counter()
    _change(member.org.path, member_keys(member.status, member.employment_form, member.joined_on), 1, deltas)
    apply(deltas)


def member_removed(member: Member) -> None:
    deltas: Counter[tuple[str, str, str]] = Counter()
    _change(member.org.path, member_keys(member.status, member.employment_form, member.joined_on), -1, deltas)
    apply(deltas)


def status_moved(member: Member, before: str) -> None:
    deltas: Counter[tuple[str, str, str]] = Counter()
    _change(member.org.path, member_keys(before, member.employment_form, member.joined_on), -1, deltas)
    _change(member.org.path, member_keys(member.status, member.employment_form, member.joined_on), 1, deltas)
    apply(deltas)


def form_moved(member: Member, before_form: str) -> None:
    deltas: Counter[tuple[str, str, str]] = Counter()
    _change(member.org.path, member_keys(member.status, before_form, member.joined_on), -1, deltas)
    _change(member.org.path, member_keys(member.status, member.employment_form, member.joined_on), 1, deltas)
    apply(deltas)


# --- reconcile ---------------------------------------------------------------------------------------------


def own_live_counts() -> dict[int, int]:
    """Live memberships held directly by each org (OrgRollup.members is the subtree sum of these)."""
    from django.db.models import Count

    return dict(
        Member.objects.filter(status__in=LIVE_STATUSES)
        .values("org_id")
        .annotate(n=Count("pk"))
        .values_list("org_id", "n")
    )


def expected() -> dict[tuple[int, str, str], int]:
    """Recompute every MemberRollup count from the member rows: one grouped query, summed up the paths."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    paths = dict(Org.objects.values_list("id", "path").iterator(chunk_size=20000))
    totals: Counter[tuple[int, str, str]] = Counter()
    grouped = (
        Member.objects.annotate(month=TruncMonth("joined_on"))
        .values("org_id", "status", "employment_form", "month")
        .annotate(n=Count("pk"))
        .values_list("org_id", "status", "employment_form", "month", "n")
    )
    for org_id, status, form, month, n in grouped.iterator(chunk_size=20000):
        for dim, key in member_keys(status, form, month):
            if dim == LIVE:
                continue
            for ancestor in ids_from_path(paths[org_id]):
                totals[(ancestor, dim, key)] += n
    return dict(totals)


@dataclass
class Drift:
    org_id: int
    dimension: str
    key: str
    stored: int
    expected: int


def find_drift() -> list[Drift]:
    want = expected()
    have = {
        (o, d, k): c
        for o, d, k, c in MemberRollup.objects.values_list("org_id", "dimension", "key", "count").iterator(
            chunk_size=20000
        )
    }
    drift = []
    for key in set(want) | set(have):
        w, h = want.get(key, 0), have.get(key, 0)
        if w != h:
            drift.append(Drift(key[0], key[1], key[2], h, w))
    return sorted(drift, key=lambda d: (d.org_id, d.dimension, d.key))


@transaction.atomic
def repair(drift: list[Drift]) -> int:
    for d in drift:
        MemberRollup.objects.update_or_create(
            org_id=d.org_id, dimension=d.dimension, key=d.key, defaults={"count": d.expected}
        )
    return len({d.org_id for d in drift})
