"""Writes to the discretion standards (裁量基准) and the reduced-/no-penalty lists (减免责清单).

A discretion standard is never edited: a change is a new version (a new row with its bands),
so a decision that pinned version 2 still reads what version 2 said. A list entry is never
deleted: it ends on a date and stays in the record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import audit_record, snapshot
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import require, require_model
from pengjiang_enforcement.workdays import today as local_today

from .choices import DiscretionLevel
from .models import DiscretionBand, DiscretionStandard, LeniencyEntry, PowerItem
from .rules import (
    catalogue_effective_date,
    catalogue_fine_range,
    discretion_band_overlap,
    discretion_band_within_statutory_range,
    discretion_republication_unchanged,
    leniency_kind,
    leniency_republication_unchanged,
)
from .services import _decimal

LEVEL_ORDER = {level: index for index, level in enumerate(DiscretionLevel.values)}
# Lists that lighten or waive a penalty only make sense for items that impose one.


def clean_bands(item: PowerItem, bands: Iterable[Mapping[str, Any]]) -> list[DiscretionBand]:
    """Validated, unsaved bands in level order (轻微 → 严重).

    Each band names a known level once, states its conditions, and keeps its fine range within
    the item's statutory range: a discretion standard narrows the law, it cannot widen it.
    """
    result: list[DiscretionBand] = []
    seen: set[str] = set()
    # Every band is checked: a form shows what is wrong with each level at once.
    check_all(*((None, lambda raw=raw: _clean_band(item, raw, seen, result)) for raw in bands))
    if not result:
        raise RuleViolation(_("A discretion standard needs at least one level."), rule="discretion_band_conditions")
    result.sort(key=lambda b: b.sort_order)
    discretion_band_overlap(result)
    return result


def _clean_band(item: PowerItem, raw: Mapping[str, Any], seen: set[str], result: list[DiscretionBand]) -> None:
    level = raw.get("level", "")
    if level not in LEVEL_ORDER:
        raise RuleViolation(
            _("Unknown discretion level: “%(level)s”."), rule="discretion_level", params={"level": level}
        )
    if level in seen:
        raise RuleViolation(
            _("The level %(level)s appears twice."),
            rule="discretion_level",
            params={"level": DiscretionLevel(level).label},
        )
    seen.add(level)
    conditions = (raw.get("conditions") or "").strip()
    if not conditions:
        raise RuleViolation(
            _("The level %(level)s has no conditions."),
            rule="discretion_band_conditions",
            params={"level": DiscretionLevel(level).label},
        )
    band = DiscretionBand(
        level=level,
        conditions=conditions,
        fine_min=_decimal(raw.get("fine_min"), _("minimum fine")),
        fine_max=_decimal(raw.get("fine_max"), _("maximum fine")),
        measures=(raw.get("measures") or "").strip(),
        sort_order=LEVEL_ORDER[level],
    )
    check_all(
        (None, lambda: catalogue_fine_range(band.fine_min, band.fine_max)),
        (None, lambda: discretion_band_within_statutory_range(item, band)),
    )
    result.append(band)


@transaction.atomic
def discretion_standard_create(
    *,
    actor: User | None,
    item: PowerItem,
    bands: Iterable[Mapping[str, Any]],
    effective_from: datetime.date,
    note: str = "",
    backfill: bool = False,
) -> DiscretionStandard:
    """Publish a new version of the item's discretion standard, in force from ``effective_from``.

    The new version takes effect today or later (``backfill`` is for loading a catalogue's
    history) and never before the version it replaces.
    """
    require_model(actor, "add", DiscretionStandard)
    item = PowerItem.objects.select_for_update().get(pk=item.pk)
    latest = item.discretion_standards.order_by("-version").first()
    cleaned: list[DiscretionBand] = []

    def version_order() -> None:
        if latest is not None and effective_from < latest.effective_from:
            raise RuleViolation(
                _("Version %(version)s is in force from %(day)s; a new version cannot start before it."),
                rule="discretion_version_order",
                params={"version": latest.version, "day": latest.effective_from.isoformat()},
            )

    check_all(
        ("effective_from", lambda: None if backfill else catalogue_effective_date(effective_from, today=local_today())),
        (None, lambda: cleaned.extend(clean_bands(item, bands))),
        ("effective_from", version_order),
    )
    discretion_republication_unchanged(latest, list(latest.bands.all()) if latest else [], cleaned)
    standard = DiscretionStandard.objects.create(
        item=item,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        note=note.strip(),
    )
    for band in cleaned:
        band.standard = standard
    DiscretionBand.objects.bulk_create(cleaned)
    audit_record(
        action="powers.discretion.published",
        obj=standard,
        actor=actor,
        after={
            **snapshot(standard),
            "bands": [snapshot(b, fields=["level", "conditions", "fine_min", "fine_max", "measures"]) for b in cleaned],
        },
    )
    return standard


def clean_leniency(item: PowerItem, *, kind: str, circumstances: str, basis: str) -> None:
    def circumstances_given() -> None:
        if not (circumstances or "").strip():
            raise RuleViolation(_("State the circumstances in which the entry applies."), rule="leniency_circumstances")

    def basis_given() -> None:
        if not (basis or "").strip():
            raise RuleViolation(_("State the legal basis of the entry."), rule="leniency_basis")

    check_all(
        ("kind", lambda: leniency_kind(item, kind)),
        ("circumstances", circumstances_given),
        ("basis", basis_given),
    )


@transaction.atomic
def leniency_entry_add(
    *,
    actor: User | None,
    item: PowerItem,
    kind: str,
    circumstances: str,
    basis: str,
    measures: str = "",
    effective_from: datetime.date,
    backfill: bool = False,
) -> LeniencyEntry:
    """Put an item on a reduced- or no-penalty list from ``effective_from`` (today or later)."""
    require_model(actor, "add", LeniencyEntry)
    item = PowerItem.objects.select_for_update().get(pk=item.pk)
    check_all(
        ("effective_from", lambda: None if backfill else catalogue_effective_date(effective_from, today=local_today())),
        (None, lambda: clean_leniency(item, kind=kind, circumstances=circumstances, basis=basis)),
    )
    leniency_republication_unchanged(item, kind=kind, circumstances=circumstances, day=effective_from)
    entry = LeniencyEntry.objects.create(
        item=item,
        kind=kind,
        circumstances=circumstances.strip(),
        basis=basis.strip(),
        measures=(measures or "").strip(),
        effective_from=effective_from,
    )
    audit_record(action="powers.leniency.added", obj=entry, actor=actor, after=snapshot(entry))
    return entry


@transaction.atomic
def leniency_entry_end(*, actor: User | None, entry: LeniencyEntry, last_day: datetime.date) -> LeniencyEntry:
    """Take an entry off its list after ``last_day`` (today at the earliest; the record stays)."""
    entry = LeniencyEntry.objects.select_for_update().get(pk=entry.pk)
    require(actor, "change", entry)
    today = local_today()
    if last_day < today - datetime.timedelta(days=1):
        raise RuleViolation(
            _("The entry can leave the list from today at the earliest."),
            rule="catalogue_effective_date",
        )
    if entry.effective_to is not None and entry.effective_to <= last_day:
        raise RuleViolation(_("The entry has already left the list."), rule="leniency_already_ended")
    before = {"effective_to": entry.effective_to}
    # An entry that had not started yet ends before its start: it never applies.
    entry.effective_to = last_day
    entry.save(update_fields=["effective_to"])
    audit_record(
        action="powers.leniency.ended",
        obj=entry,
        actor=actor,
        before=before,
        after={"effective_to": entry.effective_to},
    )
    return entry
