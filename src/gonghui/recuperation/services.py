"""Writes of recuperation (疗休养, DOMAIN §5): the union's rules, designations, sites, batches within the
spending limit, quotas split down the tree, applications, allocation by priority with a waiting list,
cancellation that moves the waiting list up, and attendance.

The union's side needs "recuperation.manage" on the union concerned; a member acts on their own applications.
Steps that count places lock the quota row. Each step logs `gonghui.recuperation.*` and tells people through
core.notify.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.notify import notify_org, notify_users
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.paths import is_within
from gonghui.orgs.services import require

from . import rules
from .models import (
    PLACE_STATUSES,
    Application,
    ApplicationStatus,
    Batch,
    BatchStatus,
    Designation,
    DesignationKind,
    Quota,
    RecuperationPolicy,
    Site,
    SiteKind,
)
from .selectors import (
    MANAGE,
    designations_of,
    eligibility_of,
    live_member,
    member_batch_get,
    nearest_quota,
    points_of,
    policy_for,
)

PROBLEM_MESSAGES: dict[str, Any] = {
    "no_quota": _("Your union has no places in this batch."),
    "member_status": _("Only active members may apply."),
    "membership_too_short": _("This needs at least %(years)s years of membership."),
    "designation": _("This batch is for %(only)s."),
    "place_this_year": _("You already have a place this year: one place per member a year."),
    "too_recent": _("You went within the last %(interval)s years; others go first."),
    "already_applied": _("You have already applied for this batch."),
}


def _audit(actor: Any, action: str, obj: Any, org: Org, **data: Any) -> None:
    log_action(actor=actor, action=f"gonghui.recuperation.{action}", obj=obj, org_path=org.path, data=data)


def _portal_url(app: Application) -> str:
    return reverse("portal:recuperation_application", args=[app.pk])


def _one_line(text: str, n: int) -> str:
    return " ".join((text or "").split())[:n]


# --- rules and designations ---------------------------------------------------------------------------------

POLICY_FIELDS = (
    "daily_limit",
    "max_days",
    "min_membership_years",
    "interval_years",
    "cancel_days_before",
    "model_worker_points",
    "frontline_points",
    "points_per_year",
    "max_service_points",
)


def recuperation_policy_set(*, actor: Any, org: Org, **values: Any) -> RecuperationPolicy:
    """Set the union's recuperation rules; they apply to the unions below it unless they set their own."""
    require(actor=actor, perm=MANAGE, org=org)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError("unknown_field", _("Unknown rule."), field=sorted(unknown)[0])
    limit = Decimal(str(values.get("daily_limit", 400)))
    if not Decimal("1") <= limit <= Decimal("5000"):
        raise ServiceError("invalid_limit", _("Give a daily limit of 1 to 5,000 yuan."), field="daily_limit")
    if not 1 <= int(values.get("max_days", 2)) <= 30:
        raise ServiceError("invalid_days", _("Give 1 to 30 days."), field="max_days")
    for name in POLICY_FIELDS[2:]:
        if not 0 <= int(values.get(name, 0)) <= 1000:
            raise ServiceError("invalid_value", _("Give a number from 0 to 1,000."), field=name)
    with transaction.atomic():
        policy, _created = RecuperationPolicy.objects.update_or_create(org=org, defaults=values)
        _audit(actor, "policy_set", policy, org, **{k: str(v) for k, v in values.items()})
    return policy


def designation_add(
    *, actor: Any, member: Member, kind: str, title: str = "", year: int | None = None
) -> Designation:
    """Record that a member is a model worker or holds a front-line post (priority for recuperation)."""
    require(actor=actor, perm=MANAGE, org=member.org)
    if kind not in DesignationKind.values:
        raise ServiceError("invalid_kind", _("Choose model worker or front-line worker."), field="kind")
    with transaction.atomic():
        row, _created = Designation.objects.update_or_create(
            member=member,
            kind=kind,
            defaults={"title": _one_line(title, 120), "year": year, "added_by": actor},
        )
        _audit(actor, "designation_added", row, member.org, kind=kind)
    return row


