"""Every read of membership data a user can reach, scoped by the actor's place in the tree.

Cadres see members, applications and transfers of the unions in their subtrees (`member.view`, `review`);
a member sees only their own records. Outside scope is NotFound (404).
"""

from __future__ import annotations

import datetime
import hmac
import re
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound, PermissionDenied
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import normalize, normalize_id_number
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can, scope_q

from .models import (
    LIVE_STATUSES,
    Application,
    ApplicationStep,
    DuesMonth,
    ImportJob,
    ImportProblem,
    LapseProposal,
    Member,
    MemberEvent,
    MemberPolicy,
    MemberRollup,
    Transfer,
    id_index_q,
)
from .rules import member_number_valid

# --- rules as data -----------------------------------------------------------------------------------------

POLICY_FIELDS = (
    "review_workdays",
    "transfer_workdays",
    "remind_workdays_before",
    "dues_permille",
    "dues_rounding",
    "lapse_months",
)


@dataclass(frozen=True)
class Policy:
    review_workdays: int
    transfer_workdays: int
    remind_workdays_before: int
    dues_permille: Any
    dues_rounding: str
    lapse_months: int
    source_org_id: int | None


def policy_for(org: Org) -> Policy:
    """The membership rules in force for `org`: its own MemberPolicy row or the nearest ancestor's, else
    the defaults declared on the model. One query."""
    ids = [*org.ancestor_ids(), org.pk]
    rows = {p.org_id: p for p in MemberPolicy.objects.filter(org_id__in=ids)}
    for org_id in reversed(ids):
        row = rows.get(org_id)
        if row is not None:
            return Policy(**{f: getattr(row, f) for f in POLICY_FIELDS}, source_org_id=org_id)
    defaults = MemberPolicy()
    return Policy(**{f: getattr(defaults, f) for f in POLICY_FIELDS}, source_org_id=None)


# --- members -----------------------------------------------------------------------------------------------


def _members_in_scope(actor: Any, perm: str = "member.view") -> QuerySet[Member]:
    return Member.objects.filter(scope_q(actor, perm, field="org__path"))


@dataclass(frozen=True)
class SearchTerm:
    kind: str  # name, pinyin, number, last4, id_number, mobile
    value: str


def parse_search(text: str) -> SearchTerm | None:
    """What a cadre typed: a member number, the last four of an ID number, a full ID number, a mobile number,
    pinyin or initials, or Chinese characters of a name."""
    term = normalize(text or "")
    if not term:
        return None
    upper = term.upper()
    if re.fullmatch(r"\d{3}[\dX]", upper):
        return SearchTerm("last4", upper)
    if re.fullmatch(r"\d{11}[\dX]", upper) and member_number_valid(upper):
        return SearchTerm("number", upper)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", upper):
        return SearchTerm("id_number", normalize_id_number(upper))
    if re.fullmatch(r"(\+?86)?1\d{10}", term):
        return SearchTerm("mobile", term[-11:])
    if re.fullmatch(r"[a-zA-Z ]+", term):
        return SearchTerm("pinyin", term.lower().replace(" ", ""))
    return SearchTerm("name", " ".join(text.split()))


