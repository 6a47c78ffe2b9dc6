"""What a benchmark process sets up before it times anything."""

from __future__ import annotations

import contextlib


def django_test_environment() -> None:
    """Django's test environment (responses keep their context), set up once per process: several
    benchmarks of one run each ask for it."""
    from django.test.utils import setup_test_environment

    with contextlib.suppress(RuntimeError):  # set up by an earlier benchmark of this run
        setup_test_environment()


def freeze_what_came_before() -> None:
    """Freeze what this process made before timing (generating, migrating, earlier benchmarks) out
    of the garbage collector, as ``pengjiang_enforcement.wsgi`` does in a web worker after loading
    the portal: a full collection during a timed request then scans what requests make, as it
    would in the worker, not the bench's own leftovers."""
    import gc

    gc.collect()
    gc.freeze()
