"""The report on proposals and their handling (提案办理情况报告) for the next meeting of the congress: every
proposal of the congress (or those since its last meeting), its decision, department, answer, timeliness and
the proposer's satisfaction; published to the union's members as a snapshot."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gonghui.congress.models import Congress, Meeting, MeetingStatus
from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.notify import notify_users
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.services import require

from ..models import Proposal, ProposalReport, ProposalStatus, Satisfaction
from .proposals import MANAGE


def report_since(congress: Congress) -> datetime.datetime | None:
    """When the congress's last closed meeting began: "since the last session" means proposals after it."""
    last = (
        Meeting.objects.filter(congress=congress, status=MeetingStatus.CLOSED).order_by("-starts_at").first()
    )
    return last.starts_at if last else None


def report_proposals(congress: Congress, since: datetime.datetime | None) -> QuerySet[Proposal]:
    qs = Proposal.objects.filter(congress=congress).exclude(status=ProposalStatus.WITHDRAWN)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.select_related("department", "suggestion").order_by("created_at", "pk")


def report_rows(
    congress: Congress, since: datetime.datetime | None
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One row per proposal with its handling, and the totals (two queries)."""
    rows: list[dict[str, Any]] = []
    totals = {
        "total": 0,
        "accepted": 0,
        "converted": 0,
        "rejected": 0,
        "pending": 0,
        "answered": 0,
        "on_time": 0,
        "satisfied": 0,
        "basically": 0,
        "not_satisfied": 0,
    }
    for p in report_proposals(congress, since):
        totals["total"] += 1
        accepted = p.status in (
            ProposalStatus.ACCEPTED,
            ProposalStatus.ASSIGNED,
            ProposalStatus.ANSWERED,
            ProposalStatus.CLOSED,
        )
        if accepted:
            totals["accepted"] += 1
        elif p.status == ProposalStatus.CONVERTED:
            totals["converted"] += 1
        elif p.status == ProposalStatus.REJECTED:
            totals["rejected"] += 1
        else:
            totals["pending"] += 1
        answered_on = timezone.localdate(p.answered_at) if p.answered_at else None
        on_time = bool(answered_on and p.due_on and answered_on <= p.due_on)
        if answered_on:
            totals["answered"] += 1
            totals["on_time"] += int(on_time)
        if p.satisfaction:
            totals[p.satisfaction] += 1
        rows.append(
            {
                "number": p.number,
                "title": p.title,
                "proposer": p.proposer_name,
                "category": str(p.get_category_display()),
                "cosigners": p.cosigner_count,
                "status": p.status,
                "status_label": str(p.get_status_display()),
                "decision_note": p.decision_note,
                "suggestion": p.suggestion.number if p.suggestion else "",
                "department": p.department.name if p.department else "",
                "due_on": p.due_on.isoformat() if p.due_on else "",
                "answered_on": answered_on.isoformat() if answered_on else "",
                "on_time": on_time,
                "answer": p.answer,
                "satisfaction": str(Satisfaction(p.satisfaction).label) if p.satisfaction else "",
            }
        )
    return rows, totals


def proposal_report_publish(
    *, actor: Any, congress: Congress, since_last_meeting: bool = False
) -> ProposalReport:
    """Publish the report to the union's members: a snapshot of the rows as they stand now, in Chinese (a
    document of the congress), audited; the members are told in the portal."""
    require(actor=actor, perm=MANAGE, org=congress.org)
    since = report_since(congress) if since_last_meeting else None
    with translation.override("zh-hans"):
        rows, totals = report_rows(congress, since)
        title = str(_("%(congress)s: proposals and their handling")) % {"congress": congress.name}
    if not rows:
        raise ServiceError("empty_report", _("There are no proposals to report on."), status=409)
    with transaction.atomic():
        report = ProposalReport.objects.create(
            congress=congress,
            org=congress.org,
            title=title[:200],
            since=since,
            rows=rows,
            totals=totals,
            published_at=timezone.now(),
            published_by=actor,
        )
        from django.urls import reverse

        user_ids = list(
            Member.objects.filter(org=congress.org, status=MemberStatus.ACTIVE, user__isnull=False)
            .values_list("user_id", flat=True)
            .distinct()
        )
        notify_users(
            user_ids,
            str(_("Published: %(title)s")) % {"title": report.title},
            reverse("portal:proposal_report", args=[report.pk]),
        )
        log_action(
            actor=actor,
            action="gonghui.proposal.report_published",
            obj=report,
            org_path=congress.org.path,
            data={
                "congress": congress.pk,
                "proposals": len(rows),
                "since": since.isoformat() if since else None,
            },
        )
    return report
