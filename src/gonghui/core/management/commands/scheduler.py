from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.core.scheduler import tick

logger = logging.getLogger("gonghui.scheduler")


class Command(BaseCommand):
    help = "Run the periodic-job scheduler beside the task workers (one per deployment)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between ticks.")
        parser.add_argument("--once", action="store_true", help="Tick once and exit.")

    def handle(self, *args: Any, interval: float = 30.0, once: bool = False, **opts: Any) -> None:
        running = True

        def stop(signum: int, frame: Any) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            names = tick()
            if names:
                logger.info("Enqueued %s", ", ".join(names))
            if once:
                return
            slept = 0.0
            while running and slept < interval:
                time.sleep(0.5)
                slept += 0.5
