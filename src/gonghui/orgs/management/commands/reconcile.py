from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.core.audit import log_action
from gonghui.orgs.rollups import find_drift, repair


class Command(BaseCommand):
    help = (
        "Recompute the roll-up counters of every org from the tree, report drift, and with --fix repair it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Write the recomputed values.")

    def handle(self, *args: Any, fix: bool = False, **options: Any) -> None:
        from gonghui.members import counters

        member_drift = counters.find_drift()
        for md in member_drift[:50]:
            self.stdout.write(
                f"org {md.org_id}: members {md.dimension}={md.key} stored={md.stored} expected={md.expected}"
            )
        if member_drift:
            self.stdout.write(self.style.WARNING(f"Drift in {len(member_drift)} member counters."))
            if fix:
                repaired = counters.repair(member_drift)
                log_action(
                    actor="system", action="gonghui.rollup.repaired", data={"member_counter_orgs": repaired}
                )
                self.stdout.write(self.style.SUCCESS(f"Repaired member counters of {repaired} orgs."))
        drift = find_drift()
        if not drift and member_drift and not fix:
            raise SystemExit(1)
        if not drift:
            self.stdout.write(self.style.SUCCESS("No drift: every roll-up row matches the tree."))
            return
        for d in drift[:50]:
            self.stdout.write(f"org {d.org_id}: {d.field} stored={d.stored} expected={d.expected}")
        if len(drift) > 50:
            self.stdout.write(f"... and {len(drift) - 50} more")
        orgs = len({d.org_id for d in drift})
        self.stdout.write(self.style.WARNING(f"Drift in {len(drift)} values across {orgs} orgs."))
        if fix:
            repaired = repair(drift)
            log_action(actor="system", action="gonghui.rollup.repaired", data={"orgs": repaired})
            self.stdout.write(self.style.SUCCESS(f"Repaired {repaired} orgs."))
        else:
            raise SystemExit(1)
