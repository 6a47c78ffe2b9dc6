"""Filing (立案): the request from a checked lead, the head's approval with the case number,
return, resubmission, withdrawal, and edits of the case while it is being filed or investigated."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from pengjiang_enforcement.audit import changed, snapshot
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import require
from pengjiang_enforcement.text import field_label
from pengjiang_enforcement.workdays import today as local_today
from pengjiang_enforcement.workflow import save_versioned, transition
from powers.models import PowerItem
from powers.selectors import version_for_act
from powers.services import usage_record

from .. import rules
from ..choices import (
    CASE_EDITABLE_FILING_STATES,
    CASE_OFFICERS_CHANGEABLE_STATES,
    CaseState,
    DeadlineKind,
    DocumentType,
    NotificationKind,
    OfficerRole,
)
from ..models import Attachment, Case, CaseOfficer, Lead
from ..workflow import CASES, LEADS
from .common import district_heads, office_heads, refresh_case_search, township_leaders
from .deadlines import deadline_open
from .evidence import lead_files_to_evidence
from .leads import lead_reopen
from .notifications import case_handlers, notify
from .numbering import number_allocate

FILING_FIELDS = (
    "title",
    "facts",
    "place",
    "act_date",
    "act_end_date",
    "act_continuing",
    "serious_harm",
    "power_item",
)
INVESTIGATION_FIELDS = ("title", "facts", "place")
CASE_AUDIT_FIELDS = [*FILING_FIELDS, "state", "number", "filed_on", "approved_by", "power_item_version"]


def _officer_list(lead_officer: User, co_officers: Sequence[User]) -> list[User]:
    officers = [lead_officer]
    officers += [o for o in co_officers if o.pk != lead_officer.pk and o.pk not in {x.pk for x in officers}]
    return officers


def check_filing_rules(
    *,
    township,
    item: PowerItem,
    act_date: datetime.date,
    act_end_date: datetime.date | None,
    act_continuing: bool,
    serious_harm: bool,
    discovered_on: datetime.date,
    officers: Sequence[User],
    day: datetime.date,
) -> dict[int, Any]:
    """Every rule a filing must pass on ``day``; returns the officers' certificates.

    Run on the request and again on approval, which is the filing date: an item recalled or a
    certificate expired in between stops the approval.
    """
    certificates: dict[int, Any] = {}

    def dates() -> None:
        rules.act_dates_consistent(
            act_date=act_date, act_end_date=act_end_date, continuing=act_continuing, discovered_on=discovered_on,
            today=day,
        )  # fmt: skip

    def power_item() -> None:
        rules.item_is_penalty_power(item)
        rules.item_delegated_on_filing_date(item, township, day)

    def limitation() -> None:
        try:
            dates()
        except RuleViolation:
            return  # inconsistent dates are reported as such; no period can be counted from them
        rules.apl_36_limitation_period(
            act_date=act_date,
            act_end_date=act_end_date,
            continuing=act_continuing,
            serious_harm=serious_harm,
            discovered_on=discovered_on,
        )

    def team() -> None:
        certificates.update(rules.handling_team(officers, township, day))

    # Independent checks: a request shows everything that is wrong with it at once.
    check_all(("act_date", dates), ("power_item", power_item), ("act_date", limitation), ("lead_officer", team))
    return certificates


def _set_officers(case: Case, officers: Sequence[User], certificates: dict[int, Any] | None = None) -> None:
    CaseOfficer.objects.filter(case=case).delete()
    CaseOfficer.objects.bulk_create(
        CaseOfficer(
            case=case,
            user=officer,
            role=OfficerRole.LEAD if index == 0 else OfficerRole.ASSISTING,
            certificate=(certificates or {}).get(officer.pk),
        )
        for index, officer in enumerate(officers)
    )


def _officer_names(case: Case) -> list[str]:
    return [str(link.user) for link in case.officer_links.select_related("user").order_by("id")]


def filing_approvers(case: Case) -> list[User]:
    """Who approves the filing of ``case``: the township's office heads, but not the one who asked
    for it; when an office head asked for it himself, the township leaders too, and where the
    township has neither, the heads of the district, so a township with one office head has an
    approver (rules.filing_four_eyes, rules.filing_approver)."""
    heads = [head for head in office_heads(case.township_id) if head.pk != case.requested_by_id]
    if not rules.is_office_head_of(case.requested_by, case.township):
        return heads
    leaders = [leader for leader in township_leaders(case.township_id) if leader.pk != case.requested_by_id]
    return heads + leaders if heads or leaders else district_heads()


def _route_filing(case: Case, actor: User) -> None:
    """Send the filing to its approvers: a township leader gets the right to approve this one case
    (an object grant the chokepoint reads), the office heads hold it by their role."""
    approvers = filing_approvers(case)
    for person in approvers:
        if not rules.is_office_head_of(person, case.township):
            assign_perm("cases.approve_case", person, case)
    notify(recipients=approvers, kind=NotificationKind.APPROVAL_NEEDED, case=case, params={"what": "filing"},
           exclude=actor)  # fmt: skip


def _unroute_filing(case: Case) -> None:
    """The filing is decided or withdrawn: the one-case grants to approve it end."""
    UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Case),
        object_pk=str(case.pk),
        permission__codename="approve_case",
    ).delete()


@transaction.atomic
def case_request_filing(
    *,
    lead: Lead,
    actor: User,
    power_item: PowerItem,
    title: str,
    facts: str,
    place: str,
    act_date: datetime.date,
    act_end_date: datetime.date | None = None,
    act_continuing: bool = False,
    serious_harm: bool = False,
    lead_officer: User,
    co_officers: Sequence[User],
    expected_lead_version: int | None = None,
    today: datetime.date | None = None,
) -> Case:
    """Conclude the check of ``lead`` by asking the office head to file a case (立案审批).

    Checks the item (delegated on the date of the act and today), the limitation period, and the
    officers (at least two, certificates valid today); the case waits for approval.
    """
    today = local_today(today)
    lead = LEADS.lock(lead, expected_version=expected_lead_version)
    require(actor, "change", lead)
    LEADS.check("lead_file", lead.status)
    CASES.check("case_request_filing", None)
    officers = _officer_list(lead_officer, co_officers)
    check_filing_rules(
        township=lead.township,
        item=power_item,
        act_date=act_date,
        act_end_date=act_end_date if act_continuing else None,
        act_continuing=act_continuing,
        serious_harm=serious_harm,
        discovered_on=lead.discovered_on,
        officers=officers,
        day=today,
    )
    case = Case(
        township=lead.township,
        lead=lead,
        state=CaseState.FILING_PENDING,
        title=title.strip(),
        facts=facts.strip(),
        place=place.strip(),
        source=lead.source,
        act_date=act_date,
        act_end_date=act_end_date if act_continuing else None,
        act_continuing=act_continuing,
        serious_harm=serious_harm,
        discovered_on=lead.discovered_on,
        power_item=power_item,
        power_item_version=version_for_act(power_item, act_date),
        requested_by=actor,
        requested_at=timezone.now(),
    )
    case.full_clean(exclude=["search_vector", "number"])
    case.save()
    _set_officers(case, officers)
    refresh_case_search(case)
    from .leads import lead_conclude

    lead_conclude(lead, "lead_file", actor=actor, reason=_("Proposed for filing"), data={"case": case.pk})
    CASES.record(
        case,
        "case.filing_requested",
        actor=actor,
        to_state=case.state,
        data={"officers": [str(o) for o in officers], "item": power_item.full_code},
        after={**snapshot(case, CASE_AUDIT_FIELDS), "officers": [o.pk for o in officers]},
    )
    lead_files_to_evidence(
        case=case, actor=actor, attachments=list(Attachment.objects.filter(lead=lead).select_related("blob"))
    )
    _route_filing(case, actor)
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: User,
    expected_version: int,
    changes: dict[str, Any],
    lead_officer: User | None = None,
    co_officers: Sequence[User] | None = None,
    today: datetime.date | None = None,
) -> Case:
    """Edit a case. Before approval everything of the filing may change (the rules run again);
    under investigation the cause, facts and place. Refused if someone saved in between."""
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    filing = case.state in CASE_EDITABLE_FILING_STATES
    allowed = FILING_FIELDS if filing else INVESTIGATION_FIELDS if case.state == CaseState.INVESTIGATING else ()
    if not allowed:
        raise RuleViolation(
            _("A case that is “%(state)s” is not edited here."),
            rule="case_state_allows",
            params={"state": CaseState(case.state).label},
        )
    unknown = set(changes) - set(allowed)
    if unknown or (lead_officer is not None and not filing):
        raise RuleViolation(
            _("These details cannot change once the case is filed: %(fields)s."),
            rule="case_filed_details_fixed",
            params={"fields": ", ".join(field_label(Case, f) for f in sorted(unknown))},
        )
    before = snapshot(case, CASE_AUDIT_FIELDS)
    before_officers = _officer_names(case)
    for name, value in changes.items():
        setattr(case, name, value.strip() if isinstance(value, str) else value)
    if not case.act_continuing:
        case.act_end_date = None
    officers = None
    if filing:
        officers = (
            _officer_list(lead_officer, co_officers or [])
            if lead_officer is not None
            else [link.user for link in case.officer_links.select_related("user", "user__unit").order_by("id")]
        )
        check_filing_rules(
            township=case.township,
            item=case.power_item,
            act_date=case.act_date,
            act_end_date=case.act_end_date,
            act_continuing=case.act_continuing,
            serious_harm=case.serious_harm,
            discovered_on=case.discovered_on,
            officers=officers,
            day=today,
        )
        case.power_item_version = version_for_act(case.power_item, case.act_date)
    case.full_clean(exclude=["search_vector", "number"])
    if filing and lead_officer is not None and officers is not None:
        _set_officers(case, officers)
    after = snapshot(case, CASE_AUDIT_FIELDS)
    after_officers = _officer_names(case)
    old, new = changed(before, after)
    if before_officers != after_officers:
        old["officers"], new["officers"] = before_officers, after_officers
    if not new:
        return case
    save_versioned(case, [*allowed, "power_item_version"] if filing else list(allowed))
    refresh_case_search(case)
    CASES.record(case, "case.updated", actor=actor, data={"changed": sorted(new)}, before=old, after=new)
    return case


@transaction.atomic
def case_change_officers(
    *,
    case: Case,
    actor: User,
    lead_officer: User,
    co_officers: Sequence[User],
    reason: str,
    expected_version: int,
    today: datetime.date | None = None,
) -> Case:
    """The office head changes the handling officers of a filed case (leave, transfer, workload).

    The new team passes the filing's officer rules on the day of the change: officers of the
    township, at least two, each with an enforcement certificate valid today (APL Art. 42). The
    old and new teams are kept in the timeline and the audit trail; who joins or leaves is told.
    Before approval the officers change with the filing itself (``case_update``).
    """
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "approve", case)
    rules.approved_by_office_head(actor, case.township)
    if case.state not in CASE_OFFICERS_CHANGEABLE_STATES:
        raise RuleViolation(
            _("The handling officers of a case that is “%(state)s” are not changed here."),
            rule="case_officers_changeable",
            params={"state": CaseState(case.state).label},
        )
    reason = reason.strip()
    if not reason:
        raise RuleViolation(_("Give the reason for changing the handling officers."), rule="officers_change_reason")
    officers = _officer_list(lead_officer, co_officers)
    certificates = rules.handling_team(officers, case.township, today)
    before_links = list(case.officer_links.select_related("user").order_by("id"))
    before_ids = [link.user_id for link in before_links]
    after_ids = [o.pk for o in officers]
    if before_ids[:1] == after_ids[:1] and set(before_ids) == set(after_ids):
        raise RuleViolation(_("The handling officers are already these."), rule="officers_change_nothing")
    before_names = [str(link.user) for link in before_links]
    _set_officers(case, officers, certificates)
    save_versioned(case, [])
    after_names = [str(o) for o in officers]
    CASES.record(
        case,
        "case.officers_changed",
        actor=actor,
        note=reason,
        data={"before": before_names, "after": after_names},
        before={"officers": before_ids, "lead_officer": before_ids[0] if before_ids else None},
        after={"officers": after_ids, "lead_officer": after_ids[0], "reason": reason},
    )
    joined = set(after_ids) - set(before_ids)
    left = set(before_ids) - set(after_ids)
    notify(recipients=joined, kind=NotificationKind.OFFICERS_CHANGED, case=case, params={"joined": True}, exclude=actor)
    notify(recipients=left, kind=NotificationKind.OFFICERS_CHANGED, case=case, params={"joined": False}, exclude=actor)
    return case


@transaction.atomic
def case_return_filing(*, case: Case, actor: User, reason: str, expected_version: int) -> Case:
    """The office head sends the filing back to the handling officers, saying what to change."""
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "approve", case)
    rules.filing_approver(actor, case.township, case.requested_by)
    if not reason.strip():
        raise RuleViolation(_("Say what must change before the case can be filed."), rule="filing_return_reason")
    transition(case, "case_return_filing", table=CASES, actor=actor, note=reason, audit={"reason": reason})
    notify(recipients=case_handlers(case), kind=NotificationKind.FILING_RETURNED, case=case, params={"reason": reason})
    return case


@transaction.atomic
def case_resubmit_filing(*, case: Case, actor: User, expected_version: int, today: datetime.date | None = None) -> Case:
    """The handling officers submit the corrected filing again."""
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    officers = [link.user for link in case.officer_links.select_related("user", "user__unit").order_by("id")]
    check_filing_rules(
        township=case.township,
        item=case.power_item,
        act_date=case.act_date,
        act_end_date=case.act_end_date,
        act_continuing=case.act_continuing,
        serious_harm=case.serious_harm,
        discovered_on=case.discovered_on,
        officers=officers,
        day=today,
    )
    transition(case, "case_resubmit_filing", table=CASES, actor=actor)
    _route_filing(case, actor)
    return case


@transaction.atomic
def case_withdraw_filing(*, case: Case, actor: User, reason: str, expected_version: int) -> Case:
    """The handling officers withdraw the filing; the lead goes back to its check."""
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    if not reason.strip():
        raise RuleViolation(_("Say why the filing is withdrawn."), rule="filing_withdraw_reason")
    transition(case, "case_withdraw_filing", table=CASES, actor=actor, note=reason, audit={"reason": reason})
    _unroute_filing(case)
    if case.lead is not None:
        lead_reopen(lead=case.lead, actor=actor, note=reason)
    return case


@transaction.atomic
def case_approve_filing(
    *, case: Case, actor: User, expected_version: int, note: str = "", today: datetime.date | None = None
) -> Case:
    """The office head approves the filing: the case is filed today and gets its number.

    The rules run again on the filing date; the officers' certificates valid today are pinned on
    the case; the 90-day decision deadline starts (APL Art. 60); the catalogue learns the item was
    used. The number comes from the township's counter in this same transaction.
    """
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "approve", case)
    CASES.check("case_approve_filing", case.state, procedure=case.procedure)
    rules.filing_four_eyes(actor, case.requested_by)
    rules.filing_approver(actor, case.township, case.requested_by)
    officers = [link.user for link in case.officer_links.select_related("user", "user__unit").order_by("id")]
    certificates = check_filing_rules(
        township=case.township,
        item=case.power_item,
        act_date=case.act_date,
        act_end_date=case.act_end_date,
        act_continuing=case.act_continuing,
        serious_harm=case.serious_harm,
        discovered_on=case.discovered_on,
        officers=officers,
        day=today,
    )
    for link in case.officer_links.all():
        CaseOfficer.objects.filter(pk=link.pk).update(certificate=certificates[link.user_id])
    number = number_allocate(township=case.township, doc_type=DocumentType.FILING, year=today.year)
    transition(case, "case_approve_filing", table=CASES, actor=actor, note=note, data={"number": number},
               changes={"number": number, "filed_on": today, "approved_by": actor})  # fmt: skip
    deadline_open(
        kind=DeadlineKind.DECISION,
        township_id=case.township_id,
        case=case,
        starts_on=today,
        due_on=rules.apl_60_decision_deadline(today),
    )
    refresh_case_search(case)
    _unroute_filing(case)
    usage_record(item=case.power_item_id, township=case.township_id, case_id=case.pk, kind="used", day=today)
    notify(recipients=case_handlers(case), kind=NotificationKind.FILING_APPROVED, case=case, exclude=actor)
    return case


@transaction.atomic
def case_reopen_investigation(*, case: Case, actor: User, reason: str, expected_version: int) -> Case:
    """Back to investigating after the report, to add what is missing (before the review starts)."""
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    if not reason.strip():
        raise RuleViolation(_("Say why the investigation is reopened."), rule="investigation_reopen_reason")
    transition(case, "case_reopen_investigation", table=CASES, actor=actor, note=reason, audit={"reason": reason})
    return case
