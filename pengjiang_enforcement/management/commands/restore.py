"""Restore an archive made by ``manage.py backup`` into an empty database and media folder."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.migrations.loader import MigrationLoader

from ...backup import BackupError, Database, migration_difference, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive: check every SHA-256 of its manifest, then load the database dump "
        "into an EMPTY database (in one transaction) and the uploaded files into an empty media folder, "
        "then verify the audit trail of the restored database."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the .tar.gz written by `manage.py backup`")
        parser.add_argument(
            "--database-url",
            help="restore into this database (postgres://...) instead of the portal's DATABASE_URL",
        )
        parser.add_argument("--media-root", type=Path, help="restore the uploaded files here instead of MEDIA_ROOT")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--replace-existing",
            action="store_true",
            help="restore into a database or media folder that is not empty: the tables of the backup "
            "are dropped and loaded again, files of the same name are overwritten",
        )
        parser.add_argument(
            "--skip-verify", action="store_true", help="do not run verify_audit on the restored database"
        )

    def handle(self, *args, **options):
        url = options["database_url"]
        database = Database.from_url(url) if url else Database.from_settings(settings.DATABASES["default"])
        media_root = options["media_root"] or Path(settings.MEDIA_ROOT)
        interactive = not options["yes"]
        if interactive and not sys.stdin.isatty():
            raise CommandError("no terminal to ask for confirmation: add --yes")

        def confirm(manifest) -> bool:
            self.stdout.write(
                f"archive checked: made {manifest['created_at']} from database {manifest['database']['name']}, "
                f"{manifest['media_files']} uploaded files; every SHA-256 matches."
            )
            if not interactive:
                return True
            answer = input(f"Restore it into database {database.describe()} and folder {media_root}? [y/N] ")
            return answer.strip().lower() in {"y", "yes"}

        try:
            manifest = restore_backup(
                archive=options["archive"],
                database=database,
                media_root=media_root,
                replace=options["replace_existing"],
                confirm=confirm,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if manifest is None:
            self.stdout.write("nothing restored")
            return
        self.stdout.write(self.style.SUCCESS(f"restored into database {database.describe()} and {media_root}"))
        self._compare_migrations(manifest)
        if not options["skip_verify"]:
            self._verify_audit(url)

    def _compare_migrations(self, manifest) -> None:
        known: dict[str, set[str]] = {}
        for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations:
            known.setdefault(app, set()).add(name)
        newer, missing = migration_difference(manifest, known)
        if newer:
            self.stderr.write(
                f"the backup was made by a newer version of the portal ({len(newer)} migrations this code "
                f"does not have, e.g. {newer[0]}): run that version against it"
            )
        elif missing:
            self.stdout.write(f"{len(missing)} migrations are newer than the backup: run `manage.py migrate`")

    def _verify_audit(self, url: str | None) -> None:
        # In a new process: this one is connected to the portal's own database.
        env = {**os.environ, **({"DATABASE_URL": url} if url else {})}
        result = subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_audit"],
            env=env,
            capture_output=True,
            text=True,
        )
        self.stdout.write(result.stdout.strip())
        if result.returncode != 0:
            raise CommandError(
                "the data were restored, but the audit trail does not verify (is AUDIT_KEY the one of the "
                f"backed-up portal?):\n{result.stderr.strip()}"
            )
