"""Run the benchmarks against a scratch database and print a table of figures.

Usage: ``make bench`` (or ``python -m tests.bench [name ...]`` with DATABASE_URL/REDIS_URL set;
``make bench ARGS=hotline`` runs one; ``make bench ARGS="queues --sizes 100000,1000000"`` times
the queues at each size). The scratch database ``<name>_bench`` is dropped and
created afresh before every benchmark, so figures never depend on what a developer has in the
portal's own database, nor on the data an earlier benchmark generated.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from urllib.parse import urlsplit, urlunsplit


def _scratch_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = (parts.path.lstrip("/") or "pengjiang") + "_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    from pengjiang_enforcement.devstack import ensure_database

    parts = urlsplit(url)
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parts.path.lstrip("/"))))
    conn.close()
    ensure_database(url)


def fresh_database(url: str) -> None:
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    started = time.perf_counter()
    _recreate(url)
    call_command("migrate", verbosity=0)
    print(f"  scratch database ready in {time.perf_counter() - started:.1f}s", flush=True)


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pengjiang_enforcement.settings")
    os.environ.setdefault("DEBUG", "1")
    if "--sizes" in argv:
        at = argv.index("--sizes")
        if at + 1 >= len(argv):
            print("--sizes needs a list of row counts, e.g. --sizes 100000,1000000")
            return 2
        os.environ["BENCH_SIZES"] = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    url = _scratch_url()
    os.environ["DATABASE_URL"] = url
    _recreate(url)
    import django

    django.setup()

    from .registry import BENCHMARKS, Row, print_table

    selected = [b for b in BENCHMARKS if not argv or b.name in argv]
    rows: list[Row] = []
    for bench in selected:
        print(f"running {bench.name} ...", flush=True)
        fresh_database(url)
        try:
            result = bench.run()
        except Exception:  # noqa: BLE001  (one broken benchmark must not hide the others)
            traceback.print_exc()
            result = [Row(bench.name, "run", 0.0, "", "completes", failed=True)]
        print_table(result)
        print(flush=True)
        rows.extend(result)
    print("All benchmarks:")
    print_table(rows)
    return 1 if any(row.failed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
