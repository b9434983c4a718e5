"""Writes of mutual medical aid: plans, enrolment (by the unit in bulk, or by the member), free accident
cover, and claims through review and payment. Every step is audited and the member is told."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import log_action
from gonghui.core.errors import PermissionDenied, ServiceError
from gonghui.core.notify import notify_users, send_sms
from gonghui.core.uploads import (
    DOCUMENT_TYPES,
    check_upload,
    delete_stored,
    open_audited,
    safe_name,
    sha256_of,
    store_upload,
)
from gonghui.members.models import LIVE_STATUSES, Member
from gonghui.members.rules import NEW_EMPLOYMENT_FORMS
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.services import require

from . import rules
from .models import (
    AccidentCover,
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimKind,
    ClaimStatus,
    Enrolment,
    Payment,
    Plan,
)
from .selectors import MANAGE, plan_in_force, plans_for

PLAN_KINDS = (OrgKind.NATIONAL, OrgKind.PROVINCE, OrgKind.CITY)
MAX_IMPORT_ROWS = 20_000


def _err(code: str, message: str, field: str | None = None) -> ServiceError:
    return ServiceError(code, message, field=field)


# --- plans -------------------------------------------------------------------------------------------------


@dataclass
class PlanInput:
    year: int
    code: str
    name: str
    contribution: Decimal
    enrol_opens: datetime.date
    enrol_closes: datetime.date
    cover_starts: datetime.date
    cover_ends: datetime.date
    waiting_days: int = 90
    claim_deadline_days: int = 180
    hospital_deductible: Decimal = Decimal(1000)
    hospital_tiers: list[list[Any]] | None = None
    per_stay_cap: Decimal = Decimal(20000)
    annual_cap: Decimal = Decimal(50000)
    illnesses: list[dict[str, Any]] | None = None
    accident_cover_for_new_employment: bool = False
    accident_benefits: list[dict[str, Any]] | None = None


def _check_list(items: Sequence[dict[str, Any]], what: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in items:
        code, name = str(item.get("code", "")).strip(), str(item.get("name", "")).strip()
        try:
            amount = rules.money(item.get("amount", ""))
        except (InvalidOperation, ValueError):
            amount = Decimal(-1)
        if not code or not name or amount < 0 or code in seen:
            raise _err(
                "bad_list",
                _("Every entry of %(what)s needs a unique code, a name and a sum.") % {"what": what},
            )
        seen.add(code)
        out.append({"code": code, "name": name, "amount": str(amount)})
    return out


def plan_set(*, actor: Any, org: Org, data: PlanInput) -> Plan:
    """Create or change a plan of a province or city union for a plan year."""
    require(actor=actor, perm=MANAGE, org=org)
    if org.kind not in PLAN_KINDS:
        raise _err("plan_level", _("Medical aid plans are set by a province or city federation."))
    if data.enrol_closes < data.enrol_opens or data.cover_ends < data.cover_starts:
        raise _err("plan_dates", _("A period cannot end before it starts."))
    if data.contribution < 0:
        raise _err("plan_contribution", _("The contribution cannot be negative."), "contribution")
    try:
        tiers = rules.parse_tiers(data.hospital_tiers or Plan._meta.get_field("hospital_tiers").get_default())
    except (ValueError, InvalidOperation) as exc:
        raise _err(
            "plan_tiers", _("The rate tiers must rise, have rates between 0 and 1 and end open.")
        ) from exc
    defaults = {
        "name": data.name,
        "contribution": data.contribution,
        "enrol_opens": data.enrol_opens,
        "enrol_closes": data.enrol_closes,
        "cover_starts": data.cover_starts,
        "cover_ends": data.cover_ends,
        "waiting_days": data.waiting_days,
        "claim_deadline_days": data.claim_deadline_days,
        "hospital_deductible": data.hospital_deductible,
        "hospital_tiers": [[None if t.upto is None else str(t.upto), str(t.rate)] for t in tiers],
        "per_stay_cap": data.per_stay_cap,
        "annual_cap": data.annual_cap,
        "illnesses": _check_list(
            data.illnesses if data.illnesses is not None else Plan._meta.get_field("illnesses").get_default(),
            _("the illness list"),
        ),
        "accident_cover_for_new_employment": data.accident_cover_for_new_employment,
        "accident_benefits": _check_list(
            data.accident_benefits
            if data.accident_benefits is not None
            else Plan._meta.get_field("accident_benefits").get_default(),
            _("the accident benefits"),
        ),
    }
    with transaction.atomic():
        plan, created = Plan.objects.update_or_create(
            org=org, year=data.year, code=data.code, defaults=defaults
        )
        log_action(
            actor=actor,
            action="gonghui.medical.plan." + ("created" if created else "changed"),
            obj=plan,
            org_path=org.path,
            data={"year": data.year, "code": data.code},
        )
    return plan


# --- enrolment ---------------------------------------------------------------------------------------------


@dataclass
class EnrolResult:
    created: int = 0
    already: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, value, message)


def _plan_for_enrolment(org: Org, year: int, code: str, today: datetime.date) -> Plan:
    plan = plan_in_force(org, year, code)
    if plan is None:
        raise _err("no_plan", _("There is no medical aid plan for %(year)s here.") % {"year": year})
    if not rules.enrolment_open(opens=plan.enrol_opens, closes=plan.enrol_closes, today=today):
        raise _err(
            "enrolment_closed",
            _("Enrolment for %(year)s is open from %(opens)s to %(closes)s.")
            % {"year": year, "opens": plan.enrol_opens, "closes": plan.enrol_closes},
        )
    return plan


def _enrolment_row(plan: Plan, member: Member, today: datetime.date, **extra: Any) -> Enrolment:
    return Enrolment(
        plan=plan,
        year=plan.year,
        member=member,
        org_id=member.org_id,
        enrolled_on=today,
        cover_from=rules.cover_from(
            cover_starts=plan.cover_starts, enrolled_on=today, waiting_days=plan.waiting_days
        ),
        cover_until=plan.cover_ends,
        amount=plan.contribution,
        **extra,
    )


def enrol_members(
    *,
    actor: Any,
    org: Org,
    year: int,
    numbers: Sequence[tuple[int, str]] | None = None,
    plan_code: str = "",
    payment_ref: str = "",
    today: datetime.date | None = None,
) -> EnrolResult:
    """The unit enrols its live members for `year`, paid by the unit: all of them (`numbers` None) or those of
    the listed member numbers ((row, number) pairs; every bad row is reported). Running it again enrols only
    those not yet enrolled."""
    require(actor=actor, perm=MANAGE, org=org)
    today = today or timezone.localdate()
    plan = _plan_for_enrolment(org, year, plan_code, today)
    result = EnrolResult()
    members: list[Member]
    if numbers is None:
        members = list(Member.objects.filter(org=org, status__in=LIVE_STATUSES).order_by("number"))
    else:
        wanted = [n.strip() for _row, n in numbers]
        found = {
            m.number: m
            for m in Member.objects.filter(number__in=[w for w in wanted if w]).select_related("org")
        }
        members, seen = [], set()
        for (row, _raw), number in zip(numbers, wanted, strict=True):
            member = found.get(number)
            if not number:
                result.problems.append((row, number, _("No member number.")))
            elif number in seen:
                result.problems.append((row, number, _("This member number appears twice in the list.")))
            elif member is None or not member.org.path.startswith(org.path):
                result.problems.append((row, number, _("No such member in this union.")))
            elif member.status not in LIVE_STATUSES:
                result.problems.append((row, number, _("This membership has ended.")))
            else:
                members.append(member)
            seen.add(number)
    enrolled = set(
        Enrolment.objects.filter(member__in=members, year=year).values_list("member_id", flat=True)
    )
    rows = [
        _enrolment_row(
            plan,
            m,
            today,
            via=Enrolment.Via.UNIT,
            payment=Payment.UNIT,
            payment_ref=payment_ref,
            enrolled_by=actor,
        )
        for m in members
        if m.pk not in enrolled
    ]
    result.already = len(members) - len(rows)
    with transaction.atomic():
        # ignore_conflicts: a concurrent run that enrolled the same member first wins; the constraint holds.
        Enrolment.objects.bulk_create(rows, ignore_conflicts=True)
        result.created = len(rows)
        log_action(
            actor=actor,
            action="gonghui.medical.enrolment.bulk",
            obj=org,
            data={
                "year": year,
                "plan": plan.code,
                "created": result.created,
                "problems": len(result.problems),
            },
        )
        users = [m.user_id for m in members if m.pk not in enrolled and m.user_id]
        notify_users(
            users,
            _("Your unit enrolled you in mutual medical aid for %(year)s.") % {"year": year},
            "/medical/",
        )
    return result


def enrolment_numbers_from_xlsx(file: Any) -> list[tuple[int, str]]:
    """(row number, member number) from the first column of the first sheet; a header row is skipped."""
    from python_calamine import CalamineError, CalamineWorkbook

    check_upload(file, allowed={"xlsx"})
    file.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(file)
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, IndexError) as exc:
        raise _err("bad_file", _("The file could not be read as a spreadsheet."), "file") from exc
    out: list[tuple[int, str]] = []
    for i, row in enumerate(rows, start=1):
        value = row[0] if row else ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if i == 1 and text and not any(ch.isdigit() for ch in text):
            continue  # a header
        if not text and not any(str(c).strip() for c in row):
            continue  # an empty row
        out.append((i, text))
        if len(out) > MAX_IMPORT_ROWS:
            raise _err("too_many_rows", _("At most %(n)s rows at a time.") % {"n": MAX_IMPORT_ROWS}, "file")
    return out


def enrol_self(
    *, user: Any, plan_code: str = "", payment_ref: str = "", today: datetime.date | None = None
) -> Enrolment:
    """A member enrols themselves during the window; the payment is recorded (no payment gateway)."""
    from .selectors import own_member

    member = own_member(user=user)
    if member is None:
        raise PermissionDenied(_("Only members may enrol in mutual medical aid."))
    today = today or timezone.localdate()
    # In December the window of next year's plan may be open already: that plan comes first.
    upcoming = plan_in_force(member.org, today.year + 1, plan_code)
    if upcoming is not None and rules.enrolment_open(
        opens=upcoming.enrol_opens, closes=upcoming.enrol_closes, today=today
    ):
        plan = upcoming
    else:
        plan = _plan_for_enrolment(member.org, today.year, plan_code, today)
    if Enrolment.objects.filter(member=member, year=plan.year).exists():
        raise _err("already_enrolled", _("You are already enrolled for %(year)s.") % {"year": plan.year})
    row = _enrolment_row(
        plan,
        member,
        today,
        via=Enrolment.Via.SELF,
        payment=Payment.MEMBER,
        payment_ref=payment_ref.strip()[:60] or f"SELF-{uuid.uuid4().hex[:10].upper()}",
        enrolled_by=user,
    )
    try:
        with transaction.atomic():
            row.save()
            log_action(actor=user, action="gonghui.medical.enrolment.self", obj=row, org_path=member.org.path)
            notify_users(
                [user],
                _("You are enrolled in mutual medical aid for %(year)s, covered from %(date)s.")
                % {"year": plan.year, "date": row.cover_from},
                "/medical/",
            )
    except IntegrityError as exc:
        raise _err(
            "already_enrolled", _("You are already enrolled for %(year)s.") % {"year": plan.year}
        ) from exc
    return row


def accident_cover_sweep(*, year: int | None = None, today: datetime.date | None = None) -> int:
    """Give free accident cover to every live new-employment member whose plan in force offers it and who has
    none yet this year. Idempotent; run daily, so new members are covered the day after they join."""
    today = today or timezone.localdate()
    year = year or today.year
    offering = Plan.objects.filter(year=year, accident_cover_for_new_employment=True)
    if not offering.exists():
        return 0
    q = Q()
    for path in set(offering.values_list("org__path", flat=True)):
        q |= Q(org__path__startswith=path)
    candidates = (
        Member.objects.filter(q, status__in=LIVE_STATUSES, employment_form__in=list(NEW_EMPLOYMENT_FORMS))
        .exclude(accident_covers__year=year)
        .select_related("org")
    )
    plan_of: dict[int, Plan | None] = {}
    rows: list[AccidentCover] = []
    for member in candidates.iterator(chunk_size=2000):
        if member.org_id not in plan_of:
            plans = plans_for(member.org, year)
            plan_of[member.org_id] = next((p for p in plans if p.accident_cover_for_new_employment), None)
        plan = plan_of[member.org_id]
        if plan is None:
            continue
        rows.append(
            AccidentCover(
                plan=plan,
                year=year,
                member=member,
                org_id=member.org_id,
                cover_from=max(plan.cover_starts, member.joined_on, min(today, plan.cover_ends)),
                cover_until=plan.cover_ends,
            )
        )
    with transaction.atomic():
        AccidentCover.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        if rows:
            log_action(
                actor="scheduler", action="gonghui.medical.accident_cover.granted", data={"n": len(rows)}
            )
            notify_users(
                [r.member.user_id for r in rows if r.member.user_id],
                _("You have free accident cover for %(year)s as a new-employment worker.") % {"year": year},
                "/medical/",
            )
    return len(rows)


# --- claims --------------------------------------------------------------------------------------------------


@dataclass
class ClaimInput:
    kind: str
    event_on: datetime.date
    hospital: str
    discharged_on: datetime.date | None = None
    total_amount: Decimal = Decimal(0)
    insurance_amount: Decimal = Decimal(0)
    out_of_pocket: Decimal = Decimal(0)
    item_code: str = ""


def _tell(claim: Claim, text: str) -> None:
    """Tell the member in the portal and, when an SMS sender is configured, by SMS."""
    member = claim.member
    if member.user_id:
        notify_users([member.user_id], text, f"/medical/claims/{claim.pk}/")
    send_sms(member.mobile or "", text)


def _event(claim: Claim, actor: Any, note: str = "") -> None:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    ClaimEvent.objects.create(claim=claim, status=claim.status, actor=actor if is_user else None, note=note)


def _attach(claim: Claim, documents: Iterable[tuple[str, Any]], actor: Any) -> list[str]:
    stored: list[str] = []
    kinds = set(ClaimDocument.Kind.values)
    try:
        for kind, file in documents:
            content_type = check_upload(file, allowed=DOCUMENT_TYPES)
            size, digest, name = int(file.size), sha256_of(file), safe_name(getattr(file, "name", ""))
            path = store_upload(file, folder=f"medical/{claim.pk}")
            stored.append(path)
            ClaimDocument.objects.create(
                claim=claim,
                kind=kind if kind in kinds else ClaimDocument.Kind.OTHER,
                original_name=name,
                stored_path=path,
                content_type=content_type,
                size=size,
                sha256=digest,
                added_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except Exception:
        for path in stored:
            delete_stored(path)
        raise
    return stored


def _paid_this_year(member: Member, year: int, exclude: int | None = None) -> Decimal:
    """Hospital payouts of the member this year that still count: approved or paid at their approved amount,
    pending ones at their computed amount."""
    qs = Claim.objects.filter(member=member, year=year, kind=ClaimKind.HOSPITAL).exclude(
        status=ClaimStatus.REJECTED
    )
    if exclude:
        qs = qs.exclude(pk=exclude)
    decided = qs.filter(approved_amount__isnull=False).aggregate(s=Sum("approved_amount"))["s"] or Decimal(0)
    pending = qs.filter(approved_amount__isnull=True).aggregate(s=Sum("computed_amount"))["s"] or Decimal(0)
    return decided + pending


def claim_compute(
    *, plan: Plan, member: Member, data: ClaimInput, exclude: int | None = None
) -> tuple[Decimal, str]:
    """(payout by the schedule, name of the listed item) for a claim; ServiceError when nothing is payable."""
    if data.kind == ClaimKind.HOSPITAL:
        amount = rules.hospital_payout(
            out_of_pocket=data.out_of_pocket,
            deductible=plan.hospital_deductible,
            tiers=rules.parse_tiers(plan.hospital_tiers),
            per_stay_cap=plan.per_stay_cap,
            annual_cap=plan.annual_cap,
            paid_this_year=_paid_this_year(member, plan.year, exclude),
        )
        return amount, ""
    items = plan.illnesses if data.kind == ClaimKind.ILLNESS else plan.accident_benefits
    found = rules.listed_sum(items, data.item_code)
    if found is None:
        raise _err("not_listed", _("Choose an item from the plan's list."), "item_code")
    name, amount = found
    return amount, name


def claim_submit(
    *,
    actor: Any,
    member: Member,
    data: ClaimInput,
    documents: Sequence[tuple[str, Any]],
    today: datetime.date | None = None,
) -> Claim:
    """A member (for themselves) or a cadre with medical.manage (on the member's behalf) submits a claim."""
    by_member = member.user_id is not None and getattr(actor, "pk", None) == member.user_id
    if not by_member:
        require(actor=actor, perm=MANAGE, org=member.org)
    if member.status not in LIVE_STATUSES:
        raise _err("not_member", _("Only members may claim."))
    today = today or timezone.localdate()
    if data.kind not in ClaimKind.values:
        raise _err("bad_kind", _("Choose the type of claim."), "kind")
    if not data.hospital.strip():
        raise _err("hospital_missing", _("Name the hospital."), "hospital")
    if data.event_on > today:
        raise _err("future", _("The date cannot be in the future."), "event_on")
    ended_on = data.event_on
    if data.kind == ClaimKind.HOSPITAL:
        if data.discharged_on is None or data.discharged_on < data.event_on:
            raise _err(
                "discharge", _("Give the discharge date, on or after the admission date."), "discharged_on"
            )
        if data.discharged_on > today:
            raise _err("future", _("The date cannot be in the future."), "discharged_on")
        ended_on = data.discharged_on
        if not rules.amounts_valid(
            total=data.total_amount, insurance=data.insurance_amount, out_of_pocket=data.out_of_pocket
        ):
            raise _err(
                "amounts",
                _("The insurance share and the out-of-pocket amount cannot exceed the total."),
                "out_of_pocket",
            )
    if not documents:
        raise _err("documents", _("Attach the invoice and the discharge summary or diagnosis."), "documents")
    year = data.event_on.year
    enrolment: Enrolment | None = None
    cover: AccidentCover | None = None
    if data.kind == ClaimKind.ACCIDENT:
        cover = AccidentCover.objects.filter(member=member, year=year).select_related("plan").first()
        if cover is None:
            raise _err("not_covered", _("There is no accident cover for %(year)s.") % {"year": year})
        plan, start, end = cover.plan, cover.cover_from, cover.cover_until
    else:
        enrolment = Enrolment.objects.filter(member=member, year=year).select_related("plan").first()
        if enrolment is None:
            raise _err("not_enrolled", _("Not enrolled in mutual medical aid for %(year)s.") % {"year": year})
        plan, start, end = enrolment.plan, enrolment.cover_from, enrolment.cover_until
    if not rules.in_cover(on=data.event_on, cover_from=start, cover_until=end):
        raise _err(
            "out_of_cover",
            _("The cover runs from %(start)s to %(end)s.") % {"start": start, "end": end},
            "event_on",
        )
    deadline = rules.claim_deadline(ended_on=ended_on, days=plan.claim_deadline_days)
    if today > deadline:
        raise _err("too_late", _("Claims had to be made by %(date)s.") % {"date": deadline})
    if (
        data.kind == ClaimKind.ILLNESS
        and Claim.objects.filter(member=member, year=year, kind=ClaimKind.ILLNESS, item_code=data.item_code)
        .exclude(status=ClaimStatus.REJECTED)
        .exists()
    ):
        raise _err("illness_once", _("This illness was already claimed this year."), "item_code")
    amount, item_name = claim_compute(plan=plan, member=member, data=data)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                number=f"T{uuid.uuid4().hex[:16]}",
                kind=data.kind,
                member=member,
                org_id=member.org_id,
                plan=plan,
                year=year,
                enrolment=enrolment,
                accident_cover=cover,
                event_on=data.event_on,
                discharged_on=data.discharged_on if data.kind == ClaimKind.HOSPITAL else None,
                hospital=data.hospital.strip()[:120],
                total_amount=data.total_amount,
                insurance_amount=data.insurance_amount,
                out_of_pocket=data.out_of_pocket,
                item_code=data.item_code if data.kind != ClaimKind.HOSPITAL else "",
                item_name=item_name,
                computed_amount=amount,
                submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
                by_member=by_member,
            )
            claim.number = f"YB{year}{claim.pk:06d}"
            claim.save(update_fields=["number"])
            _attach(claim, documents, actor)
            _event(claim, actor, "" if by_member else _("Submitted by the union on the member's behalf."))
            log_action(
                actor=actor, action="gonghui.medical.claim.submitted", obj=claim, data={"amount": str(amount)}
            )
            _tell(
                claim,
                _("Your medical aid claim %(number)s was received; by the schedule it pays %(amount)s yuan.")
                % {"number": claim.number, "amount": amount},
            )
    except IntegrityError as exc:
        raise _err("illness_once", _("This illness was already claimed this year."), "item_code") from exc
    return claim


