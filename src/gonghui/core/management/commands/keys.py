"""`gonghui keys status|rotate|generate`: the data keys of the encrypted columns (docs/crypto.md)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models import Count, F, TextField, Value
from django.db.models.functions import Cast, Left, StrIndex
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.fields import EncryptedTextField, encrypted_fields


def _raw(field: EncryptedTextField) -> Cast:
    """The stored ciphertext, read without the field's decryption (a plain text column has no converter)."""
    return Cast(F(field.attname), output_field=TextField())


class Command(BaseCommand):
    help = "Show, rotate and generate the keys of encrypted personal data."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="Count stored values per key id, per encrypted column.")
        status.add_argument("--model", help="Only this model (app_label.ModelName).")
        rotate = sub.add_parser("rotate", help="Re-encrypt values that are not under the current key.")
        rotate.add_argument("--model", help="Only this model (app_label.ModelName).")
        rotate.add_argument("--batch", type=int, default=1000, help="Rows per transaction (default 1000).")
        generate = sub.add_parser(
            "generate", help="Print a new data key (or index key) to add to the settings."
        )
        generate.add_argument("--kid", default="", help="Key id (default k<YYYYMMDD>).")
        generate.add_argument("--index", action="store_true", help="Print a blind-index key instead.")
        generate.add_argument("--file", action="store_true", help="Print a whole new key file (JSON).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self.generate(kid=options["kid"], index=options["index"], as_file=options["file"])
            return
        targets = self.targets(options.get("model"))
        if action == "status":
            self.status(targets)
        else:
            if options["batch"] < 1:
                raise CommandError("--batch must be at least 1.")
            self.rotate(targets, batch=options["batch"])

    # --- discovery --------------------------------------------------------------------------------------

    def targets(self, label: str | None) -> list[tuple[type[models.Model], EncryptedTextField]]:
        if label:
            try:
                chosen = [apps.get_model(label)]
            except (LookupError, ValueError) as exc:
                raise CommandError(f"Unknown model {label!r} (use app_label.ModelName).") from exc
        else:
            chosen = list(apps.get_models())
        found = [(model, field) for model in chosen for field in encrypted_fields(model)]
        if label and not found:
            raise CommandError(f"{label} has no encrypted fields.")
        return found

    @staticmethod
    def name(model: type[models.Model], field: EncryptedTextField) -> str:
        return f"{model._meta.label}.{field.name}"

    # --- status -----------------------------------------------------------------------------------------

    def status(self, targets: list[tuple[type[models.Model], EncryptedTextField]]) -> None:
        ring = crypto.keyring()
        self.stdout.write(
            f"Keys from {ring.source}; current key id: {ring.current}; known: {', '.join(ring.keys)}"
        )
        if not targets:
            self.stdout.write("No encrypted fields.")
        for model, field in targets:
            raw = _raw(field)
            rows = (
                model._base_manager.annotate(_raw=raw)
                .exclude(_raw__isnull=True)
                .exclude(_raw="")
                .annotate(_kid=Left(F("_raw"), StrIndex(F("_raw"), Value(crypto.SEPARATOR)) - 1))
                .values("_kid")
                .annotate(n=Count("pk"))
                .order_by("_kid")
            )
            counts = {row["_kid"] or "?": row["n"] for row in rows}
            empty = model._base_manager.annotate(_raw=raw).filter(_raw__isnull=True).count()
            empty += model._base_manager.annotate(_raw=raw).filter(_raw="").count()
            parts = [
                f"{kid}={n}"
                + ("" if kid == ring.current else " (old)" if kid in ring.keys else " (UNKNOWN KEY)")
                for kid, n in counts.items()
            ]
            self.stdout.write(f"{self.name(model, field)}: {', '.join(parts) or 'no values'}; empty={empty}")

    # --- rotate -----------------------------------------------------------------------------------------

    def rotate(self, targets: list[tuple[type[models.Model], EncryptedTextField]], *, batch: int) -> None:
        """Re-encrypt under the current key, one transaction per batch, in primary-key order.

        Rows already under the current key are never selected, so a run that stopped half-way (or a second
        run) continues with what is left. A row that cannot be decrypted is reported and skipped, and the
        command then fails, so the operator sees it before removing an old key.
        """
        current = crypto.keyring().current
        failures: list[str] = []
        for model, field in targets:
            label = self.name(model, field)
            pending = (
                model._base_manager.annotate(_raw=_raw(field))
                .exclude(_raw__isnull=True)
                .exclude(_raw="")
                .exclude(_raw__startswith=f"{current}{crypto.SEPARATOR}")
                .order_by("pk")
            )
            total = pending.count()
            done = 0
            last_pk: Any = None
            self.stdout.write(f"{label}: {total} value(s) to re-encrypt under {current}")
            while True:
                with transaction.atomic():
                    chunk = pending if last_pk is None else pending.filter(pk__gt=last_pk)
                    rows = list(chunk.select_for_update().values_list("pk", "_raw")[:batch])
                    if not rows:
                        break
                    last_pk = rows[-1][0]
                    objs = []
                    for pk, token in rows:
                        try:
                            plaintext = crypto.decrypt(token, purpose=field.purpose)
                        except crypto.CryptoError as exc:
                            failures.append(f"{label} pk={pk}: {exc}")
                            continue
                        obj = model(pk=pk)
                        # The field encrypts the plaintext under the current key when it is written.
                        setattr(obj, field.attname, plaintext)
                        objs.append(obj)
                    model._base_manager.bulk_update(objs, [field.name])
                done += len(objs)
                self.stdout.write(f"{label}: {done}/{total} re-encrypted")
        for failure in failures:
            self.stderr.write(failure)
        if failures:
            raise CommandError(f"{len(failures)} value(s) could not be decrypted and were left as they are.")
        self.stdout.write(self.style.SUCCESS("Every encrypted value is under the current key."))

    # --- generate ---------------------------------------------------------------------------------------

    def generate(self, *, kid: str, index: bool, as_file: bool) -> None:
        if as_file:
            self.stdout.write(json.dumps(crypto.new_key_file_content(), indent=2))
        elif index:
            self.stdout.write(f"GONGHUI_INDEX_KEY={crypto.generate_index_key()}")
        else:
            kid = kid or f"k{timezone.localdate():%Y%m%d}"
            if not crypto.KID_PATTERN.fullmatch(kid):
                raise CommandError("A key id is 1-32 of A-Z a-z 0-9 _ -.")
            self.stdout.write(f"{kid}:{crypto.generate_key()}")
