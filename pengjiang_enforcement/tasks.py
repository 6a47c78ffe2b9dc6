"""Background tasks of the shared kernel."""

from __future__ import annotations

from celery import shared_task

from .audit import audit_checkpoint


@shared_task(name="core.audit_checkpoint")
def audit_checkpoint_task() -> int:
    """Seal the heads of the audit chains that moved (beat, every ten minutes)."""
    checkpoint = audit_checkpoint()
    return checkpoint.head_count if checkpoint else 0


@shared_task(name="core.ping")
def ping() -> str:
    """A no-op used by health checks and tests to see that a worker consumes the queue."""
    return "pong"
