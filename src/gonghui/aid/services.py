"""Writes of hardship aid (DOMAIN §5). Every write is one transaction with an audit record.

Review: an application climbs the chain resolved when it was submitted (rules.resolve_chain over the
ReviewChain in force). A reviewer needs "aid.manage" at the org of the current level and may approve only one
level of the same application. Every approval checks the limits (AidPolicy: yearly caps per type per
household, the same illness once a year) and the double-payment rule: the same household (by ID number
blind index, across unions), the same type and the same need already granted by any union in the tree that
year is refused, naming that union and the date. The final approval announces the aid for the policy's
working days (公示); an open objection holds payment; payment is never in cash when the policy forbids it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import calendar
from gonghui.core.audit import log_action
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.notify import notify_org, notify_users
from gonghui.core.uploads import (
    DOCUMENT_TYPES,
    check_upload,
    delete_stored,
    open_audited,
    safe_name,
    store_upload,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from . import rules
from .models import (
    GRANTED_STATES,
    AidApplication,
    AidDocument,
    AidPolicy,
    AidType,
    AppState,
    Category,
    FileStatus,
    HardshipFile,
    HouseholdMember,
    Objection,
    Payment,
    PayMethod,
    ReviewChain,
    ReviewStep,
)

PERM = "aid.manage"
MAX_DOCUMENTS = 5
FILE_ORG_KINDS = (OrgKind.GRASSROOTS, OrgKind.JOINT, OrgKind.BRANCH)
CAP_FIELD = {
    AidType.LIVING: "cap_living",
    AidType.MEDICAL: "cap_medical",
    AidType.EDUCATION: "cap_education",
    AidType.HOLIDAY: "cap_holiday",
}
POLICY_FIELDS = (
    "cap_living",
    "cap_medical",
    "cap_education",
    "cap_holiday",
    "single_illness_once_a_year",
    "no_cash",
    "income_threshold",
    "announce_workdays",
    "review_months",
)


def _audit(actor: Any, what: str, obj: Any, **data: Any) -> None:
    log_action(actor=actor, action=f"gonghui.aid.{what}", obj=obj, data=data or None)


def _lineage(org: Org) -> list[Org]:
    """The org and its ancestors, nearest first. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    by_id = Org.objects.in_bulk(ids)
    return [by_id[i] for i in reversed(ids) if i in by_id]


# --- rules as data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    cap_living: Decimal
    cap_medical: Decimal
    cap_education: Decimal
    cap_holiday: Decimal
    single_illness_once_a_year: bool
    no_cash: bool
    income_threshold: Decimal
    announce_workdays: int
    review_months: int
    source_org_id: int | None

    def cap(self, aid_type: str) -> Decimal:
        return Decimal(getattr(self, CAP_FIELD[AidType(aid_type)]))


def policy_for(org: Org) -> Policy:
    """The aid rules in force at `org`: its own row or the nearest ancestor's, else the defaults. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {p.org_id: p for p in AidPolicy.objects.filter(org_id__in=ids)}
    for org_id in reversed(ids):
        row = rows.get(org_id)
        if row is not None:
            return Policy(**{f: getattr(row, f) for f in POLICY_FIELDS}, source_org_id=org_id)
    defaults = AidPolicy()
    return Policy(**{f: getattr(defaults, f) for f in POLICY_FIELDS}, source_org_id=None)


def chain_levels_for(org: Org) -> tuple[list[str], int | None]:
    """The review levels in force at `org` (nearest ancestor's chain) and the org that set them."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {c.org_id: c for c in ReviewChain.objects.filter(org_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in rows:
            return list(rows[org_id].levels), org_id
    return list(rules.DEFAULT_CHAIN), None


def chain_for(org: Org) -> list[Org]:
    levels, _source = chain_levels_for(org)
    lineage = _lineage(org)
    ids = rules.resolve_chain(levels, [(o.pk, o.kind) for o in lineage])
    by_id = {o.pk: o for o in lineage}
    return [by_id[i] for i in ids]


def aid_policy_set(*, actor: Any, org: Org, **values: Any) -> AidPolicy:
    require(actor=actor, perm=PERM, org=org)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"unknown policy fields: {sorted(unknown)}")
    for f in POLICY_FIELDS:
        if f.startswith("cap_") and f in values and Decimal(values[f]) < 0:
            raise ServiceError("bad_cap", _("A cap cannot be negative."), field=f)
    with transaction.atomic():
        policy, _created = AidPolicy.objects.update_or_create(org=org, defaults=values)
        _audit(actor, "policy_set", org, **{k: str(v) for k, v in values.items()})
    return policy


