"""Password hashing cost: how many logins per second the hashers allow, and at what memory.

A login storm (a member-day contest opening at 10:00) must not take the site down, and a stolen hash table must
stay expensive to crack. Measures one hash (p50 of --repeat) for each hasher and the throughput of --workers
processes hashing at once, against a floor of one SHA-256 (the cost of a check with no stretching at all).

    .venv/bin/python bench/passwords.py [--repeat 20] [--workers 2] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ.setdefault("GONGHUI_TESTING", "1")
os.environ.setdefault("GONGHUI_VAR_DIR", "/tmp/gonghui-bench-passwords")

import django

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher  # noqa: E402

from gonghui.accounts.passwords import GonghuiArgon2PasswordHasher  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
PASSWORD = "Gh-bench-Passw0rd!"


def hashers() -> dict[str, object]:
    return {
        "gonghui argon2id (19 MiB, t=2, p=1)": GonghuiArgon2PasswordHasher(),
        "Django default argon2id (100 MiB, t=2, p=8)": Argon2PasswordHasher(),
        f"Django default PBKDF2-SHA256 ({PBKDF2PasswordHasher.iterations:,} iterations)": PBKDF2PasswordHasher(),
    }


def one(name: str) -> float:
    hasher = hashers()[name]
    encoded = hasher.encode(PASSWORD, hasher.salt())  # type: ignore[attr-defined]
    start = time.perf_counter()
    hasher.verify(PASSWORD, encoded)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def floor() -> float:
    start = time.perf_counter()
    hashlib.sha256(PASSWORD.encode()).hexdigest()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--write", action="store_true", help="append a dated section to bench/RESULTS.md")
    args = parser.parse_args()
    rows = []
    floor_ms = statistics.median(floor() for _ in range(1000)) * 1000
    for name in hashers():
        times = [one(name) for _ in range(args.repeat)]
        p50 = statistics.median(times) * 1000
        with ProcessPoolExecutor(args.workers) as pool:
            n = args.repeat * args.workers
            start = time.perf_counter()
            list(pool.map(one, [name] * n))
            per_second = n / (time.perf_counter() - start)
        rows.append((name, p50, per_second, p50 / floor_ms))
    lines = [
        f"### Password hashing — {dt.date.today().isoformat()}",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}; {args.repeat} verifications each, then {args.workers} processes at once.",
        "",
        "| hasher | one verification p50 ms | logins/s with all cores | × floor (one SHA-256) |",
        "|---|---:|---:|---:|",
        *[f"| {n} | {p:.1f} | {s:.1f} | {r:,.0f} |" for n, p, s, r in rows],
        f"| floor: one SHA-256 | {floor_ms:.4f} | — | 1 |",
        "",
    ]
    print("\n".join(lines))
    if args.write:
        with RESULTS.open("a") as handle:
            handle.write("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
