from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    """The delegated-powers catalogue."""

    name = "powers"
    verbose_name = _("Delegated powers")
    default_auto_field = "django.db.models.BigAutoField"
