"""An archived case is read-only in the database itself, not only in the views.

Once a case is archived (归档: one case, one file, APL Art. 47), neither the case nor any row of
its file may change: its parties, evidence, records, deadlines, events, officers, and the rows
that hang off those (the officers of a record, the attachments of an evidence item). The
services already refuse such edits by the case's state; the triggers here also stop the Django
admin, a management command, a script and raw SQL. A refusal raises SQLSTATE ``P0001`` with a
message starting ``case_archived_read_only``.

Every table of a case's file carries the guard: the migration that creates such a table adds its
trigger with :func:`guard_sql` (``tests`` walk the models and fail on a table without one).
Notifications are a user's inbox, not the file, and stay writable (read marks).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from django.db import connection

RULE = "case_archived_read_only"

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION cases_refuse_archived(case_id bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases_case WHERE id = case_id AND state = 'archived') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'P0001',
            MESSAGE = format('case_archived_read_only: case %s is archived; its file cannot be changed', case_id),
            HINT = 'APL Art. 47: an archived case file is kept as it was archived.';
    END IF;
END
$$;

-- The case itself: archiving is its last change.
CREATE OR REPLACE FUNCTION cases_case_archive_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'archived' THEN
        PERFORM cases_refuse_archived(OLD.id);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- A row of a case's file. TG_ARGV[0]: the column naming the case, or (with TG_ARGV[1]) the
-- column naming a row of the table TG_ARGV[1], whose case_id names the case.
CREATE OR REPLACE FUNCTION cases_file_archive_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent text := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1] END;
    keys bigint[] := ARRAY[]::bigint[];
    key bigint;
    owner bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        keys := keys || (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        keys := keys || (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    END IF;
    FOREACH key IN ARRAY keys LOOP
        IF key IS NULL THEN
            CONTINUE;
        END IF;
        IF parent IS NULL THEN
            owner := key;
        ELSE
            EXECUTE format('SELECT case_id FROM %I WHERE id = $1', parent) INTO owner USING key;
        END IF;
        PERFORM cases_refuse_archived(owner);
    END LOOP;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE OR REPLACE TRIGGER cases_case_archive_guard
    BEFORE UPDATE OR DELETE ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_case_archive_guard();
"""

REVERSE_FUNCTIONS = """
DROP TRIGGER IF EXISTS cases_case_archive_guard ON cases_case;
DROP FUNCTION IF EXISTS cases_case_archive_guard();
DROP FUNCTION IF EXISTS cases_file_archive_guard();
DROP FUNCTION IF EXISTS cases_refuse_archived(bigint);
"""


def trigger_name(table: str) -> str:
    return f"{table}_archive_guard"


def guard_sql(table: str, column: str, via: str | None = None) -> tuple[str, str]:
    """(SQL, reverse SQL) guarding ``table``, whose ``column`` names the case (or, with ``via``,
    a row of the table ``via`` whose ``case_id`` names it)."""
    arguments = f"'{column}'" + (f", '{via}'" if via else "")
    name = trigger_name(table)
    return (
        f"CREATE OR REPLACE TRIGGER {name} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION cases_file_archive_guard({arguments});",
        f"DROP TRIGGER IF EXISTS {name} ON {table};",
    )


@contextlib.contextmanager
def paused_for_history(tables: Iterable[str]) -> Iterator[None]:
    """Let the generator write the files of cases it makes archived already (past years' data,
    written as it was before the archiving): the guards of ``tables`` are off inside the block,
    for this load only, and on again after it, also when it fails."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = ANY(%s)",
            [[trigger_name(table) for table in tables]],
        )
        guarded = [table for (table,) in cursor.fetchall()]
        if guarded and connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no table is altered with checks pending
        for table in guarded:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger_name(table)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table in guarded:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger_name(table)}")
