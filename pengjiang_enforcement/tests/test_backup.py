"""Backup and restore: one archive in, the same database, audit trail and files out.

Real PostgreSQL throughout: the data are committed (pg_dump reads from its own connection), the
archive is restored into a database created for the test and dropped at its end, and the audit
trail of the restored copy is verified in a separate process pointed at it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from psycopg2 import sql

from pengjiang_enforcement.audit import audit_checkpoint
from pengjiang_enforcement.backup import MANIFEST, Database
from pengjiang_enforcement.choices import Role, UnitKind
from pengjiang_enforcement.models import AuditLog, Unit
from pengjiang_enforcement.services import unit_create, user_create

BASE_DIR = Path(__file__).resolve().parents[2]
EVIDENCE = "evidence/2026/现场照片-001.jpg"
EVIDENCE_BYTES = b"\xff\xd8\xff\xe0 not really a photo \x00\x01" * 100


def _url_for(database: str) -> str:
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards."""
    name = f"restore_test_{uuid.uuid4().hex[:12]}"
    url = _url_for(name)
    admin = Database.from_url(url).connect(dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
    try:
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture
def portal_data(transactional_reference_data, settings, tmp_path):
    """Committed units, a user, their audit rows, a checkpoint and one uploaded file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    district = Unit.objects.get(code="pengjiang")
    unit = unit_create(
        actor=None,
        code="backup-contact",
        kind=UnitKind.CONTACT_POINT,
        name="备份测试监督联系点",
        short_name="备份点",
        parent=district,
    )
    user = user_create(
        actor=None, username="backup_alice", full_name="陈备份", unit=unit, roles=[Role.SOCIAL_SUPERVISOR]
    )
    audit_checkpoint()
    stored = default_storage.save(EVIDENCE, ContentFile(EVIDENCE_BYTES))
    return {"unit": unit, "user": user, "file": stored, "audit_rows": AuditLog.objects.count()}


def _backup(tmp_path: Path) -> Path:
    archive = tmp_path / "backups" / "portal.tar.gz"
    archive.parent.mkdir()
    call_command("backup", output=archive, stdout=io.StringIO())
    return archive


def _query(url: str, statement: str, params=()):
    conn = Database.from_url(url).connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    finally:
        conn.close()


def test_backup_then_restore_into_a_fresh_database(portal_data, fresh_database, tmp_path):
    archive = _backup(tmp_path)
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner's eyes only
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"database.dump", MANIFEST, f"media/{portal_data['file']}"} <= set(names)

    restored_media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command("restore", str(archive), database_url=fresh_database, media_root=restored_media, yes=True, stdout=out)
    assert "every SHA-256 matches" in out.getvalue()
    assert "audit trail intact" in out.getvalue()

    # The audit trail of the copy verifies, checked by a process that knows only the copy.
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        env={**os.environ, "DATABASE_URL": fresh_database},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"audit trail intact: {portal_data['audit_rows']} rows" in result.stdout
    assert ", 1 checkpoints" in result.stdout

    # The rows came back ...
    assert _query(fresh_database, "SELECT name FROM core_unit WHERE code = 'backup-contact'") == [
        ("备份测试监督联系点",)
    ]
    assert _query(fresh_database, "SELECT full_name FROM core_user WHERE username = 'backup_alice'") == [("陈备份",)]
    actions = {a for (a,) in _query(fresh_database, "SELECT action FROM core_auditlog")}
    assert {"core.unit.created", "core.user.created"} <= actions
    # ... the audit tables are still append-only ...
    with pytest.raises(psycopg2.Error, match="append-only"):
        _query(fresh_database, "DELETE FROM core_auditlog")
    # ... and so did the uploaded file.
    assert (restored_media / portal_data["file"]).read_bytes() == EVIDENCE_BYTES


def test_restore_refuses_a_database_that_is_not_empty(portal_data, tmp_path):
    archive = _backup(tmp_path)
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(archive), media_root=tmp_path / "elsewhere", yes=True, stdout=io.StringIO())


def test_restore_checks_every_hash_before_touching_anything(portal_data, fresh_database, tmp_path):
    archive = _backup(tmp_path)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for info in source:
            data = source.extractfile(info).read()
            if info.name == f"media/{portal_data['file']}":
                data = data.replace(b"not really", b"NOT REALLY")  # same size, other bytes
            target.addfile(info, io.BytesIO(data))
    restored_media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command(
            "restore",
            str(tampered),
            database_url=fresh_database,
            media_root=restored_media,
            yes=True,
            stdout=io.StringIO(),
        )
    assert _query(fresh_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    assert not any(restored_media.iterdir())


def test_backup_names_its_archive_after_the_database_and_the_time(portal_data, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    out = io.StringIO()
    call_command("backup", stdout=out)
    (archive,) = settings.BACKUP_DIR.glob("*.tar.gz")
    assert archive.name.startswith(f"pengjiang-{settings.DATABASES['default']['NAME']}-")
    assert str(archive) in out.getvalue()


def test_backup_refuses_to_write_into_the_media_folder_it_copies(portal_data, settings):
    with pytest.raises(CommandError, match="inside the media folder"):
        call_command("backup", output=settings.MEDIA_ROOT / "backup.tar.gz", stdout=io.StringIO())
