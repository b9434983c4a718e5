"""Reads of enterprise disclosure, scoped.

A cadre reads the plans, items and questions of the unions in their subtree with "democracy.view" (an org
administrator or a viewer); outside scope is a 404, inside the actor's view of the tree without the role a
403. A member reads only the published items of their own union (the grassroots union of their active
membership, or the one above their branch), their own questions and the union's public Q&A.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import refuse, scope_q

from .models import Acknowledgement, Attachment, Item, ItemStatus, Question, ScheduleEntry

VIEW = "democracy.view"
MANAGE = "disclosure.manage"


def _count(model: Any, **filters: Any) -> Coalesce:
    """A correlated count per item, so two counts never multiply each other's rows (one query in all)."""
    sub = (
        model.objects.filter(item=OuterRef("pk"), **filters)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


# --- the plan -----------------------------------------------------------------------------------------------


def schedule_list(*, actor: Any, org: Org, active_only: bool = False) -> QuerySet[ScheduleEntry]:
    """Plan entries of `org`'s subtree within the actor's scope, the earliest due first."""
    qs = ScheduleEntry.objects.filter(subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path"))
    if active_only:
        qs = qs.filter(active=True)
    return qs.select_related("org").order_by("-active", "next_due", "pk")


def overdue_entries(*, actor: Any, org: Org, today: datetime.date | None = None) -> QuerySet[ScheduleEntry]:
    """Active plan entries of `org`'s subtree whose due date has passed without a disclosure."""
    today = today or timezone.localdate()
    return schedule_list(actor=actor, org=org, active_only=True).filter(next_due__lt=today)


def schedule_get(*, actor: Any, entry_id: int, perm: str = VIEW) -> ScheduleEntry:
    entry = (
        ScheduleEntry.objects.filter(scope_q(actor, perm, "org__path"), pk=entry_id)
        .select_related("org")
        .first()
    )
    if entry is None:
        found = ScheduleEntry.objects.select_related("org").filter(pk=entry_id).first()
        refuse(actor, found.org if found else None, _("No such plan entry in your scope."))
    return entry


def schedule_choices(*, org: Org) -> QuerySet[ScheduleEntry]:
    """The active plan entries an item of `org` may settle (the caller has checked `org`)."""
    return ScheduleEntry.objects.filter(org=org, active=True).order_by("next_due", "pk")


# --- items --------------------------------------------------------------------------------------------------


def item_list(*, actor: Any, org: Org, status: str = "", category: str = "", q: str = "") -> QuerySet[Item]:
    """Items of `org`'s subtree with their acknowledgement and open-question counts (fixed queries)."""
    qs = Item.objects.filter(subtree_q(org.path, "org__path"), scope_q(actor, VIEW, "org__path"))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    q = (q or "").strip()
    if q:
        qs = qs.filter(title__icontains=q[:60])
    return (
        qs.select_related("org", "schedule")
        .annotate(acks=_count(Acknowledgement), open_questions=_count(Question, answered_at__isnull=True))
        .order_by("-published_at", "-created_at", "-pk")
    )


def item_get(*, actor: Any, item_id: int, perm: str = VIEW) -> Item:
    item = (
        Item.objects.filter(scope_q(actor, perm, "org__path"), pk=item_id)
        .select_related("org", "schedule", "published_by", "created_by")
        .annotate(acks=_count(Acknowledgement), open_questions=_count(Question, answered_at__isnull=True))
        .first()
    )
    if item is None:
        found = Item.objects.select_related("org").filter(pk=item_id).first()
        refuse(actor, found.org if found else None, _("No such disclosure in your scope."))
    return item


def item_attachments(*, item: Item) -> QuerySet[Attachment]:
    return Attachment.objects.filter(item=item).order_by("added_at", "pk")


def item_questions(*, item: Item) -> QuerySet[Question]:
    """Every question on an item, for the union (the asker's name included)."""
    return (
        Question.objects.filter(item=item).select_related("asker", "answered_by").order_by("asked_at", "pk")
    )


def item_acknowledgements(*, item: Item) -> QuerySet[Acknowledgement]:
    return Acknowledgement.objects.filter(item=item).select_related("member").order_by("-at", "-pk")


def question_queue(*, actor: Any, org: Org, answered: bool | None = False) -> QuerySet[Question]:
    """Questions on items of `org`'s subtree (unanswered by default), the oldest first."""
    qs = Question.objects.filter(
        subtree_q(org.path, "item__org__path"), scope_q(actor, VIEW, "item__org__path")
    )
    if answered is not None:
        qs = qs.filter(answered_at__isnull=not answered)
    return qs.select_related("item", "item__org", "asker").order_by("asked_at", "pk")


def question_get(*, actor: Any, question_id: int, perm: str = VIEW) -> Question:
    question = (
        Question.objects.filter(scope_q(actor, perm, "item__org__path"), pk=question_id)
        .select_related("item", "item__org", "asker")
        .first()
    )
    if question is None:
        found = Question.objects.select_related("item__org").filter(pk=question_id).first()
        refuse(actor, found.item.org if found else None, _("No such question in your scope."))
    return question


def attachment_get(*, actor: Any, item_id: int, attachment_id: int) -> Attachment:
    item = item_get(actor=actor, item_id=item_id)
    att = Attachment.objects.filter(item=item, pk=attachment_id).select_related("item", "item__org").first()
    if att is None:
        raise NotFound(_("No such file."))
    return att


# --- the member ---------------------------------------------------------------------------------------------


def member_union(*, user: Any) -> tuple[Member, Org] | None:
    """The person's active membership and the grassroots union that discloses to them (their union itself,
    or the grassroots union above their branch or group). None when they are no active member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    member = (
        Member.objects.filter(user=user, status=MemberStatus.ACTIVE)
        .select_related("org")
        .order_by("-pk")
        .first()
    )
    if member is None:
        return None
    org = member.org
    if org.kind in (OrgKind.BRANCH, OrgKind.GROUP):
        ancestors = Org.objects.filter(pk__in=org.ancestor_ids(), kind=OrgKind.GRASSROOTS).order_by("-depth")
        org = ancestors.first() or org
    return member, org


def own_items(*, user: Any) -> QuerySet[Item]:
    """Published items of the person's union, the newest first, each marked acknowledged or not."""
    found = member_union(user=user)
    if found is None:
        return Item.objects.none()
    _member, org = found
    mine = Acknowledgement.objects.filter(item=OuterRef("pk"), user=user).values("pk")[:1]
    return (
        Item.objects.filter(org=org, status=ItemStatus.PUBLISHED)
        .annotate(my_ack=Subquery(mine))
        .order_by("-published_at", "-pk")
    )


def own_item_get(*, user: Any, item_id: int) -> tuple[Item, Member]:
    """A published item of the person's union with their membership; any other is not found."""
    found = member_union(user=user)
    item = None
    if found is not None:
        member, org = found
        item = (
            Item.objects.filter(pk=item_id, org=org, status=ItemStatus.PUBLISHED)
            .select_related("org")
            .first()
        )
    if item is None or found is None:
        raise NotFound(_("No such disclosure for you."))
    return item, member


def own_acknowledgement(*, user: Any, item: Item) -> Acknowledgement | None:
    return Acknowledgement.objects.filter(item=item, user=user).first()


def own_questions(*, user: Any, item: Item) -> QuerySet[Question]:
    return Question.objects.filter(item=item, asker=user).order_by("asked_at", "pk")


def public_questions(*, item: Item) -> QuerySet[Question]:
    """Questions the union answered and published; the asker's name is never shown with them."""
    return Question.objects.filter(item=item, public=True, answered_at__isnull=False).order_by(
        "answered_at", "pk"
    )


def own_attachment_get(*, user: Any, item_id: int, attachment_id: int) -> Attachment:
    item, _member = own_item_get(user=user, item_id=item_id)
    att = Attachment.objects.filter(item=item, pk=attachment_id).select_related("item", "item__org").first()
    if att is None:
        raise NotFound(_("No such file."))
    return att


def union_audience(*, org: Org) -> int:
    """Active members of a grassroots union and its branches: whom an item is published to."""
    return Member.objects.filter(subtree_q(org.path, "org__path"), status=MemberStatus.ACTIVE).count()
