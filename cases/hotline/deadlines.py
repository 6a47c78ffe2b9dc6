"""The hotline's clock: the reply deadline of a work order, and its flags.

《广东省12345政务服务便民热线管理办法》 (in force 2022-09-01; domain.md §5.1): from receipt,
咨询 within 2 working days, 求助 and 建议 within 10, 投诉 and 举报 within 15. An export that
gives the order's own promised time (承诺完成时间) overrides the default. Working days come from
the portal's calendar (holidays, 调休 make-up days and local overrides); the day of receipt is not
counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from pengjiang_enforcement.workdays import add_working_days

from .parsing import TYPE_DEADLINE_WORKING_DAYS

# When the export says neither the type nor a promised time we assume the longest default (a
# complaint or report: what reaches an enforcement office) and say so on the row as a warning.
ASSUMED_TYPE = "complaint"
# An open order is "due soon" when its deadline is within this many working days.
DUE_SOON_WORKING_DAYS = 2


def type_working_days(order_type: str) -> int:
    """Working days the hotline allows for a type (the assumed type's when unknown)."""
    return TYPE_DEADLINE_WORKING_DAYS.get(order_type) or TYPE_DEADLINE_WORKING_DAYS[ASSUMED_TYPE]


def reply_due_on(
    *, received_at: datetime.datetime, order_type: str, promised_at: datetime.datetime | None
) -> datetime.date:
    """The hotline deadline of one order (see the module docstring)."""
    if promised_at is not None:
        return timezone.localtime(promised_at).date()
    return add_working_days(timezone.localtime(received_at).date(), type_working_days(order_type))


class DueDateMemo:
    """``reply_due_on`` for an import: each (day received, working days) is computed once.

    An export spans a few hundred days at most, so a 100,000-row file needs a few hundred
    calendar walks instead of 100,000.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple[datetime.date, int], datetime.date] = {}

    def due_on(self, received_on: datetime.date, days: int) -> datetime.date:
        key = (received_on, days)
        due = self._memo.get(key)
        if due is None:
            due = self._memo[key] = add_working_days(received_on, days)
        return due


@dataclass(frozen=True)
class Flag:
    """Overdue / due soon / ok for open orders; met / late for answered ones; none otherwise."""

    code: str
    days: int | None = None


def soon_horizon(today: datetime.date) -> datetime.date:
    """The last day that still counts as "due soon" seen from ``today``."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS)


def order_flag(order, today: datetime.date, horizon: datetime.date | None = None) -> Flag:
    """The deadline flag of an order (``horizon`` from :func:`soon_horizon`, passed in for lists)."""
    from .choices import OPEN_STATES, OrderState

    if order.state in OPEN_STATES:
        days = (order.due_on - today).days
        if days < 0:
            return Flag("overdue", -days)
        if order.due_on <= (horizon or soon_horizon(today)):
            return Flag("due_soon", days)
        return Flag("ok", days)
    if order.state == OrderState.REPLIED and order.replied_at:
        late = (timezone.localtime(order.replied_at).date() - order.due_on).days
        return Flag("late", late) if late > 0 else Flag("met")
    return Flag("none")
