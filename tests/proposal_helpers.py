"""Builders shared by the proposal tests: a congress with delegates, a department, proposals at each step."""

from __future__ import annotations

from gonghui.proposals import services
from gonghui.proposals.models import Proposal

from .conftest import make_user
from .congress_setup import CongressSetup, make_congress


def idea(**extra) -> services.ProposalInput:
    data = {
        "title": "关于改善倒班职工夜班餐的提案",
        "category": "life",
        "reasons": "夜班职工凌晨只能吃泡面，食堂夜间不开放，身体吃不消。",
        "measures": "食堂夜间开放一个窗口，提供热饭热菜，费用按白班标准补贴。",
    }
    data.update(extra)
    return services.ProposalInput(**data)


def make_cg(tree, chair) -> CongressSetup:
    """A congress of grassroots union A with five serving delegates who have accounts (min co-signers 2)."""
    return make_congress(org=tree.grassroots_a, chair=chair, delegates=5, present=0)


def make_dept(tree, chair):
    """The logistics department of union A, whose contact person answers in the portal."""
    contact = make_user("13700009999", "后勤部孙经理")
    return services.department_add(actor=chair, org=tree.grassroots_a, name="后勤保障部", contact=contact)


def submit(cg, n: int = 0, **extra) -> Proposal:
    return services.proposal_submit(
        user=cg.users[n], congress=cg.congress, data=idea(**extra), meeting=cg.meeting
    )


def at_committee(cg) -> Proposal:
    p = submit(cg)
    services.proposal_cosign(user=cg.users[1], proposal=p)
    return services.proposal_cosign(user=cg.users[2], proposal=p)


def answered(cg, chair, dept) -> Proposal:
    p = services.proposal_accept(actor=chair, proposal=at_committee(cg))
    p = services.proposal_assign(actor=chair, proposal=p, department=dept)
    return services.proposal_answer(actor=dept.contact, proposal=p, text="食堂自十二月起夜间开放一个窗口。")
