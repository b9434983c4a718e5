"""About 300 demo members in the demo slice: realistic (fictional, checksum-valid) people, dues months with
some arrears, pending applications, a transfer in progress, retained and withdrawn members and lapse proposals.

Everything goes through the membership services, so the counters, history and audit log are exactly what the
real workflows produce. Deterministic (fixed random seed) and idempotent (skipped once members exist).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from stdnum.cn import ric

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.orgs.models import Org

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰萍红鹏辉宇浩然子轩欣怡梓涵晨阳思远佳琪"
    "雨萱俊杰文博嘉怡志强海燕春梅建华晓东丽娟"
)
MOBILE_PREFIXES = (
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "187",
    "188",
    "198",
)

# (org code, members, mostly which employment forms)
PLAN: list[tuple[str, int, tuple[str, ...]]] = [
    ("330106-G01", 46, ("regular", "regular", "regular", "dispatched")),
    ("330106-G02", 18, ("regular", "part_time", "security_guard")),
    ("330106-G03", 16, ("regular",)),
    ("330106-G04", 30, ("regular", "dispatched", "dispatched")),
    ("330106-G05", 14, ("regular", "part_time")),
    ("330106-G07", 10, ("regular", "part_time")),
    ("330106-G08", 34, ("delivery_rider",)),
    ("330106-G09", 20, ("courier",)),
    ("330106-G10", 10, ("domestic", "care_worker")),
    ("330106-XJY", 12, ("delivery_rider", "courier", "ride_hailing", "truck_driver")),
    ("330108-G04", 24, ("delivery_rider",)),
    ("330108-G05", 14, ("regular",)),
    ("330212-G01", 18, ("regular", "truck_driver")),
    ("330212-G04", 12, ("courier",)),
    ("330212-G05", 14, ("delivery_rider",)),
    ("330212-G08", 8, ("real_estate_agent",)),
]


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _id_number(rng: random.Random, region: str, used: set[str]) -> str:
    while True:
        birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 14600))
        body = f"{region}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"
        if number not in used and not number.startswith(("1380000", "1390000")):
            used.add(number)
            return number


def _region(org: Org) -> str:
    """The district division code above an org (ID numbers of local people start with it)."""
    ids = [*org.ancestor_ids(), org.pk]
    codes = dict(Org.objects.filter(pk__in=ids).values_list("pk", "division_code"))
    for org_id in reversed(ids):
        code = codes.get(org_id) or ""
        if code and not code.endswith("00"):
            return code
    return "330106"


def seed_demo_members() -> dict[str, int]:
    from gonghui.members import services as svc
    from gonghui.members.models import Member

    if Member.objects.exists():
        return {"members_created": 0}
    rng = random.Random(2026)
    admin = User.objects.get(blind_q(User, "mobile", "13800000001"))
    by_code = {
        o.code: o for o in Org.objects.filter(code__in=[p[0] for p in PLAN] + ["330212-SN", "330212-G02"])
    }
    used_ids: set[str] = set()
    used_mobiles: set[str] = set()
    today = timezone.localdate()
    created: list[Member] = []
    for code, count, forms in PLAN:
        org = by_code[code]
        region = _region(org)
        for _i in range(count):
            joined = today - datetime.timedelta(days=rng.randrange(20, 365 * 4))
            if 30 <= len(created) < 36:
                joined = today - datetime.timedelta(days=700)  # the quiet members proposed for lapse below
            person = svc.person_clean(
                name=_name(rng),
                id_number=_id_number(rng, region, used_ids),
                mobile=_mobile(rng, used_mobiles),
                employer_name=org.employer_name,
                employer_uscc=org.uscc or "",
                employment_form=rng.choice(forms),
                work_division_code=region,
                work_place=org.address,
            )
            created.append(svc.member_create(actor=admin, org=org, person=person, joined_on=joined))

    # The demo member 张伟 is a member of 西溪数智 (district A) and sees a card in the portal.
    zhang = User.objects.get(blind_q(User, "mobile", "13900000001"))
    g01 = by_code["330106-G01"]
    person = svc.person_clean(
        name="张伟",
        id_number=_id_number(rng, "330106", used_ids),
        mobile="13900000001",
        employer_name=g01.employer_name,
        employer_uscc=g01.uscc or "",
        work_division_code="330106",
        work_place=g01.address,
    )
    zhang_member = svc.member_create(
        actor=admin, org=g01, person=person, user=zhang, joined_on=today - datetime.timedelta(days=400)
    )
    created.append(zhang_member)

    # Dues for the last three months: most paid, some in arrears, retired members waived.
    from gonghui.members.rules import months_back

    months = [months_back(today, k) for k in (3, 2, 1)]  # the last three whole months
    for member in created[::2]:
        wage = Decimal(rng.randrange(4200, 16000))
        for month in months:
            svc.dues_wage_set(actor=admin, member=member, month=month, wage_base=wage)
            if rng.random() < 0.85:
                row = member.dues.get(month=month)
                svc.dues_payment_record(
                    actor=admin,
                    member=member,
                    month=month,
                    amount=row.due,
                    paid_on=month + datetime.timedelta(days=14),
                )

    # Status changes: retired and unemployed members keep their membership; one withdrew in writing.
    for member in created[5:9]:
        svc.member_status_change(
            actor=admin, member=member, status="retained", reason="退休", retained_reason="retired"
        )
    svc.member_status_change(
        actor=admin, member=created[12], status="retained", reason="失业", retained_reason="unemployed"
    )
    svc.member_status_change(
        actor=admin, member=created[20], status="withdrawn", reason="本人书面申请退会（2026年9月3日）"
    )

    # Members who neither paid nor took part for over six months: the system proposes them for review.
    from gonghui.members.models import DuesMonth

    quiet = created[30:36]
    Member.objects.filter(pk__in=[m.pk for m in quiet]).update(
        last_participated_on=today - datetime.timedelta(days=260)
    )
    DuesMonth.objects.filter(member__in=quiet).update(paid=0, paid_on=None)
    proposals = svc.lapse_sweep(today=today)

    # A transfer in progress: a logistics worker moves from 甬港物流 to 首南纺织 in Ningbo.
    mover = next(m for m in created if m.org.code == "330212-G01" and m.status == "active")
    svc.transfer_start(
        actor=admin,
        member=mover,
        to_org=by_code["330212-G02"],
        reason="换工作",
        new_employer_name="宁波首南纺织服装有限公司",
    )

    applications = _demo_applications(rng, used_ids, used_mobiles, by_code)
    return {"members_created": len(created), "lapse_proposals": proposals, "applications": applications}


def _demo_applications(
    rng: random.Random, used_ids: set[str], used_mobiles: set[str], by_code: dict[str, Org]
) -> int:
    """Pending applications from new workers: riders and couriers routed to the platform and joint unions, an
    office worker to the employer's union, a shop assistant whose employer has no union to the district."""
    from gonghui.accounts.models import Consent, PrivacyNotice
    from gonghui.members import services as svc

    notice = PrivacyNotice.objects.order_by("-published_at").first()
    platform = Org.objects.filter(code="330106-G08").first()
    plans: list[tuple[str, dict[str, Any], str, str]] = [
        ("delivery_rider", {"platform_org": platform}, "330106", ""),
        ("delivery_rider", {}, "330106", ""),
        ("courier", {}, "330212", ""),
        ("regular", {"employer_org": by_code["330106-G01"]}, "330106", ""),
        ("regular", {"employer_org": by_code["330106-G04"]}, "330106", ""),
        ("part_time", {}, "330108", "滨江星光便利店"),
        ("ride_hailing", {}, "330106", ""),
        ("care_worker", {"employer_org": by_code["330106-G10"]}, "330106", ""),
    ]
    count = 0
    for form, route, region, employer in plans:
        mobile = _mobile(rng, used_mobiles)
        name = _name(rng)
        user = User.objects.create_user(mobile, None, real_name=name)
        if notice is not None:
            Consent.objects.create(user=user, purpose=Consent.Purpose.SENSITIVE, notice=notice)
        person = svc.person_clean(
            name=name,
            id_number=_id_number(rng, region, used_ids),
            mobile=mobile,
            employer_name=employer,
            employment_form=form,
            work_division_code=region,
        )
        svc.application_submit(user=user, person=person, consent=True, **route)
        count += 1
    return count
