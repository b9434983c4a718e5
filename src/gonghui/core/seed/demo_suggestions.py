"""Demo rationalisation suggestions (合理化建议) at 西溪数智 (330106-G01) and two other unions of district A, in
every state, this year and last: submitted online by the demo member 张伟, recorded from the suggestion box for
other members, evaluated, adopted or not, implemented and rewarded with the benefit recorded.

They go through the suggestion services, so events, notices and the audit log are what the real workflow
writes; the submission times are then moved back (a demo needs a history). Idempotent: skipped once any
suggestion exists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q


@dataclass(frozen=True)
class DemoSuggestion:
    org_code: str
    title: str
    category: str
    situation: str
    measures: str
    steps: tuple[
        str, ...
    ] = ()  # evaluate, adopt, decline:<reason>, implement:<benefit>, reward:<form>:<amount>
    days_ago: int = 10
    by_zhang: bool = False


SUGGESTIONS = [
    DemoSuggestion(
        "330106-G01",
        "研发楼夜间照明改为感应控制",
        "cost",
        "研发楼走廊和楼梯间夜间常亮，下班后基本无人，电费浪费明显。",
        "走廊和楼梯间改装人体感应灯，保留应急照明，预计半年收回成本。",
        by_zhang=True,
        days_ago=2,
    ),
    DemoSuggestion(
        "330106-G01",
        "代码评审清单标准化",
        "quality",
        "各项目组代码评审标准不一，线上缺陷中有三成是评审可以发现的问题。",
        "制定统一的评审清单，纳入合并流程，每季度复盘一次。",
        steps=("evaluate",),
        days_ago=12,
    ),
    DemoSuggestion(
        "330106-G01",
        "机房巡检改用移动端打卡",
        "management",
        "机房巡检用纸质记录，漏检难发现，月底汇总要花两天。",
        "用手机扫码打卡，异常拍照上传，系统自动生成月报。",
        steps=("evaluate", "adopt", "implement:18000", "reward:cash:600"),
        days_ago=120,
    ),
    DemoSuggestion(
        "330106-G01",
        "加班晚餐改为按需预订",
        "welfare",
        "加班晚餐按固定份数准备，每天剩余十几份，有时又不够。",
        "下午四点前在企业微信预订，食堂按预订量备餐。",
        steps=("evaluate", "adopt", "implement:6500"),
        days_ago=60,
    ),
    DemoSuggestion(
        "330106-G01",
        "取消周六例会",
        "management",
        "周六例会占用休息时间，内容多为通报。",
        "改为周五下午线上例会，通报材料提前发群里。",
        steps=("evaluate", "decline:例会安排涉及客户交付节点，公司已决定下季度起改为隔周一次，暂不取消。"),
        days_ago=45,
    ),
    DemoSuggestion(
        "330106-G04",
        "脚手架验收增加二维码标识",
        "safety",
        "脚手架验收状态靠口头传达，班组有时在未验收的架子上作业。",
        "验收合格的脚手架挂二维码牌，扫码可见验收人和日期，未挂牌禁止上架作业。",
        steps=("evaluate", "adopt", "implement:0", "reward:certificate:"),
        days_ago=200,
    ),
    DemoSuggestion(
        "330106-G05",
        "门店处方药盘点改为每周一次",
        "quality",
        "处方药每月盘点一次，近效期药品发现太晚，报损多。",
        "处方药每周盘点，近效期三个月的药品标红提醒。",
        steps=("evaluate", "adopt"),
        days_ago=380,
    ),
]


@transaction.atomic
def seed_suggestions(*, now: datetime.datetime | None = None) -> dict[str, int]:
    from gonghui.members.models import Member, MemberStatus
    from gonghui.orgs.models import Org
    from gonghui.suggestions import services
    from gonghui.suggestions.models import Suggestion, SuggestionEvent

    if Suggestion.objects.exists():
        return {"suggestions_created": 0}
    now = now or timezone.now()
    admin = User.objects.filter(blind_q(User, "mobile", "13800000004")).first()  # 李区干, district A
    zhang = User.objects.filter(blind_q(User, "mobile", "13900000001")).first()
    if admin is None:
        return {"suggestions_created": 0}
    orgs = {o.code: o for o in Org.objects.filter(code__in={s.org_code for s in SUGGESTIONS})}
    created = 0
    for k, demo in enumerate(SUGGESTIONS):
        org = orgs.get(demo.org_code)
        if org is None:
            continue
        data = services.SuggestionInput(
            title=demo.title, category=demo.category, situation=demo.situation, measures=demo.measures
        )
        if demo.by_zhang and zhang is not None and services.active_membership(zhang) is not None:
            s = services.suggestion_submit(user=zhang, data=data)
        else:
            member = (
                Member.objects.filter(org=org, status=MemberStatus.ACTIVE, user__isnull=True)
                .order_by("pk")[k : k + 1]
                .first()
            )
            if member is None:
                continue
            s = services.suggestion_record(actor=admin, member=member, data=data)
        for step in demo.steps:
            kind, _sep, rest = step.partition(":")
            if kind == "evaluate":
                services.suggestion_evaluate(actor=admin, suggestion=s)
            elif kind == "adopt":
                services.suggestion_decide(
                    actor=admin, suggestion=s, adopt=True, notes="经评审组讨论，建议可行。"
                )
            elif kind == "decline":
                services.suggestion_decide(actor=admin, suggestion=s, adopt=False, reason=rest)
            elif kind == "implement":
                services.suggestion_implement(
                    actor=admin,
                    suggestion=s,
                    implemented_on=None,
                    note="已按建议实施，运行正常。",
                    benefit_amount=rest or None,
                    benefit_description="按实施后三个月的数据折算全年。" if rest and rest != "0" else "",
                )
            elif kind == "reward":
                form, _sep, amount = rest.partition(":")
                services.suggestion_reward(actor=admin, suggestion=s, form=form, amount=amount or None)
        # A history: the suggestion was made `days_ago` days ago, and its steps followed it by a few days each.
        at = now - datetime.timedelta(days=demo.days_ago)
        Suggestion.objects.filter(pk=s.pk).update(
            submitted_at=at,
            year=timezone.localdate(at).year,
            number=f"JY{timezone.localdate(at):%Y}{s.pk:06d}",
        )
        for n, event in enumerate(SuggestionEvent.objects.filter(suggestion=s).order_by("pk")):
            step_at = min(at + datetime.timedelta(days=3 * n), now)
            SuggestionEvent.objects.filter(pk=event.pk).update(at=step_at)
        s.refresh_from_db()
        if s.decided_at:
            Suggestion.objects.filter(pk=s.pk).update(decided_at=min(at + datetime.timedelta(days=6), now))
        if s.implemented_on:
            Suggestion.objects.filter(pk=s.pk).update(
                implemented_on=timezone.localdate(min(at + datetime.timedelta(days=9), now))
            )
        created += 1
    return {"suggestions_created": created}
