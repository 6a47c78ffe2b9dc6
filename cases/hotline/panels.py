"""Home-page panels and the menu entry of the 12345 hotline (registered from ``startup.ready``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.home import Panel, registry
from pengjiang_enforcement.navigation import MENU, MenuEntry

from . import selectors


def _deadlines(request: HttpRequest) -> dict:
    user = request.user
    today = timezone.localdate()
    orders = selectors.open_orders(user)  # asked of the chokepoint once for the panel's three reads
    context = {
        "counts": selectors.township_deadline_counts(user, today, orders=orders),
        "orders": selectors.urgent_orders(user, today=today, orders=orders),
    }
    if user.has_perm("cases.approve_hotlineorder"):
        context["requests"] = selectors.pending_requests(user, limit=10)
    return context


def _triage_count(user) -> int:
    """The triage figure, read once per request for the panel and the menu badge."""
    count = getattr(user, "_triage_count", None)
    if count is None:
        count = user._triage_count = selectors.triage_count(user)
    return count


def _triage(request: HttpRequest) -> dict:
    return {"count": _triage_count(request.user)}


def _triage_badge(user) -> int | None:
    return _triage_count(user) or None


def register() -> None:
    registry.register(
        Panel(
            "hotline_deadlines",
            _("12345 work orders due soon or overdue"),
            "cases/hotline/panels/deadlines.html",
            frozenset({Role.OFFICER, Role.OFFICE_HEAD}),
            _deadlines,
            13,
            "col-lg-8",
        )
    )
    registry.register(
        Panel(
            "hotline_triage",
            _("12345 work orders to route"),
            "cases/hotline/panels/triage.html",
            frozenset({Role.DISTRICT_ADMIN, Role.OFFICE_HEAD}),
            _triage,
            13,  # beside the deadlines panel of office heads
            "col-lg-4",
        )
    )
    if any(entry.url_name.startswith("cases:hotline:") for entry in MENU):
        return  # registered already (ready() ran twice)
    after = next((i for i, e in enumerate(MENU) if e.url_name == "cases:lead_list"), 0)
    MENU.insert(
        after + 1,
        MenuEntry(
            _("12345 work orders"),
            "cases:hotline:order_list",
            "cases.view_hotlineorder",
            icon="telephone-inbound",
            badge=_triage_badge,
        ),
    )
