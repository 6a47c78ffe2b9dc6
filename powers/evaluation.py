"""The dynamic evaluation: how each delegated item was used, and which ones to reconsider.

For a period, per item (and per township when one is chosen), the figures come from
:class:`~powers.models.PowerUsage`, which the cases app writes: cases filed, closed, decided
late and overturned. Two kinds of items are flagged as candidates for adjustment or recall:
items no township used in the period ("放得下" but not used), and items whose error rate —
(late + overturned) / closed — reaches the threshold once enough cases closed to judge
("管得好"). The thresholds are settings, and an evaluator may choose others for one run.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import audit_record, snapshot
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import require_model

from .adjustments import adjustment_propose
from .choices import AdjustmentKind, EvaluationDecision, UsageKind
from .models import Adjustment, Delegation, Evaluation, PowerItem, PowerUsage
from .rules import evaluation_period


@dataclass(frozen=True)
class Thresholds:
    """When an item is flagged: an error rate at or above ``error_rate`` counts only once at
    least ``min_closed`` cases of it were closed in the period (two cases say nothing)."""

    error_rate: Decimal
    min_closed: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            error_rate=Decimal(str(getattr(settings, "POWERS_EVALUATION_ERROR_RATE", "0.2"))),
            min_closed=int(getattr(settings, "POWERS_EVALUATION_MIN_CLOSED", 5)),
        )

    def as_dict(self) -> dict[str, Any]:
        return {k: str(v) for k, v in asdict(self).items()}


def _held_during(start: datetime.date, end: datetime.date, township: Unit | int | None) -> QuerySet[Delegation]:
    held = Delegation.objects.filter(item=OuterRef("pk"), valid_from__lte=end).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    return held.filter(township=township) if township is not None else held


def _count(kind: str, start: datetime.date, end: datetime.date, township: Unit | int | None) -> Coalesce:
    usage = PowerUsage.objects.filter(item=OuterRef("pk"), kind=kind, date__gte=start, date__lte=end)
    if township is not None:
        usage = usage.filter(township=township)
    counted = usage.order_by().values("item").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def evaluation_rows(
    *,
    start: datetime.date,
    end: datetime.date,
    township: Unit | int | None = None,
    thresholds: Thresholds | None = None,
    items: QuerySet[PowerItem] | None = None,
) -> QuerySet[PowerItem]:
    """Items a township (or any) held during the period, each annotated with its figures:
    ``used``, ``closed``, ``overdue``, ``overturned``, ``error_rate`` and the flags
    ``flag_unused`` and ``flag_errors``. One query, whatever the number of items."""
    thresholds = thresholds or Thresholds.from_settings()
    base = items if items is not None else PowerItem.objects.all()
    rate: DecimalField = DecimalField(max_digits=7, decimal_places=4)
    return (
        base.filter(Exists(_held_during(start, end, township)))
        .annotate(
            used=_count(UsageKind.USED, start, end, township),
            closed=_count(UsageKind.CLOSED, start, end, township),
            overdue=_count(UsageKind.OVERDUE, start, end, township),
            overturned=_count(UsageKind.OVERTURNED, start, end, township),
        )
        .annotate(
            error_rate=Case(
                When(
                    closed__gt=0,
                    then=ExpressionWrapper(
                        Cast(F("overdue") + F("overturned"), rate) / Cast(F("closed"), rate), output_field=rate
                    ),
                ),
                default=None,
                output_field=rate,
            )
        )
        .annotate(
            flag_unused=ExpressionWrapper(Q(used=0), output_field=BooleanField()),
            flag_errors=ExpressionWrapper(
                Q(closed__gte=thresholds.min_closed, error_rate__gte=thresholds.error_rate),
                output_field=BooleanField(),
            ),
        )
    )


def flagged(rows: QuerySet[PowerItem]) -> QuerySet[PowerItem]:
    return rows.filter(Q(flag_unused=True) | Q(flag_errors=True))


def usage_by_township(item: PowerItem, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """One item's figures per township for the period (the breakdown of an evaluation)."""
    rows = (
        PowerUsage.objects.filter(item=item, date__gte=start, date__lte=end)
        .values("township_id")
        .annotate(
            used=Count("pk", filter=Q(kind=UsageKind.USED)),
            closed=Count("pk", filter=Q(kind=UsageKind.CLOSED)),
            overdue=Count("pk", filter=Q(kind=UsageKind.OVERDUE)),
            overturned=Count("pk", filter=Q(kind=UsageKind.OVERTURNED)),
        )
    )
    figures = {row["township_id"]: row for row in rows}
    held = Unit.objects.filter(
        pk__in=Delegation.objects.filter(item=item, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .values("township_id")
    ).order_by("sort_order", "pk")
    empty = {"used": 0, "closed": 0, "overdue": 0, "overturned": 0}
    return [{"township": t, **{k: figures.get(t.pk, empty)[k] for k in empty}} for t in held]


def figures_for(
    item: PowerItem,
    start: datetime.date,
    end: datetime.date,
    township: Unit | None,
    thresholds: Thresholds,
) -> dict[str, Any]:
    """The figures of one item as an evaluation record keeps them."""
    row = evaluation_rows(
        start=start, end=end, township=township, thresholds=thresholds, items=PowerItem.objects.filter(pk=item.pk)
    ).first()
    keys = ["used", "closed", "overdue", "overturned", "error_rate", "flag_unused", "flag_errors"]
    values = {k: getattr(row, k) if row else None for k in keys}
    values = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}
    return {**values, "held": row is not None, "thresholds": thresholds.as_dict()}


