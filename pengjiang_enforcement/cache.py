"""Keys of the shared cache: one namespace per database.

Two portals on one Redis (a training copy beside production) and the parallel test workers,
whose databases pytest-django renames to ``test_<name>`` and ``test_<name>_gw0``, ``_gw1``...,
must not read each other's keys. The database name is read when a key is made, not when the
settings load, so a test database created after start-up gets its own namespace.
"""

from __future__ import annotations

from django.conf import settings


def make_key(key: str, key_prefix: str, version: int) -> str:
    """``<prefix>:<database name>:<version>:<key>`` (Django's KEY_FUNCTION)."""
    return f"{key_prefix}:{settings.DATABASES['default']['NAME']}:{version}:{key}"