def _decidable(claim: Claim) -> None:
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO):
        raise _err("not_open", _("This claim was already decided."))


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("member", "org").get(pk=claim.pk)


def claim_approve(*, actor: Any, claim: Claim, amount: Decimal | None = None, reason: str = "") -> Claim:
    """Approve at the computed amount, or adjust it downwards with a reason."""
    require(actor=actor, perm=MANAGE, org=claim.org)
    with transaction.atomic():
        claim = _lock(claim)
        _decidable(claim)
        if amount is None:
            amount = claim.computed_amount
        amount = rules.money(amount)
        if amount < 0 or amount > claim.computed_amount:
            raise _err(
                "amount",
                _("The amount must be between 0 and %(max)s yuan, the schedule's payout.")
                % {"max": claim.computed_amount},
                "amount",
            )
        if amount != claim.computed_amount and not reason.strip():
            raise _err("reason", _("Say why the amount differs from the schedule."), "reason")
        claim.status = ClaimStatus.APPROVED
        claim.approved_amount = amount
        claim.reason = reason.strip()
        claim.decided_by, claim.decided_at = actor, timezone.now()
        claim.save()
        _event(claim, actor, claim.reason)
        log_action(
            actor=actor, action="gonghui.medical.claim.approved", obj=claim, data={"amount": str(amount)}
        )
        _tell(
            claim,
            _("Your medical aid claim %(number)s was approved: %(amount)s yuan.")
            % {"number": claim.number, "amount": amount},
        )
    return claim


