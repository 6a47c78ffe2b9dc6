"""The catalogue's rules: one small function per rule, named as the rule code it raises.

Services call them; tests name them. Where the law fixes the rule the docstring cites it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.workdays import today as local_today

from .choices import DiscretionLevel, LeniencyKind, PowerKind
from .models import DiscretionBand, DiscretionStandard, PowerItem

# The lists that lighten a penalty; the no-coercion list is about coercive measures.
PENALTY_LISTS = frozenset({LeniencyKind.NO_PENALTY, LeniencyKind.MITIGATED, LeniencyKind.LIGHTER})


def catalogue_fine_range(fine_min: Decimal | None, fine_max: Decimal | None) -> None:
    """A fine range whose minimum exceeds its maximum is refused."""
    if fine_min is not None and fine_max is not None and fine_min > fine_max:
        raise RuleViolation(
            _("The minimum fine (%(min)s) exceeds the maximum (%(max)s)."),
            rule="catalogue_fine_range",
            params={"min": fine_min, "max": fine_max},
        )
    if (fine_min is not None and fine_min < 0) or (fine_max is not None and fine_max < 0):
        raise RuleViolation(_("A fine cannot be negative."), rule="catalogue_fine_range")


def catalogue_effective_date(day: datetime.date, *, today: datetime.date) -> None:
    """A change to the catalogue takes effect today or later, never in the past."""
    if day < today:
        raise RuleViolation(
            _("The effective date %(day)s is in the past; changes take effect today or later."),
            rule="catalogue_effective_date",
            params={"day": day.isoformat()},
        )


def discretion_band_within_statutory_range(item: PowerItem, band: DiscretionBand) -> None:
    """APL Art. 34: a discretion standard refines the legal range; a band cannot leave it."""
    low, high = item.fine_min, item.fine_max
    if (band.fine_min is not None and low is not None and Decimal(band.fine_min) < Decimal(low)) or (
        band.fine_max is not None and high is not None and Decimal(band.fine_max) > Decimal(high)
    ):
        raise RuleViolation(
            _("The level %(level)s (%(min)s–%(max)s yuan) leaves the legal range of the item (%(low)s–%(high)s yuan)."),
            rule="discretion_band_within_statutory_range",
            params={
                "level": DiscretionLevel(band.level).label,
                "min": band.fine_min if band.fine_min is not None else "",
                "max": band.fine_max if band.fine_max is not None else "",
                "low": low if low is not None else "",
                "high": high if high is not None else "",
            },
        )


def discretion_band_overlap(bands: Sequence[DiscretionBand]) -> None:
    """APL Art. 34: the levels of a discretion standard divide the legal range between them; two
    levels whose fine ranges overlap give one case two answers. Levels may meet at a boundary
    (“500元以下” and “500元以上”); a level without a fine (a warning) has no range."""
    ranged = [b for b in bands if b.fine_min is not None or b.fine_max is not None]
    for index, first in enumerate(ranged):
        for second in ranged[index + 1 :]:
            low = max(_bound(first.fine_min, Decimal("-Infinity")), _bound(second.fine_min, Decimal("-Infinity")))
            high = min(_bound(first.fine_max, Decimal("Infinity")), _bound(second.fine_max, Decimal("Infinity")))
            if low < high:
                raise RuleViolation(
                    _(
                        "The fine ranges of the levels %(first)s and %(second)s overlap; "
                        "each fine belongs to one level."
                    ),
                    rule="discretion_band_overlap",
                    params={
                        "first": DiscretionLevel(first.level).label,
                        "second": DiscretionLevel(second.level).label,
                    },
                )


def _bound(value: Decimal | str | None, default: Decimal) -> Decimal:
    return default if value is None else Decimal(value)


def _band_content(band: DiscretionBand) -> tuple:
    def amount(value: Decimal | str | None) -> Decimal | None:
        return None if value is None else Decimal(value).normalize()

    return (band.level, band.conditions.strip(), amount(band.fine_min), amount(band.fine_max), band.measures.strip())


def discretion_republication_unchanged(
    latest: DiscretionStandard | None, latest_bands: Sequence[DiscretionBand], bands: Sequence[DiscretionBand]
) -> None:
    """A new version of a discretion standard changes something: publishing the latest version
    again, level for level, would only start a second record of the same standard."""
    if latest is None:
        return
    if sorted(map(_band_content, latest_bands)) == sorted(map(_band_content, bands)):
        raise RuleViolation(
            _("The standard is the same as version %(version)s; a new version must change something."),
            rule="discretion_republication_unchanged",
            params={"version": latest.version},
        )


def leniency_kind(item: PowerItem, kind: str) -> None:
    """The no-, reduced- and lighter-penalty lists apply to penalty items; the no-coercion list
    to items that allow a coercive measure (coercive items, and penalties that go with one)."""
    if kind not in LeniencyKind.values:
        raise RuleViolation(_("Unknown list: “%(kind)s”."), rule="leniency_kind", params={"kind": kind})
    if kind in PENALTY_LISTS and item.kind != PowerKind.PENALTY:
        raise RuleViolation(
            _("%(list)s applies to administrative penalties; this item is an %(kind)s."),
            rule="leniency_kind",
            params={"list": LeniencyKind(kind).label, "kind": PowerKind(item.kind).label},
        )
    if kind == LeniencyKind.NO_COERCION and item.kind == PowerKind.INSPECTION:
        raise RuleViolation(
            _("%(list)s does not apply to an administrative inspection."),
            rule="leniency_kind",
            params={"list": LeniencyKind(kind).label},
        )


def evaluation_period(start: datetime.date, end: datetime.date) -> None:
    """An evaluation looks back: a period that ends after today has no figures yet."""
    if start > end:
        raise RuleViolation(_("The period starts after it ends."), rule="evaluation_period")
    if end > local_today():
        raise RuleViolation(_("The period cannot end after today."), rule="evaluation_period")
