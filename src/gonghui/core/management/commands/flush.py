"""`gonghui flush` wipes every table, the append-only audit log included, on SQLite as on PostgreSQL.

On PostgreSQL Django's flush uses TRUNCATE, which row-level triggers do not see. On SQLite it runs DELETE FROM,
which the audit log's append-only triggers refuse. So on SQLite this drops those triggers, flushes and
installs them again, all in one transaction: a failed flush leaves the triggers in place, and no other
connection ever sees the table unprotected. Only this whole-database wipe, an operator's command (and the
test runner's, between transactional tests), takes this path; a DELETE or UPDATE of audit rows is still
refused.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from gonghui.core.audit import drop_triggers, install_triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        if options["interactive"]:
            confirm = input(
                f"You have requested a flush of the database {connection.settings_dict['NAME']}.\n"
                "This will IRREVERSIBLY DESTROY all data, the audit log included.\n"
                "Type 'yes' to continue, or 'no' to cancel: "
            )
            if confirm != "yes":
                self.stdout.write("Flush cancelled.")
                return None
            options = {**options, "interactive": False}
        with transaction.atomic(using=options["database"]):
            drop_triggers(connection)
            super().handle(**options)
            install_triggers(connection)
        return None
