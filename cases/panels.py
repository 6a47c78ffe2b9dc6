"""Home-page panels and menu entries of the cases app (registered in ``CasesConfig.ready``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.home import Panel, registry
from pengjiang_enforcement.navigation import MENU, MenuEntry

from . import selectors
from .filters import due_soon_days


def _flagged(request: HttpRequest, rows, attr: str):
    # One read of the township's policy for every panel of the page.
    soon = getattr(request, "_due_soon_days", None)
    if soon is None:
        soon = request._due_soon_days = due_soon_days(request.user)  # type: ignore[attr-defined]
    return selectors.flag_rows(rows, attr=attr, today=timezone.localdate(), soon_days=soon)


def _my_cases(request: HttpRequest) -> dict:
    return {"cases": _flagged(request, selectors.my_open_cases(request.user), "next_due_on")}


def _my_leads(request: HttpRequest) -> dict:
    return {"leads": _flagged(request, selectors.my_leads_to_check(request.user), "check_due")}


def _approvals(request: HttpRequest) -> dict:
    return selectors.approvals_waiting(request.user, limit=10)


def _overdue(request: HttpRequest) -> dict:
    return {"cases": _flagged(request, selectors.overdue_cases(request.user), "next_due_on")}


def _township_live(request: HttpRequest) -> dict:
    return {"cases": _flagged(request, selectors.township_live_cases(request.user), "next_due_on")}


def _township_figures(request: HttpRequest) -> dict:
    return {"figures": selectors.township_figures(request.user)}


def _unread(user) -> int:
    return selectors.unread_count(user)


def register() -> None:
    registry.register(
        Panel(
            "my_cases",
            _("My open cases"),
            "cases/panels/case_rows.html",
            frozenset({Role.OFFICER}),
            _my_cases,
            12,
            "col-lg-8",
        )
    )
    registry.register(
        Panel(
            "my_leads",
            _("My leads awaiting check"),
            "cases/panels/lead_rows.html",
            frozenset({Role.OFFICER}),
            _my_leads,
            14,
            "col-lg-4",
        )
    )
    registry.register(
        Panel(
            "township_figures",
            _("The township at a glance"),
            "cases/panels/township_figures.html",
            frozenset({Role.OFFICER, Role.OFFICE_HEAD, Role.TOWNSHIP_LEADER}),
            _township_figures,
            15,  # a full-width strip under the rows of work, which keep their pairs
            "col-12",
        )
    )
    registry.register(
        Panel(
            "approvals",
            _("Waiting for my approval"),
            "cases/panels/approvals.html",
            frozenset({Role.OFFICE_HEAD, Role.TOWNSHIP_LEADER}),
            _approvals,
            12,
            "col-lg-8",
        )
    )
    registry.register(
        Panel(
            "office_overdue",
            _("Overdue cases of the office"),
            "cases/panels/case_rows.html",
            frozenset({Role.OFFICE_HEAD, Role.TOWNSHIP_LEADER}),
            _overdue,
            14,
            "col-12",
        )
    )
    registry.register(
        Panel(
            "township_live_cases",
            _("Live cases of the township (read-only)"),
            "cases/panels/case_rows.html",
            frozenset({Role.JUDICIAL_SUPERVISOR}),
            _township_live,
            12,
            "col-12",
        )
    )
    if any(entry.url_name.startswith("cases:") for entry in MENU):
        return  # registered already (ready() ran twice)
    MENU[1:1] = [
        MenuEntry(_("Leads"), "cases:lead_list", "cases.view_lead", icon="inbox"),
        MenuEntry(_("Cases"), "cases:case_list", "cases.view_case", icon="folder2-open"),
        MenuEntry(_("Approvals"), "cases:approvals", "cases.approve_case", icon="check2-square"),
    ]
    MENU.append(
        MenuEntry(_("Notifications"), "cases:notifications", "cases.view_notification", icon="bell", badge=_unread)
    )
