"""Audit log write cost: how many audited writes per second the single SM3 chain allows.

Every log_action locks the one chain-head row until its transaction commits, so audited writes queue behind each
other platform-wide. This measures that ceiling on PostgreSQL with N concurrent writers (threads, each with its own
connection), against a floor of the same INSERT into an unchained table in the same run.

    .venv/bin/python bench/audit.py [--writers 1 2 4 8] [--seconds 5] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import threading
import time
from pathlib import Path

PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = "gonghui_bench_audit"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ.setdefault("GONGHUI_TESTING", "1")
os.environ["DATABASE_URL"] = f"{PG}/{DB}"

RESULTS = Path(__file__).with_name("RESULTS.md")


def fresh_database() -> None:
    host = PG.split("@")[-1].split(":")[0]
    subprocess.run(["dropdb", "-h", host, "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", host, "-U", "postgres", DB], check=True)


def run(writers: int, seconds: float, audited: bool) -> float:
    from django.db import connection, transaction

    from gonghui.core.audit import log_action

    stop = time.monotonic() + seconds
    counts = [0] * writers

    def work(i: int) -> None:
        while time.monotonic() < stop:
            with transaction.atomic():
                if audited:
                    log_action(actor="bench", action="gonghui.bench.write", data={"i": i})
                else:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "INSERT INTO bench_floor (worker, data) VALUES (%s, %s)", [i, '{"i": 1}']
                        )
            counts[i] += 1
        connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_floor (id bigserial primary key, worker int, data jsonb, at timestamptz default now())"
        )
    connection.close()
    rows = []
    for n in args.writers:
        chained = run(n, args.seconds, audited=True)
        floor = run(n, args.seconds, audited=False)
        rows.append((n, chained, floor))
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    lines = [
        f"### Audit log writes on PostgreSQL — {dt.date.today().isoformat()}",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {version}; each figure is committed "
        f"transactions per second over {args.seconds:.0f} s with N writer threads (one connection each).",
        "",
        "| writers | audited writes/s (log_action, SM3 chain) | floor: plain INSERT/s | ratio |",
        "|---:|---:|---:|---:|",
        *[f"| {n} | {c:,.0f} | {f:,.0f} | {c / f:.2f} |" for n, c, f in rows],
        "",
    ]
    print("\n".join(lines))
    if args.write:
        with RESULTS.open("a") as handle:
            handle.write("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
