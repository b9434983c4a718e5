"""Membership at scale: a bulk import of N members, then search and exact lookups, against floors measured in the
same run.

Usage:
    .venv/bin/python bench/members.py [--database postgres|sqlite] [--members N] [--repeat R] [--no-write]

Steps, each in its own child process (Django reads the database from the environment once at start-up, and
the import's peak memory must be its own):

1. prepare: a fresh database (PostgreSQL database --pg-db, dropped and created again, or a SQLite file), migrated,
   with a synthetic province sized for N members (`seed_scale`, tree only) and a CSV roster of N fictional,
   checksum-valid members grouped by union, with each row's union code (as a city federation's roster would be).
2. import: the real import as the console runs it, through members.imports: import_start (upload checks and
   storage), import_check (the dry run: every row parsed and validated, problems recorded, the prepared rows
   staged), import_confirm and import_commit (what the database may have changed is checked again, then the
   staged rows are written in batches of 5,000 with INSERT ... SELECT, counters and one audit record per
   batch). Wall time and this process's CPU time of each phase, rows/s, the load average, and the peak
   resident memory of the process (ru_maxrss). Floor: PostgreSQL's COPY of the same CSV file into a plain table
   of text columns (no validation, no encryption, no indexes): what the disk and server cost for the bytes
   alone.
3. search: after ANALYZE, for a cadre of the district holding the most members, the first page (20 rows) of
   members.selectors.member_search for a name prefix (two characters), full pinyin, initials, a member number,
   the last four of an ID number, a full ID number and a mobile number (blind index), each against a raw-SQL floor
   with the same predicate and scope through connection.cursor(). p50/p95/p99 over --repeat samples, each
   sample a different value drawn from the imported members.

The server is the one at --pg-url as it is configured (--pg-server shared, the default), or, with --pg-server
tuned, a throw-away cluster the script creates for the run (initdb as the postgres OS user in a temporary
directory, port 5433, the settings of `tuned_settings()`, removed afterwards); the result names which.
--import-only stops after the import and writes nothing (for iterating at a smaller --members).

Ratios are p50 / floor p50 from the same run. Results go to bench/RESULTS.md (this run's dated section is
replaced; other sections are kept).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tree import PROTECTED_DATABASES, loadavg, machine, measure, versions  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
HEADER = [
    "姓名",
    "身份证号码",
    "手机号码",
    "工作单位",
    "就业形式",
    "工作地区划代码",
    "入会日期",
    "所属工会代码",
]
TARGETS = {"import_rows_per_s": 10_000, "import_rss_mb": 1024, "search_p99_ms": 20.0}


def setup_django(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ["GONGHUI_DEMO"] = "1"
    os.environ["DEBUG"] = "0"
    os.environ["GONGHUI_VAR_DIR"] = args.var_dir
    os.environ["GONGHUI_IMPORT_MAX_MB"] = "2000"
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = f"{args.pg_url.rstrip('/')}/{args.pg_db}"
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def roster_path(args: argparse.Namespace) -> Path:
    return Path(args.var_dir) / f"roster-{args.members}.csv"


def step_prepare(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args)
    from django.core.management import call_command

    from gonghui.accounts.models import User
    from gonghui.core.seed.scale import seed_scale
    from gonghui.core.seed.scale_members import member_slots, person_values
    from gonghui.orgs.models import Org, OrgKind, Role, RoleAssignment

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed_scale(args.members, seed=args.seed)
    province = Org.objects.get(kind=OrgKind.PROVINCE)
    user = User.objects.create_user("13700000001", None, real_name="bench")
    RoleAssignment.objects.create(user=user, org=province, role=Role.ORG_ADMIN)
    unions = Org.objects.filter(kind=OrgKind.GRASSROOTS).count()
    rng = random.Random(args.seed)
    rows = 0
    with roster_path(args).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        # The same people in the same unions as `seed --scale` would write, as a union's roster file.
        for k, (org, region) in enumerate(member_slots(args.members)):
            v = person_values(k, region, rng)
            joined = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(0, 3900))
            writer.writerow(
                [v["name"], v["id_number"], v["mobile"], "", v["employment_form"], region, joined, org.code]
            )
            rows += 1
    return {
        "orgs": Org.objects.count(),
        "unions": unions,
        "rows": rows,
        "file_mb": round(roster_path(args).stat().st_size / 2**20, 1),
        "prepare_s": round(time.perf_counter() - started, 1),
    }


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args)
    from django.core.files.uploadedfile import TemporaryUploadedFile
    from django.db import connection

    from gonghui.accounts.models import User
    from gonghui.members import counters, imports
    from gonghui.members.models import ImportJob, Member
    from gonghui.orgs.models import Org, OrgKind

    user = User.objects.get(real_name="bench")
    province = Org.objects.get(kind=OrgKind.PROVINCE)
    path = roster_path(args)
    upload = TemporaryUploadedFile("roster.csv", "text/csv", path.stat().st_size, "utf-8")
    with path.open("rb") as src:
        while chunk := src.read(1 << 20):
            upload.write(chunk)
    upload.seek(0)
    result: dict[str, Any] = {}
    load_before = loadavg()
    server = ServerCpu(connection)
    t0 = time.perf_counter()
    job = imports.import_start(actor=user, org=province, kind=ImportJob.Kind.MEMBERS, upload=upload)
    t1 = time.perf_counter()
    c1, s1 = python_cpu(), server.seconds()
    imports.import_check(job_id=job.pk)
    t2, c2, s2 = time.perf_counter(), python_cpu(), server.seconds()
    job.refresh_from_db()
    result["checked"] = {"valid": job.valid_rows, "errors": job.error_rows}
    imports.import_confirm(actor=user, job=job, mode=ImportJob.Mode.VALID_ONLY)
    t3, c3, s3 = time.perf_counter(), python_cpu(), server.seconds()
    imports.import_commit(job_id=job.pk)
    t4, c4, s4 = time.perf_counter(), python_cpu(), server.seconds()
    # CPU seconds per phase of the Python side (this process and the dry run's helpers) and of the database
    # server process serving it: what the work costs whatever else the machine is doing. Wall time above
    # their sum is waiting (for a core the machine's other work holds, or for the disk).
    result["check_cpu_s"], result["commit_cpu_s"] = round(c2 - c1, 1), round(c4 - c3, 1)
    if server.pid:
        result["check_server_cpu_s"], result["commit_server_cpu_s"] = round(s2 - s1, 1), round(s4 - s3, 1)
    result["load"] = f"{load_before} before, {loadavg()} after"
    job.refresh_from_db()
    rows = job.total_rows
    result.update(
        {
            "rows": rows,
            "created": job.created_count,
            "start_s": round(t1 - t0, 2),
            "check_s": round(t2 - t1, 1),
            "commit_s": round(t4 - t3, 1),
            "check_rows_per_s": round(rows / (t2 - t1)),
            "commit_rows_per_s": round(rows / (t4 - t3)),
            "flow_rows_per_s": round(rows / (t4 - t0)),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "helper_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
            "members": Member.objects.count(),
        }
    )
    started = time.perf_counter()
    result["counter_drift"] = len(counters.find_drift())
    result["reconcile_s"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy_floor")
            cursor.execute(
                "CREATE TABLE bench_copy_floor (name text, id_number text, mobile text, employer text, form text, "
                "division text, joined text, union_code text)"
            )
            started = time.perf_counter()
            with (
                cursor.cursor.copy("COPY bench_copy_floor FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as src,
            ):
                while chunk := src.read(1 << 20):
                    copy.write(chunk)
            floor_s = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_copy_floor")
        result["floor_copy_s"] = round(floor_s, 2)
        result["floor_rows_per_s"] = round(rows / floor_s)
    return result


def python_cpu() -> float:
    """User and system CPU seconds of this process and of its children that have ended (the dry run's helpers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class ServerCpu:
    """CPU seconds of the PostgreSQL server, from /proc (the server runs on this machine): its postmaster, the
    children it has reaped (backends that have ended, such as the commit's extra connections) and those still
    running (backends, the checkpointer, the WAL writer, autovacuum). On the throw-away cluster of --pg-server
    tuned that is this run's work alone; on a shared server it includes everyone's. pid 0 when it cannot be
    read (SQLite, another host, no permission)."""

    def __init__(self, connection: Any) -> None:
        self.pid = 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            fields = self._stat(backend)
            if fields is not None:
                self.pid = int(fields[1])  # the backend's parent: the postmaster

    @staticmethod
    def _stat(pid: int | str) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None

    def seconds(self) -> float:
        if not self.pid:
            return 0.0
        own = self._stat(self.pid)
        if own is None:
            return 0.0
        ticks = sum(int(own[i]) for i in (11, 12, 13, 14))  # utime, stime, and those of reaped children
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                child = self._stat(entry.name)
                if child is not None and int(child[1]) == self.pid:
                    ticks += int(child[11]) + int(child[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def step_search(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args)
    from django.db import connection
    from django.db.models import Count

    from gonghui.accounts.models import User
    from gonghui.members.models import LIVE_STATUSES, Member
    from gonghui.members.selectors import member_search
    from gonghui.orgs.models import Org, OrgKind, Role, RoleAssignment
    from gonghui.orgs.paths import successor

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    district = (
        Org.objects.filter(kind=OrgKind.DISTRICT)
        .select_related("rollup")
        .order_by("-rollup__members", "pk")
        .first()
    )
    assert district is not None
    cadre = User.objects.create_user("13700000002", None, real_name="district bench")
    RoleAssignment.objects.create(user=cadre, org=district, role=Role.ORG_ADMIN)
    lo, hi = district.path, successor(district.path)
    sample = list(
        Member.objects.filter(org__path__gte=lo, org__path__lt=hi)
        .order_by("?")
        .values_list("name", "name_pinyin", "name_initials", "number", "id_last4", "pk")[: args.repeat]
    )
    full = {m.pk: m for m in Member.objects.filter(pk__in=[s[5] for s in sample]).only("id_number", "mobile")}
    cases = {
        "name (2 characters)": [s[0][:2] for s in sample],
        "full pinyin": [s[1] for s in sample],
        "initials": [s[2] for s in sample],
        "member number": [s[3] for s in sample],
        "last four of ID": [s[4] for s in sample],
        "ID number (blind index)": [full[s[5]].id_number for s in sample],
        "mobile (blind index)": [full[s[5]].mobile for s in sample],
    }
    index_of = Member._meta.get_field("id_number").index  # type: ignore[attr-defined]
    mobile_index_of = Member._meta.get_field("mobile").index  # type: ignore[attr-defined]
    base = (
        "SELECT m.id, m.name, o.name FROM members_member m JOIN orgs_org o ON o.id = m.org_id "
        "WHERE o.path >= %s AND o.path < %s AND "
    )
    live = ", ".join(f"'{s}'" for s in LIVE_STATUSES)
    floors = {
        "name (2 characters)": (base + "m.name LIKE %s ORDER BY m.name, m.id LIMIT 20", lambda v: [f"{v}%"]),
        "full pinyin": (
            base + "m.name_pinyin LIKE %s ORDER BY m.name_pinyin, m.id LIMIT 20",
            lambda v: [f"{v}%"],
        ),
        "initials": (
            base + "m.name_initials LIKE %s ORDER BY m.name_pinyin, m.id LIMIT 20",
            lambda v: [f"{v}%"],
        ),
        "member number": (base + "m.number = %s LIMIT 20", lambda v: [v]),
        "last four of ID": (base + "m.id_last4 = %s ORDER BY m.name_pinyin, m.id LIMIT 20", lambda v: [v]),
        # Live and past memberships are indexed apart (members.models.id_index_q): both are asked.
        "ID number (blind index)": (
            base + f"(m.id_number_index = %s AND m.status IN ({live}) "
            f"OR m.id_number_index = %s AND NOT m.status IN ({live})) LIMIT 20",
            lambda v: [index_of(v)] * 2,
        ),
        "mobile (blind index)": (base + "m.mobile_index = %s LIMIT 20", lambda v: [mobile_index_of(v)]),
    }
    rows = []
    for label, values in cases.items():
        it_sel, it_floor = iter(values * 3), iter(values * 3)
        sql, param = floors[label]

        def via_selector(it: Any = it_sel) -> int:
            cadre.__dict__.pop("_gonghui_grants", None)  # a new request reads the grants again
            return len(list(member_search(actor=cadre, q=next(it))[:20]))

        def floor(it: Any = it_floor, sql: str = sql, param: Any = param) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql, [lo, hi, *param(next(it))])
                return len(cursor.fetchall())

        timings = measure([("selector", via_selector), ("floor (raw SQL)", floor)], len(values), 5)
        for method, stats in timings.items():
            rows.append({"case": label, "method": method, **stats})
    counts = dict(Member.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "district": f"#{district.pk} {district.name}",
        "district_members": district.rollup.members,
        "rows": rows,
        "versions": versions(connection),
        "load": loadavg(),
        "statuses": counts,
    }


# --- parent ------------------------------------------------------------------------------------------------


def fresh_database(args: argparse.Namespace) -> None:
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    if args.database == "sqlite":
        for name in ("gonghui.sqlite3", "gonghui.sqlite3-wal", "gonghui.sqlite3-shm"):
            (Path(args.var_dir) / name).unlink(missing_ok=True)
        return
    if args.pg_db in PROTECTED_DATABASES:
        sys.exit(f"refusing to drop the database {args.pg_db!r}")
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{args.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.pg_db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.pg_db)))


# The throw-away server of --pg-server tuned: sized as docs/deploy.md recommends for a database server (here the
# whole machine's RAM counts, as on a dedicated host). Written here so that a result names its settings.
TUNED_PORT = 5433


def tuned_settings() -> dict[str, str]:
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return {
        "shared_buffers": f"{min(ram_mb // 4, 8192)}MB",  # about a quarter of RAM
        "effective_cache_size": f"{ram_mb // 2}MB",
        "maintenance_work_mem": "512MB",
        "work_mem": "32MB",
        "max_wal_size": "8GB",  # no checkpoint (and its full-page writes) every 1 GB of a bulk import
        "min_wal_size": "1GB",
        "checkpoint_timeout": "15min",
        "checkpoint_completion_target": "0.9",
        "wal_compression": "on",
        "wal_buffers": "64MB",
        "random_page_cost": "1.1",  # SSD
    }


class TunedServer:
    """A PostgreSQL cluster of its own for one run: initdb as the postgres OS user in a temporary directory,
    started on TUNED_PORT with tuned_settings(), stopped and removed afterwards. The machine's shared server
    is never touched."""

    def __init__(self) -> None:
        import glob
        import pwd

        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            sys.exit("--pg-server tuned needs PostgreSQL's initdb (/usr/lib/postgresql/<version>/bin)")
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="gonghui-bench-pg-"))
        pw = pwd.getpwnam("postgres")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = self.dir / "data"
        self.settings = tuned_settings()

    def as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        self.as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        conf = {**self.settings, "port": str(TUNED_PORT), "listen_addresses": "'127.0.0.1'",
                "unix_socket_directories": f"'{self.dir}'"}  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as handle:
            handle.write("\n# bench/members.py --pg-server tuned\n")
            handle.writelines(f"{k} = {v}\n" for k, v in conf.items())
        self.as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "start"
        )
        return f"postgres://postgres@127.0.0.1:{TUNED_PORT}"

    def stop(self) -> None:
        import shutil

        if self.data.exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                 "-w", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


