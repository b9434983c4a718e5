"""The audit log (MLPS 2.0 level 3): log_action writes records, hash-chained with SM3; verify and archive.

- log_action is the single way to write an audit record. Under a lock on the one AuditChainHead row it gives
  the record the next sequence number and the previous record's hash, computes the record's own SM3 hash over
  a canonical serialisation (record_hash) and moves the head forward, all in the caller's transaction: a
  rollback takes the record and the head back together, so the chain never has a gap.
- Database triggers (installed by migration 0002 with install_triggers) refuse UPDATE and DELETE on the
  records and on AuditArchive; a record may be deleted only when an AuditArchive row covers it and that
  archive's cutoff lies at least LEGAL_MIN_RETENTION_DAYS in the past.
- audit_verify walks the chain from the latest archive anchor and reports the first broken link.
- audit_archive exports records older than the cutoff to a gzip JSON Lines file, then records the archive
  and deletes them in one transaction.

docs/audit.md explains the design.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection as default_connection
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .context import current_request_info
from .errors import ServiceError
from .models import AuditArchive, AuditChainHead, AuditRecord

# Cybersecurity Law art. 21: network logs are kept at least six months. The triggers enforce this floor in
# SQL; GONGHUI_AUDIT_RETENTION_DAYS may raise it, never lower it.
LEGAL_MIN_RETENTION_DAYS = 184
# Part of every hashed payload, so that a future change of the serialisation can be told apart.
CHAIN_VERSION = 1
HEAD_PK = 1


def retention_days() -> int:
    return max(LEGAL_MIN_RETENTION_DAYS, int(getattr(settings, "GONGHUI_AUDIT_RETENTION_DAYS", 184)))


# --- the hash chain ---------------------------------------------------------------------------------------


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _valid_ip(value: Any) -> str | None:
    """The address in its compressed form (as PostgreSQL's inet gives it back), or None if it is not one."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(str(value)).compressed
    except ValueError:
        return None


def _ip_text(value: Any) -> str:
    """The address as hashed: IPv4 dotted, IPv6 as eight groups of four hex digits. Spelled out from the bytes
    so that it does not depend on how a Python version or the database prints an address (Python 3.13 prints
    IPv4-mapped IPv6 addresses differently from 3.11)."""
    if not value:
        return ""
    try:
        ip = ipaddress.ip_address(str(value))
    except ValueError:
        return str(value)
    if ip.version == 4:
        return str(ip)
    return ":".join(ip.packed[i : i + 2].hex() for i in range(0, 16, 2))


def canonical_fields(record: Any) -> dict[str, Any]:
    """The hashed content of a record, as JSON-ready values that read back identically from SQLite and
    PostgreSQL: time in UTC with microseconds, the IP address in its compressed form, data as stored."""
    at: datetime = record.at
    return {
        "v": CHAIN_VERSION,
        "seq": record.seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": str(record.actor_id) if record.actor_id is not None else "",
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "org_path": record.org_path,
        "result": record.result,
        "ip": _ip_text(record.ip),
        "user_agent": record.user_agent,
        "data": record.data,
        "prev_hash": record.prev_hash,
    }


def payload_hash(fields: dict[str, Any]) -> str:
    """SM3 over sorted-key, compact JSON of the canonical fields (prev_hash included)."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return sm3_hex(text.encode("utf-8"))


def record_hash(record: Any) -> str:
    return payload_hash(canonical_fields(record))


def _storable(data: dict[str, Any] | None) -> dict[str, Any]:
    """`data` exactly as the database will give it back (dates become text, tuples lists, keys strings), so
    that the hash computed now matches the one recomputed from the stored row."""
    if not data:
        return {}
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder, allow_nan=False))
    return result


def _lock_head() -> AuditChainHead:
    """Lock and return the chain head (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    already admit one writer at a time). Recreated from the last record if missing, e.g. after a flush."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        last = AuditRecord.objects.order_by("-seq").values_list("seq", "hash").first()
        latest_archive = (
            AuditArchive.objects.order_by("-last_seq").values_list("last_seq", "anchor_hash").first()
        )
        last_seq, last_hash = last or latest_archive or (0, "")
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=HEAD_PK, last_seq=last_seq, last_hash=last_hash)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    return head


