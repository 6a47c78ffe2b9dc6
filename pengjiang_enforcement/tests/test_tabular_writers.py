"""The one XLSX writer and the one CSV writer: text that begins like a formula is written as text,
characters XML cannot carry are removed, numbers and dates are left as they are."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pengjiang_enforcement.tabular import XLSX_MAX_CELL_CHARS, stream_csv, write_xlsx

HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "\r=1"]
HOSTILE += ["警\x07报", "\x1b[31m红", "零\x00字", "半\ud800代"]  # NUL and a lone surrogate too
CLEAN = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "\r=1", "警报", "[31m红", "零字", "半代"]


def _xlsx(headers, rows, **kwargs) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, **kwargs)
    return buffer.getvalue()


def test_write_xlsx_writes_formula_text_as_text_and_drops_what_xml_cannot_carry():
    day = datetime.date(2026, 3, 2)
    moment = datetime.datetime(2026, 3, 2, 9, 30)
    content = _xlsx(["名称", "数", "日"], [[text, 12, day] for text in HOSTILE] + [[-1, Decimal("2.5"), moment]],
                    preamble=[["=1+1"]], title="=表\x07")  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.title == "=表"
    cells = list(sheet.iter_rows())
    assert cells[0][0].value == "=1+1" and cells[0][0].data_type == "s"
    assert [row[0].value for row in cells[2:-1]] == [t.replace("\r", "\n") if t.startswith("\r") else t for t in CLEAN]
    assert all(cell.data_type != "f" for row in cells for cell in row)
    assert not any(isinstance(c.value, str) and ILLEGAL_CHARACTERS_RE.search(c.value) for row in cells for c in row)
    assert [c.value for c in cells[2][1:]] == [12, datetime.datetime(2026, 3, 2)]
    assert [c.value for c in cells[-1]] == [-1, 2.5, moment]  # numbers stay numbers, negative ones too


def test_write_xlsx_cuts_a_cell_at_excels_limit():
    sheet = openpyxl.load_workbook(io.BytesIO(_xlsx(["长"], [["长" * 40_000]]))).active
    assert len(sheet["A2"].value) == XLSX_MAX_CELL_CHARS


def test_stream_csv_prefixes_formula_text_and_drops_what_xml_cannot_carry():
    moment = datetime.datetime(2026, 3, 2, 9, 30)
    content = b"".join(stream_csv(["名称", "数"], [[text, -1] for text in HOSTILE] + [[None, moment]],
                                  preamble=[["@notice"]]))  # fmt: skip
    assert content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["'@notice"] and rows[1] == ["名称", "数"]
    expected = ["'" + t if t[0] in "=+-@\t\r" else t for t in CLEAN]
    assert [row[0] for row in rows[2:-1]] == expected
    assert [row[1] for row in rows[2:-1]] == ["-1"] * len(HOSTILE)  # a number is not text
    assert rows[-1] == ["", "2026-03-02 09:30:00"]
    assert not any(ILLEGAL_CHARACTERS_RE.search(field) for row in rows for field in row)
