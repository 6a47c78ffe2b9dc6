"""Background work of the 12345 hotline import: thin tasks taking a job id, safe to run twice.

Each task calls the importing service, which claims the job by compare-and-set on its status,
holds a lock on it while working, and resumes from the job's committed cursors; a lost database
or broker connection retries the task (``job_task``).
"""

from __future__ import annotations

from pengjiang_enforcement.tasks import job_task

from . import applying, importing


@job_task("cases.hotline_import_read")
def hotline_import_read(job_id: int) -> str:
    """Read an uploaded 12345 export into raw rows and build its preview."""
    job = importing.import_read(job_id)
    return job.status if job else "skipped"


@job_task("cases.hotline_import_apply")
def hotline_import_apply(job_id: int) -> str:
    """Turn a confirmed import's rows into work orders (upsert by number)."""
    job = applying.import_apply(job_id)
    return job.status if job else "skipped"
