"""Background tasks of the cases app: thin, taking ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import selectors
from .services import deadline_notify

BATCH = 500


@shared_task(name="cases.scan_deadlines")
def scan_deadlines() -> int:
    """Beat: find the open deadlines due soon or overdue and queue their notifications in batches."""
    ids = selectors.deadlines_to_notify(timezone.localdate())
    for start in range(0, len(ids), BATCH):
        notify_deadlines.delay(ids[start : start + BATCH])
    return len(ids)


@shared_task(name="cases.notify_deadlines")
def notify_deadlines(deadline_ids: list[int]) -> int:
    """Notify the people concerned by these deadlines; deadlines met meanwhile are skipped."""
    return deadline_notify(deadline_ids=deadline_ids)


@shared_task(name="cases.compact_figures")
def compact_figures() -> int:
    """Fold the maintained figures' differences into one row per figure (``cases.models.figures``)."""
    from .models.figures import compact

    return compact()
