"""Demo requests (诉求) in every state: just received, overdue and escalated, taken on, answered, closed and
rated, reopened, anonymous, recorded from the 12351 hotline, and a collective wage case.

Requests go through the rights services, so events, notices and the audit log are what the real workflow
writes; only the receipt dates are moved back afterwards (a demo needs a history), with the deadlines
recomputed through the working-day calendar as they would have been on that day. Then the deadline sweep
runs, escalating whatever that history left overdue. Deterministic and idempotent (skipped once requests exist).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.orgs.models import Org
from gonghui.rights.models import EmployerRisk


@dataclass(frozen=True)
class DemoCase:
    days_ago: int
    category: str
    text: str
    division: str
    employer: str = ""
    employer_code: str = ""  # a demo grassroots union whose employer this is
    workers: int = 1
    anonymous: bool = False
    hotline: bool = False
    by_member: bool = False  # submitted by the demo member 张伟 from the portal
    steps: tuple[str, ...] = ()  # take, note, contact, reply, close:<outcome>, rate:<n>, reopen
    signal: str = ""


CASES: list[DemoCase] = [
    DemoCase(
        0,
        "wages",
        "站点两个月没发工资，站长说总部没打款，我们十几个骑手都在等。",
        "330106",
        "蜂鸟即配西湖站",
        workers=14,
    ),
    DemoCase(
        1,
        "dismissal",
        "公司以业务调整为由口头通知我明天不用来了，没有书面通知，也不给补偿。",
        "330106",
        employer_code="330106-G05",
    ),
    DemoCase(
        2,
        "injury",
        "送件途中被电动车撞伤，平台说不算工伤，让我自己找保险公司。",
        "330106",
        "顺捷快递西湖分部",
        employer_code="330106-G09",
        by_member=True,
        steps=("take", "reply"),
    ),
    DemoCase(
        3,
        "hours",
        "每天工作12小时，周末也要加班，加班费从来没有。",
        "330108",
        employer_code="330108-G06",
        steps=("take",),
    ),
    DemoCase(
        4,
        "social_insurance",
        "入职一年了公司一直没给交社保。",
        "330106",
        "杭州某装饰工程有限公司",
        steps=("take", "contact", "reply"),
    ),
    DemoCase(
        6,
        "wages",
        "工地包工头拖欠我们三个月工资，共二十多人，约四十万元。",
        "330106",
        employer_code="330106-G04",
        workers=23,
        steps=("take", "contact", "reply"),
        signal="layoff",
    ),
    DemoCase(
        8,
        "safety",
        "车间粉尘很大，公司不发口罩，好几个同事咳嗽。",
        "330108",
        employer_code="330108-G06",
        anonymous=True,
    ),
    DemoCase(
        9,
        "contract",
        "试用期延长到一年，还不签劳动合同。",
        "330108",
        "杭州某电商公司",
        hotline=True,
        steps=("take", "reply", "close:resolved", "rate:5"),
    ),
    DemoCase(
        11,
        "wages",
        "饭店关门了，老板失联，上个月工资没结。",
        "330106",
        employer_code="330106-G07",
        workers=8,
        steps=("take", "contact", "reply", "close:arbitration", "rate:4"),
        signal="closure",
    ),
    DemoCase(
        14,
        "discrimination",
        "面试时被告知只招男性。",
        "330106",
        "杭州某科技公司",
        steps=("take", "reply", "close:inspection", "rate:3"),
    ),
    DemoCase(
        16,
        "wages",
        "家政公司扣了我两个月工资当押金，辞职后不退。",
        "330106",
        "杭州好帮手家政服务有限公司",
        by_member=True,
        steps=("take", "contact", "reply", "close:resolved", "rate:5"),
    ),
    DemoCase(
        19,
        "hours",
        "门店要求每天提前一小时到岗开早会，不算工时。",
        "330106",
        employer_code="330106-G05",
        steps=("take", "reply", "close:resolved", "rate:4"),
    ),
    DemoCase(
        22,
        "other",
        "公司要求员工周末参加团建，不去扣绩效。",
        "330108",
        employer_code="330108-G05",
        steps=("take", "reply", "close:unfounded", "rate:2"),
    ),
    DemoCase(
        25,
        "wages",
        "公司说要搬到外地，不愿去的按自动离职处理，不给补偿。",
        "330108",
        employer_code="330108-G06",
        workers=35,
        steps=("take", "contact", "reply", "close:resolved", "rate:4", "reopen"),
        signal="relocation",
    ),
    DemoCase(
        30,
        "social_insurance",
        "离职后公司不给办社保转移。",
        "330106",
        "杭州某物流公司",
        steps=("take", "reply", "close:resolved"),
    ),
    DemoCase(
        40,
        "injury",
        "工伤认定下来了，公司拖着不支付停工留薪期工资。",
        "330106",
        employer_code="330106-G04",
        steps=("take", "contact", "reply", "close:arbitration", "rate:5"),
    ),
]


def _backdate(case: object, days_ago: int) -> None:
    """Move a request's receipt back, with its deadlines as the calendar gave them on that day."""
    from gonghui.rights.models import Case
    from gonghui.rights.services import deadlines

    assert isinstance(case, Case)
    received = timezone.now() - datetime.timedelta(days=days_ago, hours=3)
    day = timezone.localdate(received)
    ack, respond, conclude, provisional = deadlines(case.org, case.category, day)
    Case.objects.filter(pk=case.pk).update(
        number=f"WQ{day:%Y%m%d}{case.pk:06d}",
        received_at=received,
        received_on=day,
        ack_due=ack,
        respond_due=respond,
        conclude_due=conclude,
        due_provisional=provisional,
    )
    case.events.update(at=received)  # type: ignore[attr-defined]


