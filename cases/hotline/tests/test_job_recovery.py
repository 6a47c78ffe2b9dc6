"""Jobs nobody has to rescue: a killed worker, a lost task or a broker that was down.

Real Redis, a real worker thread; "the broker is down" is the Celery app pointed at a port where
nothing listens, exactly what a stopped Redis looks like to the web process.
"""

from __future__ import annotations

import contextlib
import datetime
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.hotline import importing
from cases.hotline.choices import ImportStatus
from cases.hotline.models import HotlineImport
from pengjiang_enforcement.celery import app
from pengjiang_enforcement.jobs import job_sweep
from pengjiang_enforcement.models import AuditLog
from tests.factories import UserFactory, unit

from .support import JIANGMEN, csv_bytes, jiangmen_row, upload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NUMBERS = [f"0827{n:015d}" for n in range(5)]


@contextlib.contextmanager
def broker_down():
    """The web process's broker connection refused, as when Redis is stopped."""
    good = app.conf.broker_url

    def point(url: str) -> None:
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    point("redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        point(good)


def wait_for(job: HotlineImport, status: str, timeout: float = 60) -> HotlineImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        assert job.status != ImportStatus.FAILED, job.error_message
        time.sleep(0.1)
    raise AssertionError(f"import still {job.status}")


@pytest.fixture
def admin(transactional_reference_data):
    from pengjiang_enforcement.choices import Role

    return UserFactory(username="qu_admin_r", unit=unit("pengjiang"), roles=(Role.DISTRICT_ADMIN,))


def content() -> bytes:
    return csv_bytes(JIANGMEN, [jiangmen_row(n) for n in NUMBERS])


def test_job_broker_down_upload_is_saved_says_so_and_starts_when_the_broker_is_back(admin, celery_worker_thread):
    client = Client()
    client.force_login(admin)
    with broker_down():
        response = client.post(reverse("cases:hotline:import_list"), {"file": upload(content(), "down.csv")})
        assert response.status_code == 302  # not a 500
        job = HotlineImport.objects.get()
        assert job.status == ImportStatus.QUEUED and job.dispatch_pending
        page = client.get(response["Location"]).content.decode()
        assert 'data-testid="job-waiting-queue"' in page
        # while the broker is still down, a sweep cannot send it either, and nothing breaks
        assert job_sweep() == 1
        job.refresh_from_db()
        assert job.dispatch_pending
    # the broker is back: the next sweep (beat, every minute) sends it, the worker reads it
    assert job_sweep() == 1
    job = wait_for(job, ImportStatus.PREVIEWED)
    assert not job.dispatch_pending and job.counts["new"] == len(NUMBERS)
    assert 'data-testid="job-waiting-queue"' not in client.get(response["Location"]).content.decode()


def test_job_broker_down_confirm_is_saved_and_applied_when_the_broker_is_back(admin, celery_worker_thread):
    job = importing.import_upload(actor=admin, file=upload(content(), "c.csv"))
    job = wait_for(job, ImportStatus.PREVIEWED)
    client = Client()
    client.force_login(admin)
    with broker_down():
        response = client.post(reverse("cases:hotline:import_confirm", args=[job.pk]))
        assert response.status_code == 302
        job.refresh_from_db()
        assert job.status == ImportStatus.APPLYING and job.dispatch_pending
    job_sweep()
    job = wait_for(job, ImportStatus.DONE)
    assert job.result["created"] == len(NUMBERS)


def test_job_sweep_queues_a_job_whose_worker_was_killed(admin, celery_worker_thread):
    """A worker killed while reading leaves the job reading with an old heartbeat; the sweep
    queues it again without anyone pressing Resume, and the audit trail says so."""
    with broker_down():  # the task is never delivered: as if the worker took it and died
        job = importing.import_upload(actor=admin, file=upload(content(), "k.csv"))
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_AFTER + 60)
    HotlineImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.READING, dispatch_pending=False, heartbeat_at=long_ago, created_at=long_ago
    )
    assert job_sweep() == 1
    job = wait_for(job, ImportStatus.PREVIEWED)
    resumed = AuditLog.objects.filter(action="cases.workorder.import_resumed", object_id=str(job.pk))
    assert resumed.count() == 1 and resumed.get().actor is None


def test_job_sweep_leaves_a_job_that_makes_progress_alone(admin):
    with broker_down():
        job = importing.import_upload(actor=admin, file=upload(content(), "p.csv"))
    HotlineImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.READING, dispatch_pending=False, heartbeat_at=timezone.now()
    )
    assert job_sweep() == 0
    HotlineImport.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, heartbeat_at=None)
    assert job_sweep() == 0  # a finished job is never queued again


def test_job_sweep_is_on_the_beat_every_minute():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.sweep_jobs")
    assert entry["schedule"] <= 60
