"""Reads of the shared kernel used by more than one view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from . import workdays
from .choices import Role
from .models import EnforcementCertificate, Unit, User
from .workdays import today

CERTIFICATE_WARNING_DAYS = 60


def township_overview(user) -> QuerySet[Unit]:
    """Townships the user may see, each with its number of officers and of certified officers."""
    day = today()
    valid = EnforcementCertificate.objects.valid_on(day).filter(user=OuterRef("pk"))
    officers = User.objects.filter(is_active=True, groups__name=Role.OFFICER)
    certified_ids = officers.filter(Exists(valid)).values("pk")
    visible: Any = Unit.objects.restrict(user, "view")  # a UnitQuerySet
    return (
        visible.townships(active=None)
        .annotate(
            officer_count=Count(
                "township_units__members",
                filter=Q(township_units__members__in=officers.values("pk")),
                distinct=True,
            ),
            certified_count=Count(
                "township_units__members",
                filter=Q(township_units__members__in=certified_ids),
                distinct=True,
            ),
        )
        .order_by("sort_order", "pk")
    )


@dataclass
class CertificateStatus:
    code: str  # valid / expiring / expired / none
    certificate: EnforcementCertificate | None
    days_left: int | None = None


def certificate_status(user: User, day: datetime.date | None = None) -> CertificateStatus:
    """Whether the user holds a valid certificate today, and how long it lasts.

    Uses the prefetched ``certificates`` when present, so lists do not query per row.
    """
    day = day or today()
    certificates = list(user.certificates.all())
    valid = [c for c in certificates if c.is_valid_on(day)]
    if valid:
        best = max(valid, key=lambda c: c.valid_to)
        days_left = (best.valid_to - day).days
        code = "expiring" if days_left <= CERTIFICATE_WARNING_DAYS else "valid"
        return CertificateStatus(code, best, days_left)
    if certificates:
        return CertificateStatus("expired", max(certificates, key=lambda c: c.valid_to))
    return CertificateStatus("none", None)


def people_with_certificates(queryset: QuerySet[User]) -> QuerySet[User]:
    return queryset.select_related("unit").prefetch_related(
        Prefetch("certificates", queryset=EnforcementCertificate.objects.order_by("-valid_to")),
        "groups",
    )


@dataclass
class SpecialDay:
    date: datetime.date
    working: bool
    name: str


def computed_years(start: datetime.date | None = None, horizon_days: int = 90) -> list[int]:
    """Years within the horizon whose days off are computed (no announced arrangement known)."""
    start = start or today()
    end = start + datetime.timedelta(days=horizon_days)
    return [year for year in range(start.year, end.year + 1) if workdays.year_is_computed(year)]


def upcoming_special_days(start: datetime.date | None = None, horizon_days: int = 90) -> list[SpecialDay]:
    """Holidays on weekdays and working weekends in the coming weeks, for the calendar panel."""
    start = start or today()
    result = []
    names = workdays.override_names(start, start + datetime.timedelta(days=horizon_days))
    with workdays.batch():
        for offset in range(horizon_days):
            day = start + datetime.timedelta(days=offset)
            working = workdays.is_working_day(day)
            weekend = day.weekday() >= 5
            if working and weekend:
                result.append(SpecialDay(day, True, ""))
            elif not working and not weekend:
                result.append(SpecialDay(day, False, workdays.holiday_name(day, names) or ""))
    return result
