"""Reads of the cases app used by more than one view, panel, export or task.

Every query that shows rows to a user starts from ``restrict(user, action)``. Queues are built
for a million cases: each filter and sort has an index (see ``Case.Meta.indexes``), deadline
flags come from the denormalised ``Case.next_due_on``, the officers of a page come in one
prefetch, and nothing counts the whole table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, Exists, Max, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.models import AuditLog, Unit, User
from pengjiang_enforcement.permissions import can, child_rows, user_scope
from pengjiang_enforcement.workflow import actions_for
from powers.choices import DiscretionLevel, PenaltyType
from powers.models import DiscretionBand, LeniencyEntry
from powers.selectors import leniency_entries_on

from .choices import (
    CASE_EDITABLE_FILING_STATES,
    CASE_LIVE_STATES,
    CASE_OFFICERS_CHANGEABLE_STATES,
    LEAD_OPEN_STATUSES,
    CaseState,
    CorrectionStatus,
    DeadlineStatus,
    ExtensionStatus,
    LeadStatus,
    Procedure,
)
from .filters import case_queue, due_soon_days, mine_to_check
from .hotline.choices import OPEN_STATES as ORDER_OPEN_STATES
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseOfficer,
    CorrectionOrder,
    Deadline,
    Evidence,
    ExtensionRequest,
    Figure,
    FigureKind,
    InspectionRecord,
    InterviewRecord,
    Lead,
    Notification,
    OnSpotDecision,
    OnSpotPayment,
    Party,
    Preservation,
    ProcedurePolicy,
    ProposalLine,
)
from .services.proposals import ApplicableStandards, StatutoryTerms, applicable_standards, statutory_terms
from .workflow import CASES, LEADS

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


def flag_rows(rows: list[Any], *, attr: str, today: datetime.date, soon_days: int) -> list[Any]:
    for row in rows:
        row.flag = deadline_flag(getattr(row, attr), today, soon_days)
    return rows


# --- the case queue (its filters are ``cases.filters``) -------------------------------------


# The columns a queue row (and a home panel's row) shows: a row does not carry the case's facts,
# the item's legal bases or the officers' accounts it never shows.
LIST_FIELDS = (
    "number", "title", "state", "party_summary", "filed_on", "next_due_on",
    "power_item__code", "power_item__sub_code", "power_item__name",
)  # fmt: skip


def with_list_data(cases: QuerySet[Case], *, township: bool = True) -> QuerySet[Case]:
    """What a queue row shows, in a fixed number of queries however many rows a page has
    (``township``: the township's short name too, for a list of several townships' cases)."""
    officers = CaseOfficer.objects.select_related("user").only("case_id", "user__full_name", "user__username")
    related: tuple[str, ...] = ("power_item",)
    fields: tuple[str, ...] = LIST_FIELDS
    if township:
        related, fields = (*related, "township"), (*fields, "township__short_name")
    return (
        cases.select_related(*related)
        .only(*fields)
        .prefetch_related(Prefetch("officer_links", queryset=officers.order_by("id")))
    )


# --- one case, one lead -----------------------------------------------------------------------


@dataclass
class CasePage:
    """The case page: the file, the deadline flag, the party's history, and what the user may do.

    ``actions`` holds the transitions the user may take (``CASES``) and the page's other actions:
    ``edit`` (the case, its parties and evidence), ``record`` (investigation records and
    measures), ``request_extension``, ``change_officers``. Rows carry their own: an order to
    correct ``may_reinspect``, a preservation ``may_decide``, an extension ``may_decide``.
    """

    file: CaseFile
    flag: Flag
    history: dict[str, list[EarlierCase]]
    actions: frozenset[str]
    can_change: bool
    can_approve: bool
    pending_extension: ExtensionRequest | None
    returned: CaseEvent | None = None
    # the simple procedure: the on-the-spot decision and its payment (read only for such cases)
    on_spot: Any = None
    on_spot_payment: Any = None


def case_page(user: User, case: Case, *, today: datetime.date | None = None) -> CasePage:
    today = today or timezone.localdate()
    file = case_file(user, case)
    soon = due_soon_days(user)
    flag_rows([d for d in file.deadlines if d.is_open], attr="due_on", today=today, soon_days=soon)
    can_change, can_approve = can(user, "change", case), can(user, "approve", case)
    pending = next((e for e in file.extensions if e.status == ExtensionStatus.PENDING), None)
    editable = case.state in CASE_EDITABLE_FILING_STATES or case.state == CaseState.INVESTIGATING
    investigating = case.state == CaseState.INVESTIGATING
    extras = {
        "edit": can_change and editable,
        "record": can_change and investigating,
        "request_extension": can_change and pending is None and case.decision_due is not None,
        "change_officers": can_approve and case.state in CASE_OFFICERS_CHANGEABLE_STATES,
    }
    for order in file.corrections:
        order.may_reinspect = can_change and order.status == CorrectionStatus.OPEN
    for preservation in file.preservations:
        preservation.may_decide = can_change and not preservation.decision
    for extension in file.extensions:
        extension.may_decide = can_approve and extension.status == ExtensionStatus.PENDING
    on_spot = payment = None
    if case.procedure == Procedure.SIMPLE:
        on_spot = child_rows(user, OnSpotDecision.objects.filter(case=case).select_related("party")).first()
        payment = child_rows(user, OnSpotPayment.objects.filter(case=case)).first()
        fined = on_spot is not None and on_spot.is_fine
        extras["pay_on_spot"] = can_change and fined and case.state == CaseState.ON_SPOT_SERVED
        extras["hand_over_cash"] = can_change and payment is not None and payment.cash_pending
    transitions = actions_for(CASES, user, case, {"change": can_change, "approve": can_approve})
    if "case_execute_on_spot" in transitions and not extras.get("pay_on_spot"):
        transitions = transitions - {"case_execute_on_spot"}
    return CasePage(
        file=file,
        flag=deadline_flag(case.next_due_on, today, soon),
        history=party_history(user, [p.identity_key for p in file.parties], exclude_case=case.pk),
        actions=transitions | {name for name, ok in extras.items() if ok},
        can_change=can_change,
        can_approve=can_approve,
        pending_extension=pending,
        returned=filing_return(case, file.events, complete=not file.more_events),
        on_spot=on_spot,
        on_spot_payment=payment,
    )


def report_draft(case: Case) -> dict[str, str]:
    """The investigation-end report as the case already knows it: the facts, the evidence list
    (证据目录) and the bases of the item, as of the version pinned on filing. The officer edits it."""
    evidence = case.evidence.order_by("seq").prefetch_related("files")
    lines = []
    for item in evidence:
        files = "、".join(f.original_name for f in item.files.all())
        line = f"{item.seq}. {item.title}（{item.get_kind_display()}，{item.collected_on.isoformat()}）"
        lines.append(f"{line}：{files}" if files else line)
    version = case.power_item_version
    data = version.data if version is not None and isinstance(version.data, dict) else {}
    setting = data.get("setting_basis") or case.power_item.setting_basis
    penalty = data.get("penalty_basis") or case.power_item.penalty_basis
    return {
        "facts_found": case.facts,
        "evidence_summary": "\n".join(lines),
        "violated_provision": (setting or "")[:300],
        "penalty_provision": (penalty or "")[:300],
    }


def hotline_item(lead: Lead) -> int | None:
    """The catalogue item an officer chose on the 12345 work order the lead came from, if any."""
    chosen = lead.hotline_orders.filter(power_item__isnull=False).order_by("-id")
    return chosen.values_list("power_item_id", flat=True).first()


def filing_return(case: Case, events: list[CaseEvent] | None = None, *, complete: bool = True) -> CaseEvent | None:
    """The head's return of a filing that waits for its corrections (its note is the reasons).

    ``events`` are the case's newest events, newest first, if the caller read them; ``complete``
    says whether they are all of them (otherwise a return older than them is looked up)."""
    if case.state != CaseState.FILING_RETURNED:
        return None
    found = next((event for event in events or () if event.kind == "case.filing_returned"), None)
    if found is not None or (events is not None and complete):
        return found
    return case.events.select_related("actor").filter(kind="case.filing_returned").order_by("-at", "-id").first()


@dataclass
class LeadPage:
    """The lead page: its files, timeline, orders, cases, and what the user may do (``actions``:
    the transitions of ``LEADS`` and ``attach``; an order to correct ``may_reinspect``)."""

    files: list[Any]
    events: list[CaseEvent]
    corrections: list[CorrectionOrder]
    cases: list[Case]
    transferred_to: list[Lead]
    flag: Flag
    actions: frozenset[str]
    can_change: bool


def lead_page(user: User, lead: Lead, *, today: datetime.date | None = None) -> LeadPage:
    today = today or timezone.localdate()
    can_change = can(user, "change", lead)
    corrections = list(lead.corrections.order_by("issued_on"))
    for order in corrections:
        order.may_reinspect = can_change and order.status == CorrectionStatus.OPEN
    attach = can_change and (lead.is_open or lead.status == LeadStatus.FILED)
    return LeadPage(
        files=lead_file_list(lead),
        events=list(lead.events.select_related("actor").order_by("-at", "-id")),
        corrections=corrections,
        cases=list(lead.cases.order_by("-id")),
        transferred_to=list(lead.transferred_to.select_related("township")),
        flag=deadline_flag(lead.check_due if lead.is_open else None, today, due_soon_days(user)),
        actions=actions_for(LEADS, user, lead, {"change": can_change}) | ({"attach"} if attach else set()),
        can_change=can_change,
    )


# The newest events the case page shows; the timeline page has them all, a page at a time.
TIMELINE_ON_CASE_PAGE = 30


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
    # the parts the user may not read (model names): the page leaves them out
    unread: frozenset[str] = frozenset()
    # older events than ``events`` exist: the page links to the whole timeline
    more_events: bool = False


def case_file(user: User, case: Case) -> CaseFile:
    """The case's parts the user may read, each through the chokepoint (:func:`child_rows`): a
    reader of cases without, say, ``view_evidence`` gets no evidence list, and the page says so
    instead of showing an empty one. Phones and addresses of parties need ``view_contact_party``."""

    def rows(related: QuerySet) -> QuerySet:
        readable = child_rows(user, related)
        if readable is not related:
            unread.add(related.model._meta.model_name)
        return readable

    unread: set[str] = set()
    files = rows(Attachment.objects.select_related("blob").order_by("id"))
    parties = _sorted(rows(case.parties.all()), "id")
    all_parties = case.parties.all()
    contacts = child_rows(user, all_parties, "view_contact")
    if contacts is not all_parties and parties:
        shown = set(contacts.values_list("pk", flat=True))
        for party in parties:
            party.contact_hidden = party.pk not in shown
    events = list(rows(case.events.select_related("actor")).order_by("-at", "-id")[: TIMELINE_ON_CASE_PAGE + 1])
    return CaseFile(
        officers=_sorted(rows(case.officer_links.select_related("user", "certificate")), "id"),
        parties=parties,
        evidence=_sorted(
            rows(case.evidence.select_related("collected_by")).prefetch_related(Prefetch("files", queryset=files)),
            "seq",
        ),
        inspections=_sorted(rows(case.inspections.prefetch_related("officers")), "started_at"),
        interviews=_sorted(rows(case.interviews.all()), "started_at"),
        corrections=_sorted(rows(case.corrections.all()), "issued_on", "id"),
        preservations=_sorted(rows(case.preservations.select_related("approved_by")), "registered_on", "id"),
        reports=_reports(rows(case.reports.select_related("submitted_by", "proposal__standard"))),
        deadlines=_sorted(rows(case.deadlines.all()), "status", "due_on"),
        extensions=_sorted(rows(case.extension_requests.select_related("requested_by", "decided_by")), "-requested_at"),
        events=events[:TIMELINE_ON_CASE_PAGE],
        views=[] if "caseevent" in unread else _viewers(case),
        unread=frozenset(unread),
        more_events=len(events) > TIMELINE_ON_CASE_PAGE,
    )


def case_timeline(user: User, case: Case) -> tuple[QuerySet, bool]:
    """The whole timeline of a case, newest first, as far as the user may read it, and whether
    that is all of it (the case page shows the newest :data:`TIMELINE_ON_CASE_PAGE` events and
    links here)."""
    events = case.events.select_related("actor")
    readable = child_rows(user, events)
    return readable.order_by("-at", "-id"), readable is events


def _sorted(rows: QuerySet, *keys: str) -> list[Any]:
    """The rows in the order of ``keys`` (field names, ``-`` first for descending), sorted here
    rather than by the database.

    A case's parts are a handful of rows each, and compiling an ``ORDER BY`` (Django matches the
    sort against every selected column, hashing each) cost more than a tenth of the case page. The
    keys are keys, dates, times and plain codes, never NULL: they sort here as in PostgreSQL (rows
    that tie keep the database's order, as arbitrary there as it is here).
    """
    result = list(rows.order_by())
    for key in reversed(keys):  # a stable sort per key, the last key first
        result.sort(key=attrgetter(key.lstrip("-")), reverse=key.startswith("-"))
    return result


def _reports(reports: QuerySet) -> list[Any]:
    """The reports, newest first, each with its proposal, the pinned standard and the penalty lines
    read in the same query (the lines as one array per report): the case page does not query more
    for a closed investigation."""
    lines = (
        ProposalLine.objects.filter(proposal__report=OuterRef("pk"))
        .order_by("sort_order", "id")
        .values(row=JSONObject(id="id", kind="kind", amount=Cast("amount", CharField()), detail="detail"))
    )
    found = list(reports.annotate(proposal_lines=ArraySubquery(lines)).order_by("-submitted_at"))
    for report in found:
        proposal = getattr(report, "proposal", None)
        if proposal is not None:
            proposal.line_list = [
                ProposalLine(
                    id=row["id"],
                    proposal=proposal,
                    kind=row["kind"],
                    amount=Decimal(row["amount"]) if row["amount"] is not None else None,
                    detail=row["detail"],
                )
                for row in report.proposal_lines or []
            ]
    return found


@dataclass
class ProposalOptions:
    """What the proposal form offers and suggests (shown, never applied): the discretion bands of
    the standards that apply (APL Art. 37), the item's reduced- and no-penalty list entries, the
    parties' earlier cases in the district (首违不罚, APL Art. 33) and the item's legal terms."""

    standards: ApplicableStandards
    bands: list[tuple[DiscretionBand, str]]
    leniency: list[LeniencyEntry]
    history: dict[str, list[EarlierCase]]
    earlier: int
    terms: StatutoryTerms

    @property
    def kind_labels(self) -> list[str]:
        labels = dict(PenaltyType.choices)
        return [str(labels.get(kind, kind)) for kind in self.terms.kinds]


def _band_label(band: DiscretionBand, version: int, later: bool) -> str:
    low = "—" if band.fine_min is None else f"{band.fine_min:,.2f}"
    high = "—" if band.fine_max is None else f"{band.fine_max:,.2f}"
    fine = f" · {low}–{high} 元" if band.fine_min is not None or band.fine_max is not None else ""
    label = _("v%(version)s (in force today, lighter only)") if later else _("v%(version)s")
    return f"{label % {'version': version}} · {DiscretionLevel(band.level).label}{fine} · {band.conditions}"


def proposal_options(user: User, case: Case, *, today: datetime.date | None = None) -> ProposalOptions:
    today = today or timezone.localdate()
    standards = applicable_standards(case, today)
    bands = (
        [(band, _band_label(band, standards.of_act_date.version, False)) for band in standards.act_bands]
        if (standards.of_act_date is not None)
        else []
    )
    if standards.of_today is not None:
        later = standards.of_today
        bands += [(band, _band_label(band, later.version, True)) for band in later.bands.order_by("sort_order")]
    # The list entries of the act's date and of today (the lighter later list may be used, Art. 37).
    seen: dict[int, LeniencyEntry] = {}
    for day in dict.fromkeys((standards.act_day, today)):
        for entry in leniency_entries_on(case.power_item_id, day):
            seen.setdefault(entry.pk, entry)
    keys = list(case.parties.values_list("identity_key", flat=True))
    history = party_history(user, keys, exclude_case=case.pk)
    return ProposalOptions(
        standards=standards,
        bands=bands,
        leniency=list(seen.values()),
        history={k: v for k, v in history.items() if v},
        earlier=sum(len(v) for v in history.values()),
        terms=statutory_terms(case),
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


def party_history(
    user: User, keys: list[str], *, exclude_case: int | None = None, limit: int = 20
) -> dict[str, list[EarlierCase]]:
    """The earlier cases, across the whole district, of parties with these identity numbers.

    Whether a party offended before matters for 首违不罚 (APL Art. 33) wherever it happened, so
    this read deliberately crosses townships, and shows only the case number, township, date,
    item and state; a link is given only for the cases the user may open (the chokepoint).
    """
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return {}
    # Only the columns a line shows (a party's earlier cases are tuples, not three models each).
    rows = list(
        Party.objects.filter(identity_key__in=keys)
        .exclude(case_id=exclude_case)
        .exclude(case__state=CaseState.WITHDRAWN)
        .order_by("-case_id")
        .values_list(
            "identity_key", "case_id", "case__number", "case__township__short_name", "case__filed_on",
            "case__state", "case__power_item__name",
        )[: limit * len(keys)]
    )  # fmt: skip
    history: dict[str, list[EarlierCase]] = {k: [] for k in keys}
    if not rows:
        return history
    visible = set(
        Case.objects.restrict(user, "view").filter(pk__in=[row[1] for row in rows]).values_list("pk", flat=True)
    )
    for key, case_id, number, township, filed_on, state, item in rows:
        history[key].append(
            EarlierCase(
                case_id=case_id,
                number=number,
                township=township,
                filed_on=filed_on,
                state=str(CaseState(state).label),
                item=item,
                visible=case_id in visible,
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


def _own_township(user: User, rows: QuerySet) -> QuerySet:
    """Rows narrowed to the user's township as a plain condition (besides the chokepoint's), so a
    township index serves the query whatever form the chokepoint's scope takes."""
    township_id = user_scope(user).township_id
    return rows if township_id is None else rows.filter(township=township_id)


