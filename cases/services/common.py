"""What every service of the cases app shares: today, locks, compare-and-set, events, search."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.exceptions import ConflictError, RuleViolation
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.search import search_vector

from ..choices import CaseState
from ..models import Case, CaseEvent, Lead, ProcedurePolicy


def local_today(today: datetime.date | None = None) -> datetime.date:
    """Today in Asia/Shanghai. Services take ``today`` only from demo data and tests."""
    return today or timezone.localdate()


def require(actor: User | None, action: str, obj: Case | Lead) -> None:
    """The actor may perform ``action`` on ``obj`` (the chokepoint again, inside the service)."""
    if actor is None:
        return
    if not type(obj).objects.restrict(actor, action).filter(pk=obj.pk).exists():
        raise PermissionDenied


def _conflict(obj: Case | Lead, owner: dict[str, Any]) -> ConflictError:
    last = CaseEvent.objects.filter(**owner).select_related("actor").order_by("-at", "-id").first()
    who = str(last.actor) if last and last.actor else _("someone else")
    when = date_format(timezone.localtime(last.at), "Y-m-d H:i") if last else "—"
    return ConflictError(
        _(
            "%(who)s changed this record at %(when)s, after you opened it. Nothing was saved and your "
            "input is still below: reload the page to see their change, then apply yours again."
        ),
        params={"who": who, "when": when},
    )


def lock_case(case: Case | int, *, expected_version: int | None = None) -> Case:
    """Lock the case row for this transaction; refuse if it changed since ``expected_version``."""
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update(of=("self",)).select_related("township", "power_item").get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise _conflict(locked, {"case": locked})
    return locked


def lock_lead(lead: Lead | int, *, expected_version: int | None = None) -> Lead:
    pk = lead.pk if isinstance(lead, Lead) else lead
    locked = Lead.objects.select_for_update(of=("self",)).select_related("township").get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise _conflict(locked, {"lead": locked})
    return locked


def save_versioned(obj: Case | Lead, fields: list[str]) -> None:
    """Write ``fields`` of a locked row with compare-and-set on its version, and bump it.

    The row is locked, so the version cannot have moved; the compare-and-set still says so in
    SQL (``WHERE version = n``) and fails loudly if a caller forgot the lock.
    """
    values = {name: getattr(obj, name) for name in fields}
    values["updated_at"] = timezone.now()
    updated = type(obj).objects.filter(pk=obj.pk, version=obj.version).update(version=F("version") + 1, **values)
    if updated != 1:
        raise ConflictError(_("This record was changed meanwhile; reload the page."))
    obj.version += 1


def event_record(
    *,
    kind: str,
    actor: User | None,
    case: Case | None = None,
    lead: Lead | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one step to the timeline of a case or lead."""
    return CaseEvent.objects.create(
        case=case,
        lead=lead,
        kind=kind,
        actor=actor,
        at=timezone.now(),
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


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
    township_id = getattr(township, "pk", township)
    rows = {
        p.township_id: p for p in ProcedurePolicy.objects.filter(Q(township_id=township_id) | Q(township__isnull=True))
    }
    return rows.get(township_id) or rows.get(None) or ProcedurePolicy()


def office_heads(township: Unit | int) -> list[User]:
    """The active office heads of a township (approvers, and recipients of its deadline notices)."""
    return list(User.objects.filter(is_active=True, groups__name=Role.OFFICE_HEAD, unit__township=township).distinct())


def require_state(case: Case, states: tuple[str, ...] | list[str], *, doing: str) -> None:
    """Parties, evidence and records are added while the case is being filed or investigated."""
    if case.state not in states:
        raise RuleViolation(
            _("%(doing)s is not possible while the case is “%(state)s”."),
            rule="case_state_allows",
            params={"doing": doing, "state": CaseState(case.state).label},
        )