def member_search(
    *,
    actor: Any,
    q: str = "",
    org: Org | None = None,
    status: str = "",
    employment_form: str = "",
    perm: str = "member.view",
) -> QuerySet[Member]:
    """Members within the actor's scope (and within `org` when given), filtered by what was typed.

    Each kind of term is one indexed lookup: prefix on name, full pinyin or initials; equality on member
    number, last four, or the blind index of an ID or mobile number. The page needs a fixed number of
    queries whatever its size (the union comes with select_related)."""
    if org is not None:
        if not actor_can(actor, perm, org):
            raise NotFound(_("No such union in your scope."))
        qs = Member.objects.filter(subtree_q(org.path, "org__path"))
    else:
        qs = _members_in_scope(actor, perm)
    term = parse_search(q)
    if term is not None:
        if term.kind == "last4":
            qs = qs.filter(id_last4=term.value)
        elif term.kind == "number":
            qs = qs.filter(number=term.value)
        elif term.kind == "id_number":
            qs = qs.filter(id_index_q([Member._meta.get_field("id_number").index(term.value)]))  # type: ignore[attr-defined]
        elif term.kind == "mobile":
            qs = qs.filter(blind_q(Member, "mobile", term.value))
        elif term.kind == "pinyin":
            # Full pinyin or initials: the union of two lookups, each on its (union, prefix) index. PostgreSQL
            # cannot pair the arms of an OR with the join on the union, so an OR read every member of every
            # union in scope and filtered them (p50 8 times the single lookup at a million members,
            # bench/RESULTS.md 2026-11-29); the union reads only the matches, then the rows by primary key.
            matches = (
                qs.filter(name_pinyin__startswith=term.value)
                .values("pk")
                .union(qs.filter(name_initials__startswith=term.value).values("pk"), all=True)
            )
            qs = Member.objects.filter(pk__in=matches)
        else:
            qs = qs.filter(name__startswith=term.value)
    if status == "live":
        qs = qs.filter(status__in=LIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if employment_form:
        qs = qs.filter(employment_form=employment_form)
    return qs.select_related("org").order_by("name_pinyin", "pk")


def member_get(*, actor: Any, member_id: int, perm: str = "member.view") -> Member:
    member = Member.objects.select_related("org", "user").filter(pk=member_id).first()
    if member is None or not actor_can(actor, "member.view", member.org):
        raise NotFound(_("No such member in your scope."))
    if perm != "member.view" and not actor_can(actor, perm, member.org):
        raise PermissionDenied(
            _("Your role does not allow this action on %(org)s.") % {"org": member.org.name}
        )
    return member


def member_events(*, member: Member) -> QuerySet[MemberEvent]:
    return member.events.select_related("org", "other_org", "actor")


def own_members(*, user: Any) -> QuerySet[Member]:
    """The person's memberships, the live one first."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    return Member.objects.filter(user=user).select_related("org").order_by("-joined_on", "-pk")


def own_live_member(*, user: Any) -> Member | None:
    return own_members(user=user).filter(status__in=LIVE_STATUSES).first()


def live_member_by_number(*, number: str, within: Q) -> Member | None:
    """The live membership with this member number among the rows `within` selects (a subtree, a scope); the
    caller decides which rows the actor may reach. Typed numbers are trimmed and the check character
    upper-cased."""
    return (
        Member.objects.filter(within, number=number.strip().upper(), status__in=LIVE_STATUSES)
        .select_related("org")
        .first()
    )


def card_code(number: str) -> str:
    """The verification code printed in a member card's QR: the number and a short HMAC over it, so that the
    public page cannot be walked through member numbers."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"member-card:{number}".encode(), sha256).hexdigest()[:10]
    return f"{number}-{mac}"


def member_by_card_code(code: str) -> Member | None:
    number, _sep, mac = (code or "").strip().upper().partition("-")
    if not member_number_valid(number) or not hmac.compare_digest(
        card_code(number), f"{number}-{mac.lower()}"
    ):
        return None
    return Member.objects.select_related("org").filter(number=number).first()


# --- applications ------------------------------------------------------------------------------------------


def application_queue(
    *,
    actor: Any,
    org: Org | None = None,
    status: str = Application.Status.PENDING,
    due: str = "",
    employment_form: str = "",
    q: str = "",
) -> QuerySet[Application]:
    """Applications the actor may review: those routed to a union in scope, or escalated to one. `due` is
    "overdue", "soon" (within two days) or "escalated"."""
    within = scope_q(actor, "review", field="org__path") | scope_q(
        actor, "review", field="escalated_to__path"
    )
    qs = Application.objects.filter(within)
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, "org__path")) | Q(escalated_to=org))
    if status:
        qs = qs.filter(status=status)
    if employment_form:
        qs = qs.filter(employment_form=employment_form)
    today = timezone.localdate()
    if due == "overdue":
        qs = qs.filter(due_on__lt=today)
    elif due == "soon":
        qs = qs.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=2))
    elif due == "escalated":
        qs = qs.filter(escalated_at__isnull=False)
    term = parse_search(q)
    if term is not None:
        if term.kind == "pinyin":
            qs = qs.filter(Q(name_pinyin__startswith=term.value) | Q(name_initials__startswith=term.value))
        elif term.kind == "id_number":
            qs = qs.filter(blind_q(Application, "id_number", term.value))
        elif term.kind == "mobile":
            qs = qs.filter(blind_q(Application, "mobile", term.value))
        elif term.kind == "last4":
            qs = qs.filter(id_last4=term.value)
        else:
            qs = qs.filter(name__startswith=term.value)
    return qs.select_related("org", "escalated_to").order_by("due_on", "pk")


def application_get(*, actor: Any, application_id: int, review: bool = True) -> Application:
    """An application the actor may see (its union or the union it was escalated to is in scope); with
    `review`, one they may also decide, else 403."""
    app = (
        Application.objects.select_related("org", "escalated_to", "employer_org", "platform_org", "member")
        .filter(pk=application_id)
        .first()
    )
    if app is None:
        raise NotFound(_("No such application in your scope."))
    in_scope = actor_can(actor, "member.view", app.org) or actor_can(actor, "review", app.org)
    escalated = app.escalated_to is not None and actor_can(actor, "review", app.escalated_to)
    if not (in_scope or escalated):
        raise NotFound(_("No such application in your scope."))
    if review and not (actor_can(actor, "review", app.org) or escalated):
        raise PermissionDenied(_("Your role does not allow reviewing applications."))
    return app


def application_steps(*, application: Application, for_applicant: bool = False) -> QuerySet[ApplicationStep]:
    qs = application.steps.select_related("org")
    return qs.filter(visible_to_applicant=True) if for_applicant else qs


def own_applications(*, user: Any) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.filter(applicant=user).select_related("org").order_by("-submitted_at", "-pk")


def own_application_get(*, user: Any, application_id: int) -> Application:
    app = own_applications(user=user).filter(pk=application_id).first()
    if app is None:
        raise NotFound(_("No such application."))
    return app


# --- transfers ---------------------------------------------------------------------------------------------


def transfer_queue(
    *, actor: Any, direction: str = "in", status: str = Transfer.Status.PENDING
) -> QuerySet[Transfer]:
    """Transfers into the actor's unions awaiting their decision ("in"), or out of them ("out")."""
    if direction == "out":
        qs = Transfer.objects.filter(scope_q(actor, "member.view", field="from_org__path"))
    else:
        qs = Transfer.objects.filter(
            scope_q(actor, "review", field="to_org__path")
            | scope_q(actor, "review", field="escalated_to__path")
        )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "from_org", "to_org").order_by("due_on", "pk")


def transfer_get(*, actor: Any, transfer_id: int) -> Transfer:
    t = (
        Transfer.objects.select_related("member", "from_org", "to_org", "escalated_to")
        .filter(pk=transfer_id)
        .first()
    )
    if t is None:
        raise NotFound(_("No such transfer in your scope."))
    orgs = [t.from_org, t.to_org] + ([t.escalated_to] if t.escalated_to else [])
    if not any(actor_can(actor, "member.view", o) or actor_can(actor, "review", o) for o in orgs):
        raise NotFound(_("No such transfer in your scope."))
    return t


def own_transfers(*, user: Any) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(member__user=user)
        .select_related("from_org", "to_org")
        .order_by("-started_at")
    )


# --- status and lapse --------------------------------------------------------------------------------------


def lapse_proposals(*, actor: Any, org: Org | None = None) -> QuerySet[LapseProposal]:
    qs = LapseProposal.objects.filter(scope_q(actor, "member.manage", field="org__path"), status="proposed")
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "org__path"))
    return qs.select_related("member", "org").order_by("proposed_on", "pk")


def lapse_proposal_get(*, actor: Any, proposal_id: int) -> LapseProposal:
    p = LapseProposal.objects.select_related("member", "org").filter(pk=proposal_id).first()
    if p is None or not actor_can(actor, "member.view", p.org):
        raise NotFound(_("No such proposal in your scope."))
    if not actor_can(actor, "member.manage", p.org):
        raise PermissionDenied(_("Your role does not allow this action on %(org)s.") % {"org": p.org.name})
    return p


# --- dues --------------------------------------------------------------------------------------------------


def member_dues(*, member: Member) -> QuerySet[DuesMonth]:
    return member.dues.order_by("-month")


@dataclass
class ArrearsRow:
    member: Member
    months: int
    owed: Any
    last_paid_month: datetime.date | None


def arrears(*, actor: Any, org: Org, since: datetime.date | None = None) -> list[ArrearsRow]:
    """Members of `org`'s subtree who owe dues: months with more due than paid, and the total owed.
    Late payment is only reported here; it never ends a membership."""
    if not actor_can(actor, "member.view", org):
        raise NotFound(_("No such union in your scope."))
    rows = DuesMonth.objects.filter(subtree_q(org.path, "org__path"), waived=False)
    if since is not None:
        rows = rows.filter(month__gte=since)
    owing = (
        rows.filter(due__gt=0)
        .exclude(paid__gte=F("due"))
        .values("member_id")
        .annotate(months=Count("pk"), due_sum=Sum("due"), paid_sum=Sum("paid"))
    )
    by_member = {r["member_id"]: r for r in owing}
    last_paid = dict(
        DuesMonth.objects.filter(member_id__in=by_member, paid__gt=0)
        .values("member_id")
        .annotate(last=Max("month"))
        .values_list("member_id", "last")
    )
    members = Member.objects.select_related("org").in_bulk(list(by_member))
    result = [
        ArrearsRow(
            member=members[mid],
            months=r["months"],
            owed=r["due_sum"] - r["paid_sum"],
            last_paid_month=last_paid.get(mid),
        )
        for mid, r in by_member.items()
        if mid in members
    ]
    result.sort(key=lambda r: (-r.owed, r.member.name_pinyin))
    return result


