"""Hostile files through the kernel's readers: refused with the bound they passed, memory bounded.

Each file is built byte by byte (``hostile_files``); the peak of the memory Python allocates while
it is read is measured with tracemalloc and must stay far below what the file would unpack to.
"""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from pengjiang_enforcement.tabular import Column, TableError, detect_kind, open_table
from pengjiang_enforcement.tabular_limits import WorkbookArchive, column_index

from . import hostile_files as hf
from .hostile_files import MB, NS, Workbook, inline_row, repeated, sheet_head, sheet_of

COLUMNS = [
    Column("number", ("工单编号",), required=True),
    Column("received", ("受理时间",)),
    Column("content", ("诉求内容",)),
]
# What a refusal may cost at most, whatever the file would unpack to.
PEAK_LIMIT = 64 * MB


def read_all(content: bytes) -> list[Any]:
    return [row.values for row in open_table(io.BytesIO(content), COLUMNS)]


def peak_of(action: Callable[[], Any]) -> tuple[int, Any]:
    """(peak bytes allocated, the TableError raised or the result)."""
    tracemalloc.start()
    try:
        try:
            outcome: Any = action()
        except TableError as exc:
            outcome = exc
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


def refused(content: bytes, code: str, *, reader: Callable[[bytes], Any] = read_all) -> TableError:
    peak, outcome = peak_of(lambda: reader(content))
    assert isinstance(outcome, TableError), outcome
    assert outcome.code == code, outcome.message
    assert peak < PEAK_LIMIT, f"{peak / MB:.1f} MB"
    return outcome


# --- the archive -----------------------------------------------------------------------------
def test_a_part_compressed_past_the_ratio_is_refused_before_it_is_unpacked():
    bomb = repeated(sheet_head() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>', b"A", 300 * MB, b"</t></is></c></row>"
                    + hf.SHEET_TAIL)  # fmt: skip
    content = Workbook(sheet=bomb).build()
    assert len(content) < 2 * MB
    error = refused(content, "suspicious_xlsx")
    assert "100" in error.message
    with pytest.raises(TableError) as at_detection:
        detect_kind(io.BytesIO(content))  # an upload is refused before its job starts
    assert at_detection.value.code == "suspicious_xlsx"


def test_parts_that_unpack_past_the_total_are_refused(settings):
    settings.TABLE_MAX_RATIO = 10**6
    parts = []
    for index in range(3):
        part = repeated(b"<x>", b"A", 400 * MB, b"</x>")
        part.name = f"xl/media/image{index}.png"
        parts.append(part)
    refused(Workbook(extra=parts).build(), "too_large")


def test_a_part_that_lies_about_its_size_is_unpacked_only_to_its_declared_size(settings):
    settings.TABLE_MAX_RATIO = 10**6
    liar = repeated(sheet_head() + inline_row(1).encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>', b"A",
                    300 * MB, b"</t></is></c></row>" + hf.SHEET_TAIL)  # fmt: skip
    liar.size = 512 * 1024  # declared: half a megabyte
    refused(Workbook(sheet=liar).build(), "damaged_xlsx")


def test_an_archive_of_too_many_parts_is_refused_before_its_directory_is_read():
    refused(Workbook().build(entries=200_000), "suspicious_xlsx")
    refused(Workbook().build(directory_size=500 * MB), "suspicious_xlsx")


def test_compression_excel_does_not_use_is_refused():
    workbook = Workbook()
    workbook.sheet.method = 12  # bzip2: unpacked in one piece, whatever its size
    refused(workbook.build(), "suspicious_xlsx")


