"""Reads of the catalogue that other views and apps rely on.

The one question cases ask: "is item X delegated to township T on date D?" The answer is yes
when a delegation period of X to T covers D and X itself is in force on D.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from pengjiang_enforcement.models import Unit

from .models import Delegation, DiscretionStandard, PowerItem, PowerItemVersion


def _covers(prefix: str, day: datetime.date) -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def _item_in_force(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": day})
    )


def delegation_on(item: PowerItem | int, township: Unit | int, day: datetime.date) -> Delegation | None:
    """The delegation that gives ``township`` the power ``item`` on ``day``, if any."""
    return (
        Delegation.objects.filter(item=item, township=township)
        .filter(_covers("", day))
        .filter(_item_in_force(day, "item__"))
        .first()
    )


def is_delegated(item: PowerItem | int, township: Unit | int, day: datetime.date) -> bool:
    """Is ``item`` delegated to ``township`` on ``day``? (The selector cases use on filing.)"""
    return delegation_on(item, township, day) is not None


def delegated_items(township: Unit | int, day: datetime.date) -> QuerySet[PowerItem]:
    """The items ``township`` holds on ``day`` (for the item chooser of a new case)."""
    held = Delegation.objects.filter(item=OuterRef("pk"), township=township).filter(_covers("", day))
    return PowerItem.objects.filter(_item_in_force(day)).filter(Exists(held))


def items_in_force(day: datetime.date) -> QuerySet[PowerItem]:
    """Items in force on ``day`` that at least one township holds (the published catalogue)."""
    held = Delegation.objects.filter(item=OuterRef("pk")).filter(_covers("", day))
    return PowerItem.objects.filter(_item_in_force(day)).filter(Exists(held))


def version_on(item: PowerItem, day: datetime.date) -> PowerItemVersion | None:
    """The version of ``item`` in force on ``day`` (what the law said on the date of the act)."""
    return item.versions.filter(valid_from__lte=day).order_by("-valid_from", "-version").first()


def discretion_standard_on(item: PowerItem, day: datetime.date) -> DiscretionStandard | None:
    """The discretion standard version in force on ``day`` (a decision pins it)."""
    return item.discretion_standards.filter(effective_from__lte=day).order_by("-effective_from", "-version").first()
