from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    """The delegated-powers catalogue."""

    name = "powers"
    verbose_name = _("Delegated powers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pengjiang_enforcement.navigation import MENU, MenuEntry

        from . import actions, panels  # noqa: F401  (actions registers its labels)

        panels.register()
        entry = MenuEntry(_("Powers catalogue"), "powers:item_list", "powers.view_poweritem", icon="journal-text")
        if entry not in MENU:
            # Right after Home: reading the catalogue is what most roles come for.
            MENU.insert(1, entry)
