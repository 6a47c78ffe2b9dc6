"""What the catalogue's pages share: the permission check of pages that create a row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def require(request: HttpRequest, permission: str) -> None:
    """403 unless the user holds ``permission`` (for pages that create rather than open a row)."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
