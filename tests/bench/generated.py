"""Generated cases, leads and 12345 orders for the benchmarks, generated once and kept as a template.

Generating a million of each takes minutes; copying a database takes about one. The first run at
a size generates into the scratch database and copies it to a template database named after the
scratch database and the size (``pengjiang_bench_gen_1000000``), with a fingerprint in the
template's comment: the migrations applied and a hash of the generator's source. A later run with
the same fingerprint makes the scratch database afresh from the template; a changed migration or
generator regenerates, so the figures are never measured on data the code would no longer make.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
# The source that decides what is generated: a change to any of them regenerates.
GENERATOR_SOURCES = (
    "cases/generate.py",
    "cases/generate_queues.py",
    "cases/management/commands/generate_cases.py",
    "tests/bench/generated.py",
)


def _admin_connection():
    import psycopg2

    parts = urlsplit(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    return conn


def scratch_name() -> str:
    return urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")


def template_name(n: int) -> str:
    return f"{scratch_name()}_gen_{n}"


def fingerprint() -> str:
    """The applied migrations of the current database and the generator's source, hashed."""
    from django.db import connection

    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            digest.update(f"{app}.{name}\n".encode())
    for source in GENERATOR_SOURCES:
        digest.update(source.encode())
        digest.update((ROOT / source).read_bytes())
    return digest.hexdigest()


def _stored_fingerprint(cursor, template: str) -> str | None:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [template],
    )
    row = cursor.fetchone()
    return None if row is None else (row[0] or "")


def _copy_database(cursor, source: str, target: str) -> None:
    from psycopg2 import sql

    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
    cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(source)))


def use_generated(n: int) -> float:
    """Make the scratch database hold ``n`` generated cases, leads and orders; return the seconds spent."""
    from django.core.management import call_command
    from django.db import connections
    from psycopg2 import sql

    started = time.perf_counter()
    wanted = fingerprint()
    scratch, template = scratch_name(), template_name(n)
    connections.close_all()
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            stored = _stored_fingerprint(cursor, template)
            if stored == wanted:
                _copy_database(cursor, template, scratch)
                elapsed = time.perf_counter() - started
                print(f"  {n:,} generated rows each FROM CACHE ({template}) in {elapsed:.1f}s", flush=True)
                return elapsed
            why = "none kept yet" if stored is None else "migrations or generator changed"
            print(f"  generating {n:,} cases, leads and 12345 orders ({why}) ...", flush=True)
            call_command("generate_cases", cases=n, leads=n, orders=n, stdout=_Quiet())
            connections.close_all()
            generated = time.perf_counter() - started
            _copy_database(cursor, scratch, template)
            cursor.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(template), sql.Literal(wanted))
            )
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    print(
        f"  {n:,} rows each GENERATED in {generated:.1f}s and kept as {template} "
        f"(next run takes them from cache), {elapsed:.1f}s in all",
        flush=True,
    )
    return elapsed


class _Quiet:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass
