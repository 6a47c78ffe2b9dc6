"""Document numbers: gapless, never duplicated, one counter per township, type and year."""

from __future__ import annotations

import re
import string

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit

from ..models import IssuedNumber, NumberPattern

DEFAULT_PATTERNS = {
    "lead": "{district}{township}综执源〔{year}〕{seq}号",
    "filing": "{district}{township}综执立〔{year}〕{seq}号",
    "correction": "{district}{township}综执改〔{year}〕{seq}号",
    "preservation": "{district}{township}综执保〔{year}〕{seq}号",
    "on_spot": "{district}{township}综执当罚〔{year}〕{seq}号",
}
PLACEHOLDERS = {"district", "township", "year", "seq"}
_SEQ_SPEC = re.compile(r"^(0?\d+d)?$")


def pattern_problem(pattern: str) -> str | None:
    """Why a number pattern cannot be used, or None (used by the admin form and the service)."""
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError:
        return _("The pattern has an unmatched brace.")
    names = {name for _text, name, _spec, _conv in fields if name is not None}
    unknown = names - PLACEHOLDERS
    if unknown:
        return _("Unknown placeholders: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    if not {"year", "seq"} <= names:
        return _("A pattern needs {year} and {seq}: numbers restart every year.")
    for _text, name, spec, _conv in fields:
        if name == "seq" and not _SEQ_SPEC.match(spec or ""):
            return _("{seq} may only be padded, e.g. {seq:03d}.")
        if name in {"district", "township", "year"} and spec:
            return _("Only {seq} takes a format.")
    return None


def pattern_for(township: Unit, doc_type: str) -> str:
    rows = NumberPattern.objects.filter(doc_type=doc_type).filter(Q(township=township) | Q(township__isnull=True))
    patterns = {p.township_id: p.pattern for p in rows}
    return patterns.get(township.pk) or patterns.get(None) or DEFAULT_PATTERNS[doc_type]


def render_number(pattern: str, *, township: Unit, year: int, seq: int) -> str:
    district = township.parent.short_name if township.parent is not None else ""
    return pattern.format(district=district, township=township.short_name, year=year, seq=seq)


def number_allocate(*, township: Unit, doc_type: str, year: int) -> str:
    """The next number of ``doc_type`` for ``township`` in ``year``, registered as issued.

    Must run inside the transaction that uses the number. The counter row is created or bumped
    by one upsert and stays locked until that transaction ends: two heads approving at the same
    moment get consecutive numbers, one after the other; a transaction that rolls back takes its
    number back with it, so the sequence has no gaps.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("number_allocate must run inside the transaction that uses the number")
    pattern = pattern_for(township, doc_type)
    problem = pattern_problem(pattern)
    if problem:
        raise RuleViolation(
            _("The number pattern “%(pattern)s” cannot be used: %(problem)s"),
            rule="number_pattern_valid",
            params={"pattern": pattern, "problem": problem},
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_numbersequence (township_id, doc_type, year, last_value) VALUES (%s, %s, %s, 1) "
            "ON CONFLICT (township_id, doc_type, year) "
            "DO UPDATE SET last_value = cases_numbersequence.last_value + 1 RETURNING last_value",
            [township.pk, doc_type, year],
        )
        (seq,) = cursor.fetchone()
    number = render_number(pattern, township=township, year=year, seq=seq)
    try:
        with transaction.atomic():
            # The unique constraints are the last word: a pattern edited to collide with numbers
            # already issued (e.g. one without the township) fails here instead of duplicating.
            IssuedNumber.objects.create(township=township, doc_type=doc_type, year=year, seq=seq, number=number)
    except IntegrityError as exc:
        raise RuleViolation(
            _("The number %(number)s was already issued; correct the number pattern."),
            rule="number_unique",
            params={"number": number},
        ) from exc
    return number