# --- imports -----------------------------------------------------------------------------------------------


# What each kind of import needs: members, or dues for payroll and payment files.
IMPORT_PERMISSIONS = {"members": "member.manage", "wages": "dues.manage", "payments": "dues.manage"}


def import_jobs(*, actor: Any, org: Org | None = None) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.filter(scope_q(actor, "member.manage", field="org__path"))
    if org is not None:
        qs = qs.filter(org=org)
    return qs.select_related("org", "created_by")


def import_job_get(*, actor: Any, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("org").filter(pk=job_id).first()
    if job is None or not actor_can(actor, IMPORT_PERMISSIONS[job.kind], job.org):
        raise NotFound(_("No such import in your scope."))
    return job


def import_problems(*, job: ImportJob) -> QuerySet[ImportProblem]:
    return job.problems.all()


# --- counts ------------------------------------------------------------------------------------------------


def member_counts(*, actor: Any, org: Org) -> dict[str, dict[str, int]]:
    """The subtree counters of `org` by dimension, from the roll-up rows (no scan of members)."""
    if not actor_can(actor, "org.view", org):
        raise NotFound(_("No such union in your scope."))
    out: dict[str, dict[str, int]] = {d: {} for d in MemberRollup.Dimension.values}
    for dim, key, count in MemberRollup.objects.filter(org=org).values_list("dimension", "key", "count"):
        if count:
            out[dim][key] = count
    return out


def holding_orgs(*, q: str = "", division_code: str = "", limit: int = 20) -> QuerySet[Org]:
    """Unions that hold members (for the applicant's "union near me" choice and the cadre's re-route)."""
    qs = _pickable_orgs(holding=True)
    if division_code:
        # Grassroots and joint unions rarely carry a division code of their own: "near me" means inside the
        # district (or city) union whose code it is.
        from .routing import territorial_for

        area = territorial_for(division_code)
        qs = qs.filter(subtree_q(area.path)) if area is not None else qs.none()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc=q.upper()) | Q(name_pinyin__startswith=q.lower()))
    return qs.order_by("name")[:limit]


def employer_search(*, q: str, limit: int = 10) -> QuerySet[Org]:
    """Known units for the join form: grassroots unions found by the employer's name or credit code."""
    term = normalize(q or "")
    if len(term) < 2:
        return Org.objects.none()
    qs = _pickable_orgs(employer=True).filter(
        Q(uscc=term.upper()) | Q(employer_name__contains=term) | Q(name__contains=term)
    )
    return qs.order_by("name")[:limit]


def platform_orgs() -> QuerySet[Org]:
    return _pickable_orgs(platform=True).order_by("name")


def _pickable_orgs(*, holding: bool = False, platform: bool = False, employer: bool = False) -> QuerySet[Org]:
    """Active unions that anyone may name (names of unions are public, so this is not scoped): a union that
    holds members, a platform's union, or an employer's union as employer_search finds it."""
    from .rules import HOLDING_KINDS

    qs = Org.objects.filter(is_active=True)
    if holding:
        qs = qs.filter(kind__in=HOLDING_KINDS)
    if platform:
        qs = qs.filter(is_platform=True)
    if employer:
        qs = qs.filter(kind__in=[OrgKind.GRASSROOTS, OrgKind.JOINT])
    return qs


def public_org_get(
    *, org_id: int, field: str = "org_id", holding: bool = False, platform: bool = False
) -> Org:
    """An active union that anyone may name: the employer's, platform or preferred union on the join form, or
    the destination of a transfer or re-route. An unknown or unsuitable id is an error on the field that
    carried it."""
    org = _pickable_orgs(holding=holding, platform=platform).filter(pk=org_id).first()
    if org is None:
        from gonghui.core.errors import ServiceError

        raise ServiceError("unknown_union", _("Choose a union from the list."), field=field)
    return org


