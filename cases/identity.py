"""Identity numbers: the 18-digit resident identity card number and the unified social credit
code, each checked by its check character, plus makers of valid numbers for demo data and tests.
"""

from __future__ import annotations

import datetime
import re

from pengjiang_enforcement.text import halfwidth

# GB 11643-1999 (公民身份号码): weights of the first 17 digits, and the check character by
# the weighted sum modulo 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FORMAT = re.compile(r"^[1-9]\d{16}[\dX]$")

# GB 32100-2015 (统一社会信用代码): 31 characters (no I, O, S, V, Z), weights 3^i mod 31.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise(value: str) -> str:
    """Upper case, without spaces; full-width letters and digits become half-width."""
    return re.sub(r"\s+", "", halfwidth(value)).upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_problem(value: str, *, today: datetime.date | None = None) -> str | None:
    """Why ``value`` is not a valid resident identity number ("format", "birth_date",
    "check_digit"), or None when it is."""
    if not _ID_FORMAT.match(value):
        return "format"
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900 or born > (today or datetime.date.today()):
        return "birth_date"
    if resident_id_check_char(value[:17]) != value[17]:
        return "check_digit"
    return None


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """Why ``value`` is not a valid unified social credit code ("format", "check_character"),
    or None when it is."""
    if not _USCC_FORMAT.match(value):
        return "format"
    if credit_code_check_char(value[:17]) != value[17]:
        return "check_character"
    return None


def make_resident_id(region: str, born: datetime.date, serial: int) -> str:
    """A valid number for ``region`` (6 digits), birth date and a 3-digit serial."""
    first17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def make_credit_code(serial: int, *, region: str = "440703", kind: str = "91") -> str:
    """A valid code for an enterprise (91) in ``region``, with an organisation code from ``serial``."""
    body = f"{serial % 10**9:09d}"
    first17 = f"{kind}{region}{body}"
    return first17 + credit_code_check_char(first17)
