"""Showing item values and proposed changes to people: labels, choices, names, amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.text import field_label

from .choices import AdjustmentKind, DelegationMode, ItemStatus, PenaltyType, PowerKind, TownshipCoverage
from .models import Adjustment, PowerItem
from .services import ITEM_FIELDS

CHOICES = {
    "kind": PowerKind,
    "delegation_mode": DelegationMode,
    "coverage": TownshipCoverage,
}


def show(name: str, value: Any, units: dict[int, str] | None = None) -> str:
    """One value as a person reads it (a department's name, 是/否, 罚款、警告, 2,000.00)."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "department":
        return (units or {}).get(value) or str(Unit.objects.filter(pk=value).values_list("name", flat=True).first())
    if name in CHOICES:
        try:
            return str(CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if name == "penalty_types":
        labels = dict(PenaltyType.choices)
        return "、".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name.startswith(("fine_", "hearing_")):
        return f"{Decimal(value):,.2f}"
    return str(value)


def _units(values: list[dict[str, Any]]) -> dict[int, str]:
    ids = {v.get("department") for v in values if v.get("department")}
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def describe_values(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields of a proposed item, in the catalogue's order."""
    units = _units([values])
    return [(field_label(PowerItem, n), show(n, values[n], units)) for n in ITEM_FIELDS if n in values]


def describe_changes(changes: dict[str, Any], before: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, before, after) for each changed field."""
    units = _units([changes, before])
    return [
        (field_label(PowerItem, n), show(n, before.get(n), units), show(n, changes[n], units))
        for n in ITEM_FIELDS
        if n in changes
    ]


def describe_version(version, units: dict[int, str], township_names_by_code: dict[str, str]) -> dict[str, Any]:
    """What a version changed, for the history: (field, before, after) and township moves."""
    summary = version.change_summary or {}

    def plain(values: dict[str, Any]) -> dict[str, Any]:
        return {("department" if k == "department_id" else k): v for k, v in (values or {}).items()}

    before, after = plain(summary.get("before")), plain(summary.get("after"))
    changes = [
        (field_label(PowerItem, n), show(n, before.get(n), units), show(n, after[n], units))
        for n in ITEM_FIELDS
        if n in after
    ]
    names = township_names_by_code

    def townships_of(values: dict[str, Any]) -> str:
        return "、".join(names.get(c, c) for c in values.get("townships") or []) or "—"

    if "townships" in after:
        changes.append((_("townships"), townships_of(before), townships_of(after)))
    if "status" in after:
        changes.append(
            (field_label(PowerItem, "status"), show_status(before.get("status")), show_status(after["status"]))
        )
    return {
        "changes": changes,
        "recalled_from": "、".join(names.get(c, c) for c in summary.get("recalled_from", [])),
        "delegated_to": "、".join(names.get(c, c) for c in summary.get("delegated_to", [])),
    }


def show_status(value: Any) -> str:
    try:
        return str(ItemStatus(value).label)
    except ValueError:
        return "—"


def township_names(codes: list[str]) -> str:
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    return "、".join(names.get(c, c) for c in codes)


def describe_adjustment(adjustment: Adjustment) -> dict[str, Any]:
    data = adjustment.proposed_data or {}
    if adjustment.kind == AdjustmentKind.ADD:
        return {"fields": describe_values(data.get("item", {}))}
    if adjustment.kind == AdjustmentKind.CHANGE:
        return {
            "changes": describe_changes(data.get("changes", {}), data.get("before", {})),
            "add_townships": township_names(data.get("add_townships", [])),
            "remove_townships": township_names(data.get("remove_townships", [])),
        }
    return {}