def review_chain_set(*, actor: Any, org: Org, levels: list[str]) -> ReviewChain:
    require(actor=actor, perm=PERM, org=org)
    valid = set(OrgKind.values)
    if not levels or any(k not in valid for k in levels) or len(set(levels)) != len(levels):
        raise ServiceError(
            "bad_chain", _("List each kind of union once, from the bottom up."), field="levels"
        )
    with transaction.atomic():
        chain, _created = ReviewChain.objects.update_or_create(org=org, defaults={"levels": levels})
        _audit(actor, "chain_set", org, levels=levels)
    return chain


# --- files -----------------------------------------------------------------------------------------------------


@dataclass
class HouseholdInput:
    name: str
    relation: str
    monthly_income: Decimal
    id_number: str = ""
    note: str = ""


def _household_totals(worker_income: Decimal, household: list[HouseholdInput]) -> tuple[int, Decimal]:
    others = [h for h in household if h.relation != "self"]
    total = Decimal(worker_income) + sum((Decimal(h.monthly_income) for h in others), Decimal(0))
    return 1 + len(others), total


def file_create(
    *,
    actor: Any,
    member: Member,
    category: str,
    situation: str,
    worker_income: Decimal,
    household: list[HouseholdInput],
    today: datetime.date | None = None,
) -> HardshipFile:
    """Open a hardship file for a live member's household at the member's grassroots union."""
    org = member.org
    require(actor=actor, perm=PERM, org=org)
    if member.status != MemberStatus.ACTIVE or org.kind not in FILE_ORG_KINDS:
        raise ServiceError(
            "not_live_member",
            _("Only an active member of a grassroots union can be put on file."),
            field="member",
        )
    if category not in Category.values:
        raise ServiceError("bad_category", _("Choose a category."), field="category")
    today = today or timezone.localdate()
    policy = policy_for(org)
    size, total = _household_totals(worker_income, household)
    per_head = rules.per_capita(total, size)
    if category != Category.ACCIDENT and not rules.within_threshold(per_head, policy.income_threshold):
        raise ServiceError(
            "above_threshold",
            _(
                "The household's monthly income per person (%(income)s yuan) is above the local threshold "
                "(%(threshold)s yuan); only hardship from an accident may be filed above it."
            )
            % {"income": per_head, "threshold": policy.income_threshold},
            field="worker_income",
        )
    key = member.id_number_index or ""
    with transaction.atomic():
        existing = HardshipFile.objects.filter(household_key=key, status=FileStatus.ACTIVE).select_related(
            "org"
        )
        other = existing.first()
        if other is not None:
            raise ServiceError(
                "already_on_file",
                _("This household is already on file at %(org)s.") % {"org": other.org.name},
                status=409,
            )
        f = HardshipFile.objects.create(
            org=org,
            member=member,
            household_key=key,
            category=category,
            situation=situation.strip(),
            household_size=size,
            monthly_income=total,
            per_capita_income=per_head,
            income_threshold=policy.income_threshold,
            review_due=rules.add_months(today, policy.review_months),
            created_by=actor,
        )
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(
                    file=f,
                    name=member.name,
                    relation="self",
                    id_number=member.id_number,
                    monthly_income=worker_income,
                ),
                *[
                    HouseholdMember(
                        file=f,
                        name=h.name.strip(),
                        relation=h.relation,
                        id_number=h.id_number.strip().upper(),
                        monthly_income=h.monthly_income,
                        note=h.note,
                    )
                    for h in household
                    if h.relation != "self"
                ],
            ]
        )
        _audit(actor, "file_created", f, category=category, size=size)
    return f


def _file_locked(f: HardshipFile) -> HardshipFile:
    return HardshipFile.objects.select_for_update(of=("self",)).select_related("org", "member").get(pk=f.pk)


