"""Writes of enterprise disclosure (厂务公开, DOMAIN §3): the plan, items and their files, publishing to the
union's active members, acknowledgements, questions and answers, and the daily overdue sweep.

Every write checks the permission ("disclosure.manage" on the item's union for the union's side; an active
membership of the union for a member), changes rows inside one transaction with a row lock where a state
changes, logs `gonghui.disclosure.*` and tells people through core.notify.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.notify import notify_org, notify_users
from gonghui.core.uploads import (
    DOCUMENT_TYPES,
    check_upload,
    delete_stored,
    safe_name,
    sha256_of,
    store_upload,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.services import require

from . import rules
from .models import (
    Acknowledgement,
    Attachment,
    Category,
    Channel,
    Frequency,
    Item,
    ItemStatus,
    Question,
    ScheduleEntry,
)
from .selectors import MANAGE, own_item_get

MAX_ATTACHMENTS = 10
TITLE_MAX = 200
BODY_MAX = 20000
QUESTION_MAX = 2000
ANSWER_MAX = 5000
# The first due date of a plan entry lies within this many days from today (a typo such as 2062 is refused).
MAX_DUE_AHEAD_DAYS = 3 * 366


def _text(value: Any, *, field: str, limit: int, required: bool = True, code: str = "text_required") -> str:
    text = " ".join(str(value or "").split()) if field == "title" else str(value or "").strip()
    if required and not text:
        raise ServiceError(code, _("This field is required."), field=field)
    if len(text) > limit:
        raise ServiceError(
            "text_too_long",
            _("Write at most %(n)s characters.") % {"n": limit},
            field=field,
        )
    return text


def _choice(value: str, choices: Any, *, field: str, message: Any) -> str:
    if value not in choices.values:
        raise ServiceError(f"invalid_{field}", message, field=field)
    return value


def _grassroots(org: Org) -> None:
    if org.kind != OrgKind.GRASSROOTS:
        raise ServiceError(
            "not_grassroots",
            _("Disclosure is kept by a grassroots union, for its own enterprise."),
            field="org",
        )


def _console_url(item: Item) -> str:
    return reverse("console:disclosure_item", args=[item.pk])


def _portal_url(item: Item) -> str:
    return reverse("portal:disclosure_item", args=[item.pk])


def _audit(actor: Any, action: str, obj: Any, org: Org, **data: Any) -> None:
    log_action(actor=actor, action=f"gonghui.disclosure.{action}", obj=obj, org_path=org.path, data=data)


# --- the plan -----------------------------------------------------------------------------------------------


def _check_due(next_due: Any, *, today: datetime.date) -> datetime.date:
    if not isinstance(next_due, datetime.date):
        raise ServiceError("date_required", _("Give the date."), field="next_due")
    if next_due > today + datetime.timedelta(days=MAX_DUE_AHEAD_DAYS):
        raise ServiceError(
            "due_too_far", _("The next due date must lie within three years."), field="next_due"
        )
    return next_due


def schedule_add(
    *, actor: Any, org: Org, category: str, title: str, frequency: str, next_due: datetime.date
) -> ScheduleEntry:
    """Add a line to the union's disclosure plan: a category, what is disclosed, how often, when next."""
    require(actor=actor, perm=MANAGE, org=org)
    _grassroots(org)
    category = _choice(category, Category, field="category", message=_("Choose a category."))
    frequency = _choice(frequency, Frequency, field="frequency", message=_("Choose how often."))
    title = _text(title, field="title", limit=120)
    next_due = _check_due(next_due, today=timezone.localdate())
    with transaction.atomic():
        entry = ScheduleEntry.objects.create(
            org=org,
            category=category,
            title=title,
            frequency=frequency,
            next_due=next_due,
            anchor_day=next_due.day,
            created_by=actor,
        )
        _audit(actor, "schedule_added", entry, org, frequency=frequency, next_due=next_due.isoformat())
    return entry