def designation_remove(*, actor: Any, designation: Designation) -> None:
    org = designation.member.org
    require(actor=actor, perm=MANAGE, org=org)
    with transaction.atomic():
        _audit(actor, "designation_removed", designation, org, kind=designation.kind)
        designation.delete()


# --- sites and batches --------------------------------------------------------------------------------------


def site_create(
    *,
    actor: Any,
    org: Org,
    name: str,
    kind: str,
    address: str,
    capacity: int,
    contact: str = "",
    description: str = "",
) -> Site:
    require(actor=actor, perm=MANAGE, org=org)
    name = _one_line(name, 120)
    if not name:
        raise ServiceError("name_required", _("Give the site's name."), field="name")
    if kind not in SiteKind.values:
        raise ServiceError("invalid_kind", _("Choose a kind of site."), field="kind")
    address = _one_line(address, 200)
    if not address:
        raise ServiceError("address_required", _("Give the site's address."), field="address")
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise ServiceError("invalid_capacity", _("Give 1 to 10,000 beds."), field="capacity")
    with transaction.atomic():
        if Site.objects.filter(org=org, name=name).exists():
            raise ServiceError("site_exists", _("The union already has a site of that name."), field="name")
        site = Site.objects.create(
            org=org,
            name=name,
            kind=kind,
            address=address,
            capacity=capacity,
            contact=_one_line(contact, 120),
            description=(description or "").strip()[:5000],
        )
        _audit(actor, "site_created", site, org, capacity=capacity)
    return site


def site_set_active(*, actor: Any, site: Site, active: bool) -> Site:
    """Retire a site (no new batches are planned there; its batches go on) or take it back into use."""
    require(actor=actor, perm=MANAGE, org=site.org)
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        if site.is_active != active:
            site.is_active = active
            site.save(update_fields=["is_active"])
            _audit(actor, "site_reinstated" if active else "site_retired", site, site.org)
    return site


@dataclass
class BatchInput:
    title: str
    theme: str
    starts_on: datetime.date
    ends_on: datetime.date
    capacity: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    cost_per_person: Decimal
    only_designations: list[str] = field(default_factory=list)


def batch_create(*, actor: Any, site: Site, data: BatchInput) -> Batch:
    """A draft batch at a site of the actor's union; its plan must keep within the spending limit per person
    per day and the number of days in force. The organiser holds the whole capacity as the root quota."""
    org = site.org
    require(actor=actor, perm=MANAGE, org=org)
    if not site.is_active:
        raise ServiceError("site_retired", _("This site is no longer in use."), field="site")
    title = _one_line(data.title, 120)
    theme = _one_line(data.theme, 60)
    if not title or not theme:
        raise ServiceError(
            "title_required", _("Give a title and a theme."), field="title" if not title else "theme"
        )
    if data.ends_on < data.starts_on:
        raise ServiceError("dates_order", _("The batch must end on or after its first day."), field="ends_on")
    if data.closes_at <= data.opens_at:
        raise ServiceError("window_order", _("Applications must close after they open."), field="closes_at")
    if data.closes_at.date() >= data.starts_on:
        raise ServiceError(
            "window_late", _("Applications must close before the batch starts."), field="closes_at"
        )
    if not isinstance(data.capacity, int) or not 1 <= data.capacity <= site.capacity:
        raise ServiceError(
            "invalid_capacity",
            _("Give 1 to %(n)s places (the site's beds).") % {"n": site.capacity},
            field="capacity",
        )
    kinds = sorted(set(data.only_designations or []))
    if any(k not in DesignationKind.values for k in kinds):
        raise ServiceError("invalid_designation", _("Choose from the list."), field="only_designations")
    cost = Decimal(str(data.cost_per_person))
    if cost < 0:
        raise ServiceError("invalid_cost", _("Give the planned cost per person."), field="cost_per_person")
    policy = policy_for(org)
    days = rules.batch_days(data.starts_on, data.ends_on)
    problems = rules.plan_problems(
        days=days, cost_per_person=cost, daily_limit=policy.daily_limit, max_days=policy.max_days
    )
    if "too_many_days" in problems:
        raise ServiceError(
            "too_many_days",
            _("A batch may last at most %(n)s days under the rules in force.") % {"n": policy.max_days},
            field="ends_on",
        )
    if "over_limit" in problems:
        raise ServiceError(
            "over_limit",
            _("The plan costs more than %(limit)s yuan per person (%(days)s days × %(daily)s yuan).")
            % {
                "limit": rules.cost_limit(days=days, daily_limit=policy.daily_limit),
                "days": days,
                "daily": policy.daily_limit,
            },
            field="cost_per_person",
        )
    with transaction.atomic():
        batch = Batch.objects.create(
            site=site,
            org=org,
            year=data.starts_on.year,
            title=title,
            theme=theme,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            days=days,
            capacity=data.capacity,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            cost_per_person=cost,
            daily_limit=policy.daily_limit,
            only_designations=kinds,
            created_by=actor,
        )
        Quota.objects.create(batch=batch, org=org, places=data.capacity)
        _audit(actor, "batch_created", batch, org, capacity=data.capacity, days=days, cost=str(cost))
    return batch


