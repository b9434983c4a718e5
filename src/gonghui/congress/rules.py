"""The law-level rules of the workers' congress (DOMAIN §3), pure and without queries.

Sources: the Provisions on Democratic Management of Enterprises (2012) and the union election rules (2016).
Each figure is a default; a congress keeps its own copy on its row and passes it in. A wrong count here
invalidates a legal decision, so every function is small and the tests check them against an independent
count with random electorates (tests/test_congress_rules.py).

Counting is in whole numbers: "more than half" is `2 * approvals > electorate`, "at least two thirds" is
`present * 3 >= electorate * 2`; no floating point anywhere.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

MIN_DELEGATE_PERCENT = Decimal("5")  # delegates: at least 5% of all staff ...
MIN_DELEGATES = 30  # ... and never fewer than 30
MAX_MANAGER_PERCENT = 20  # middle managers and above: at most 20% of delegates
QUORUM = (2, 3)  # a meeting is valid with at least two thirds of all delegates present
CONTEST_MARGIN_PERCENT = 5  # a contested election has at least 5% more candidates than seats (at least one)
MIN_COSIGNERS = 2  # delegates who must co-sign (附议) a proposal
PROPOSAL_ANSWER_DAYS = 20  # working days for the department to answer an accepted proposal
ALL_STAFF_BELOW = 100  # units with fewer staff usually hold an all-staff meeting instead
TERM_YEARS = (3, 5)

APPROVE = "approve"
OPPOSE = "oppose"
ABSTAIN = "abstain"
CHOICES = (APPROVE, OPPOSE, ABSTAIN)


# --- delegates -----------------------------------------------------------------------------------------


def required_delegates(
    *, staff: int, percent: Decimal = MIN_DELEGATE_PERCENT, minimum: int = MIN_DELEGATES
) -> int:
    """The fewest delegates a congress of `staff` may have: the larger of `percent` of staff and `minimum`,
    but never more than the staff themselves (a small unit's all-staff meeting has everyone)."""
    by_share = math.ceil(Decimal(staff) * percent / 100)
    return min(staff, max(minimum, by_share))


@dataclass(frozen=True)
class Composition:
    delegates: int
    middle_managers: int
    women: int
    dispatched: int


@dataclass(frozen=True)
class CompositionWarning:
    code: str  # too_few, too_many_managers, women_under, dispatched_under
    actual: int
    expected: int  # the minimum (or, for managers, the maximum) the rule asks for


def proportional_floor(*, delegates: int, group_staff: int, staff: int) -> int:
    """Delegates a group "represented in proportion" should have at least: its share of staff, rounded down."""
    if staff <= 0:
        return 0
    return delegates * group_staff // staff


def composition_warnings(
    c: Composition,
    *,
    staff: int,
    women_staff: int,
    dispatched_staff: int,
    percent: Decimal = MIN_DELEGATE_PERCENT,
    minimum: int = MIN_DELEGATES,
    max_manager_percent: int = MAX_MANAGER_PERCENT,
) -> list[CompositionWarning]:
    """The composition checks of DOMAIN §3. They are warnings with the numbers, not errors: the congress is
    still elected, and the secretariat sees what to fix."""
    out: list[CompositionWarning] = []
    need = required_delegates(staff=staff, percent=percent, minimum=minimum)
    if c.delegates < need:
        out.append(CompositionWarning("too_few", c.delegates, need))
    manager_cap = c.delegates * max_manager_percent // 100
    if c.middle_managers * 100 > c.delegates * max_manager_percent:
        out.append(CompositionWarning("too_many_managers", c.middle_managers, manager_cap))
    women_need = proportional_floor(delegates=c.delegates, group_staff=women_staff, staff=staff)
    if c.women < women_need:
        out.append(CompositionWarning("women_under", c.women, women_need))
    dispatched_need = proportional_floor(delegates=c.delegates, group_staff=dispatched_staff, staff=staff)
    if c.dispatched < dispatched_need:
        out.append(CompositionWarning("dispatched_under", c.dispatched, dispatched_need))
    return out


def recall_carries(*, votes_for: int, constituency_size: int) -> bool:
    """A delegate is recalled by more than half of their constituency (not of those who voted)."""
    return constituency_size > 0 and 2 * votes_for > constituency_size


# --- quorum and majority -----------------------------------------------------------------------------------


def quorum_needed(*, electorate: int, quorum: tuple[int, int] = QUORUM) -> int:
    """The fewest delegates present for the meeting (and an election) to be valid."""
    num, den = quorum
    return -(-electorate * num // den)  # ceiling division in whole numbers


def has_quorum(*, present: int, electorate: int, quorum: tuple[int, int] = QUORUM) -> bool:
    num, den = quorum
    return electorate > 0 and present * den >= electorate * num


def majority_needed(*, electorate: int) -> int:
    """Approvals needed to pass: more than half of ALL delegates, whoever came or voted."""
    return electorate // 2 + 1


def passes(*, approvals: int, electorate: int) -> bool:
    return 2 * approvals > electorate


def contest_minimum(*, seats: int, margin_percent: int = CONTEST_MARGIN_PERCENT) -> int:
    """Candidates a contested election needs: seats plus margin_percent of them, rounded up, at least one more."""
    return seats + max(1, -(-seats * margin_percent // 100))


# --- ballots ---------------------------------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """A written-in name as the tellers would read it: full-width letters folded, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class BallotMarks:
    """What one ballot says. An option not marked counts as an abstention (未划符号视为弃权)."""

    marks: dict[int, str]
    write_ins: tuple[str, ...] = ()


def approvals_on(ballot: BallotMarks, options: Sequence[tuple[int, str]]) -> set[str]:
    """The distinct people a ballot approves, by candidate key: "o<id>" for a listed candidate, "w<name>" for a
    written-in name. A written-in name equal to a listed candidate's counts for that candidate, once."""
    by_name = {normalize_name(label): oid for oid, label in options}
    keys = {f"o{oid}" for oid, choice in ballot.marks.items() if choice == APPROVE}
    for raw in ballot.write_ins:
        name = normalize_name(raw)
        if not name:
            continue
        keys.add(f"o{by_name[name]}" if name in by_name else f"w{name}")
    return keys


def ballot_valid(ballot: BallotMarks, *, options: Sequence[tuple[int, str]], seats: int | None) -> bool:
    """An election ballot approving more people than there are seats is invalid; a resolution ballot is valid
    if it marks only the poll's items with the three choices."""
    known = {oid for oid, _ in options}
    if any(oid not in known or choice not in CHOICES for oid, choice in ballot.marks.items()):
        return False
    if seats is None:
        return True
    return len(approvals_on(ballot, options)) <= seats


@dataclass
class OptionCount:
    key: str
    label: str
    approve: int = 0
    oppose: int = 0
    abstain: int = 0
    passed: bool = False
    elected: bool = False


@dataclass
class Tally:
    issued: int
    returned: int
    valid: int = 0
    invalid: int = 0
    void: bool = False
    counts: list[OptionCount] = field(default_factory=list)
    elected: list[str] = field(default_factory=list)  # keys, highest approvals first
    runoff: list[str] = field(default_factory=list)  # keys tied for the last seats
    runoff_seats: int = 0  # the seats the tied candidates compete for in the further round
    unfilled: int = 0  # seats neither filled nor tied for: candidates for them are nominated again
    needed: int = 0  # approvals needed to pass

    @property
    def further_round(self) -> bool:
        return bool(self.runoff) or self.unfilled > 0

    def as_dict(self) -> dict[str, object]:
        return {
            "issued": self.issued,
            "returned": self.returned,
            "valid": self.valid,
            "invalid": self.invalid,
            "void": self.void,
            "needed": self.needed,
            "counts": [c.__dict__ for c in self.counts],
            "elected": self.elected,
            "runoff": self.runoff,
            "runoff_seats": self.runoff_seats,
            "unfilled": self.unfilled,
        }


def count_poll(
    *,
    options: Sequence[tuple[int, str]],
    ballots: Iterable[BallotMarks],
    electorate: int,
    issued: int,
    seats: int | None = None,
) -> Tally:
    """Count a resolution (`seats` None: each item passes on its own) or an election round.

    - More ballots returned than issued: the whole round is void, nothing is counted.
    - An election ballot approving more people than seats is invalid and counts for nobody.
    - An item or candidate passes with approvals from more than half of the electorate (all delegates).
    - Elections: if more pass than there are seats, the highest counts win; candidates tied for the last seats
      go to a further round for those seats, as do seats no one passed for.
    """
    ballots = list(ballots)
    tally = Tally(issued=issued, returned=len(ballots), needed=majority_needed(electorate=electorate))
    if tally.returned > issued:
        tally.void = True
        return tally
    counts = {f"o{oid}": OptionCount(f"o{oid}", label) for oid, label in options}
    for ballot in ballots:
        if not ballot_valid(ballot, options=options, seats=seats):
            tally.invalid += 1
            continue
        tally.valid += 1
        approved = approvals_on(ballot, options) if seats is not None else set()
        for oid, _label in options:
            key = f"o{oid}"
            choice = ballot.marks.get(oid, ABSTAIN)
            if seats is not None and key in approved:
                choice = APPROVE  # approved through a written-in name equal to the candidate's
            setattr(counts[key], choice, getattr(counts[key], choice) + 1)
        for key in sorted(k for k in approved if k.startswith("w")):
            if key not in counts:
                counts[key] = OptionCount(key, key[1:])
            counts[key].approve += 1
    for c in counts.values():
        c.passed = passes(approvals=c.approve, electorate=electorate)
    tally.counts = list(counts.values())
    if seats is not None:
        _decide_seats(tally, seats)
    return tally


def _decide_seats(tally: Tally, seats: int) -> None:
    passing = sorted((c for c in tally.counts if c.passed), key=lambda c: -c.approve)
    winners: list[OptionCount]
    tied: list[OptionCount]
    if len(passing) <= seats:
        winners, tied = passing, []
    else:
        cutoff = passing[seats - 1].approve
        above = [c for c in passing if c.approve > cutoff]
        at = [c for c in passing if c.approve == cutoff]
        if len(above) + len(at) <= seats:
            winners, tied = above + at, []
        else:
            winners, tied = above, at
    for c in winners:
        c.elected = True
    tally.elected = [c.key for c in winners]
    tally.runoff = [c.key for c in tied]
    # Seats left over go to the tied candidates' further round if there is a tie, else they are unfilled.
    tally.runoff_seats = seats - len(winners) if tied else 0
    tally.unfilled = 0 if tied else seats - len(winners)
