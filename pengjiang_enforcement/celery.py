"""The Celery application: Redis broker, JSON only, tasks discovered in every app.

Tasks are queued from services with ``transaction.on_commit`` so a worker never sees a row that
was rolled back; the beat schedule lives in settings (``CELERY_BEAT_SCHEDULE``).
"""

from __future__ import annotations

import os
from contextvars import Token

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pengjiang_enforcement.settings")

app = Celery("pengjiang_enforcement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_tokens: dict[str, Token[str]] = {}


@task_prerun.connect
def _bind_request_id(task_id=None, **kwargs) -> None:
    """Audit rows written by a task carry the task id as their request id."""
    from .middleware import set_request_id

    if task_id:
        _tokens[task_id] = set_request_id(f"task-{task_id}")


@task_postrun.connect
def _unbind_request_id(task_id=None, **kwargs) -> None:
    from .middleware import reset_request_id

    token = _tokens.pop(task_id, None)
    if token is not None:
        reset_request_id(token)
