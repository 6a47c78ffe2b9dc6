"""Template context shared by every page: the portal's name and the navigation of the user."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation_for


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.PORTAL_NAME,
        "navigation": navigation_for(user) if user is not None and user.is_authenticated else [],
    }
