"""Reads of the catalogue that other views and apps rely on.

The one question cases ask: "is item X delegated to township T on date D?" The answer is yes
when a delegation period of X to T covers D and X itself is in force on D.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.models import Unit

from .choices import AdjustmentKind, AdjustmentStatus, ItemStatus
from .models import (
    Adjustment,
    AdjustmentOpinion,
    Delegation,
    DiscretionBand,
    DiscretionStandard,
    LeniencyEntry,
    PowerItem,
    PowerItemVersion,
)
from .models.procedure import OPEN_ADJUSTMENT_STATUSES
from .rules import OPINION_STATUSES


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


def version_for_act(item: PowerItem, act_date: datetime.date) -> PowerItemVersion | None:
    """The version a case on an act of ``act_date`` pins: the one in force on that date (APL
    Art. 37: the law of the act's date applies), or the item's first version when the act
    precedes every version the catalogue holds (a township may file a case on an act committed
    before the item was delegated to it: jurisdiction is the filing date's)."""
    return version_on(item, act_date) or item.versions.order_by("valid_from", "version").first()


def discretion_standard_on(item: PowerItem, day: datetime.date) -> DiscretionStandard | None:
    """The discretion standard version in force on ``day`` (a decision pins it)."""
    return item.discretion_standards.filter(effective_from__lte=day).order_by("-effective_from", "-version").first()


def leniency_entries_on(item: PowerItem | int, day: datetime.date) -> QuerySet[LeniencyEntry]:
    """The reduced- and no-penalty list entries of ``item`` that apply on ``day``."""
    return LeniencyEntry.objects.filter(item=item).filter(_item_in_force(day)).order_by("kind", "pk")


def standards_and_lists_on(
    item_ids: Iterable[int], day: datetime.date
) -> tuple[dict[int, DiscretionStandard], dict[int, list[LeniencyEntry]]]:
    """For a list of items (the printed catalogue): each one's discretion standard in force on
    ``day`` with its bands, and its list entries that apply on ``day`` — three queries in all."""
    ids = list(item_ids)
    standards = (
        DiscretionStandard.objects.filter(item_id__in=ids, effective_from__lte=day)
        .order_by("item_id", "-effective_from", "-version")
        .distinct("item_id")
        .prefetch_related(Prefetch("bands", queryset=DiscretionBand.objects.order_by("sort_order")))
    )
    entries: dict[int, list[LeniencyEntry]] = {pk: [] for pk in ids}
    for entry in LeniencyEntry.objects.filter(item_id__in=ids).filter(_item_in_force(day)).order_by("kind", "pk"):
        entries[entry.item_id].append(entry)
    return {s.item_id: s for s in standards}, entries


def in_force_count(day: datetime.date) -> int:
    """How many items are in force on ``day`` (the headline of the catalogue pages).

    Counted on the items alone. The services keep an item in force only while some township
    holds it (created with its townships, out of force once recalled from the last one), so
    this equals ``items_in_force(day).count()`` without probing a delegation per item — which
    for 50,000 items and millions of delegations is the difference between a few and a
    hundred-odd milliseconds on every page view.
    """
    return PowerItem.objects.filter(_item_in_force(day)).count()


def published_items(day: datetime.date, township: Unit | int | None = None) -> QuerySet[PowerItem]:
    """What the public may read: items in force on ``day`` that a township (or ``township``)
    holds on that day. The public pages and their downloads read nothing else."""
    return delegated_items(township, day) if township is not None else items_in_force(day)


def holders_on(item_ids: Iterable[int], day: datetime.date) -> dict[int, set[int]]:
    """For each item, the townships that hold it on ``day`` (one query for a page of items)."""
    result: dict[int, set[int]] = {pk: set() for pk in item_ids}
    rows = (
        Delegation.objects.filter(item_id__in=list(result))
        .filter(_covers("", day))
        .order_by()  # the model's ordering would join the items and the townships for nothing
        .values_list("item_id", "township_id")
    )
    for item_id, township_id in rows:
        result[item_id].add(township_id)
    return result


@dataclass(frozen=True)
class Announcement:
    """An approved change of a published item that is not in effect yet (自…起调整/取消)."""

    day: datetime.date
    cancels: bool


def announcements(
    item_ids: Iterable[int], day: datetime.date, township: Unit | int | None = None
) -> dict[int, Announcement]:
    """The approved adjustments of these items whose effective date lies after ``day``, as the
    public pages announce them (three queries for a page of items, whatever its length).

    A recall cancels the item for the public when it takes it from every township that holds it
    (on a township's page: from that township); a recall from other townships is not that
    township's news. Any other approved change adjusts the item.
    """
    ids = list(item_ids)
    if not ids:
        return {}
    pending = list(
        Adjustment.objects.filter(item_id__in=ids, status=AdjustmentStatus.APPROVED, effective_date__gt=day)
        .order_by("effective_date", "pk")
        .prefetch_related(Prefetch("townships", queryset=Unit.objects.only("pk")))
    )
    township_id = getattr(township, "pk", township)
    holders = holders_on([a.item_id for a in pending if a.kind == AdjustmentKind.RECALL], day)
    result: dict[int, Announcement] = {}
    for adjustment in pending:
        assert adjustment.item_id is not None
        if adjustment.item_id in result:
            continue
        if adjustment.kind == AdjustmentKind.RECALL:
            targets = {t.pk for t in adjustment.townships.all()}
            if township_id is not None:
                if township_id not in targets:
                    continue
                cancels = True
            else:
                cancels = holders[adjustment.item_id] <= targets
        else:
            cancels = False
        result[adjustment.item_id] = Announcement(day=adjustment.effective_date, cancels=cancels)
    return result


def awaiting_opinion(adjustments: QuerySet[Adjustment], department_id: int) -> QuerySet[Adjustment]:
    """The adjustments of a department's items (or of new items it would delegate) that wait for
    its opinion: not decided yet, and no opinion of the department on them."""
    given = AdjustmentOpinion.objects.filter(adjustment=OuterRef("pk"), department_id=department_id)
    mine = Q(item__department_id=department_id) | Q(item__isnull=True, proposed_data__item__department=department_id)
    return adjustments.filter(status__in=OPINION_STATUSES).filter(mine).exclude(Exists(given))


def departments() -> QuerySet[Unit]:
    """The district departments that delegate powers."""
    return Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("sort_order", "pk")


def has_sample_items() -> bool:
    """Whether any sample item is in the catalogue (a partial index answers it)."""
    return PowerItem.objects.filter(is_sample=True).exists()


def catalogue_figures(day: datetime.date) -> dict:
    """Figures for the district admin's home page: items in force per department, open
    adjustments per status."""
    # The items' own validity, as in_force_count: grouping needs no delegation probes.
    in_force = PowerItem.objects.filter(_item_in_force(day))
    per_department = list(
        in_force.values("department_id", "department__short_name", "department__sort_order")
        .annotate(n=Count("pk"))
        .order_by("department__sort_order")
    )
    open_adjustments = dict(
        Adjustment.objects.filter(status__in=OPEN_ADJUSTMENT_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "per_department": per_department,
        "total": sum(row["n"] for row in per_department),
        "open_adjustments": open_adjustments,
        "open_total": sum(open_adjustments.values()),
    }


# --- the item page -----------------------------------------------------------------------------
@dataclass
class ItemPage:
    """Everything an item's page shows, each part in one query: its discretion standards (the one
    in force today), leniency entries, delegations (those held today), its version history with
    what each version changed, recent adjustments and evaluations, and the use per township over
    the last year (for those who read evaluations). ``actions``: ``adjust`` (propose an
    adjustment, change the lists), ``standards`` (publish a discretion standard)."""

    standards: list[DiscretionStandard]
    current_standard: DiscretionStandard | None
    leniency: list[LeniencyEntry]
    delegations: list[Delegation]
    held_now: list[Delegation]
    versions: list[tuple[PowerItemVersion, Any]]
    adjustments: list[Adjustment]
    evaluations: list[Any]
    open_adjustment: Adjustment | None
    usage: list[dict[str, Any]] | None
    actions: frozenset[str]
    in_force: bool


def item_page(user: Any, item: PowerItem, *, today: datetime.date | None = None) -> ItemPage:
    from pengjiang_enforcement.permissions import can

    from .display import describe_version
    from .evaluation import usage_by_township
    from .models import DiscretionBand, Evaluation

    today = today or timezone.localdate()
    standards = list(
        DiscretionStandard.objects.restrict(user, "view")
        .filter(item=item)
        .prefetch_related(Prefetch("bands", queryset=DiscretionBand.objects.order_by("sort_order")))
        .order_by("-version")
    )
    delegations = list(
        Delegation.objects.restrict(user, "view")
        .filter(item=item)
        .select_related("township", "adjustment")
        .order_by("township__sort_order", "valid_from")
    )
    units = dict(Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP]).values_list("pk", "name"))
    names = dict(Unit.objects.townships(active=None).values_list("code", "name"))
    versions = PowerItemVersion.objects.filter(item=item).select_related("created_by").order_by("-version")
    adjustments = list(
        Adjustment.objects.restrict(user, "view")
        .filter(item=item)
        .select_related("proposed_by")
        .order_by("-proposed_at")[:20]
    )
    open_adjustment = next((a for a in adjustments if a.status in OPEN_ADJUSTMENT_STATUSES), None)
    may_adjust = can(user, "change", item) and user.has_perm("powers.add_adjustment")
    actions = set()
    if may_adjust:
        actions.add("adjust")  # the page disables it while an adjustment is open
    if may_adjust and user.has_perm("powers.add_discretionstandard"):
        actions.add("standards")
    year_ago = today - datetime.timedelta(days=365)
    return ItemPage(
        standards=standards,
        current_standard=discretion_standard_on(item, today),
        leniency=list(
            LeniencyEntry.objects.restrict(user, "view").filter(item=item).order_by("kind", "effective_from")
        ),
        delegations=delegations,
        held_now=[d for d in delegations if d.covers(today)],
        versions=[(version, describe_version(version, units, names)) for version in versions],
        adjustments=adjustments,
        evaluations=list(
            Evaluation.objects.restrict(user, "view")
            .filter(item=item)
            .select_related("township")
            .order_by("-created_at")[:10]
        ),
        open_adjustment=open_adjustment,
        usage=usage_by_township(item, year_ago, today) if user.has_perm("powers.view_evaluation") else None,
        actions=frozenset(actions),
        in_force=item.status == ItemStatus.IN_FORCE,
    )
