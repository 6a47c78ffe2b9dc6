"""Choices shared across the portal: kinds of units and the roles people hold."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("District")
    TOWNSHIP = "township", _("Township or street")
    ENFORCEMENT_OFFICE = "enforcement_office", _("Comprehensive enforcement office")
    JUDICIAL_OFFICE = "judicial_office", _("Judicial office")
    DEPARTMENT = "department", _("District department")
    JUSTICE_BUREAU = "justice_bureau", _("District justice bureau")
    RULE_OF_LAW_OFFICE = "rule_of_law_office", _("District rule-of-law office")
    CONTACT_POINT = "contact_point", _("Supervision contact point")


# Units whose people work for the whole district (their scope is every township).
DISTRICT_LEVEL_KINDS = frozenset({UnitKind.DISTRICT, UnitKind.JUSTICE_BUREAU, UnitKind.RULE_OF_LAW_OFFICE})
# Units that belong to one township (their scope is that township).
TOWNSHIP_LEVEL_KINDS = frozenset({UnitKind.TOWNSHIP, UnitKind.ENFORCEMENT_OFFICE, UnitKind.JUDICIAL_OFFICE})


class TownshipType(models.TextChoices):
    TOWN = "town", _("Town")
    STREET = "street", _("Street")


class Role(models.TextChoices):
    """The roles of ARCHITECTURE.md. Each is a Django group whose name is the value."""

    OFFICER = "officer", _("Enforcement officer")
    OFFICE_HEAD = "office_head", _("Office head")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    TOWNSHIP_LEADER = "township_leader", _("Township leader")
    JUDICIAL_SUPERVISOR = "judicial_supervisor", _("Judicial-office supervisor")
    DISTRICT_SUPERVISOR = "district_supervisor", _("District supervisor")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    SOCIAL_SUPERVISOR = "social_supervisor", _("Social supervisor")
    DISTRICT_ADMIN = "district_admin", _("District admin")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off (holiday)")
    WORKING_DAY = "working_day", _("Working day (make-up day)")
