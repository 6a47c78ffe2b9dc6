"""What the services of the cases app share beyond the kernel's transition machinery: the search
columns, the procedure policy, the office heads, and the state a record may be added in.

Locking, compare-and-set saves, the timeline and the audit row come from
:mod:`pengjiang_enforcement.workflow` (``CASES.lock``, ``transition``, ``CASES.record``); the
chokepoint check from :func:`pengjiang_enforcement.permissions.require`; today from
:func:`pengjiang_enforcement.workdays.today`.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from pengjiang_enforcement.choices import Role, UnitKind
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.search import search_vector

from ..choices import CaseState
from ..models import Case, Lead, ProcedurePolicy


def refresh_case_search(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(
        search_vector=search_vector(case.number, case.title, case.facts, case.place, case.party_summary)
    )


def refresh_lead_search(lead: Lead) -> None:
    Lead.objects.filter(pk=lead.pk).update(
        search_vector=search_vector(
            lead.reference, lead.description, lead.place, lead.reporter_name, lead.hotline_order_no, lead.external_ref
        )
    )


def policy_for(township: Unit | int | None) -> ProcedurePolicy:
    """The township's procedure policy, else the district's, else the defaults in code."""
    township_id = township.pk if isinstance(township, Unit) else township
    rows = {
        p.township_id: p for p in ProcedurePolicy.objects.filter(Q(township_id=township_id) | Q(township__isnull=True))
    }
    return rows.get(township_id) or rows.get(None) or ProcedurePolicy()


def office_heads(township: Unit | int) -> list[User]:
    """The active office heads of a township (approvers, and recipients of its deadline notices)."""
    return list(User.objects.filter(is_active=True, groups__name=Role.OFFICE_HEAD, unit__township=township).distinct())


def township_leaders(township: Unit | int) -> list[User]:
    """The active township leaders (镇街领导) of a township."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.TOWNSHIP_LEADER, unit__township=township).distinct()
    )


def district_heads() -> list[User]:
    """The active office heads and leaders of the district itself (see ``rules.is_district_head``)."""
    return list(
        User.objects.filter(
            is_active=True, groups__name__in=[Role.OFFICE_HEAD, Role.TOWNSHIP_LEADER], unit__kind=UnitKind.DISTRICT
        ).distinct()
    )


def require_state(case: Case, states: tuple[str, ...] | list[str], *, doing: str) -> None:
    """Parties, evidence and records are added while the case is being filed or investigated."""
    if case.state not in states:
        raise RuleViolation(
            _("%(doing)s is not possible while the case is “%(state)s”."),
            rule="case_state_allows",
            params={"doing": doing, "state": CaseState(case.state).label},
        )