def run_step(step: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, __file__, "--step", step, "--out", out]
    for name in ("database", "members", "seed", "repeat", "var_dir", "pg_url", "pg_db", "pg_server"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    subprocess.run(command, check=True)
    result: dict[str, Any] = json.loads(Path(out).read_text())
    Path(out).unlink()
    print(f"[{step}] {json.dumps(result, ensure_ascii=False)[:600]}")
    return result


def fmt(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def render(
    args: argparse.Namespace, host: dict[str, str], prep: dict, imp: dict, search: dict, today: str
) -> str:
    v = search["versions"]
    db = f"PostgreSQL {v['postgresql']}" if args.database == "postgres" else f"SQLite {v['sqlite']}"
    key = f"bench/members.py {today} {result_key(args)}"
    if args.pg_server == "tuned":
        db += " (throw-away cluster sized as docs/deploy.md says)"
    lines = [
        f"<!-- {key} -->",
        f"### {db}, {args.members:,} members — {today}",
        "",
        f"- Run: {host['date']}; `bench/members.py --database {args.database} --members {args.members} "
        f"--repeat {args.repeat}` (seed {args.seed}).",
        f"- Machine: {host['nproc']} cores ({host['cpu']}), {host['memory']} RAM, Linux {host['kernel']}; "
        f"Python {v['python']}, Django {v['django']}. Load average before search {search['load']}.",
        f"- Tree: {prep['orgs']:,} orgs, {prep['unions']:,} grassroots unions; roster CSV {prep['file_mb']} MB, "
        f"{prep['rows']:,} rows grouped by union with each row's union code, imported by the province.",
        f"- Server: {server_line(args)}",
        "",
        "**Import** (members.imports, valid-rows mode, batches of 5,000):",
        "",
        "| phase | seconds | rows/s | Python CPU s | server CPU s |",
        "|---|---:|---:|---:|---:|",
        f"| dry run (import_check: parse, validate, look up existing members, stage the prepared rows) | "
        f"{imp['check_s']} | {imp['check_rows_per_s']:,} | {imp['check_cpu_s']} | "
        f"{imp.get('check_server_cpu_s', '')} |",
        f"| commit (import_commit: re-check what the database may have changed, write from the stage, "
        f"counters, audit) | {imp['commit_s']} | {imp['commit_rows_per_s']:,} | {imp['commit_cpu_s']} | "
        f"{imp.get('commit_server_cpu_s', '')} |",
        f"| the whole flow (upload checks + dry run + commit) | "
        f"{round(imp['start_s'] + imp['check_s'] + imp['commit_s'], 1)} | {imp['flow_rows_per_s']:,} | | |",
    ]
    if "floor_copy_s" in imp:
        lines.append(
            f"| floor: COPY of the same CSV into a plain text table | {imp['floor_copy_s']} | "
            f"{imp['floor_rows_per_s']:,} | | |"
        )
    lines += [
        "",
        f"- Created {imp['created']:,} members ({imp['checked']['errors']} bad rows); peak memory of the "
        f"import process {imp['rss_mb']:,} MB (of the largest helper process {imp.get('helper_rss_mb', 0):,} MB, "
        f"mostly pages shared with it); counter drift after the import: {imp['counter_drift']} "
        f"(reconcile took {imp['reconcile_s']} s). Load average during the import: {imp['load']}.",
        f"- Targets: {TARGETS['import_rows_per_s']:,} rows/s end to end — commit "
        f"{'met' if imp['commit_rows_per_s'] >= TARGETS['import_rows_per_s'] else 'NOT met'}, whole flow "
        f"{'met' if imp['flow_rows_per_s'] >= TARGETS['import_rows_per_s'] else 'NOT met'}; memory under 1 GB "
        f"{'met' if imp['rss_mb'] < TARGETS['import_rss_mb'] else 'NOT met'}.",
        "",
        f"**Search** for a cadre of {search['district']} ({search['district_members']:,} members in scope), "
        "first page of 20:",
        "",
        "| search | method | p50 ms | p95 ms | p99 ms | max ms | p50 × floor |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    floors = {r["case"]: r["p50"] for r in search["rows"] if r["method"].startswith("floor")}
    worst = 0.0
    for r in search["rows"]:
        if r["method"] == "selector":
            worst = max(worst, r["p99"])
        lines.append(
            f"| {r['case']} | {r['method']} | {fmt(r['p50'])} | {fmt(r['p95'])} | {fmt(r['p99'])} | "
            f"{fmt(r['max'])} | {r['p50'] / floors[r['case']]:.2f} |"
        )
    lines += [
        "",
        f"- Target p99 under {TARGETS['search_p99_ms']:.0f} ms for search and exact lookups: worst selector p99 "
        f"{fmt(worst)} ms — {'met' if worst < TARGETS['search_p99_ms'] else 'NOT met'}.",
        f"<!-- end {key} -->",
        "",
    ]
    return "\n".join(lines)


def result_key(args: argparse.Namespace) -> str:
    return "postgres-tuned" if args.database == "postgres" and args.pg_server == "tuned" else args.database


def server_line(args: argparse.Namespace) -> str:
    if args.database != "postgres":
        return "SQLite file"
    if args.pg_server == "tuned":
        conf = ", ".join(f"{k}={v}" for k, v in tuned_settings().items())
        return f"throw-away cluster on port {TUNED_PORT} (bench/members.py --pg-server tuned): {conf}"
    return f"the machine's shared server ({args.pg_url}), its configuration as found: {args.pg_conf}"


def write_results(section: str, today: str, database: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    key = f"bench/members.py {today} {database}"
    pattern = re.compile(rf"<!-- {re.escape(key)} -->.*?<!-- end {re.escape(key)} -->\n", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        heading = f"## Members: import and search (bench/members.py) — {today}"
        if heading not in text:
            text = text.rstrip("\n") + f"\n\n{heading}\n\n"
        at = text.index(heading) + len(heading) + 2
        text = text[:at] + section + text[at:]
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--var-dir", default=str(Path(tempfile.gettempdir()) / "gonghui-bench-members"))
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--pg-db", default="gonghui_bench_members")
    parser.add_argument(
        "--pg-server",
        choices=["shared", "tuned"],
        default="shared",
        help="shared: the server at --pg-url as configured; tuned: a throw-away cluster of its own (TunedServer)",
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--import-only", action="store_true", help="prepare and import, no search (implies --no-write)"
    )
    parser.add_argument("--step", choices=["prepare", "import", "search"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        result = {"prepare": step_prepare, "import": step_import, "search": step_search}[args.step](args)
        Path(args.out).write_text(json.dumps(result, default=str))
        return
    host = machine()
    today = datetime.date.today().isoformat()
    server = TunedServer() if args.database == "postgres" and args.pg_server == "tuned" else None
    try:
        if server is not None:
            args.pg_url = server.start()
        args.pg_conf = pg_conf(args) if args.database == "postgres" else ""
        fresh_database(args)
        prep = run_step("prepare", args)
        imp = run_step("import", args)
        if args.import_only:
            return
        search = run_step("search", args)
    finally:
        if server is not None:
            server.stop()
    section = render(args, host, prep, imp, search, today)
    print()
    print(section)
    if not args.no_write:
        write_results(section, today, result_key(args))
        print(f"wrote {RESULTS.relative_to(ROOT)}")


def pg_conf(args: argparse.Namespace) -> str:
    import psycopg

    names = ("shared_buffers", "max_wal_size", "synchronous_commit", "work_mem")
    with psycopg.connect(f"{args.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
        return ", ".join(f"{n}={conn.execute(f'SHOW {n}').fetchone()[0]}" for n in names)  # type: ignore[index]


if __name__ == "__main__":
    main()
