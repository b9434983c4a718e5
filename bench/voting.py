"""The workers' congress under load: 5,000 delegates vote on their phones at once, each trying twice.

Usage:
    .venv/bin/python bench/voting.py [--delegates 5000] [--clients 12] [--workers 2] [--threads 4]
                                     [--pg-url postgres://postgres@127.0.0.1:5432] [--pg-db bench_voting]
                                     [--out /tmp/docs/bench_voting.md]

Steps:

1. A fresh PostgreSQL database --pg-db (dropped and created again; the protected names of bench/tree.py are
   refused), migrated. Not timed: a grassroots union with its chair, a congress of N serving delegates in one
   constituency, each with an account (an unusable password: no Argon2 hashing of N passwords) and a bearer API
   token written with bulk_create, a meeting in session with every delegate checked in, and one open secret
   poll: a resolution with three items (`services.poll_create` and `poll_open`, which checks the quorum).
2. The app served by gunicorn (gthread: --workers processes of --threads threads, the database connection
   pool on as GONGHUI_DB_POOL=1 turns it on in production) on a local port, with access logs off.
3. --clients threads, each with its own keep-alive HTTP connection, send 2 x N `POST
   /api/v1/congress/polls/{id}/ballots` in a random order (every delegate twice, random marks), timing each
   request. Expected: exactly N answers 201 with a receipt code, N answers 409 `already_voted`, nothing else.
4. Checked in the database: ballots = participations = N for the poll, every receipt returned by the API is
   the receipt of exactly one ballot (its keyed hash), no two receipts alike. Then the poll is closed and
   counted through the services (which rewrites the N ballots in a random order) and the count must show N
   valid ballots; the close is timed.
5. The floor, in the same run and at the same concurrency: the same 2 x N attempts on a second poll through
   psycopg directly, one connection per client thread, each attempt one transaction with the same two INSERTs
   (the participation, refused by the unique constraint on a second attempt, then the ballot). No HTTP, no
   Django, no authentication, no checks.
6. Where the time goes: the queries one accepted and one refused vote send (Django's test client in this
   process against the same database, on a third poll), and the CPU seconds of the gunicorn workers, the
   PostgreSQL backends and the client threads during the HTTP run.

Prints the figures and writes a markdown section to --out for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tree import PROTECTED_DATABASES, loadavg, machine  # noqa: E402

TARGET_BALLOTS_PER_S = 300
CHOICES = ("approve", "oppose", "abstain")
ITEMS = ["2027年工资集体协商方案", "职工福利费使用方案", "劳动安全卫生专项集体合同"]


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--delegates", type=int, default=5000)
    p.add_argument("--clients", type=int, default=12, help="concurrent HTTP clients (and floor connections)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    p.add_argument("--pg-db", default="bench_voting")
    p.add_argument("--out", default="/tmp/docs/bench_voting.md")
    p.add_argument("--var-dir", default=os.path.join(tempfile.gettempdir(), "gonghui-bench-voting"))
    return p.parse_args()


def fresh_database(args: argparse.Namespace) -> str:
    import psycopg

    if args.pg_db in PROTECTED_DATABASES:
        sys.exit(f"refusing to drop the database {args.pg_db!r}")
    with psycopg.connect(f"{args.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.pg_db}"')
    return f"{args.pg_url.rstrip('/')}/{args.pg_db}"


def server_env(database_url: str, var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="gonghui.settings",
        DATABASE_URL=database_url,
        GONGHUI_DEMO="1",  # the demo keys under GONGHUI_VAR_DIR: the server and this script share them
        GONGHUI_VAR_DIR=var_dir,
        GONGHUI_DB_POOL="1",
        DEBUG="0",
        SECRET_KEY="bench-voting-" + "x" * 40,
        PYTHONPATH=str(ROOT / "src"),
    )
    env.pop("GONGHUI_TESTING", None)
    return env


# --- setup (not timed) -------------------------------------------------------------------------------------


def build(n: int) -> dict[str, Any]:
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from gonghui.accounts.models import ApiToken, User
    from gonghui.congress import services
    from gonghui.congress.models import Attendance, CheckinMethod, Delegate
    from gonghui.orgs.models import OrgKind, Role, RoleAssignment
    from gonghui.orgs.services import _insert_org

    parent = _insert_org(parent=None, name="中华全国总工会", kind=OrgKind.NATIONAL, code="100000")
    for kind, name, code in (
        (OrgKind.PROVINCE, "浙江省总工会", "330000"),
        (OrgKind.CITY, "杭州市总工会", "330100"),
        (OrgKind.DISTRICT, "西湖区总工会", "330106"),
    ):
        parent = _insert_org(parent=parent, name=name, kind=kind, code=code, division_code=code)
    union = _insert_org(
        parent=parent,
        name="压测科技有限公司工会",
        kind=OrgKind.GRASSROOTS,
        code="BENCH-G1",
        staff_count=n * 20,
    )
    chair = User.objects.create_user("13600000001", None, real_name="压测主席")
    RoleAssignment.objects.create(user=chair, org=union, role=Role.ORG_ADMIN)
    congress = services.congress_create(
        actor=chair,
        org=union,
        name="压测第一届职工代表大会",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2030, 12, 31),
        staff_count=n * 20,
        kind="congress",
    )
    constituency = services.constituency_add(actor=chair, congress=congress, name="全体", seats=n)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(mobile=f"137{i:08d}", real_name=f"代表{i + 1}", password=unusable) for i in range(n)],
        batch_size=1000,
    )
    delegates = Delegate.objects.bulk_create(
        [
            Delegate(
                congress=congress,
                constituency=constituency,
                user=u,
                name=u.real_name,
                category="worker",
                sex="female" if i % 2 else "male",
                elected_on=datetime.date(2026, 1, 1),
            )
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )
    secrets_ = ["gh_" + secrets.token_urlsafe(32) for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user=u,
                name="bench",
                prefix=s[3:11],
                key_hash=hashlib.sha256(s.encode()).hexdigest(),
                expires_at=timezone.now() + datetime.timedelta(days=30),
            )
            for u, s in zip(users, secrets_, strict=True)
        ],
        batch_size=1000,
    )
    meeting = services.meeting_create(
        actor=chair,
        congress=congress,
        title="压测第一次会议",
        starts_at=timezone.now(),
        agenda=[("表决", "resolution")],
    )
    services.meeting_open(actor=chair, meeting=meeting)
    now = timezone.now()
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, delegate=d, method=CheckinMethod.SECRETARIAT, checked_in_at=now)
            for d in delegates
        ],
        batch_size=1000,
    )

    def poll(title: str, open_: bool) -> Any:
        p = services.poll_create(actor=chair, meeting=meeting, kind="resolution", title=title, options=ITEMS)
        return services.poll_open(actor=chair, poll=p) if open_ else p

    main = poll("压测表决", True)
    floor = poll("压测表决（下限）", False)
    probe = poll("压测表决（查询计数）", True)
    return {
        "chair": chair,
        "poll": main,
        "floor_poll": floor,
        "probe_poll": probe,
        "options": list(main.options.values_list("pk", flat=True)),
        "probe_options": list(probe.options.values_list("pk", flat=True)),
        "delegate_ids": [d.pk for d in delegates],
        "tokens": secrets_,
    }


# --- the server --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(args: argparse.Namespace, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "gonghui.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--backlog",
        "2048",
        "--graceful-timeout",
        "5",
    ]
    handle = log.open("wb")
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    sys.exit(f"gunicorn did not start; see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def children_of(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def postgres_backends(database_url: str, db: str) -> list[int]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db]).fetchall()
    return [int(r[0]) for r in rows]


# --- the load ----------------------------------------------------------------------------------------------


def attempts_for(n: int, options: list[int], seed: int) -> list[tuple[int, dict[str, str]]]:
    rng = random.Random(seed)
    attempts = [(i, {str(o): rng.choice(CHOICES) for o in options}) for i in range(n) for _twice in range(2)]
    rng.shuffle(attempts)
    return attempts


def http_run(
    port: int, poll_id: int, tokens: list[str], attempts: list[tuple[int, dict[str, str]]], clients: int
) -> dict[str, Any]:
    path = f"/api/v1/congress/polls/{poll_id}/ballots"
    lock = threading.Lock()
    cursor = iter(attempts)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    receipts: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[tuple[float, str, str | None]] = []
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            index, marks = item
            body = json.dumps({"marks": marks, "write_ins": []})
            headers = {"Authorization": f"Bearer {tokens[index]}", "Content-Type": "application/json"}
            started = time.perf_counter()
            for retry in range(3):
                try:
                    conn.request("POST", path, body, headers)
                    response = conn.getresponse()
                    data = response.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    if retry == 2:
                        raise
            elapsed = time.perf_counter() - started
            if response.status == 201:
                mine.append((elapsed, "201", json.loads(data)["receipt"]))
            else:
                code = json.loads(data).get("error", {}).get("code", "?") if data else "?"
                mine.append((elapsed, f"{response.status} {code}", None))
        conn.close()
        with lock:
            for elapsed, outcome, receipt in mine:
                latencies.append(elapsed)
                outcomes[outcome] += 1
                if receipt:
                    receipts.append(receipt)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    cpu_before = time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "latencies": latencies,
        "outcomes": outcomes,
        "receipts": receipts,
        "client_cpu": time.process_time() - cpu_before,
    }


def floor_run(
    database_url: str,
    poll_id: int,
    delegate_ids: list[int],
    attempts: list[tuple[int, dict[str, str]]],
    clients: int,
) -> dict[str, Any]:
    """The same two INSERTs per vote through psycopg, one transaction per attempt, at the same concurrency."""
    import psycopg
    from psycopg.types.json import Jsonb

    lock = threading.Lock()
    cursor = iter(attempts)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()

    def client() -> None:
        conn = psycopg.connect(database_url)
        mine: list[tuple[float, str]] = []
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            index, marks = item
            started = time.perf_counter()
            try:
                with conn.transaction():
                    conn.execute(
                        "INSERT INTO congress_participation (poll_id, delegate_id, channel) VALUES (%s, %s, 'phone')",
                        [poll_id, delegate_ids[index]],
                    )
                    conn.execute(
                        "INSERT INTO congress_ballot (id, poll_id, marks, write_ins, receipt_hash, channel) "
                        "VALUES (%s, %s, %s, '[]', %s, 'phone')",
                        [secrets.randbits(62) + 1, poll_id, Jsonb(marks), secrets.token_hex(32)],
                    )
                outcome = "accepted"
            except psycopg.errors.UniqueViolation:
                outcome = "refused"
            mine.append((time.perf_counter() - started, outcome))
        conn.close()
        with lock:
            for elapsed, outcome in mine:
                latencies.append(elapsed)
                outcomes[outcome] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"wall": time.perf_counter() - started, "latencies": latencies, "outcomes": outcomes}


def warm_up(args: argparse.Namespace, setup: dict[str, Any]) -> None:
    """Every worker thread answers a few API reads first: imports, the connection pool and the caches are
    ready before timing, as on a server that has been up for a while."""
    path = f"/api/v1/congress/mine/polls/{setup['probe_poll'].pk}"

    def reader(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        for j in range(10):
            token = setup["tokens"][-(k * 10 + j + 1)]
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(args.workers * args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --- where the time goes -----------------------------------------------------------------------------------


def in_process(setup: dict[str, Any], sample: int = 200) -> dict[str, Any]:
    """The queries one accepted and one refused vote send, and the CPU time per vote of the whole Django stack
    (middleware, ninja, authentication, the service) without HTTP, on a third poll in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    path = f"/api/v1/congress/polls/{setup['probe_poll'].pk}/ballots"
    body = json.dumps({"marks": {str(setup["probe_options"][0]): "approve"}, "write_ins": []})

    def post(token: str, expect: int) -> None:
        response = client.post(
            path,
            body,
            content_type="application/json",
            HTTP_HOST="127.0.0.1",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == expect, response.content

    out: dict[str, Any] = {}
    for label, expect in (("accepted", 201), ("refused", 409)):
        with CaptureQueriesContext(connection) as ctx:
            post(setup["tokens"][0], expect)
        out[label] = [q["sql"] for q in ctx.captured_queries]
    tokens = setup["tokens"][1 : sample + 1]
    for label, expect in (("accepted", 201), ("refused", 409)):
        cpu, wall = time.process_time(), time.perf_counter()
        for token in tokens:
            post(token, expect)
        out[f"{label}_cpu_ms"] = (time.process_time() - cpu) / len(tokens) * 1000
        out[f"{label}_wall_ms"] = (time.perf_counter() - wall) / len(tokens) * 1000
    return out


def short_sql(sql: str) -> str:
    """ "SELECT congress_poll", "INSERT INTO congress_ballot", "BEGIN": what a query is, in a few words."""
    import re

    sql = " ".join(sql.split())
    head = sql.split(" ", 1)[0].upper()
    if head == "SELECT":
        # The table of the first selected column, so that a subquery in the select list does not name it.
        table = re.search(r'"(\w+)"\."', sql) or re.search(r'FROM "?(\w+)"?', sql)
        return f"SELECT {table.group(1) if table else ''}" + (" FOR SHARE" if "FOR SHARE" in sql else "")
    if head == "INSERT":
        table = re.search(r'INTO "(\w+)"', sql)
        return f"INSERT {table.group(1) if table else ''}"
    return sql[:40]


# --- main --------------------------------------------------------------------------------------------------


def main() -> int:
    args = parse()
    if args.port == 0:
        args.port = free_port()
    database_url = fresh_database(args)
    # Kept between runs (never the demo's var/): the demo keys in it encrypt the accounts' mobile numbers.
    var_dir = args.var_dir
    Path(var_dir).mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, var_dir)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    os.environ.pop("GONGHUI_DB_POOL", None)  # this process uses one plain connection
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gonghui.congress import services
    from gonghui.congress.models import Ballot, Participation, Poll

    host = machine()
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    setup = build(args.delegates)
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
    setup_s = time.perf_counter() - began
    n = args.delegates
    print(f"{host['date']}  {host['cpu']} x{host['nproc']}  {host['memory']}")
    print(f"setup: {n:,} delegates with accounts and tokens, all checked in, in {setup_s:.1f} s")

    attempts = attempts_for(n, setup["options"], args.seed)
    log = Path(var_dir) / "gunicorn.log"
    server = start_server(args, env, log)
    try:
        workers = children_of(server.pid)
        warm_up(args, setup)
        backends = postgres_backends(database_url, args.pg_db)
        cpu_server_0, cpu_pg_0 = cpu_seconds([server.pid, *workers]), cpu_seconds(backends)
        load_before = loadavg()
        print(
            f"serving on :{args.port} ({args.workers} workers x {args.threads} threads); {len(attempts):,} POSTs"
        )
        run = http_run(args.port, setup["poll"].pk, setup["tokens"], attempts, args.clients)
        load_after = loadavg()
        backends = sorted(set(backends) | set(postgres_backends(database_url, args.pg_db)))
        cpu_server = cpu_seconds([server.pid, *children_of(server.pid)]) - cpu_server_0
        cpu_pg = cpu_seconds(backends) - cpu_pg_0
    finally:
        stop_server(server)

    poll = setup["poll"]
    ballots = Ballot.objects.filter(poll=poll).count()
    participations = Participation.objects.filter(poll=poll).count()
    hashes = set(Ballot.objects.filter(poll=poll).values_list("receipt_hash", flat=True))
    receipts = run["receipts"]
    receipts_ok = (
        len(set(receipts)) == len(receipts) and {services.receipt_hash(r) for r in receipts} == hashes
    )
    began = time.perf_counter()
    closed = services.poll_close(actor=setup["chair"], poll=Poll.objects.get(pk=poll.pk))
    close_s = time.perf_counter() - began
    valid = closed.result["valid"] if closed.result else None

    print("floor: the same attempts through psycopg")
    floor = floor_run(database_url, setup["floor_poll"].pk, setup["delegate_ids"], attempts, args.clients)
    queries = in_process(setup)

    o = run["outcomes"]
    accepted, refused = o.get("201", 0), o.get("409 already_voted", 0)
    others = {k: v for k, v in o.items() if k not in ("201", "409 already_voted")}
    lat = run["latencies"]
    flat = floor["latencies"]
    ballots_s = accepted / run["wall"]
    requests_s = len(lat) / run["wall"]
    floor_ballots_s = floor["outcomes"].get("accepted", 0) / floor["wall"]
    floor_requests_s = len(flat) / floor["wall"]
    ok = (
        accepted == n
        and refused == n
        and not others
        and ballots == participations == n
        and receipts_ok
        and valid == n
        and floor["outcomes"] == Counter({"accepted": n, "refused": n})
    )
    lines = [
        f"## Workers' congress: {n:,} delegates vote at once (bench/voting.py)",
        "",
        f"- Run: {host['date']}; `bench/voting.py --delegates {n} --clients {args.clients} --workers "
        f"{args.workers} --threads {args.threads}` (seed {args.seed}).",
        f"- Machine: {host['nproc']} cores ({host['cpu']}), {host['memory']} RAM, Linux {host['kernel']}; "
        f"PostgreSQL {connection.pg_version // 10000} (the shared server as "
        f"configured), gunicorn gthread {args.workers} x {args.threads} with the connection pool "
        f"(GONGHUI_DB_POOL=1), clients on the same machine. Load average {load_before} before, {load_after} after.",
        f"- Setup (not timed): {n:,} serving delegates with accounts and API tokens, all checked in, one open "
        f"secret resolution of {len(ITEMS)} items; {setup_s:.1f} s.",
        "",
        "| path | attempts | accepted | refused (409 already_voted) | other | wall s | ballots/s | requests/s "
        "| p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| HTTP API (`POST /api/v1/congress/polls/{{id}}/ballots`) | {len(lat):,} | {accepted:,} | {refused:,} | "
        f"{sum(others.values())} | {run['wall']:.1f} | {ballots_s:.0f} | {requests_s:.0f} | {pct(lat, 0.5):.1f} | "
        f"{pct(lat, 0.99):.1f} | {max(lat) * 1000:.0f} |",
        f"| floor (psycopg, the two INSERTs) | {len(flat):,} | {floor['outcomes'].get('accepted', 0):,} | "
        f"{floor['outcomes'].get('refused', 0):,} | 0 | {floor['wall']:.1f} | {floor_ballots_s:.0f} | "
        f"{floor_requests_s:.0f} | {pct(flat, 0.5):.1f} | {pct(flat, 0.99):.1f} | {max(flat) * 1000:.0f} |",
        "",
        f"- Ratio: the API reaches {ballots_s / floor_ballots_s:.2f} of the floor's accepted ballots/s "
        f"(p50 {pct(lat, 0.5) / pct(flat, 0.5):.1f} x the floor's). Target {TARGET_BALLOTS_PER_S} ballots/s: "
        f"{'met' if ballots_s >= TARGET_BALLOTS_PER_S else 'MISSED'} ({ballots_s:.0f}).",
        f"- In the database: {ballots:,} ballots and {participations:,} participations for the poll; the "
        f"{len(receipts):,} receipt codes returned are distinct and are exactly the ballots' receipt hashes: "
        f"{'yes' if receipts_ok else 'NO'}. Closing the poll (rewriting the {ballots:,} ballots in a random "
        f"order under new keys) and counting took {close_s:.2f} s; the count has {valid} valid ballots. "
        f"{'Nothing lost, nothing doubled.' if ok else 'MISMATCH: see the figures above.'}",
        f"- CPU during the HTTP run ({run['wall']:.1f} s of wall time on {host['nproc']} cores, "
        f"{float(host['nproc']) * run['wall']:.0f} CPU-s available): gunicorn workers {cpu_server:.0f} s, "
        f"PostgreSQL backends {cpu_pg:.0f} s, the client threads {run['client_cpu']:.0f} s.",
        f"- Queries per vote (Django, measured on a third poll): an accepted vote {len(queries['accepted'])} "
        f"({', '.join(short_sql(q) for q in queries['accepted'])}); a refused one {len(queries['refused'])} "
        f"({', '.join(short_sql(q) for q in queries['refused'])}).",
        f"- The Django stack without HTTP (test client in one process, 200 votes each): an accepted vote "
        f"{queries['accepted_cpu_ms']:.1f} ms of CPU ({queries['accepted_wall_ms']:.1f} ms wall), a refused one "
        f"{queries['refused_cpu_ms']:.1f} ms ({queries['refused_wall_ms']:.1f} ms wall); PostgreSQL's own time "
        f"is the rest of the wall time.",
    ]
    if others:
        lines.append(f"- Other answers: {dict(others)}")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
