from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Leads, 12345 work orders, cases and their procedure."""

    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import actions, panels  # noqa: F401  (actions registers its labels)
        from .hotline import startup

        panels.register()
        startup.ready()
