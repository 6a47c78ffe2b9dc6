"""The Pengjiang enforcement portal: project package and shared kernel (app label "core")."""

from .celery import app as celery_app

__all__ = ["celery_app"]