def claim_reject(*, actor: Any, claim: Claim, reason: str) -> Claim:
    require(actor=actor, perm=MANAGE, org=claim.org)
    if not reason.strip():
        raise _err("reason", _("Give the reason."), "reason")
    with transaction.atomic():
        claim = _lock(claim)
        _decidable(claim)
        claim.status = ClaimStatus.REJECTED
        claim.reason = reason.strip()
        claim.decided_by, claim.decided_at = actor, timezone.now()
        claim.save()
        _event(claim, actor, claim.reason)
        log_action(actor=actor, action="gonghui.medical.claim.rejected", obj=claim)
        _tell(
            claim,
            _("Your medical aid claim %(number)s was not approved: %(reason)s")
            % {"number": claim.number, "reason": claim.reason},
        )
    return claim


def claim_ask_documents(*, actor: Any, claim: Claim, reason: str) -> Claim:
    require(actor=actor, perm=MANAGE, org=claim.org)
    if not reason.strip():
        raise _err("reason", _("Say which documents are needed."), "reason")
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status != ClaimStatus.SUBMITTED:
            raise _err("not_open", _("This claim is not waiting for review."))
        claim.status = ClaimStatus.MORE_INFO
        claim.reason = reason.strip()
        claim.save(update_fields=["status", "reason"])
        _event(claim, actor, claim.reason)
        log_action(actor=actor, action="gonghui.medical.claim.documents_asked", obj=claim)
        _tell(
            claim,
            _("Your medical aid claim %(number)s needs more documents: %(reason)s")
            % {"number": claim.number, "reason": claim.reason},
        )
    return claim


