#!/usr/bin/env python3
"""Re-run a published member-day lottery (gonghui-lottery-v1) and print its winners.

Needs only Python 3 (no gonghui, no third-party package), so anyone can check a draw:

    python3 verify_lottery.py lottery.json          # the file from the lottery page ("download the data")
    python3 verify_lottery.py https://…/lottery.json

It checks that SHA-256 of the revealed seed equals the commitment published before the draw, that the ticket
list matches its published digest, re-runs the draw and compares the winners and the waiting list with the
published ones. The exit status is 0 when everything matches, 1 otherwise.

The algorithm (the same as gonghui/benefits/rules.py):
  1. sort the ticket numbers ascending;
  2. block k of the random stream is HMAC-SHA256(key = the seed's 64 ASCII characters,
     message = k as an 8-byte big-endian unsigned integer), k = 0, 1, 2, …;
  3. a number below n: read the next 8 bytes of the stream as a big-endian unsigned integer x; refuse x and
     read again while x >= 2**64 - (2**64 mod n); the number is x mod n;
  4. Fisher–Yates: for i from len - 1 down to 1, j = a number below i + 1, swap positions i and j;
  5. the first `quota` tickets win, the rest wait in that order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import urllib.request

TWO_64 = 2**64


def stream(seed: str):  # type: ignore[no-untyped-def]
    key, counter, buffer = seed.encode("ascii"), 0, b""
    while True:
        while len(buffer) < 8:
            buffer += hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha256).digest()
            counter += 1
        chunk, buffer = buffer[:8], buffer[8:]
        yield int.from_bytes(chunk, "big")


def below(numbers, n: int) -> int:  # type: ignore[no-untyped-def]
    limit = TWO_64 - (TWO_64 % n)
    for x in numbers:
        if x < limit:
            return x % n
    raise RuntimeError("unreachable")


def rerun(tickets: list[int], seed: str, quota: int) -> tuple[list[int], list[int]]:
    order = sorted(tickets)
    numbers = stream(seed)
    for i in range(len(order) - 1, 0, -1):
        j = below(numbers, i + 1)
        order[i], order[j] = order[j], order[i]
    return order[:quota], order[quota:]


def load(source: str) -> dict:  # type: ignore[type-arg]
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 - a URL the user gave
            return json.loads(response.read().decode("utf-8"))
    with open(source, encoding="utf-8") as f:
        return json.load(f)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    data = load(argv[1])
    seed = data.get("seed")
    tickets = [int(t["ticket"]) for t in data["tickets"]]
    names = {int(t["ticket"]): t.get("name", "") for t in data["tickets"]}
    print(
        f"{data.get('offer', '')} · {data.get('algorithm')} · {len(tickets)} tickets, {data['quota']} places"
    )
    digest = hashlib.sha256(",".join(str(t) for t in sorted(tickets)).encode("ascii")).hexdigest()
    ok = digest == data.get("tickets_digest")
    print(f"ticket list digest: {'OK' if ok else 'MISMATCH'}")
    if not seed:
        print("The seed has not been revealed yet: the draw has not taken place.")
        return 1
    commitment_ok = hashlib.sha256(seed.encode("ascii")).hexdigest() == data["commitment"]
    print(
        f"seed matches the commitment published at {data.get('committed_at')}: {'OK' if commitment_ok else 'NO'}"
    )
    winners, waiting = rerun(tickets, seed, int(data["quota"]))
    print("winners:")
    for position, ticket in enumerate(winners, start=1):
        print(f"  {position:>4}. ticket {ticket:04d}  {names.get(ticket, '')}")
    same = winners == list(data.get("winners", [])) and waiting == list(data.get("waiting", []))
    print(f"same winners and waiting list as published: {'YES' if same else 'NO'}")
    return 0 if ok and commitment_ok and same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
