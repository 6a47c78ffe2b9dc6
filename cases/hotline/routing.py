"""Routing a work order to its township: by the handling unit, else by the address.

The hotline names the unit it dispatched the order to (承办单位, e.g. "杜阮镇人民政府" or
"杜阮镇综合行政执法办公室"); when that unit is a township we are done. Otherwise (a district
department, the district itself, nothing) the address decides: the township's own name, or one
of its communities and villages from the gazetteer. A name found in several townships, or
addresses pointing at different townships, leave the order to the triage queue with the
candidates named. Gazetteer entries not verified against an official list only add candidates.

:class:`Gazetteer` is built once per import (one query) and matches every row with one
compiled regular expression, so routing costs no query per row.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pengjiang_enforcement.search import normalise
from pengjiang_enforcement.unitnames import AmbiguousUnitName, NamedUnit, UnitNames

# Parts of an address that say nothing about the township (removed before repeat keys).
_ADDRESS_NOISE = re.compile(r"广东省|江门市|蓬江区|[\s,，。、；;:：()（）\[\]【】\-—_/\\·.]+")
# A township named with the suffix of its kind, or its short name followed by a place word.
_TOWNSHIP_SUFFIXES = ("镇人民政府", "街道办事处", "街道", "镇", "办事处")
# Other districts and cities: a text naming one of them (and not 蓬江) is about a place outside
# the district, even when it contains a name like ours (台山市白沙镇 is not 白沙街道).
_ELSEWHERE = re.compile(r"江海区|新会区|台山|开平|鹤山|恩平|顺德|南海区|中山市|佛山市|珠海市|广州市|深圳市")


# Names too common to place an order by themselves (many towns have a 中心社区); like names of
# fewer than three characters, they only suggest a township to triage.
GENERIC_PLACE_NAMES = frozenset({"中心社区", "中心村", "新村", "城区", "市区"})


def routes_alone(name: str, verified: bool) -> bool:
    """Whether a gazetteer name is specific and checked enough to route an order by itself."""
    return verified and len(name) >= 3 and name not in GENERIC_PLACE_NAMES


@dataclass(frozen=True)
class Place:
    township_id: int
    name: str
    verified: bool


@dataclass
class RouteResult:
    township_id: int | None
    method: str  # "unit", "address" or "none"
    note: str = ""
    candidates: list[int] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)  # the units a handling unit could mean


class Gazetteer:
    """Township names and gazetteer places, compiled for matching.

    ``townships``: (id, name, short name) of each active township. ``places``: the gazetteer
    entries, each name or alias mapping to a township. ``units``: the units that belong to a
    township (the township itself, its offices), as (township id, the unit with its names and
    aliases): a handling unit is resolved among them by the usual forms of their names
    (``unitnames``), and their aliases are township words like the townships' own names.
    """

    def __init__(
        self,
        townships: Iterable[tuple[int, str, str]],
        places: Iterable[Place],
        units: Iterable[tuple[int, NamedUnit]] = (),
    ):
        self.township_names: dict[int, str] = {}
        self._township_words: dict[str, int] = {}
        for pk, name, short in townships:
            self.township_names[pk] = name
            words = {name}
            if short:
                words |= {short + suffix for suffix in _TOWNSHIP_SUFFIXES}
                # A bare short name ("杜阮") is distinctive enough in this district.
                words.add(short)
            for word in words:
                self._township_words[word] = pk
        units = [(township, unit) for township, unit in units if township in self.township_names]
        self._unit_township = {unit.pk: township for township, unit in units}
        self._units = UnitNames(unit for _township, unit in units)
        for township, unit in units:
            for alias in unit.names[3:]:
                word = normalise(alias).strip()
                if len(word) >= 2:
                    self._township_words.setdefault(word, township)
        self._places: dict[str, list[Place]] = {}
        for place in places:
            self._places.setdefault(place.name, []).append(place)
        self._township_re = _alternation(self._township_words)
        self._place_re = _alternation(self._places)

    @classmethod
    def load(cls) -> Gazetteer:
        """The active townships, the units that belong to them and the gazetteer entries, in three queries."""
        from pengjiang_enforcement.choices import TOWNSHIP_LEVEL_KINDS
        from pengjiang_enforcement.models import Unit

        from .models import GazetteerEntry

        townships = Unit.objects.townships().values_list("pk", "name", "short_name")
        units = [
            (township, NamedUnit(pk, name, (name, short, code, *aliases)))
            for pk, township, name, short, code, aliases in Unit.objects.filter(
                kind__in=TOWNSHIP_LEVEL_KINDS, is_active=True, township__is_active=True
            ).values_list("pk", "township_id", "name", "short_name", "code", "aliases")
        ]
        places = []
        entries = GazetteerEntry.objects.filter(is_active=True, township__is_active=True)
        for township_id, name, aliases, verified in entries.values_list("township_id", "name", "aliases", "verified"):
            for word in [name, *aliases]:
                word = normalise(word).strip()
                if len(word) >= 2:
                    places.append(Place(township_id, word, routes_alone(word, verified)))
        return cls(list(townships), places, units)

    def unit_township(self, unit: str) -> tuple[int | None, list[str]]:
        """The township of a handling unit named in one of its usual forms (or an alias), and
        the names of the units it could mean when it is ambiguous."""
        for text in [unit, *unit.split()]:
            text = text.strip()
            if not text:
                continue
            try:
                pk = self._units.resolve(text)
            except AmbiguousUnitName as exc:
                return None, exc.candidates
            if pk is not None:
                return self._unit_township[pk], []
        return None, []

    def townships_named(self, text: str) -> list[int]:
        """Townships whose name appears in ``text``, in order of appearance, without repeats."""
        if not text or self._township_re is None or is_elsewhere(text):
            return []
        found: list[int] = []
        for match in self._township_re.finditer(_normalised(text)):
            pk = self._township_words[match.group(0)]
            if pk not in found:
                found.append(pk)
        return found

    def places_named(self, text: str) -> list[tuple[str, list[Place]]]:
        if not text or self._place_re is None or is_elsewhere(text):
            return []
        return [(m.group(0), self._places[m.group(0)]) for m in self._place_re.finditer(_normalised(text))]

    def route(self, *, unit: str, texts: Iterable[str]) -> RouteResult:
        """The township of an order from its handling unit, then its address texts (in order)."""
        by_unit = self.townships_named(unit)
        if len(by_unit) == 1:
            return RouteResult(by_unit[0], "unit", unit[:300])
        ambiguous: list[str] = []
        if not by_unit:
            township, ambiguous = self.unit_township(unit)
            if township is not None:
                return RouteResult(township, "unit", unit[:300])
        texts = [t for t in texts if t]
        named: list[int] = []
        for text in texts:
            named += [pk for pk in self.townships_named(text) if pk not in named]
        verified: dict[int, str] = {}
        suggested: dict[int, str] = {}
        for text in texts:
            for word, places in self.places_named(text):
                owners = {p.township_id for p in places}
                if len(owners) == 1 and any(p.verified for p in places):
                    verified.setdefault(next(iter(owners)), word)
                for place in places:
                    suggested.setdefault(place.township_id, word)
        if len(named) == 1:
            township = named[0]
            note = self.township_names.get(township, "")
            if township in verified:
                note = f"{note}{verified[township]}"
            return RouteResult(township, "address", note)
        if not named and len(verified) == 1:
            township, word = next(iter(verified.items()))
            return RouteResult(township, "address", word)
        candidates = list(dict.fromkeys([*by_unit, *named, *verified, *suggested]))
        note = "、".join(sorted({*ambiguous, *verified.values(), *suggested.values()}))
        return RouteResult(None, "none", note[:300], candidates, ambiguous)


@functools.lru_cache(maxsize=16)
def _normalised_short(text: str) -> str:
    return normalise(text)


def _normalised(text: str) -> str:
    """``normalise(text)``, remembered for the last few short texts: routing looks at each text
    of a row twice (for township names, then for place names)."""
    return _normalised_short(text) if len(text) <= 4096 else normalise(text)


def is_elsewhere(text: str) -> bool:
    """The text names another district or city and not 蓬江."""
    return bool(_ELSEWHERE.search(text)) and "蓬江" not in text


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)  # longest first: 杜阮镇 before 杜阮
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words))


def repeat_key(address: str, matter: str, category: str) -> str:
    """Orders about the same place and the same matter share this key (empty without an address).

    The matter is taken from the most precise category when there is one (two citizens describe
    the same noise differently, the hotline files it under the same category), else from the
    matter text itself.
    """
    place = _ADDRESS_NOISE.sub("", normalise(address))
    if len(place) < 4:
        return ""
    what = _ADDRESS_NOISE.sub("", normalise(category or matter))[:60]
    if not what:
        return ""
    return hashlib.sha1(f"{place}|{what}".encode()).hexdigest()
