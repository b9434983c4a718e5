"""Joining: submit (or become a transfer), reroute, approve (one or a batch), reject, withdraw; the one-step join
of the API (application_join), who the applicant is (applicant_verify) and the applicant's own notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.identifiers import clean_mobile
from gonghui.core.notify import notify_org, notify_users, send_sms
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can

from .. import counters, routing
from ..models import Application, ApplicationStep, Member, MemberEvent, Transfer
from ..selectors import policy_for
from .people import (
    Person,
    _due,
    _event,
    _holding_org,
    _live_member,
    _require,
    _step,
    member_numbers_reserve,
    person_clean,
)
from .transfers import _transfer_open

# --- helpers -----------------------------------------------------------------------------------------------


def _tell_applicant(app: Application, text: str) -> None:
    url = reverse("portal:application", args=[app.pk])
    notify_users([app.applicant_id], text, url)
    send_sms(app.mobile, text)


# --- applications ------------------------------------------------------------------------------------------


def application_submit(
    *,
    user: Any,
    person: Person,
    consent: bool,
    employer_org: Org | None = None,
    platform_org: Org | None = None,
    chosen_org: Org | None = None,
) -> Application:
    """A worker applies to join. The ID number is stored only with the person's separate consent (PIPL art. 29);
    the application is routed, given a deadline in working days and the union's reviewers are told. Someone
    who is already a member elsewhere gets a transfer instead."""
    from gonghui.accounts.models import Consent
    from gonghui.accounts.services import consent_give, consent_live, privacy_notice_current

    with transaction.atomic():
        if not consent_live(user=user, purpose=Consent.Purpose.SENSITIVE):
            notice = privacy_notice_current()
            if not consent or notice is None:
                raise ServiceError(
                    "consent_required",
                    _("To join, agree that the union may keep your ID number for membership."),
                    field="consent",
                )
            consent_give(user=user, purpose=Consent.Purpose.SENSITIVE, notice=notice)
        from gonghui.core.fields import blind_q

        if Application.objects.filter(
            blind_q(Application, "id_number", person.id_number), status="pending"
        ).exists():
            raise ServiceError(
                "application_pending",
                _("An application with this ID number is already under review; follow its progress instead."),
                status=409,
                field="id_number",
            )
        found = routing.route(
            employment_form=person.employment_form,
            employer_org=employer_org,
            employer_uscc=person.employer_uscc,
            platform_org=platform_org,
            chosen_org=chosen_org,
            work_division_code=person.work_division_code,
        )
        today = timezone.localdate()
        due_on, provisional = _due(today, policy_for(found.org).review_workdays)
        app = Application.objects.create(
            applicant=user,
            employer_org=employer_org,
            platform_org=platform_org,
            chosen_org=chosen_org,
            org=found.org,
            route_code=found.code,
            route_note=found.explain()[:300],
            due_on=due_on,
            due_provisional=provisional,
            **person.fields(),
        )
        _step(app, ApplicationStep.Kind.SUBMITTED)
        existing = _live_member(person.id_number)
        if existing is not None:
            if existing.org_id == found.org.pk:
                raise ServiceError(
                    "already_member",
                    _("You are already a member of %(org)s.") % {"org": existing.org.name},
                    status=409,
                    field="id_number",
                )
            transfer = _transfer_open(
                member=existing,
                to_org=found.org,
                actor=user,
                started_by=Transfer.StartedBy.APPLICATION,
                reason=str(_("Applied to join %(org)s") % {"org": found.org.name}),
                new_employer_name=person.employer_name,
                new_employer_uscc=person.employer_uscc,
            )
            app.status = Application.Status.TRANSFER
            app.transfer = transfer
            app.save(update_fields=["status", "transfer"])
            _step(app, ApplicationStep.Kind.TRANSFER, org=found.org, note=found.explain())
            log_action(actor=user, action="gonghui.member.application_became_transfer", obj=app)
            return app
        _step(app, ApplicationStep.Kind.ROUTED, note=found.explain())
        log_action(
            actor=user, action="gonghui.member.application_submitted", obj=app, data={"route": found.code}
        )
        url = reverse("console:application", args=[app.pk])
        notify_org(found.org, "review", str(_("New membership application to review")), url)
        _tell_applicant(
            app,
            str(_("Your membership application was received by %(org)s; a decision is due by %(date)s."))
            % {"org": found.org.name, "date": due_on.isoformat()},
        )
    return app


def _check_pending(app: Application) -> None:
    if app.status != Application.Status.PENDING:
        raise ServiceError("application_closed", _("This application has already been decided."), status=409)


def _require_reviewer(actor: Any, app: Application) -> None:
    escalated = app.escalated_to is not None and actor_can(actor, "review", app.escalated_to)
    if not escalated:
        _require(actor, "review", app.org)


def application_reroute(*, actor: Any, application: Application, org: Org, reason: str) -> Application:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(
            "reason_required", _("Say why the application goes to another union."), field="reason"
        )
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        _check_pending(app)
        _require_reviewer(actor, app)
        if not org.is_active:
            raise ServiceError("org_inactive", _("That union is no longer active."), field="org")
        if org.pk == app.org_id:
            raise ServiceError("same_org", _("The application is already with this union."), field="org")
        old = app.org
        due_on, provisional = _due(timezone.localdate(), policy_for(org).review_workdays)
        app.org, app.route_code = org, "rerouted"
        app.route_note = routing.explain("rerouted", org, reason)[:300]
        app.due_on, app.due_provisional = due_on, provisional
        app.reminded_at = app.escalated_at = None
        app.escalated_to = None
        app.save()
        _step(app, ApplicationStep.Kind.REROUTED, org=org, note=app.route_note)
        log_action(
            actor=actor,
            action="gonghui.member.application_rerouted",
            obj=app,
            org_path=old.path,
            data={"from": old.pk, "to": org.pk, "reason": reason[:200]},
        )
        notify_org(
            org,
            "review",
            str(_("A membership application was passed to your union")),
            reverse("console:application", args=[app.pk]),
        )
        _tell_applicant(app, app.route_note)
    return app


def application_approve(*, actor: Any, application: Application, place_in: Org | None = None) -> Member:
    """Approve and make the member: a number, the card, the counters. A union that holds no members (a
    district) places the member in one of its holding unions."""
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("org").get(pk=application.pk)
        _check_pending(app)
        _require_reviewer(actor, app)
        org = place_in or app.org
        if place_in is not None and place_in.pk != app.org_id:
            _require(actor, "review", place_in)
        _holding_org(org)
        if _live_member(app.id_number) is not None:
            raise ServiceError(
                "already_member",
                _("This person became a member elsewhere meanwhile; start a transfer."),
                status=409,
            )
        [number] = member_numbers_reserve(1)
        person_values = {f: getattr(app, f) for f in _PERSON_FIELDS}
        try:
            with transaction.atomic():
                member = Member.objects.create(
                    org=org,
                    user=app.applicant,
                    number=number,
                    joined_on=timezone.localdate(),
                    last_participated_on=timezone.localdate(),
                    **person_values,
                )
        except IntegrityError:
            raise ServiceError("already_member", _("This person is already a member."), status=409) from None
        _event(
            member, MemberEvent.Kind.JOINED, actor=actor, note=str(_("Application #%(id)s") % {"id": app.pk})
        )
        counters.member_added(member)
        app.status, app.member = Application.Status.APPROVED, member
        app.decided_by, app.decided_at = actor, timezone.now()
        app.save(update_fields=["status", "member", "decided_by", "decided_at"])
        _step(app, ApplicationStep.Kind.APPROVED, org=org)
        log_action(
            actor=actor, action="gonghui.member.application_approved", obj=app, data={"member": member.pk}
        )
        _tell_applicant(
            app,
            str(_("Welcome! %(org)s approved your membership. Your member number is %(number)s."))
            % {"org": org.name, "number": number},
        )
    return member


_PERSON_FIELDS = (
    "name",
    "name_pinyin",
    "name_initials",
    "id_number",
    "id_last4",
    "birth_date",
    "sex",
    "mobile",
    "employer_name",
    "employer_uscc",
    "employment_form",
    "work_division_code",
    "work_place",
)


def application_reject(*, actor: Any, application: Application, reason: str) -> Application:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("reason_required", _("Give the reason; the applicant is told it."), field="reason")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        _check_pending(app)
        _require_reviewer(actor, app)
        app.status, app.reason = Application.Status.REJECTED, reason
        app.decided_by, app.decided_at = actor, timezone.now()
        app.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        _step(app, ApplicationStep.Kind.REJECTED, note=reason)
        log_action(
            actor=actor, action="gonghui.member.application_rejected", obj=app, data={"reason": reason[:200]}
        )
        _tell_applicant(
            app,
            str(_("%(org)s could not approve your application: %(reason)s"))
            % {"org": app.org.name, "reason": reason},
        )
    return app


@dataclass
class BatchResult:
    approved: list[Member]
    failed: list[tuple[Application, str]]


def applications_approve_batch(*, actor: Any, applications: list[Application]) -> BatchResult:
    """Approve several; each is its own transaction, so one that cannot be approved does not hold up the rest."""
    result = BatchResult([], [])
    for app in applications:
        try:
            result.approved.append(application_approve(actor=actor, application=app))
        except ServiceError as exc:
            result.failed.append((app, str(exc.message)))
    return result


def application_withdraw(*, user: Any, application: Application) -> Application:
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.applicant_id != user.pk:
            raise NotFound(_("No such application."))
        _check_pending(app)
        app.status = Application.Status.WITHDRAWN
        app.decided_at = timezone.now()
        app.save(update_fields=["status", "decided_at"])
        _step(app, ApplicationStep.Kind.WITHDRAWN)
        log_action(actor=user, action="gonghui.member.application_withdrawn", obj=app)
    return app


# --- one-step forms of the workflows above (the API) -------------------------------------------------------


def application_join(
    *,
    user: Any,
    values: dict[str, Any],
    consent: bool,
    code: str = "",
    employer_org: Org | None = None,
    platform_org: Org | None = None,
    chosen_org: Org | None = None,
) -> Application:
    """A logged-in worker applies with what they typed. A mobile number other than the account's must be
    proven with an SMS code (accounts.services.sms_code_request(verify=True)); the check runs outside any
    transaction, so that a wrong code counts as an attempt even though the application is refused."""
    from gonghui.accounts.services import sms_code_check

    values = dict(values)
    account_mobile = getattr(user, "mobile", "") or ""
    if not (values.get("mobile") or "").strip():
        values["mobile"] = account_mobile
    person = person_clean(**values)
    if person.mobile != account_mobile:
        if not code.strip():
            raise ServiceError(
                "code_required",
                _("Confirm this mobile number with the code we send to it."),
                field="code",
            )
        sms_code_check(mobile=person.mobile, code=code)
    return application_submit(
        user=user,
        person=person,
        consent=consent,
        employer_org=employer_org,
        platform_org=platform_org,
        chosen_org=chosen_org,
    )


# --- the member-facing portal: the applicant's account, own notices -----------------------------------------


def applicant_verify(*, user: Any, mobile: str, code: str, real_name: str) -> tuple[Any, bool]:
    """Who applies to join, and whether they have just signed in.

    A logged-in person applying with their account's own number needs no code. Any other number must be
    proven with the SMS code sent by `accounts.services.sms_code_request(verify=True)`; a logged-in person
    then keeps applying from their own account, and a visitor is signed in to the account of that number
    (opened for them when there is none: the code proved they hold the phone, as an SMS login does)."""
    from gonghui.accounts.services import account_find_or_create, sms_code_check
    from gonghui.core.masking import mask_mobile

    mobile = clean_mobile(mobile)
    logged_in = getattr(user, "is_authenticated", False)
    if logged_in and user.mobile == mobile:
        return user, False
    if not (code or "").strip():
        raise ServiceError("code_required", _("Enter the code we sent to this number."), field="code")
    try:
        sms_code_check(mobile=mobile, code=code)
    except ServiceError:
        with transaction.atomic():
            log_action(actor=mask_mobile(mobile), action="gonghui.member.join_code_failed", result="failed")
        raise
    if logged_in:
        return user, False
    account = account_find_or_create(actor="self-service", mobile=mobile, real_name=real_name)
    if not account.is_active or account.is_superuser:
        with transaction.atomic():
            log_action(actor=account, action="gonghui.auth.login_refused", obj=account, result="denied")
        raise ServiceError(
            "account_unavailable",
            _("This number's account cannot be used here. Please contact your union."),
            status=403,
            field="mobile",
        )
    with transaction.atomic():
        log_action(actor=account, action="gonghui.auth.login", obj=account, data={"how": "join"})
    return account, True


def notices_mark_read(*, user: Any, notice_ids: list[int] | None = None) -> int:
    """Mark the person's own notices read (all of them, or those given); others' notices are never touched."""
    from gonghui.core.models import Notice

    with transaction.atomic():
        qs = Notice.objects.filter(user=user, read_at__isnull=True)
        if notice_ids is not None:
            qs = qs.filter(pk__in=notice_ids)
        count = qs.update(read_at=timezone.now())
        if count:
            log_action(actor=user, action="gonghui.notice.read", obj=user, data={"count": count})
    return count
