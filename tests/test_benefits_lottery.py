"""The member-day lottery (gonghui-lottery-v1): reproducible from the published data, fair (every eligible
applicant equally likely, checked statistically over a fixed set of seeds so the test is deterministic), and
the standalone scripts/verify_lottery.py gives the same winners as benefits/rules.py."""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from gonghui.benefits import rules

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "verify_lottery.py"


def seeds(n: int, label: str = "fairness") -> list[str]:
    """A fixed list of seeds: SHA-256 of "<label>-<i>", so every run of the suite uses the same ones."""
    return [hashlib.sha256(f"{label}-{i}".encode()).hexdigest() for i in range(n)]


def chi2_sf(x: float, k: int) -> float:
    """P(X >= x) for a chi-square distribution with k degrees of freedom (regularised upper gamma by series)."""
    a, z = k / 2.0, x / 2.0
    if z <= 0:
        return 1.0
    term = total = 1.0 / a
    n = 1
    while term > total * 1e-15:
        term *= z / (a + n)
        total += term
        n += 1
    lower = math.exp(-z + a * math.log(z) - math.lgamma(a)) * total
    return max(0.0, 1.0 - lower)


def chi2(observed: list[int], expected: float) -> float:
    return sum((o - expected) ** 2 / expected for o in observed)


