"""Loading the sample catalogue (powers/data/sample_catalogue.json) for demonstration.

The file is sample data, marked as such in the file (``"sample": true`` and a notice) and on
every row it creates (``is_sample``), which the pages show as a banner. Items are delegated
per their coverage from a fixed date, with version 1 of their discretion standards and their
reduced-/no-penalty list entries. The load is bulk (a few statements per table, not per
item), validated item by item with the same rules as the services, all in one transaction:
a file with one bad item loads nothing. Items whose code is already in the catalogue are left
alone, so a second load changes nothing.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from pengjiang_enforcement.audit import audit_record, snapshot
from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit

from .choices import DelegationMode, ItemStatus, PowerKind, TownshipCoverage
from .models import (
    Delegation,
    DiscretionBand,
    DiscretionStandard,
    LeniencyEntry,
    PowerItem,
    PowerItemVersion,
)
from .services import (
    ITEM_FIELDS,
    _clean_item,
    _set_content,
    coverage_townships,
    item_values,
    refresh_search_vectors,
)
from .standards import clean_bands, clean_leniency

SAMPLE_PATH = Path(__file__).resolve().parent / "data" / "sample_catalogue.json"
# The sample catalogue is in force (and delegated) from this day.
SAMPLE_FROM = datetime.date(2024, 1, 1)
SAMPLE_REASON = "示例目录（演示数据）"


class SampleError(ValueError):
    """The sample file is not what the loader expects (names the item and the problem)."""


@dataclass
class SampleReport:
    created: int
    skipped: int
    delegations: int
    standards: int
    leniency: int


def read_sample(path: Path | str = SAMPLE_PATH) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("sample") is not True or not isinstance(data.get("items"), list):
        raise SampleError(f"{path}: not a sample catalogue (expected sample: true and a list of items)")
    return data


def _item(entry: dict[str, Any], departments: dict[str, int], effective_from: datetime.date) -> PowerItem:
    code = f"{entry.get('code')}-{entry.get('sub_code')}" if entry.get("sub_code") else entry.get("code")
    department = departments.get(entry.get("department", ""))
    if department is None:
        raise SampleError(f"{code}: unknown department {entry.get('department')!r}")
    if entry.get("kind") not in PowerKind.values:
        raise SampleError(f"{code}: unknown kind {entry.get('kind')!r}")
    if entry.get("coverage", "all") not in {TownshipCoverage.ALL, TownshipCoverage.TOWNS, TownshipCoverage.STREETS}:
        raise SampleError(f"{code}: unknown coverage {entry.get('coverage')!r}")
    if entry.get("delegation_mode", "grant") not in DelegationMode.values:
        raise SampleError(f"{code}: unknown delegation mode {entry.get('delegation_mode')!r}")
    values = item_values({**{k: v for k, v in entry.items() if k in ITEM_FIELDS}, "department": department})
    values.setdefault("coverage", TownshipCoverage.ALL)
    item = PowerItem(status=ItemStatus.IN_FORCE, effective_from=effective_from, is_sample=True)
    _set_content(item, values)
    try:
        _clean_item(item)
    except RuleViolation as exc:
        raise SampleError(f"{code}: {' '.join(exc.messages)}") from exc
    return item


@transaction.atomic
def load_sample_catalogue(
    *, path: Path | str = SAMPLE_PATH, effective_from: datetime.date = SAMPLE_FROM
) -> SampleReport:
    """Load the sample catalogue; items already in the catalogue (by code) are skipped."""
    data = read_sample(path)
    departments = dict(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("code", "pk"))
    existing = set(PowerItem.objects.values_list("code", "sub_code"))
    entries, items, seen = [], [], set()
    for entry in data["items"]:
        key = (str(entry.get("code", "")), str(entry.get("sub_code", "") or ""))
        if key in seen:
            raise SampleError(f"{key[0]}: the code appears twice in the file")
        seen.add(key)
        if key in existing:
            continue
        entries.append(entry)
        items.append(_item(entry, departments, effective_from))
    if not items:
        return SampleReport(0, len(seen), 0, 0, 0)
    PowerItem.objects.bulk_create(items)
    refresh_search_vectors(items)

    by_coverage = {
        c: coverage_townships(c) for c in (TownshipCoverage.ALL, TownshipCoverage.TOWNS, TownshipCoverage.STREETS)
    }
    delegations, versions, standards, leniency = [], [], [], []
    bands: list[tuple[int, list[DiscretionBand]]] = []
    for index, (entry, item) in enumerate(zip(entries, items, strict=True)):
        holders = by_coverage[item.coverage]
        delegations += [Delegation(item=item, township=t, valid_from=effective_from) for t in holders]
        item_data = snapshot(item, fields=[*ITEM_FIELDS, "status", "effective_from", "effective_to", "is_sample"])
        item_data["townships"] = sorted(t.code for t in holders)
        versions.append(
            PowerItemVersion(item=item, version=1, valid_from=effective_from, data=item_data, reason=SAMPLE_REASON)
        )
        try:
            if entry.get("discretion"):
                bands.append((len(standards), clean_bands(item, entry["discretion"])))
                standards.append(
                    DiscretionStandard(item=item, version=1, effective_from=effective_from, note=SAMPLE_REASON)
                )
            for raw in entry.get("leniency") or []:
                clean_leniency(item, kind=raw.get("kind", ""), circumstances=raw.get("circumstances", ""),
                               basis=raw.get("basis", ""))  # fmt: skip
                leniency.append(
                    LeniencyEntry(
                        item=item,
                        kind=raw["kind"],
                        circumstances=raw["circumstances"].strip(),
                        basis=raw["basis"].strip(),
                        measures=(raw.get("measures") or "").strip(),
                        effective_from=effective_from,
                    )
                )
        except RuleViolation as exc:
            raise SampleError(f"{item.full_code} (item {index + 1}): {' '.join(exc.messages)}") from exc
    Delegation.objects.bulk_create(delegations, batch_size=2000)
    PowerItemVersion.objects.bulk_create(versions, batch_size=1000)
    DiscretionStandard.objects.bulk_create(standards)
    for position, item_bands in bands:
        for band in item_bands:
            band.standard = standards[position]
    DiscretionBand.objects.bulk_create([b for _, item_bands in bands for b in item_bands], batch_size=2000)
    LeniencyEntry.objects.bulk_create(leniency, batch_size=2000)
    for item, version in zip(items, versions, strict=True):
        audit_record(
            action="powers.item.created",
            obj=item,
            actor=None,
            after={**version.data, "reason": SAMPLE_REASON},
        )
    return SampleReport(
        created=len(items),
        skipped=len(seen) - len(items),
        delegations=len(delegations),
        standards=len(standards),
        leniency=len(leniency),
    )
