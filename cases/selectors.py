"""Reads of the cases app used by more than one view, panel, export or task.

Every query that shows rows to a user starts from ``restrict(user, action)``. Queues are built
for a million cases: each filter and sort has an index (see ``Case.Meta.indexes``), deadline
flags come from the denormalised ``Case.next_due_on``, the officers of a page come in one
prefetch, and nothing counts the whole table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from pengjiang_enforcement.models import AuditLog, Unit, User
from pengjiang_enforcement.permissions import user_scope
from pengjiang_enforcement.search import search_query

from .choices import CASE_LIVE_STATES, LEAD_OPEN_STATUSES, CaseState, DeadlineStatus, ExtensionStatus
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseOfficer,
    CorrectionOrder,
    Deadline,
    Evidence,
    ExtensionRequest,
    InspectionRecord,
    InterviewRecord,
    Lead,
    Notification,
    Party,
    Preservation,
    ProcedurePolicy,
)
from .services.common import policy_for

# --- deadline flags ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    code: str  # overdue / due_soon / ok / none
    days: int | None = None


def deadline_flag(due_on: datetime.date | None, today: datetime.date, soon_days: int) -> Flag:
    """Overdue, due soon or fine, for a due date (None: no running deadline)."""
    if due_on is None:
        return Flag("none")
    days = (due_on - today).days
    if days < 0:
        return Flag("overdue", -days)
    if days <= soon_days:
        return Flag("due_soon", days)
    return Flag("ok", days)


def due_soon_days(user: User) -> int:
    scope = user_scope(user)
    return policy_for(scope.township_id).due_soon_days


def flag_rows(rows: list[Any], *, attr: str, today: datetime.date, soon_days: int) -> list[Any]:
    for row in rows:
        row.flag = deadline_flag(getattr(row, attr), today, soon_days)
    return rows


# --- the case queue ---------------------------------------------------------------------------

CASE_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-id",),
    "oldest": ("id",),
    "due": ("next_due_on", "id"),
    "filed": ("-filed_on", "-id"),
    "filed_asc": ("filed_on", "id"),
}


@dataclass
class CaseFilters:
    scope: str = "township"  # mine / township (the user's, or the one chosen) / all
    township: Unit | None = None
    state: str = "live"  # a state, "live", or "" for every state
    item: Any = None
    officer: User | None = None
    party: str = ""
    source: str = ""
    filed_from: datetime.date | None = None
    filed_to: datetime.date | None = None
    deadline: str = ""  # overdue / due_soon
    q: str = ""
    sort: str = "newest"
    extra: dict[str, Any] = field(default_factory=dict)


def case_queue(user: User, filters: CaseFilters, *, today: datetime.date | None = None) -> QuerySet[Case]:
    """The cases a user may see, filtered and sorted for a queue, the export and the benchmark."""
    today = today or timezone.localdate()
    cases = Case.objects.restrict(user, "view")
    scope = user_scope(user)
    if filters.scope == "mine":
        cases = cases.filter(pk__in=CaseOfficer.objects.filter(user=user).values("case_id"))
    township = filters.township
    if township is None and filters.scope == "township" and scope.township_id:
        township = scope.township_id
    if township is not None:
        # Also narrows the chokepoint's OR to one township, so the township indexes apply.
        cases = cases.filter(township=township)
    if filters.state == "live":
        cases = cases.filter(state__in=CASE_LIVE_STATES)
    elif filters.state:
        cases = cases.filter(state=filters.state)
    if filters.item is not None:
        cases = cases.filter(power_item=filters.item)
    if filters.officer is not None:
        cases = cases.filter(pk__in=CaseOfficer.objects.filter(user=filters.officer).values("case_id"))
    if filters.party.strip():
        text = filters.party.strip()
        parties = Party.objects.filter(Q(name__startswith=text) | Q(identity_key=text.upper()))
        cases = cases.filter(pk__in=parties.values("case_id"))
    if filters.source:
        cases = cases.filter(source=filters.source)
    if filters.filed_from:
        cases = cases.filter(filed_on__gte=filters.filed_from)
    if filters.filed_to:
        cases = cases.filter(filed_on__lte=filters.filed_to)
    if filters.deadline == "overdue":
        cases = cases.filter(next_due_on__lt=today)
    elif filters.deadline == "due_soon":
        soon = today + datetime.timedelta(days=due_soon_days(user))
        cases = cases.filter(next_due_on__gte=today, next_due_on__lte=soon)
    if filters.q.strip():
        text = filters.q.strip()
        query = search_query(text)
        match = Q(number=text)
        if query is not None:
            match |= Q(search_vector=query)
        cases = cases.filter(match)
    sort = filters.sort if filters.sort in CASE_SORTS else "newest"
    if sort == "due":
        cases = cases.filter(next_due_on__isnull=False)
    elif sort in ("filed", "filed_asc"):
        cases = cases.filter(filed_on__isnull=False)
    return cases.order_by(*CASE_SORTS[sort])


def with_list_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a queue row shows, in a fixed number of queries however many rows a page has."""
    return cases.select_related("township", "power_item").prefetch_related(
        Prefetch("officer_links", queryset=CaseOfficer.objects.select_related("user").order_by("id"))
    )


