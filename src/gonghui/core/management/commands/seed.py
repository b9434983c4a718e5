from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Seed data: --demo builds the demo slice and accounts (idempotent); --scale N builds a synthetic province."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="The demo tree and demo accounts.")
        parser.add_argument(
            "--scale", type=int, metavar="N", help="A province-shaped tree sized for N members."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed for --scale (same seed, same tree)."
        )
        parser.add_argument(
            "--no-members", action="store_true", help="With --scale: build the tree only, without members."
        )

    def handle(
        self, *args: Any, demo: bool = False, scale: int | None = None, seed: int = 1, **opts: Any
    ) -> None:
        if not demo and not scale:
            raise CommandError("Give --demo or --scale N.")
        if demo:
            from gonghui.core.seed.demo import ACCOUNTS, seed_demo

            result = seed_demo()
            self.stdout.write(self.style.SUCCESS(f"Demo data ready ({result})."))
            if opts.get("verbosity", 1) > 1 or result["users_created"]:
                self.stdout.write(f"Demo logins (password {settings.GONGHUI_DEMO_PASSWORD!r}):")
                for a in ACCOUNTS:
                    self.stdout.write(f"  {a.mobile}  {a.name}  {a.what}")
        if scale:
            from gonghui.core.seed.scale import seed_scale

            started = time.perf_counter()
            result = seed_scale(scale, seed=seed)
            self.stdout.write(
                self.style.SUCCESS(f"Scale tree built in {time.perf_counter() - started:.1f}s: {result}")
            )
            if not opts.get("no_members"):
                from gonghui.core.seed.scale_members import seed_scale_members

                started = time.perf_counter()
                made = seed_scale_members(scale, seed=seed)
                seconds = time.perf_counter() - started
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{made['members_created']:,} members written in {seconds:.1f}s "
                        f"({made['members_created'] / max(seconds, 0.001):,.0f}/s)."
                    )
                )
