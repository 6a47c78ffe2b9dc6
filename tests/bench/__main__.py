"""Run the benchmarks against a scratch database and print a table of figures.

Usage: ``make bench`` (or ``python -m tests.bench [name ...]`` with DATABASE_URL/REDIS_URL set).
The scratch database ``<name>_bench`` is dropped and created afresh on every run, so the
figures never depend on what a developer has in the portal's own database.
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit


def _scratch_database() -> None:
    from pengjiang_enforcement.devstack import ensure_database

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = (parts.path.lstrip("/") or "pengjiang") + "_bench"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()
    ensure_database(url)
    os.environ["DATABASE_URL"] = url


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pengjiang_enforcement.settings")
    os.environ.setdefault("DEBUG", "1")
    _scratch_database()
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"scratch database ready in {time.perf_counter() - started:.1f}s\n")

    from .registry import BENCHMARKS, print_table

    selected = [b for b in BENCHMARKS if not argv or b.name in argv]
    rows = []
    for bench in selected:
        print(f"running {bench.name} ...", flush=True)
        rows.extend(bench.run())
    print()
    print_table(rows)
    return 1 if any(row.failed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