def own_transfer_get(*, user: Any, transfer_id: int) -> Transfer:
    """A transfer of the person's own membership."""
    t = own_transfers(user=user).select_related("member").filter(pk=transfer_id).first()
    if t is None:
        raise NotFound(_("No such transfer."))
    return t


# --- cadre console helpers ---------------------------------------------------------------------------------


def holding_orgs_within(
    *, actor: Any, org: Org, perm: str = "member.manage", q: str = "", limit: int = 200
) -> QuerySet[Org]:
    """Unions that hold members inside `org`'s subtree where the actor has `perm`: where a cadre enters a
    member, or places an applicant that a district approved. A name, pinyin or code narrows the list."""
    from .rules import HOLDING_KINDS

    qs = Org.objects.filter(subtree_q(org.path), scope_q(actor, perm), kind__in=HOLDING_KINDS, is_active=True)
    term = normalize(q or "")
    if term:
        qs = qs.filter(
            Q(name__contains=term) | Q(code__iexact=term) | Q(name_pinyin__startswith=term.lower())
        )
    return qs.order_by("path")[:limit]


def transfer_queue_within(
    *, actor: Any, org: Org, direction: str = "in", status: str = Transfer.Status.PENDING
) -> QuerySet[Transfer]:
    """`transfer_queue` limited to `org`'s subtree: transfers into it (or escalated to it), or out of it."""
    qs = transfer_queue(actor=actor, direction=direction, status=status)
    if direction == "out":
        return qs.filter(subtree_q(org.path, "from_org__path"))
    return qs.filter(Q(subtree_q(org.path, "to_org__path")) | Q(escalated_to=org))


def member_transfers(*, member: Member) -> QuerySet[Transfer]:
    """The transfers of a member the caller has already been allowed to see, newest first."""
    return member.transfers.select_related("from_org", "to_org").order_by("-started_at", "-pk")


# --- the member-facing portal: join choices, new union search, own notices ---------------------------------


def work_districts() -> QuerySet[Org]:
    """Districts and counties with a division code, for the "place of work" choice of the join form."""
    return (
        Org.objects.filter(is_active=True, kind=OrgKind.DISTRICT)
        .exclude(division_code="")
        .order_by("division_code")
    )


def join_org_get(*, org_id: Any, purpose: str) -> Org | None:
    """The union a person picked on the join or transfer form, if it may be picked for `purpose`:
    "employer" (a unit found by employer_search), "platform" (platform_orgs) or "union" (holding_orgs).
    Anything else, a stale id or a union that may not be picked, is None."""
    flags = {"employer": {"employer": True}, "platform": {"platform": True}, "union": {"holding": True}}
    try:
        pk = int(org_id)
    except (TypeError, ValueError):
        return None
    if purpose not in flags:
        return None
    return _pickable_orgs(**flags[purpose]).filter(pk=pk).first()


def new_union_search(*, q: str, limit: int = 20) -> list[Org]:
    """Unions a member may move to: by the union's name, pinyin or credit code, then by the employer's name
    (a worker knows the new employer rather than its union). Two queries."""
    term = " ".join((q or "").split())
    if not term:
        return []
    found = list(holding_orgs(q=term, limit=limit))
    if len(found) < limit:
        seen = {o.pk for o in found}
        found += [o for o in employer_search(q=term, limit=limit) if o.pk not in seen]
    return found[:limit]


def own_pending_transfer(*, member: Member) -> Transfer | None:
    return member.transfers.filter(status=Transfer.Status.PENDING).select_related("to_org").first()


def own_notices(*, user: Any, limit: int = 100) -> QuerySet[Any]:
    """The person's own notices (decisions, reminders), newest first."""
    from gonghui.core.models import Notice

    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    return Notice.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]


def own_unread_notice_count(*, user: Any) -> int:
    from gonghui.core.models import Notice

    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


# --- imports and exports (spreadsheets) --------------------------------------------------------------------


def import_org_check(*, actor: Any, org: Org, kind: str = "members") -> Org:
    """The union a cadre imports into or exports from, checked: outside scope is NotFound, a role that may
    look but not manage members (or dues, for payroll and payment files) is PermissionDenied."""
    if not (actor_can(actor, "member.view", org) or actor_can(actor, "org.view", org)):
        raise NotFound(_("No such union in your scope."))
    if not actor_can(actor, IMPORT_PERMISSIONS.get(kind, "member.manage"), org):
        raise PermissionDenied(
            _("Your role does not allow importing or exporting members of %(org)s.") % {"org": org.name}
        )
    return org