def _visible_cases(user: User) -> QuerySet[Case]:
    """The township's cases the user may see, asked of the chokepoint once for the panels of a
    page (kept on the user object, like ``user_scope``; the guardian grants stay a subquery, read
    afresh by every query)."""
    cases = getattr(user, "_visible_cases", None)
    if cases is None:
        cases = user._visible_cases = _own_township(user, Case.objects.restrict(user, "view"))  # type: ignore[attr-defined]
    return cases


def my_open_cases(user: User, limit: int = 10) -> list[Case]:
    """The user's live cases, nearest deadline first: a walk along the township's live cases by
    deadline (``cases_case_live_due_idx``) that asks each case whether the user handles it and
    stops at ``limit``, rather than collecting every case the user has handled."""
    handles = CaseOfficer.objects.filter(case=OuterRef("pk"), user=user)
    cases = _visible_cases(user).filter(Exists(handles), state__in=CASE_LIVE_STATES)
    return list(with_list_data(cases.order_by("next_due_on", "id"))[:limit])


def my_leads_to_check(user: User, limit: int = 10) -> list[Lead]:
    """The open leads the user checks (or registered and nobody took yet), nearest deadline first:
    a walk along the township's open leads by deadline (``cases_lead_open_due_idx``)."""
    leads = _own_township(user, Lead.objects.restrict(user, "view"))
    leads = leads.filter(mine_to_check(user), status__in=LEAD_OPEN_STATUSES)
    return list(leads.order_by("check_due", "id")[:limit])


