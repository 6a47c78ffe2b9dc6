"""Rows that real exports and hostile files carry: each is an error of its own row, named with its
number and reason, and the other rows import. No such row stops the import."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.hotline.choices import ImportStatus, RawRowStatus
from cases.hotline.models import HotlineOrder, HotlineRawRow
from cases.hotline.rows import describe

from .support import JIANGMEN, csv_bytes, jiangmen_row, run, xlsx_bytes

pytestmark = pytest.mark.django_db


def _errors(job, number: int) -> list[str]:
    row = HotlineRawRow.objects.get(job=job, row_number=number)
    assert row.status == RawRowStatus.INVALID
    return [entry["code"] for entry in row.errors]


def _good(number: str) -> list:
    return jiangmen_row(number, received=timezone.localtime().strftime("%Y-%m-%d 09:00"))


def test_a_cell_over_the_csv_field_limit_is_an_error_of_its_row(district_admin):
    """Python's CSV reader stops a whole file at a 128 KB field; here the row alone is refused."""
    huge = jiangmen_row("0750202603020000002", body="占道" * 100_000)  # 200,000 characters
    job = run(district_admin, csv_bytes(JIANGMEN, [_good("0750202603020000001"), huge, _good("0750202603020000003")]))
    assert job.status == ImportStatus.DONE, job.error_message
    assert _errors(job, 3) == ["cell_too_long"]
    assert set(HotlineOrder.objects.values_list("order_no", flat=True)) == {
        "0750202603020000001",
        "0750202603020000003",
    }
    message = describe(HotlineRawRow.objects.get(job=job, row_number=3).errors[0])
    assert "200000" in message and "32767" in message


def test_a_5_mb_cell_is_an_error_of_its_row_not_the_end_of_the_import(district_admin):
    huge = jiangmen_row("0750202603020000002", title="噪" * (5 * 1024 * 1024 // 3))
    job = run(district_admin, csv_bytes(JIANGMEN, [huge, _good("0750202603020000003")]))
    assert job.status == ImportStatus.DONE, job.error_message
    assert _errors(job, 2) == ["cell_too_long"]
    assert HotlineOrder.objects.filter(order_no="0750202603020000003").exists()


@pytest.mark.parametrize(
    "received",
    ["0001/1/1 0:00:00", "9999-12-31 23:59", datetime.datetime(9999, 12, 31, 23, 59), "1899-12-31", "2099-01-01"],
)
def test_received_out_of_range(district_admin, received):
    """An export's "no date" (0001-01-01, 9999-12-31) or a date no order can have is a row error."""
    rows = [jiangmen_row("0750202603020000001", received=received), _good("0750202603020000002")]
    job = run(district_admin, xlsx_bytes(JIANGMEN, rows))
    assert job.status == ImportStatus.DONE, job.error_message
    assert _errors(job, 3) == ["received_out_of_range"]  # title row, header row, then the data
    assert list(HotlineOrder.objects.values_list("order_no", flat=True)) == ["0750202603020000002"]


def test_date_out_of_range_in_an_optional_column_is_left_empty_with_a_warning(district_admin):
    row = jiangmen_row("0750202603020000001", received=timezone.localtime().strftime("%Y-%m-%d 09:00"),
                       promised="9999-12-31 00:00")  # fmt: skip
    job = run(district_admin, csv_bytes(JIANGMEN, [row]))
    order = HotlineOrder.objects.get()
    assert order.promised_at is None
    warnings = HotlineRawRow.objects.get(job=job).warnings
    assert "date_out_of_range" in [w["code"] for w in warnings]


def test_received_long_ago_and_received_in_future_are_warned_about(district_admin):
    today = timezone.localdate()
    old = jiangmen_row("0750202603020000001", received=(today - datetime.timedelta(days=500)).isoformat())
    ahead = jiangmen_row("0750202603020000002", received=(today + datetime.timedelta(days=20)).isoformat())
    job = run(district_admin, csv_bytes(JIANGMEN, [old, ahead]))
    assert HotlineOrder.objects.count() == 2
    codes = {r.row_number: [w["code"] for w in r.warnings] for r in HotlineRawRow.objects.filter(job=job)}
    assert "received_long_ago" in codes[2] and "received_in_future" in codes[3]


def test_pages_still_answer_after_such_a_file(district_admin, login):
    rows = [jiangmen_row("0750202603020000001", received="0001/1/1 0:00:00"), _good("0750202603020000002")]
    run(district_admin, xlsx_bytes(JIANGMEN, rows))
    client = login(district_admin)
    for url in ("/", "/hotline/", "/hotline/export.xlsx", "/hotline/imports/"):
        assert client.get(url).status_code == 200, url


def test_the_database_refuses_an_impossible_date_whatever_writes_it(district_admin):
    """The floor under every import: read back, a year-1 timestamp breaks every page it is on."""
    from django.db import IntegrityError, transaction

    run(district_admin, csv_bytes(JIANGMEN, [_good("0750202603020000001")]))
    order = HotlineOrder.objects.get()
    for field, value in (
        ("received_at", datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)),
        ("due_on", datetime.date(9999, 12, 31)),
        ("promised_at", datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            HotlineOrder.objects.filter(pk=order.pk).update(**{field: value})
