"""Text as people type it and as files carry it, made comparable.

Chinese input methods and exports mix full-width and half-width forms (１２３ and 123, ＡＢ and AB,
（ and (, the ideographic space); every comparison, search and parse goes through
:func:`halfwidth` first, so "ＧＤ２０２６" and "GD2026" are the same number.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def halfwidth(text: str) -> str:
    """Compatibility forms to their plain ones (NFKC): full-width letters, digits and punctuation
    to ASCII, the ideographic space to a space, ① to 1. Chinese characters are left as they are."""
    return unicodedata.normalize("NFKC", text or "")


def field_label(model: Any, name: str) -> str:
    """What a field of ``model`` is called (its ``verbose_name``), for messages about it."""
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))
