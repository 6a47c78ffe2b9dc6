"""Text as people type it and as files carry it, made comparable.

Chinese input methods and exports mix full-width and half-width forms (１２３ and 123, ＡＢ and AB,
（ and (, the ideographic space); every comparison, search and parse goes through
:func:`halfwidth` first, so "ＧＤ２０２６" and "GD2026" are the same number.
"""

from __future__ import annotations

import re
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


_MASKED = re.compile(r"\*{2,}|x{3,}|X{3,}")


def is_masked(phone: str) -> bool:
    """Whether a phone number arrived masked already (``138****5678``, ``138xxxx5678``)."""
    return bool(_MASKED.search(phone or ""))


def mask_phone(phone: str) -> str:
    """A phone number as a reader without the right to contact details sees it: the first 3 and
    last 4 digits (``138****5678``); one that arrived masked stays as it is."""
    phone = (phone or "").strip()
    if not phone or is_masked(phone):
        return phone
    digits = re.sub(r"\D", "", halfwidth(phone))
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits) if digits else phone
