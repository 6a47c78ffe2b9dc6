"""Background work of the catalogue. Thin: each task takes ids, calls a service, and is safe
to run twice (the services compare-and-set on the job or adjustment status)."""

from __future__ import annotations

from celery import shared_task

from pengjiang_enforcement.tasks import job_task

from .adjustments import apply_due_adjustments
from .importing import import_apply, import_parse


@job_task("powers.import_parse")
def import_parse_task(job_id: int) -> str:
    """Read an uploaded catalogue file and build its preview."""
    job = import_parse(job_id)
    return job.status if job else "skipped"


@job_task("powers.import_apply")
def import_apply_task(job_id: int) -> str:
    """Apply a confirmed import (its changes become adjustments)."""
    job = import_apply(job_id)
    return job.status if job else "skipped"


@shared_task(name="powers.apply_due_adjustments")
def apply_due_adjustments_task() -> int:
    """Apply the approved adjustments whose effective date has come (beat)."""
    return apply_due_adjustments()
