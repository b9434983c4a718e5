"""Fill or fix translations in the zh_Hans catalogue from a JSON file of {msgid: msgstr}, clearing the fuzzy
flag of each entry it sets. Used after `make messages` for the handful of new strings a change adds.

    python scripts/po_fill.py translations.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def _msgid(block: str) -> str | None:
    match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
    if not match:
        return None
    return "".join(re.findall(r'"(.*)"', match.group(1))).replace('\\"', '"')


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fill(translations: dict[str, str]) -> list[str]:
    blocks = PO.read_text().split("\n\n")
    done = []
    for index, block in enumerate(blocks):
        msgid = _msgid(block)
        if not msgid or msgid not in translations:
            continue
        lines = [
            line for line in block.splitlines() if not line.startswith("#|") and line.strip() != "#, fuzzy"
        ]
        lines = [re.sub(r"^#, fuzzy, ", "#, ", line) for line in lines]
        head = []
        for line in lines:
            if line.startswith("msgstr"):
                break
            head.append(line)
        plural = any(line.startswith("msgid_plural") for line in lines)
        tail = (
            f"msgstr[0] {_quote(translations[msgid])}" if plural else f"msgstr {_quote(translations[msgid])}"
        )
        blocks[index] = "\n".join([*head, tail])
        done.append(msgid)
    PO.write_text("\n\n".join(blocks))
    return done


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    filled = fill(data)
    missing = sorted(set(data) - set(filled))
    print(f"filled {len(filled)}; not found: {missing}")