def approvals_waiting(user: User, limit: int = 20) -> dict[str, list]:
    """Filings and extensions of the township waiting for an office head."""
    filings = (
        _own_township(user, Case.objects.restrict(user, "approve"))
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
    """The township's overdue live cases, longest overdue first (the queue's "nearest deadline"
    order): the first rows of ``cases_case_live_due_idx``."""
    cases = _overdue(user, today or timezone.localdate())
    return list(with_list_data(cases.order_by("next_due_on", "id"))[:limit])


def _overdue(user: User, today: datetime.date) -> QuerySet[Case]:
    """The township's live cases past their deadline (the panel's list and the strip's count)."""
    return _visible_cases(user).filter(state__in=CASE_LIVE_STATES, next_due_on__lt=today)


def township_live_cases(user: User, limit: int = 15) -> list[Case]:
    cases = case_queue(user, state="live")
    return list(with_list_data(cases)[:limit])


COUNT_CAP = 100  # a bounded count stops here; the page shows "99+"


@dataclass(frozen=True)
class TownshipFigures:
    """What a township has on its desk. The first four are maintained figures (``Figure``: exact,
    one small read); the overdue count depends on the date, so it is counted by an index range
    scan that stops at ``COUNT_CAP``."""

    live_cases: int
    filings_pending: int
    leads_to_check: int
    open_orders: int
    overdue_cases: int


def figures(user: User) -> dict[tuple[str, str], int]:
    """The maintained figures the user may read, summed over their townships, by (kind, state)."""
    totals: dict[tuple[str, str], int] = {}
    rows = Figure.objects.restrict(user, "view").filter(township__isnull=False).order_by()
    for kind, state, count in rows.values_list("kind", "state", "count"):
        totals[kind, state] = totals.get((kind, state), 0) + count
    return totals


def township_figures(user: User, *, today: datetime.date | None = None) -> TownshipFigures:
    today = today or timezone.localdate()
    totals = figures(user)

    def total(kind: str, states) -> int:
        return sum(totals.get((kind, state), 0) for state in states)

    overdue = _overdue(user, today)
    return TownshipFigures(
        live_cases=total(FigureKind.CASE, CASE_LIVE_STATES),
        filings_pending=total(FigureKind.CASE, [CaseState.FILING_PENDING]),
        leads_to_check=total(FigureKind.LEAD, LEAD_OPEN_STATUSES),
        open_orders=total(FigureKind.HOTLINE_ORDER, ORDER_OPEN_STATES),
        overdue_cases=len(overdue.order_by().values_list("pk", flat=True)[:COUNT_CAP]),
    )


def unread_count(user: User, cap: int = COUNT_CAP) -> int:
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
