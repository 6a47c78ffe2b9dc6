from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared kernel: units and people, roles, permissions, audit trail, calendar."""

    name = "pengjiang_enforcement"
    label = "core"
    verbose_name = _("Organisation and audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import actions, checks, panels, signals  # noqa: F401  (each registers itself)

        # signals.record_login_times sets last_login itself, after keeping the previous one.
        user_logged_in.disconnect(dispatch_uid="update_last_login")

        panels.register()
