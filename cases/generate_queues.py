"""Bulk generation of leads and 12345 work orders (``manage.py generate_cases --leads N --orders N``).

As for cases (``cases.generate``), ids follow the calendar: each day's leads and orders are
spread over the townships by their shares of the caseload, so no township holds a block of ids.
Most rows are old and concluded; a share is open with running deadlines, some overdue. Rows
are written with PostgreSQL ``COPY`` in large batches, each batch committed on its own; from
``REINDEX_FROM`` rows on, the secondary indexes are dropped for the load and built once after it.
"""

from __future__ import annotations

import datetime
import operator
import random
from collections.abc import Callable

from django.db import connection, models, transaction
from django.utils import timezone

from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.models.jobs import JobStatus

from .choices import LeadSource, LeadStatus
from .generate import (
    ACTS,
    ROADS,
    SURNAMES,
    TOWNSHIP_WEIGHTS,
    YEARS_BACK,
    _copy,
    _tsvector,
    bulk_load,
)
from .hotline.choices import OrderState, OrderType, RouteMethod
from .hotline.models import HotlineImport, HotlineOrder
from .models import Lead

LEAD_MIX = [
    (LeadStatus.FILED, 35),
    (LeadStatus.NOT_FILED, 30),
    (LeadStatus.CORRECTION_ONLY, 15),
    (LeadStatus.TRANSFERRED, 8),
    (LeadStatus.CHECKING, 7),
    (LeadStatus.REGISTERED, 5),
]
LEAD_SOURCES = [s for s in LeadSource.values if s != LeadSource.HOTLINE_12345]
ORDER_MIX = [
    (OrderState.REPLIED, 80),
    (OrderState.RETURNED, 5),
    (OrderState.IN_PROGRESS, 8),
    (OrderState.PENDING, 5),
    (OrderState.EXTENSION_REQUESTED, 1),
    (OrderState.RETURN_REQUESTED, 1),
]
ORDER_TYPES = [(OrderType.COMPLAINT, "投诉", 10), (OrderType.REPORT, "举报", 10), (OrderType.HELP, "求助", 15)]
RECENT_DAYS = 60


def _townships() -> tuple[list[Unit], list[int]]:
    townships = list(Unit.objects.townships())
    return townships, [TOWNSHIP_WEIGHTS.get(t.code, 10) for t in townships]


