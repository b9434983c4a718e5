"""Demo disclosure (厂务公开) at 杭州西溪数智科技有限公司 (330106-G01), whose chair is 吴主席 and where the demo member
张伟 works: a plan with an overdue entry, published items with acknowledgements, a question answered as public
Q&A, one waiting for an answer, and a draft.

Everything goes through the disclosure services, so notices and the audit log are what the real workflow
writes. Idempotent: skipped once the union has a plan.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.disclosure import services
from gonghui.disclosure.models import ScheduleEntry
from gonghui.orgs.models import Org

ORG = "330106-G01"


def _user(mobile: str) -> User | None:
    return User.objects.filter(blind_q(User, "mobile", mobile)).first()


def seed_disclosure(*, now: datetime.datetime | None = None) -> dict[str, int]:
    org = Org.objects.filter(code=ORG).first()
    chair = _user("13800000006")
    if org is None or chair is None or ScheduleEntry.objects.filter(org=org).exists():
        return {"disclosure_items": 0}
    today = timezone.localdate(now) if now else timezone.localdate()
    month_end = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )
    plan: list[tuple[str, str, str, datetime.date]] = [
        ("wages", "月度工资发放情况", "monthly", month_end),
        ("social_insurance", "社会保险和住房公积金缴纳情况", "quarterly", month_end),
        ("welfare", "职工福利费使用情况", "yearly", today + datetime.timedelta(days=120)),
        ("integrity", "领导班子廉洁自律情况", "yearly", today + datetime.timedelta(days=200)),
        # Due ten days ago and not yet disclosed: the console shows it overdue and the sweep tells the chair.
        ("safety", "安全生产检查情况", "quarterly", today - datetime.timedelta(days=10)),
    ]
    entries: dict[str, Any] = {}
    for category, title, frequency, due in plan:
        entry = services.schedule_add(
            actor=chair, org=org, category=category, title=title, frequency=frequency, next_due=due
        )
        entries[category] = entry
    wages = services.item_create(
        actor=chair,
        org=org,
        category="wages",
        title=f"{today:%Y年%-m月}工资发放情况",
        body="本月工资已于5日足额发放，人均应发工资 9,860 元；绩效奖金按季度考核结果发放，考核办法见公告栏。",
        channel="online",
        schedule=entries["wages"],
    )
    services.item_publish(actor=chair, item=wages)
    insurance = services.item_create(
        actor=chair,
        org=org,
        category="social_insurance",
        title="上季度社会保险和住房公积金缴纳情况",
        body="公司为全部 420 名职工足额缴纳五项社会保险，住房公积金缴存比例为 12%。",
        channel="notice_board",
        schedule=entries["social_insurance"],
    )
    services.item_publish(actor=chair, item=insurance)
    services.item_create(
        actor=chair,
        org=org,
        category="major_decisions",
        title="关于调整作息时间的方案（征求意见稿）",
        body="拟自下月起实行夏季作息时间，提交职工代表大会审议前先行公开征求意见。",
        channel="congress",
    )
    zhang = _user("13900000001")
    if zhang is not None:
        try:
            services.item_acknowledge(user=zhang, item_id=insurance.pk)
            q = services.question_ask(user=zhang, item_id=insurance.pk, text="试用期员工也缴纳公积金吗？")
            services.question_answer(
                actor=chair, question=q, answer="试用期员工自入职当月起同样缴纳住房公积金。", public=True
            )
            services.question_ask(user=zhang, item_id=wages.pk, text="绩效奖金什么时候发？")
        except ServiceError:  # 张伟 not (yet) an active member: the items stand without him
            return {"disclosure_items": 3}
    return {"disclosure_items": 3}
