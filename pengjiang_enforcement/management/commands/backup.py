"""Write one archive of the database and the uploaded files (``make backup``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...backup import BackupError, Database, create_backup, default_archive_name


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the media folder into one .tar.gz "
        "with a manifest of SHA-256 hashes. Restore it with `manage.py restore PATH`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="the archive to write, or a folder to write it in (default: BACKUP_DIR, var/backups)",
        )

    def handle(self, *args, **options):
        database = Database.from_settings(settings.DATABASES["default"])
        output: Path | None = options["output"]
        name = default_archive_name(database, timezone.localtime())
        if output is None:
            output = Path(settings.BACKUP_DIR) / name
        elif output.is_dir():
            output = output / name
        if output.exists():
            raise CommandError(f"{output} already exists; choose another --output")
        try:
            manifest = create_backup(database=database, media_root=Path(settings.MEDIA_ROOT), output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = output.stat().st_size
        migrations = sum(map(len, manifest["migrations"].values()))
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written: {output} ({size / 1024 / 1024:.1f} MB; database {database.name}, "
                f"{manifest['media_files']} uploaded files, {migrations} migrations)"
            )
        )