def _locked_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("org", "site").get(pk=batch.pk)


def batch_publish(*, actor: Any, batch: Batch) -> Batch:
    require(actor=actor, perm=MANAGE, org=batch.org)
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.status != BatchStatus.DRAFT:
            raise ServiceError("not_draft", _("Only a draft can be published."))
        if batch.closes_at <= timezone.now():
            raise ServiceError(
                "window_past", _("The application window has already passed."), field="closes_at"
            )
        batch.status, batch.published_at = BatchStatus.OPEN, timezone.now()
        batch.save(update_fields=["status", "published_at"])
        _audit(actor, "batch_published", batch, batch.org)
    return batch


def batch_cancel(*, actor: Any, batch: Batch, reason: str) -> Batch:
    require(actor=actor, perm=MANAGE, org=batch.org)
    reason = _one_line(reason, 300)
    if not reason:
        raise ServiceError("reason_required", _("Say why the batch is cancelled."), field="reason")
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.status == BatchStatus.CANCELLED:
            raise ServiceError("already_cancelled", _("The batch is already cancelled."))
        if timezone.localdate() >= batch.starts_on:
            raise ServiceError("started", _("The batch has started: record who came instead."), status=409)
        live = Application.objects.filter(batch=batch, status__in=[*PLACE_STATUSES, "applied", "waiting"])
        users = list(live.values_list("user_id", flat=True))
        live.update(status=ApplicationStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason)
        batch.status = BatchStatus.CANCELLED
        batch.save(update_fields=["status"])
        notify_users(
            users, str(_('"%(title)s" was cancelled: %(reason)s')) % {"title": batch.title, "reason": reason}
        )
        _audit(actor, "batch_cancelled", batch, batch.org, reason=reason, told=len(users))
    return batch


# --- quotas -------------------------------------------------------------------------------------------------


