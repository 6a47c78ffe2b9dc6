"""How much the audit chain costs writers, and that it is not one global lock.

One writer alone measures a write with its sealed chain head (the statements each write sends,
and rows per second); then the concurrent writers:

Eight writer threads each run transactions that write one audit row and then keep the
transaction open for 5 ms, as a service does while it saves the rest of its change. With one
chain per object the writers only queue when they touch the same object; a single global chain
(all writers on one object here) makes every transaction in the portal wait for the previous.
"""

from __future__ import annotations

import threading
import time

from django.db import connection, transaction

from .registry import Row

WRITERS = 8
WRITES_PER_WRITER = 120
HOLD_SECONDS = 0.005


def _writers(objects_for_writer) -> float:
    from pengjiang_enforcement.audit import audit_record

    barrier = threading.Barrier(WRITERS + 1)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        obj = objects_for_writer(index)
        try:
            barrier.wait()
            for n in range(WRITES_PER_WRITER):
                with transaction.atomic():
                    audit_record(action="bench.audit.write", obj=obj, actor=None, after={"n": n})
                    time.sleep(HOLD_SECONDS)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return WRITERS * WRITES_PER_WRITER / elapsed


def _one_writer(obj) -> tuple[float, int]:
    """Rows per second of one writer, and the statements one audit_record sends."""
    from django.test.utils import CaptureQueriesContext

    from pengjiang_enforcement.audit import audit_record

    with transaction.atomic():  # the first row of the chain; the object's content type is cached
        audit_record(action="bench.audit.write", obj=obj, actor=None, after={"n": -2})
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        audit_record(action="bench.audit.write", obj=obj, actor=None, after={"n": -1})
    statements = sum(1 for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT"))
    started = time.perf_counter()
    for n in range(WRITES_PER_WRITER * 2):
        with transaction.atomic():
            audit_record(action="bench.audit.write", obj=obj, actor=None, after={"n": n})
    return WRITES_PER_WRITER * 2 / (time.perf_counter() - started), statements


def run() -> list[Row]:
    from pengjiang_enforcement.audit import verify_audit
    from pengjiang_enforcement.models import Unit

    units = list(Unit.objects.order_by("pk")[:WRITERS])
    alone, statements = _one_writer(units[-1])
    per_object = _writers(lambda i: units[i])
    one_chain = _writers(lambda i: units[0])
    started = time.perf_counter()
    report = verify_audit()
    verify_rate = report.rows / (time.perf_counter() - started)
    return [
        Row("audit", "one writer: a row and its sealed chain head", alone, "rows/s"),
        Row("audit", "statements per audit_record (lock + head, row, head)", statements, "statements", "3",
            failed=statements > 3),
        Row("audit", f"{WRITERS} writers, one chain per object", per_object, "rows/s", "> 3x one chain",
            failed=per_object < 3 * one_chain),
        Row("audit", f"{WRITERS} writers, one shared chain (a global lock)", one_chain, "rows/s"),
        Row("audit", "verify_audit", verify_rate, "rows/s", "intact", failed=not report.ok),
    ]  # fmt: skip
