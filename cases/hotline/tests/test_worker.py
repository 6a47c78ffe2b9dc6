"""An import through a real Celery worker (a thread of the test process, on the real broker)."""

from __future__ import annotations

import time

import pytest

from cases.hotline import importing
from cases.hotline.choices import ImportStatus
from cases.hotline.models import HotlineImport, HotlineOrder, HotlineRawRow
from tests.factories import UserFactory, unit

from .support import JIANGMEN, csv_bytes, jiangmen_row, upload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(job: HotlineImport, status: str, timeout: float = 60) -> HotlineImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        assert job.status != ImportStatus.FAILED, job.error_message
        time.sleep(0.1)
    raise AssertionError(f"import still {job.status}")


def test_a_worker_reads_previews_and_applies_an_upload(celery_worker_thread, monkeypatch):
    from pengjiang_enforcement.choices import Role

    monkeypatch.setattr(importing, "BATCH_ROWS", 7)  # several batches, written by the writer thread
    admin = UserFactory(username="qu_admin_w", unit=unit("pengjiang"), roles=(Role.DISTRICT_ADMIN,))
    numbers = [f"0826{n:015d}" for n in range(30)]
    content = csv_bytes(JIANGMEN, [jiangmen_row(n) for n in numbers] + [jiangmen_row("")], encoding="gbk")
    job = importing.import_upload(actor=admin, file=upload(content, "w.csv"))  # queued on commit
    wait_for(job, ImportStatus.PREVIEWED)
    assert job.rows_read == 31 and job.rows_invalid == 1 and job.counts["new"] == 30
    importing.import_confirm(job=job, actor=admin)
    wait_for(job, ImportStatus.DONE)
    assert job.result["created"] == 30
    assert set(HotlineOrder.objects.values_list("order_no", flat=True)) == set(numbers)
    assert HotlineRawRow.objects.filter(job=job).count() == 31
