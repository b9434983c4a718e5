"""`gonghui audit verify` and `gonghui audit archive`: check the SM3 hash chain of the audit log, and export
then prune records past the retention period (docs/audit.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.audit import archive_file_verify, audit_archive, audit_verify, retention_days
from gonghui.core.errors import ServiceError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or archive and prune records past the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Recompute the hash chain and report the first broken link.")
        verify.add_argument("--file", help="Check an archive file against its recorded digest and anchor.")
        verify.add_argument("--chunk-size", type=int, default=2000)
        archive = sub.add_parser(
            "archive", help="Export records older than the cutoff to gzip JSON Lines, then delete them."
        )
        archive.add_argument(
            "--before",
            help=f"Cutoff date YYYY-MM-DD (default: today minus the retention period, at least "
            f"{retention_days()} days).",
        )
        archive.add_argument(
            "--out", help="Directory for the archive file (default: $GONGHUI_VAR_DIR/audit-archive)."
        )
        archive.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify(options)
        else:
            self._archive(options)

    def _verify(self, options: dict[str, Any]) -> None:
        if options.get("file"):
            report = archive_file_verify(Path(options["file"]))
            if not report.ok:
                raise CommandError(f"archive file broken: {report.problem}", returncode=1)
            self.stdout.write(f"archive file intact: {report.checked} records")
            return
        report = audit_verify(chunk_size=options["chunk_size"])
        if not report.ok:
            where = f"record {report.record_id} (seq {report.seq}): " if report.record_id is not None else ""
            raise CommandError(
                f"chain broken after {report.checked} intact records: {where}{report.problem}", returncode=1
            )
        start = "from the latest archive anchor" if report.anchored else "from the start"
        self.stdout.write(f"chain intact: {report.checked} records ({start})")

    def _archive(self, options: dict[str, Any]) -> None:
        before = _date(options["before"]) if options.get("before") else None
        out = Path(options["out"]) if options.get("out") else Path(settings.VAR_DIR) / "audit-archive"
        try:
            outcome = audit_archive(
                actor="system", out_dir=out, before=before, chunk_size=options["chunk_size"]
            )
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        if outcome.archive is None:
            self.stdout.write(f"nothing to archive before {outcome.cutoff.isoformat()}")
            return
        a = outcome.archive
        self.stdout.write(
            f"archived {a.record_count} records (seq {a.first_seq}-{a.last_seq}) before {a.cutoff.isoformat()} "
            f"to {out / a.file_name}; SM3 {a.file_sm3}; anchor {a.anchor_hash}"
        )
