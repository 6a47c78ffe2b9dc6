"""Export files for the 12345 tests, built by the tests themselves: the Jiangmen template, the
18-column knowledge-base template, CSV in UTF-8 (with and without BOM) and GBK, XLSX with a
merged title row, ``_x000D_`` artefacts, full-width digits and trailing empty columns."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.hotline import applying, importing
from cases.hotline.choices import ImportStatus
from cases.hotline.models import HotlineImport, HotlineOrder

# The Jiangmen (江海) template's columns, with the handling unit and promised time added.
JIANGMEN = ["工单编号", "受理时间", "诉求标题", "事项分类一级", "事项分类二级", "事项分类三级", "事项分类四级",
            "市民诉求", "承办单位", "诉求人", "联系电话", "办件状态", "承诺完成时间"]  # fmt: skip
# The 18 columns of the knowledge-base export (domain.md §5.2 (b)).
KNOWLEDGE_BASE = ["序号", "办件编号", "办件来源", "市级编号", "诉求主题", "诉求内容", "办理单位", "办理科室", "诉求人",
                  "诉求人电话", "处理结果", "事项大类", "事项小类", "派发时间", "承诺完成时间", "办件状态", "派单员",
                  "预警状态"]  # fmt: skip


def jiangmen_row(
    number: str,
    *,
    received: Any = "2026-03-02 09:30",
    title: str = "[粤省心]（蓬江）反映占道经营问题",
    kind: str = "投诉",
    body: str = "地址：江门市蓬江区杜阮镇杜阮北路12号门口。_x000D_\n事项：商户占用人行道摆卖水果。",
    unit: str = "杜阮镇人民政府",
    person: str = "李女士",
    phone: str = "138****5678",
    status: str = "办理中",
    promised: Any = "",
    categories: Sequence[str] = ("城市管理", "市容环境", "占道经营"),
) -> list[Any]:
    c2, c3, c4 = [*categories, "", "", ""][:3]
    return [number, received, title, kind, c2, c3, c4, body, unit, person, phone, status, promised]


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return text.getvalue().encode(encoding)


def xlsx_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = "12345工单导出", trailing: int = 2
) -> bytes:
    """An XLSX as Excel users make it: a merged title row above the header, empty columns after."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append([*headers, *[None] * trailing])
    for row in rows:
        sheet.append([*row, *[None] * trailing])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "export.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def read(actor, content: bytes, name: str = "export.xlsx") -> HotlineImport:
    """Upload and read a file synchronously (the task's body), up to the preview."""
    job = importing.import_upload(actor=actor, file=upload(content, name))
    importing.import_read(job.pk)
    job.refresh_from_db()
    return job


def run(actor, content: bytes, name: str = "export.xlsx") -> HotlineImport:
    """Upload, read, confirm and apply a file synchronously."""
    job = read(actor, content, name)
    assert job.status == ImportStatus.PREVIEWED, (job.status, job.error_message)
    importing.import_confirm(job=job, actor=actor)
    applying.import_apply(job.pk)
    job.refresh_from_db()
    return job


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


@pytest.fixture
def make_orders(district_admin):
    """Orders imported through the real pipeline: ``make_orders(3, unit="", body=...)``."""
    counter = iter(range(1, 100000))
    received = (timezone.localdate() - datetime.timedelta(days=3)).isoformat() + " 09:00"

    def make(count: int = 1, **fields: Any) -> list[HotlineOrder]:
        numbers = [f"0826{next(counter):015d}" for _ in range(count)]
        fields.setdefault("received", received)
        run(district_admin, csv_bytes(JIANGMEN, [jiangmen_row(n, **fields) for n in numbers]), "o.csv")
        by_number = HotlineOrder.objects.in_bulk(numbers, field_name="order_no")
        return [by_number[n] for n in numbers]

    return make
