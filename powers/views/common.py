"""What the catalogue's pages share: the permission check of pages that create a row, and the
warning on a date far ahead."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from pengjiang_enforcement.workdays import today as local_today

from ..rules import catalogue_effective_date_far_ahead


def require(request: HttpRequest, permission: str) -> None:
    """403 unless the user holds ``permission`` (for pages that create rather than open a row)."""
    if not request.user.has_perm(permission):
        raise PermissionDenied


def warn_far_ahead(request: HttpRequest, day: datetime.date) -> None:
    """Warn (never refuse) when a change is dated further ahead than POWERS_FAR_AHEAD_DAYS."""
    warning = catalogue_effective_date_far_ahead(day, today=local_today())
    if warning:
        messages.warning(request, warning)