def load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("verify_lottery", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the chi-square helper itself -------------------------------------------------------------------------------


def test_the_chi_square_tail_matches_known_values():
    # Table values: the 5% critical point for 9 degrees of freedom is 16.919, for 23 it is 35.172.
    assert chi2_sf(16.919, 9) == pytest.approx(0.05, abs=1e-3)
    assert chi2_sf(35.172, 23) == pytest.approx(0.05, abs=1e-3)
    assert chi2_sf(0.0, 5) == 1.0


# --- reproducibility --------------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_winners_every_time():
    tickets = list(range(1, 201))
    seed = seeds(1, "same")[0]
    first = rules.draw(tickets, seed, 20)
    for _ in range(5):
        assert rules.draw(tickets, seed, 20) == first


def test_the_order_the_tickets_are_given_in_does_not_matter():
    tickets = [7, 3, 99, 12, 45, 1, 8]
    seed = seeds(1, "order")[0]
    assert rules.draw(tickets, seed, 3) == rules.draw(sorted(tickets, reverse=True), seed, 3)


def test_a_known_draw_stays_the_same_across_versions():
    # A fixed vector: if this ever changes, published draws could no longer be re-run. Never update it.
    result = rules.draw(range(1, 11), "0" * 64, 3)
    assert result.order == [4, 5, 3, 6, 7, 10, 2, 1, 8, 9]
    assert result.winners == [4, 5, 3]
    assert rules.commitment("0" * 64) == "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
    assert rules.commitment("0" * 64) == hashlib.sha256(b"0" * 64).hexdigest()


def test_different_seeds_give_different_draws():
    tickets = list(range(1, 51))
    winners = {tuple(rules.draw(tickets, s, 5).winners) for s in seeds(50, "differ")}
    assert len(winners) == 50


def test_the_standalone_script_gives_the_same_draw_as_the_platform():
    script = load_script()
    for i, seed in enumerate(seeds(200, "script")):
        tickets = list(range(1, 2 + i % 40))
        quota = 1 + i % 7
        expected = rules.draw(tickets, seed, quota)
        assert script.rerun(tickets, seed, quota) == (expected.winners, expected.waiting)


def test_the_script_checks_a_published_file_and_prints_the_winners(tmp_path):
    tickets = list(range(1, 31))
    seed = seeds(1, "file")[0]
    result = rules.draw(tickets, seed, 5)
    data = {
        "offer": "观影",
        "algorithm": rules.ALGORITHM,
        "commitment": rules.commitment(seed),
        "committed_at": "2026-05-20T18:00:00+08:00",
        "quota": 5,
        "tickets": [{"ticket": t, "name": "张*"} for t in tickets],
        "tickets_digest": rules.tickets_digest(tickets),
        "seed": seed,
        "winners": result.winners,
        "waiting": result.waiting,
    }
    good = tmp_path / "lottery.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(good)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "YES" in run.stdout
    assert f"ticket {result.winners[0]:04d}" in run.stdout

    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**data, "winners": sorted(result.winners)[::-1]}), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(forged)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert "NO" in run.stdout

    swapped_seed = tmp_path / "swapped.json"
    swapped_seed.write_text(json.dumps({**data, "seed": seeds(1, "other")[0]}), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(swapped_seed)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1


# --- the rules of the draw --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,quota", [(1, 1), (2, 1), (10, 3), (10, 10), (10, 15), (500, 37)])
def test_nobody_wins_twice_and_the_quota_is_kept(n, quota):
    tickets = list(range(100, 100 + n))
    for seed in seeds(20, f"rules-{n}-{quota}"):
        result = rules.draw(tickets, seed, quota)
        assert len(result.winners) == min(quota, n)
        assert len(set(result.winners)) == len(result.winners)
        assert sorted(result.winners + result.waiting) == tickets
        assert not set(result.winners) & set(result.waiting)
        assert result.order == result.winners + result.waiting


def test_a_cancellation_moves_the_waiting_list_up_in_order():
    result = rules.draw(range(1, 21), seeds(1, "promote")[0], 5)
    first, second = result.waiting[0], result.waiting[1]
    assert rules.promote(result.waiting, taken=[]) == first
    assert rules.promote(result.waiting, taken=[first]) == second
    assert rules.promote(result.waiting, taken=result.waiting) is None


def test_the_draw_refuses_bad_input():
    with pytest.raises(ValueError):
        rules.draw([1, 2], "not a seed", 1)
    with pytest.raises(ValueError):
        rules.draw([1, 2], "A" * 64, 1)  # upper case is not the published form
    with pytest.raises(ValueError):
        rules.draw([1, 1, 2], "0" * 64, 1)
    with pytest.raises(ValueError):
        rules.draw([1, 2], "0" * 64, 0)


def test_a_lottery_is_needed_only_when_demand_exceeds_the_places():
    assert rules.needs_lottery(applicants=11, quota=10)
    assert not rules.needs_lottery(applicants=10, quota=10)
    assert not rules.needs_lottery(applicants=0, quota=10)


def test_the_ticket_digest_fixes_the_list_whatever_its_order():
    assert rules.tickets_digest([3, 1, 2]) == rules.tickets_digest([1, 2, 3])
    assert rules.tickets_digest([1, 2, 3]) != rules.tickets_digest([1, 2, 4])


# --- fairness -----------------------------------------------------------------------------------------------


def test_every_applicant_is_equally_likely_to_win():
    """10 applicants, 3 places, 3,000 fixed seeds: each should win about 900 times. A chi-square test of the
    win counts must not reject uniformity (p above 0.001)."""
    tickets = list(range(1, 11))
    draws = 3000
    wins: Counter[int] = Counter()
    for seed in seeds(draws):
        wins.update(rules.draw(tickets, seed, 3).winners)
    expected = draws * 3 / len(tickets)
    observed = [wins[t] for t in tickets]
    p = chi2_sf(chi2(observed, expected), len(tickets) - 1)
    assert p > 0.001, (observed, p)
    assert sum(observed) == draws * 3


def test_the_first_ticket_has_no_advantage_over_the_last():
    """Sorting by ticket number must not favour early sign-ups: the chance of ranking first is the same for all."""
    tickets = list(range(1, 9))
    first_place: Counter[int] = Counter()
    for seed in seeds(2400, "first-place"):
        first_place[rules.shuffle(tickets, seed)[0]] += 1
    observed = [first_place[t] for t in tickets]
    p = chi2_sf(chi2(observed, 2400 / len(tickets)), len(tickets) - 1)
    assert p > 0.001, (observed, p)


def test_every_order_of_four_applicants_is_equally_likely():
    """The whole shuffle is uniform, not only who wins: all 24 orders of 4 tickets over 4,800 fixed seeds."""
    tickets = [11, 22, 33, 44]
    orders: Counter[tuple[int, ...]] = Counter()
    for seed in seeds(4800, "permutations"):
        orders[tuple(rules.shuffle(tickets, seed))] += 1
    every = list(itertools.permutations(tickets))
    assert set(orders) == set(every)
    p = chi2_sf(chi2([orders[o] for o in every], 4800 / 24), 23)
    assert p > 0.001, p


def test_numbers_below_n_are_unbiased():
    """The rejection step: a number below 3 (which does not divide 2**64) comes out evenly."""
    stream = rules.Stream(seeds(1, "below")[0])
    counts = Counter(stream.below(3) for _ in range(6000))
    p = chi2_sf(chi2([counts[i] for i in range(3)], 2000), 2)
    assert p > 0.001, counts
    assert rules.Stream("0" * 64).below(1) == 0
