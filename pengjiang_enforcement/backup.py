"""One-file backups of the portal: the database and the uploaded files, with a manifest.

An archive (``.tar.gz``) holds ``database.dump`` (``pg_dump`` in its custom format), every file
under ``MEDIA_ROOT`` as ``media/<path>``, and ``manifest.json``: when it was made, from which
database, the Django migrations applied, and the size and SHA-256 of every other member.

The database is dumped first and the files copied after: evidence and documents are only ever
added, so a file uploaded during the backup is at worst an extra file no row points to, never a
row whose file is missing. The migrations listed are read in the very snapshot ``pg_dump``
dumps (an exported snapshot), so the manifest describes exactly the dumped data.

Restoring reads the whole archive into a staging folder beside the media folder and checks every
hash *before* anything is written to the database or the media folder; then ``pg_restore`` loads
the dump in one transaction (all or nothing) and the files are moved into place. The target
database must be empty unless the operator says otherwise. ``pg_restore`` loads rows with COPY,
and the append-only triggers of the audit tables refuse only UPDATE and DELETE, so the audit
trail comes back as it was and ``verify_audit`` checks it on the restored database.

``pg_dump`` and ``pg_restore`` must not be older than the server (nor ``pg_restore`` older than
the ``pg_dump`` that wrote the archive): of the copies found (``PG_BIN_DIR``, the embedded
server's, Debian's ``/usr/lib/postgresql/<n>/bin``, ``PATH``) the oldest one that is new enough
is used.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils import timezone

FORMAT = "pengjiang-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- where the database is -----------------------------------------------------------------
@dataclass(frozen=True)
class Database:
    """How to reach one PostgreSQL database (from Django's DATABASES entry or a DATABASE_URL)."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, entry: dict[str, Any]) -> Database:
        return cls(
            name=entry["NAME"],
            user=entry.get("USER") or "",
            password=entry.get("PASSWORD") or "",
            host=entry.get("HOST") or "",
            port=str(entry.get("PORT") or ""),
            options={k: v for k, v in (entry.get("OPTIONS") or {}).items() if k in _LIBPQ_OPTIONS},
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        import dj_database_url

        entry = dj_database_url.parse(url)
        if entry["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError(f"not a PostgreSQL URL: {url.split('@')[-1]}")
        return cls.from_settings(dict(entry))

    def connect(self, *, dbname: str | None = None):
        import psycopg2

        params = {"dbname": dbname or self.name, "user": self.user, "password": self.password, "host": self.host}
        params = {k: v for k, v in params.items() if v}
        if self.port:
            params["port"] = self.port
        return psycopg2.connect(**params, **self.options)

    def libpq_environment(self) -> dict[str, str]:
        """The environment for pg_dump / pg_restore: the password never shows in a process list."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        for variable, value in (
            ("PGDATABASE", self.name),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGHOST", self.host),
            ("PGPORT", self.port),
        ):
            if value:
                env[variable] = value
        for option, value in self.options.items():
            env[_LIBPQ_OPTIONS[option]] = str(value)
        return env

    def describe(self) -> str:
        where = self.host or "local socket"
        return f"{self.name} on {where}{':' + self.port if self.port else ''}"


_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def server_major_version(database: Database) -> int:
    conn = database.connect()
    try:
        return conn.server_version // 10000
    finally:
        conn.close()


# --- finding pg_dump and pg_restore ---------------------------------------------------------
def _candidate_dirs() -> Iterator[Path]:
    explicit = os.environ.get("PG_BIN_DIR")
    if explicit:
        yield Path(explicit)
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH  # the embedded server of `make run`

        yield Path(POSTGRES_BIN_PATH)
    except ImportError:
        pass
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if directory:
            yield Path(directory)


def _tool_major_version(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(match.group(1)) if match else None


def find_pg_tool(name: str, *, at_least: int) -> tuple[Path, int]:
    """The oldest copy of ``name`` (pg_dump, pg_restore) whose major version is ``at_least`` or newer."""
    found: dict[Path, int] = {}
    for directory in _candidate_dirs():
        path = directory / name
        if path.is_file() and os.access(path, os.X_OK):
            resolved = path.resolve()
            if resolved not in found:
                version = _tool_major_version(resolved)
                if version is not None:
                    found[resolved] = version
    usable = sorted((version, str(path)) for path, version in found.items() if version >= at_least)
    if not usable:
        seen = ", ".join(f"{p} ({v})" for p, v in found.items()) or "none"
        raise BackupError(
            f"{name} of PostgreSQL {at_least} or newer is needed (found: {seen}); install the client tools "
            f"(apt-get install postgresql-client) or point PG_BIN_DIR at their folder"
        )
    version, found_at = usable[0]
    return Path(found_at), version


# --- hashing while copying ------------------------------------------------------------------
def _copy_hashing(source: IO[bytes], target: IO[bytes] | None, size: int | None = None) -> tuple[str, int]:
    digest = hashlib.sha256()
    total = 0
    while size is None or total < size:
        chunk = source.read(_CHUNK if size is None else min(_CHUNK, size - total))
        if not chunk:
            break
        digest.update(chunk)
        if target is not None:
            target.write(chunk)
        total += len(chunk)
    return digest.hexdigest(), total


class _HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


# --- making a backup ------------------------------------------------------------------------
def default_archive_name(database: Database, now: datetime.datetime) -> str:
    return f"pengjiang-{database.name}-{now:%Y%m%d-%H%M%S}.tar.gz"


def _snapshot_and_migrations(conn) -> tuple[str, dict[str, list[str]]]:
    """Export the snapshot pg_dump will dump, and read the applied migrations in it."""
    cursor = conn.cursor()
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    cursor.execute("SELECT pg_export_snapshot()")
    snapshot = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    if cursor.fetchone()[0]:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return snapshot, migrations


def create_backup(*, database: Database, media_root: Path, output: Path) -> dict[str, Any]:
    """Write one archive of the database and the media folder to ``output``; return its manifest.

    The archive is written beside ``output`` under a temporary name and renamed when complete,
    so a backup that fails half-way never leaves a file that looks whole. It holds personal
    data, so only its owner may read it.
    """
    if output.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(
            f"the archive would be inside the media folder it copies ({media_root}): choose another output"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    server_major = server_major_version(database)
    pg_dump, dump_major = find_pg_tool("pg_dump", at_least=server_major)
    members: dict[str, dict[str, Any]] = {}
    partial = output.with_name(f".{output.name}.{uuid.uuid4().hex[:8]}.partial")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        dump_path = Path(work) / DUMP
        conn = database.connect()
        try:
            snapshot, migrations = _snapshot_and_migrations(conn)
            result = subprocess.run(
                [str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={dump_path}", database.name],
                env=database.libpq_environment(),
                capture_output=True,
                text=True,
            )
        finally:
            conn.rollback()
            conn.close()
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                _add_file(tar, dump_path, DUMP, members)
                for path in _media_files(media_root):
                    _add_file(tar, path, f"{MEDIA}/{path.relative_to(media_root).as_posix()}", members)
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.localtime().isoformat(timespec="seconds"),
                    "database": {
                        "name": database.name,
                        "server_major_version": server_major,
                        "pg_dump_major_version": dump_major,
                    },
                    "migrations": migrations,
                    "media_files": sum(1 for name in members if name.startswith(f"{MEDIA}/")),
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
                tar.addfile(info, _BytesReader(data))
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.position + size
        chunk, self.position = self.data[self.position : end], min(end, len(self.data))
        return chunk


def _media_files(media_root: Path) -> list[Path]:
    """Every regular file under the media folder, in a stable order (links are not followed)."""
    if not media_root.is_dir():
        return []
    files = []
    for directory, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                files.append(path)
    return files


def _add_file(tar: tarfile.TarFile, path: Path, name: str, members: dict[str, dict[str, Any]]) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as stream:
        reader = _HashingReader(stream)
        tar.addfile(info, reader)
    members[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}


# --- restoring ------------------------------------------------------------------------------
@dataclass
class StagedArchive:
    """An archive unpacked into a staging folder and checked against its manifest."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def dump(self) -> Path:
        return self.folder / DUMP

    def media_files(self) -> Iterator[tuple[Path, str]]:
        """(staged path, path under the media folder) of every uploaded file."""
        for name in sorted(self.manifest["members"]):
            if name.startswith(f"{MEDIA}/"):
                yield self.folder / name, name[len(MEDIA) + 1 :]


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return name in {MANIFEST, DUMP} or (path.parts[0] == MEDIA and len(path.parts) > 1)


def stage_archive(archive: Path, staging: Path) -> StagedArchive:
    """Unpack ``archive`` into ``staging`` and check every member against the manifest.

    Raises :class:`BackupError` naming the first problem: a member missing, extra, altered or
    with an unsafe name (absolute, ``..``, a link or a device), or no manifest at all.
    """
    found: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for info in tar:
                if info.isdir():
                    continue
                if not info.isfile() or not _safe_member_name(info.name):
                    raise BackupError(f"the archive holds an unexpected member: {info.name!r}")
                if info.name in found or (info.name == MANIFEST and manifest is not None):
                    raise BackupError(f"the archive holds {info.name!r} twice")
                source = tar.extractfile(info)
                if source is None:
                    raise BackupError(f"cannot read {info.name!r} from the archive")
                if info.name == MANIFEST:
                    manifest = json.loads(source.read().decode())
                    continue
                target = staging / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    sha256, size = _copy_hashing(source, out)
                found[info.name] = {"sha256": sha256, "size": size}
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"the archive cannot be read: {exc}") from exc
    if manifest is None or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup of this portal (no {FORMAT} manifest)")
    expected = manifest.get("members", {})
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            raise BackupError(f"{name} is listed in the manifest but missing from the archive")
        if name not in expected:
            raise BackupError(f"{name} is in the archive but not in the manifest")
        if found[name] != expected[name]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the archive was altered or damaged")
    if DUMP not in found:
        raise BackupError(f"the archive holds no {DUMP}")
    return StagedArchive(folder=staging, manifest=manifest)


def database_is_empty(database: Database) -> bool:
    """Whether the database holds no table, view or sequence of its own (system schemas aside)."""
    import psycopg2

    try:
        conn = database.connect()
    except psycopg2.OperationalError as exc:
        raise BackupError(
            f"cannot connect to the target database {database.describe()}: {str(exc).strip()} "
            f"(create it first, e.g. createdb {database.name})"
        ) from exc
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'"
            )
            return cursor.fetchone()[0] == 0
    finally:
        conn.close()


def folder_is_empty(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def restore_database(*, dump: Path, database: Database, dump_major: int, replace: bool) -> None:
    """Load a custom-format dump in one transaction; with ``replace``, drop what it holds first."""
    pg_restore, _ = find_pg_tool("pg_restore", at_least=max(dump_major, server_major_version(database)))
    command = [
        str(pg_restore),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={database.name}",
    ]
    if replace:
        command += ["--clean", "--if-exists"]
    result = subprocess.run([*command, str(dump)], env=database.libpq_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored: {result.stderr.strip()}")


def install_media(staged: StagedArchive, media_root: Path) -> int:
    """Move the staged files into the media folder (same file system: each move is a rename)."""
    count = 0
    for source, relative in staged.media_files():
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        count += 1
    return count


def restore_backup(
    *,
    archive: Path,
    database: Database,
    media_root: Path,
    replace: bool = False,
    confirm: Callable[[dict[str, Any]], bool] = lambda manifest: True,
) -> dict[str, Any] | None:
    """Restore an archive into a database and a media folder; return its manifest.

    Refuses a database or media folder that already holds something unless ``replace`` is
    given. Nothing is changed until the whole archive has been checked and ``confirm`` (shown
    the manifest) agreed; returns None when it did not.
    """
    if not archive.is_file():
        raise BackupError(f"no such archive: {archive}")
    if not replace and not database_is_empty(database):
        raise BackupError(
            f"the database {database.describe()} is not empty; restore into an empty database "
            f"or pass --replace-existing to drop what the backup holds first"
        )
    if not replace and not folder_is_empty(media_root):
        raise BackupError(f"the media folder {media_root} is not empty; empty it or pass --replace-existing")
    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as staging:
        staged = stage_archive(archive, Path(staging))
        if not confirm(staged.manifest):
            return None
        restore_database(
            dump=staged.dump,
            database=database,
            dump_major=int(staged.manifest["database"]["pg_dump_major_version"]),
            replace=replace,
        )
        install_media(staged, media_root)
    return staged.manifest


def migration_difference(manifest: dict[str, Any], known: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """(migrations the backup has that this code lacks, migrations this code has that the backup lacks)."""
    in_backup = {f"{app}.{name}" for app, names in manifest.get("migrations", {}).items() for name in names}
    in_code = {f"{app}.{name}" for app, names in known.items() for name in names}
    return sorted(in_backup - in_code), sorted(in_code - in_backup)
