"""Load the demo data: the people of the shared kernel, then each app's own demo data.

Running it twice changes nothing. Each app may provide ``<app>/demo.py`` with a function
``load(stdout)``; they run in the order of INSTALLED_APPS (core, powers, cases, supervision).
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from ...choices import Role
from ...demo import DEMO_USERS


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, quiet: bool = False, **options):
        for app_config in apps.get_app_configs():
            if not (
                app_config.name.startswith("pengjiang_enforcement")
                or app_config.label in {"powers", "cases", "supervision"}
            ):
                continue
            try:
                module = import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_config.name}.demo":
                    raise
                continue
            module.load(self.stdout)
        if not quiet:
            self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {settings.DEMO_PASSWORD})"))
        for demo in DEMO_USERS:
            roles = ", ".join(str(Role(r).label) for r in demo.roles)
            self.stdout.write(f"  {demo.username:<14} {demo.full_name:<6}  {roles}")
        self.stdout.write("")
