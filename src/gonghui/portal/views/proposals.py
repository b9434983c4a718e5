"""Delegate and member pages of congress proposals (提案): a serving delegate submits a proposal and co-signs
colleagues' proposals; the proposer follows it and says whether the answer satisfies them; a department's
contact person answers the proposals assigned to the department; members read the published reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.congress.models import MeetingStatus
from gonghui.congress.selectors import own_delegateships
from gonghui.core.errors import ServiceError
from gonghui.proposals import selectors, services
from gonghui.proposals.forms import AnswerForm, ProposalForm, RateForm
from gonghui.proposals.models import ProposalStatus


@login_required
def proposals_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "portal/proposals/home.html",
        {
            "delegateships": list(own_delegateships(user=user)),
            "mine": list(selectors.own_proposals(user=user)[:50]),
            "to_cosign": list(selectors.proposals_to_cosign(user=user)[:50]),
            "to_answer": list(selectors.proposals_to_answer(user=user)[:50]),
            "reports": list(selectors.reports_for_member(user=user)[:10]),
        },
    )


def _proposal_form(request: HttpRequest) -> ProposalForm:
    form = ProposalForm(request.POST or None)
    delegateships = list(own_delegateships(user=request.user))
    form.fields["congress"].choices = [(d.congress_id, d.congress.name) for d in delegateships]  # type: ignore[attr-defined]
    from gonghui.congress.models import Meeting

    meetings = (
        Meeting.objects.filter(congress_id__in=[d.congress_id for d in delegateships])
        .exclude(status=MeetingStatus.CLOSED)
        .order_by("starts_at")
    )
    form.fields["meeting"].choices = [("", "—"), *[(m.pk, m.title) for m in meetings]]  # type: ignore[attr-defined]
    return form


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    form = _proposal_form(request)
    delegateships = {d.congress_id: d for d in own_delegateships(user=request.user)}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        congress = delegateships[d["congress"]].congress
        from gonghui.congress.models import Meeting

        meeting = Meeting.objects.filter(pk=d["meeting"], congress=congress).first() if d["meeting"] else None
        try:
            proposal = services.proposal_submit(
                user=request.user,
                congress=congress,
                meeting=meeting,
                data=services.ProposalInput(
                    title=d["title"], category=d["category"], reasons=d["reasons"], measures=d["measures"]
                ),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Your proposal was submitted; ask colleagues to co-sign it."))
            return redirect("portal:proposal", proposal_id=proposal.pk)
    return render(request, "portal/proposals/new.html", {"form": form, "is_delegate": bool(delegateships)})


@login_required
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    p = selectors.proposal_for_portal(user=request.user, proposal_id=proposal_id)
    user = request.user
    is_proposer = p.proposer.user_id == user.pk
    cosigners = list(selectors.proposal_cosigners(proposal=p))
    cosigned = any(c.delegate.user_id == user.pk for c in cosigners)
    return render(
        request,
        "portal/proposals/detail.html",
        {
            "p": p,
            "events": selectors.proposal_events(proposal=p),
            "cosigners": cosigners,
            "is_proposer": is_proposer,
            "may_cosign": not is_proposer
            and not cosigned
            and p.status in (ProposalStatus.COLLECTING, ProposalStatus.SUBMITTED)
            and own_delegateships(user=user).filter(congress_id=p.congress_id).exists(),
            "cosigned": cosigned,
            "may_withdraw": is_proposer and p.status in (ProposalStatus.COLLECTING, ProposalStatus.SUBMITTED),
            "may_answer": p.status == ProposalStatus.ASSIGNED
            and p.department is not None
            and p.department.contact_id == user.pk,
            "may_rate": is_proposer and p.status == ProposalStatus.ANSWERED and p.rated_at is None,
            "answer_form": AnswerForm(),
            "rate_form": RateForm(),
        },
    )


def _act(request: HttpRequest, proposal_id: int, act: Callable[[Any], Any], done: str) -> HttpResponse:
    p = selectors.proposal_for_portal(user=request.user, proposal_id=proposal_id)
    try:
        act(p)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("portal:proposal", proposal_id=proposal_id)


@login_required
@require_POST
def proposal_cosign(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _act(
        request,
        proposal_id,
        lambda p: services.proposal_cosign(user=request.user, proposal=p),
        _("You co-signed the proposal."),
    )


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _act(
        request,
        proposal_id,
        lambda p: services.proposal_withdraw(
            user=request.user, proposal=p, reason=request.POST.get("reason", "")
        ),
        _("The proposal was withdrawn."),
    )


@login_required
@require_POST
def proposal_answer(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _act(
        request,
        proposal_id,
        lambda p: services.proposal_answer(actor=request.user, proposal=p, text=request.POST.get("text", "")),
        _("Your answer was sent to the proposer."),
    )


@login_required
@require_POST
def proposal_rate(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _act(
        request,
        proposal_id,
        lambda p: services.proposal_rate(
            user=request.user,
            proposal=p,
            satisfaction=request.POST.get("satisfaction", ""),
            comment=request.POST.get("comment", ""),
        ),
        _("Thank you: your rating was recorded."),
    )


@login_required
def proposal_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """A published report on proposals and their handling, for the members of the union."""
    report = selectors.report_for_member(user=request.user, report_id=report_id)
    return render(request, "portal/proposals/report.html", {"report": report})