def claim_add_documents(*, actor: Any, claim: Claim, documents: Sequence[tuple[str, Any]]) -> Claim:
    """The member (or a cadre) adds documents to an open claim; one waiting for documents goes back to review."""
    if not (claim.member.user_id and getattr(actor, "pk", None) == claim.member.user_id):
        require(actor=actor, perm=MANAGE, org=claim.org)
    if not documents:
        raise _err("documents", _("Attach at least one file."), "documents")
    with transaction.atomic():
        claim = _lock(claim)
        if not claim.is_open:
            raise _err("not_open", _("This claim was already decided."))
        _attach(claim, documents, actor)
        if claim.status == ClaimStatus.MORE_INFO:
            claim.status = ClaimStatus.SUBMITTED
            claim.save(update_fields=["status"])
        _event(claim, actor, _("Documents added."))
        log_action(
            actor=actor, action="gonghui.medical.claim.documents_added", obj=claim, data={"n": len(documents)}
        )
    return claim


def claim_pay(*, actor: Any, claim: Claim, payment_ref: str, paid_on: datetime.date | None = None) -> Claim:
    """Record the payment of an approved claim (the transfer itself happens outside the platform)."""
    require(actor=actor, perm=MANAGE, org=claim.org)
    if not payment_ref.strip():
        raise _err("payment_ref", _("Give the payment reference."), "payment_ref")
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status != ClaimStatus.APPROVED:
            raise _err("not_approved", _("Only an approved claim can be paid."))
        claim.status = ClaimStatus.PAID
        claim.paid_on = paid_on or timezone.localdate()
        claim.payment_ref = payment_ref.strip()[:60]
        claim.save(update_fields=["status", "paid_on", "payment_ref"])
        _event(claim, actor)
        log_action(
            actor=actor, action="gonghui.medical.claim.paid", obj=claim, data={"ref": claim.payment_ref}
        )
        _tell(
            claim,
            _("%(amount)s yuan of your medical aid claim %(number)s was paid.")
            % {"amount": claim.approved_amount, "number": claim.number},
        )
    return claim


def claim_document_open(*, actor: Any, document_id: int) -> tuple[Any, Any]:
    """Open a claim's document (a hospital bill, a diagnosis: health data) for a cadre in scope; the download is
    audited, the caller closes the file."""
    from .selectors import claim_document_get

    doc = claim_document_get(actor=actor, document_id=document_id)
    handle = open_audited(
        doc.stored_path,
        actor=actor,
        action="gonghui.medical.document_downloaded",
        obj=doc,
        org_path=doc.claim.org.path,
        data={"claim": doc.claim_id},
    )
    return doc, handle