def file_verify(*, actor: Any, file: HardshipFile) -> HardshipFile:
    """A cadre confirms the household's situation (入户核实). Not the one who opened the file."""
    require(actor=actor, perm=PERM, org=file.org)
    with transaction.atomic():
        f = _file_locked(file)
        if f.status != FileStatus.ACTIVE:
            raise ServiceError("file_exited", _("This file has been closed."), status=409)
        if f.verified_at is not None:
            raise ServiceError("already_verified", _("This file is already verified."), status=409)
        if f.created_by_id == actor.pk:
            raise ServiceError("same_person", _("Another cadre must verify the file you opened."), status=409)
        f.verified_by = actor
        f.verified_at = timezone.now()
        f.save(update_fields=["verified_by", "verified_at"])
        _audit(actor, "file_verified", f)
    return f


def file_review(
    *,
    actor: Any,
    file: HardshipFile,
    category: str,
    monthly_income: Decimal,
    household_size: int,
    today: datetime.date | None = None,
) -> HardshipFile:
    """The yearly review: the situation is confirmed (or changed) and the next review is set."""
    require(actor=actor, perm=PERM, org=file.org)
    today = today or timezone.localdate()
    if category not in Category.values:
        raise ServiceError("bad_category", _("Choose a category."), field="category")
    with transaction.atomic():
        f = _file_locked(file)
        if f.status != FileStatus.ACTIVE:
            raise ServiceError("file_exited", _("This file has been closed."), status=409)
        policy = policy_for(f.org)
        f.category = category
        f.monthly_income = monthly_income
        f.household_size = max(household_size, 1)
        f.per_capita_income = rules.per_capita(monthly_income, f.household_size)
        f.income_threshold = policy.income_threshold
        f.last_reviewed_on = today
        f.review_due = rules.add_months(today, policy.review_months)
        f.save()
        _audit(actor, "file_reviewed", f, category=category, per_capita=str(f.per_capita_income))
    return f


def file_exit(
    *, actor: Any, file: HardshipFile, reason: str, today: datetime.date | None = None
) -> HardshipFile:
    """The household leaves the register (脱困): no longer eligible, left the union, or other reason."""
    require(actor=actor, perm=PERM, org=file.org)
    if len(reason.strip()) < 2:
        raise ServiceError("reason_required", _("Say why the household leaves the register."), field="reason")
    with transaction.atomic():
        f = _file_locked(file)
        if f.status != FileStatus.ACTIVE:
            raise ServiceError("file_exited", _("This file has been closed."), status=409)
        f.status = FileStatus.EXITED
        f.exited_on = today or timezone.localdate()
        f.exit_reason = reason.strip()
        f.save(update_fields=["status", "exited_on", "exit_reason"])
        _audit(actor, "file_exited", f, reason=f.exit_reason)
    return f


# --- applications ----------------------------------------------------------------------------------------------


@dataclass
class ApplicationInput:
    aid_type: str
    amount: Decimal
    reason: str
    illness_code: str = ""
    illness_name: str = ""
    school_year: str = ""
    season: str = ""
    period: str = ""


NEED_MESSAGES = {
    "illness_code": _("Give the illness code (ICD-10, e.g. C50.9)."),
    "school_year": _("Give the school year as 2026-2027."),
    "season": _("Name the holiday season, e.g. 2027 Spring Festival."),
    "period": _("Give the month of need as 2026-11."),
}


