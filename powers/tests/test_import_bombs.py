"""Memory bombs through the catalogue import: the job fails with the reason, the catalogue is left
as it was, and the worker's memory stays bounded (the preview keeps its rows in memory, so the
file's text is bounded more tightly than elsewhere)."""

from __future__ import annotations

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pengjiang_enforcement.tests import hostile_files as hf
from pengjiang_enforcement.tests.hostile_files import MB, Workbook, inline_row, repeated, sheet_head, sheet_of
from powers.choices import ImportStatus
from powers.importing import import_parse, import_upload
from powers.models import CatalogueImport, PowerItem

pytestmark = pytest.mark.django_db

HEADER = ("事项编码", "事项名称", "实施部门")


def _read(actor, content: bytes) -> tuple[CatalogueImport, int]:
    job = import_upload(actor=actor, file=SimpleUploadedFile("目录.xlsx", content), effective_date=timezone.localdate())
    tracemalloc.start()
    try:
        job = import_parse(job.pk)
        return job, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _failed(actor, content: bytes, code: str) -> CatalogueImport:
    job, peak = _read(actor, content)
    assert job.status == ImportStatus.FAILED, job.status
    assert job.error_code == code, job.error_message
    assert not PowerItem.objects.exists()
    assert peak < 64 * MB, f"{peak / MB:.1f} MB"
    return job


def test_a_zip_bomb_fails_the_catalogue_import(district_admin):
    bomb = repeated(sheet_head() + inline_row(1, HEADER).encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                    b"A", 300 * MB, b"</t></is></c></row>" + hf.SHEET_TAIL)  # fmt: skip
    job = _failed(district_admin, Workbook(sheet=bomb).build(), "suspicious_xlsx")
    assert "100" in job.error_message


def test_a_truncated_workbook_fails_the_catalogue_import_as_damaged(district_admin):
    content = Workbook(sheet=sheet_of(inline_row(1, HEADER) + inline_row(2, ("A1", "事项", "城管")))).build()
    job = _failed(district_admin, content[:-30], "damaged_xlsx")
    assert "已损坏" in job.error_message


def test_a_catalogue_past_its_text_limit_fails(district_admin, settings):
    settings.CATALOGUE_IMPORT_MAX_CHARS = 1_000_000
    settings.TABLE_MAX_RATIO = 10**6  # the repeated text would be refused as a bomb first
    rows = "".join(inline_row(n, (f"A{n}", "事项" * 5_000, "城管")) for n in range(2, 120))
    job = _failed(district_admin, Workbook(sheet=sheet_of(inline_row(1, HEADER) + rows)).build(), "text_too_long")
    assert "1,000,000" in job.error_message


def test_a_declared_dimension_of_the_whole_sheet_is_read_as_what_is_there(district_admin):
    sheet = sheet_of(inline_row(1, HEADER) + inline_row(2, ("A1", "事项", "城管")), dimension="A1:XFD1048576")
    job, peak = _read(district_admin, Workbook(sheet=sheet).build())
    assert job.status == ImportStatus.PREVIEWED, job.error_message
    assert job.total_rows == 1
    assert peak < 16 * MB, f"{peak / MB:.1f} MB"
