"""The pure rules of member days and benefits (会员日, 普惠): who may sign up, and the lottery.

Nothing here touches the database or the clock, so every rule can be tested alone and the lottery can be
re-run by anyone from the published data (scripts/verify_lottery.py carries a copy of the algorithm that does
not import gonghui; a test keeps the two identical in their results).

The lottery ("gonghui-lottery-v1")
---------------------------------
Inputs, all published: the seed (64 lowercase hexadecimal characters), the tickets in the draw (positive
integers: the entry numbers handed out in order of sign-up, never personal data) and the quota.

1. At the close of the sign-up window the platform draws a secret seed from the operating system's
   cryptographic random source and publishes its commitment, SHA-256 of the seed's 64 ASCII characters
   (`echo -n SEED | sha256sum`), together with the frozen list of tickets. At the draw it reveals the seed;
   anyone checks that SHA-256(seed) equals the commitment published before the draw.
2. The tickets are sorted in ascending numerical order.
3. A stream of random bytes is made from the seed: block k (k = 0, 1, 2, …) is
   HMAC-SHA256(key = the seed's 64 ASCII characters, message = k as an 8-byte big-endian unsigned integer);
   the stream is block 0, block 1, … concatenated.
4. A number below n is taken from the stream as the next 8 bytes read as a big-endian unsigned integer x;
   x is refused (and the next 8 bytes read) while x >= 2**64 - (2**64 mod n), so every value is equally likely;
   the number is x mod n.
5. Fisher–Yates: for i from len(tickets) - 1 down to 1, take j = a number below i + 1 and swap positions i
   and j.
6. The first `quota` tickets of the shuffled list win, in that order; the rest form the waiting list, in
   order: when a winner withdraws, the first still waiting moves up.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

ALGORITHM = "gonghui-lottery-v1"
SEED_HEX_LENGTH = 64
_TWO_64 = 2**64


# --- the lottery --------------------------------------------------------------------------------------------


def seed_valid(seed: str) -> bool:
    return len(seed) == SEED_HEX_LENGTH and all(c in "0123456789abcdef" for c in seed)


def commitment(seed: str) -> str:
    """What is published before the draw: SHA-256 of the seed's ASCII characters, in hexadecimal."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def _blocks(seed: str) -> Iterator[bytes]:
    key = seed.encode("ascii")
    counter = 0
    while True:
        yield hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1


class Stream:
    """Deterministic random numbers from a seed (HMAC-SHA256 in counter mode), unbiased by rejection."""

    def __init__(self, seed: str) -> None:
        if not seed_valid(seed):
            raise ValueError("the seed must be 64 lowercase hexadecimal characters")
        self._blocks = _blocks(seed)
        self._buffer = b""

    def _take(self, n: int) -> bytes:
        while len(self._buffer) < n:
            self._buffer += next(self._blocks)
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def below(self, n: int) -> int:
        """A number in [0, n), each equally likely."""
        if n < 1:
            raise ValueError("n must be at least 1")
        limit = _TWO_64 - (_TWO_64 % n)
        while True:
            x = int.from_bytes(self._take(8), "big")
            if x < limit:
                return x % n


def shuffle(tickets: Iterable[int], seed: str) -> list[int]:
    """The tickets sorted, then shuffled by Fisher–Yates driven by the seed's stream."""
    order = sorted(tickets)
    if len(set(order)) != len(order):
        raise ValueError("tickets must be distinct")
    stream = Stream(seed)
    for i in range(len(order) - 1, 0, -1):
        j = stream.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


@dataclass(frozen=True)
class DrawResult:
    order: list[int]
    winners: list[int]
    waiting: list[int]


def draw(tickets: Iterable[int], seed: str, quota: int) -> DrawResult:
    """Winners (the first `quota` of the shuffle) and the ordered waiting list."""
    if quota < 1:
        raise ValueError("the quota must be at least 1")
    order = shuffle(tickets, seed)
    return DrawResult(order=order, winners=order[:quota], waiting=order[quota:])


def tickets_digest(tickets: Iterable[int]) -> str:
    """SHA-256 of the sorted tickets written as decimal numbers joined by commas: fixes the list at the close."""
    return hashlib.sha256(",".join(str(t) for t in sorted(tickets)).encode("ascii")).hexdigest()


def needs_lottery(*, applicants: int, quota: int) -> bool:
    """A draw is needed only when demand exceeds the quota; otherwise every eligible applicant is served."""
    return applicants > quota


def promote(waiting: Sequence[int], taken: Iterable[int]) -> int | None:
    """Who moves up when a place frees: the first on the waiting list not already served or withdrawn."""
    gone = set(taken)
    return next((t for t in waiting if t not in gone), None)


# --- eligibility --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """An offer's eligibility as data. Empty `employment_forms` means every form; `statuses` the member
    statuses that may sign up."""

    statuses: frozenset[str] = frozenset({"active"})
    employment_forms: frozenset[str] = frozenset()
    min_membership_months: int = 0
    exclude_recent_winners: int = 0


@dataclass(frozen=True)
class Facts:
    """What is known about the person at sign-up."""

    in_subtree: bool
    status: str
    employment_form: str
    joined_on: datetime.date | None
    today: datetime.date
    won_recently: bool = False
    already_signed_up: bool = False


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.problems


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from `start` to `end` (a month counts once its day of the month is reached)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def check(rule: Eligibility, facts: Facts) -> Verdict:
    """Every reason the person may not sign up, as codes (empty: eligible)."""
    v = Verdict()
    if not facts.in_subtree:
        v.problems.append("not_in_union")
    if facts.status not in rule.statuses:
        v.problems.append("member_status")
    if rule.employment_forms and facts.employment_form not in rule.employment_forms:
        v.problems.append("employment_form")
    if rule.min_membership_months and (
        facts.joined_on is None or months_between(facts.joined_on, facts.today) < rule.min_membership_months
    ):
        v.problems.append("membership_too_short")
    if rule.exclude_recent_winners and facts.won_recently:
        v.problems.append("won_recently")
    if facts.already_signed_up:
        v.problems.append("already_signed_up")
    return v


def window_state(*, now: datetime.datetime, opens_at: datetime.datetime, closes_at: datetime.datetime) -> str:
    """ "before", "open" or "closed": the window includes its opening instant and excludes its closing one."""
    if now < opens_at:
        return "before"
    if now < closes_at:
        return "open"
    return "closed"


def checkin_open(
    *,
    now: datetime.datetime,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    minutes_before: int,
) -> bool:
    """Check-in runs from `minutes_before` the start until the end of the activity (or the end of its day)."""
    if starts_at is None:
        return True
    if now < starts_at - datetime.timedelta(minutes=minutes_before):
        return False
    end = ends_at or (starts_at + datetime.timedelta(hours=12))
    return now <= end