def _dates(rng: random.Random, count: int, mix: list, today: datetime.date, open_states: set) -> list:
    """(moment, state) of ``count`` rows in time order: open ones recent, the others over the years."""
    states = [s for s, _w in mix]
    weights = [w for _s, w in mix]
    span = 365 * YEARS_BACK
    planned = []
    for _ in range(count):
        state = rng.choices(states, weights)[0]
        back = rng.randrange(0, RECENT_DAYS) if state in open_states else rng.randrange(RECENT_DAYS // 2, span)
        day = today - datetime.timedelta(days=back)
        moment = datetime.datetime.combine(day, datetime.time(8)) + datetime.timedelta(minutes=rng.randrange(0, 600))
        planned.append((moment, state))
    planned.sort(key=lambda p: p[0])
    return planned


def _analyze(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def _cell(value):
    """A Python value as COPY's CSV reads it (lists as PostgreSQL arrays)."""
    if isinstance(value, list | tuple):
        return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value) + "}"
    return value


class _Writer:
    """COPY rows of a model given as {attname: value}; every other column takes the model's default.

    The defaults are read once from an unsaved instance, so a field added to the model later is
    filled as a form would fill it, without a change here.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        blank = model()
        now = timezone.now()
        self.columns = [f.column for f in fields]
        self.defaults = {
            f.attname: now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else _cell(getattr(blank, f.attname))
            for f in fields
        }
        self.pick = operator.itemgetter(*(f.attname for f in fields))

    def copy(self, rows: list[dict]) -> int:
        """COPY ``rows`` (their values plain: strings, numbers, dates, None; no lists)."""
        defaults, pick = self.defaults, self.pick
        return _copy(self.table, self.columns, [pick({**defaults, **row}) for row in rows])


def _write(
    model: type[models.Model],
    planned: list[tuple[datetime.datetime, str]],
    row_of: Callable[[int, datetime.datetime, str], dict],
    *,
    batch: int,
    what: str,
    say: Callable[[str], None],
) -> int:
    """COPY one row per planned (moment, state), made by ``row_of(serial, moment, state)`` in plan
    order (so a seed gives the same rows), in batches each committed on its own; return how many."""
    table = model._meta.db_table
    writer = _Writer(model)
    start_no = model._default_manager.count()
    written = 0
    with bulk_load([table], len(planned), say):
        for start in range(0, len(planned), batch):
            chunk = planned[start : start + batch]
            rows = [
                row_of(start_no + start + offset + 1, moment, state) for offset, (moment, state) in enumerate(chunk)
            ]
            with transaction.atomic():
                writer.copy(rows)
            written += len(rows)
            say(f"  {written:,} / {len(planned):,} {what}")
    _analyze(table)
    return written


def generate_leads(*, count: int, seed: int = 2026, batch: int = 50000, say: Callable[[str], None] = print) -> int:
    """Write ``count`` generated leads; return how many were written."""
    rng = random.Random(seed)
    townships, shares = _townships()
    officers = {
        t.pk: list(User.objects.filter(is_active=True, unit__township=t).order_by("pk").values_list("pk", flat=True))
        or [None]
        for t in townships
    }
    today = timezone.localdate()
    open_states = {LeadStatus.REGISTERED, LeadStatus.CHECKING}
    planned = _dates(rng, count, LEAD_MIX, today, open_states)

    def lead(serial: int, moment: datetime.datetime, status: str) -> dict:
        day = moment.date()
        township = rng.choices(townships, shares)[0]
        act = rng.choice(ACTS)
        place = f"{township.short_name}{rng.choice(ROADS)}{rng.randrange(1, 300)}号"
        description = f"巡查发现{place}有{act}行为，现场拍照记录。"
        reference = f"GEN{township.short_name}线索{day.year}-{serial:07d}"
        checker = rng.choice(officers[township.pk])
        concluded = status not in open_states
        reason = f"经核查，{act}情况属实，依法处理。" if concluded else ""
        target = rng.choice([t for t in townships if t.pk != township.pk]) if status == LeadStatus.TRANSFERRED else None
        return {
            "township_id": township.pk,
            "reference": reference,
            "source": rng.choice(LEAD_SOURCES),
            "status": status,
            "discovered_on": day,
            "place": place,
            "description": description,
            "reporter_name": rng.choice(SURNAMES) + "先生",
            "checker_id": checker if status != LeadStatus.REGISTERED else None,
            "check_due": day + datetime.timedelta(days=15),
            "registered_by_id": checker,
            "concluded_by_id": checker if concluded else None,
            "concluded_at": timezone.make_aware(datetime.datetime.combine(day, datetime.time(16)))
            if concluded
            else None,
            "conclusion_reason": reason,
            "transfer_target_id": target.pk if target else None,
            "search_vector": _tsvector(reference, place, description),
        }

    return _write(Lead, planned, lead, batch=batch, what="leads", say=say)


def generate_orders(*, count: int, seed: int = 2026, batch: int = 50000, say: Callable[[str], None] = print) -> int:
    """Write ``count`` generated 12345 work orders, routed to the townships; return how many."""
    rng = random.Random(seed + 1)
    townships, shares = _townships()
    job = HotlineImport.objects.create(original_name="generated.csv", status=JobStatus.DONE)
    today = timezone.localdate()
    open_states = {
        OrderState.PENDING,
        OrderState.IN_PROGRESS,
        OrderState.EXTENSION_REQUESTED,
        OrderState.RETURN_REQUESTED,
    }
    planned = _dates(rng, count, ORDER_MIX, today, open_states)

    def order(serial: int, moment: datetime.datetime, state: str) -> dict:
        day = moment.date()
        township = rng.choices(townships, shares)[0]
        order_type, type_text, days = rng.choice(ORDER_TYPES)
        act = rng.choice(ACTS)
        address = f"江门市蓬江区{township.short_name}{rng.choice(ROADS)}{rng.randrange(1, 300)}号"
        content = f"地址：{address}。事项：{act}，请尽快处理。"
        received = timezone.make_aware(moment)
        due = day + datetime.timedelta(days=days)
        order_no = f"GEN{day:%Y%m%d}{serial:09d}"
        replied = state == OrderState.REPLIED
        return {
            "order_no": order_no,
            "order_no_raw": order_no,
            "title": f"反映{act}",
            "content": content,
            "address": address,
            "matter": act,
            "category_1": type_text,
            "order_type": order_type,
            "order_type_text": type_text,
            "received_at": received,
            "handling_unit": township.name,
            "complainant": rng.choice(SURNAMES) + "女士",
            "phone": "138****5678",
            "content_hash": f"{serial:040d}",
            "search_vector": _tsvector(order_no, act, content),
            "first_import_id": job.pk,
            "last_import_id": job.pk,
            "township_id": township.pk,
            "route_method": RouteMethod.UNIT,
            "state": state,
            "type_days": days,
            "base_due_on": due,
            "due_on": due,
            "reply_text": "已到现场处理，当事人已整改。" if replied else "",
            "replied_at": received + datetime.timedelta(days=3) if replied else None,
            "return_reason": "不属于本镇街职责范围。" if state == OrderState.RETURNED else "",
        }

    return _write(HotlineOrder, planned, order, batch=batch, what="12345 work orders", say=say)
