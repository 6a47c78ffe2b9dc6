"""What a benchmark process sets up before it times anything."""

from __future__ import annotations


def let_the_test_client_in() -> None:
    """Let the test client in (its host name, ``testserver``) without Django's test environment.

    ``setup_test_environment`` instruments every template render to keep each response's
    templates and contexts; a benchmark process making thousands of requests then carries
    hundreds of thousands of live objects more than a web worker does, and each full garbage
    collection scanning them cost a timed request 150-260 ms. Pages are timed as a worker
    serves them: plain rendering, nothing kept.
    """
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def freeze_what_came_before() -> None:
    """Freeze what this process made before timing (generating, migrating, earlier benchmarks) out
    of the garbage collector, as ``pengjiang_enforcement.wsgi`` does in a web worker after loading
    the portal: a full collection during a timed request then scans what requests make, as it
    would in the worker, not the bench's own leftovers."""
    import gc

    gc.collect()
    gc.freeze()
