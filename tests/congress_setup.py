"""Builders for congress tests: a congress of grassroots union A with delegates who have accounts, a meeting in
session and everyone (or some) checked in. Used by the congress, proposals and big-screen tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.congress import services
from gonghui.congress.models import Congress, Constituency, Delegate, Meeting
from gonghui.orgs.models import Org

TERM_START = datetime.date(2026, 1, 1)
TERM_END = datetime.date(2030, 12, 31)


@dataclass
class CongressSetup:
    congress: Congress
    constituency: Constituency
    delegates: list[Delegate]
    users: list[User]
    meeting: Meeting


def make_congress(
    *, org: Org, chair: User, delegates: int = 30, present: int | None = None, mobile_prefix: str = "1370000"
) -> CongressSetup:
    """A congress of `org` with `delegates` serving delegates (each with an account, password as the cast's),
    one meeting in session and the first `present` delegates checked in (all of them by default)."""
    from tests.conftest import PASSWORD

    congress = services.congress_create(
        actor=chair,
        org=org,
        name=f"{org.name}第一届职工代表大会",
        term_start=TERM_START,
        term_end=TERM_END,
        staff_count=max(120, delegates * 4),
        kind="congress",
    )
    constituency = services.constituency_add(actor=chair, congress=congress, name="一车间", seats=delegates)
    users, people = [], []
    for i in range(delegates):
        user = User.objects.create_user(f"{mobile_prefix}{i:04d}", PASSWORD, real_name=f"代表{i + 1}")
        users.append(user)
        people.append(
            services.delegate_add(
                actor=chair,
                congress=congress,
                constituency=constituency,
                elected_on=TERM_START,
                category="worker" if i % 5 else "manager",
                middle_manager=i % 10 == 0,
                name=f"代表{i + 1}",
                sex="female" if i % 2 else "male",
                user=user,
            )
        )
    meeting = services.meeting_create(
        actor=chair,
        congress=congress,
        title="第一届第一次职工代表大会",
        starts_at=timezone.now(),
        place="大礼堂",
        agenda=[("审议工资集体协商方案", "resolution"), ("选举职工董事", "election")],
    )
    services.meeting_open(actor=chair, meeting=meeting)
    for delegate in people[: delegates if present is None else present]:
        services.attendance_record(actor=chair, meeting=meeting, delegate=delegate)
    meeting.refresh_from_db()
    return CongressSetup(congress, constituency, people, users, meeting)
