"""Every write to membership data. Keyword-only, typed, audited; the roll-up counters change in the same
transaction as the members they count (members.counters)."""

from __future__ import annotations

import datetime
import functools
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from gonghui.core.audit import log_action
from gonghui.core.calendar import add_workdays_checked, workdays_between
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.identifiers import (
    clean_division_code,
    clean_id_number,
    clean_mobile,
    clean_uscc,
    id_number_facts_clean,
)
from gonghui.core.notify import notify_org, notify_users, send_sms
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can

from . import counters, routing
from .models import (
    Application,
    ApplicationStep,
    DuesMonth,
    EmploymentForm,
    LapseProposal,
    Member,
    MemberEvent,
    MemberPolicy,
    MemberStatus,
    RetainedReason,
    Sequence,
    Transfer,
)
from .rules import (
    DUES_PAYING,
    HOLDING_KINDS,
    STATUS_CHANGES,
    dues_amount,
    lapse_due,
    member_number,
    month_start,
)
from .selectors import POLICY_FIELDS, policy_for

NAME_MAX = 50

# --- the person --------------------------------------------------------------------------------------------


def clean_name(value: str, *, field: str = "name") -> str:
    """A real name as written on the ID card: NFKC (full-width letters folded), inner spaces removed for Chinese
    names, the middle dot of minority names (·) kept."""
    name = unicodedata.normalize("NFKC", value or "").strip()
    name = name.replace("•", "·").replace("・", "·")
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in name)
    name = "".join(name.split()) if chinese else " ".join(name.split())
    if not name:
        raise ServiceError("name_required", _("Give the real name."), field=field)
    if len(name) > NAME_MAX or any(ch.isdigit() for ch in name):
        raise ServiceError("invalid_name", _("This does not look like a real name."), field=field)
    return name


@functools.lru_cache(maxsize=20_000)
def _char_keys(char: str) -> tuple[str, str]:
    full = "".join(lazy_pinyin(char)).lower()
    return full, full[:1]


