"""The machinery of background jobs: one way to claim, lock, report, fail and resume a job.

A Celery task of a job takes the job's id and calls a service that runs inside :func:`job_run`:

1. **lock**: a session-level advisory lock on the job, so a task delivered twice (or a resume
   clicked while the first worker still works) finds the lock taken and leaves; the lock dies with
   the worker's connection, so a killed worker never blocks the re-run;
2. **claim**: compare-and-set of the status (``UPDATE … WHERE status IN (…)``): only a job in
   the expected state is worked on, and a job already past it is left alone;
3. **work**, reporting progress (:func:`job_progress`: a heartbeat, a percentage, cursors);
4. **fail** on an error the job cannot get past (:func:`job_fail`: a message for the user on the
   job's page, the exception for the log and the administrators, an audit row). A *transient*
   error (database or broker connection lost) is not a failure: the job stays as it is and the
   task is retried (see :func:`pengjiang_enforcement.tasks.job_task`), resuming from its cursors.

A job is never left waiting for a person to notice: a task whose worker was killed is delivered
again (late acknowledgement), a job whose worker stopped reporting is *stale*, and a job whose task
the broker refused (Redis down) is *pending dispatch*; the beat's sweep (:func:`job_sweep`, every
minute) queues both again. :func:`job_resume` does the same for one job, at a person's request.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from celery import current_app
from django.db import InterfaceError, OperationalError, transaction
from django.db.models.functions import Now
from django.utils import timezone

from .audit import audit_record
from .locks import release_session_lock, try_session_lock
from .models.jobs import BackgroundJob, JobStatus

log = logging.getLogger(__name__)

J = TypeVar("J", bound=BackgroundJob)


def _transient_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError)


# Errors that say "try again later", not "this job cannot be done": the database or the broker
# went away for a moment. A task retries on them; a job is not marked failed for them.
TRANSIENT_ERRORS = _transient_errors()


def job_key(job: BackgroundJob | type[BackgroundJob], pk: int | None = None) -> str:
    return f"job:{job._meta.label_lower}:{pk if pk is not None else job.pk}"


@contextlib.contextmanager
def job_lock(model: type[BackgroundJob], pk: int) -> Iterator[bool]:
    """Hold a session lock on the job while a worker works on it (False: someone else does)."""
    name = job_key(model, pk)
    held = try_session_lock(name)
    try:
        yield held
    finally:
        if held:
            release_session_lock(name)


def job_claim(model: type[J], pk: int, statuses: tuple[str, ...], status: str, **fields: Any) -> J | None:
    """Move the job into ``status`` if it is in one of ``statuses`` (compare-and-set).

    None when the job is in another state (done already, cancelled, claimed by a phase that
    went on). The first claim stamps ``started_at``.
    """
    moved = model._default_manager.filter(pk=pk, status__in=statuses).update(
        status=status, heartbeat_at=Now(), **fields
    )
    if not moved:
        return None
    model._default_manager.filter(pk=pk, started_at__isnull=True).update(started_at=Now())
    return model._default_manager.get(pk=pk)


def job_progress(job: BackgroundJob, *, expected: dict[str, Any] | None = None, **fields: Any) -> bool:
    """Record progress (and a heartbeat) on a running job; False if the job moved meanwhile.

    ``expected`` adds conditions the row must still meet (a cursor, a status), so two workers
    never both advance a job.
    """
    conditions = {"pk": job.pk, **(expected or {"status": job.status})}
    moved = type(job)._default_manager.filter(**conditions).update(heartbeat_at=Now(), **fields)
    for name, value in fields.items():
        if not hasattr(value, "resolve_expression"):
            setattr(job, name, value)
    return moved == 1


def job_fail(
    job: BackgroundJob,
    *,
    code: str,
    message: str,
    exc: BaseException | None = None,
    details: dict[str, Any] | None = None,
    cleanup: Callable[[Any], Any] | None = None,
) -> None:
    """Mark the job failed with ``message`` for the user; ``exc`` goes to the log (and so to the
    administrators), never to the page. Writes the job's ``failed`` audit row."""
    if exc is not None:
        log.error("%s %s failed: %s", job._meta.label, job.pk, code, exc_info=exc)
    with transaction.atomic():
        if cleanup is not None:
            cleanup(job)
        type(job)._default_manager.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error_code=code, error_message=message, finished_at=Now()
        )
        job.status, job.error_code, job.error_message = JobStatus.FAILED, code, message
        audit_record(
            action=f"{job.audit_prefix}failed",
            obj=job,
            actor=None,
            after={"code": code, "message": message, **(details or {})},
        )


