"""Unit names as files write them, matched to the units they mean.

A catalogue sheet or a 12345 export names the district's departments in whichever form its
author uses: the full name (江门市蓬江区卫生健康局), the name without the city and district
(区卫生健康局, 卫生健康局), the usual short form (区卫健局, 卫健局), a branch written either way
(江门市市场监督管理局蓬江分局, 市场监管蓬江分局, 蓬江区市场监督管理局). :func:`name_key` reduces
every such form to one key by rules over the words of the name, not by a list per unit: the
places in front (广东省, 江门市, 蓬江区, 区) go, a branch of the district (…局蓬江分局) is the
bureau, the long words of government names become their customary short forms (城市管理和综合执法
→ 城管, 卫生健康 → 卫健, 住房和城乡建设 → 住建, 市场监督管理 → 市场监管 …), and the kind word at
the end (局, 人民政府, 办事处) goes. What the rule cannot know, an admin adds as an alias of the
unit (``Unit.aliases``).

:class:`UnitNames` resolves a name among a set of units: an exact name, short name, code or
alias first, then the key. A name whose key fits several units is ambiguous and is refused with
the candidates named, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .text import halfwidth

# Places in front of a unit's name that every unit of the district shares.
_PLACE_PREFIXES = ("广东省", "江门市", "蓬江区", "蓬江", "区")
# Punctuation and spaces are no part of a name.
_NOISE = re.compile(r"[\s,，.。、;；:：()（）\[\]【】<>《》\"'“”‘’·\-—_/\\]+")
# A bureau's branch in the district is the district's bureau: 自然资源局蓬江分局 → 自然资源局.
_BRANCH = re.compile(r"(局)?蓬江分局$")
# Long words of government names and the short forms people write for them (longest first).
SHORT_FORMS: tuple[tuple[str, str], ...] = (
    ("城市管理和综合执法", "城管"),
    ("城市管理综合执法", "城管"),
    ("城市管理行政执法", "城管"),
    ("城管执法", "城管"),
    ("城管综合执法", "城管"),
    ("城市管理", "城管"),
    ("卫生健康", "卫健"),
    ("卫生和健康", "卫健"),
    ("住房和城乡建设", "住建"),
    ("住房城乡建设", "住建"),
    ("市场监督管理", "市场监管"),
    ("生态环境保护", "生态环境"),
    ("人力资源和社会保障", "人社"),
    ("人力资源社会保障", "人社"),
    ("农业农村和水利", "农业农村水利"),
    ("文化广电旅游体育", "文广旅体"),
    ("文化广电旅游和体育", "文广旅体"),
    ("应急管理", "应急"),
    ("交通运输", "交通"),
    ("自然资源和规划", "自然资源"),
)
# The kind word at the end of a name, which a short form may leave out (区城管 is 区城管局).
_KIND_SUFFIXES = ("人民政府", "办事处", "局")


def name_key(text: str) -> str:
    """The comparable key of a unit's name: every usual form of one name has the same key."""
    key = _NOISE.sub("", halfwidth(text or "")).lower()
    stripped = True
    while stripped:
        stripped = False
        for prefix in _PLACE_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, stripped = key[len(prefix) :], True
    key = _BRANCH.sub("局", key)
    for long, short in SHORT_FORMS:
        key = key.replace(long, short)
    for suffix in _KIND_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


def _exact(text: str) -> str:
    return _NOISE.sub("", halfwidth(text or "")).lower()


@dataclass(frozen=True)
class NamedUnit:
    """What resolving needs of a unit: its id and every name it is known by."""

    pk: int
    name: str
    names: tuple[str, ...]  # name, short name, code, aliases


class AmbiguousUnitName(ValueError):
    """A name that fits several units; ``candidates`` are their names."""

    def __init__(self, text: str, candidates: list[str]):
        super().__init__(text)
        self.text = text
        self.candidates = candidates


class UnitNames:
    """Resolves names to units among a fixed set (built once per file, no query per row)."""

    def __init__(self, units: Iterable[NamedUnit]):
        self.units: dict[int, NamedUnit] = {}
        self._exact: dict[str, set[int]] = {}
        self._keys: dict[str, set[int]] = {}
        for unit in units:
            self.units[unit.pk] = unit
            for name in unit.names:
                if not name:
                    continue
                self._exact.setdefault(_exact(name), set()).add(unit.pk)
                key = name_key(name)
                if key:
                    self._keys.setdefault(key, set()).add(unit.pk)

    @classmethod
    def of(cls, units: Iterable[object]) -> UnitNames:
        """From Unit rows (or anything with pk, name, short_name, code and aliases)."""
        return cls(
            NamedUnit(
                u.pk,  # type: ignore[attr-defined]
                u.name,  # type: ignore[attr-defined]
                (u.name, u.short_name, u.code, *(u.aliases or ())),  # type: ignore[attr-defined]
            )
            for u in units
        )

    def resolve(self, text: str) -> int | None:
        """The id of the unit ``text`` names; None when none; AmbiguousUnitName when several."""
        exact = self._exact.get(_exact(text), set())
        if len(exact) == 1:
            return next(iter(exact))
        found = exact or self._keys.get(name_key(text), set())
        if len(found) > 1:
            raise AmbiguousUnitName(text, sorted(self.units[pk].name for pk in found))
        return next(iter(found)) if found else None

    def words(self) -> dict[str, int]:
        """Every exact name form that names one unit only → that unit (for searching texts)."""
        words: dict[str, int] = {}
        for unit in self.units.values():
            for name in unit.names:
                text = _NOISE.sub("", halfwidth(name or ""))
                if text and len(self._exact.get(text.lower(), set())) == 1:
                    words[text] = unit.pk
        return words
