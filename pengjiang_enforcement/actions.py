"""The names of everything the portal records, each with the label people read.

An action code names one kind of step, ``<app>.<subject>.<verb>`` (``cases.case.filed``,
``core.user.logged_in``). The audit trail stores the code; a timeline event stores the code
without its prefix (a case event ``case.filed``, a work-order event ``accepted``). Each app
registers its codes once, in its ``actions.py``, so the timeline of a case and the audit page show
the same words for the same step.

A code nobody registered is shown as itself: an old row written by an action since renamed still
reads, and ``tests/test_actions.py`` makes sure every code the code writes is registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Any] = {}


def register(labels: Mapping[str, Any]) -> None:
    """Add action codes with their (lazily translated) labels; a code is registered once."""
    for code, label in labels.items():
        if code in _LABELS and _LABELS[code] is not label:
            raise ValueError(f"action {code!r} is registered twice")
        _LABELS[code] = label


def label(code: str) -> str:
    """What people read for an action code (the code itself when it is unknown)."""
    found = _LABELS.get(code)
    return str(found) if found is not None else code


def is_registered(code: str) -> bool:
    return code in _LABELS


def registered() -> dict[str, Any]:
    """Every registered code with its label (a copy)."""
    return dict(_LABELS)


# The kernel's own actions: units, people, certificates, the calendar, sign-ins.
register(
    {
        "core.unit.created": _("Unit created"),
        "core.unit.updated": _("Unit changed"),
        "core.user.created": _("Account created"),
        "core.user.updated": _("Account changed"),
        "core.user.logged_in": _("Signed in"),
        "core.user.logged_out": _("Signed out"),
        "core.user.login_failed": _("Sign-in failed"),
        "core.user.locked_out": _("Locked out after failed sign-ins"),
        "core.user.password_changed": _("Password changed"),
        "core.certificate.added": _("Enforcement certificate recorded"),
        "core.certificate.revoked": _("Enforcement certificate revoked"),
        "core.calendar.override_set": _("Calendar day set"),
    }
)
