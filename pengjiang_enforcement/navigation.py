"""The navigation menu: which entries a user sees depends on their roles and permissions.

Apps add entries to ``MENU`` as they grow; an entry is shown when the user holds its
permission (and the URL name resolves), with an optional badge (a count the app computes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    permission: str | None = None
    staff_only: bool = False
    icon: str = ""
    # A number shown next to the label (e.g. unread notifications); None or 0 shows nothing.
    badge: Callable[..., int | None] | None = None


MENU: list[MenuEntry] = [
    MenuEntry(_("Home"), "home", icon="house"),
    MenuEntry(_("Units"), "core:unit_list", "core.view_unit", icon="diagram-3"),
    MenuEntry(_("People"), "core:user_list", "core.view_user", icon="people"),
    MenuEntry(_("Working-day calendar"), "core:calendar", "core.view_calendaroverride", icon="calendar3"),
    MenuEntry(_("Audit trail"), "core:audit_list", "core.view_auditlog", icon="journal-check"),
    MenuEntry(_("Administration"), "admin:index", staff_only=True, icon="gear"),
]


def navigation_for(user) -> list[dict]:
    items = []
    for entry in MENU:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        if entry.staff_only and not user.is_staff:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        badge = entry.badge(user) if entry.badge else None
        items.append(
            {"label": entry.label, "url": url, "icon": entry.icon, "url_name": entry.url_name, "badge": badge or None}
        )
    return items
