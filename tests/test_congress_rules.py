"""The counting rules of the workers' congress (congress/rules.py), checked at the boundaries and against an
independent, deliberately plain count with random electorates, attendance and ballots (hypothesis)."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gonghui.congress import rules
from gonghui.congress.rules import ABSTAIN, APPROVE, OPPOSE, BallotMarks, count_poll

# --- quorum and majority at the boundaries ----------------------------------------------------------------


def test_a_meeting_with_exactly_two_thirds_present_has_its_quorum():
    assert rules.has_quorum(present=20, electorate=30)
    assert not rules.has_quorum(present=19, electorate=30)


def test_two_thirds_of_a_number_not_divisible_by_three_rounds_up():
    assert rules.quorum_needed(electorate=31) == 21
    assert not rules.has_quorum(present=20, electorate=31)
    assert rules.has_quorum(present=21, electorate=31)


def test_exactly_half_of_all_delegates_does_not_pass():
    assert not rules.passes(approvals=15, electorate=30)
    assert rules.passes(approvals=16, electorate=30)
    assert rules.majority_needed(electorate=30) == 16
    assert rules.majority_needed(electorate=31) == 16
    assert not rules.passes(approvals=15, electorate=31)


def test_a_congress_may_set_its_own_quorum():
    assert rules.has_quorum(present=16, electorate=30, quorum=(1, 2))
    assert not rules.has_quorum(present=16, electorate=30, quorum=(3, 5))
    assert rules.has_quorum(present=18, electorate=30, quorum=(3, 5))


def test_an_empty_congress_never_has_a_quorum():
    assert not rules.has_quorum(present=0, electorate=0)


def test_majority_is_of_all_delegates_not_of_votes_cast():
    # 30 delegates, 21 present, 16 approve of 21 ballots: passes; 15 of 20 valid ballots (75 %) does not.
    options = [(1, "关于工资集体协商的决议")]
    yes = [BallotMarks({1: APPROVE})] * 15 + [BallotMarks({1: OPPOSE})] * 5
    tally = count_poll(options=options, ballots=yes, electorate=30, issued=21)
    assert tally.counts[0].approve == 15 and not tally.counts[0].passed
    tally = count_poll(options=options, ballots=[*yes, BallotMarks({1: APPROVE})], electorate=30, issued=21)
    assert tally.counts[0].passed


# --- delegates -------------------------------------------------------------------------------------------


def test_delegates_are_five_percent_of_staff_but_never_fewer_than_thirty():
    assert rules.required_delegates(staff=400) == 30
    assert rules.required_delegates(staff=600) == 30
    assert rules.required_delegates(staff=601) == 31
    assert rules.required_delegates(staff=2000) == 100
    assert rules.required_delegates(staff=20) == 20  # an all-staff meeting: everyone
    assert rules.required_delegates(staff=1000, percent=Decimal("10"), minimum=50) == 100


def test_composition_warnings_carry_the_numbers():
    comp = rules.Composition(delegates=30, middle_managers=8, women=5, dispatched=0)
    warnings = {
        w.code: w for w in rules.composition_warnings(comp, staff=600, women_staff=300, dispatched_staff=60)
    }
    assert warnings["too_many_managers"].actual == 8 and warnings["too_many_managers"].expected == 6
    assert warnings["women_under"].expected == 15
    assert warnings["dispatched_under"].expected == 3
    assert "too_few" not in warnings


def test_exactly_twenty_percent_managers_is_allowed():
    comp = rules.Composition(delegates=30, middle_managers=6, women=15, dispatched=3)
    assert rules.composition_warnings(comp, staff=600, women_staff=300, dispatched_staff=60) == []


def test_a_recall_needs_more_than_half_of_the_constituency():
    assert not rules.recall_carries(votes_for=20, constituency_size=40)
    assert rules.recall_carries(votes_for=21, constituency_size=40)


def test_a_contested_election_needs_at_least_one_and_five_percent_more_candidates():
    assert rules.contest_minimum(seats=1) == 2
    assert rules.contest_minimum(seats=15) == 16
    assert rules.contest_minimum(seats=21) == 23
    assert rules.contest_minimum(seats=40) == 42


# --- ballots and elections ----------------------------------------------------------------------------------

CANDIDATES = [(1, "王芳"), (2, "李强"), (3, "张敏")]


def test_a_ballot_approving_more_people_than_seats_is_invalid():
    ballot = BallotMarks({1: APPROVE, 2: APPROVE})
    assert not rules.ballot_valid(ballot, options=CANDIDATES, seats=1)
    assert rules.ballot_valid(ballot, options=CANDIDATES, seats=2)
    tally = count_poll(options=CANDIDATES, ballots=[ballot], electorate=3, issued=1, seats=1)
    assert tally.invalid == 1 and tally.valid == 0 and all(c.approve == 0 for c in tally.counts)


def test_a_written_in_name_counts_as_an_approval_and_towards_the_seats():
    ballot = BallotMarks({1: APPROVE}, ("赵 磊",))
    assert not rules.ballot_valid(ballot, options=CANDIDATES, seats=1)
    tally = count_poll(options=CANDIDATES, ballots=[ballot, ballot], electorate=3, issued=2, seats=2)
    write_in = next(c for c in tally.counts if c.label == "赵磊")
    assert write_in.approve == 2 and write_in.elected


def test_a_written_in_name_of_a_listed_candidate_counts_for_them_once():
    ballot = BallotMarks({1: APPROVE}, ("王芳",))
    tally = count_poll(options=CANDIDATES, ballots=[ballot], electorate=1, issued=1, seats=1)
    assert tally.valid == 1 and tally.counts[0].approve == 1 and len(tally.counts) == 3


def test_more_ballots_back_than_issued_voids_the_round():
    ballots = [BallotMarks({1: APPROVE})] * 11
    tally = count_poll(options=CANDIDATES, ballots=ballots, electorate=20, issued=10, seats=1)
    assert tally.void and tally.elected == [] and tally.counts == []


def test_as_many_ballots_back_as_issued_is_a_valid_round():
    ballots = [BallotMarks({1: APPROVE})] * 10
    assert not count_poll(options=CANDIDATES, ballots=ballots, electorate=10, issued=10, seats=1).void


def test_a_seat_nobody_won_a_majority_for_stays_unfilled():
    # 11 delegates, 2 seats: 王芳 9, 李强 5, 张敏 5; 6 are needed, so only 王芳 is elected and one seat is open.
    ballots = (
        [BallotMarks({1: APPROVE, 2: APPROVE})] * 4
        + [BallotMarks({1: APPROVE, 3: APPROVE})] * 3
        + [BallotMarks({1: APPROVE})] * 2
        + [BallotMarks({2: APPROVE, 3: APPROVE}), BallotMarks({3: APPROVE})]
    )
    tally = count_poll(options=CANDIDATES, ballots=ballots, electorate=11, issued=11, seats=2)
    assert [c.approve for c in tally.counts] == [9, 5, 5]
    assert tally.needed == 6
    assert tally.elected == ["o1"] and tally.runoff == [] and tally.unfilled == 1


def test_candidates_tied_above_the_majority_for_the_last_seat_share_a_further_round():
    ballots = [BallotMarks({1: APPROVE, 2: APPROVE})] * 4 + [BallotMarks({1: APPROVE, 3: APPROVE})] * 4
    tally = count_poll(options=CANDIDATES, ballots=ballots, electorate=8, issued=8, seats=2)
    assert tally.elected == ["o1"]
    assert tally.runoff == [] and tally.unfilled == 1  # 4 of 8 is exactly half: not passed
    ballots += [BallotMarks({2: APPROVE, 3: APPROVE})]
    tally = count_poll(options=CANDIDATES, ballots=ballots, electorate=9, issued=9, seats=2)
    assert tally.elected == ["o1"] and sorted(tally.runoff) == ["o2", "o3"] and tally.runoff_seats == 1
    assert tally.further_round and tally.unfilled == 0


def test_more_passing_than_seats_elects_the_highest_counts():
    ballots = [BallotMarks({1: APPROVE, 2: APPROVE})] * 6 + [BallotMarks({1: APPROVE, 3: APPROVE})] * 4
    tally = count_poll(options=CANDIDATES, ballots=ballots, electorate=10, issued=10, seats=2)
    assert [c.approve for c in tally.counts] == [10, 6, 4]
    assert tally.elected == ["o1", "o2"] and not tally.further_round


def test_an_unmarked_item_counts_as_an_abstention():
    tally = count_poll(
        options=[(1, "决议一"), (2, "决议二")], ballots=[BallotMarks({1: APPROVE})], electorate=1, issued=1
    )
    assert tally.counts[1].abstain == 1 and tally.counts[0].approve == 1


def test_full_width_and_spaced_names_are_one_person():
    assert rules.normalize_name(" 王　芳 ") == rules.normalize_name("王芳")
    assert rules.normalize_name("ＡＢＣ") == "ABC"


# --- the independent count -----------------------------------------------------------------------------------


def plain_name(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", name) if not ch.isspace())


def plain_count(options, ballots, electorate, issued, seats):
    """A deliberately different, straightforward reading of DOMAIN §3, for comparison."""
    if len(ballots) > issued:
        return {"void": True}
    label_of = {oid: plain_name(label) for oid, label in options}
    id_of_label = {v: k for k, v in label_of.items()}
    approve: Counter[str] = Counter()
    oppose: Counter[str] = Counter()
    abstain: Counter[str] = Counter()
    invalid = 0
    for marks, write_ins in ballots:
        people = {f"o{oid}" for oid, choice in marks.items() if choice == APPROVE}
        for name in write_ins:
            name = plain_name(name)
            if name:
                people.add(f"o{id_of_label[name]}" if name in id_of_label else f"w{name}")
        if seats is not None and len(people) > seats:
            invalid += 1
            continue
        for oid, _label in options:
            key = f"o{oid}"
            if key in people:
                approve[key] += 1
            elif marks.get(oid) == OPPOSE:
                oppose[key] += 1
            else:
                abstain[key] += 1
        for key in people:
            if key.startswith("w"):
                approve[key] += 1
    passed = {k for k, n in approve.items() if n > electorate / 2}
    elected, runoff = set(), set()
    if seats is not None:
        for k in passed:
            higher = sum(1 for j in passed if approve[j] > approve[k])
            at_least = sum(1 for j in passed if approve[j] >= approve[k])
            if at_least <= seats:
                elected.add(k)
            elif higher < seats:
                runoff.add(k)
    return {
        "void": False,
        "invalid": invalid,
        "approve": {k: v for k, v in approve.items() if v},
        "oppose": {k: v for k, v in oppose.items() if v},
        "abstain": {k: v for k, v in abstain.items() if v},
        "passed": passed,
        "elected": elected,
        "runoff": runoff,
        "unfilled": 0 if runoff or seats is None else seats - len(elected),
    }


NAMES = ["王芳", "李强", "张敏", "刘洋", "陈静", "杨帆"]
mark = st.sampled_from([APPROVE, OPPOSE, ABSTAIN, None])
write_in = st.sampled_from(["赵磊", "孙丽", " 王 芳", "ＡＢ", ""])


@st.composite
def polls(draw):
    k = draw(st.integers(1, 6))
    options = [(i + 1, NAMES[i]) for i in range(k)]
    election = draw(st.booleans())
    seats = draw(st.integers(1, k)) if election else None
    electorate = draw(st.integers(1, 40))
    present = draw(st.integers(0, electorate))
    n_ballots = draw(st.integers(0, present + 2))  # now and then more come back than were issued
    ballots = []
    for _i in range(n_ballots):
        marks = {oid: m for oid, _label in options if (m := draw(mark)) is not None}
        names = draw(st.lists(write_in, max_size=2)) if election else []
        ballots.append((marks, names))
    return options, ballots, electorate, present, seats


@settings(max_examples=400, deadline=None)
@given(polls())
def test_the_count_agrees_with_a_plain_count(poll):
    options, ballots, electorate, issued, seats = poll
    tally = count_poll(
        options=options,
        ballots=[BallotMarks(m, tuple(w)) for m, w in ballots],
        electorate=electorate,
        issued=issued,
        seats=seats,
    )
    expected = plain_count(options, ballots, electorate, issued, seats)
    assert tally.void == expected["void"]
    if tally.void:
        return
    assert tally.invalid == expected["invalid"]
    assert tally.valid + tally.invalid == len(ballots)
    assert {c.key: c.approve for c in tally.counts if c.approve} == expected["approve"]
    assert {c.key: c.oppose for c in tally.counts if c.oppose} == expected["oppose"]
    assert {c.key: c.abstain for c in tally.counts if c.abstain} == expected["abstain"]
    assert {c.key for c in tally.counts if c.passed} == expected["passed"]
    if seats is not None:
        assert set(tally.elected) == expected["elected"]
        assert set(tally.runoff) == expected["runoff"]
        assert tally.unfilled == expected["unfilled"]
        assert len(tally.elected) <= seats
        assert len(tally.elected) + (tally.runoff_seats if tally.runoff else tally.unfilled) == seats


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000), st.integers(0, 5000), st.sampled_from([(2, 3), (1, 2), (3, 4), (3, 5)]))
def test_quorum_agrees_with_the_fraction(electorate, present, quorum):
    assume(present <= electorate)
    num, den = quorum
    assert rules.has_quorum(present=present, electorate=electorate, quorum=quorum) == (
        present >= math.ceil(electorate * num / den - 1e-9)
    )
    assert rules.has_quorum(
        present=rules.quorum_needed(electorate=electorate, quorum=quorum),
        electorate=electorate,
        quorum=quorum,
    )
    assert not rules.has_quorum(
        present=rules.quorum_needed(electorate=electorate, quorum=quorum) - 1,
        electorate=electorate,
        quorum=quorum,
    )


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000), st.integers(0, 5000))
def test_passing_agrees_with_more_than_half(electorate, approvals):
    assume(approvals <= electorate)
    assert rules.passes(approvals=approvals, electorate=electorate) == (approvals > electorate / 2)
    assert rules.passes(approvals=rules.majority_needed(electorate=electorate), electorate=electorate)
