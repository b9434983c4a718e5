"""The Chinese catalogue is complete and the committed .mo matches the .po."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.PROJECT_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def parse_po(text: str) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, None
            continue
        if line.startswith("#,"):
            current["flags"] = line
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if match:
                key = match.group(1)
                current[key] = match.group(2)
            elif line.startswith('"') and key:
                current[key] += line[1:-1]
    return entries


def unescape(value: str) -> str:
    return value.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = [e for e in parse_po(PO.read_text()) if e.get("msgid")]
    assert len(entries) > 200
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in parse_po(PO.read_text()):
        if not entry.get("msgid") or "msgid_plural" in entry or "msgctxt" in entry:
            continue
        assert catalogue.gettext(unescape(entry["msgid"])) == unescape(entry["msgstr"]), entry["msgid"]
