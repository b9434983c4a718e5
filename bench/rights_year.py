"""Rights protection: a simulated year of requests against the deadline sweep.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/rights_year.py [--cases N] [--seed S]
    .venv/bin/python bench/rights_year.py                # a temporary SQLite file

What it does:

1. Migrates the database (refused when it is one of the protected names or already holds requests) and builds
   a small union tree: a city, three districts, two streets and twelve grassroots unions, with one case
   handler at every union, so that each reminder and escalation writes its notices as in production.
2. Plans N requests received over one year (1 June 2025 to 31 May 2026, inside chinese-calendar's official
   schedule) with their deadlines from `rights.services.deadlines` (the union's service level, working days
   through core/calendar.py), and a fate per stage (acknowledge, first response, conclusion): done in time
   (55%), done late (30%) or never done (15%); a stage that is never done ends the chain.
3. Walks the calendar day by day until every deadline has passed: first that day's requests are written with
   `bulk_create` and the stages done that day are written (acknowledged_at, responded_at, closed), then
   `rights.services.cases_sweep(today=day)` runs, except during random multi-day downtimes (a 3% chance each
   day of 2 to 9 days without a sweep). The last day always has a sweep.
4. Checks the result against a straightforward computation that does not use the service: a stage must be
   escalated exactly once when the first sweep after its deadline found it unfinished, and never otherwise
   (so never when it was done in time); it must be reminded exactly once when some sweep on or before its
   deadline, at most `remind_workdays_before` working days (counted with chinese_calendar.is_workday) before
   it, found it unfinished. Prints the counts, the mismatches and the time; exits 1 on any mismatch.

tests/test_rights.py runs the same simulation (these functions) at a few thousand requests.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SH = ZoneInfo("Asia/Shanghai")
STAGES = ("ack", "respond", "conclude")
CATEGORIES = (
    "wages",
    "contract",
    "social_insurance",
    "injury",
    "hours",
    "dismissal",
    "safety",
    "discrimination",
    "other",
)
YEAR_START = datetime.date(2025, 6, 1)
YEAR_DAYS = 365


@dataclass
class Plan:
    """One request's fate: where and when it arrives, and on which day each stage gets done (None: never)."""

    org_id: int
    category: str
    received_on: datetime.date
    done: dict[str, datetime.date | None] = field(default_factory=dict)
    due: dict[str, datetime.date] = field(default_factory=dict)
    provisional: bool = False
    index: int = 0
    pk: int = 0


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=SH)


def plan_cases(
    rng: random.Random,
    org_ids: list[int],
    n: int,
    *,
    start: datetime.date = YEAR_START,
    days: int = YEAR_DAYS,
) -> list[Plan]:
    return [
        Plan(
            org_id=rng.choice(org_ids),
            category=rng.choice(CATEGORIES),
            received_on=start + datetime.timedelta(days=rng.randrange(days)),
            index=i,
        )
        for i in range(n)
    ]


def plan_deadlines(plans: list[Plan], rng: random.Random) -> None:
    """Each request's real deadlines, then each stage's fate against them (no rows written yet)."""
    from gonghui.orgs.models import Org
    from gonghui.rights.selectors import level_for
    from gonghui.rights.services import deadlines

    orgs = Org.objects.in_bulk({p.org_id for p in plans})
    levels = {(o, c): level_for(orgs[o], c) for o in orgs for c in CATEGORIES}
    # The deadlines depend only on the service level in force and the day of receipt: one call per pair.
    memo: dict[
        tuple[tuple[int, int, int], datetime.date], tuple[datetime.date, datetime.date, datetime.date, bool]
    ] = {}
    for plan in plans:
        key = (levels[(plan.org_id, plan.category)], plan.received_on)
        if key not in memo:
            memo[key] = deadlines(orgs[plan.org_id], plan.category, plan.received_on)
        ack, respond, conclude, plan.provisional = memo[key]
        plan.due = {"ack": ack, "respond": respond, "conclude": conclude}
        previous = plan.received_on
        for stage in STAGES:
            fate = rng.random()
            if fate < 0.15:  # never: this stage and every later one stay undone
                break
            if fate < 0.70:  # in time: any day from the previous step up to the deadline
                span = max(0, (plan.due[stage] - previous).days)
                done = previous + datetime.timedelta(days=rng.randint(0, span))
            else:  # late: one to twelve days after the deadline
                done = plan.due[stage] + datetime.timedelta(days=rng.randint(1, 12))
            plan.done[stage] = previous = max(done, previous)
        for stage in STAGES:
            plan.done.setdefault(stage, None)


def insert_cases(plans: list[Plan]) -> None:
    """Write the requests received on one day with `bulk_create` (the simulation writes each day's arrivals on
    that day, so the sweep sees only requests that exist by then)."""
    from gonghui.rights.models import Case

    rows = [
        Case(
            number=f"SIM{plan.index:09d}",
            channel="portal",
            category=plan.category,
            anonymous=True,
            follow_code_hash=f"simulated-{plan.index}",
            description="模拟诉求：工资拖欠三个月。",
            org_id=plan.org_id,
            route_code="local",
            received_at=noon(plan.received_on),
            received_on=plan.received_on,
            ack_due=plan.due["ack"],
            respond_due=plan.due["respond"],
            conclude_due=plan.due["conclude"],
            due_provisional=plan.provisional,
        )
        for plan in plans
    ]
    Case.objects.bulk_create(rows)
    if any(row.pk is None for row in rows):  # a backend that does not return ids
        numbers = dict(Case.objects.filter(number__in=[r.number for r in rows]).values_list("number", "pk"))
        for row in rows:
            row.pk = numbers[row.number]
    for plan, row in zip(plans, rows, strict=True):
        plan.pk = row.pk


def sweep_days(
    rng: random.Random, start: datetime.date, end: datetime.date, *, downtime_chance: float = 0.03
) -> list[datetime.date]:
    """The days the sweep runs: every day from `start` to `end` except random downtimes of 2 to 9 days;
    always the last day."""
    days: list[datetime.date] = []
    day = start
    while day <= end:
        if rng.random() < downtime_chance:
            day += datetime.timedelta(days=rng.randint(2, 9))
            continue
        days.append(day)
        day += datetime.timedelta(days=1)
    if not days or days[-1] != end:
        days.append(end)
    return days


@dataclass
class Run:
    sweeps: int = 0
    reminded: int = 0
    escalated: int = 0
    sweep_seconds: float = 0.0
    slowest_sweep: float = 0.0
    completions: int = 0
    insert_seconds: float = 0.0
    stopped_at: datetime.date | None = None


