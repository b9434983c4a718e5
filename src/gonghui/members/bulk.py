"""Bulk writes of membership data: many members, wage bases or payments in a few statements.

These are the write paths of imports (members.imports) and of the benchmarks, usable without an ImportJob.
Each call is one batch: a transaction with one reservation of member numbers, `bulk_create`/`bulk_update`,
one `counters.apply` and ONE audit record (the audit chain serialises writes, so bulk paths record per batch,
not per row). Every call is idempotent: a person already a live member of the union is left unchanged (or
updated), a month already recorded is overwritten with the same figures, never added to.

The rows given must be valid (validated by services.person_clean or the importer's checks); what only the
database knows (who is a member where) is decided here, under the one-live-membership constraint.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.crypto import encrypt
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.orgs.models import Org
from gonghui.orgs.paths import subtree_q
from gonghui.orgs.selectors import actor_can

from . import counters
from .models import LIVE_STATUSES, DuesMonth, Member, MemberEvent, MemberStatus
from .selectors import Policy, member_search, policy_for
from .services import Person, member_numbers_reserve
from .services.dues import due_under
from .services.people import field_labels

# Contact and work details an import may change on an existing membership (as services.member_update may).
UPDATABLE = (
    "mobile",
    "employer_name",
    "employer_uscc",
    "employment_form",
    "work_division_code",
    "work_place",
)
CHUNK = 2000  # values per lookup (one array on PostgreSQL, IN (...) under SQLite's parameter limit elsewhere)


@dataclass
class NewMember:
    """One row for bulk_add_members: the person, the day they joined (default: the call's `joined_on`, else
    today) and which details the row actually gave (only those may change an existing membership: an
    empty cell never erases what is stored)."""

    person: Person
    joined_on: datetime.date | None = None
    given: frozenset[str] | None = None
    org: Org | None = None  # the union named by the row, when an import spans several


@dataclass
class BulkCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # live members of another union: they need a transfer, not an import

    def add(self, other: BulkCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def id_index(value: str) -> str:
    return Member._meta.get_field("id_number").index(value)  # type: ignore[attr-defined,no-any-return]


def _mobile_index(value: str) -> str | None:
    return Member._meta.get_field("mobile").index(value) if value else None  # type: ignore[attr-defined]


def live_members_by_index(indexes: Sequence[str], *, fields: Sequence[str] = ()) -> dict[str, Member]:
    """Live memberships (active, retained, transferring) of the given ID-number blind indexes."""
    found: dict[str, Member] = {}
    only = ["pk", "org", "status", "employment_form", "joined_on", "id_number_index", *fields]
    for chunk in _chunks(list(indexes)):
        for member in Member.objects.filter(id_number_index__any=chunk, status__in=LIVE_STATUSES).only(*only):
            found[member.id_number_index or ""] = member
    return found


def _accounts_by_mobile(mobiles: Iterable[str]) -> dict[str, int]:
    """Existing portal accounts by mobile number, so that imported members see their membership (as
    services.member_create links them). One query per chunk through the accounts' blind index."""
    from gonghui.accounts.models import User

    field = User._meta.get_field("mobile")
    wanted = {field.index(m): m for m in set(mobiles) if m}  # type: ignore[attr-defined]
    found: dict[str, int] = {}
    for chunk in _chunks(list(wanted)):
        for index, user_id in User.objects.filter(mobile_index__any=chunk).values_list("mobile_index", "pk"):
            found[wanted[index]] = user_id
    return found


def bulk_add_members(
    *,
    org: Org,
    rows: Sequence[Person | NewMember],
    joined_on: datetime.date | None = None,
    source: str = "",
    actor: Any = "system",
    numbers: Iterator[str] | None = None,
    audit_data: dict[str, Any] | None = None,
) -> BulkCounts:
    """Add a batch of members to `org`, or each to the union its row names (`NewMember.org`, when a district
    imports for its grassroots unions); the caller checked the actor's rights and that the unions hold members.

    New people get member numbers from ONE reservation (or from `numbers`, when the caller reserved them
    before a long transaction), a Member row and an "imported" event each, all with bulk_create; a person
    already a live member of `org` is unchanged, or updated (bulk_update) when the row gives other contact or
    work details; a live member of another union is skipped (a transfer is needed). The counters change by
    one `counters.apply`, and one audit record describes the batch. Rows with the same ID number count once.

    Another process may make one of these people a member between the check and the insert; the database's
    one-live-membership constraint then refuses the batch, which is retried once and finds that member."""
    items: dict[str, NewMember] = {}
    for row in rows:
        item = row if isinstance(row, NewMember) else NewMember(row)
        items.setdefault(id_index(item.person.id_number), item)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                counts = add_members(
                    org=org, items=items, joined_on=joined_on, source=source, actor=actor, numbers=numbers
                )
                log_action(
                    actor=actor,
                    action="gonghui.member.imported",
                    obj=org,
                    data={**counts.as_dict(), "source": source, **(audit_data or {})},
                )
            return counts
        except IntegrityError:
            if attempt == 2:
                raise ServiceError(
                    "import_conflict",
                    _("Other changes to these members happened at the same time; run the import again."),
                    status=409,
                ) from None
    raise AssertionError("unreachable")


