"""Generated cases, leads and 12345 orders for the benchmarks, generated once and kept as a template.

Generating a million of each takes minutes; copying a database takes about one. The first run at
a size generates into the scratch database and copies it to a template database named after the
scratch database and the size (``pengjiang_bench_gen_1000000``), with the hash of the generator's
source in the template's comment. A later run whose generator is the same makes the scratch
database afresh from the template and, when the code has migrations the template has not, applies
them to it as a deployment would apply them to a production database. A changed generator, or a
template holding a migration the code no longer has, regenerates: the figures are never measured
on data the code would no longer make.
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


def _applied_migrations(cursor) -> set[str]:
    cursor.execute("SELECT app || '.' || name FROM django_migrations")
    return {name for (name,) in cursor.fetchall()}


def fingerprint() -> str:
    """The hash of the generator's source (what decides the rows generated)."""
    digest = hashlib.sha256()
    for source in GENERATOR_SOURCES:
        digest.update(source.encode())
        digest.update((ROOT / source).read_bytes())
    return "generator:" + digest.hexdigest()


def _stored_fingerprint(cursor, template: str) -> str | None:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [template],
    )
    row = cursor.fetchone()
    return None if row is None else (row[0] or "")


def _template_migrations(template: str) -> set[str]:
    import psycopg2

    parts = urlsplit(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(urlunsplit(parts._replace(path=f"/{template}")))
    try:
        with conn.cursor() as cursor:
            return _applied_migrations(cursor)
    finally:
        conn.close()


def _copy_database(cursor, source: str, target: str) -> None:
    from psycopg2 import sql

    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
    cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(source)))


def use_generated(n: int) -> float:
    """Make the scratch database hold ``n`` generated cases, leads and orders; return the seconds spent."""
    from django.core.management import call_command
    from django.db import connection, connections
    from psycopg2 import sql

    started = time.perf_counter()
    wanted = fingerprint()
    with connection.cursor() as cursor:
        migrations = _applied_migrations(cursor)
    scratch, template = scratch_name(), template_name(n)
    connections.close_all()
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            stored = _stored_fingerprint(cursor, template)
            kept = _template_migrations(template) if stored == wanted else set()
            if stored == wanted and kept <= migrations:
                _copy_database(cursor, template, scratch)
                newer = len(migrations - kept)
                if newer:
                    call_command("migrate", verbosity=0)  # the code's newer migrations, on the copy
                    connections.close_all()
                _settle(scratch)
                elapsed = time.perf_counter() - started
                print(f"  {n:,} generated rows each FROM CACHE ({template}) in {elapsed:.1f}s"
                      + (f", {newer} newer migrations applied to them" if newer else ""), flush=True)  # fmt: skip
                return elapsed
            why = (
                "none kept yet"
                if stored is None
                else "the generator changed"
                if stored != wanted
                else "the kept data has migrations the code has not"
            )
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


def _settle(name: str) -> None:
    """Vacuum and analyse a fresh copy before anything is timed on it: a copied database starts
    without visibility maps, and autovacuum would otherwise work through it during the timings."""
    import psycopg2

    parts = urlsplit(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(urlunsplit(parts._replace(path=f"/{name}")))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    finally:
        conn.close()


class _Quiet:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass
