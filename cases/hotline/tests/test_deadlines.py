"""The hotline's deadline: 2/10/15 working days by type, or the order's own promised time; holidays
and 调休 make-up days; due-soon and overdue flags; extensions."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.hotline.choices import OrderState
from cases.hotline.deadlines import DueDateMemo, Flag, order_flag, reply_due_on, soon_horizon, type_working_days
from cases.hotline.models import HotlineOrder
from pengjiang_enforcement.models import CalendarOverride
from pengjiang_enforcement.workdays import clear_override_cache

from .support import JIANGMEN, csv_bytes, jiangmen_row, run

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day: str, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day).replace(hour=hour))


def test_guangdong_12345_type_deadlines():
    """《广东省12345政务服务便民热线管理办法》: 咨询 2, 求助·建议 10, 投诉·举报 15 working days."""
    assert [type_working_days(t) for t in ("consultation", "help", "suggestion", "complaint", "report")] == [
        2,
        10,
        10,
        15,
        15,
    ]


@pytest.mark.parametrize(
    ("order_type", "due"),
    [
        # received Thursday 2026-02-12; 2026-02-14 (Sat) is a make-up working day, 02-15..23 the
        # Spring Festival, 02-28 (Sat) another make-up day.
        ("consultation", D(2026, 2, 14)),
        ("help", D(2026, 3, 4)),
        ("complaint", D(2026, 3, 11)),
    ],
)
def test_deadline_across_the_spring_festival_2026(order_type, due):
    assert reply_due_on(received_at=at("2026-02-12"), order_type=order_type, promised_at=None) == due


def test_five_working_days_across_the_spring_festival_2026():
    memo = DueDateMemo()
    assert memo.due_on(D(2026, 2, 12), 5) == D(2026, 2, 26)


@pytest.mark.parametrize(
    ("received", "order_type", "due"),
    [
        # 2026-09-20 (Sun) is a make-up working day before National Day (10-01..07); 10-10 (Sat) too.
        ("2026-09-18", "consultation", D(2026, 9, 21)),
        ("2026-09-30", "consultation", D(2026, 10, 9)),
        ("2026-09-30", "help", D(2026, 10, 20)),
        ("2026-09-30", "complaint", D(2026, 10, 27)),
    ],
)
def test_deadline_across_national_day_2026(received, order_type, due):
    assert reply_due_on(received_at=at(received), order_type=order_type, promised_at=None) == due


def test_local_calendar_overrides_count(district_admin):
    CalendarOverride.objects.create(date=D(2026, 3, 3), kind="holiday", name="台风停工")
    clear_override_cache()
    try:
        assert reply_due_on(received_at=at("2026-03-02"), order_type="consultation", promised_at=None) == D(2026, 3, 5)
    finally:
        CalendarOverride.objects.all().delete()
        clear_override_cache()


def test_the_orders_own_promised_time_wins(district_admin):
    content = csv_bytes(
        JIANGMEN,
        [
            jiangmen_row("0826000000000000001", received="2026-02-12 10:00", kind="咨询", promised="2026-02-27 18:00"),
            jiangmen_row("0826000000000000002", received="2026-02-12 10:00", kind="咨询"),
            jiangmen_row("0826000000000000003", received="2026-02-12 10:00", kind="", categories=("", "", "")),
        ],
    )
    run(district_admin, content, "d.csv")
    due = dict(HotlineOrder.objects.values_list("order_no", "due_on"))
    assert due["0826000000000000001"] == D(2026, 2, 27)
    assert due["0826000000000000002"] == D(2026, 2, 14)
    # neither type nor promised time: a complaint's 15 days are assumed (and the row says so)
    assert due["0826000000000000003"] == D(2026, 3, 11)


def order(state=OrderState.IN_PROGRESS, due: datetime.date | None = None, replied=None):
    return SimpleNamespace(state=state, due_on=due or D(2026, 3, 10), replied_at=replied)


def test_flags_overdue_due_soon_and_ok():
    today = D(2026, 3, 6)  # a Friday: two working days later is Tuesday 03-10
    assert soon_horizon(today) == D(2026, 3, 10)
    assert order_flag(order(due=D(2026, 3, 5)), today) == Flag("overdue", 1)
    assert order_flag(order(due=D(2026, 3, 6)), today) == Flag("due_soon", 0)
    assert order_flag(order(due=D(2026, 3, 10)), today) == Flag("due_soon", 4)
    assert order_flag(order(due=D(2026, 3, 11)), today) == Flag("ok", 5)


def test_answered_orders_are_met_or_late_and_returned_ones_carry_no_flag():
    today = D(2026, 3, 20)
    assert order_flag(order(OrderState.REPLIED, replied=at("2026-03-10", 17)), today) == Flag("met")
    assert order_flag(order(OrderState.REPLIED, replied=at("2026-03-12")), today) == Flag("late", 2)
    assert order_flag(order(OrderState.RETURNED), today) == Flag("none")