def add_members(
    *,
    org: Org,
    items: dict[str, NewMember],
    joined_on: datetime.date | None,
    source: str,
    actor: Any,
    numbers: Iterator[str] | None,
) -> BulkCounts:
    """The work of bulk_add_members inside the caller's transaction and without its audit record; `items` are
    keyed by the ID number's blind index (computed once by the caller). Each item goes into its own union
    (`item.org`) or, without one, into `org`."""
    counts = BulkCounts()
    today = timezone.localdate()
    now = timezone.now()
    user = _user_or_none(actor)
    deltas: Counter[tuple[str, str, str]] = Counter()
    existing = live_members_by_index(list(items), fields=UPDATABLE)
    fresh: list[NewMember] = []
    changed: list[Member] = []
    events: list[MemberEvent] = []
    for index, item in items.items():
        target = item.org or org
        member = existing.get(index)
        if member is None:
            fresh.append(item)
            continue
        if member.org_id != target.pk:
            counts.skipped += 1
            continue
        given = item.given if item.given is not None else frozenset(UPDATABLE)
        diffs = [
            f
            for f in UPDATABLE
            if f in given and getattr(item.person, f) and getattr(member, f) != getattr(item.person, f)
        ]
        if not diffs:
            counts.unchanged += 1
            continue
        if "employment_form" in diffs:
            for dim, key in counters.member_keys(member.status, member.employment_form, member.joined_on):
                if dim in ("form", counters.LIVE):
                    deltas[(target.path, dim, key)] -= 1
        for f in diffs:
            setattr(member, f, getattr(item.person, f))
        if "employment_form" in diffs:
            for dim, key in counters.member_keys(member.status, member.employment_form, member.joined_on):
                if dim in ("form", counters.LIVE):
                    deltas[(target.path, dim, key)] += 1
        member.mobile_index = _mobile_index(member.mobile)
        member.updated_at = now
        member.source = source[:40]
        changed.append(member)
        events.append(
            MemberEvent(
                member=member, kind=MemberEvent.Kind.UPDATED, actor=user, org=target, note=field_labels(diffs)
            )
        )
    if changed:
        Member.objects.bulk_update(
            changed, [*UPDATABLE, "mobile_index", "updated_at", "source"], batch_size=1000
        )
        counts.updated = len(changed)
    if events:
        MemberEvent.objects.bulk_create(events, batch_size=2000)
    if fresh:
        pool = numbers if numbers is not None else iter(member_numbers_reserve(len(fresh)))
        accounts = _accounts_by_mobile(item.person.mobile for item in fresh)
        created = []
        for item in fresh:
            target = item.org or org
            day = item.joined_on or joined_on or today
            member = Member(
                org=target,
                user_id=accounts.get(item.person.mobile),
                number=next(pool),
                status=MemberStatus.ACTIVE,
                joined_on=day,
                last_participated_on=today,
                source=source[:40],
                created_at=now,
                updated_at=now,
                **item.person.fields(),
            )
            created.append(member)
            for dim, key in counters.member_keys(MemberStatus.ACTIVE, member.employment_form, day):
                deltas[(target.path, dim, key)] += 1
        if connection.vendor == "postgresql":
            copy_members(created, user_id=getattr(user, "pk", None), note=source_label(source), at=now)
        else:
            # The BlindIndexField's pre_save fills both indexes in bulk_create; the primary keys come back
            # (SQLite 3.35+) for the events.
            Member.objects.bulk_create(created, batch_size=1000)
            MemberEvent.objects.bulk_create(
                (
                    MemberEvent(
                        member=member,
                        kind=MemberEvent.Kind.IMPORTED,
                        actor=user,
                        org_id=member.org_id,
                        to_status=MemberStatus.ACTIVE,
                        note=source_label(source),
                    )
                    for member in created
                ),
                batch_size=2000,
            )
        counts.created = len(created)
    counters.apply(dict(deltas))
    return counts


# Columns written by COPY, in order; everything a new member row has (see copy_members).
_COPY_PLAIN = (
    "id",
    "org_id",
    "user_id",
    "number",
    "status",
    "retained_reason",
    "joined_on",
    "left_on",
    "last_participated_on",
    "source",
    "created_at",
    "updated_at",
    "name",
    "name_pinyin",
    "name_initials",
    "id_last4",
    "birth_date",
    "sex",
    "employer_name",
    "employer_uscc",
    "employment_form",
    "work_division_code",
    "work_place",
)


