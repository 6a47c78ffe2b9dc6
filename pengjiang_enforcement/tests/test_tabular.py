"""Reading spreadsheets as Chinese offices save them (files built by the tests themselves)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from pengjiang_enforcement.tabular import (
    Column,
    TableError,
    clean_text,
    normalise_header,
    open_table,
    parse_date,
    parse_datetime,
    parse_decimal,
    write_xlsx,
)

COLUMNS = [
    Column("number", ("工单编号", "工单号", "受理编号"), required=True),
    Column("received", ("受理时间", "来件时间")),
    Column("content", ("诉求内容", "市民诉求", "反映内容")),
]


def _csv(text: str, encoding: str) -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def _xlsx(rows: list[list]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_chinese_excel_uses(encoding):
    table = open_table(_csv("工单号,来件时间,市民诉求\nGD001,2026-03-01 09:30,占道经营\n", encoding), COLUMNS)
    rows = list(table)
    assert table.kind == "csv"
    assert rows[0].values == {"number": "GD001", "received": "2026-03-01 09:30", "content": "占道经营"}
    assert rows[0].number == 2


def test_xlsx_with_a_merged_title_row_alias_headers_and_trailing_empty_columns():
    buffer = _xlsx(
        [
            ["江门市12345热线工单导出（2026年3月）", None, None],
            [None, None, None],
            ["受理编号 *", "受理时间", "反映内容", None, None],
            ["ＧＤ００２", dt.datetime(2026, 3, 2, 8, 0), "噪音扰民_x000D_\n夜间施工", None, None],
            [None, None, None, None],
            ["GD003", "2026/3/3", "垃圾", None],
        ]
    )
    table = open_table(buffer, COLUMNS)
    rows = list(table)
    assert table.kind == "xlsx"
    assert table.header_row == 3
    assert [r.number for r in rows] == [4, 6]
    assert rows[0].values["number"] == "ＧＤ００２"  # cleaning keeps the text; callers normalise numbers
    assert rows[0].values["content"] == "噪音扰民\n夜间施工"  # _x000D_ + newline is one line break
    assert rows[0].values["received"] == "2026-03-02 08:00:00"


def test_excel_escapes_in_csv_are_undone():
    table = open_table(_csv('工单编号,诉求内容\nA1,"地址：某路_x000D_\n事项：噪音"\n', "utf-8"), COLUMNS)
    assert next(iter(table)).values["content"] == "地址：某路\n事项：噪音"


def test_unknown_headers_are_reported_and_ignored():
    table = open_table(_csv("工单编号,备注,诉求内容\nA1,x,y\n", "utf-8"), COLUMNS)
    assert table.unknown_headers == ["备注"]
    assert next(iter(table)).values == {"number": "A1", "content": "y"}


def test_missing_required_column_is_named():
    with pytest.raises(TableError) as exc:
        open_table(_csv("受理时间,诉求内容\n2026-01-01,x\n", "utf-8"), COLUMNS)
    assert exc.value.code == "missing_columns"
    assert "工单编号" in exc.value.message


def test_empty_file():
    with pytest.raises(TableError) as exc:
        open_table(io.BytesIO(b""), COLUMNS)
    assert exc.value.code == "empty_file"


def test_a_file_that_is_not_a_spreadsheet():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100)
    with pytest.raises(TableError) as exc:
        open_table(io.BytesIO(png), COLUMNS)
    assert exc.value.code == "not_spreadsheet"


def test_a_zip_that_is_not_a_workbook():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    buffer.seek(0)
    with pytest.raises(TableError) as exc:
        open_table(buffer, COLUMNS)
    assert exc.value.code == "not_spreadsheet"


def test_old_xls_is_explained():
    with pytest.raises(TableError) as exc:
        open_table(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), COLUMNS)
    assert exc.value.code == "old_xls"


def test_text_without_a_known_header():
    with pytest.raises(TableError) as exc:
        open_table(_csv("a,b,c\n1,2,3\n", "utf-8"), COLUMNS)
    assert exc.value.code == "no_header"


def test_an_undecodable_file_is_refused():
    # Bytes that are neither UTF-8 nor GB18030.
    with pytest.raises(TableError) as exc:
        open_table(io.BytesIO(b"\xff\xff\xff\xff,\x81\x30\xff\n"), COLUMNS)
    assert exc.value.code == "unknown_encoding"


def test_semicolon_and_tab_separated_files():
    table = open_table(_csv("工单编号\t诉求内容\nA1\t道路破损\n", "utf-8"), COLUMNS)
    assert next(iter(table)).values == {"number": "A1", "content": "道路破损"}


def test_header_normalisation():
    assert normalise_header(" 工单编号（必填）* ") == "工单编号"
    assert normalise_header("受理_时间") == "受理时间"
    assert clean_text(12.0) == "12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("2026/3/1", dt.date(2026, 3, 1)),
        ("2026年3月1日", dt.date(2026, 3, 1)),
        ("20260301", dt.date(2026, 3, 1)),
        ("２０２６-０３-０１", dt.date(2026, 3, 1)),
        ("2026-03-01 09:30:00", dt.date(2026, 3, 1)),
        (46082, dt.date(2026, 3, 1)),  # an Excel serial number
        ("", None),
    ],
)
def test_dates_in_several_formats(text, expected):
    assert parse_date(text) == expected


def test_unreadable_date_raises():
    with pytest.raises(ValueError):
        parse_date("下周一")


def test_datetimes_are_aware_in_shanghai():
    moment = parse_datetime("2026年3月1日 9时30分")
    assert moment.utcoffset() == dt.timedelta(hours=8)
    assert (moment.hour, moment.minute) == (9, 30)


def test_decimals_with_separators_units_and_full_width_digits():
    assert parse_decimal("1,000元") == Decimal("1000")
    assert parse_decimal("５０００") == Decimal("5000")
    assert parse_decimal("") is None
    with pytest.raises(ValueError):
        parse_decimal("五千")


def test_written_xlsx_reads_back():
    buffer = io.BytesIO()
    count = write_xlsx(buffer, ["工单编号", "诉求内容"], [["A1", "x"], ["A2", ["a", "b"]]], title="导出")
    buffer.seek(0)
    rows = list(open_table(buffer, COLUMNS))
    assert count == 2
    assert [r.values for r in rows] == [{"number": "A1", "content": "x"}, {"number": "A2", "content": "a、b"}]