def run_year(
    plans: list[Plan],
    days: list[datetime.date],
    *,
    progress: Callable[[str], None] | None = None,
    budget: float | None = None,
) -> Run:
    """Walk the calendar: each day first write the requests received and the stages done that day, then sweep
    if it is a sweep day. With a `budget` (seconds of wall time) the walk stops after the first sweep day past
    it; `run.stopped_at` is then the last day walked."""
    from gonghui.rights.models import Case, CaseStatus
    from gonghui.rights.services import cases_sweep

    arrivals: dict[datetime.date, list[Plan]] = defaultdict(list)
    todo: dict[datetime.date, dict[str, list[Plan]]] = defaultdict(lambda: defaultdict(list))
    for plan in plans:
        arrivals[plan.received_on].append(plan)
        for stage in STAGES:
            done = plan.done[stage]
            if done is not None:
                todo[done][stage].append(plan)
    run = Run()
    sweeping = set(days)
    started = time.perf_counter()
    day = min(min(arrivals), days[0])
    while day <= days[-1]:
        began = time.perf_counter()
        if day in arrivals:
            insert_cases(arrivals.pop(day))
        run.insert_seconds += time.perf_counter() - began
        steps = {stage: [p.pk for p in done] for stage, done in todo.pop(day, {}).items()}
        at = noon(day)
        if steps.get("ack"):
            Case.objects.filter(pk__in=steps["ack"]).update(
                acknowledged_at=at, status=CaseStatus.ACKNOWLEDGED
            )
        if steps.get("respond"):
            Case.objects.filter(pk__in=steps["respond"]).update(responded_at=at, status=CaseStatus.HANDLING)
        if steps.get("conclude"):
            Case.objects.filter(pk__in=steps["conclude"]).update(
                status=CaseStatus.CLOSED, outcome="resolved", summary="已解决", closed_at=at
            )
        run.completions += sum(len(v) for v in steps.values())
        if day in sweeping:
            began = time.perf_counter()
            result = cases_sweep(today=day)
            took = time.perf_counter() - began
            run.sweeps += 1
            run.sweep_seconds += took
            run.slowest_sweep = max(run.slowest_sweep, took)
            run.reminded += result["reminded"]
            run.escalated += result["escalated"]
            if budget is not None and time.perf_counter() - started > budget:
                run.stopped_at = day
                if progress:
                    progress(f"{day}: stopped, out of time")
                return run
            if progress and day.day == 1:
                progress(
                    f"{day}: {run.reminded} reminded, {run.escalated} escalated, {run.sweep_seconds:.1f} s in sweeps"
                )
        day += datetime.timedelta(days=1)
    return run


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to `end`, counted straight from chinese_calendar (not core/calendar.py)."""
    import chinese_calendar

    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += bool(chinese_calendar.is_workday(day))
    return count


def expected(
    plans: list[Plan], days: list[datetime.date], *, remind_before: int = 1
) -> dict[tuple[int, str], tuple[bool, bool]]:
    """(reminded, escalated) that each stage of each request must end with, computed without the service."""
    ordered = sorted(days)
    between: dict[tuple[datetime.date, datetime.date], int] = {}
    out: dict[tuple[int, str], tuple[bool, bool]] = {}
    for plan in plans:
        for stage in STAGES:
            due, done = plan.due[stage], plan.done[stage]

            def unfinished(day: datetime.date, done: datetime.date | None = done) -> bool:
                return done is None or done > day

            after = bisect.bisect_right(ordered, due)  # the first sweep day after the deadline
            escalate = after < len(ordered) and unfinished(ordered[after])
            remind = False
            for d in ordered[bisect.bisect_left(ordered, plan.received_on) : after]:
                if not unfinished(d):
                    break  # done: later sweeps find it done too
                key = (d, due)
                if key not in between:
                    between[key] = workdays_between(d, due)
                if between[key] <= remind_before:
                    remind = True
                    break
            out[(plan.pk, stage)] = (remind, escalate)
    return out


@dataclass
class Check:
    stages: int = 0
    must_escalate: int = 0
    must_remind: int = 0
    done_in_time: int = 0
    mismatches: list[str] = field(default_factory=list)


def check(plans: list[Plan], days: list[datetime.date], *, remind_before: int = 1) -> Check:
    """Compare the database (the case's memory and its events) with `expected`."""
    from django.db.models import Count

    from gonghui.rights.models import Case, CaseEvent

    want = expected(plans, days, remind_before=remind_before)
    pks = [p.pk for p in plans]
    events: dict[tuple[int, str, str], int] = {}
    memory: dict[int, tuple[set[str], set[str]]] = {}
    for offset in range(0, len(pks), 5000):
        chunk = pks[offset : offset + 5000]
        for row in (
            CaseEvent.objects.filter(case_id__in=chunk, kind__in=["reminded", "escalated"])
            .values("case_id", "kind", "stage")
            .annotate(n=Count("pk"))
        ):
            events[(row["case_id"], row["kind"], row["stage"])] = row["n"]
        for pk, reminded, escalated in Case.objects.filter(pk__in=chunk).values_list(
            "pk", "reminded", "escalated"
        ):
            memory[pk] = ({s for s in reminded.split(",") if s}, {s for s in escalated.split(",") if s})
    result = Check()
    for plan in plans:
        for stage in STAGES:
            result.stages += 1
            remind, escalate = want[(plan.pk, stage)]
            done = plan.done[stage]
            result.must_escalate += escalate
            result.must_remind += remind
            result.done_in_time += done is not None and done <= plan.due[stage]
            n_escalated = events.get((plan.pk, "escalated", stage), 0)
            n_reminded = events.get((plan.pk, "reminded", stage), 0)
            in_memory = stage in memory[plan.pk][1]
            if n_escalated != int(escalate) or in_memory != escalate:
                result.mismatches.append(
                    f"case {plan.pk} {stage}: escalated {n_escalated}x (memory {in_memory}), expected {int(escalate)};"
                    f" received {plan.received_on}, due {plan.due[stage]}, done {done}"
                )
            if n_reminded != int(remind):
                result.mismatches.append(
                    f"case {plan.pk} {stage}: reminded {n_reminded}x, expected {int(remind)};"
                    f" received {plan.received_on}, due {plan.due[stage]}, done {done}"
                )
    return result


def simulate(
    org_ids: list[int],
    n: int,
    *,
    seed: int = 2026,
    start: datetime.date = YEAR_START,
    days: int = YEAR_DAYS,
    progress: Callable[[str], None] | None = None,
    budget: float | None = None,
) -> tuple[list[Plan], list[datetime.date], Run]:
    """Plan, walk and return (plans, sweep days, run); when the budget ran out, only the requests received and
    the sweep days up to the day it stopped."""
    rng = random.Random(seed)
    plans = plan_cases(rng, org_ids, n, start=start, days=days)
    plan_deadlines(plans, rng)
    last_due = max(p.due["conclude"] for p in plans)
    last_done = max((d for p in plans for d in p.done.values() if d is not None), default=last_due)
    end = max(last_due, last_done) + datetime.timedelta(days=2)
    sweeping = sweep_days(rng, start, end)
    run = run_year(plans, sweeping, progress=progress, budget=budget)
    if run.stopped_at is not None:
        stop = run.stopped_at
        plans = [p for p in plans if p.received_on <= stop]
        sweeping = [d for d in sweeping if d <= stop]
        # What the walk never reached did not happen: stages done after the stop are unfinished at every sweep.
        for plan in plans:
            plan.done = {s: (d if d is not None and d <= stop else None) for s, d in plan.done.items()}
    return plans, sweeping, run


# --- the standalone benchmark ------------------------------------------------------------------------------


def build_tree() -> list[int]:
    """A city with three districts, two streets and twelve grassroots unions; a case handler at each union."""
    from gonghui.accounts.models import User
    from gonghui.orgs.models import OrgKind, Role, RoleAssignment
    from gonghui.orgs.services import _insert_org

    national = _insert_org(parent=None, name="中华全国总工会", kind=OrgKind.NATIONAL, code="B-100000")
    province = _insert_org(
        parent=national, name="浙江省总工会", kind=OrgKind.PROVINCE, code="B-330000", division_code="330000"
    )
    city = _insert_org(
        parent=province, name="杭州市总工会", kind=OrgKind.CITY, code="B-330100", division_code="330100"
    )
    orgs = [city]
    for d in range(3):
        district = _insert_org(
            parent=city,
            name=f"第{d + 1}区总工会",
            kind=OrgKind.DISTRICT,
            code=f"B-D{d}",
            division_code=f"33010{d + 2}",
        )
        orgs.append(district)
        parents = [district]
        if d < 2:
            street = _insert_org(
                parent=district, name=f"第{d + 1}街道总工会", kind=OrgKind.STREET, code=f"B-S{d}"
            )
            orgs.append(street)
            parents.append(street)
        for g in range(4):
            orgs.append(
                _insert_org(
                    parent=parents[g % len(parents)],
                    name=f"第{d + 1}区企业{g + 1}工会",
                    kind=OrgKind.GRASSROOTS,
                    code=f"B-G{d}{g}",
                )
            )
    for i, org in enumerate(orgs):
        user = User.objects.create_user(f"1370000{i:04d}", None, real_name=f"办事员{i}")
        RoleAssignment.objects.create(user=user, org=org, role=Role.CASE_HANDLER)
    return [o.pk for o in orgs if o.kind in (OrgKind.GRASSROOTS, OrgKind.STREET, OrgKind.DISTRICT)]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="stop the walk after this many seconds and check what was done",
    )
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="gonghui-bench-rights-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ.setdefault("GONGHUI_DEMO", "1")
    os.environ["DEBUG"] = "0"
    os.environ["GONGHUI_VAR_DIR"] = var_dir
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/rights.sqlite3"
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tree import PROTECTED_DATABASES, machine, versions

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "postgresql" and name in PROTECTED_DATABASES:
        print(f"refusing to write to the database {name!r}", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    from gonghui.rights.models import Case

    if Case.objects.exists():
        print(f"the database {name!r} already holds requests: use an empty one", file=sys.stderr)
        return 2
    info = machine()
    print(f"{info['date']}  {info['cpu']} x{info['nproc']}  {info['memory']}  {versions(connection)}")
    print(f"database: {connection.vendor} {name}")

    began = time.perf_counter()
    org_ids = build_tree()
    plans, days, run = simulate(org_ids, args.cases, seed=args.seed, progress=print, budget=args.budget)
    simulated = time.perf_counter() - began
    began = time.perf_counter()
    result = check(plans, days)
    checked = time.perf_counter() - began

    first, last = days[0], days[-1]
    missed = (last - first).days + 1 - len(days)
    print(
        f"requests: {len(plans):,} received {YEAR_START} .. {YEAR_START + datetime.timedelta(days=YEAR_DAYS - 1)}"
    )
    print(f"calendar: {first} .. {last}, {len(days)} sweep days, {missed} days of downtime")
    if run.stopped_at is not None:
        print(
            f"stopped by --budget after {args.budget:.0f} s on {run.stopped_at}: checked the requests received by then"
        )
    print(
        f"stages: {result.stages:,}; done in time {result.done_in_time:,}; must be escalated {result.must_escalate:,};"
        f" must be reminded {result.must_remind:,}"
    )
    print(
        f"sweep: {run.reminded:,} reminders, {run.escalated:,} escalations; {run.sweep_seconds:.1f} s in"
        f" {run.sweeps} sweeps (mean {1000 * run.sweep_seconds / max(run.sweeps, 1):.0f} ms,"
        f" slowest {1000 * run.slowest_sweep:.0f} ms)"
    )
    print(
        f"time: {simulated:.1f} s in all (tree, deadlines, {run.insert_seconds:.1f} s of inserts, completions and"
        f" sweeps), {checked:.1f} s checking"
    )
    print(f"mismatches: {len(result.mismatches)}")
    for line in result.mismatches[:20]:
        print("  ", line)
    return 1 if result.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