# --- leads ------------------------------------------------------------------------------------

LEAD_SORTS: dict[str, tuple[str, ...]] = {"newest": ("-id",), "oldest": ("id",), "due": ("check_due", "id")}


@dataclass
class LeadFilters:
    township: Unit | None = None
    status: str = "open"  # a status, "open" (awaiting check), or ""
    source: str = ""
    checker: User | None = None
    mine: bool = False
    discovered_from: datetime.date | None = None
    discovered_to: datetime.date | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "newest"


def lead_queue(user: User, filters: LeadFilters, *, today: datetime.date | None = None) -> QuerySet[Lead]:
    today = today or timezone.localdate()
    leads = Lead.objects.restrict(user, "view")
    township = filters.township
    scope = user_scope(user)
    if township is None and scope.township_id:
        township = scope.township_id
    if township is not None:
        leads = leads.filter(township=township)
    if filters.status == "open":
        leads = leads.filter(status__in=LEAD_OPEN_STATUSES)
    elif filters.status:
        leads = leads.filter(status=filters.status)
    if filters.source:
        leads = leads.filter(source=filters.source)
    if filters.mine:
        leads = leads.filter(Q(checker=user) | Q(checker__isnull=True, registered_by=user))
    elif filters.checker is not None:
        leads = leads.filter(checker=filters.checker)
    if filters.discovered_from:
        leads = leads.filter(discovered_on__gte=filters.discovered_from)
    if filters.discovered_to:
        leads = leads.filter(discovered_on__lte=filters.discovered_to)
    if filters.overdue:
        leads = leads.filter(status__in=LEAD_OPEN_STATUSES, check_due__lt=today)
    if filters.q.strip():
        query = search_query(filters.q)
        match = Q(reference=filters.q.strip()) | Q(hotline_order_no=filters.q.strip())
        if query is not None:
            match |= Q(search_vector=query)
        leads = leads.filter(match)
    sort = filters.sort if filters.sort in LEAD_SORTS else "newest"
    return leads.select_related("township", "checker").order_by(*LEAD_SORTS[sort])


# --- one case, one lead -----------------------------------------------------------------------


@dataclass
class CaseFile:
    """Everything the case page shows, each part loaded in one query."""

    officers: list[CaseOfficer]
    parties: list[Party]
    evidence: list[Evidence]
    inspections: list[InspectionRecord]
    interviews: list[InterviewRecord]
    corrections: list[CorrectionOrder]
    preservations: list[Preservation]
    reports: list[Any]
    deadlines: list[Deadline]
    extensions: list[ExtensionRequest]
    events: list[CaseEvent]
    views: list[Viewer]


def case_file(case: Case) -> CaseFile:
    return CaseFile(
        officers=list(case.officer_links.select_related("user", "certificate").order_by("id")),
        parties=list(case.parties.order_by("id")),
        evidence=list(
            case.evidence.select_related("collected_by")
            .prefetch_related(Prefetch("files", queryset=Attachment.objects.select_related("blob").order_by("id")))
            .order_by("seq")
        ),
        inspections=list(case.inspections.prefetch_related("officers").order_by("started_at")),
        interviews=list(case.interviews.order_by("started_at")),
        corrections=list(case.corrections.order_by("issued_on", "id")),
        preservations=list(case.preservations.select_related("approved_by").order_by("registered_on", "id")),
        reports=list(case.reports.select_related("submitted_by").order_by("-submitted_at")),
        deadlines=list(case.deadlines.order_by("status", "due_on")),
        extensions=list(case.extension_requests.select_related("requested_by", "decided_by").order_by("-requested_at")),
        events=list(case.events.select_related("actor").order_by("-at", "-id")),
        views=_viewers(case),
    )


@dataclass(frozen=True)
class Viewer:
    who: str
    times: int
    last: datetime.datetime


def _viewers(case: Case, rows: int = 200) -> list[Viewer]:
    """Who opened the case lately (from the audit trail), one line per person, newest first."""
    opened = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk), action="cases.case.viewed"
    ).order_by("-id")[:rows]
    seen: dict[str, list] = {}
    for who, at in opened.values_list("actor_repr", "created_at"):
        entry = seen.setdefault(who, [0, at])
        entry[0] += 1
    return [Viewer(who, times, last) for who, (times, last) in seen.items()]


