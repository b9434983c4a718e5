"""The membership roll-up counters: members by status, by employment form and by month joined, for every
union's whole subtree, plus `OrgRollup.members` (live memberships). Services call these in the same
transaction as the change; `expected`/`find_drift`/`repair` recompute them for `gonghui reconcile`.

Status and month joined count every membership row (history included); employment form and
`OrgRollup.members` count live memberships only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
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
    rows = {(org_id, dim, key) for (org_id, dim, key), d in by_ancestor.items() if d and dim != LIVE}
    MemberRollup.objects.bulk_create(
        [MemberRollup(org_id=o, dimension=d, key=k, count=0) for o, d, k in rows],
        ignore_conflicts=True,
        batch_size=2000,
    )
    groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for (org_id, dim, key), delta in by_ancestor.items():
        if delta:
            groups[(dim, key, delta)].append(org_id)
    for (dim, key, delta), org_ids in sorted(groups.items()):
        if dim == LIVE:
            OrgRollup.objects.filter(org_id__in=org_ids).update(
                members=F("members") + delta, updated_at=timezone.now()
            )
        else:
            MemberRollup.objects.filter(org_id__in=org_ids, dimension=dim, key=key).update(
                count=F("count") + delta
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