def quota_set(*, actor: Any, batch: Batch, org: Org, places: int) -> Quota:
    """Give `places` of a batch to a union below the nearest quota holder above it (or change its quota).
    The holder's places given down never exceed the places it holds; a quota never drops below the places
    it has given down or allocated."""
    if not isinstance(places, int) or places < 0:
        raise ServiceError("invalid_places", _("Give a number of places."), field="places")
    if not is_within(org.path, batch.org.path) or org.pk == batch.org_id:
        raise ServiceError("not_below", _("Quotas go to unions below the organiser."), field="org")
    with transaction.atomic():
        existing = Quota.objects.select_for_update().filter(batch=batch, org=org).first()
        if existing is not None and existing.parent_id is not None:
            parent = Quota.objects.select_for_update().select_related("org").get(pk=existing.parent_id)
        else:
            ids = org.ancestor_ids()
            holders = {q.org_id: q.pk for q in Quota.objects.filter(batch=batch, org_id__in=ids)}
            holder = next(holders[i] for i in reversed(ids) if i in holders)  # the root quota is always there
            parent = Quota.objects.select_for_update().select_related("org").get(pk=holder)
        require(actor=actor, perm=MANAGE, org=parent.org)
        if batch.status == BatchStatus.CANCELLED:
            raise ServiceError("batch_cancelled", _("The batch is cancelled."))
        siblings = Quota.objects.filter(parent=parent).exclude(org=org)
        given = list(siblings.values_list("places", flat=True))
        own_use = Application.objects.filter(quota=parent, status__in=PLACE_STATUSES).count()
        if not rules.split_fits(held=parent.places - own_use, given=given, new=places):
            free = parent.places - own_use - sum(given)
            raise ServiceError(
                "over_quota",
                _("%(org)s has only %(n)s places left to give.")
                % {"org": parent.org.name, "n": max(free, 0)},
                field="places",
            )
        if existing is not None:
            below = Quota.objects.filter(parent=existing).aggregate(n=Sum("places"))["n"] or 0
            used = Application.objects.filter(quota=existing, status__in=PLACE_STATUSES).count()
            if places < below + used:
                raise ServiceError(
                    "below_use",
                    _("This union has already given down or allocated %(n)s places.") % {"n": below + used},
                    field="places",
                )
            existing.places = places
            existing.save(update_fields=["places", "updated_at"])
            quota = existing
        else:
            quota = Quota.objects.create(batch=batch, org=org, parent=parent, places=places)
        _audit(actor, "quota_set", quota, parent.org, union=org.pk, places=places)
    return quota


# --- applications -------------------------------------------------------------------------------------------


def problem_message(code: str, batch: Batch, policy: RecuperationPolicy) -> str:
    labels = dict(DesignationKind.choices)
    only = "、".join(str(labels.get(k, k)) for k in batch.only_designations or [])
    message = PROBLEM_MESSAGES.get(code, _("You may not apply for this batch."))
    return str(message) % {
        "years": policy.min_membership_years,
        "interval": policy.interval_years,
        "only": only,
    }


def eligibility_check(
    *, batch: Batch, member: Member | None, user: Any, today: datetime.date
) -> rules.Verdict:
    """Every reason the person may not apply for `batch` (rules.check with the facts from the database)."""
    if member is None:
        return rules.Verdict(problems=["member_status"])
    policy = policy_for(member.org)
    quota = nearest_quota(batch=batch, org=member.org)
    places = Application.objects.filter(member=member, status__in=PLACE_STATUSES)
    last = places.exclude(year=batch.year).order_by("-year").values_list("year", flat=True).first()
    facts = rules.Facts(
        has_quota=quota is not None,
        status=member.status,
        joined_on=member.joined_on,
        today=today,
        year=batch.year,
        designations=designations_of(member),
        last_year=last,
        placed_this_year=places.filter(year=batch.year).exists(),
        already_applied=Application.objects.filter(batch=batch, member=member)
        .exclude(status=ApplicationStatus.CANCELLED)
        .exists(),
    )
    return rules.check(eligibility_of(batch, policy), facts)


def apply_problems(*, batch: Batch, user: Any, now: datetime.datetime | None = None) -> list[tuple[str, str]]:
    """Every reason `user` may not apply for `batch` now, as (code, message): the application window first,
    then each rule (rules.check with the facts from the database). Empty: they may apply."""
    now = now or timezone.now()
    problems: list[tuple[str, str]] = []
    state = rules.window_state(now=now, opens_at=batch.opens_at, closes_at=batch.closes_at)
    if state != "open":
        message = (
            _("Applications have not opened yet.") if state == "before" else _("Applications are closed.")
        )
        problems.append(("window_closed", str(message)))
    member = live_member(user=user)
    verdict = eligibility_check(batch=batch, member=member, user=user, today=timezone.localdate(now))
    policy = policy_for(member.org) if member else RecuperationPolicy()
    return problems + [(code, problem_message(code, batch, policy)) for code in verdict.problems]