@transaction.atomic
def evaluation_record(
    *,
    actor: User,
    item: PowerItem,
    period_start: datetime.date,
    period_end: datetime.date,
    decision: str,
    reasons: str,
    township: Unit | None = None,
    thresholds: Thresholds | None = None,
    start_adjustment: bool = False,
    effective_date: datetime.date | None = None,
) -> Evaluation:
    """Record the evaluation of an item (in one township or all) with the figures behind it.

    With ``start_adjustment`` a *recall* decision proposes the recall in the same step,
    effective on ``effective_date``; the adjustment goes through review and approval as usual.
    """
    require_model(actor, "add", Evaluation)
    evaluation_period(period_start, period_end)
    if decision not in EvaluationDecision.values:
        raise RuleViolation(_("Choose keep, adjust or recall."), rule="evaluation_decision")
    reasons = (reasons or "").strip()
    if not reasons:
        raise RuleViolation(_("Give the reasons for the decision."), rule="evaluation_reasons")
    thresholds = thresholds or Thresholds.from_settings()
    evaluation = Evaluation.objects.create(
        item=item,
        township=township,
        period_start=period_start,
        period_end=period_end,
        decision=decision,
        reasons=reasons,
        figures=figures_for(item, period_start, period_end, township, thresholds),
        created_by=actor,
    )
    audit_record(action="powers.evaluation.recorded", obj=evaluation, actor=actor, after=snapshot(evaluation))
    if start_adjustment and decision == EvaluationDecision.RECALL:
        if effective_date is None:
            raise RuleViolation(_("Choose the date the recall takes effect."), rule="adjustment_effective_date")
        adjustment_propose(
            actor=actor,
            kind=AdjustmentKind.RECALL,
            item=item,
            townships=[township] if township else None,
            reason=reasons,
            effective_date=effective_date,
            evaluation=evaluation,
        )
    return evaluation


def last_evaluation_follow_up(limit: int = 10) -> dict[str, Any]:
    """The items the most recent evaluation period said to adjust or recall, and whether an
    adjustment was started for each (the home panel of the district admin)."""
    latest = Evaluation.objects.order_by("-period_end", "-created_at").values("period_start", "period_end").first()
    if latest is None:
        return {"period": None, "rows": [], "more": False}
    rows = (
        Evaluation.objects.filter(**latest)
        .exclude(decision=EvaluationDecision.KEEP)
        .select_related("item", "township")
        .annotate(started=Exists(Adjustment.objects.filter(evaluation=OuterRef("pk"))))
        .order_by("item__code", "pk")
    )
    listed = list(rows[: limit + 1])
    return {"period": latest, "rows": listed[:limit], "more": len(listed) > limit}