def _spread(case: object, days_ago: int) -> None:
    """Spread the handling steps over the days since receipt, so the record reads like real work (a step a
    few days after the last), and set the stage times from them."""
    from gonghui.rights.models import Case, CaseEvent

    assert isinstance(case, Case)
    events = list(case.events.order_by("pk"))[2:]  # after "received" and "routed"
    if not events or days_ago == 0:
        return
    start = case.received_at
    span = datetime.timedelta(days=days_ago) * 0.8
    times: dict[str, datetime.datetime] = {}
    for index, event in enumerate(events, start=1):
        at = start + span * index / len(events)
        CaseEvent.objects.filter(pk=event.pk).update(at=at)
        times.setdefault(event.kind, at)
    Case.objects.filter(pk=case.pk).update(
        acknowledged_at=times.get("acknowledged", case.acknowledged_at),
        responded_at=times.get("response", case.responded_at),
        closed_at=times.get("closed", case.closed_at) if case.closed_at else None,
        rated_at=times.get("rated", case.rated_at) if case.rated_at else None,
    )


def seed_demo_rights() -> dict[str, int]:
    from gonghui.rights import services
    from gonghui.rights.models import Case

    if Case.objects.exists():
        return {"requests_created": 0}
    rng = random.Random(12351)
    handler = User.objects.get(blind_q(User, "mobile", "13800000009"))  # 冯专干, case handler in Xihu
    district_b_admin = User.objects.get(blind_q(User, "mobile", "13800000003"))  # the city cadre covers 滨江
    member = User.objects.get(blind_q(User, "mobile", "13900000001"))
    orgs = {
        o.code: o
        for o in Org.objects.filter(
            code__in=["330106", "330108"] + [c.employer_code for c in CASES if c.employer_code]
        )
    }
    created = 0
    for spec in CASES:
        employer_org = orgs.get(spec.employer_code) if spec.employer_code else None
        data = services.CaseInput(
            category=spec.category,
            description=spec.text,
            employer_name=spec.employer,
            work_division_code=spec.division,
            workers_affected=spec.workers,
            contact_name=""
            if spec.by_member
            else rng.choice(["王师傅", "李女士", "赵先生", "陈阿姨", "刘师傅"]),
            contact_mobile="" if spec.by_member else f"139{rng.randrange(10**7, 10**8)}",
        )
        if spec.hotline:
            case, _code = services.case_record_call(
                actor=handler, org=orgs["330106"], data=data, employer_org=employer_org
            )
        else:
            case, _code = services.case_submit(
                user=member if spec.by_member else None,
                data=data,
                anonymous=spec.anonymous,
                employer_org=employer_org,
            )
        _backdate(case, spec.days_ago)
        case.refresh_from_db()
        actor = handler if case.org.path.startswith(orgs["330106"].path) else district_b_admin
        for step in spec.steps:
            kind, _sep, arg = step.partition(":")
            if kind == "take":
                services.case_acknowledge(actor=actor, case=case)
            elif kind in ("note", "contact"):
                services.case_record(
                    actor=actor, case=case, kind=kind, text="已电话联系单位人事负责人，约定本周内答复。"
                )
            elif kind == "reply":
                services.case_record(
                    actor=actor,
                    case=case,
                    kind="response",
                    text="我们已联系用人单位，正在核实情况，请保持电话畅通。",
                )
            elif kind == "close":
                services.case_close(actor=actor, case=case, outcome=arg, summary=CLOSING[arg])
            elif kind == "rate":
                services.case_rate(
                    case=case, rating=int(arg), comment="处理及时，谢谢工会。" if int(arg) >= 4 else ""
                )
            elif kind == "reopen":
                services.case_reopen(case=case, reason="公司答应的补偿只发了一半。")
            case.refresh_from_db()
        _spread(case, spec.days_ago)
        if spec.signal:
            Case.objects.filter(pk=case.pk).update(risk_signal=spec.signal)
        created += 1
    # Whatever this history left overdue is escalated now, as the hourly job would have done.
    swept = services.cases_sweep()
    _legal_and_mediation(handler)
    _indicators()
    scored = services.risks_compute()
    return {
        "requests_created": created,
        "requests_escalated": swept["escalated"],
        "employers_scored": scored.scored,
        "employers_warned": EmployerRisk.objects.exclude(level="none").count(),
    }


