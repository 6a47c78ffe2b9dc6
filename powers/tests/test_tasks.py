"""The catalogue's background jobs run in a real Celery worker on the real Redis broker."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from powers.adjustments import adjustment_approve, adjustment_propose, adjustment_review
from powers.choices import AdjustmentKind, AdjustmentStatus, ImportStatus
from powers.importing import import_confirm, import_upload
from powers.models import Adjustment, CatalogueImport, PowerItem
from powers.tasks import apply_due_adjustments_task

from .factories import approval_document, make_item, second_admin

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CSV = (
    "蓬江区镇街综合行政执法事项目录\n"
    "序号,基本编码,职权名称,职权类型,原实施部门,处罚依据,罚款最低额,罚款最高额,适用范围\n"
    "1,440703888001,对占道经营的行政处罚,行政处罚,区城管执法局,《城市道路管理条例》第四十二条,0,2000,全部\n"
    "2,440703888002,对露天焚烧秸秆的行政处罚,行政处罚,生态环境蓬江分局,《大气污染防治法》第一百一十九条,500,2000,镇\n"
).encode("gb18030")


def wait_for(job_id: int, *statuses: str, timeout: float = 30) -> CatalogueImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = CatalogueImport.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"import {job_id} stayed {job.status}")


def test_import_is_read_and_applied_by_the_worker(celery_worker_thread, district_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = import_upload(
        actor=district_admin, file=SimpleUploadedFile("目录.csv", CSV), effective_date=timezone.localdate()
    )
    job = wait_for(job.pk, ImportStatus.PREVIEWED, ImportStatus.FAILED)
    assert job.status == ImportStatus.PREVIEWED, job.error_message
    assert job.preview["counts"] == {"add": 2} and job.progress == 100
    assert not PowerItem.objects.exists()
    import_confirm(actor=second_admin(), job=job)
    job = wait_for(job.pk, ImportStatus.DONE, ImportStatus.FAILED)
    assert job.status == ImportStatus.DONE, job.error_message
    assert job.summary["applied"] == 2
    assert PowerItem.objects.get(code="440703888002").delegations.count() == 3


def test_due_adjustments_are_applied_by_the_beat_task(celery_worker_thread, district_admin):
    today = timezone.localdate()
    item = make_item(townships=["duruan"])
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.CHANGE,
        item=item,
        data={"notes": "按期生效"},
        reason="补充",
        effective_date=today + dt.timedelta(days=1),
    )
    adjustment_review(actor=second_admin(), adjustment=adjustment)
    adjustment_approve(actor=second_admin(), adjustment=adjustment, **approval_document())
    # not due yet: the task (run here, in the test's process) applies nothing
    assert apply_due_adjustments_task.apply().get() == 0
    Adjustment.objects.filter(pk=adjustment.pk).update(effective_date=today)
    apply_due_adjustments_task.delay()
    deadline = time.monotonic() + 30
    while Adjustment.objects.get(pk=adjustment.pk).status != AdjustmentStatus.APPLIED:
        assert time.monotonic() < deadline, "the worker did not apply the adjustment"
        time.sleep(0.1)
    assert PowerItem.objects.get(pk=item.pk).notes == "按期生效"