def job_run(
    model: type[J],
    pk: int,
    *,
    claim_from: tuple[str, ...],
    status: str,
    work: Callable[[J], Any],
    known_errors: tuple[type[Exception], ...] = (),
    describe: Callable[[Exception], tuple[str, str]] | None = None,
    unexpected: str = "",
    on_fail: Callable[[J], Any] | None = None,
) -> J | None:
    """Lock and claim job ``pk`` of ``model``, then run ``work(job)`` on it.

    An error of ``known_errors`` (bad input) fails the job with ``describe(exc)`` → (code,
    message); a transient error leaves the job as it is and propagates (the task retries); any
    other error fails the job with ``unexpected`` and propagates (it reaches the log and the
    administrators). ``on_fail`` cleans up what a failed job leaves half done (in the failure's
    transaction). Returns the job as the work left it; None when there was nothing to do (another
    worker holds the job, or it is past ``claim_from``: a task delivered twice).
    """
    with job_lock(model, pk) as held:
        if not held:
            return None
        job = job_claim(model, pk, claim_from, status)
        if job is None:
            return None
        try:
            work(job)
        except known_errors as exc:
            code, message = describe(exc) if describe else ("invalid", str(exc))
            job_fail(job, code=code, message=message, cleanup=on_fail)
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            job_fail(job, code="internal", message=unexpected, exc=exc, cleanup=on_fail)
            raise
        job.refresh_from_db()
        return job


# How long sending a task may wait for an unreachable broker before the job is left to the sweep:
# a person is waiting for the page.
SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def job_dispatch(model: type[BackgroundJob], pk: int, task: str) -> bool:
    """Send ``task`` for job ``pk`` now. When the broker cannot be reached the job is marked
    ``dispatch_pending`` (the page says it waits for the task queue, the sweep sends it later)
    instead of failing the request that made it. True when the task was sent."""
    manager = model._default_manager
    try:
        current_app.send_task(task, args=[pk], retry=True, retry_policy=SEND_RETRY_POLICY)
    except TRANSIENT_ERRORS as exc:
        log.warning(
            "%s %s: the task queue cannot be reached (%s); the sweep sends it later", model._meta.label, pk, exc
        )
        manager.filter(pk=pk).update(dispatch_pending=True)
        return False
    manager.filter(pk=pk, dispatch_pending=True).update(dispatch_pending=False)
    return True


def job_enqueue(job: BackgroundJob) -> None:
    """Queue the task that carries ``job`` on from its status, once the transaction commits.

    By name, through the broker: a service does not import its app's tasks (which import the
    service), and a job rolled back is never queued. A broker that does not answer leaves the job
    pending dispatch (:func:`job_dispatch`), never an error for the person who made it.
    """
    task = job.tasks[job.status]
    model, pk = type(job), job.pk
    transaction.on_commit(lambda: job_dispatch(model, pk, task))


def job_resume(job: BackgroundJob, *, actor: Any) -> bool:
    """Queue a stalled job again (it carries on from its cursors; running twice is harmless).

    Inside the caller's transaction: the task is sent after the commit. False when the job's
    status has no task to carry it on.
    """
    if job.status not in job.tasks:
        return False
    type(job)._default_manager.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    audit_record(action=f"{job.audit_prefix}resumed", obj=job, actor=actor, after={"status": job.status})
    job_enqueue(job)
    return True


def job_models() -> list[type[BackgroundJob]]:
    """Every concrete job model of the project."""
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, BackgroundJob) and m.tasks]


def job_sweep(*, now: Any = None, batch: int = 200) -> int:
    """Queue again the jobs nobody carries on: stale ones (no progress for ``JOB_STALE_AFTER``
    seconds: a killed worker, a lost task) and those whose task the broker refused. Run by the
    beat every minute; sending a task twice is harmless (the job's lock and claim). Returns how
    many jobs were queued again."""
    from django.conf import settings
    from django.db.models import Q

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.JOB_STALE_AFTER)
    stuck = Q(dispatch_pending=True) | Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    swept = 0
    for model in job_models():
        pks = list(
            model._default_manager.filter(stuck, status__in=list(model.tasks))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        for pk in pks:
            with transaction.atomic():
                job = model._default_manager.select_for_update(skip_locked=True).filter(pk=pk).first()
                if job is None or job.status not in model.tasks:
                    continue
                if not (job.dispatch_pending or job.is_stale(now)):
                    continue
                swept += job_resume(job, actor=None)
    return swept