def name_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials for search and sorting: 张三 → ("zhangsan", "zs").

    Character by character, each cached: a name is two to four characters that rarely form a dictionary
    phrase, so this gives what lazy_pinyin gives for the whole name at a tenth of the cost in bulk imports."""
    full, initials = [], []
    for char in name:
        if char.isspace() or char == "·":
            continue
        f, i = _char_keys(char)
        full.append(f)
        initials.append(i)
    return "".join(full)[:200], "".join(initials)[:50]


@dataclass
class Person:
    name: str
    id_number: str
    mobile: str
    employer_name: str = ""
    employer_uscc: str = ""
    employment_form: str = EmploymentForm.REGULAR
    work_division_code: str = ""
    work_place: str = ""

    def fields(self) -> dict[str, Any]:
        birth, sex = id_number_facts_clean(self.id_number)
        pinyin, initials = name_keys(self.name)
        return {
            "name": self.name,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "id_number": self.id_number,
            "id_last4": self.id_number[-4:],
            "birth_date": birth,
            "sex": sex,
            "mobile": self.mobile,
            "employer_name": self.employer_name,
            "employer_uscc": self.employer_uscc,
            "employment_form": self.employment_form,
            "work_division_code": self.work_division_code,
            "work_place": self.work_place,
        }


def person_clean(
    *,
    name: str,
    id_number: str,
    mobile: str = "",
    employer_name: str = "",
    employer_uscc: str = "",
    employment_form: str = EmploymentForm.REGULAR,
    work_division_code: str = "",
    work_place: str = "",
    mobile_required: bool = True,
) -> Person:
    """Validate and normalise what a person or a cadre typed; every problem names its field."""
    if employment_form not in EmploymentForm.values:
        raise ServiceError("invalid_employment_form", _("Choose how you work."), field="employment_form")
    return Person(
        name=clean_name(name),
        id_number=clean_id_number(id_number),
        mobile=clean_mobile(mobile) if (mobile or mobile_required) else "",
        employer_name=" ".join((employer_name or "").split())[:120],
        employer_uscc=clean_uscc(employer_uscc, field="employer_uscc") if employer_uscc.strip() else "",
        employment_form=employment_form,
        work_division_code=(
            clean_division_code(work_division_code, field="work_division_code")
            if work_division_code.strip()
            else ""
        ),
        work_place=" ".join((work_place or "").split())[:200],
    )


# --- member numbers ----------------------------------------------------------------------------------------


def member_numbers_reserve(count: int) -> list[str]:
    """`count` new member numbers, handed out from one locked counter row (one UPDATE for a whole import)."""
    if count <= 0:
        return []
    with transaction.atomic():
        Sequence.objects.get_or_create(name="member_number")
        seq = Sequence.objects.select_for_update().get(name="member_number")
        start = seq.value + 1
        seq.value += count
        seq.save(update_fields=["value"])
    return [member_number(serial) for serial in range(start, start + count)]


# --- helpers -----------------------------------------------------------------------------------------------


def _require(actor: Any, perm: str, org: Org) -> None:
    if not actor_can(actor, perm, org):
        if not (actor_can(actor, "member.view", org) or actor_can(actor, "org.view", org)):
            raise NotFound(_("No such union in your scope."))
        raise PermissionDenied(_("Your role does not allow this action on %(org)s.") % {"org": org.name})


def _due(start: datetime.date, workdays: int) -> tuple[datetime.date, bool]:
    return add_workdays_checked(start, workdays)


def _step(
    app: Application, kind: str, *, org: Org | None = None, note: str = "", visible: bool = True
) -> None:
    ApplicationStep.objects.create(
        application=app, kind=kind, org=org or app.org, note=note[:300], visible_to_applicant=visible
    )


def _tell_applicant(app: Application, text: str) -> None:
    url = reverse("portal:application", args=[app.pk])
    notify_users([app.applicant_id], text, url)
    send_sms(app.mobile, text)


def _event(
    member: Member, kind: str, *, actor: Any = None, org: Org | None = None, **extra: Any
) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        org=org or member.org,
        **extra,
    )


def _holding_org(org: Org) -> None:
    if org.kind not in HOLDING_KINDS or not org.is_active:
        raise ServiceError(
            "not_a_holding_union",
            _("%(org)s does not hold member records; choose a grassroots, joint or street union.")
            % {"org": org.name},
            field="org",
        )


def _live_member(id_number: str) -> Member | None:
    from gonghui.core.fields import blind_q

    from .models import LIVE_STATUSES

    return (
        Member.objects.select_for_update()
        .filter(blind_q(Member, "id_number", id_number), status__in=LIVE_STATUSES)
        .select_related("org")
        .first()
    )


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
        _event(member, MemberEvent.Kind.JOINED, actor=actor, note=f"application #{app.pk}")
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


# --- members entered by a cadre ----------------------------------------------------------------------------


def member_create(
    *, actor: Any, org: Org, person: Person, joined_on: datetime.date | None = None, user: Any = None
) -> Member:
    """A cadre enters a member (paper application already approved by the committee)."""
    _require(actor, "member.manage", org)
    _holding_org(org)
    with transaction.atomic():
        existing = _live_member(person.id_number)
        if existing is not None:
            raise ServiceError(
                "already_member",
                _("This person is already a member of %(org)s; start a transfer instead.")
                % {"org": existing.org.name}
                if actor_can(actor, "member.view", existing.org)
                else _("This person is already a member of another union; start a transfer instead."),
                status=409,
                field="id_number",
            )
        [number] = member_numbers_reserve(1)
        if user is None:
            from gonghui.accounts.services import account_by_mobile

            user = account_by_mobile(person.mobile) if person.mobile else None
        member = Member.objects.create(
            org=org,
            user=user,
            number=number,
            joined_on=joined_on or timezone.localdate(),
            last_participated_on=timezone.localdate(),
            **person.fields(),
        )
        _event(member, MemberEvent.Kind.JOINED, actor=actor)
        counters.member_added(member)
        log_action(actor=actor, action="gonghui.member.created", obj=member)
    return member


EDITABLE = ("mobile", "employer_name", "employer_uscc", "employment_form", "work_division_code", "work_place")


def member_update(*, actor: Any, member: Member, **changes: Any) -> Member:
    """Change contact and work details. The name and ID number change only through a correction request."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(
            "not_editable", _("These details cannot be changed here."), details={"fields": sorted(unknown)}
        )
    _require(actor, "member.manage", member.org)
    if "mobile" in changes:
        changes["mobile"] = clean_mobile(changes["mobile"]) if changes["mobile"] else ""
    if changes.get("employer_uscc"):
        changes["employer_uscc"] = clean_uscc(changes["employer_uscc"], field="employer_uscc")
    if changes.get("work_division_code"):
        changes["work_division_code"] = clean_division_code(
            changes["work_division_code"], field="work_division_code"
        )
    if "employment_form" in changes and changes["employment_form"] not in EmploymentForm.values:
        raise ServiceError(
            "invalid_employment_form", _("Choose how the member works."), field="employment_form"
        )
    with transaction.atomic():
        m = Member.objects.select_for_update().get(pk=member.pk)
        before_form = m.employment_form
        changed = [f for f, v in changes.items() if getattr(m, f) != v]
        if not changed:
            return m
        for f in changed:
            setattr(m, f, changes[f])
        m.save()
        if "employment_form" in changed and m.is_live:
            counters.form_moved(m, before_form)
        _event(m, MemberEvent.Kind.UPDATED, actor=actor, note=", ".join(changed))
        log_action(actor=actor, action="gonghui.member.updated", obj=m, data={"fields": changed})
    return m