def application_submit(*, user: Any, batch_id: int) -> Application:
    """Apply for a batch within its window, when eligible; the application goes to the nearest quota above
    the member's union with its priority points."""
    batch = member_batch_get(user=user, batch_id=batch_id)
    now = timezone.now()
    problems = apply_problems(batch=batch, user=user, now=now)
    if problems:
        code, message = problems[0]
        raise ServiceError(code, message, status=409)
    member = live_member(user=user)
    assert member is not None  # checked by the eligibility
    today = timezone.localdate(now)
    quota = nearest_quota(batch=batch, org=member.org)
    assert quota is not None  # checked by the eligibility
    policy = policy_for(member.org)
    total, detail = rules.score(
        points_of(policy),
        designations=designations_of(member),
        years=rules.membership_years(member.joined_on, today),
    )
    try:
        with transaction.atomic():
            app = Application.objects.create(
                batch=batch,
                quota=quota,
                org=member.org,
                user=user,
                member=member,
                year=batch.year,
                points=total,
                points_detail=detail,
                created_at=now,
            )
            _audit(user, "applied", app, member.org, batch=batch.pk, points=total)
    except IntegrityError as exc:
        raise ServiceError("already_applied", PROBLEM_MESSAGES["already_applied"], status=409) from exc
    return app


def _locked_quota(quota: Quota) -> Quota:
    return Quota.objects.select_for_update().select_related("org", "batch").get(pk=quota.pk)


def _free_places(quota: Quota) -> int:
    given = Quota.objects.filter(parent=quota).aggregate(n=Sum("places"))["n"] or 0
    used = Application.objects.filter(quota=quota, status__in=PLACE_STATUSES).count()
    return quota.places - given - used


def _place(app: Application, now: datetime.datetime, *, promoted: bool = False) -> None:
    """Give the application a place; the database refuses a second place for the member in a year."""
    app.status, app.allocated_at, app.waiting_position, app.promoted = (
        ApplicationStatus.ALLOCATED,
        now,
        None,
        promoted,
    )
    try:
        with transaction.atomic():
            app.save(update_fields=["status", "allocated_at", "waiting_position", "promoted"])
    except IntegrityError as exc:
        raise ServiceError("place_this_year", PROBLEM_MESSAGES["place_this_year"], status=409) from exc


@dataclass
class AllocationOutcome:
    allocated: int
    waiting: int


def quota_allocate(*, actor: Any, quota: Quota) -> AllocationOutcome:
    """After the window closes, the union holding the quota fills its free places by priority; the rest
    wait in order. Run again, it fills places freed since and renumbers the waiting list."""
    require(actor=actor, perm=MANAGE, org=quota.org)
    now = timezone.now()
    with transaction.atomic():
        quota = _locked_quota(quota)
        batch = quota.batch
        if batch.status != BatchStatus.OPEN:
            raise ServiceError("not_open", _("Only a published batch is allocated."))
        if now < batch.closes_at:
            raise ServiceError("window_open", _("Allocate after applications close."), status=409)
        pending = list(
            Application.objects.filter(
                quota=quota, status__in=[ApplicationStatus.APPLIED, ApplicationStatus.WAITING]
            )
        )
        ranked = rules.rank(rules.Candidate(a.pk, a.points, a.created_at) for a in pending)
        result = rules.allocate(ranked, _free_places(quota))
        by_id = {a.pk: a for a in pending}
        placed: list[int] = []
        for app_id in result.allocated:
            try:
                _place(by_id[app_id], now)
            except ServiceError:  # a place elsewhere this year meanwhile: skip this one
                by_id[app_id].refresh_from_db()
                continue
            placed.append(app_id)
        waiting = [i for i in ranked if i not in set(placed)]
        for position, app_id in enumerate(waiting, start=1):
            Application.objects.filter(pk=app_id).update(
                status=ApplicationStatus.WAITING, waiting_position=position
            )
        quota.allocated_at = now
        quota.save(update_fields=["allocated_at", "updated_at"])
        for app_id in placed:
            notify_users(
                [by_id[app_id].user_id],
                str(_("You have a place in %(title)s, %(start)s."))
                % {"title": batch.title, "start": batch.starts_on},
                _portal_url(by_id[app_id]),
            )
        for app_id in waiting:
            notify_users(
                [by_id[app_id].user_id],
                str(_("%(title)s: you are on the waiting list.")) % {"title": batch.title},
                _portal_url(by_id[app_id]),
            )
        _audit(actor, "allocated", quota, quota.org, allocated=len(placed), waiting=len(waiting))
    return AllocationOutcome(allocated=len(placed), waiting=len(waiting))