def test_a_truncated_workbook_is_damaged_not_another_kind_of_zip():
    content = hf.good_workbook()
    for cut in (len(content) // 2, len(content) - 10, 40):
        with pytest.raises(TableError) as error:
            detect_kind(io.BytesIO(content[:cut]))
        assert error.value.code == "damaged_xlsx"
        assert "已损坏" in error.value.message


def test_a_zip_that_is_not_a_workbook_is_still_named_so():
    part = hf.deflated(b"hello")
    part.name = "readme.txt"
    with pytest.raises(TableError) as error:
        detect_kind(io.BytesIO(hf.zip_bytes([part])))
    assert error.value.code == "not_spreadsheet"


def test_the_guarded_archive_reads_a_real_workbook():
    with WorkbookArchive(io.BytesIO(hf.good_workbook())) as archive:
        assert "xl/worksheets/sheet1.xml" in archive.namelist()
    assert read_all(hf.good_workbook(3))[2]["number"] == "0750202603020000004"


# --- the sheet -------------------------------------------------------------------------------
def test_a_declared_dimension_of_a_million_rows_and_16384_columns_is_ignored():
    content = Workbook(sheet=sheet_of(inline_row(1) + inline_row(2, ("GD1", "2026-03-02", "占道")),
                                      dimension="A1:XFD1048576")).build()  # fmt: skip
    peak, rows = peak_of(lambda: read_all(content))
    assert rows == [{"number": "GD1", "received": "2026-03-02", "content": "占道"}]
    assert peak < 16 * MB, f"{peak / MB:.1f} MB"


def test_a_row_at_the_bottom_of_the_sheet_is_read_without_the_rows_above_being_kept():
    content = Workbook(sheet=sheet_of(inline_row(1) + inline_row(300_000, ("GD9", "", "")))).build()
    peak, rows = peak_of(lambda: list(open_table(io.BytesIO(content), COLUMNS)))
    assert [(row.number, row.values["number"]) for row in rows] == [(300_000, "GD9")]
    assert peak < 16 * MB, f"{peak / MB:.1f} MB"


def test_a_row_number_past_excel_is_damaged():
    refused(Workbook(sheet=sheet_of(inline_row(1) + inline_row(9_999_999_999))).build(), "damaged_xlsx")


@pytest.mark.parametrize("reference", ["XFD2", "AAAAAAAAAAAAAAAAAAAA2", "ALM2"])
def test_a_cell_past_the_column_limit_is_refused(reference):
    cell = f'<row r="2"><c r="{reference}"><v>1</v></c></row>'
    error = refused(Workbook(sheet=sheet_of(inline_row(1) + cell)).build(), "too_many_columns")
    assert "1,000" in error.message


def test_column_references():
    assert [column_index(r) for r in ("A1", "Z9", "AA1", "ALL3", "XFD1")] == [0, 25, 26, 999, 16383]
    assert column_index("ABCD1") > 16384


def test_a_cell_past_the_cell_limit_is_refused_while_it_is_read(settings):
    settings.TABLE_MAX_RATIO = 10**6  # the ratio would refuse it first: the sheet's own bound is tested
    bomb = repeated(sheet_head() + inline_row(1).encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                    "占道".encode(), 200 * MB, b"</t></is></c></row>" + hf.SHEET_TAIL)  # fmt: skip
    error = refused(Workbook(sheet=bomb).build(), "cell_too_long")
    assert "4,000,000" in error.message


def test_rows_past_the_text_limit_are_refused(settings):
    settings.TABLE_MAX_RATIO = 10**6
    settings.TABLE_MAX_FILE_CHARS = 1_000_000
    row = inline_row(2, ("GD1", "2026-03-02", "噪" * 100_000)).replace('r="2"', "").replace('r="A2"', "")
    error = refused(Workbook(sheet=sheet_of(inline_row(1) + row * 20)).build(), "text_too_long")
    assert "1,000,000" in error.message


def test_an_attribute_of_hundreds_of_megabytes_is_refused_before_expat_holds_it(settings):
    settings.TABLE_MAX_RATIO = 10**6
    bomb = repeated(sheet_head() + inline_row(1).encode() + b'<row r="2" x="', b"A", 200 * MB, b'"/>' + hf.SHEET_TAIL)
    error = refused(Workbook(sheet=bomb).build(), "suspicious_xlsx")
    assert "16" in error.message


# --- shared strings --------------------------------------------------------------------------
def test_a_declared_count_of_shared_strings_is_refused_before_one_is_read():
    strings = hf.deflated(f'<sst xmlns="{NS}" count="50000000" uniqueCount="50000000"><si><t>a</t></si></sst>'.encode())
    error = refused(Workbook(strings=strings).build(), "too_many_strings")
    assert "1,000,000" in error.message


def test_more_shared_strings_than_declared_are_counted_as_read(settings):
    settings.TABLE_MAX_RATIO = 10**6
    settings.TABLE_MAX_SHARED_STRINGS = 10_000
    strings = repeated(f'<sst xmlns="{NS}" count="1" uniqueCount="1">'.encode(), b"<si><t>a</t></si>", 3 * MB,
                       b"</sst>")  # fmt: skip
    refused(Workbook(strings=strings).build(), "too_many_strings")


def test_shared_strings_past_their_text_limit_are_refused(settings):
    settings.TABLE_MAX_RATIO = 10**6
    strings = repeated(f'<sst xmlns="{NS}"><si><t>'.encode(), b"A", 200 * MB, b"</t></si></sst>")
    refused(Workbook(strings=strings).build(), "text_too_long")


def test_one_shared_string_repeated_in_every_cell_is_bounded_by_the_text_limit(settings):
    """Amplification: one 3.9-million-character string, referenced by 100,000 cells."""
    settings.TABLE_MAX_RATIO = 10**6
    strings = hf.deflated(f'<sst xmlns="{NS}" count="2" uniqueCount="2"><si><t>工单编号</t></si><si><t>'.encode()
                          + ("噪" * 3_900_000).encode() + b"</t></si></sst>")  # fmt: skip
    rows = repeated(sheet_head() + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                    b'<row><c t="s"><v>1</v></c></row>', 3 * MB, hf.SHEET_TAIL)  # fmt: skip
    error = refused(Workbook(sheet=rows, strings=strings).build(), "text_too_long")
    assert "100,000,000" in error.message


# --- CSV -------------------------------------------------------------------------------------
def test_a_csv_line_past_the_limit_is_refused_before_it_is_read_whole():
    content = "工单编号,受理时间\n".encode() + b"a," * (5 * MB) + b"\n"
    refused(content, "cell_too_long")


def test_a_csv_field_past_the_cell_limit_is_refused():
    content = "工单编号,受理时间\n".encode() + b'"' + (b"a" * 999 + b"\n") * 4100 + b'",1\n'
    refused(content, "cell_too_long")


def test_a_csv_row_past_the_column_limit_is_refused():
    refused("工单编号,受理时间\n".encode() + b"1," * 2000 + b"\n", "too_many_columns")


def test_a_csv_past_the_row_limit_is_refused(settings):
    settings.TABLE_MAX_ROWS = 1000
    error = refused("工单编号,受理时间\n".encode() + b"GD1,2026-03-02\n" * 1001, "too_many_rows")
    assert "1,000" in error.message


def test_empty_rows_do_not_count_as_rows(settings):
    settings.TABLE_MAX_ROWS = 10
    rows = read_all("工单编号,受理时间\n".encode() + b",\n" * 100 + b"GD1,2026-03-02\n")
    assert rows == [{"number": "GD1", "received": "2026-03-02"}]


def test_a_cell_of_1_7_million_characters_is_still_read():
    """The row-level limit (``IMPORT_MAX_CELL_CHARS``) makes it an error of its row, not of the file."""
    cell = "噪" * 1_750_000
    rows = read_all(f"工单编号,诉求内容\nGD1,{cell}\nGD2,x\n".encode())
    assert [len(r["content"]) for r in rows] == [1_750_000, 1]
