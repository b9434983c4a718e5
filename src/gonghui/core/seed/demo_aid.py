"""Demo hardship aid (困难职工帮扶): Zhejiang's review chain (grassroots → district → city) and fund rules as data,
hardship files in 西湖区 and 鄞州区, and applications in every state: paid, being announced with an open
objection, waiting at the district, waiting at a grassroots union, rejected.

Everything goes through the aid services, so review steps, notices and the audit log are what the real
workflow writes; only the dates of the paid grant are moved back afterwards (a demo needs a history).
Deterministic and idempotent (skipped once any hardship file exists).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.aid import services
from gonghui.aid.models import AidApplication, AidPolicy, HardshipFile, ReviewChain
from gonghui.core.fields import blind_q
from gonghui.members.models import Member
from gonghui.orgs.models import Org

CHAIR_A, DISTRICT_A, CITY = "13800000006", "13800000004", "13800000003"
CHAIR_B, DISTRICT_B = "13800000007", "13800000005"
ZHANG = "13900000001"


def _user(mobile: str) -> User | None:
    return User.objects.filter(blind_q(User, "mobile", mobile)).first()


def _others(org: Org, exclude: list[int], n: int) -> list[Member]:
    return list(
        Member.objects.filter(org=org, status="active")
        .exclude(pk__in=exclude)
        .exclude(user__isnull=False)[:n]
    )


def seed_aid(*, now: datetime.datetime | None = None) -> dict[str, int]:
    if HardshipFile.objects.exists():
        return {"aid_files": 0, "aid_applications": 0}
    by_code = {
        o.code: o for o in Org.objects.filter(code__in=["330000", "330100", "330106-G01", "330212-G01"])
    }
    chair_a, district_a, city, chair_b, district_b = (
        _user(m) for m in (CHAIR_A, DISTRICT_A, CITY, CHAIR_B, DISTRICT_B)
    )
    zhang_user = _user(ZHANG)
    zhang = Member.objects.filter(user=zhang_user, status="active").select_related("org").first()
    if None in (chair_a, district_a, city, zhang) or len(by_code) < 4:
        return {"aid_files": 0, "aid_applications": 0}
    assert chair_a and district_a and city and zhang  # for the type checker
    today = timezone.localdate(now) if now else timezone.localdate()
    year = today.year

    ReviewChain.objects.get_or_create(
        org=by_code["330000"], defaults={"levels": ["grassroots", "district", "city"]}
    )
    AidPolicy.objects.get_or_create(
        org=by_code["330000"],
        defaults={
            "cap_living": Decimal("5000"),
            "cap_medical": Decimal("10000"),
            "cap_education": Decimal("5000"),
            "cap_holiday": Decimal("2200"),
            "income_threshold": Decimal("1200"),
        },
    )
    # Hangzhou sets a higher local threshold for its subtree; the caps come from the province.
    AidPolicy.objects.get_or_create(org=by_code["330100"], defaults={"income_threshold": Decimal("1500")})

    g01 = by_code["330106-G01"]
    HH = services.HouseholdInput
    zhang_file = services.file_create(
        actor=chair_a,
        member=zhang,
        category="deep",
        situation="妻子患乳腺癌长期治疗，孩子读高中，家庭主要靠张伟一人工资，医疗自付部分负担很重。",
        worker_income=Decimal("3600"),
        household=[
            HH(name="王丽", relation="spouse", monthly_income=Decimal("0")),
            HH(name="张小明", relation="child", monthly_income=Decimal("0")),
        ],
        today=today,
    )
    zhang_file = services.file_verify(actor=district_a, file=zhang_file)
    files = [zhang_file]
    others = _others(g01, [zhang.pk], 2)
    if len(others) == 2:
        relative = services.file_create(
            actor=chair_a,
            member=others[0],
            category="relative",
            situation="单亲家庭，独自抚养两个孩子，老人需要照顾。",
            worker_income=Decimal("4000"),
            household=[
                HH(name="李晨", relation="child", monthly_income=Decimal("0")),
                HH(name="李晓", relation="child", monthly_income=Decimal("0")),
                HH(name="陈秀英", relation="parent", monthly_income=Decimal("400")),
            ],
            today=today,
        )
        relative = services.file_verify(actor=district_a, file=relative)
        # Its yearly review falls due within the month: the register's "reviews due" list shows it.
        HardshipFile.objects.filter(pk=relative.pk).update(review_due=today + datetime.timedelta(days=12))
        accident = services.file_create(
            actor=chair_a,
            member=others[1],
            category="accident",
            situation="家中房屋失火，财物损失严重，暂住亲戚家。",
            worker_income=Decimal("6000"),
            household=[HH(name="赵红", relation="spouse", monthly_income=Decimal("2000"))],
            today=today,
        )
        files += [relative, accident]  # the accident file waits for verification
    ningbo_file = None
    g_b = by_code["330212-G01"]
    ningbo = _others(g_b, [], 1)
    if chair_b and district_b and ningbo:
        ningbo_file = services.file_create(
            actor=chair_b,
            member=ningbo[0],
            category="relative",
            situation="配偶下岗，孩子上大学，家庭收入低。",
            worker_income=Decimal("3000"),
            household=[
                HH(name="孙倩", relation="spouse", monthly_income=Decimal("600")),
                HH(name="孙浩", relation="child", monthly_income=Decimal("0")),
            ],
            today=today,
        )
        ningbo_file = services.file_verify(actor=district_b, file=ningbo_file)
        files.append(ningbo_file)

    A = services.ApplicationInput
    apps = 0
    # Paid: last Spring Festival's holiday visit, through all three levels, announced and paid by the city.
    holiday = services.application_submit(
        user=zhang_user,
        file=zhang_file,
        data=A(
            aid_type="holiday",
            amount=Decimal("800"),
            reason="春节送温暖慰问困难职工家庭",
            season=f"{year}春节",
        ),
    )
    for who in (chair_a, district_a, city):
        holiday = services.application_approve(actor=who, application=holiday)
    AidApplication.objects.filter(pk=holiday.pk).update(
        announce_from=today - datetime.timedelta(days=21), announce_until=today - datetime.timedelta(days=14)
    )
    services.payment_record(
        actor=city,
        application=holiday,
        method="card",
        paid_on=today - datetime.timedelta(days=10),
        reference=f"HZ{year}0001",
    )
    apps += 1
    # Announced now, with an objection received by phone and recorded by the chair: payment waits.
    medical = services.application_submit(
        user=zhang_user,
        file=zhang_file,
        data=A(
            aid_type="medical",
            amount=Decimal("3000"),
            reason="妻子乳腺癌化疗，医保报销后自付部分约一万二千元。",
            illness_code="C50.9",
            illness_name="乳腺恶性肿瘤",
        ),
    )
    for who in (chair_a, district_a, city):
        medical = services.application_approve(actor=who, application=medical)
    services.objection_raise(
        user=chair_a, application=medical, text="有职工电话反映其家庭新购置了一辆小汽车，请核实。"
    )
    apps += 1
    if len(files) >= 3:
        relative = files[1]
        edu = services.application_submit(
            user=chair_a,
            file=relative,
            data=A(
                aid_type="education",
                amount=Decimal("2000"),
                reason="大女儿考入大学，学费和住宿费无力承担。",
                school_year=f"{year}-{year + 1}",
            ),
        )
        services.application_approve(
            actor=chair_a, application=edu, amount=Decimal("1500"), note="入户核实属实"
        )
        living = services.application_submit(
            user=chair_a,
            file=relative,
            data=A(
                aid_type="living",
                amount=Decimal("1000"),
                reason="母亲住院，当月生活困难。",
                period=f"{today:%Y-%m}",
            ),
        )
        services.application_reject(actor=chair_a, application=living, reason="当月已享受临时救助，材料不全")
        apps += 2
    if ningbo_file is not None and chair_b:
        services.application_submit(
            user=chair_b,
            file=ningbo_file,
            data=A(
                aid_type="education",
                amount=Decimal("3000"),
                reason="孩子大学学费。",
                school_year=f"{year}-{year + 1}",
            ),
        )
        apps += 1
    return {"aid_files": len(files), "aid_applications": apps}