def member_participation_record(*, member: Member, on: datetime.date | None = None) -> None:
    """Another module says the member took part in union life (an activity, a vote, a course)."""
    day = on or timezone.localdate()
    Member.objects.filter(pk=member.pk).exclude(last_participated_on__gte=day).update(
        last_participated_on=day
    )


# --- transfers ---------------------------------------------------------------------------------------------


def _transfer_open(
    *,
    member: Member,
    to_org: Org,
    actor: Any,
    started_by: str,
    reason: str,
    new_employer_name: str = "",
    new_employer_uscc: str = "",
) -> Transfer:
    _holding_org(to_org)
    if member.status != MemberStatus.ACTIVE and member.status != MemberStatus.RETAINED:
        raise ServiceError(
            "not_transferable", _("Only an active or retained membership can be transferred."), status=409
        )
    if to_org.pk == member.org_id:
        raise ServiceError("same_org", _("The member already belongs to this union."), field="to_org")
    due_on, provisional = _due(timezone.localdate(), policy_for(to_org).transfer_workdays)
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member,
                from_org=member.org,
                to_org=to_org,
                started_by=started_by,
                initiator=actor,
                reason=reason,
                new_employer_name=new_employer_name,
                new_employer_uscc=new_employer_uscc,
                due_on=due_on,
                due_provisional=provisional,
            )
    except IntegrityError:
        raise ServiceError(
            "transfer_pending", _("A transfer of this member is already waiting."), status=409
        ) from None
    before = member.status
    member.status = MemberStatus.TRANSFERRING
    member.save(update_fields=["status", "updated_at"])
    counters.status_moved(member, before)
    _event(
        member,
        MemberEvent.Kind.TRANSFER_STARTED,
        actor=actor,
        other_org=to_org,
        from_status=before,
        to_status=member.status,
    )
    log_action(
        actor=actor,
        action="gonghui.member.transfer_started",
        obj=transfer,
        org_path=member.org.path,
        data={"to": to_org.pk, "by": started_by},
    )
    notify_org(
        to_org,
        "review",
        str(_("A member transfer into your union awaits your decision")),
        reverse("console:transfer", args=[transfer.pk]),
    )
    return transfer


def transfer_start(
    *,
    actor: Any,
    member: Member,
    to_org: Org,
    reason: str = "",
    new_employer_name: str = "",
    new_employer_uscc: str = "",
) -> Transfer:
    """Started by the member (a new job) or by a cadre of the losing union."""
    is_member = member.user_id is not None and getattr(actor, "pk", None) == member.user_id
    if not is_member:
        _require(actor, "member.manage", member.org)
    uscc = clean_uscc(new_employer_uscc, field="new_employer_uscc") if new_employer_uscc.strip() else ""
    with transaction.atomic():
        m = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
        return _transfer_open(
            member=m,
            to_org=to_org,
            actor=actor,
            started_by=Transfer.StartedBy.MEMBER if is_member else Transfer.StartedBy.UNION,
            reason=" ".join((reason or "").split()),
            new_employer_name=" ".join((new_employer_name or "").split()),
            new_employer_uscc=uscc,
        )


def _transfer_for_decision(actor: Any, transfer: Transfer) -> Transfer:
    t = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_org", "to_org", "escalated_to")
        .get(pk=transfer.pk)
    )
    if t.status != Transfer.Status.PENDING:
        raise ServiceError("transfer_closed", _("This transfer has already been decided."), status=409)
    if not (t.escalated_to is not None and actor_can(actor, "review", t.escalated_to)):
        _require(actor, "review", t.to_org)
    return t


def _status_after_transfer(member: Member) -> str:
    """A retained member (retired, unemployed) stays retained, with the dues waiver, whether the transfer
    goes through or not: the retained reason is kept while the membership is being transferred."""
    return MemberStatus.RETAINED if member.retained_reason else MemberStatus.ACTIVE


def transfer_accept(*, actor: Any, transfer: Transfer, note: str = "") -> Member:
    with transaction.atomic():
        t = _transfer_for_decision(actor, transfer)
        member = Member.objects.select_for_update().select_related("org").get(pk=t.member_id)
        counters.member_removed(member)
        member.org, member.status = t.to_org, _status_after_transfer(member)
        if t.new_employer_name:
            member.employer_name, member.employer_uscc = t.new_employer_name, t.new_employer_uscc
        member.save()
        counters.member_added(member)
        t.status, t.decided_by, t.decided_at, t.decision_note = (
            Transfer.Status.ACCEPTED,
            actor,
            timezone.now(),
            note,
        )
        t.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _event(
            member,
            MemberEvent.Kind.TRANSFERRED,
            actor=actor,
            org=t.to_org,
            other_org=t.from_org,
            from_status=MemberStatus.TRANSFERRING,
            to_status=MemberStatus.ACTIVE,
        )
        _close_transfer_application(t, ApplicationStep.Kind.APPROVED, member)
        log_action(
            actor=actor,
            action="gonghui.member.transfer_accepted",
            obj=t,
            org_path=t.to_org.path,
            data={"from": t.from_org_id},
        )
        text = str(_("Your membership has moved to %(org)s.")) % {"org": t.to_org.name}
        if member.user_id:
            notify_users([member.user_id], text, reverse("portal:membership"))
        send_sms(member.mobile, text)
    return member


def _close_transfer_application(t: Transfer, kind: str, member: Member | None, note: str = "") -> None:
    app = Application.objects.filter(transfer=t).first()
    if app is not None:
        if member is not None:
            app.member = member
            app.save(update_fields=["member"])
        _step(app, kind, org=t.to_org, note=note)


def _transfer_close(*, actor: Any, t: Transfer, status: str, note: str, action: str) -> Transfer:
    member = Member.objects.select_for_update().select_related("org").get(pk=t.member_id)
    before = member.status
    member.status = _status_after_transfer(member)
    member.save(update_fields=["status", "updated_at"])
    counters.status_moved(member, before)
    t.status, t.decided_by, t.decided_at, t.decision_note = status, actor, timezone.now(), note
    t.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    kind = (
        MemberEvent.Kind.TRANSFER_REJECTED
        if status == Transfer.Status.REJECTED
        else MemberEvent.Kind.TRANSFER_CANCELLED
    )
    _event(
        member, kind, actor=actor, other_org=t.to_org, from_status=before, to_status=member.status, note=note
    )
    _close_transfer_application(
        t,
        ApplicationStep.Kind.REJECTED
        if status == Transfer.Status.REJECTED
        else ApplicationStep.Kind.WITHDRAWN,
        None,
        note,
    )
    log_action(actor=actor, action=action, obj=t, org_path=t.to_org.path, data={"note": note[:200]})
    return t


def transfer_reject(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("reason_required", _("Give the reason; the member is told it."), field="reason")
    with transaction.atomic():
        t = _transfer_for_decision(actor, transfer)
        _transfer_close(
            actor=actor,
            t=t,
            status=Transfer.Status.REJECTED,
            note=reason,
            action="gonghui.member.transfer_rejected",
        )
        text = str(_("%(org)s did not accept your transfer: %(reason)s")) % {
            "org": t.to_org.name,
            "reason": reason,
        }
        if t.member.user_id:
            notify_users([t.member.user_id], text, reverse("portal:membership"))
        send_sms(t.member.mobile, text)
    return t


def transfer_cancel(*, actor: Any, transfer: Transfer, note: str = "") -> Transfer:
    with transaction.atomic():
        t = (
            Transfer.objects.select_for_update()
            .select_related("member", "from_org", "to_org")
            .get(pk=transfer.pk)
        )
        if t.status != Transfer.Status.PENDING:
            raise ServiceError("transfer_closed", _("This transfer has already been decided."), status=409)
        is_member = t.member.user_id is not None and getattr(actor, "pk", None) == t.member.user_id
        if not is_member:
            _require(actor, "member.manage", t.from_org)
        return _transfer_close(
            actor=actor,
            t=t,
            status=Transfer.Status.CANCELLED,
            note=note,
            action="gonghui.member.transfer_cancelled",
        )


# --- status ------------------------------------------------------------------------------------------------


def member_status_change(
    *, actor: Any, member: Member, status: str, reason: str, retained_reason: str = "", decision: str = ""
) -> Member:
    """Retain (retired or unemployed; dues waived), reactivate, withdraw on written request, or expel with the
    member meeting's decision recorded. Every change is audited and kept in the history; nothing is deleted."""
    reason = " ".join((reason or "").split())
    if status not in MemberStatus.values:
        raise ServiceError("invalid_status", _("Unknown status."), field="status")
    if not reason:
        raise ServiceError("reason_required", _("Record the reason for the change."), field="reason")
    if status == MemberStatus.RETAINED and retained_reason not in RetainedReason.values:
        raise ServiceError(
            "retained_reason_required",
            _("Say whether the member retired or is unemployed."),
            field="retained_reason",
        )
    if status == MemberStatus.EXPELLED and not decision.strip():
        raise ServiceError(
            "decision_required",
            _("Expulsion needs the decision of the member meeting: give its date and reference."),
            field="decision",
        )
    with transaction.atomic():
        m = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
        _require(actor, "member.manage", m.org)
        if status not in STATUS_CHANGES.get(m.status, frozenset()):
            raise ServiceError(
                "invalid_transition",
                _("A member who is %(from)s cannot become %(to)s.")
                % {"from": MemberStatus(m.status).label, "to": MemberStatus(status).label},
                status=409,
            )
        before = m.status
        m.status = status
        m.retained_reason = retained_reason if status == MemberStatus.RETAINED else ""
        if status in (MemberStatus.WITHDRAWN, MemberStatus.EXPELLED):
            m.left_on = timezone.localdate()
        m.save()
        counters.status_moved(m, before)
        note = reason + (f" | {decision.strip()}" if decision.strip() else "")
        _event(m, MemberEvent.Kind.STATUS, actor=actor, from_status=before, to_status=status, note=note)
        LapseProposal.objects.filter(member=m, status="proposed").update(
            status="dismissed", decided_by=actor, decided_at=timezone.now(), note=str(_("Status changed"))
        )
        log_action(
            actor=actor,
            action="gonghui.member.status_changed",
            obj=m,
            data={"from": before, "to": status, "reason": reason[:200], "decision": decision.strip()[:200]},
        )
    return m


def lapse_sweep(*, today: datetime.date | None = None) -> int:
    """Propose, for a cadre to confirm one by one, the active members who for the configured months paid no
    dues and took part in nothing. Idempotent: a member with an open proposal is not proposed again."""
    today = today or timezone.localdate()
    last_paid = dict(
        DuesMonth.objects.filter(paid__gt=0)
        .values("member_id")
        .annotate(last=Max("month"))
        .values_list("member_id", "last")
    )
    open_ids = set(LapseProposal.objects.filter(status="proposed").values_list("member_id", flat=True))
    policies: dict[int, int] = {}
    proposals: list[LapseProposal] = []
    for member in (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .select_related("org")
        .only("pk", "org", "joined_on", "last_participated_on")
        .iterator(chunk_size=5000)
    ):
        if member.pk in open_ids:
            continue
        months = policies.get(member.org_id)
        if months is None:
            months = policies[member.org_id] = policy_for(member.org).lapse_months
        paid = last_paid.get(member.pk)
        if lapse_due(
            today=today,
            joined_on=member.joined_on,
            last_paid_month=paid,
            last_participated_on=member.last_participated_on,
            months=months,
        ):
            proposals.append(
                LapseProposal(
                    member=member,
                    org_id=member.org_id,
                    proposed_on=today,
                    last_paid_month=paid,
                    last_participated_on=member.last_participated_on,
                )
            )
    with transaction.atomic():
        LapseProposal.objects.bulk_create(proposals, batch_size=2000, ignore_conflicts=True)
        if proposals:
            log_action(actor="system", action="gonghui.member.lapse_proposed", data={"count": len(proposals)})
    return len(proposals)


def lapse_confirm(*, actor: Any, proposal: LapseProposal, note: str) -> Member:
    """Confirm one proposal after the member was talked to and did not change (the note says so)."""
    note = " ".join((note or "").split())
    if not note:
        raise ServiceError(
            "note_required", _("Record the conversation with the member before confirming."), field="note"
        )
    with transaction.atomic():
        p = LapseProposal.objects.select_for_update().select_related("member", "org").get(pk=proposal.pk)
        _require(actor, "member.manage", p.org)
        if p.status != LapseProposal.Status.PROPOSED:
            raise ServiceError("proposal_closed", _("This proposal has already been decided."), status=409)
        m = Member.objects.select_for_update().get(pk=p.member_id)
        if m.status != MemberStatus.ACTIVE:
            raise ServiceError("invalid_transition", _("The member is no longer active."), status=409)
        before = m.status
        m.status, m.left_on = MemberStatus.LAPSED, timezone.localdate()
        m.save()
        counters.status_moved(m, before)
        p.status, p.decided_by, p.decided_at, p.note = (
            LapseProposal.Status.CONFIRMED,
            actor,
            timezone.now(),
            note,
        )
        p.save()
        _event(m, MemberEvent.Kind.STATUS, actor=actor, from_status=before, to_status=m.status, note=note)
        log_action(actor=actor, action="gonghui.member.lapse_confirmed", obj=m, data={"proposal": p.pk})
    return m


def lapse_dismiss(*, actor: Any, proposal: LapseProposal, note: str) -> LapseProposal:
    note = " ".join((note or "").split())
    if not note:
        raise ServiceError("note_required", _("Say why the member stays."), field="note")
    with transaction.atomic():
        p = LapseProposal.objects.select_for_update().select_related("member", "org").get(pk=proposal.pk)
        _require(actor, "member.manage", p.org)
        if p.status != LapseProposal.Status.PROPOSED:
            raise ServiceError("proposal_closed", _("This proposal has already been decided."), status=409)
        p.status, p.decided_by, p.decided_at, p.note = (
            LapseProposal.Status.DISMISSED,
            actor,
            timezone.now(),
            note,
        )
        p.save()
        member_participation_record(member=p.member)
        log_action(
            actor=actor, action="gonghui.member.lapse_dismissed", obj=p.member, data={"proposal": p.pk}
        )
    return p


# --- dues --------------------------------------------------------------------------------------------------


def parse_money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(
            str(value).replace(",", "").replace("，", "").replace("¥", "").replace("元", "").strip()
        )
    except (InvalidOperation, ValueError):
        raise ServiceError(
            "invalid_amount", _("Give an amount in yuan, such as 6500.00."), field=field
        ) from None
    if amount < 0 or amount >= Decimal("1e9") or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError("invalid_amount", _("Give an amount in yuan, such as 6500.00."), field=field)
    return amount


def dues_for(member: Member, wage: Decimal) -> tuple[Decimal, bool]:
    """The dues for a wage base under the member's union's rules, and whether they are waived."""
    if member.status not in DUES_PAYING:
        return Decimal("0.00"), True
    policy = policy_for(member.org)
    return dues_amount(wage, permille=Decimal(policy.dues_permille), rounding=policy.dues_rounding), False


def dues_wage_set(*, actor: Any, member: Member, month: datetime.date, wage_base: Any) -> DuesMonth:
    _require(actor, "dues.manage", member.org)
    wage = parse_money(wage_base, field="wage_base")
    month = month_start(month)
    with transaction.atomic():
        row, _created = DuesMonth.objects.select_for_update().get_or_create(
            member=member, month=month, defaults={"org": member.org}
        )
        due, waived = dues_for(member, wage)
        row.wage_base, row.due, row.waived, row.org = wage, due, waived, member.org
        row.save()
        log_action(actor=actor, action="gonghui.dues.wage_set", obj=member, data={"month": month.isoformat()})
    return row


def dues_payment_record(
    *, actor: Any, member: Member, month: datetime.date, amount: Any, paid_on: datetime.date | None = None
) -> DuesMonth:
    """Record what was paid for a month. The amount replaces the earlier one, so recording twice never doubles."""
    _require(actor, "dues.manage", member.org)
    paid = parse_money(amount, field="amount")
    month = month_start(month)
    with transaction.atomic():
        row, _created = DuesMonth.objects.select_for_update().get_or_create(
            member=member, month=month, defaults={"org": member.org}
        )
        row.paid, row.paid_on = paid, paid_on or timezone.localdate()
        row.save()
        log_action(
            actor=actor, action="gonghui.dues.payment_recorded", obj=member, data={"month": month.isoformat()}
        )
    return row


# --- rules as data -----------------------------------------------------------------------------------------


def member_policy_set(*, actor: Any, org: Org, **values: Any) -> MemberPolicy:
    _require(actor, "org.change", org)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError("invalid_field", _("Unknown setting."), details={"fields": sorted(unknown)})
    for name in ("review_workdays", "transfer_workdays"):
        if name in values and not (1 <= int(values[name]) <= 30):
            raise ServiceError("invalid_value", _("A deadline is between 1 and 30 working days."), field=name)
    if "dues_rounding" in values and values["dues_rounding"] not in MemberPolicy.Rounding.values:
        raise ServiceError("invalid_value", _("Unknown rounding."), field="dues_rounding")
    with transaction.atomic():
        policy, _created = MemberPolicy.objects.get_or_create(org=org)
        for name, value in values.items():
            setattr(policy, name, value)
        policy.full_clean()
        policy.save()
        log_action(
            actor=actor,
            action="gonghui.member.policy_set",
            obj=org,
            data={k: str(v) for k, v in values.items()},
        )
    return policy


# --- deadlines ---------------------------------------------------------------------------------------------


def deadlines_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Remind before the deadline and escalate to the parent union after it, for applications and transfers.

    Run by the scheduler; idempotent (the reminded/escalated times are the memory), and it catches up after
    downtime: an application that went overdue while the worker was down is escalated on the next run."""
    today = today or timezone.localdate()
    done = {"reminded": 0, "escalated": 0}
    for model, url_name in ((Application, "console:application"), (Transfer, "console:transfer")):
        org_field = "org" if model is Application else "to_org"
        pending = model.objects.filter(status="pending").select_related(org_field)  # type: ignore[attr-defined]
        for item in pending.filter(escalated_at__isnull=True, due_on__lt=today).iterator(chunk_size=500):
            with transaction.atomic():
                _escalate(item, getattr(item, org_field), url_name, done)
        for item in pending.filter(
            reminded_at__isnull=True, escalated_at__isnull=True, due_on__gte=today
        ).iterator(chunk_size=500):
            org = getattr(item, org_field)
            before = policy_for(org).remind_workdays_before
            if workdays_between(today, item.due_on) <= before:
                with transaction.atomic():
                    fresh = model.objects.select_for_update().get(pk=item.pk)  # type: ignore[attr-defined]
                    if fresh.reminded_at is not None or fresh.status != "pending":
                        continue
                    fresh.reminded_at = timezone.now()
                    fresh.save(update_fields=["reminded_at"])
                    notify_org(
                        org,
                        "review",
                        str(_("A membership decision is due by %(date)s"))
                        % {"date": item.due_on.isoformat()},
                        reverse(url_name, args=[item.pk]),
                    )
                    if isinstance(fresh, Application):
                        _step(fresh, ApplicationStep.Kind.REMINDED, visible=False)
                    log_action(actor="system", action="gonghui.member.deadline_reminded", obj=fresh)
                    done["reminded"] += 1
    return done


def _escalate(item: Any, org: Org, url_name: str, done: dict[str, int]) -> None:
    fresh = type(item).objects.select_for_update().get(pk=item.pk)
    if fresh.escalated_at is not None or fresh.status != "pending":
        return
    parent = org.parent
    fresh.escalated_at = timezone.now()
    fresh.escalated_to = parent
    fresh.save(update_fields=["escalated_at", "escalated_to"])
    if parent is not None:
        notify_org(
            parent,
            "review",
            str(_("Overdue membership decision at %(org)s")) % {"org": org.name},
            reverse(url_name, args=[fresh.pk]),
        )
    notify_org(
        org,
        "review",
        str(_("A membership decision is overdue and was escalated")),
        reverse(url_name, args=[fresh.pk]),
    )
    if isinstance(fresh, Application):
        _step(fresh, ApplicationStep.Kind.ESCALATED, org=parent or org)
    log_action(
        actor="system",
        action="gonghui.member.deadline_escalated",
        obj=fresh,
        org_path=org.path,
        data={"to": getattr(parent, "pk", None)},
    )
    done["escalated"] += 1


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


def dues_month_set(
    *,
    actor: Any,
    member: Member,
    month: datetime.date,
    wage_base: Any = None,
    paid: Any = None,
    paid_on: datetime.date | None = None,
) -> DuesMonth:
    """Set one month's wage base, its payment, or both, in one transaction."""
    if wage_base is None and paid is None:
        raise ServiceError("nothing_to_set", _("Give a wage base or an amount paid."), field="wage_base")
    if paid_on is not None and paid is None:
        raise ServiceError("amount_required", _("Give the amount paid on that day."), field="paid")
    _require(actor, "dues.manage", member.org)
    with transaction.atomic():
        row = None
        if wage_base is not None:
            row = dues_wage_set(actor=actor, member=member, month=month, wage_base=wage_base)
        if paid is not None:
            row = dues_payment_record(actor=actor, member=member, month=month, amount=paid, paid_on=paid_on)
    assert row is not None
    return row


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
