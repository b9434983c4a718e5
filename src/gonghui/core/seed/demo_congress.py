"""A demo workers' congress for 西溪数智 (330106-G01, the union of the demo chair 吴主席 and the member 张伟).

Thirty delegates in three constituencies, taken from the union's members (张伟 among them, so the demo member
can check in and vote from the portal). Last year's meeting is closed with a wage resolution and an election
counted from paper ballots entered by two tellers and published; this year's meeting is in session with most
delegates checked in and a secret vote open, so the big screen and the phone ballot have something to show.
Everything goes through the congress services. Idempotent: skipped once the union has a congress.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.congress import services
from gonghui.congress.models import Congress
from gonghui.core.fields import blind_q
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org

CONSTITUENCIES = [("研发中心", 260, 13), ("生产车间", 220, 11), ("职能部门", 120, 6)]
DELEGATES = 30


def _user(mobile: str) -> User:
    return User.objects.get(blind_q(User, "mobile", mobile))


def seed_congress(*, now: datetime.datetime | None = None) -> dict[str, int]:
    org = Org.objects.filter(code="330106-G01").first()
    if org is None or Congress.objects.filter(org=org).exists():
        return {"congress_delegates": 0}
    now = now or timezone.now()
    chair = _user("13800000006")  # 吴主席
    second_teller = _user("13800000004")  # 李区干, who oversees the count from the district
    zhang = _user("13900000001")
    congress = services.congress_create(
        actor=chair,
        org=org,
        name="西溪数智科技有限公司第三届职工代表大会",
        term_start=datetime.date(now.year - 1, 1, 1),
        term_end=datetime.date(now.year + 3, 12, 31),
        staff_count=600,
        kind="congress",
        term_number=3,
        women_staff=246,
        dispatched_staff=90,
    )
    constituencies = [
        services.constituency_add(actor=chair, congress=congress, name=n, staff_count=s, seats=seats)
        for n, s, seats in CONSTITUENCIES
    ]
    members = list(
        Member.objects.filter(org=org, status=MemberStatus.ACTIVE)
        .exclude(user=zhang)
        .order_by("number")[: DELEGATES - 1]
    )
    zhang_member = Member.objects.filter(org=org, user=zhang, status=MemberStatus.ACTIVE).first()
    people: list[Any] = ([zhang_member] if zhang_member else []) + members
    delegates = []
    for i, member in enumerate(people[:DELEGATES]):
        where = constituencies[0] if i < 13 else constituencies[1] if i < 24 else constituencies[2]
        delegates.append(
            services.delegate_add(
                actor=chair,
                congress=congress,
                constituency=where,
                elected_on=congress.term_start,
                category=("worker", "technician", "worker", "manager", "worker")[i % 5],
                middle_manager=i % 6 == 3,
                member=member,
            )
        )
    # Fewer members than seats in a small demo: fill up with delegates who vote on paper.
    for i in range(len(delegates), DELEGATES):
        delegates.append(
            services.delegate_add(
                actor=chair,
                congress=congress,
                constituency=constituencies[1],
                elected_on=congress.term_start,
                category="worker",
                name=f"车间代表{i + 1}",
                sex="female" if i % 2 else "male",
            )
        )

    # Last year's meeting: a wage resolution and an employee-director election, on paper, counted and published.
    past = services.meeting_create(
        actor=chair,
        congress=congress,
        title="第三届职代会第一次会议",
        starts_at=now - datetime.timedelta(days=300),
        place="公司大礼堂",
        agenda=[("审议年度工资集体协商方案", "resolution"), ("选举职工董事", "election")],
    )
    services.meeting_open(actor=chair, meeting=past)
    for delegate in delegates[:27]:
        services.attendance_record(actor=chair, meeting=past, delegate=delegate)
    items = list(past.agenda.all())
    resolution = services.poll_create(
        actor=chair,
        meeting=past,
        kind="resolution",
        title="表决《2026年度工资集体协商方案》",
        options=["2026年度工资集体协商方案"],
        agenda_item=items[0],
        teller_a=chair,
        teller_b=second_teller,
    )
    election = services.poll_create(
        actor=chair,
        meeting=past,
        kind="election",
        title="选举职工董事",
        options=["陈晓梅", "黄志强"],
        seats=1,
        agenda_item=items[1],
        teller_a=chair,
        teller_b=second_teller,
    )
    for poll, papers in (
        (resolution, ["approve"] * 23 + ["oppose"] * 2 + ["abstain"] * 2),
        (election, [0] * 17 + [1] * 8 + [None] * 2),
    ):
        poll = services.poll_open(actor=chair, poll=poll)
        for delegate in delegates[:27]:
            services.paper_issue(actor=chair, poll=poll, delegate=delegate)
        poll = services.poll_close(actor=chair, poll=poll)
        options = list(poll.options.values_list("pk", flat=True))
        for teller in (chair, second_teller):
            for serial, paper in enumerate(papers, start=1):
                if isinstance(paper, str):
                    marks = {options[0]: paper}
                elif paper is None:
                    marks = {}
                else:
                    marks = {options[paper]: "approve"}
                services.paper_entry_record(actor=teller, poll=poll, serial=serial, marks=marks)
        poll = services.poll_count(actor=chair, poll=poll)
        services.poll_publish(actor=chair, poll=poll)
    services.meeting_close(actor=chair, meeting=past)

    # This year's meeting, in session: 24 of 30 checked in (20 make the quorum), a secret vote open.
    current = services.meeting_create(
        actor=chair,
        congress=congress,
        title="第三届职代会第二次会议",
        starts_at=now - datetime.timedelta(hours=1),
        place="公司大礼堂",
        agenda=[
            ("听取总经理工作报告", "report"),
            ("审议《员工带薪年休假实施办法（修订）》", "resolution"),
            ("听取提案工作报告", "report"),
        ],
    )
    services.meeting_open(actor=chair, meeting=current)
    for delegate in delegates[1:24]:  # 张伟 checks in himself by scanning the QR code
        services.attendance_record(actor=chair, meeting=current, delegate=delegate)
    item = list(current.agenda.all())[1]
    services.meeting_set_item(actor=chair, meeting=current, item=item)
    vote = services.poll_create(
        actor=chair,
        meeting=current,
        kind="resolution",
        title="表决《员工带薪年休假实施办法（修订）》",
        options=["员工带薪年休假实施办法（修订）"],
        agenda_item=item,
    )
    services.poll_open(actor=chair, poll=vote)
    return {"congress_delegates": len(delegates)}
