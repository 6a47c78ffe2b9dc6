"""Leads: registration, the preliminary check, and its conclusions other than filing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import changed, snapshot
from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import require, user_scope
from pengjiang_enforcement.workdays import today as local_today
from pengjiang_enforcement.workflow import save_versioned, transition

from .. import rules
from ..choices import DeadlineKind, DeadlineStatus, DocumentType, LeadSource, LeadStatus, NotificationKind
from ..models import CorrectionOrder, Deadline, Lead
from ..workflow import LEADS
from .common import office_heads, policy_for, refresh_lead_search
from .deadlines import deadline_close, deadline_open, deadline_reopen
from .notifications import notify
from .numbering import number_allocate

LEAD_EDITABLE_FIELDS = (
    "source",
    "discovered_on",
    "place",
    "description",
    "reporter_name",
    "reporter_phone",
    "referring_body",
    "external_ref",
    "hotline_order_no",
)
LEAD_AUDIT_FIELDS = [*LEAD_EDITABLE_FIELDS, "status", "checker", "check_due", "conclusion_reason", "transfer_target"]


def _check_lead_fields(values: dict[str, Any], *, today: datetime.date) -> None:
    """The rules on what a lead says, all of them checked (a form shows every refusal at once)."""

    def hotline_order_no() -> None:
        if values["source"] == LeadSource.HOTLINE_12345 and not values.get("hotline_order_no", "").strip():
            raise RuleViolation(
                _("A lead from the 12345 hotline carries the number of its work order."), rule="lead_hotline_order_no"
            )

    def place_and_description() -> None:
        for name in ("place", "description"):
            if not str(values.get(name, "")).strip():
                raise RuleViolation(_("Say where and what was found."), rule="lead_place_and_description", field=name)

    check_all(
        ("discovered_on", lambda: rules.not_in_future(values["discovered_on"], today=today,
                                                      label=_("The discovery date"))),
        ("hotline_order_no", hotline_order_no),
        (None, place_and_description),
    )  # fmt: skip


def _check_work_order_free(lead: Lead) -> None:
    """One lead per 12345 work order (the unique index settles a race; this gives the message)."""
    if (
        lead.hotline_order_no
        and Lead.objects.filter(hotline_order_no=lead.hotline_order_no).exclude(pk=lead.pk).exists()
    ):
        raise RuleViolation(
            _("The 12345 work order %(order)s already has a lead."),
            rule="lead_one_per_work_order",
            params={"order": lead.hotline_order_no},
        )


def _save_new_lead(lead: Lead) -> None:
    _check_work_order_free(lead)
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError as exc:
        raise RuleViolation(
            _("The 12345 work order %(order)s already has a lead."),
            rule="lead_one_per_work_order",
            params={"order": lead.hotline_order_no},
        ) from exc


@transaction.atomic
def lead_register(
    *,
    actor: User | None,
    township: Unit,
    source: str,
    discovered_on: datetime.date,
    place: str,
    description: str,
    reporter_name: str = "",
    reporter_phone: str = "",
    referring_body: str = "",
    external_ref: str = "",
    hotline_order_no: str = "",
    transferred_from: Lead | None = None,
    today: datetime.date | None = None,
) -> Lead:
    """Register a lead; its check deadline runs from the day it was discovered or received.

    An officer registers leads of their own township; a transfer registers the lead it sends in
    the receiving township (``transferred_from`` set), on behalf of the sender.
    """
    today = local_today(today)
    LEADS.check("lead_register", None)
    if township.kind != UnitKind.TOWNSHIP:
        raise ValueError("leads belong to a township")
    if actor is not None and transferred_from is None and user_scope(actor).township_id != township.pk:
        raise PermissionDenied
    values = {
        "source": source,
        "discovered_on": discovered_on,
        "place": place.strip(),
        "description": description.strip(),
        "reporter_name": reporter_name.strip(),
        "reporter_phone": reporter_phone.strip(),
        "referring_body": referring_body.strip(),
        "external_ref": external_ref.strip(),
        "hotline_order_no": hotline_order_no.strip(),
    }
    _check_lead_fields(values, today=today)
    policy = policy_for(township)
    lead = Lead(
        township=township,
        reference=number_allocate(township=township, doc_type=DocumentType.LEAD, year=today.year),
        status=LeadStatus.REGISTERED,
        check_due=rules.check_deadline(discovered_on, policy.check_working_days),
        registered_by=actor,
        transferred_from=transferred_from,
        **values,
    )
    lead.full_clean(exclude=["search_vector"], validate_constraints=False)
    _save_new_lead(lead)
    deadline_open(
        kind=DeadlineKind.LEAD_CHECK,
        township_id=township.pk,
        lead=lead,
        starts_on=discovered_on,
        due_on=lead.check_due,
        working_days=True,
    )
    refresh_lead_search(lead)
    LEADS.record(lead, "lead.registered", actor=actor, to_state=lead.status, after=snapshot(lead, LEAD_AUDIT_FIELDS))
    return lead


@transaction.atomic
def lead_update(
    *, lead: Lead, actor: User, expected_version: int, today: datetime.date | None = None, **changes: Any
) -> Lead:
    """Correct what a lead says while it is being checked; a new discovery date moves the deadline."""
    unknown = set(changes) - set(LEAD_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    today = local_today(today)
    lead = LEADS.lock(lead, expected_version=expected_version)
    require(actor, "change", lead)
    if not lead.is_open:
        raise RuleViolation(_("A concluded lead is not edited any more."), rule="lead_concluded")
    before = snapshot(lead, LEAD_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(lead, name, value.strip() if isinstance(value, str) else value)
    _check_lead_fields({f: getattr(lead, f) for f in LEAD_EDITABLE_FIELDS}, today=today)
    lead.check_due = rules.check_deadline(lead.discovered_on, policy_for(lead.township_id).check_working_days)
    old, new = changed(before, snapshot(lead, LEAD_AUDIT_FIELDS))
    if not new:
        return lead
    lead.full_clean(exclude=["search_vector", "reference"], validate_constraints=False)
    _check_work_order_free(lead)
    try:
        with transaction.atomic():
            save_versioned(lead, [*LEAD_EDITABLE_FIELDS, "check_due"])
    except IntegrityError as exc:
        raise RuleViolation(
            _("The 12345 work order %(order)s already has a lead."),
            rule="lead_one_per_work_order",
            params={"order": lead.hotline_order_no},
        ) from exc
    Deadline.objects.filter(lead=lead, kind=DeadlineKind.LEAD_CHECK).update(
        starts_on=lead.discovered_on, due_on=lead.check_due, original_due_on=lead.check_due
    )
    refresh_lead_search(lead)
    LEADS.record(lead, "lead.updated", actor=actor, data={"changed": sorted(new)}, before=old, after=new)
    return lead


@transaction.atomic
def lead_start_check(
    *, lead: Lead, actor: User, checker: User | None = None, expected_version: int | None = None
) -> Lead:
    """An officer takes the lead for checking (the head may assign it to someone else)."""
    lead = LEADS.lock(lead, expected_version=expected_version)
    require(actor, "change", lead)
    LEADS.check("lead_start_check", lead.status)
    checker = checker or actor
    rules.officers_of_township([checker], lead.township)
    transition(lead, "lead_start_check", table=LEADS, actor=actor, changes={"checker": checker},
               data={"checker": str(checker)})  # fmt: skip
    return lead


def lead_conclude(
    lead: Lead,
    name: str,
    *,
    actor: User,
    reason: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    audit: dict[str, Any] | None = None,
) -> None:
    """Move a locked lead under check to its conclusion (``name`` in the table); the check
    deadline is met."""
    transition(
        lead,
        name,
        table=LEADS,
        actor=actor,
        note=note,
        data=data,
        audit=audit,
        changes={
            "conclusion_reason": reason.strip(),
            "concluded_by": actor,
            "concluded_at": timezone.now(),
            **(changes or {}),
        },
    )
    check = Deadline.objects.filter(lead=lead, kind=DeadlineKind.LEAD_CHECK, status=DeadlineStatus.OPEN).first()
    if check is not None:
        deadline_close(check, met_on=timezone.localdate())


@transaction.atomic
def lead_conclude_not_filed(*, lead: Lead, actor: User, reason: str, expected_version: int) -> Lead:
    """The check found no ground to file a case (不予立案); the reason is required."""
    lead = LEADS.lock(lead, expected_version=expected_version)
    require(actor, "change", lead)
    if not reason.strip():
        raise RuleViolation(_("Say why the lead is not filed."), rule="lead_not_filed_reason")
    lead_conclude(lead, "lead_not_file", actor=actor, reason=reason, note=reason)
    return lead


@transaction.atomic
def lead_transfer(
    *, lead: Lead, actor: User, target: Unit, reason: str, expected_version: int, today: datetime.date | None = None
) -> Lead:
    """Transfer the lead to the competent department or township (移送), with the reason.

    A township receives it as a new lead of its own, linked both ways; a department receives
    the transfer letter outside the portal.
    """
    lead = LEADS.lock(lead, expected_version=expected_version)
    require(actor, "change", lead)
    if not reason.strip():
        raise RuleViolation(_("Say why the lead is transferred."), rule="lead_transfer_reason")
    if target.kind not in (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP) or target.pk == lead.township_id:
        raise RuleViolation(
            _("A lead is transferred to a district department or to another township."),
            rule="lead_transfer_target",
        )
    LEADS.check("lead_transfer", lead.status)
    received = None
    if target.kind == UnitKind.TOWNSHIP:
        received = lead_register(
            actor=actor,
            township=target,
            source=LeadSource.TOWNSHIP_TRANSFER,
            discovered_on=local_today(today),
            place=lead.place,
            description=lead.description,
            reporter_name=lead.reporter_name,
            reporter_phone=lead.reporter_phone,
            referring_body=lead.township.name,
            external_ref=lead.reference,
            transferred_from=lead,
            today=today,
        )
        LEADS.record(received, "lead.transferred_in", actor=actor, note=reason, data={"from": lead.reference},
                     after={"from": lead.reference, "reason": reason})  # fmt: skip
        notify(recipients=office_heads(target), kind=NotificationKind.LEAD_TRANSFERRED_IN, lead=received)
    lead_conclude(
        lead,
        "lead_transfer",
        actor=actor,
        reason=reason,
        note=reason,
        changes={"transfer_target": target},
        data={"to": target.name, "new_lead": received.reference if received else ""},
    )
    return lead


@transaction.atomic
def lead_order_correction(
    *,
    lead: Lead,
    actor: User,
    content: str,
    legal_basis: str,
    deadline: datetime.date,
    reason: str,
    expected_version: int,
    today: datetime.date | None = None,
) -> CorrectionOrder:
    """Conclude the check with an order to correct only (no case is filed)."""
    from .records import correction_order_create

    lead = LEADS.lock(lead, expected_version=expected_version)
    require(actor, "change", lead)
    LEADS.check("lead_order_correction", lead.status)  # before a number is taken
    order = correction_order_create(
        township=lead.township,
        lead=lead,
        actor=actor,
        content=content,
        legal_basis=legal_basis,
        deadline=deadline,
        today=today,
    )
    lead_conclude(
        lead,
        "lead_order_correction",
        actor=actor,
        reason=reason or content,
        note=reason,
        data={"order": order.number, "deadline": deadline.isoformat()},
        audit={"order": order.number},
    )
    return order


def lead_reopen(*, lead: Lead, actor: User | None, note: str = "") -> Lead:
    """Back to checking when the filing it led to is withdrawn (called inside that transaction)."""
    lead = LEADS.lock(lead)
    transition(lead, "lead_reopen", table=LEADS, actor=actor, note=note,
               changes={"concluded_by": None, "concluded_at": None, "conclusion_reason": ""})  # fmt: skip
    check = Deadline.objects.filter(lead=lead, kind=DeadlineKind.LEAD_CHECK).first()
    if check is not None:
        deadline_reopen(check)
    return lead
