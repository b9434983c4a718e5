"""Keeping ID numbers and mobile numbers out of logs (DOMAIN §8, PIPL).

Code must never log them; the test suite checks every record logged during a run (tests/conftest.py). As a
second line of defence, RedactingFilter masks anything that looks like one before a handler writes it.
"""

from __future__ import annotations

import logging
import re

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)


def find_personal_data(text: str) -> list[str]:
    return MOBILE.findall(text) + ID_NUMBER.findall(text)


def redact(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: m.group(0)[:6] + "*" * 8 + m.group(0)[-4:], text)
    return MOBILE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)


class RedactingFilter(logging.Filter):
    """Formats the message once and masks personal data in it; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not stop logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