def _promote_next(quota: Quota, now: datetime.datetime) -> Application | None:
    """Give a freed place to the first on the waiting list who can take it, and tell them."""
    if _free_places(quota) <= 0:
        return None
    for app in Application.objects.filter(quota=quota, status=ApplicationStatus.WAITING).order_by(
        "waiting_position", "pk"
    ):
        try:
            _place(app, now, promoted=True)
        except ServiceError:
            continue
        notify_users(
            [app.user_id],
            str(_("A place freed up: you now have a place in %(title)s.")) % {"title": quota.batch.title},
            _portal_url(app),
        )
        return app
    return None


def application_cancel(*, user: Any, application_id: int, reason: str = "") -> Application:
    """The member cancels their own application; a place may be given back only until the cut-off before the
    start. A freed place goes to the next on the waiting list."""
    from .selectors import own_application_get

    app = own_application_get(user=user, application_id=application_id)
    now = timezone.now()
    with transaction.atomic():
        quota = _locked_quota(app.quota)
        app = Application.objects.select_for_update().get(pk=app.pk)
        if app.status not in (
            ApplicationStatus.APPLIED,
            ApplicationStatus.WAITING,
            ApplicationStatus.ALLOCATED,
        ):
            raise ServiceError(
                "not_cancellable", _("This application can no longer be cancelled."), status=409
            )
        policy = policy_for(app.org)
        if app.status == ApplicationStatus.ALLOCATED and not rules.cancel_allowed(
            today=timezone.localdate(), starts_on=quota.batch.starts_on, days_before=policy.cancel_days_before
        ):
            raise ServiceError(
                "too_late",
                _("A place can be given back until %(n)s days before the start; ask your union.")
                % {"n": policy.cancel_days_before},
                status=409,
            )
        held = app.status == ApplicationStatus.ALLOCATED
        app.status, app.cancelled_at, app.cancel_reason, app.waiting_position = (
            ApplicationStatus.CANCELLED,
            now,
            _one_line(reason, 300),
            None,
        )
        app.save(update_fields=["status", "cancelled_at", "cancel_reason", "waiting_position"])
        promoted = _promote_next(quota, now) if held else None
        _audit(user, "cancelled", app, app.org, by="member", promoted=promoted.pk if promoted else None)
    return app


def application_withdraw(*, actor: Any, application: Application, reason: str) -> Application:
    """The union holding the quota takes a place back (the member cannot go), at any time before the start;
    the next on the waiting list moves up and is told."""
    require(actor=actor, perm=MANAGE, org=application.quota.org)
    reason = _one_line(reason, 300)
    if not reason:
        raise ServiceError("reason_required", _("Say why."), field="reason")
    now = timezone.now()
    with transaction.atomic():
        quota = _locked_quota(application.quota)
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.status not in (
            ApplicationStatus.APPLIED,
            ApplicationStatus.WAITING,
            ApplicationStatus.ALLOCATED,
        ):
            raise ServiceError(
                "not_cancellable", _("This application can no longer be cancelled."), status=409
            )
        if timezone.localdate() >= quota.batch.starts_on:
            raise ServiceError("started", _("The batch has started."), status=409)
        held = app.status == ApplicationStatus.ALLOCATED
        app.status, app.cancelled_at, app.cancel_reason, app.waiting_position = (
            ApplicationStatus.CANCELLED,
            now,
            reason,
            None,
        )
        app.save(update_fields=["status", "cancelled_at", "cancel_reason", "waiting_position"])
        notify_users(
            [app.user_id],
            str(_("%(title)s: your union cancelled your application: %(reason)s"))
            % {"title": quota.batch.title, "reason": reason},
            _portal_url(app),
        )
        promoted = _promote_next(quota, now) if held else None
        _audit(actor, "withdrawn", app, quota.org, reason=reason, promoted=promoted.pk if promoted else None)
    return app


