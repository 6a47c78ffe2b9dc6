"""Sign-in throttling: django-axes' database handler, counting failures three ways.

Axes locks the pair user name + address after ``AXES_FAILURE_LIMIT`` failures (the settings say
why the pair). An attacker who rotates addresses against one user name, or tries many user names
from one address, never fills one pair; so the failures are also counted per user name across
addresses and per address across user names, each against a higher limit of its own
(``AXES_USERNAME_FAILURE_LIMIT``, ``AXES_ADDRESS_FAILURE_LIMIT``), over the same cool-off.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

# What request.lockout_by says locked a sign-in.
BY_PAIR = "username_address"
BY_USERNAME = "username"
BY_ADDRESS = "address"


def _failures(**lookup: Any) -> int:
    return AccessAttempt.objects.filter(**lookup).aggregate(n=Sum("failures_since_start"))["n"] or 0


class PortalLockoutHandler(AxesDatabaseHandler):
    """Locks a user name + address, a user name from any address, or an address for any user name."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # Axes compares one number with AXES_FAILURE_LIMIT. Each count is shifted so that it
        # reaches that limit exactly when it reaches its own; the largest decides, and the count
        # that decided is kept on the request for the audit row and the page.
        limit = settings.AXES_FAILURE_LIMIT
        counts = [(BY_PAIR, super().get_failures(request, credentials), limit)]
        since = get_cool_off_threshold(request)
        username = get_client_username(request, credentials)
        if username:
            by_name = _failures(username=username, attempt_time__gte=since)
            counts.append((BY_USERNAME, by_name, settings.AXES_USERNAME_FAILURE_LIMIT))
        address = getattr(request, "axes_ip_address", None)
        if address:
            by_address = _failures(ip_address=address, attempt_time__gte=since)
            counts.append((BY_ADDRESS, by_address, settings.AXES_ADDRESS_FAILURE_LIMIT))
        by, failures, own_limit = max(counts, key=lambda c: (c[1] - (c[2] - limit), c[0] == BY_PAIR))
        request.lockout_by = by  # type: ignore[attr-defined]
        request.lockout_failures = failures  # type: ignore[attr-defined]
        return failures - (own_limit - limit)
