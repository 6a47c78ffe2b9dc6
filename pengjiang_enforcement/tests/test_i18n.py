"""The Chinese catalogue is complete and compiled: no untranslated or fuzzy string ships."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(po_text: str) -> list[dict]:
    """A small .po reader: msgid, msgid_plural, msgstr / msgstr[0] and flags of each entry."""
    entries, current, key = [], {"flags": ""}, None
    for line in [*po_text.splitlines(), ""]:
        if not line.strip():
            if "msgid" in current:
                entries.append(current)
            current, key = {"flags": ""}, None
        elif line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return [e for e in entries if e["msgid"]]


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = _entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    for entry in _entries((LOCALE / "django.po").read_text(encoding="utf-8")):
        if "msgid_plural" in entry:
            assert catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"], entry["msgid"]
        elif "msgctxt" in entry:
            assert catalogue.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"], entry["msgid"]
        else:
            assert catalogue.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
