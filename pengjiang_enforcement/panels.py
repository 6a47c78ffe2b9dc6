"""The home-page panels of the shared kernel."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .home import Panel, registry
from .models import AuditLog, EnforcementCertificate, User
from .roles import ALL_ROLES
from .selectors import (
    certificate_status,
    computed_years,
    people_with_certificates,
    township_overview,
    upcoming_special_days,
)


def _profile(request: HttpRequest) -> dict:
    return {"profile_roles": request.user.roles}


def _my_certificates(request: HttpRequest) -> dict:
    user = request.user
    prefetch_related_objects(
        [user], Prefetch("certificates", queryset=EnforcementCertificate.objects.order_by("-valid_to"))
    )
    return {"certificates": list(user.certificates.all()), "status": certificate_status(user)}


def _township_officers(request: HttpRequest) -> dict:
    township = request.user.township
    people = people_with_certificates(
        User.objects.restrict(request.user, "view")
        .filter(is_active=True, unit__township=township, groups__name__in=[Role.OFFICER, Role.OFFICE_HEAD])
        .distinct()
        .order_by("unit__sort_order", "full_name")
    )
    rows = [(person, certificate_status(person)) for person in people[:100]]
    return {"officer_rows": rows, "township": township}


def _district_units(request: HttpRequest) -> dict:
    return {"township_rows": list(township_overview(request.user))}


def _calendar(request: HttpRequest) -> dict:
    return {"special_days": upcoming_special_days()[:8], "computed_years": computed_years()}


def _recent_audit(request: HttpRequest) -> dict:
    rows = AuditLog.objects.restrict(request.user, "view").select_related("actor").order_by("-id")[:8]
    return {"audit_rows": list(rows)}


def register() -> None:
    registry.register(
        Panel(
            "profile",
            _("My account"),
            "core/panels/profile.html",
            frozenset(ALL_ROLES),
            _profile,
            10,
            # Beside the work on a wide screen, after it on a phone: the work is what one comes for.
            "col-lg-4 order-last order-lg-0",
        )
    )
    registry.register(
        Panel(
            "my_certificates",
            _("My enforcement certificates"),
            "core/panels/my_certificates.html",
            frozenset({Role.OFFICER, Role.OFFICE_HEAD}),
            _my_certificates,
            20,
            "col-lg-8",
        )
    )
    registry.register(
        Panel(
            "township_officers",
            _("Officers of the township and their certificates"),
            "core/panels/township_officers.html",
            frozenset({Role.JUDICIAL_SUPERVISOR, Role.OFFICE_HEAD, Role.TOWNSHIP_LEADER}),
            _township_officers,
            30,
            "col-12",
        )
    )
    registry.register(
        Panel(
            "district_units",
            _("Townships and streets"),
            "core/panels/district_units.html",
            frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_SUPERVISOR}),
            _district_units,
            30,
            "col-lg-8",
        )
    )
    registry.register(
        Panel(
            "calendar",
            _("Coming holidays and make-up working days"),
            "core/panels/calendar.html",
            frozenset(ALL_ROLES) - {Role.SOCIAL_SUPERVISOR},
            _calendar,
            80,
            "col-lg-4",
        )
    )
    registry.register(
        Panel(
            "recent_audit",
            _("Latest audit records"),
            "core/panels/recent_audit.html",
            frozenset({Role.DISTRICT_ADMIN}),
            _recent_audit,
            90,
            "col-12",
        )
    )
