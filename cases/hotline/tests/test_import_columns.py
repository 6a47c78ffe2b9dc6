"""What the columns of a 12345 export say: the type column feeds the type, 事项分类一级 the first
level; numbers go back to the platform as it issued them; Excel's early dates are read as Excel
shows them."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from cases.hotline.choices import RawRowStatus
from cases.hotline.export import reply_rows
from cases.hotline.models import HotlineOrder, HotlineRawRow
from cases.hotline.rows import describe
from cases.hotline.xlsx import read_rows
from pengjiang_enforcement.tabular import open_table

from .support import csv_bytes, read, run

pytestmark = pytest.mark.django_db

RECEIVED = timezone.localdate().isoformat() + " 09:00"
BODY = "地址：江门市蓬江区杜阮镇杜阮北路12号。事项：商户占道经营。"


def test_the_type_column_feeds_the_type_and_the_first_level_its_own_column(district_admin):
    header = ["工单编号", "受理时间", "诉求类型", "事项分类一级", "事项分类二级", "市民诉求", "承办单位"]
    row = ["0826081308493182401", RECEIVED, "咨询", "城市管理", "市容环境", BODY, "杜阮镇人民政府"]
    job = run(district_admin, csv_bytes(header, [row]), "types.csv")
    order = HotlineOrder.objects.get()
    assert (order.order_type, order.category_1, order.category_2) == ("consultation", "城市管理", "市容环境")
    assert job.unknown_headers == []
    assert job.columns["order_type"] == 2 and job.columns["category_1"] == 3


def test_the_first_named_alias_wins_whatever_the_order_of_the_columns(district_admin):
    header = ["工单编号", "受理时间", "一级分类", "事项分类一级", "市民诉求"]
    row = ["0826081308493182401", RECEIVED, "旧分类", "城市管理", BODY]
    job = run(district_admin, csv_bytes(header, [row]), "levels.csv")
    assert HotlineOrder.objects.get().category_1 == "城市管理"
    assert job.unknown_headers == ["一级分类"]


def test_the_reply_file_carries_the_platforms_number_in_half_width_digits(district_admin):
    header = ["工单编号", "市级编号", "受理时间", "市民诉求", "承办单位"]
    full_width = "０８２６０８１３０８４９３１８２４０１－ＨＢＤ"
    run(district_admin, csv_bytes(header, [[full_width, "ＳＪ２０２６００１", RECEIVED, BODY, "杜阮镇"]]), "fw.csv")
    order = HotlineOrder.objects.get()
    assert order.order_no == "0826081308493182401"
    number, city = next(reply_rows(HotlineOrder.objects.all()))[:2]
    assert (number, city) == ("0826081308493182401-HBD", "SJ2026001")
    # The platform's own digits match the same order on the next import.
    job = run(district_admin, csv_bytes(header, [[number, city, RECEIVED, BODY, "杜阮镇"]]), "hw.csv")
    assert HotlineOrder.objects.count() == 1 and job.result["created"] == 0


# --- Excel's 1900 date system -----------------------------------------------------------------
def _serials_workbook(*serials: float) -> bytes:
    """Date cells stored as serial numbers, as Excel stores them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工单编号", "受理时间", "市民诉求"])
    for index, serial in enumerate(serials, start=1):
        sheet.append([f"082608130849318240{index}", serial, BODY])
        sheet.cell(row=index + 1, column=2).number_format = "yyyy-mm-dd hh:mm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


EXCEL_SHOWS = [
    datetime.datetime(1900, 1, 1),
    datetime.datetime(1900, 2, 28, 12, 0),
    "1900-02-29",
    datetime.datetime(1900, 3, 1),
    datetime.datetime(2026, 3, 2, 9, 30),
]
SERIALS = (1, 59.5, 60, 61, 46083.395833333336)


def test_the_fast_reader_reads_early_serials_as_excel_shows_them():
    _title, rows, archive = read_rows(io.BytesIO(_serials_workbook(*SERIALS)))
    with archive:
        assert [row[1] for row in list(rows)[1:]] == EXCEL_SHOWS


def test_the_openpyxl_reader_reads_early_serials_as_excel_shows_them():
    from cases.hotline.parsing import HOTLINE_COLUMNS

    table = open_table(io.BytesIO(_serials_workbook(*SERIALS)), HOTLINE_COLUMNS)
    assert [row.raw[1] for row in table] == EXCEL_SHOWS


def test_the_29th_of_february_1900_is_an_error_of_its_row(district_admin):
    job = read(district_admin, _serials_workbook(60, 46083.395833333336))
    row = HotlineRawRow.objects.get(job=job, row_number=2)
    assert row.status == RawRowStatus.INVALID
    assert [e["code"] for e in row.errors] == ["bad_received"]
    assert "1900-02-29" in describe(row.errors[0])
    assert HotlineRawRow.objects.get(job=job, row_number=3).status == RawRowStatus.VALID
