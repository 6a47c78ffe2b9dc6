"""Wiring of the 12345 hotline into the portal, run from ``CasesConfig.ready``: the Celery tasks,
the home-page panels and menu entries, the admin pages."""

from __future__ import annotations


def ready() -> None:
    from . import actions, admin, panels, tasks  # noqa: F401  (importing registers labels, tasks, admin pages)

    panels.register()
