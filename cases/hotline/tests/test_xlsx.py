"""The fast XLSX reader gives what openpyxl gives: values, dates, gaps, strings of both kinds."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from cases.hotline.xlsx import read_rows
from pengjiang_enforcement.tabular import TableError, write_xlsx

from .support import JIANGMEN, jiangmen_row, xlsx_bytes


def trimmed(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    return out


def openpyxl_rows(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return trimmed(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def fast_rows(content: bytes):
    _title, rows, archive = read_rows(io.BytesIO(content))
    try:
        return trimmed(rows)
    finally:
        archive.close()


def shared_strings_workbook() -> bytes:
    """openpyxl's normal mode writes shared strings, as Excel does; with gaps and odd types."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "12345工单导出"
    sheet.merge_cells("A1:D1")
    sheet.append(["工单编号", "受理时间", "数量", "已办结"])
    sheet.append(["0826081308493182401", datetime.datetime(2026, 2, 12, 9, 30), 3, True])
    sheet.append(["0826081308493182402", datetime.date(2026, 2, 13), 2.5, False])
    sheet["A7"] = "隔了两行"  # rows 5 and 6 are missing from the XML
    sheet["D7"] = "=1+1"
    sheet["C8"] = 20260212
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_shared_strings_dates_numbers_booleans_and_gaps_read_as_openpyxl_does():
    content = shared_strings_workbook()
    assert fast_rows(content) == openpyxl_rows(content)
    rows = fast_rows(content)
    assert rows[2][1] == datetime.datetime(2026, 2, 12, 9, 30)
    assert rows[4] == [] and rows[5] == []  # the missing rows keep the row numbers


def test_inline_strings_of_a_streamed_workbook():
    content = xlsx_bytes(JIANGMEN, [jiangmen_row("0826081308493182401", received=datetime.datetime(2026, 3, 2, 9, 30))])
    assert fast_rows(content) == openpyxl_rows(content)
    buffer = io.BytesIO()
    write_xlsx(buffer, ["a", "b"], [["文本_x000D_\n第二行", 1.25], [None, "x"]])
    assert fast_rows(buffer.getvalue()) == openpyxl_rows(buffer.getvalue())


def test_what_it_cannot_read_is_said():
    with pytest.raises(TableError) as refused:
        read_rows(io.BytesIO(b"PK\x03\x04not really"))  # cut short: no directory
    assert refused.value.code == "damaged_xlsx"
    content = bytearray(xlsx_bytes(JIANGMEN, [jiangmen_row("1")]))
    import zipfile

    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    _title, rows, archive = read_rows(io.BytesIO(broken.getvalue()))
    with pytest.raises(TableError):
        list(rows)
    archive.close()
