"""The dynamic evaluation: usage figures per item and township, flags, records, follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pengjiang_enforcement.exceptions import RuleViolation
from powers.choices import AdjustmentKind, AdjustmentStatus, EvaluationDecision, UsageKind
from powers.evaluation import (
    Thresholds,
    evaluation_record,
    evaluation_rows,
    flagged,
    last_evaluation_follow_up,
    usage_by_township,
)
from powers.models import PowerUsage
from powers.services import usage_record
from tests.factories import unit

from .factories import make_item

pytestmark = pytest.mark.django_db
D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
_case = iter(range(1, 100000))


MID_2025 = D(2025, 6, 1)


def cases(item, township, n, *, closed=0, overdue=0, overturned=0, day=MID_2025):
    for i in range(n):
        case_id = next(_case)
        usage_record(item=item, township=unit(township), case_id=case_id, kind=UsageKind.USED, day=day)
        if i < closed:
            usage_record(item=item, township=unit(township), case_id=case_id, kind=UsageKind.CLOSED, day=day)
        if i < overdue:
            usage_record(item=item, township=unit(township), case_id=case_id, kind=UsageKind.OVERDUE, day=day)
        if i < overturned:
            usage_record(item=item, township=unit(township), case_id=case_id, kind=UsageKind.OVERTURNED, day=day)


@pytest.fixture
def items():
    busy = make_item(townships=["duruan", "baisha"])
    unused = make_item(townships=["duruan"])
    sloppy = make_item(townships=["baisha"])
    cases(busy, "duruan", 8, closed=8, overdue=1)
    cases(busy, "baisha", 2, closed=2)
    cases(sloppy, "baisha", 6, closed=6, overdue=2, overturned=1)
    cases(busy, "duruan", 3, day=D(2024, 6, 1))  # outside the period
    return busy, unused, sloppy


def test_evaluation_counts_use_per_item_in_the_period(items):
    busy, unused, sloppy = items
    rows = {r.pk: r for r in evaluation_rows(start=START, end=END)}
    assert (rows[busy.pk].used, rows[busy.pk].closed, rows[busy.pk].overdue) == (10, 10, 1)
    assert rows[busy.pk].error_rate == Decimal("0.1")
    assert (rows[sloppy.pk].used, rows[sloppy.pk].overdue, rows[sloppy.pk].overturned) == (6, 2, 1)
    assert rows[sloppy.pk].error_rate == Decimal("0.5")
    assert rows[unused.pk].used == 0 and rows[unused.pk].error_rate is None


def test_evaluation_flags_unused_items_and_high_error_rates(items):
    busy, unused, sloppy = items
    thresholds = Thresholds(error_rate=Decimal("0.3"), min_closed=5)
    rows = {r.pk: r for r in evaluation_rows(start=START, end=END, thresholds=thresholds)}
    assert rows[unused.pk].flag_unused and not rows[unused.pk].flag_errors
    assert rows[sloppy.pk].flag_errors and not rows[sloppy.pk].flag_unused
    assert not rows[busy.pk].flag_unused and not rows[busy.pk].flag_errors
    assert set(flagged(evaluation_rows(start=START, end=END, thresholds=thresholds))) == {unused, sloppy}


def test_evaluation_error_rate_needs_enough_closed_cases(items):
    _, _, sloppy = items
    strict = Thresholds(error_rate=Decimal("0.3"), min_closed=10)
    row = evaluation_rows(start=START, end=END, thresholds=strict).get(pk=sloppy.pk)
    assert not row.flag_errors


def test_evaluation_per_township(items):
    busy, unused, _sloppy = items
    rows = {r.pk: r for r in evaluation_rows(start=START, end=END, township=unit("duruan"))}
    assert set(rows) == {busy.pk, unused.pk}  # sloppy is not held by 杜阮
    assert rows[busy.pk].used == 8
    breakdown = {row["township"].code: row["used"] for row in usage_by_township(busy, START, END)}
    assert breakdown == {"baisha": 2, "duruan": 8}


def test_evaluation_rows_cost_one_query_whatever_the_number_of_items(items):
    for _ in range(5):
        make_item()
    with CaptureQueriesContext(connection) as queries:
        list(evaluation_rows(start=START, end=END))
    assert len(queries) == 1


def test_evaluation_record_keeps_the_figures_and_starts_a_recall_in_one_step(items, district_admin):
    _, unused, _ = items
    today = timezone.localdate()
    evaluation = evaluation_record(
        actor=district_admin,
        item=unused,
        township=unit("duruan"),
        period_start=START,
        period_end=END,
        decision=EvaluationDecision.RECALL,
        reasons="全年未使用，镇街难以承接",
        start_adjustment=True,
        effective_date=today + dt.timedelta(days=30),
    )
    assert evaluation.figures["used"] == 0 and evaluation.figures["flag_unused"] is True
    adjustment = evaluation.adjustments.get()
    assert adjustment.kind == AdjustmentKind.RECALL and adjustment.status == AdjustmentStatus.PROPOSED
    assert list(adjustment.townships.values_list("code", flat=True)) == ["duruan"]
    follow_up = last_evaluation_follow_up()
    assert [row.item for row in follow_up["rows"]] == [unused] and follow_up["rows"][0].started


def test_evaluation_period_cannot_end_after_today(items, district_admin):
    with pytest.raises(RuleViolation) as exc:
        evaluation_record(
            actor=district_admin,
            item=items[0],
            period_start=START,
            period_end=timezone.localdate() + dt.timedelta(days=1),
            decision=EvaluationDecision.KEEP,
            reasons="保留",
        )
    assert exc.value.rule == "evaluation_period"


def test_usage_record_twice_keeps_one_row(items):
    busy = items[0]
    usage_record(item=busy, township=unit("duruan"), case_id=99999, kind=UsageKind.USED, day=D(2025, 3, 1))
    usage_record(item=busy, township=unit("duruan"), case_id=99999, kind=UsageKind.USED, day=D(2025, 3, 1))
    assert PowerUsage.objects.filter(case_id=99999).count() == 1


def test_evaluation_reasons_and_decision_are_required(items, district_admin):
    common = {"actor": district_admin, "item": items[0], "period_start": START, "period_end": END}
    with pytest.raises(RuleViolation) as exc:
        evaluation_record(**common, decision=EvaluationDecision.KEEP, reasons=" ")
    assert exc.value.rule == "evaluation_reasons"
    with pytest.raises(RuleViolation) as exc:
        evaluation_record(**common, decision="maybe", reasons="理由")
    assert exc.value.rule == "evaluation_decision"


def test_adjustment_effective_date_of_a_recall_started_by_the_evaluation(items, district_admin):
    _, unused, _ = items
    with pytest.raises(RuleViolation) as exc:
        evaluation_record(
            actor=district_admin,
            item=unused,
            township=unit("duruan"),
            period_start=START,
            period_end=END,
            decision=EvaluationDecision.RECALL,
            reasons="全年未使用",
            start_adjustment=True,
            effective_date=None,
        )
    assert exc.value.rule == "adjustment_effective_date"
    assert not unused.evaluations.exists()  # the evaluation is not kept without its recall
