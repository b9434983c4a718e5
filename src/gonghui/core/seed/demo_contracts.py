"""Demo collective contracts (集体合同) in district A (西湖区) and B: an enterprise contract in effect at
杭州西溪数智科技有限公司 (where 张伟 works), its wages special contract with the labour administration (the 15
days running), a regional wages contract of 文新街道 in effect covering its units and some without a union, one
expiring within the reminder lead time, and one being negotiated in 滨江区.

Everything goes through the contract services with dates in the past, so the audit log and notices are what
the real workflow writes. Idempotent: skipped once contracts exist.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.contracts import rules, services
from gonghui.contracts.models import CollectiveContract
from gonghui.core.fields import blind_q
from gonghui.orgs.models import Org


def _user(mobile: str) -> User:
    return User.objects.get(blind_q(User, "mobile", mobile))


def _data(org: Org, title: str, kind: str, **kw: object) -> services.ContractInput:
    return services.ContractInput(
        title=title,
        kind=kind,
        union_party=org.name,
        union_representative=str(kw.pop("union_rep", "吴主席")),
        employer_party=org.employer_name or str(kw.pop("employer", "辖区企业方协商代表")),
        employer_representative=str(kw.pop("employer_rep", "赵立新")),
        summary=str(kw.pop("summary", "")),
        **kw,  # type: ignore[arg-type]
    )


def _negotiate(actor: User, contract: CollectiveContract, held_on: datetime.date) -> None:
    for n, (offset, minutes) in enumerate(
        [
            (14, "职工方提出工资增幅 6% 及带薪年休假安排；企业方回应经营压力。"),
            (0, "双方就工资增幅 5% 达成一致。"),
        ]
    ):
        services.contract_round_add(
            actor=actor,
            contract=contract,
            held_on=held_on - datetime.timedelta(days=offset),
            place="公司三楼会议室",
            union_participants="职工方首席代表及职工代表 4 人",
            employer_participants="企业方首席代表及人力资源部负责人",
            minutes=f"第{n + 1}轮：{minutes}",
        )


def _in_effect(actor: User, contract: CollectiveContract, start: datetime.date, years: int) -> None:
    _negotiate(actor, contract, start - datetime.timedelta(days=20))
    end = rules.add_years(start, years) - datetime.timedelta(days=1)
    services.contract_sign(
        actor=actor,
        contract=contract,
        signed_on=start - datetime.timedelta(days=18),
        term_start=start,
        term_end=end,
        adopted_on=start - datetime.timedelta(days=19),
    )
    services.contract_submit(actor=actor, contract=contract, submitted_on=start - datetime.timedelta(days=16))
    services.contract_receipt(actor=actor, contract=contract, received_on=start - datetime.timedelta(days=15))


def seed_contracts(*, now: datetime.datetime | None = None) -> dict[str, int]:
    if CollectiveContract.objects.exists():
        return {"contracts": 0}
    by_code = {o.code: o for o in Org.objects.filter(code__startswith="3301")}
    if "330106-G01" not in by_code:
        return {"contracts": 0}
    today = timezone.localdate(now) if now else timezone.localdate()
    chair, district_a, district_b = _user("13800000006"), _user("13800000004"), _user("13800000005")
    g01 = by_code["330106-G01"]
    comprehensive = services.contract_create(
        actor=chair,
        org=g01,
        data=_data(
            g01,
            "杭州西溪数智科技有限公司集体合同",
            "comprehensive",
            summary="一、劳动报酬：工资每年协商一次，年增幅不低于5%。\n二、工作时间：标准工时制，加班须经本人同意。\n"
            "三、休息休假：带薪年休假按国家规定执行。\n四、保险福利：足额缴纳五险一金。",
        ),
    )
    _in_effect(chair, comprehensive, today - datetime.timedelta(days=200), 3)
    wages = services.contract_create(
        actor=chair,
        org=g01,
        data=_data(
            g01,
            "2026年度工资专项集体合同",
            "wages",
            summary="年度工资总额增长 5%，最低工资不低于当地标准的 120%。",
        ),
    )
    _negotiate(chair, wages, today - datetime.timedelta(days=12))
    services.contract_sign(
        actor=chair,
        contract=wages,
        signed_on=today - datetime.timedelta(days=10),
        term_start=today,
        term_end=rules.add_years(today, 1) - datetime.timedelta(days=1),
    )
    services.contract_submit(actor=chair, contract=wages, submitted_on=today - datetime.timedelta(days=8))
    services.contract_receipt(actor=chair, contract=wages, received_on=today - datetime.timedelta(days=6))

    street = by_code["330106-WX"]
    covered = [by_code[c].pk for c in ("330106-G02", "330106-G03", "330106-G04") if c in by_code]
    regional = services.contract_create(
        actor=district_a,
        org=street,
        data=_data(
            street,
            "文新街道区域性工资专项集体合同",
            "wages",
            union_rep="街道总工会主席",
            employer="文新街道企业代表组织",
            summary="辖区企业职工工资年增幅不低于4%，工资支付日为每月10日前。",
            covered_org_ids=covered,
            other_units="文新路小餐馆\n文新便利店\n文新理发店",
            other_units_count=3,
            other_staff=26,
        ),
    )
    _in_effect(district_a, regional, today - datetime.timedelta(days=90), 2)

    if "330106-G04" in by_code:
        g04 = by_code["330106-G04"]
        expiring = services.contract_create(
            actor=district_a,
            org=g04,
            data=_data(
                g04, "浙江之江建设工程有限公司劳动安全卫生专项集体合同", "safety", union_rep="钱工会主席"
            ),
        )
        # Two years ending in five weeks: within the 60-day reminder lead time.
        _in_effect(district_a, expiring, rules.add_years(today + datetime.timedelta(days=36), -2), 2)

    if "330108-G01" in by_code:
        g = by_code["330108-G01"]
        talks = services.contract_create(
            actor=_user("13800000003"),  # the city cadre: district B of the demo lies in Ningbo
            org=g,
            data=_data(g, "杭州长河半导体有限公司集体合同", "comprehensive", union_rep="工会主席"),
        )
        _negotiate(_user("13800000003"), talks, today - datetime.timedelta(days=3))
    del district_b
    services.contracts_sweep(today=today)
    return {"contracts": CollectiveContract.objects.count()}