def _legal_and_mediation(handler: User) -> None:
    """A lawyer roster and a legal-aid case at the arbitration stage; a mediation committee with an open
    mediation and one whose agreement all three have signed."""
    from gonghui.rights import services
    from gonghui.rights.models import Case, MediationCommittee

    admin = User.objects.get(blind_q(User, "mobile", "13800000004"))  # 李区干, administrator of 西湖区总工会
    district = Org.objects.get(code="330106")
    lawyers = [
        services.lawyer_add(
            actor=admin, org=district, name=name, firm=firm, phone=phone, specialties=specialties
        )
        for name, firm, phone, specialties in [
            ("沈律师", "浙江西湖律师事务所", "0571-88000001", "劳动争议、工伤赔偿"),
            ("韩律师", "浙江之江律师事务所", "0571-88000002", "欠薪、集体劳动争议"),
        ]
    ]
    collective = Case.objects.filter(org=district, collective=True, status="handling").first()
    if collective is not None:
        aid = services.legal_aid_open(
            actor=handler,
            case=collective,
            amount_claimed="412000",
            lawyer=lawyers[1],
            note="群体性欠薪，指派律师代理。",
        )
        today = timezone.localdate()
        services.legal_aid_record(
            actor=handler,
            aid=aid,
            kind="consultation",
            on_date=today - datetime.timedelta(days=3),
            note="律师与职工代表座谈，收集考勤记录、工资条和微信聊天记录。",
        )
        services.legal_aid_stage(
            actor=handler, aid=aid, stage="arbitration", note="已向西湖区劳动人事争议仲裁委员会提交仲裁申请。"
        )
    committee = services.committee_add(
        actor=admin, org=district, name="西湖区劳动争议调解委员会", kind=MediationCommittee.Kind.REGIONAL
    )
    mediator = services.mediator_add(actor=admin, committee=committee, name="周调解员")
    today = timezone.localdate()
    dismissal = Case.objects.filter(category="dismissal").first()
    services.mediation_open(
        actor=handler,
        committee=committee,
        subject="职工被口头辞退，要求支付经济补偿金。",
        parties=[
            services.PartyInput(side="worker", name="李女士", phone="13912340001"),
            services.PartyInput(
                side="employer", name="杭州翠苑大药房连锁有限公司", representative="人事经理 孙某"
            ),
        ],
        known_on=today - datetime.timedelta(days=5),
        received_on=today - datetime.timedelta(days=2),
        case=dismissal,
        mediator=mediator,
    )
    agreed = services.mediation_open(
        actor=handler,
        committee=committee,
        subject="餐饮公司停业，拖欠职工一个月工资及经济补偿。",
        parties=[
            services.PartyInput(side="worker", name="赵先生", phone="13912340002"),
            services.PartyInput(
                side="employer", name="杭州西湖餐饮管理有限公司", representative="法定代表人 钱某"
            ),
        ],
        known_on=today - datetime.timedelta(days=20),
        received_on=today - datetime.timedelta(days=9),
        mediator=mediator,
    )
    services.mediation_session_add(
        actor=handler,
        mediation=agreed,
        held_on=today - datetime.timedelta(days=6),
        place="文新街道职工服务中心",
        notes="双方对欠薪金额无异议，对补偿金额分歧较大。",
    )
    services.mediation_agree(
        actor=handler,
        mediation=agreed,
        terms="公司于十日内一次性支付工资6800元及经济补偿9000元。",
        amount="15800",
    )
    for signer in ("worker", "employer", "mediator"):
        services.mediation_sign(actor=handler, mediation=agreed, signer=signer)


def _indicators() -> None:
    """External indicators for two employers, as a human-resources bureau's file would give them."""
    from gonghui.rights import services

    admin = User.objects.get(blind_q(User, "mobile", "13800000004"))
    district = Org.objects.get(code="330106")
    today = timezone.localdate()
    rows: list[Mapping[str, Any]] = []
    for code, indicator, value, lat, lng in [
        ("330106-G04", "si_arrears", 4, "30.2741", "120.1300"),
        ("330106-G04", "arbitration_cases", 3, "30.2741", "120.1300"),
        ("330106-G07", "utility_arrears", 3, "30.2590", "120.1480"),
    ]:
        org = Org.objects.get(code=code)
        if not org.uscc:
            continue
        rows.append(
            {
                "uscc": org.uscc,
                "name": org.employer_name or org.name,
                "indicator": indicator,
                "value": value,
                "as_of": (today - datetime.timedelta(days=7)).isoformat(),
                "latitude": lat,
                "longitude": lng,
            }
        )
    if rows:
        services.indicators_put(actor=admin, org=district, rows=rows, source="demo")


CLOSING = {
    "resolved": "经工会协调，单位已补发拖欠款项并书面承诺整改。",
    "arbitration": "协调未果，已指导职工向劳动人事争议仲裁委员会申请仲裁，工会律师提供代理。",
    "inspection": "已将线索移送人社部门劳动保障监察机构处理。",
    "unfounded": "经核实，单位做法不违反法律规定，已向职工说明有关政策。",
}
