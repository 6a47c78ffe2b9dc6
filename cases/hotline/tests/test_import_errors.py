"""Every error of a 12345 row is reported at once, each with its column; a repeated number is
found whatever else is wrong with its rows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.hotline.choices import ImportStatus, RawRowStatus
from cases.hotline.models import HotlineOrder, HotlineRawRow
from cases.hotline.rows import describe

from .support import JIANGMEN, csv_bytes, jiangmen_row, read, run

pytestmark = pytest.mark.django_db

RECEIVED = timezone.localdate().isoformat() + " 09:00"


def _entries(job, number: int) -> list[tuple[str, str]]:
    row = HotlineRawRow.objects.get(job=job, row_number=number)
    assert row.status == RawRowStatus.INVALID
    return [(entry["code"], entry.get("column", "")) for entry in row.errors]


def test_an_overlong_cell_and_a_bad_number_are_reported_together(district_admin):
    row = jiangmen_row("第？号", received=RECEIVED, body="占道" * 20_000)
    job = read(district_admin, csv_bytes(JIANGMEN, [row]))
    assert _entries(job, 2) == [("number_characters", "order_no"), ("cell_too_long", "content")]


def test_a_repeated_number_is_found_when_a_copy_has_an_error(district_admin):
    """Row 3 repeats row 2's number with an unreadable date: its error and the repeat are both said;
    the valid copy is imported."""
    number = "0826081308493182401"
    content = csv_bytes(
        JIANGMEN,
        [jiangmen_row(number, received=RECEIVED), jiangmen_row(number + "-HBD", received="下周二")],
    )
    job = read(district_admin, content)
    assert _entries(job, 3) == [("bad_received", "received_at")]
    assert job.counts["duplicates"] == [{"order_no": number, "rows": [2, 3], "different": True}]
    assert job.counts["superseded"] == 0
    for row in HotlineRawRow.objects.filter(job=job):
        duplicate = next(w for w in row.warnings if w["code"] == "duplicate")
        assert "2、3" in describe(duplicate), row.row_number
    assert not HotlineRawRow.objects.get(job=job, row_number=2).superseded
    job = run(district_admin, content)
    assert job.status == ImportStatus.DONE
    assert HotlineOrder.objects.filter(order_no=number).count() == 1
