"""N synthetic members spread over the grassroots unions of the synthetic province, written in bulk.

Deterministic: the k-th member always gets the same name, ID number, mobile number, union and join date, and
every ID number is unique by construction (region, a birth date stepping one day per thousand members, and a
three-digit serial), so no set of used numbers is kept in memory. Members are written in batches of BATCH with
`bulk_create`, one reservation of member numbers, one counters.apply and one audit record per batch.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from stdnum.cn import ric

from gonghui.core.audit import log_action
from gonghui.orgs.models import Org, OrgKind

from .demo_members import GIVEN, MOBILE_PREFIXES, SURNAMES

BATCH = 5000
FORMS = ["regular"] * 14 + [
    "dispatched",
    "part_time",
    "delivery_rider",
    "courier",
    "ride_hailing",
    "truck_driver",
]
BIRTH_START = datetime.date(1962, 1, 1)
BIRTH_DAYS = 15000  # people born 1962-2003


def person_values(k: int, region: str, rng: random.Random) -> dict[str, Any]:
    """The k-th synthetic person (0-based)."""
    birth = BIRTH_START + datetime.timedelta(days=(k // 1000) % BIRTH_DAYS)
    body = f"{region}{birth:%Y%m%d}{k % 1000:03d}"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return {
        "name": name,
        "id_number": body + ric.calc_check_digit(body + "0"),
        "mobile": f"{MOBILE_PREFIXES[k % len(MOBILE_PREFIXES)]}{(k * 7919 + 12345) % 10**8:08d}",
        "employment_form": rng.choice(FORMS),
        "work_division_code": region,
    }


def member_slots(members: int) -> Iterator[tuple[Org, str]]:
    """(union, district division code) for each of `members` members, in proportion to the unions' staff."""
    grassroots = list(
        Org.objects.filter(kind=OrgKind.GRASSROOTS).only("pk", "path", "code", "staff_count").order_by("path")
    )
    if not grassroots:
        return
    divisions = dict(
        Org.objects.filter(kind=OrgKind.DISTRICT).exclude(division_code="").values_list("pk", "division_code")
    )
    total_staff = sum(max(1, o.staff_count) for o in grassroots)
    left = members
    for i, org in enumerate(grassroots):
        region = next((divisions[a] for a in reversed(org.ancestor_ids()) if a in divisions), "330106")
        share = left if i == len(grassroots) - 1 else round(members * max(1, org.staff_count) / total_staff)
        share = min(share, left)
        for _ in range(share):
            yield org, region
        left -= share
        if left <= 0:
            return


def seed_scale_members(members: int, seed: int = 1) -> dict[str, int]:
    from gonghui.members import counters
    from gonghui.members.models import Member, MemberStatus
    from gonghui.members.services import member_numbers_reserve, person_clean

    rng = random.Random(seed)
    start = Member.objects.count()
    today = datetime.date.today()
    batch: list[Member] = []
    written = 0

    def flush() -> None:
        nonlocal written
        if not batch:
            return
        with transaction.atomic():
            numbers = member_numbers_reserve(len(batch))
            deltas: Counter[tuple[str, str, str]] = Counter()
            for member, number in zip(batch, numbers, strict=True):
                member.number = number
                for dim, key in counters.member_keys(member.status, member.employment_form, member.joined_on):
                    deltas[(member.org.path, dim, key)] += 1
            Member.objects.bulk_create(batch, batch_size=1000)
            counters.apply(deltas)
            log_action(actor="system", action="gonghui.member.seeded", data={"count": len(batch)})
        written += len(batch)
        batch.clear()

    for k, (org, region) in enumerate(member_slots(members), start=start):
        values = person_values(k, region, rng)
        person = person_clean(**values)
        batch.append(
            Member(
                org=org,
                status=MemberStatus.ACTIVE,
                joined_on=today - datetime.timedelta(days=rng.randrange(0, 3650)),
                source="seed",
                **person.fields(),
            )
        )
        if len(batch) >= BATCH:
            flush()
    flush()
    return {"members_created": written}
