"""Recompute the roll-up rows from the tree itself, to find and repair drift.

Services keep OrgRollup current in the same transaction as every change; this is the check that they did.
One pass over the orgs in path order, adding each org's own figures to itself and its ancestors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from .models import Org, OrgKind, OrgRollup
from .paths import ids_from_path

FIELDS = ("orgs", "grassroots", "staff", "members")


def own_member_counts() -> dict[int, int]:
    """Live memberships held directly by each org, from the membership module."""
    from gonghui.members.counters import own_live_counts

    return own_live_counts()


@dataclass
class Drift:
    org_id: int
    field: str
    stored: int | None
    expected: int


def expected_rollups() -> dict[int, dict[str, int]]:
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    members = own_member_counts()
    for org_id, path, kind, staff in Org.objects.values_list("id", "path", "kind", "staff_count").iterator(
        chunk_size=20000
    ):
        own = {
            "orgs": 1,
            "grassroots": 1 if kind == OrgKind.GRASSROOTS else 0,
            "staff": staff,
            "members": members.get(org_id, 0),
        }
        for ancestor in ids_from_path(path):
            row = totals[ancestor]
            for field in FIELDS:
                row[field] += own[field]
    return dict(totals)


def find_drift() -> list[Drift]:
    expected = expected_rollups()
    stored = {
        row[0]: dict(zip(FIELDS, row[1:], strict=True))
        for row in OrgRollup.objects.values_list("org_id", *FIELDS).iterator(chunk_size=20000)
    }
    drift: list[Drift] = []
    for org_id, values in expected.items():
        have = stored.get(org_id)
        for field in FIELDS:
            if have is None or have[field] != values[field]:
                drift.append(Drift(org_id, field, None if have is None else have[field], values[field]))
    return drift


@transaction.atomic
def repair(drift: list[Drift]) -> int:
    expected = expected_rollups()
    org_ids = sorted({d.org_id for d in drift})
    existing = set(OrgRollup.objects.filter(org_id__in=org_ids).values_list("org_id", flat=True))
    missing = [OrgRollup(org_id=i, **expected[i]) for i in org_ids if i not in existing]
    OrgRollup.objects.bulk_create(missing, batch_size=5000)
    changed = [OrgRollup(org_id=i, **expected[i]) for i in org_ids if i in existing]
    OrgRollup.objects.bulk_update(changed, list(FIELDS), batch_size=2000)
    return len(org_ids)
