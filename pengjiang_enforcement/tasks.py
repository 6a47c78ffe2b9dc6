"""Background tasks of the shared kernel, and the decorator every job's task uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task

from .audit import audit_checkpoint


def job_task(name: str) -> Callable[[Callable[..., Any]], Any]:
    """A Celery task that works on a background job (see :mod:`pengjiang_enforcement.jobs`).

    Retried, with growing pauses, when the database or the broker is briefly unreachable (the job
    resumes from its cursors; its row is not marked failed for that); stopped by the soft and
    hard time limits of the settings like every task. Acknowledged late, so a task whose worker
    was killed is delivered again.
    """
    from .jobs import TRANSIENT_ERRORS

    return shared_task(
        name=name,
        autoretry_for=TRANSIENT_ERRORS,
        retry_backoff=5,
        retry_backoff_max=300,
        retry_jitter=True,
        max_retries=8,
        acks_late=True,
    )


@shared_task(name="core.audit_checkpoint")
def audit_checkpoint_task() -> int:
    """Seal the heads of the audit chains that moved (beat, every ten minutes)."""
    checkpoint = audit_checkpoint()
    return checkpoint.head_count if checkpoint else 0


@shared_task(name="core.sweep_jobs")
def sweep_jobs_task() -> int:
    """Queue again the background jobs nobody carries on (beat, every minute; see ``job_sweep``)."""
    from .jobs import job_sweep

    return job_sweep()


@shared_task(name="core.forget_submissions")
def forget_submissions_task() -> int:
    """Forget the form tokens older than ``SUBMISSION_KEEP_HOURS`` (beat, hourly)."""
    from .submissions import forget_submissions

    return forget_submissions()


@shared_task(name="core.ping")
def ping() -> str:
    """A no-op used by health checks and tests to see that a worker consumes the queue."""
    return "pong"
