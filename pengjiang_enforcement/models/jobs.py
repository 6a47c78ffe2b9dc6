"""Background jobs a person waits for: an import, a document being made.

Every such job is a row with a status and its progress, so the page shows where it stands, a
worker that dies leaves a row that says so, and nothing is lost. :mod:`pengjiang_enforcement.jobs`
has the machinery every job uses (claim, lock, progress, fail, resume); concrete jobs (the
catalogue import, the 12345 import) add what they need to know.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    """Where a job stands. An import is read, previewed, confirmed, then applied; a job without a
    preview goes from queued to running to done."""

    QUEUED = "queued", _("Queued")
    READING = "reading", _("Reading the file")
    PREVIEWED = "previewed", _("Preview ready: waiting for confirmation")
    APPLYING = "applying", _("Importing")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Discarded")
    REFUSED = "refused", _("Refused (bad input)")


# A worker is (or should be) on the job.
RUNNING_STATUSES = (JobStatus.QUEUED, JobStatus.READING, JobStatus.APPLYING, JobStatus.RUNNING)
FINAL_STATUSES = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REFUSED)


class BackgroundJob(models.Model):
    """A job's status, progress, failure and times; subclasses add their input and results.

    ``audit_prefix`` names the job's audit actions (``"powers.import."`` + ``"failed"``);
    ``tasks`` maps a running status to the Celery task that carries the job on from it (what
    resuming a stalled job queues).
    """

    audit_prefix = ""
    tasks: dict[str, str] = {}

    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The broker refused the job's task (Redis down): the job is saved, and the sweep
    # (``core.sweep_jobs``, every minute) sends the task once the broker answers again.
    dispatch_pending = models.BooleanField(_("waiting for the task queue"), default=False)

    class Meta:
        abstract = True

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    # What a page asks of a job, so templates never compare status strings.
    @property
    def is_queued(self) -> bool:
        """Waiting for a worker to pick it up: nothing of its input has been read yet."""
        return self.status == JobStatus.QUEUED

    @property
    def is_reading(self) -> bool:
        return self.status == JobStatus.READING

    @property
    def is_applying(self) -> bool:
        return self.status == JobStatus.APPLYING

    @property
    def is_previewed(self) -> bool:
        """Read and waiting for a person to confirm (or discard) what it would do."""
        return self.status == JobStatus.PREVIEWED

    @property
    def is_done(self) -> bool:
        return self.status == JobStatus.DONE

    @property
    def is_failed(self) -> bool:
        """Stopped on an error (or refused its input): the error message says why."""
        return self.status in (JobStatus.FAILED, JobStatus.REFUSED)

    @property
    def is_waiting_for_queue(self) -> bool:
        """Saved, but its task could not be queued yet: it starts when the task queue is back."""
        return self.dispatch_pending and self.is_running

    def is_stale(self, now: datetime.datetime | None = None) -> bool:
        """Running, but its worker has not reported for ``JOB_STALE_AFTER`` seconds (it may have
        died, or the broker lost the task)."""
        if not self.is_running:
            return False
        last = self.heartbeat_at or self.created_at
        limit = datetime.timedelta(seconds=settings.JOB_STALE_AFTER)
        return last is not None and (now or timezone.now()) - last > limit
