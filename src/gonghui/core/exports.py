"""Exports of lists that hold personal data (PIPL, MLPS level 3).

- Every cell is made safe for spreadsheets (CSV injection: = + - @ and control characters).
- A list is exported masked by default; an export with the values in full needs a second authorised person
  to approve it (ExportRequest), is downloaded once within a day, and every step is audited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@")


def csv_safe(value: Any) -> str:
    """A cell that a spreadsheet will not run as a formula (CSV injection): text starting with = + - @ or a
    control character gets a leading apostrophe, which Excel and WPS show as plain text."""
    text = "" if value is None else str(value)
    if text and (text.startswith(_FORMULA_START) or ord(text[0]) < 32 or ord(text[0]) == 127):
        return "'" + text
    return text


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel opens Chinese text intact; every cell made safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


# Lists that can be exported: kind -> function(org, masked) -> (headers, rows), and the list's name for people.
# Domain apps register theirs in AppConfig.ready(), so core knows no domain.
DATASETS: dict[str, Any] = {}
DATASET_LABELS: dict[str, Any] = {}


def register_dataset(kind: str, builder: Any, label: Any) -> None:
    DATASETS[kind] = builder
    DATASET_LABELS[kind] = label


def dataset_label(kind: str) -> str:
    return str(DATASET_LABELS.get(kind, kind))