def schedule_update(
    *,
    actor: Any,
    entry: ScheduleEntry,
    title: str,
    frequency: str,
    next_due: datetime.date | None,
    active: bool = True,
) -> ScheduleEntry:
    """Change a plan entry: a new due date resets the day of the month the plan keeps; a paused entry is
    never overdue."""
    require(actor=actor, perm=MANAGE, org=entry.org)
    frequency = _choice(frequency, Frequency, field="frequency", message=_("Choose how often."))
    title = _text(title, field="title", limit=120)
    if active:
        next_due = _check_due(next_due, today=timezone.localdate())
    with transaction.atomic():
        entry = ScheduleEntry.objects.select_for_update().select_related("org").get(pk=entry.pk)
        entry.title, entry.frequency, entry.active = title, frequency, active
        fields = ["title", "frequency", "active"]
        if next_due is not None and next_due != entry.next_due:
            entry.next_due, entry.anchor_day = next_due, next_due.day
            fields += ["next_due", "anchor_day"]
        entry.save(update_fields=fields)
        _audit(
            actor,
            "schedule_updated",
            entry,
            entry.org,
            frequency=frequency,
            active=active,
            next_due=entry.next_due.isoformat() if entry.next_due else None,
        )
    return entry


# --- items --------------------------------------------------------------------------------------------------


def _check_schedule(schedule: ScheduleEntry | None, org: Org) -> None:
    if schedule is not None and (schedule.org_id != org.pk or not schedule.active):
        raise ServiceError(
            "invalid_schedule", _("Choose an active entry of this union's plan."), field="schedule"
        )


def _attach(item: Item, files: Iterable[Any], *, actor: Any) -> list[str]:
    """Check and store files for an item; the caller deletes the returned paths when the transaction fails."""
    stored: list[str] = []
    for file in files:
        content_type = check_upload(file, allowed=DOCUMENT_TYPES)
        size, digest, name = int(file.size), sha256_of(file), safe_name(getattr(file, "name", ""))
        path = store_upload(file, folder=f"disclosure/{item.pk}")
        stored.append(path)
        Attachment.objects.create(
            item=item,
            original_name=name,
            stored_path=path,
            content_type=content_type,
            size=size,
            sha256=digest,
            added_by=actor,
        )
    return stored