def application_attendance(*, actor: Any, application: Application, attended: bool) -> Application:
    """Record whether a member with a place came, once the batch has started."""
    require(actor=actor, perm=MANAGE, org=application.quota.org)
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("batch").get(pk=application.pk)
        if app.status not in (
            ApplicationStatus.ALLOCATED,
            ApplicationStatus.ATTENDED,
            ApplicationStatus.ABSENT,
        ):
            raise ServiceError("no_place", _("Only a member with a place can attend."), status=409)
        if timezone.localdate() < app.batch.starts_on:
            raise ServiceError("not_started", _("Record attendance once the batch has started."), status=409)
        app.status = ApplicationStatus.ATTENDED if attended else ApplicationStatus.ABSENT
        app.attended_at = timezone.now() if attended else None
        app.save(update_fields=["status", "attended_at"])
        _audit(actor, "attendance", app, application.quota.org, attended=attended)
    return app


# --- the daily sweep ----------------------------------------------------------------------------------------

REMIND_DAYS_BEFORE = 3


def recuperation_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Tell each union holding places in a batch whose applications have closed, with applications waiting and
    nothing allocated yet, to allocate; remind members with a place a few days before the start. Each once
    (the rows are marked), so the sweep can run as often as it likes and catch up after downtime."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    told_unions = 0
    due = (
        Quota.objects.filter(
            batch__status=BatchStatus.OPEN,
            batch__closes_at__lte=now,
            batch__starts_on__gt=today,
            allocated_at__isnull=True,
            reminded_at__isnull=True,
            applications__status=ApplicationStatus.APPLIED,
        )
        .select_related("org", "batch")
        .distinct()
    )
    for quota in due:
        with transaction.atomic():
            if not Quota.objects.filter(pk=quota.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another sweep got there first
            n = Application.objects.filter(quota=quota, status=ApplicationStatus.APPLIED).count()
            notify_org(
                quota.org,
                MANAGE,
                str(_("%(title)s: applications closed; %(n)s wait for your union to allocate places."))
                % {"title": quota.batch.title, "n": n},
                reverse("console:recuperation_batch", args=[quota.batch_id]),
            )
            told_unions += 1
    reminded = 0
    soon = (
        Batch.objects.filter(
            status=BatchStatus.OPEN,
            starts_on__gt=today,
            starts_on__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
            applications__status=ApplicationStatus.ALLOCATED,
            applications__reminded_at__isnull=True,
        )
        .select_related("site")
        .distinct()
    )
    for batch in soon:
        # One batch at a time: its rows are marked and its members told in the same transaction.
        with transaction.atomic():
            places = Application.objects.select_for_update().filter(
                batch=batch, status=ApplicationStatus.ALLOCATED, reminded_at__isnull=True
            )
            users = list(places.values_list("user_id", flat=True))
            places.update(reminded_at=now)
            notify_users(
                users,
                str(_("%(title)s starts on %(start)s at %(site)s."))
                % {"title": batch.title, "start": batch.starts_on, "site": batch.site.name},
                reverse("portal:recuperation_batch", args=[batch.pk]),
            )
            reminded += len(users)
    return {"unions_told": told_unions, "members_reminded": reminded}