def log_action(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    result: str = AuditRecord.Result.OK,
    org_path: str = "",
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Write one audit record; `action` is a dotted code such as ``gonghui.org.moved``.

    The IP address and user agent come from the request being served, when there is one. Call it inside the
    service's transaction: the record then commits or rolls back with the change it describes. Appends are
    serialised on the chain head until that transaction ends, so call it near the end of the service.
    """
    info = current_request_info()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if obj is not None and not org_path:
        org_path = getattr(obj, "path", "") or ""
        if not org_path and getattr(obj, "org_id", None):
            org_path = getattr(obj.org, "path", "")  # type: ignore[attr-defined]
    record = AuditRecord(
        actor=actor if is_user else None,
        actor_label=(str(actor) if is_user else (actor if isinstance(actor, str) else ""))[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        org_path=org_path,
        result=result,
        ip=_valid_ip(info.ip),
        user_agent=info.user_agent[:300],
        data=_storable(data),
    )
    # No savepoint: inside a service's transaction this adds three statements and nothing else.
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        record.seq = head.last_seq + 1
        record.prev_hash = head.last_hash
        record.at = timezone.now()
        record.hash = record_hash(record)
        record.save(force_insert=True)
        AuditChainHead.objects.filter(pk=HEAD_PK).update(last_seq=record.seq, last_hash=record.hash)
    return record


# --- database triggers ------------------------------------------------------------------------------------
# Versioned: a later change adds _V2 and a migration that installs it; migration 0002 keeps using _V1.

_REFUSED = "gonghui: audit records are append-only"

SQLITE_TRIGGERS_V1 = [
    f"""CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
BEGIN SELECT RAISE(ABORT, '{_REFUSED} (UPDATE refused)'); END""",
    # Django stores datetimes on SQLite as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', which sorts like time
    # and compares with datetime('now', ...).
    f"""CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
WHEN NOT EXISTS (
    SELECT 1 FROM core_auditarchive AS a
    WHERE OLD.seq <= a.last_seq AND OLD.at < a.cutoff
      AND a.cutoff <= datetime('now', '-{LEGAL_MIN_RETENTION_DAYS} days')
)
BEGIN SELECT RAISE(ABORT, '{_REFUSED} (DELETE refused: not archived, or within the retention period)'); END""",  # noqa: S608 (constants only)
    f"""CREATE TRIGGER core_auditarchive_no_update BEFORE UPDATE ON core_auditarchive
BEGIN SELECT RAISE(ABORT, '{_REFUSED} (UPDATE of an archive refused)'); END""",
    f"""CREATE TRIGGER core_auditarchive_no_delete BEFORE DELETE ON core_auditarchive
BEGIN SELECT RAISE(ABORT, '{_REFUSED} (DELETE of an archive refused)'); END""",
]

POSTGRESQL_TRIGGERS_V1 = [
    f"""CREATE OR REPLACE FUNCTION core_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{_REFUSED} (% on % refused)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$""",
    # clock_timestamp(), not now(): now() is the start of the transaction, which may precede the cutoff
    # computed by the archive command a moment later.
    f"""CREATE OR REPLACE FUNCTION core_auditrecord_guard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM core_auditarchive AS a
        WHERE OLD.seq <= a.last_seq AND OLD.at < a.cutoff
          AND a.cutoff <= clock_timestamp() - interval '{LEGAL_MIN_RETENTION_DAYS} days'
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{_REFUSED} (DELETE of record % refused: not archived, or within the retention period)',
        OLD.seq USING ERRCODE = 'restrict_violation';
END $$""",  # noqa: S608 (constants only)
    """CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
FOR EACH ROW EXECUTE FUNCTION core_audit_refuse()""",
    """CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
FOR EACH ROW EXECUTE FUNCTION core_auditrecord_guard_delete()""",
    """CREATE TRIGGER core_auditarchive_no_update BEFORE UPDATE ON core_auditarchive
FOR EACH ROW EXECUTE FUNCTION core_audit_refuse()""",
    """CREATE TRIGGER core_auditarchive_no_delete BEFORE DELETE ON core_auditarchive
FOR EACH ROW EXECUTE FUNCTION core_audit_refuse()""",
]

# (table, trigger) pairs, for dropping and for the presence check in `gonghui audit verify`.
TRIGGERS = [
    ("core_auditrecord", "core_auditrecord_no_update"),
    ("core_auditrecord", "core_auditrecord_no_delete"),
    ("core_auditarchive", "core_auditarchive_no_update"),
    ("core_auditarchive", "core_auditarchive_no_delete"),
]


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create the append-only triggers (called by migration 0002 and, on SQLite, after a flush)."""
    statements = {"sqlite": SQLITE_TRIGGERS_V1, "postgresql": POSTGRESQL_TRIGGERS_V1}.get(connection.vendor)
    if statements is None:
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table, name in TRIGGERS:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Names of protection triggers that are absent (or disabled, on PostgreSQL)."""
    names = [name for _table, name in TRIGGERS]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
        else:
            return []
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in names if name not in present]


# --- verification -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    record_id: int | None = None
    seq: int | None = None
    problem: str = ""
    anchored: bool = False


def _link_problem(record: AuditRecord, expected_seq: int, expected_prev: str, prev_label: str) -> str:
    if record.seq > expected_seq:
        return f"records with sequence {expected_seq} to {record.seq - 1} are missing before it"
    if record.seq < expected_seq:
        return f"sequence {record.seq} is out of order (expected {expected_seq}; it may be covered by an archive)"
    if record.prev_hash != expected_prev:
        return (
            f"its prev_hash {record.prev_hash[:16]}… does not match the hash of {prev_label} "
            f"{expected_prev[:16]}… (one of the two was changed)"
        )
    if record_hash(record) != record.hash:
        return "its content does not match its stored hash (a field was changed after it was written)"
    return ""


def audit_verify(*, chunk_size: int = 2000, connection: BaseDatabaseWrapper | None = None) -> ChainReport:
    """Recompute the chain from the latest archive anchor (or from the first record) and report the first
    broken link: a changed record, a missing or reordered one, a head that points past the last record, or
    missing protection triggers."""
    connection = connection or default_connection
    archive = AuditArchive.objects.order_by("-last_seq").first()
    expected_prev = archive.anchor_hash if archive else ""
    expected_seq = archive.last_seq + 1 if archive else 1
    prev_label = f"the anchor of archive {archive.file_name}" if archive else "the start of the chain"
    checked = 0
    records = AuditRecord.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for record in records:
        problem = _link_problem(record, expected_seq, expected_prev, prev_label)
        if problem:
            return ChainReport(False, checked, record.pk, record.seq, problem, anchored=archive is not None)
        expected_prev, expected_seq = record.hash, record.seq + 1
        prev_label = f"record {record.pk} (seq {record.seq})"
        checked += 1
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, expected_prev):
        return ChainReport(
            False,
            checked,
            problem=(
                f"the chain head is at sequence {head.last_seq} but the chain ends at {expected_seq - 1}: "
                "the most recent records were removed"
            ),
            anchored=archive is not None,
        )
    missing = missing_triggers(connection)
    if missing:
        return ChainReport(
            False,
            checked,
            problem=f"the append-only triggers are missing or disabled: {', '.join(missing)}",
            anchored=archive is not None,
        )
    return ChainReport(True, checked, anchored=archive is not None)


def archive_file_verify(path: Path) -> ChainReport:
    """Check an archive file against its AuditArchive row: its SM3 digest, and that its records chain from
    the previous anchor to the recorded anchor."""
    archive = AuditArchive.objects.filter(file_name=path.name).first()
    if archive is None:
        return ChainReport(False, 0, problem=f"no archive row names {path.name}")
    if _file_sm3(path) != archive.file_sm3:
        return ChainReport(
            False, 0, problem="the file's SM3 digest differs from the one recorded when archiving"
        )
    previous = AuditArchive.objects.filter(last_seq__lt=archive.first_seq).order_by("-last_seq").first()
    expected_prev = previous.anchor_hash if previous else ""
    expected_seq = archive.first_seq
    checked = 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            stored = row.pop("hash")
            row.pop("id", None)
            if row["seq"] != expected_seq or row["prev_hash"] != expected_prev or payload_hash(row) != stored:
                return ChainReport(
                    False, checked, seq=row["seq"], problem="the chain in the file is broken here"
                )
            expected_prev, expected_seq = stored, expected_seq + 1
            checked += 1
    if expected_prev != archive.anchor_hash or checked != archive.record_count:
        return ChainReport(False, checked, problem="the file does not end at the recorded anchor")
    return ChainReport(True, checked, anchored=True)


# --- archiving --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveOutcome:
    archive: AuditArchive | None
    cutoff: datetime


def latest_allowed_cutoff() -> date:
    return timezone.localdate() - timedelta(days=retention_days())


def _file_sm3(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.finalize().hex()


def _export_lines(
    records: Iterable[AuditRecord], first_seq: int, prev_hash: str
) -> Iterator[tuple[str, str]]:
    """Yield (JSON line, hash) per record, checking the chain as it goes: a broken chain is never archived
    (and so never deleted)."""
    expected_seq, expected_prev = first_seq, prev_hash
    for record in records:
        problem = _link_problem(record, expected_seq, expected_prev, "the previous record")
        if problem:
            raise ServiceError(
                "audit_chain_broken",
                _(
                    "The audit chain is broken at record %(id)s; run “gonghui audit verify”. Nothing was archived."
                )
                % {"id": record.pk},
            )
        fields = canonical_fields(record)
        fields["hash"] = record.hash
        fields["id"] = record.pk
        yield (
            json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n",
            record.hash,
        )
        expected_seq, expected_prev = record.seq + 1, record.hash


def audit_archive(
    *, actor: Any, out_dir: Path, before: date | None = None, chunk_size: int = 2000
) -> ArchiveOutcome:
    """Export the records older than `before` (default: today minus the retention period) that no archive
    covers yet, then record the archive and delete them. Running it again with the same cutoff does nothing.

    The export is read outside the write transaction (the records cannot change), so SQLite writers wait
    only for the short final transaction: insert the AuditArchive row, delete the records, log the archive.
    """
    latest = latest_allowed_cutoff()
    if before is None:
        before = latest
    if before > latest:
        raise ServiceError(
            "cutoff_too_recent",
            _("Audit records must be kept for %(days)s days: the cutoff may be %(date)s at the latest.")
            % {"days": retention_days(), "date": latest.isoformat()},
        )
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    previous = AuditArchive.objects.order_by("-last_seq").first()
    first_seq = previous.last_seq + 1 if previous else 1
    prev_hash = previous.anchor_hash if previous else ""
    # The archived part is a prefix of the chain: everything before the first record at or after the cutoff.
    first_kept = (
        AuditRecord.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
    )
    last_seq = (
        first_kept - 1
        if first_kept is not None
        else AuditRecord.objects.aggregate(m=models.Max("seq"))["m"] or 0
    )
    if last_seq < first_seq:
        return ArchiveOutcome(None, cutoff)

    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"audit-{first_seq:012d}-{last_seq:012d}.jsonl.gz"
    path = out_dir / name
    partial = out_dir / f".{name}.partial"
    count, anchor = 0, prev_hash
    records = AuditRecord.objects.filter(seq__gte=first_seq, seq__lte=last_seq).order_by("seq")
    try:
        with partial.open("wb") as raw:
            # mtime=0 and no file name in the header: the same records always give the same bytes.
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                for line, line_hash in _export_lines(
                    records.iterator(chunk_size=chunk_size), first_seq, prev_hash
                ):
                    gz.write(line.encode("utf-8"))
                    count, anchor = count + 1, line_hash
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
        digest = _file_sm3(path)
        with transaction.atomic():
            archive = AuditArchive.objects.create(
                cutoff=cutoff,
                first_seq=first_seq,
                last_seq=last_seq,
                record_count=count,
                anchor_hash=anchor,
                file_name=name,
                file_sm3=digest,
                actor_label=str(actor)[:150],
            )
            deleted, _detail = records.delete()
            if deleted != count:
                raise ServiceError(
                    "audit_archive_mismatch", _("The audit records changed while they were being archived.")
                )
            log_action(
                actor=actor,
                action="gonghui.audit.archived",
                obj=archive,
                data={
                    "first_seq": first_seq,
                    "last_seq": last_seq,
                    "count": count,
                    "cutoff": cutoff.isoformat(),
                },
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        if not AuditArchive.objects.filter(file_name=name).exists():
            path.unlink(missing_ok=True)
        raise
    return ArchiveOutcome(archive, cutoff)


# --- reading (the console's audit page) -------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    action: str = ""
    actor: str = ""
    result: str = ""
    object_type: str = ""
    org_path: str = ""


def audit_record_query(f: AuditFilter) -> QuerySet[AuditRecord]:
    """Records matching the filter, newest first. Only for the audit administrator, whose duty covers the
    whole platform: there is no org scope here (docs/audit.md)."""
    qs = AuditRecord.objects.select_related("actor").order_by("-seq")
    if f.date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(f.date_from, time.min)))
    if f.date_to:
        qs = qs.filter(at__lt=timezone.make_aware(datetime.combine(f.date_to + timedelta(days=1), time.min)))
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.actor:
        qs = qs.filter(
            Q(actor_label__icontains=f.actor)
            | Q(actor__real_name__icontains=f.actor)
            | Q(actor__in=_users_with_mobile(f.actor))
        )
    if f.result:
        qs = qs.filter(result=f.result)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.org_path:
        from gonghui.orgs.paths import subtree_q

        qs = qs.filter(subtree_q(f.org_path, field="org_path"))
    return qs


def _users_with_mobile(mobile: str) -> QuerySet[Any]:
    """A subquery of the users with this mobile number, found through its blind index (docs/crypto.md)."""
    from django.contrib.auth import get_user_model

    from gonghui.core.fields import blind_q

    user_model = get_user_model()
    return user_model.objects.filter(blind_q(user_model, "mobile", mobile)).values("pk")
