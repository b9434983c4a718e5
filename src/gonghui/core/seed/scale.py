"""A province-shaped synthetic tree sized for N members, built deterministically and in bulk.

Shape, from national averages (DOMAIN §1): about 107 members per grassroots union, with a long tail of
large employers; cities of 6 to 14 districts; districts of 8 to 20 streets plus parks and joint unions;
large grassroots unions split into branches and groups. The same N and seed always give the same tree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from gonghui.core.identifiers import uscc_with_check
from gonghui.orgs.models import Org, OrgKind, OrgRollup
from gonghui.orgs.paths import ids_from_path, segment
from gonghui.orgs.services import pinyin_key

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
MEMBERS_PER_GRASSROOTS = 107
BATCH = 5000


@dataclass
class _Row:
    id: int
    parent_id: int | None
    path: str
    depth: int
    kind: str
    name: str
    code: str
    division: str = ""
    staff: int = 0
    uscc: str | None = None


def _staff_sizes(rng: random.Random, total: int, count: int) -> list[int]:
    """`count` unit sizes summing to about `total`: log-normal, most small, a few very large."""
    raw = [rng.lognormvariate(0, 1.1) for _ in range(count)]
    scale = total / sum(raw)
    return [max(3, round(r * scale)) for r in raw]


def seed_scale(members: int, seed: int = 1, province_code: str = "") -> dict[str, int]:
    """Add one synthetic province under the national federation (created if missing)."""
    national = Org.objects.filter(kind=OrgKind.NATIONAL).first()
    if national is None:
        from gonghui.orgs.services import org_create_root

        national = org_create_root(name="中华全国总工会", code="100000")
    used = set(Org.objects.filter(kind=OrgKind.PROVINCE).values_list("division_code", flat=True))
    prefix = province_code or next(
        (
            p
            for p in ("71", "72", "73", "74", "75", "76", "77", "78", "79", "70", "69", "68")
            if f"{p}0000" not in used
        ),
        "",
    )
    if not prefix or f"{prefix}0000" in used:
        return {"orgs_created": 0}
    start = (Org.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    rows = plan_province(members, seed=seed, prefix=prefix, start_id=start, national=national)
    _write(rows, national)
    grassroots = sum(1 for r in rows if r.kind == OrgKind.GRASSROOTS)
    return {"orgs_created": len(rows), "grassroots": grassroots, "first_id": start}


def plan_province(members: int, *, seed: int, prefix: str, start_id: int, national: Org) -> list[_Row]:
    """The rows of a synthetic province, computed without touching the database: same input, same rows."""
    rng = random.Random(seed)
    next_id = start_id
    rows: list[_Row] = []

    def add(
        parent: _Row | None,
        kind: str,
        name: str,
        code: str,
        division: str = "",
        staff: int = 0,
        uscc: str | None = None,
    ) -> _Row:
        nonlocal next_id
        parent_path = parent.path if parent else national.path
        row = _Row(
            id=next_id,
            parent_id=parent.id if parent else national.pk,
            path=parent_path + segment(next_id),
            depth=(parent.depth + 1) if parent else national.depth + 1,
            kind=kind,
            name=name,
            code=code,
            division=division,
            staff=staff,
            uscc=uscc,
        )
        next_id += 1
        rows.append(row)
        return row

    grassroots_total = max(1, members // MEMBERS_PER_GRASSROOTS)
    cities = max(2, min(16, round(grassroots_total**0.25)))
    province = add(None, OrgKind.PROVINCE, f"合成{prefix}省总工会", f"{prefix}0000", f"{prefix}0000")
    containers: list[tuple[_Row, str]] = []  # where grassroots unions hang, with the district division code
    for c in range(1, cities + 1):
        city_div = f"{prefix}{c:02d}00"
        city = add(province, OrgKind.CITY, f"合成{prefix}省第{c}市总工会", city_div, city_div)
        for d in range(1, rng.randint(6, 14) + 1):
            div = f"{prefix}{c:02d}{d:02d}"
            district = add(city, OrgKind.DISTRICT, f"第{c}市第{d}区总工会", div, div)
            containers.append((district, div))
            for s in range(1, rng.randint(8, 20) + 1):
                containers.append(
                    (add(district, OrgKind.STREET, f"第{c}市第{d}区第{s}街道总工会", f"{div}-S{s}"), div)
                )
            for p in range(1, rng.randint(1, 3) + 1):
                containers.append(
                    (add(district, OrgKind.PARK, f"第{c}市第{d}区第{p}产业园工会", f"{div}-P{p}"), div)
                )
            containers.append(
                (add(district, OrgKind.JOINT, f"第{c}市第{d}区新就业形态联合工会", f"{div}-J"), div)
            )
    sizes = _staff_sizes(rng, members, grassroots_total)
    for g, staff in enumerate(sizes, start=1):
        container, div = containers[rng.randrange(len(containers))]
        body = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        unit = add(
            container,
            OrgKind.GRASSROOTS,
            f"合成企业{g}号有限公司工会委员会",
            f"{div}-G{g}",
            staff=staff,
            uscc=uscc_with_check(f"91{div}{body}"),
        )
        if staff >= 2000:
            for b in range(1, min(12, staff // 1000) + 1):
                branch = add(unit, OrgKind.BRANCH, f"合成企业{g}号第{b}分工会", f"{div}-G{g}-B{b}")
                for k in range(1, 4):
                    add(branch, OrgKind.GROUP, f"第{b}分工会第{k}小组", f"{div}-G{g}-B{b}-{k}")
    return rows


@transaction.atomic
def _write(rows: list[_Row], national: Org) -> None:
    orgs = [
        Org(
            id=r.id,
            parent_id=r.parent_id,
            path=r.path,
            depth=r.depth,
            kind=r.kind,
            name=r.name,
            name_pinyin=pinyin_key(r.name) if r.kind != OrgKind.GRASSROOTS else "",
            code=r.code,
            division_code=r.division,
            staff_count=r.staff,
            uscc=r.uscc,
        )
        for r in rows
    ]
    Org.objects.bulk_create(orgs, batch_size=BATCH)
    totals: dict[int, list[int]] = {}
    for r in rows:
        own = (1, 1 if r.kind == OrgKind.GRASSROOTS else 0, r.staff)
        for ancestor in ids_from_path(r.path):
            t = totals.setdefault(ancestor, [0, 0, 0])
            t[0] += own[0]
            t[1] += own[1]
            t[2] += own[2]
    new_ids = {r.id for r in rows}
    OrgRollup.objects.bulk_create(
        [
            OrgRollup(org_id=i, orgs=t[0], grassroots=t[1], staff=t[2])
            for i, t in totals.items()
            if i in new_ids
        ],
        batch_size=BATCH,
    )
    # The national federation (and anything above the province) already has a rollup row: add to it.
    from gonghui.orgs.services import _rollup_add

    prov = totals[rows[0].id]
    _rollup_add([*national.ancestor_ids(), national.pk], orgs=prov[0], grassroots=prov[1], staff=prov[2])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(_no_style(), [Org]):
                cursor.execute(sql)


def _no_style():  # type: ignore[no-untyped-def]
    from django.core.management.color import no_style

    return no_style()