def source_label(source: str) -> str:
    """What the history says about where a bulk-added member came from ("import:12" is import #12)."""
    kind, _sep, ref = source.partition(":")
    if kind == "import" and ref:
        return str(_("Import #%(id)s") % {"id": ref})
    return ""


def copy_members(members: list[Member], *, user_id: int | None, note: str, at: datetime.datetime) -> None:
    """Insert new members and their "imported" events with PostgreSQL's COPY: measured in bench/members.py,
    Django's bulk_create spent most of an import's time preparing each field of each row. Ids come from the
    table's sequence in one query; the ID and mobile numbers are encrypted and indexed here exactly as the
    model's fields would (EncryptedTextField.get_db_prep_value, BlindIndexField.pre_save)."""
    id_field = Member._meta.get_field("id_number")
    mobile_field = Member._meta.get_field("mobile")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Member._meta.db_table, len(members)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = (*_COPY_PLAIN, "id_number", "id_number_index", "mobile", "mobile_index")
        raw = cursor.cursor  # psycopg's own cursor, for copy()
        with raw.copy(f"COPY {Member._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for member, pk in zip(members, ids, strict=True):
                member.pk = pk
                member_id_number, member_mobile = member.id_number, member.mobile
                copy.write_row(
                    (
                        *(getattr(member, name) for name in _COPY_PLAIN),
                        encrypt(member_id_number, purpose=id_field.purpose),  # type: ignore[attr-defined]
                        id_field.index(member_id_number),  # type: ignore[attr-defined]
                        encrypt(member_mobile, purpose=mobile_field.purpose) if member_mobile else "",  # type: ignore[attr-defined]
                        mobile_field.index(member_mobile) if member_mobile else None,  # type: ignore[attr-defined]
                    )
                )
        event_columns = (
            "member_id",
            "kind",
            "at",
            "actor_id",
            "org_id",
            "other_org_id",
            "from_status",
            "to_status",
            "note",
        )
        with raw.copy(f"COPY {MemberEvent._meta.db_table} ({', '.join(event_columns)}) FROM STDIN") as copy:
            for member in members:
                copy.write_row(
                    (
                        member.pk,
                        MemberEvent.Kind.IMPORTED,
                        at,
                        user_id,
                        member.org_id,
                        None,
                        "",
                        MemberStatus.ACTIVE,
                        note,
                    )
                )


# --- dues --------------------------------------------------------------------------------------------------


@dataclass
class DuesRow:
    """One month of one member: the wage base (wages) or the amount paid and when (payments)."""

    member: Member  # with org_id and status loaded
    month: datetime.date  # the first day of the month
    amount: Decimal
    paid_on: datetime.date | None = None


@dataclass
class PolicyCache:
    """Membership rules per union, read once per union for a whole import instead of once per row."""

    by_org: dict[int, Policy] = field(default_factory=dict)

    def for_orgs(self, org_ids: Iterable[int]) -> dict[int, Policy]:
        missing = set(org_ids) - set(self.by_org)
        for org in Org.objects.filter(pk__in=missing):
            self.by_org[org.pk] = policy_for(org)
        return self.by_org


def _dues_existing(rows: Sequence[DuesRow]) -> dict[tuple[int, datetime.date], DuesMonth]:
    wanted = {(r.member.pk, r.month) for r in rows}
    found: dict[tuple[int, datetime.date], DuesMonth] = {}
    member_ids = sorted({r.member.pk for r in rows})
    months = sorted({r.month for r in rows})
    for chunk in _chunks(member_ids):
        for row in DuesMonth.objects.filter(member_id__in=chunk, month__in=months):
            key = (row.member_id, row.month)
            if key in wanted:
                found[key] = row
    return found


def _unique(rows: Sequence[DuesRow]) -> list[DuesRow]:
    seen: set[tuple[int, datetime.date]] = set()
    out = []
    for row in rows:
        key = (row.member.pk, row.month)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def bulk_set_wages(
    *,
    rows: Sequence[DuesRow],
    actor: Any = "system",
    policies: PolicyCache | None = None,
    audit_data: dict[str, Any] | None = None,
) -> BulkCounts:
    """Set the wage base of each (member, month) and the dues due on it under the member's union's rules:
    one row per member and month, created or overwritten (so a payroll file imported twice changes nothing)."""
    rows = _unique(rows)
    policies = policies or PolicyCache()
    rules = policies.for_orgs(r.member.org_id for r in rows)
    counts = BulkCounts()
    now = timezone.now()
    with transaction.atomic():
        existing = _dues_existing(rows)
        new, changed = [], []
        for r in rows:
            due, waived = due_under(rules[r.member.org_id], r.member.status, r.amount)
            row = existing.get((r.member.pk, r.month))
            if row is None:
                new.append(
                    DuesMonth(
                        member=r.member,
                        org_id=r.member.org_id,
                        month=r.month,
                        wage_base=r.amount,
                        due=due,
                        waived=waived,
                    )
                )
            elif (row.wage_base, row.due, row.waived, row.org_id) == (r.amount, due, waived, r.member.org_id):
                counts.unchanged += 1
            else:
                row.wage_base, row.due, row.waived, row.org_id, row.updated_at = (
                    r.amount,
                    due,
                    waived,
                    r.member.org_id,
                    now,
                )
                changed.append(row)
        DuesMonth.objects.bulk_create(new, batch_size=2000)
        DuesMonth.objects.bulk_update(
            changed, ["wage_base", "due", "waived", "org_id", "updated_at"], batch_size=2000
        )
        counts.created, counts.updated = len(new), len(changed)
        log_action(
            actor=actor, action="gonghui.dues.wages_imported", data={**counts.as_dict(), **(audit_data or {})}
        )
    return counts


def bulk_record_payments(
    *, rows: Sequence[DuesRow], actor: Any = "system", audit_data: dict[str, Any] | None = None
) -> BulkCounts:
    """Record what was paid for each (member, month). The amount replaces the stored one, never adds to it;
    without a payment date the stored date is kept (today for a first record)."""
    rows = _unique(rows)
    counts = BulkCounts()
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        existing = _dues_existing(rows)
        new, changed = [], []
        for r in rows:
            row = existing.get((r.member.pk, r.month))
            if row is None:
                new.append(
                    DuesMonth(
                        member=r.member,
                        org_id=r.member.org_id,
                        month=r.month,
                        paid=r.amount,
                        paid_on=r.paid_on or today,
                    )
                )
                continue
            paid_on = r.paid_on or row.paid_on or today
            if (row.paid, row.paid_on) == (r.amount, paid_on):
                counts.unchanged += 1
            else:
                row.paid, row.paid_on, row.updated_at = r.amount, paid_on, now
                changed.append(row)
        DuesMonth.objects.bulk_create(new, batch_size=2000)
        DuesMonth.objects.bulk_update(changed, ["paid", "paid_on", "updated_at"], batch_size=2000)
        counts.created, counts.updated = len(new), len(changed)
        log_action(
            actor=actor,
            action="gonghui.dues.payments_imported",
            data={**counts.as_dict(), **(audit_data or {})},
        )
    return counts


# --- exports -----------------------------------------------------------------------------------------------


def member_export_masked(
    *, actor: Any, org: Org, q: str = "", status: str = "", employment_form: str = ""
) -> bytes:
    """The member list of `org`'s subtree, filtered as on the member list page, as a masked workbook at once.
    Administrators of the union export; a viewer may look at the list but not take it away. Audited."""
    from .spreadsheets import members_xlsx

    if not actor_can(actor, "member.view", org):
        raise NotFound(_("No such union in your scope."))
    if not actor_can(actor, "member.manage", org):
        raise PermissionDenied(_("Only an administrator of this union exports its member list."))
    members = member_search(actor=actor, org=org, q=q, status=status, employment_form=employment_form)
    written = 0

    def rows() -> Iterator[Member]:
        nonlocal written
        for member in members.iterator(chunk_size=2000):
            written += 1
            yield member

    data = members_xlsx(rows=rows(), masked=True)
    log_action(
        actor=actor,
        action="gonghui.export.masked",
        obj=org,
        data={
            "kind": "members",
            "rows": written,
            "status": status,
            "employment_form": employment_form,
            "search": bool(q),
        },
    )
    return data


class _MemberRows:
    """The rows of the full member list, read as they are written (a sized iterable, as core.exports'
    datasets are counted for the audit record)."""

    def __init__(self, org: Org, masked: bool) -> None:
        self.qs = (
            Member.objects.filter(subtree_q(org.path, "org__path"))
            .select_related("org")
            .order_by("org__path", "number")
        )
        self.masked = masked

    def __len__(self) -> int:
        return self.qs.count()

    def __iter__(self) -> Iterator[list[Any]]:
        from .spreadsheets import member_row

        for member in self.qs.iterator(chunk_size=2000):
            yield member_row(member, masked=self.masked)


def members_dataset(*, org: Org, masked: bool) -> tuple[list[str], _MemberRows]:
    """The "members" list of core.exports (registered in MembersConfig.ready): every membership of the
    union's subtree, history included; in full only through the two-person ExportRequest workflow."""
    from .spreadsheets import EXPORT_HEADERS

    return list(EXPORT_HEADERS), _MemberRows(org, masked)
