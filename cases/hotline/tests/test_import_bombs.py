"""Memory bombs through a whole 12345 import: refused at upload when the archive shows it, else the
job fails with the reason, keeps no row of the file, and the worker's memory stays bounded."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from cases.hotline import importing
from cases.hotline.choices import ImportStatus
from cases.hotline.models import HotlineImport, HotlineRawRow
from cases.hotline.xlsx import read_rows
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.tabular import TableError
from pengjiang_enforcement.tests import hostile_files as hf
from pengjiang_enforcement.tests.hostile_files import MB, NS, Workbook, inline_row, repeated, sheet_head, sheet_of

from .support import JIANGMEN, csv_bytes, jiangmen_row, read, upload

pytestmark = pytest.mark.django_db

PEAK_LIMIT = 64 * MB
HEADER = tuple(JIANGMEN[:3])


def _row(number: int, order_no: str, text: str = "占道经营") -> str:
    return inline_row(number, (order_no, "2026-03-02 09:00", text))


def _read_measured(actor, content: bytes) -> tuple[HotlineImport, int]:
    tracemalloc.start()
    try:
        job = read(actor, content)
        return job, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _failed(actor, content: bytes, code: str, *, peak_limit: int = PEAK_LIMIT) -> HotlineImport:
    job, peak = _read_measured(actor, content)
    assert job.status == ImportStatus.FAILED, job.status
    assert job.error_code == code, job.error_message
    assert not HotlineRawRow.objects.filter(job=job).exists()
    assert job.rows_read == 0 and job.read_cursor == 0
    assert peak < peak_limit, f"{peak / MB:.1f} MB"
    return job


def _refused_at_upload(actor, content: bytes) -> str:
    with pytest.raises(RuleViolation) as refused:
        importing.import_upload(actor=actor, file=upload(content))
    assert not HotlineImport.objects.exists()
    return refused.value.rule


def test_hotline_import_suspicious_xlsx(district_admin):
    """A 300 MB sheet packed a thousand times is refused at upload, before anything unpacks it."""
    bomb = repeated(sheet_head() + inline_row(1, HEADER).encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                    b"A", 300 * MB, b"</t></is></c></row>" + hf.SHEET_TAIL)  # fmt: skip
    assert _refused_at_upload(district_admin, Workbook(sheet=bomb).build()) == "hotline_import_suspicious_xlsx"


def test_hotline_import_too_large(district_admin, settings):
    settings.TABLE_MAX_UNZIPPED_BYTES = 10 * MB
    big = repeated(sheet_head() + inline_row(1, HEADER).encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                   "占道经营，".encode(), 12 * MB, b"</t></is></c></row>" + hf.SHEET_TAIL)  # fmt: skip
    assert _refused_at_upload(district_admin, Workbook(sheet=big).build()) == "hotline_import_too_large"


def test_hotline_import_damaged_xlsx(district_admin):
    """A workbook cut short is a damaged workbook, not "a ZIP that is not an Excel file"."""
    content = Workbook(sheet=sheet_of(inline_row(1, HEADER) + _row(2, "0750202603020000001"))).build()
    assert _refused_at_upload(district_admin, content[: len(content) // 2]) == "hotline_import_damaged_xlsx"


def test_a_workbook_damaged_inside_fails_its_job_as_damaged(district_admin):
    sheet = sheet_of(inline_row(1, HEADER) + _row(2, "0750202603020000001"))
    sheet.packed = sheet.packed[:-8] + b"\x00" * 8
    job = _failed(district_admin, Workbook(sheet=sheet).build(), "damaged_xlsx")
    assert "损坏" in job.error_message


def test_a_declared_count_of_shared_strings_fails_the_job_before_one_is_read(district_admin):
    strings = hf.deflated(f'<sst xmlns="{NS}" uniqueCount="90000000"><si><t>x</t></si></sst>'.encode())
    content = Workbook(sheet=sheet_of(inline_row(1, HEADER)), strings=strings).build()
    _failed(district_admin, content, "too_many_strings")


def test_a_cell_past_the_columns_after_a_committed_batch_leaves_no_row(district_admin):
    """The bound is passed after the first batch was written: the job keeps no row of the file."""
    rows = "".join(_row(n, f"07502026030200{n:05d}") for n in range(2, importing.BATCH_ROWS + 100))
    far = f'<row r="{importing.BATCH_ROWS + 200}"><c r="XFD{importing.BATCH_ROWS + 200}"><v>1</v></c></row>'
    _failed(district_admin, Workbook(sheet=sheet_of(inline_row(1, HEADER) + rows + far)).build(), "too_many_columns")


def test_one_shared_string_in_every_row_fails_on_the_text_limit(district_admin, settings):
    """Rows of 3 million characters each: batches are written every few rows (``BATCH_CHARS``), so
    the worker holds a few such rows, and their text for COPY, at a time."""
    settings.TABLE_MAX_RATIO = 10**6  # the ratio would refuse it at upload: the reader's bound is tested
    settings.TABLE_MAX_FILE_CHARS = 30_000_000
    strings = hf.deflated(f'<sst xmlns="{NS}" count="2" uniqueCount="2"><si><t>工单编号</t></si><si><t>'.encode()
                          + ("噪" * 3_000_000).encode() + b"</t></si></sst>")  # fmt: skip
    rows = repeated(sheet_head() + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                    b'<row><c t="s"><v>1</v></c></row>', 2 * MB, hf.SHEET_TAIL)  # fmt: skip
    _failed(district_admin, Workbook(sheet=rows, strings=strings).build(), "text_too_long", peak_limit=160 * MB)


def test_a_declared_dimension_of_the_whole_sheet_imports_what_is_there(district_admin):
    sheet = sheet_of(inline_row(1, HEADER) + _row(2, "0750202603020000001"), dimension="A1:XFD1048576")
    job, peak = _read_measured(district_admin, Workbook(sheet=sheet).build())
    assert job.status == ImportStatus.PREVIEWED, job.error_message
    assert HotlineRawRow.objects.filter(job=job).count() == 1
    assert peak < PEAK_LIMIT, f"{peak / MB:.1f} MB"


def test_the_fast_reader_gives_the_gap_of_a_far_row_one_row_at_a_time():
    content = Workbook(sheet=sheet_of(inline_row(1, HEADER) + _row(1_000_000, "0750202603020000001"))).build()
    tracemalloc.start()
    try:
        _title, rows, archive = read_rows(io.BytesIO(content))
        count = sum(1 for _ in rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    archive.close()
    assert count == 1_000_000
    assert peak < 16 * MB, f"{peak / MB:.1f} MB"


def test_the_fast_reader_refuses_a_cell_past_the_cell_limit_while_reading(settings):
    settings.TABLE_MAX_RATIO = 10**6
    bomb = repeated(sheet_head() + inline_row(1, HEADER).encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                    "占道".encode(), 200 * MB, b"</t></is></c></row>" + hf.SHEET_TAIL)  # fmt: skip
    _title, rows, archive = read_rows(io.BytesIO(Workbook(sheet=bomb).build()))
    tracemalloc.start()
    try:
        with pytest.raises(TableError) as refused:
            list(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    archive.close()
    assert refused.value.code == "cell_too_long"
    assert peak < PEAK_LIMIT, f"{peak / MB:.1f} MB"


def test_the_fast_reader_refuses_an_attribute_of_hundreds_of_megabytes(settings):
    settings.TABLE_MAX_RATIO = 10**6
    bomb = repeated(sheet_head() + inline_row(1, HEADER).encode() + b'<row r="2" x="', b"A", 200 * MB,
                    b'"/>' + hf.SHEET_TAIL)  # fmt: skip
    _title, rows, archive = read_rows(io.BytesIO(Workbook(sheet=bomb).build()))
    tracemalloc.start()
    try:
        with pytest.raises(TableError) as refused:
            list(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    archive.close()
    assert refused.value.code == "suspicious_xlsx"
    assert peak < PEAK_LIMIT, f"{peak / MB:.1f} MB"


def test_a_batch_is_written_once_its_rows_hold_enough_text(district_admin, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_CHARS", 25_000)
    rows = [jiangmen_row(f"07502026030200{n:05d}", body="占道" * 5_000) for n in range(1, 6)]
    job = importing.import_upload(actor=district_admin, file=upload(csv_bytes(JIANGMEN, rows), "x.csv"))
    importing.import_read(job.pk, max_batches=1)
    job.refresh_from_db()
    assert job.read_cursor == 4  # rows 2 to 4: 30,000 characters and more, not the whole file
    assert HotlineRawRow.objects.filter(job=job).count() == 3