def item_create(
    *,
    actor: Any,
    org: Org,
    category: str,
    title: str,
    body: str,
    channel: str = Channel.ONLINE,
    schedule: ScheduleEntry | None = None,
    files: Iterable[Any] = (),
) -> Item:
    """Draft a disclosure, with files (PDF, images, office documents, checked by their content)."""
    require(actor=actor, perm=MANAGE, org=org)
    _grassroots(org)
    category = _choice(category, Category, field="category", message=_("Choose a category."))
    channel = _choice(channel, Channel, field="channel", message=_("Choose the channel."))
    title = _text(title, field="title", limit=TITLE_MAX)
    body = _text(body, field="body", limit=BODY_MAX)
    _check_schedule(schedule, org)
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise ServiceError(
            "too_many_files",
            _("An item holds at most %(n)s files.") % {"n": MAX_ATTACHMENTS},
            field="files",
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            item = Item.objects.create(
                org=org,
                schedule=schedule,
                category=category,
                title=title,
                body=body,
                channel=channel,
                created_by=actor,
            )
            stored = _attach(item, files, actor=actor)
            _audit(actor, "item_drafted", item, org, category=category, files=len(stored))
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return item


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("org", "schedule").get(pk=item.pk)


def _require_draft(item: Item) -> None:
    if item.status != ItemStatus.DRAFT:
        raise ServiceError(
            "not_draft",
            _("Only a draft can be changed; this item is %(status)s.")
            % {"status": item.get_status_display()},
            status=409,
        )


def item_update(
    *,
    actor: Any,
    item: Item,
    category: str,
    title: str,
    body: str,
    channel: str,
    schedule: ScheduleEntry | None = None,
) -> Item:
    require(actor=actor, perm=MANAGE, org=item.org)
    category = _choice(category, Category, field="category", message=_("Choose a category."))
    channel = _choice(channel, Channel, field="channel", message=_("Choose the channel."))
    title = _text(title, field="title", limit=TITLE_MAX)
    body = _text(body, field="body", limit=BODY_MAX)
    with transaction.atomic():
        item = _locked(item)
        _require_draft(item)
        _check_schedule(schedule, item.org)
        item.category, item.title, item.body, item.channel, item.schedule = (
            category,
            title,
            body,
            channel,
            schedule,
        )
        item.save(update_fields=["category", "title", "body", "channel", "schedule", "updated_at"])
        _audit(actor, "item_updated", item, item.org)
    return item


def item_attachment_add(*, actor: Any, item: Item, file: Any) -> Attachment:
    require(actor=actor, perm=MANAGE, org=item.org)
    stored: list[str] = []
    try:
        with transaction.atomic():
            item = _locked(item)
            _require_draft(item)
            if Attachment.objects.filter(item=item).count() >= MAX_ATTACHMENTS:
                raise ServiceError(
                    "too_many_files",
                    _("An item holds at most %(n)s files.") % {"n": MAX_ATTACHMENTS},
                    field="file",
                    status=409,
                )
            stored = _attach(item, [file], actor=actor)
            att = Attachment.objects.get(stored_path=stored[0])
            _audit(actor, "attachment_added", item, item.org, sha256=att.sha256, size=att.size)
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return att


def _audience(org: Org) -> list[tuple[int, int | None]]:
    """(member id, user id) of the active members of the union and its branches."""
    return list(
        Member.objects.filter(subtree_q(org.path, "org__path"), status=MemberStatus.ACTIVE).values_list(
            "pk", "user_id"
        )
    )


def item_publish(*, actor: Any, item: Item) -> Item:
    """Publish to the union's active members (each with a portal account gets a notice). Against a plan entry
    it settles the entry's due date, which moves on by one period (a one-off entry is then done)."""
    require(actor=actor, perm=MANAGE, org=item.org)
    today = timezone.localdate()
    with transaction.atomic():
        item = _locked(item)
        _require_draft(item)
        audience = _audience(item.org)
        item.status = ItemStatus.PUBLISHED
        item.published_at = timezone.now()
        item.published_by = actor
        item.audience = len(audience)
        fields = ["status", "published_at", "published_by", "audience", "updated_at"]
        settled = None
        if item.schedule_id is not None:
            entry = ScheduleEntry.objects.select_for_update().get(pk=item.schedule_id)
            if entry.active and entry.next_due is not None:
                settled = entry.next_due
                item.settles_due = settled
                fields.append("settles_due")
                following = rules.next_due(entry.next_due, entry.frequency, anchor_day=entry.anchor_day)
                entry.next_due = following
                entry.active = following is not None
            entry.last_published_on = today
            entry.save(update_fields=["next_due", "active", "last_published_on"])
        item.save(update_fields=fields)
        users = sorted({u for _m, u in audience if u})
        notify_users(
            users,
            str(_("%(org)s disclosed: %(title)s")) % {"org": item.org.name, "title": item.title},
            _portal_url(item),
        )
        _audit(
            actor,
            "item_published",
            item,
            item.org,
            audience=item.audience,
            notified=len(users),
            settles_due=settled.isoformat() if settled else None,
        )
    return item


def item_withdraw(*, actor: Any, item: Item, reason: str) -> Item:
    """Take a published item down (a mistake in it); members no longer see it. The plan period it settled
    stays settled: publish a corrected item outside the plan."""
    require(actor=actor, perm=MANAGE, org=item.org)
    reason = _text(reason, field="reason", limit=300, code="reason_required")
    with transaction.atomic():
        item = _locked(item)
        if item.status != ItemStatus.PUBLISHED:
            raise ServiceError("not_published", _("Only a published item can be withdrawn."), status=409)
        item.status = ItemStatus.WITHDRAWN
        item.withdrawn_at = timezone.now()
        item.withdraw_reason = reason
        item.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
        _audit(actor, "item_withdrawn", item, item.org)
    return item


# --- members ------------------------------------------------------------------------------------------------


def item_acknowledge(*, user: Any, item_id: int) -> Acknowledgement:
    """The member read the item: recorded once; a second time is refused and changes nothing."""
    item, member = own_item_get(user=user, item_id=item_id)
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(item=item, user=user, member=member)
            _audit(user, "acknowledged", item, item.org)
    except IntegrityError as exc:
        raise ServiceError(
            "already_acknowledged", _("You have already acknowledged this disclosure."), status=409
        ) from exc
    return ack


def question_ask(*, user: Any, item_id: int, text: str) -> Question:
    """A member asks about an item; the union's disclosure managers are told."""
    item, member = own_item_get(user=user, item_id=item_id)
    text = _text(text, field="text", limit=QUESTION_MAX, code="question_required")
    with transaction.atomic():
        question = Question.objects.create(item=item, asker=user, member=member, text=text)
        notify_org(
            item.org,
            MANAGE,
            str(_('A member asked about the disclosure "%(title)s".')) % {"title": item.title},
            _console_url(item),
        )
        _audit(user, "question_asked", question, item.org, item=item.pk)
    return question


def question_answer(*, actor: Any, question: Question, answer: str, public: bool = False) -> Question:
    """The union answers; the asker is told. With `public`, every member of the union sees the question and
    the answer on the item, without the asker's name. An answer may be corrected later."""
    require(actor=actor, perm=MANAGE, org=question.item.org)
    answer = _text(answer, field="answer", limit=ANSWER_MAX, code="answer_required")
    with transaction.atomic():
        question = (
            Question.objects.select_for_update(of=("self",))
            .select_related("item", "item__org")
            .get(pk=question.pk)
        )
        first = question.answered_at is None
        question.answer, question.public = answer, bool(public)
        question.answered_by, question.answered_at = actor, timezone.now()
        question.save(update_fields=["answer", "public", "answered_by", "answered_at"])
        notify_users(
            [question.asker_id],
            str(_('The union answered your question on "%(title)s".')) % {"title": question.item.title},
            _portal_url(question.item),
        )
        _audit(actor, "question_answered", question, question.item.org, public=question.public, first=first)
    return question


def attachment_open(*, actor: Any, attachment: Attachment) -> Any:
    """Open an attachment the caller already holds through a scoped selector; the download is audited."""
    from gonghui.core.errors import NotFound
    from gonghui.core.uploads import media_path

    try:
        handle = open(media_path(attachment.stored_path), "rb")  # noqa: SIM115  # closed by the caller
    except (OSError, ValueError) as exc:
        raise NotFound(_("The file is missing.")) from exc
    try:
        with transaction.atomic():
            _audit(actor, "attachment_downloaded", attachment, attachment.item.org, item=attachment.item_id)
    except BaseException:
        handle.close()
        raise
    return handle


# --- the sweep ----------------------------------------------------------------------------------------------


def disclosure_overdue_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Tell each union whose plan entry passed its due date without a disclosure, once per due date (the
    entry remembers the date it was flagged for). Idempotent; after downtime it catches up in one run."""
    today = today or timezone.localdate()
    done = {"flagged": 0}
    candidates = ScheduleEntry.objects.filter(active=True, next_due__lt=today).order_by("next_due", "pk")
    for pk in candidates.values_list("pk", flat=True).iterator(chunk_size=500):
        with transaction.atomic():
            entry = ScheduleEntry.objects.select_for_update(of=("self",)).select_related("org").get(pk=pk)
            if not rules.should_flag(
                due=entry.next_due, today=today, flagged_for=entry.flagged_for, active=entry.active
            ):
                continue
            assert entry.next_due is not None
            entry.flagged_for, entry.flagged_at = entry.next_due, timezone.now()
            entry.save(update_fields=["flagged_for", "flagged_at"])
            notify_org(
                entry.org,
                MANAGE,
                str(_("Disclosure overdue: %(title)s was due on %(date)s."))
                % {
                    "title": entry.title,
                    "date": entry.next_due.isoformat(),
                },
                reverse("console:disclosure_plan"),
            )
            log_action(
                actor="system",
                action="gonghui.disclosure.overdue_flagged",
                obj=entry,
                org_path=entry.org.path,
                data={"due": entry.next_due.isoformat()},
            )
            done["flagged"] += 1
    return done
