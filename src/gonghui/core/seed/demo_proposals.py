"""Demo proposals (提案) of the 西溪数智 congress (330106-G01, from demo_congress): one collecting co-signers
(by the demo member 张伟, a delegate), one with the committee, one assigned and due, one overdue, one answered and
rated satisfied, one rated not satisfied (so it may be assigned again), one turned into a suggestion, one not
accepted; the union's departments, with a contact person who answers in the portal; and a published report.

Everything goes through the proposal services (paper proposals and co-signatures of delegates without an
account are recorded by the secretariat, as in real life); the times are then moved back (a demo needs a
history) and the daily sweep flags what that history left overdue. Idempotent: skipped once the congress has
proposals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q

# The contact person of the logistics department, who answers proposals in the portal (password: the demo's).
CONTACT_MOBILE, CONTACT_NAME = "13900000003", "孙后勤"


@dataclass(frozen=True)
class DemoProposal:
    title: str
    category: str
    reasons: str
    measures: str
    days_ago: int
    steps: tuple[
        str, ...
    ]  # cosign:<n>, accept, convert, reject:<reason>, assign:<dept>:<days>, answer:<text>, rate:<s>
    by_zhang: bool = False


PROPOSALS = [
    DemoProposal(
        "关于设立员工心理健康咨询室的提案",
        "life",
        "研发岗位加班多、压力大，近一年有多名员工因焦虑请长假，公司没有专门的心理支持渠道。",
        "在职工之家设立心理咨询室，每周请专业咨询师坐班两个半天，预约信息严格保密。",
        3,
        ("cosign:1",),
        by_zhang=True,
    ),
    DemoProposal(
        "关于优化加班调休办法的提案",
        "wages",
        "现行调休须在当月用完，项目紧张时根本休不了，加班时间白白作废。",
        "调休有效期延长至六个月，到期未休的按规定支付加班费。",
        10,
        ("cosign:3",),
    ),
    DemoProposal(
        "关于增设园区通勤班车的提案",
        "life",
        "地铁站到公司一点五公里没有公交，雨天打车难，迟到的人很多。",
        "早晚高峰各开两班接驳车，往返地铁站和公司。",
        12,
        ("cosign:2", "accept", "assign:后勤保障部:20"),
    ),
    DemoProposal(
        "关于更换研发楼老旧空调的提案",
        "safety",
        "研发楼空调使用超过十年，夏季多次故障，机房和办公区温度过高。",
        "分批更换老旧空调机组，机房加装备用空调。",
        60,
        ("cosign:2", "accept", "assign:后勤保障部:10"),
    ),
    DemoProposal(
        "关于完善新员工导师制度的提案",
        "training",
        "新员工入职后没有固定的带教人，试用期流失率高。",
        "每名新员工配一名导师，导师津贴纳入绩效，试用期结束时双向评价。",
        120,
        (
            "cosign:4",
            "accept",
            "assign:人力资源部:20",
            "answer:人力资源部已制定《新员工导师制实施办法》，自下季度起执行，导师津贴每月三百元。",
            "rate:satisfied",
        ),
    ),
    DemoProposal(
        "关于食堂延长晚餐供应时间的提案",
        "life",
        "食堂晚餐六点半结束，加班的员工常常吃不上饭。",
        "晚餐供应延长到八点，八点后提供简餐。",
        90,
        (
            "cosign:2",
            "accept",
            "assign:后勤保障部:15",
            "answer:经与餐饮公司协商，晚餐供应延长到七点。",
            "rate:not_satisfied",
        ),
    ),
    DemoProposal(
        "关于会议室预约系统改进的提案",
        "management",
        "会议室经常被预约后不用，真正需要的人订不到。",
        "预约后十五分钟未签到自动释放，超时占用记入部门考核。",
        50,
        ("cosign:2", "convert"),
    ),
    DemoProposal(
        "关于为个别员工调整岗位的提案",
        "other",
        "本人所在岗位与专业不符，希望调到研发岗位。",
        "请人力资源部为我调整岗位。",
        30,
        ("cosign:2", "reject:属于个人诉求，不符合提案立案范围，请通过人力资源部内部转岗渠道申请。"),
    ),
]


@transaction.atomic
def seed_proposals(*, now: datetime.datetime | None = None) -> dict[str, int]:
    from gonghui.congress.models import Congress, DelegateStatus
    from gonghui.orgs.models import Org
    from gonghui.proposals import services
    from gonghui.proposals.models import Proposal, ProposalEvent

    from .demo_congress import seed_congress

    org = Org.objects.filter(code="330106-G01").first()
    if org is None:
        return {"proposals_created": 0}
    seed_congress(now=now)
    congress = Congress.objects.filter(org=org).order_by("-term_number").first()
    if congress is None or Proposal.objects.filter(congress=congress).exists():
        return {"proposals_created": 0}
    now = now or timezone.now()
    chair = User.objects.get(blind_q(User, "mobile", "13800000006"))  # 吴主席
    zhang = User.objects.filter(blind_q(User, "mobile", "13900000001")).first()
    contact = User.objects.filter(blind_q(User, "mobile", CONTACT_MOBILE)).first()
    if contact is None:
        from django.conf import settings

        contact = User.objects.create_user(
            CONTACT_MOBILE, settings.GONGHUI_DEMO_PASSWORD, real_name=CONTACT_NAME
        )
    departments = {
        d.name: d
        for d in [
            services.department_add(actor=chair, org=org, name="后勤保障部", contact=contact),
            services.department_add(actor=chair, org=org, name="人力资源部"),
            services.department_add(actor=chair, org=org, name="安全环保部"),
        ]
    }
    delegates = list(congress.delegates.filter(status=DelegateStatus.ACTIVE).order_by("pk"))
    meeting = congress.meetings.exclude(status="closed").order_by("starts_at").first()
    created = 0
    for k, demo in enumerate(PROPOSALS):
        data = services.ProposalInput(
            title=demo.title, category=demo.category, reasons=demo.reasons, measures=demo.measures
        )
        if demo.by_zhang and zhang is not None and services.serving_delegate(zhang, congress) is not None:
            p = services.proposal_submit(user=zhang, congress=congress, data=data, meeting=meeting)
        else:
            proposer = delegates[(3 * k + 5) % len(delegates)]
            p = services.proposal_record(
                actor=chair, congress=congress, delegate=proposer, data=data, meeting=meeting
            )
        for step in demo.steps:
            kind, _sep, rest = step.partition(":")
            if kind == "cosign":
                others = [d for d in delegates if d.pk != p.proposer_id and d.user_id is None]
                for delegate in others[k : k + int(rest)]:
                    p = services.proposal_cosign_record(actor=chair, proposal=p, delegate=delegate)
            elif kind == "accept":
                p = services.proposal_accept(actor=chair, proposal=p, note="符合立案条件。")
            elif kind == "convert":
                p = services.proposal_convert(
                    actor=chair, proposal=p, note="属于具体工作改进，转为合理化建议办理。"
                )
            elif kind == "reject":
                p = services.proposal_reject(actor=chair, proposal=p, reason=rest)
            elif kind == "assign":
                name, _sep, days = rest.partition(":")
                p = services.proposal_assign(
                    actor=chair, proposal=p, department=departments[name], workdays=int(days)
                )
            elif kind == "answer":
                p = services.proposal_answer(actor=chair, proposal=p, text=rest)
            elif kind == "rate" and p.proposer.user is not None:
                p = services.proposal_rate(user=p.proposer.user, proposal=p, satisfaction=rest)
            elif kind == "rate":
                p = services.proposal_rate_record(actor=chair, proposal=p, satisfaction=rest)
        # A history: submitted `days_ago` days ago, each step a few days after the one before; the deadline is
        # counted again from the moved assignment day, as it would have been.
        at = now - datetime.timedelta(days=demo.days_ago)
        Proposal.objects.filter(pk=p.pk).update(created_at=at)
        for n, event in enumerate(ProposalEvent.objects.filter(proposal=p).order_by("pk")):
            ProposalEvent.objects.filter(pk=event.pk).update(at=min(at + datetime.timedelta(days=2 * n), now))
        p.refresh_from_db()
        if p.assigned_at is not None:
            from gonghui.core.calendar import add_workdays

            assigned = min(at + datetime.timedelta(days=5), now)
            workdays = next(int(s.rsplit(":", 1)[1]) for s in demo.steps if s.startswith("assign:"))
            Proposal.objects.filter(pk=p.pk).update(
                assigned_at=assigned, due_on=add_workdays(timezone.localdate(assigned), workdays)
            )
        if p.answered_at is not None:
            Proposal.objects.filter(pk=p.pk).update(answered_at=min(at + datetime.timedelta(days=20), now))
        created += 1
    swept = services.proposals_sweep(today=timezone.localdate(now))
    published = 0
    if Proposal.objects.filter(congress=congress).exists():
        services.proposal_report_publish(actor=chair, congress=congress)
        published = 1
    return {
        "proposals_created": created,
        "proposals_overdue": swept["overdue"],
        "proposal_reports": published,
    }
