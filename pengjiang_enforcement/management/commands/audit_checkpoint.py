"""Seal the heads of the audit chains now (the beat task does it every ten minutes)."""

from django.core.management.base import BaseCommand

from ...audit import audit_checkpoint


class Command(BaseCommand):
    help = "Write an audit checkpoint sealing the current head of every chain that moved."

    def handle(self, *args, **options):
        checkpoint = audit_checkpoint()
        if checkpoint is None:
            self.stdout.write("nothing new to seal")
        else:
            self.stdout.write(f"checkpoint {checkpoint.pk} seals {checkpoint.head_count} chains")
