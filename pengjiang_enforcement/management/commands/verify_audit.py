"""Check the audit trail: every row's hash, every chain link, every chain head, every checkpoint."""

from django.core.management.base import BaseCommand, CommandError

from ...audit import verify_audit


class Command(BaseCommand):
    help = "Verify the audit trail and name any forged, edited or removed row."

    def handle(self, *args, **options):
        report = verify_audit()
        for problem in report.problems:
            self.stderr.write(problem)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
        summary = (
            f"{report.rows} rows in {report.chains} chains, {report.heads} heads, {report.checkpoints} checkpoints"
        )
        if not report.ok:
            raise CommandError(f"audit trail is NOT intact: {len(report.problems)} problem(s) in {summary}")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {summary}"))
