"""The home page of each role, assembled from panels that apps register.

Core cannot import the apps above it (``core <- powers <- cases <- supervision``), so each app
registers the panels it contributes in its ``AppConfig.ready()``; the home view shows those
whose roles match the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import Role

# The order decides which home page a user with several roles lands on.
ROLE_PRECEDENCE: list[str] = [
    Role.DISTRICT_ADMIN,
    Role.DISTRICT_SUPERVISOR,
    Role.JUDICIAL_SUPERVISOR,
    Role.TOWNSHIP_LEADER,
    Role.OFFICE_HEAD,
    Role.LEGAL_REVIEWER,
    Role.OFFICER,
    Role.DEPARTMENT_LIAISON,
    Role.SOCIAL_SUPERVISOR,
]

HOME_TITLES: dict[str, Any] = {
    Role.OFFICER: _("My work"),
    Role.OFFICE_HEAD: _("Office workbench"),
    Role.LEGAL_REVIEWER: _("Legal review workbench"),
    Role.TOWNSHIP_LEADER: _("Township overview"),
    Role.JUDICIAL_SUPERVISOR: _("Review queue"),
    Role.DISTRICT_SUPERVISOR: _("District review queue"),
    Role.DEPARTMENT_LIAISON: pgettext_lazy("home page", "Department liaison"),
    Role.SOCIAL_SUPERVISOR: _("Social supervision"),
    Role.DISTRICT_ADMIN: _("Catalogue and units"),
}


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    roles: frozenset[str]
    context: Callable[[HttpRequest], dict[str, Any]]
    order: int = 100
    width: str = "col-lg-6"


@dataclass
class PanelRegistry:
    panels: list[Panel] = field(default_factory=list)

    def register(self, panel: Panel) -> None:
        self.panels = [p for p in self.panels if p.key != panel.key] + [panel]
        self.panels.sort(key=lambda p: p.order)

    def for_role(self, role: str) -> list[Panel]:
        return [p for p in self.panels if role in p.roles]


registry = PanelRegistry()


def primary_role(user) -> str | None:
    for role in ROLE_PRECEDENCE:
        if role in user.role_codes:
            return role
    return Role.DISTRICT_ADMIN if user.is_superuser else None
