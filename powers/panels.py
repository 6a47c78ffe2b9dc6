"""Home-page panels of the catalogue."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.home import Panel, registry

from .evaluation import last_evaluation_follow_up
from .selectors import catalogue_figures, has_sample_items


def _catalogue(request: HttpRequest) -> dict:
    return {
        **catalogue_figures(timezone.localdate()),
        "follow_up": last_evaluation_follow_up(limit=6),
        "show_sample": has_sample_items(),
    }


def register() -> None:
    registry.register(
        Panel(
            "powers_catalogue",
            _("Delegated powers catalogue"),
            "powers/panels/catalogue.html",
            frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_SUPERVISOR, Role.DEPARTMENT_LIAISON}),
            _catalogue,
            20,
            "col-12",
        )
    )
