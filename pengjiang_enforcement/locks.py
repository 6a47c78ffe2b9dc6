"""PostgreSQL advisory locks: named locks that serialise work without locking a row.

The audit trail takes a transaction-scoped lock per chain (two writers of one object's chain
queue behind each other), background jobs a session-scoped one per job (a task delivered twice
leaves when it finds the lock taken). Both name their lock the same way.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def advisory_key(name: str) -> int:
    """The advisory-lock key (a signed 64-bit integer) of a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_for_transaction(name: str) -> None:
    """Wait for the lock ``name``; it is released when the surrounding transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_key(name)])


def lock_many_for_transaction(names: list[str]) -> None:
    """Wait for every lock of ``names``, taken in the order of their keys (two callers locking
    overlapping sets never wait on each other in a circle); released when the transaction ends."""
    keys = sorted({advisory_key(name) for name in names})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys])


def try_session_lock(name: str) -> bool:
    """Take the lock ``name`` for this connection if it is free (False: someone holds it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)])
        return bool(cursor.fetchone()[0])


def release_session_lock(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [advisory_key(name)])