def _granted(household_key: str, aid_type: str, year: int, exclude: int | None = None) -> Any:
    qs = AidApplication.objects.filter(
        household_key=household_key, aid_type=aid_type, year=year, state__in=GRANTED_STATES
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs


def _check_same_illness(app_like: Any, policy: Policy, exclude: int | None = None) -> None:
    if app_like.aid_type != AidType.MEDICAL or not policy.single_illness_once_a_year:
        return
    other = (
        _granted(app_like.household_key, AidType.MEDICAL, app_like.year, exclude)
        .filter(need_key=app_like.need_key)
        .select_related("org")
        .first()
    )
    if other is not None:
        raise ServiceError(
            "same_illness",
            _(
                "The same illness (%(code)s) is aided once a year; %(org)s already granted aid for it in %(year)s."
            )
            % {"code": app_like.illness_code, "org": other.org.name, "year": app_like.year},
            status=409,
        )


def application_submit(
    *, user: Any, file: HardshipFile, data: ApplicationInput, documents: list[Any] | None = None
) -> AidApplication:
    """The worker (or a cadre for them) applies for aid on a verified file; it starts at the first level."""
    documents = documents or []
    f = file
    is_holder = f.member.user_id is not None and f.member.user_id == getattr(user, "pk", None)
    if not is_holder and not actor_can(user, PERM, f.org):
        raise NotFound(_("No such hardship file."))
    if f.status != FileStatus.ACTIVE or f.verified_at is None:
        raise ServiceError(
            "file_not_ready", _("Aid can be requested only on a verified, open hardship file."), status=409
        )
    if data.aid_type not in AidType.values:
        raise ServiceError("bad_type", _("Choose a type of aid."), field="aid_type")
    amount = Decimal(data.amount)
    if amount <= 0:
        raise ServiceError("bad_amount", _("Give an amount above zero."), field="amount")
    if len(data.reason.strip()) < 5:
        raise ServiceError("reason_required", _("Say briefly why the household needs help."), field="reason")
    details = {
        "illness_code": data.illness_code.strip().upper(),
        "school_year": data.school_year.strip(),
        "season": data.season.strip(),
        "period": data.period.strip(),
    }
    problem = rules.need_problem(data.aid_type, **details)
    if problem is not None:
        field, code = problem
        raise ServiceError(code, NEED_MESSAGES[code], field=field)
    if len(documents) > MAX_DOCUMENTS:
        raise ServiceError(
            "too_many_documents",
            _("Attach at most %(n)s documents.") % {"n": MAX_DOCUMENTS},
            field="documents",
        )
    checked = [(doc, check_upload(doc, allowed=DOCUMENT_TYPES)) for doc in documents]
    now = timezone.now()
    today = timezone.localdate()
    chain = chain_for(f.org)
    policy = policy_for(f.org)
    stored: list[str] = []
    try:
        with transaction.atomic():
            app = AidApplication(
                number="",
                file=f,
                org=f.org,
                household_key=f.household_key,
                aid_type=data.aid_type,
                year=today.year,
                need_key=rules.need_key(data.aid_type, **details),
                illness_code=details["illness_code"] if data.aid_type == AidType.MEDICAL else "",
                illness_name=data.illness_name.strip() if data.aid_type == AidType.MEDICAL else "",
                school_year=details["school_year"] if data.aid_type == AidType.EDUCATION else "",
                season=details["season"] if data.aid_type == AidType.HOLIDAY else "",
                period=details["period"] if data.aid_type == AidType.LIVING else "",
                reason=data.reason.strip(),
                amount_requested=amount,
                chain=[o.pk for o in chain],
                level=0,
                current_org=chain[0],
                submitted_by=user,
                submitted_at=now,
            )
            _check_same_illness(app, policy)
            app.save()
            app.number = f"KB{today:%Y%m%d}{app.pk:06d}"
            app.save(update_fields=["number"])
            for doc, content_type in checked:
                path = store_upload(doc, folder=f"aid/{app.pk}")
                stored.append(path)
                AidDocument.objects.create(
                    application=app,
                    stored_path=path,
                    original_name=safe_name(getattr(doc, "name", "") or "document"),
                    content_type=content_type,
                    size=getattr(doc, "size", 0) or 0,
                )
            notify_org(
                chain[0],
                PERM,
                _("New aid application %(number)s to review.") % {"number": app.number},
                f"/console/aid/applications/{app.pk}/",
            )
            _audit(user, "application_submitted", app, aid_type=app.aid_type, amount=str(amount))
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return app


def _app_locked(app: AidApplication) -> AidApplication:
    return (
        AidApplication.objects.select_for_update(of=("self",))
        .select_related("org", "current_org", "file", "file__member")
        .get(pk=app.pk)
    )


def _require_reviewer(actor: Any, app: AidApplication) -> None:
    if app.state != AppState.REVIEWING or app.current_org is None:
        raise ServiceError("not_reviewing", _("This application is not waiting for review."), status=409)
    require(actor=actor, perm=PERM, org=app.current_org)


def _check_limits(app: AidApplication, amount: Decimal, policy: Policy) -> None:
    """Caps, the same illness once a year, and double payment across the tree: refused with a message."""
    double = (
        _granted(app.household_key, app.aid_type, app.year, exclude=app.pk)
        .filter(need_key=app.need_key)
        .select_related("org")
        .order_by("approved_at")
        .first()
    )
    if double is not None:
        when = (
            timezone.localtime(double.approved_at).date()
            if double.approved_at
            else double.submitted_at.date()
        )
        raise ServiceError(
            "double_payment",
            _(
                "The same need was already granted by %(org)s on %(date)s (%(number)s); "
                "one need is paid once, by one union."
            )
            % {"org": double.org.name, "date": when.isoformat(), "number": double.number},
            status=409,
        )
    _check_same_illness(app, policy, exclude=app.pk)
    granted = _granted(app.household_key, app.aid_type, app.year, exclude=app.pk).aggregate(
        total=Sum("amount_approved")
    )["total"] or Decimal(0)
    cap = policy.cap(app.aid_type)
    if rules.over_cap(granted, amount, cap):
        raise ServiceError(
            "over_cap",
            _(
                "%(type)s is capped at %(cap)s yuan per household per year; %(granted)s yuan is already granted "
                "this year, so at most %(left)s yuan more."
            )
            % {
                "type": app.get_aid_type_display(),
                "cap": cap,
                "granted": granted,
                "left": max(cap - granted, Decimal(0)),
            },
            field="amount",
            status=409,
        )


def application_approve(
    *, actor: Any, application: AidApplication, amount: Decimal | None = None, note: str = ""
) -> AidApplication:
    """Approve at the current level. Below the top, it climbs to the next level; at the top it is granted and
    announced. The limits and the double-payment check run at every level."""
    with transaction.atomic():
        app = _app_locked(application)
        _require_reviewer(actor, app)
        if ReviewStep.objects.filter(application=app, by=actor).exists():
            raise ServiceError(
                "same_reviewer",
                _("One person approves one level only; another cadre must review."),
                status=409,
            )
        amount = Decimal(amount if amount is not None else (app.amount_approved or app.amount_requested))
        if amount <= 0 or amount > app.amount_requested:
            raise ServiceError(
                "bad_amount", _("Approve an amount above zero and not above the request."), field="amount"
            )
        policy = policy_for(app.current_org)  # type: ignore[arg-type]
        # Approvals for one household are serialised on its files (in any union), so two levels approving the
        # same need at the same moment cannot both pass the double-payment check.
        list(
            HardshipFile.objects.select_for_update().filter(household_key=app.household_key).values_list("pk")
        )
        _check_limits(app, amount, policy)
        now = timezone.now()
        ReviewStep.objects.create(
            application=app,
            level=app.level,
            org=app.current_org,  # type: ignore[misc]  # set while reviewing
            decision=ReviewStep.Decision.APPROVE,
            amount=amount,
            note=note.strip()[:300],
            by=actor,
            at=now,
        )
        app.amount_approved = amount
        if app.level + 1 < len(app.chain):
            app.level += 1
            app.current_org = Org.objects.get(pk=app.chain[app.level])
            notify_org(
                app.current_org,
                PERM,
                _("Aid application %(number)s to review.") % {"number": app.number},
                f"/console/aid/applications/{app.pk}/",
            )
            _audit(actor, "application_forwarded", app, level=app.level, amount=str(amount))
        else:
            today = timezone.localdate()
            app.state = AppState.ANNOUNCED
            app.approved_at = now
            app.announce_from = today
            app.announce_until = calendar.add_workdays(today, policy.announce_workdays)
            _tell_worker(app, _("Your aid application %(number)s was approved and is being announced."))
            _audit(actor, "application_approved", app, amount=str(amount))
        app.save()
    return app


def _tell_worker(app: AidApplication, text: Any) -> None:
    user_id = app.file.member.user_id
    if user_id:
        notify_users([user_id], str(text) % {"number": app.number}, f"/aid/applications/{app.pk}/")


def application_reject(*, actor: Any, application: AidApplication, reason: str) -> AidApplication:
    if len(reason.strip()) < 2:
        raise ServiceError("reason_required", _("Give the reason for the decision."), field="reason")
    with transaction.atomic():
        app = _app_locked(application)
        _require_reviewer(actor, app)
        now = timezone.now()
        ReviewStep.objects.create(
            application=app,
            level=app.level,
            org=app.current_org,  # type: ignore[misc]  # set while reviewing
            decision=ReviewStep.Decision.REJECT,
            note=reason.strip()[:300],
            by=actor,
            at=now,
        )
        app.state = AppState.REJECTED
        app.rejected_at = now
        app.reject_reason = reason.strip()[:300]
        app.save()
        _tell_worker(app, _("Your aid application %(number)s was not approved."))
        _audit(actor, "application_rejected", app, level=app.level)
    return app


# --- announcement, objections, payment -------------------------------------------------------------------------


def objection_raise(*, user: Any, application: AidApplication, text: str) -> Objection:
    """A member of the union (or a cadre recording one) objects during the announcement."""
    if len(text.strip()) < 5:
        raise ServiceError("text_required", _("Say what is wrong, in a few words."), field="text")
    with transaction.atomic():
        app = _app_locked(application)
        if app.state != AppState.ANNOUNCED or app.announce_until is None:
            raise ServiceError("not_announced", _("This aid is not being announced."), status=409)
        if timezone.localdate() > app.announce_until:
            raise ServiceError("announcement_over", _("The announcement period has ended."), status=409)
        obj = Objection.objects.create(
            application=app, text=text.strip(), raised_by=user, raised_at=timezone.now()
        )
        final = Org.objects.get(pk=app.final_org_id)
        notify_org(
            final,
            PERM,
            _("An objection to aid %(number)s: payment is on hold.") % {"number": app.number},
            f"/console/aid/applications/{app.pk}/",
        )
        _audit(user, "objection_raised", app)
    return obj


def objection_resolve(*, actor: Any, objection: Objection, upheld: bool, finding: str) -> Objection:
    """The approving union looks into the objection: upheld withdraws the aid, dismissed lets it be paid."""
    if len(finding.strip()) < 2:
        raise ServiceError("reason_required", _("Record what was found."), field="finding")
    with transaction.atomic():
        app = _app_locked(objection.application)
        final = Org.objects.get(pk=app.final_org_id)
        require(actor=actor, perm=PERM, org=final)
        obj = Objection.objects.select_for_update().get(pk=objection.pk)
        if obj.resolved_at is not None:
            raise ServiceError("already_resolved", _("This objection is already resolved."), status=409)
        if app.state != AppState.ANNOUNCED:
            raise ServiceError("not_announced", _("This aid is not being announced."), status=409)
        now = timezone.now()
        obj.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
        obj.resolution = finding.strip()[:300]
        obj.resolved_by = actor
        obj.resolved_at = now
        obj.save()
        if upheld:
            app.state = AppState.REJECTED
            app.rejected_at = now
            app.reject_reason = obj.resolution
            app.save(update_fields=["state", "rejected_at", "reject_reason"])
            _tell_worker(app, _("Your aid application %(number)s was withdrawn after an objection."))
        _audit(actor, "objection_resolved", app, upheld=upheld)
    return obj


def payment_record(
    *,
    actor: Any,
    application: AidApplication,
    method: str,
    paid_on: datetime.date | None = None,
    reference: str = "",
) -> Payment:
    """Record the payment by the approving union, after the announcement and with no open objection."""
    with transaction.atomic():
        app = _app_locked(application)
        final = Org.objects.get(pk=app.final_org_id)
        require(actor=actor, perm=PERM, org=final)
        if app.state != AppState.ANNOUNCED or app.announce_until is None:
            raise ServiceError("not_payable", _("Only announced aid can be paid."), status=409)
        today = timezone.localdate()
        if today <= app.announce_until:
            raise ServiceError(
                "announcing",
                _("The announcement runs until %(date)s; pay after it ends.")
                % {"date": app.announce_until.isoformat()},
                status=409,
            )
        if app.objections.filter(resolved_at__isnull=True).exists():
            raise ServiceError(
                "objection_open", _("An objection is open: resolve it before paying."), status=409
            )
        if method not in PayMethod.values:
            raise ServiceError("bad_method", _("Choose how the aid is paid."), field="method")
        policy = policy_for(final)
        if not rules.method_allowed(method, no_cash=policy.no_cash):
            raise ServiceError(
                "no_cash",
                _("Aid is paid by bank transfer or into the worker's bank card: no cash, no shopping cards."),
                field="method",
            )
        payment = Payment.objects.create(
            application=app,
            org=final,
            amount=app.amount_approved or app.amount_requested,
            paid_on=paid_on or today,
            method=method,
            reference=reference.strip()[:60],
            recorded_by=actor,
        )
        app.state = AppState.PAID
        app.save(update_fields=["state"])
        _tell_worker(app, _("Aid %(number)s has been paid."))
        _audit(actor, "paid", app, amount=str(payment.amount), method=method)
    return payment


def document_add(*, actor: Any, application: AidApplication, file: Any) -> AidDocument:
    """A cadre of the current level adds a document (a hospital bill, a school notice)."""
    app = AidApplication.objects.select_related("current_org").get(pk=application.pk)
    _require_reviewer(actor, app)
    content_type = check_upload(file, allowed=DOCUMENT_TYPES)
    if app.documents.count() >= MAX_DOCUMENTS:
        raise ServiceError(
            "too_many_documents", _("Attach at most %(n)s documents.") % {"n": MAX_DOCUMENTS}, status=409
        )
    path = store_upload(file, folder=f"aid/{app.pk}")
    try:
        with transaction.atomic():
            doc = AidDocument.objects.create(
                application=app,
                stored_path=path,
                original_name=safe_name(getattr(file, "name", "") or "document"),
                content_type=content_type,
                size=getattr(file, "size", 0) or 0,
            )
            _audit(actor, "document_added", app)
    except BaseException:
        delete_stored(path)
        raise
    return doc


# --- the sweep -------------------------------------------------------------------------------------------------


def aid_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: tell the paying union when an announcement ends, and the grassroots union when a file's yearly
    review falls due within 30 days. Each once."""
    today = today or timezone.localdate()
    ended = 0
    for app in AidApplication.objects.filter(
        state=AppState.ANNOUNCED, announce_until__lt=today, announce_ended_noted=False
    ).select_related("org"):
        with transaction.atomic():
            final = Org.objects.get(pk=app.final_org_id)
            open_objection = app.objections.filter(resolved_at__isnull=True).exists()
            text = (
                _("The announcement of aid %(number)s has ended with an objection open.")
                if open_objection
                else _("The announcement of aid %(number)s has ended: it can be paid.")
            )
            notify_org(
                final, PERM, str(text) % {"number": app.number}, f"/console/aid/applications/{app.pk}/"
            )
            AidApplication.objects.filter(pk=app.pk).update(announce_ended_noted=True)
            ended += 1
    due = 0
    horizon = today + datetime.timedelta(days=30)
    files = (
        HardshipFile.objects.filter(status=FileStatus.ACTIVE, review_due__lte=horizon)
        .exclude(review_reminded_for=F("review_due"))
        .select_related("org", "member")
    )
    for f in files:
        with transaction.atomic():
            notify_org(
                f.org,
                PERM,
                _("The yearly review of %(name)s's hardship file is due on %(date)s.")
                % {"name": f.member.name, "date": f.review_due.isoformat()},
                f"/console/aid/files/{f.pk}/",
            )
            HardshipFile.objects.filter(pk=f.pk).update(review_reminded_for=f.review_due)
            due += 1
    return {"announcements_ended": ended, "reviews_due": due}


def application_document_open(*, actor: Any, application_id: int, document_id: int) -> tuple[Any, Any]:
    """Open a supporting document (income proof, hospital bill) for a cadre who may read the application (its
    union or any union on its review chain); the download is audited, the caller closes the file."""
    from .selectors import application_get

    app = application_get(actor=actor, application_id=application_id)
    doc = app.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound(_("No such document."))
    handle = open_audited(
        doc.stored_path,
        actor=actor,
        action="gonghui.aid.document_downloaded",
        obj=doc,
        org_path=app.org.path,
        data={"application": app.pk},
    )
    return doc, handle


__all__ = [
    "MAX_DOCUMENTS",
    "PERM",
    "ApplicationInput",
    "HouseholdInput",
    "Policy",
    "aid_policy_set",
    "aid_sweep",
    "application_approve",
    "application_document_open",
    "application_reject",
    "application_submit",
    "chain_for",
    "chain_levels_for",
    "document_add",
    "file_create",
    "file_exit",
    "file_review",
    "file_verify",
    "objection_raise",
    "objection_resolve",
    "payment_record",
    "policy_for",
    "review_chain_set",
]
