"""The reply file for the hotline platform: each order's status and answer in the hotline's columns.

The orders come from ``HotlineOrder.objects.restrict(user, "export")``; the file is written by
``tabular.write_xlsx`` in streaming mode, rows fetched in chunks, and stops at ``MAX_ROWS``.
Columns carry the names of the hotline's own export (工单编号, 办件状态, 处理结果, 完成时间…),
so the file can be uploaded back as it is.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from typing import IO

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from pengjiang_enforcement.tabular import write_xlsx
from pengjiang_enforcement.text import halfwidth

from .choices import PLATFORM_STATUS, ReplyKind, RequestKind, RequestStatus
from .models import HotlineOrder, HotlineReply, HotlineRequest

MAX_ROWS = 50000
CHUNK = 2000

# The hotline's column names (the knowledge-base export of domain.md §5.2 (b)).
HEADERS = [
    "工单编号",
    "市级编号",
    "办件状态",
    "处理结果",
    "完成时间",
    "承办单位",
    "承诺完成时间",
    "阶段性答复",
    "延期至",
    "退单原因",
    "是否超期",
]


def platform_number(raw: str) -> str:
    """A number as the platform issued it (its own suffixes kept), in half-width characters without
    spaces: an export typed with full-width digits is answered with the platform's digits."""
    return re.sub(r"\s+", "", halfwidth(raw or ""))


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment else None


def reply_rows(orders: QuerySet[HotlineOrder]):
    """The rows of the reply file, one per order, streamed from the database."""
    replies = HotlineReply.objects.filter(kind=ReplyKind.INTERIM).order_by("-replied_at", "-id")
    extensions = HotlineRequest.objects.filter(kind=RequestKind.EXTENSION, status=RequestStatus.APPROVED)
    rows = (
        orders.select_related("township")
        .prefetch_related(
            Prefetch("replies", queryset=replies, to_attr="interim"),
            Prefetch("requests", queryset=extensions, to_attr="extensions"),
        )
        .order_by("township__sort_order", "received_at", "id")
    )
    today = timezone.localdate()
    for order in rows[:MAX_ROWS].iterator(chunk_size=CHUNK):
        interim = order.interim[0].text if order.interim else ""
        done_on = _local(order.replied_at).date() if order.replied_at else today
        yield [
            platform_number(order.order_no_raw) or order.order_no,
            platform_number(order.city_order_no),
            PLATFORM_STATUS.get(order.state, order.state),
            order.reply_text or interim,
            _local(order.replied_at),
            f"{order.township.name}综合行政执法办公室" if order.township_id else "",
            order.due_on,
            interim,
            order.extended_due_on,
            order.return_reason,
            "是" if done_on > order.due_on else "否",
        ]


def replies_xlsx(orders: QuerySet[HotlineOrder]) -> tuple[IO[bytes], int]:
    """Write the reply file; returns (the file, at its start) and how many rows it holds."""
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by the response)
    count = write_xlsx(handle, HEADERS, reply_rows(orders), title="12345", widths=[22, 16, 10, 60, 18, 28, 14])
    handle.seek(0)
    return handle, count