@dataclass(frozen=True)
class EarlierCase:
    case_id: int
    number: str
    township: str
    filed_on: datetime.date | None
    state: str
    item: str
    visible: bool


def party_history(user: User, keys: list[str], *, exclude_case: int | None = None, limit: int = 20) -> dict[str, list]:
    """The earlier cases, across the whole district, of parties with these identity numbers.

    Whether a party offended before matters for 首违不罚 (APL Art. 33) wherever it happened, so
    this read deliberately crosses townships, and shows only the case number, township, date,
    item and state; a link is given only for the cases the user may open (the chokepoint).
    """
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return {}
    rows = (
        Party.objects.filter(identity_key__in=keys)
        .exclude(case_id=exclude_case)
        .exclude(case__state=CaseState.WITHDRAWN)
        .select_related("case__township", "case__power_item")
        .order_by("-case_id")[: limit * len(keys)]
    )
    rows = list(rows)
    visible = set(
        Case.objects.restrict(user, "view").filter(pk__in=[r.case_id for r in rows]).values_list("pk", flat=True)
    )
    history: dict[str, list[EarlierCase]] = {k: [] for k in keys}
    for party in rows:
        case = party.case
        history[party.identity_key].append(
            EarlierCase(
                case_id=case.pk,
                number=case.number,
                township=case.township.short_name,
                filed_on=case.filed_on,
                state=CaseState(case.state).label,
                item=case.power_item.name,
                visible=case.pk in visible,
            )
        )
    return history


def lead_file_list(lead: Lead) -> list[Attachment]:
    return list(lead.files.select_related("blob", "uploaded_by").order_by("id"))


# --- officers to choose -----------------------------------------------------------------------


def township_officers(township: Unit | int, day: datetime.date) -> list[tuple[User, Any]]:
    """Active officers of a township with their certificate valid on ``day`` (or None)."""
    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import EnforcementCertificate

    people = list(
        User.objects.filter(is_active=True, unit__township=township, groups__name__in=[Role.OFFICER, Role.OFFICE_HEAD])
        .select_related("unit")
        .prefetch_related(Prefetch("certificates", queryset=EnforcementCertificate.objects.valid_on(day)))
        .distinct()
        .order_by("full_name", "pk")
    )
    return [(person, next(iter(person.certificates.all()), None)) for person in people]


def township_heads(township: Unit | int) -> QuerySet[User]:
    from pengjiang_enforcement.choices import Role

    return User.objects.filter(is_active=True, unit__township=township, groups__name=Role.OFFICE_HEAD).distinct()


# --- panels and queues of the home pages -------------------------------------------------------


def my_open_cases(user: User, limit: int = 10) -> list[Case]:
    cases = case_queue(user, CaseFilters(scope="mine", state="live"))
    cases = cases.order_by("next_due_on", "-id")
    return list(with_list_data(cases)[:limit])


def my_leads_to_check(user: User, limit: int = 10) -> list[Lead]:
    return list(lead_queue(user, LeadFilters(mine=True, sort="due"))[:limit])


def approvals_waiting(user: User, limit: int = 20) -> dict[str, list]:
    """Filings and extensions of the township waiting for an office head."""
    filings = (
        Case.objects.restrict(user, "approve")
        .filter(state=CaseState.FILING_PENDING)
        .select_related("requested_by", "power_item")
        .order_by("requested_at")[:limit]
    )
    extensions = (
        ExtensionRequest.objects.filter(
            status=ExtensionStatus.PENDING, case__in=Case.objects.restrict(user, "approve").values("pk")
        )
        .select_related("case", "requested_by")
        .order_by("requested_at")[:limit]
    )
    return {"filings": list(filings), "extensions": list(extensions)}


def overdue_cases(user: User, *, today: datetime.date | None = None, limit: int = 15) -> list[Case]:
    cases = case_queue(user, CaseFilters(scope="township", deadline="overdue", sort="due"), today=today)
    return list(with_list_data(cases)[:limit])


def township_live_cases(user: User, limit: int = 15) -> list[Case]:
    cases = case_queue(user, CaseFilters(scope="township", state="live"))
    return list(with_list_data(cases)[:limit])


def unread_count(user: User, cap: int = 100) -> int:
    """Unread notifications of a user, counted up to ``cap`` (the badge shows "99+")."""
    return len(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("pk", flat=True)[:cap])


def deadlines_to_notify(today: datetime.date) -> list[int]:
    """Open deadlines overdue or within the longest "due soon" horizon of any township."""
    horizon = ProcedurePolicy.objects.aggregate(m=Max("due_soon_days"))["m"] or ProcedurePolicy().due_soon_days
    return list(
        Deadline.objects.filter(status=DeadlineStatus.OPEN, due_on__lte=today + datetime.timedelta(days=horizon))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
