"""Investigation: inspection and interview records, orders to correct, preservation of
evidence, and the investigation-end report that closes the investigation."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import snapshot
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import require
from pengjiang_enforcement.workdays import today as local_today
from pengjiang_enforcement.workflow import transition

from .. import rules
from ..choices import (
    CaseState,
    CorrectionStatus,
    DeadlineKind,
    DocumentType,
    EvidenceKind,
    IntervieweeRole,
    NotificationKind,
)
from ..models import (
    Case,
    CorrectionOrder,
    Deadline,
    Evidence,
    InspectionRecord,
    InterviewRecord,
    InvestigationReport,
    Lead,
    Party,
    Preservation,
)
from ..workflow import CASES, LEADS
from .common import require_state
from .deadlines import deadline_close, deadline_open
from .evidence import evidence_add
from .notifications import notify
from .numbering import number_allocate
from .proposals import ProposalDraft, proposal_make, proposal_snapshot

INVESTIGATING = (CaseState.INVESTIGATING,)


def _check_record_officers(case: Case, officers: Sequence[User], day: datetime.date) -> None:
    """APL Art. 42 and 55: at least two certified officers of the township take part."""
    rules.handling_team(officers, case.township, day)


def _check_times(started_at: datetime.datetime, ended_at: datetime.datetime) -> None:
    if ended_at <= started_at:
        raise RuleViolation(_("A record ends after it starts."), rule="record_times")
    if ended_at > timezone.now() + datetime.timedelta(minutes=5):
        raise RuleViolation(_("A record cannot end in the future."), rule="record_times")


@transaction.atomic
def inspection_record_add(
    *,
    case: Case,
    actor: User,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
    place: str,
    present_persons: str,
    officers: Sequence[User],
    recorder: User,
    findings: str,
    certificates_shown: bool,
    party_signed: bool,
    refusal_note: str = "",
    witness: str = "",
    media_refs: str = "",
) -> InspectionRecord:
    """Record an on-site inspection (现场检查笔录); it joins the evidence list (APL Art. 46)."""
    case = CASES.lock(case)
    require(actor, "change", case)
    require_state(case, INVESTIGATING, doing=_("Recording an inspection"))
    _check_times(started_at, ended_at)
    _check_record_officers(case, officers, timezone.localtime(started_at).date())
    rules.apl_55_certificates_shown(certificates_shown)
    if not party_signed and not refusal_note.strip():
        raise RuleViolation(
            _("The party signs the record, or the record notes that they refused to sign."), rule="record_signature"
        )
    record = InspectionRecord(
        case=case,
        started_at=started_at,
        ended_at=ended_at,
        place=place.strip(),
        present_persons=present_persons.strip(),
        recorder=recorder,
        witness=witness.strip(),
        certificates_shown=certificates_shown,
        findings=findings.strip(),
        media_refs=media_refs.strip(),
        party_signed=party_signed,
        refusal_note=refusal_note.strip(),
        created_by=actor,
    )
    record.full_clean()
    record.save()
    record.officers.set(officers)
    day = timezone.localtime(started_at).date()
    evidence_add(
        case=case,
        actor=actor,
        kind=EvidenceKind.INSPECTION_RECORD,
        title=_("On-site inspection record, %(place)s, %(day)s") % {"place": record.place, "day": day.isoformat()},
        collected_on=day,
        inspection=record,
    )
    CASES.record(
        case,
        "inspection.recorded",
        actor=actor,
        data={"record": record.pk, "place": record.place},
        after={**snapshot(record), "officers": [o.pk for o in officers]},
    )
    return record


@transaction.atomic
def interview_record_add(
    *,
    case: Case,
    actor: User,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
    place: str,
    interviewee_role: str,
    interviewee_name: str,
    officers: Sequence[User],
    recorder: User,
    qa: list[dict[str, str]],
    certificates_shown: bool,
    rights_told: bool,
    confirmed: bool,
    interviewee_gender: str = "",
    interviewee_id_number: str = "",
    interviewee_phone: str = "",
    interviewee_address: str = "",
    interviewee_employer: str = "",
) -> InterviewRecord:
    """Record an interview (询问笔录); it joins the evidence list as a statement or testimony."""
    case = CASES.lock(case)
    require(actor, "change", case)
    require_state(case, INVESTIGATING, doing=_("Recording an interview"))
    _check_times(started_at, ended_at)
    _check_record_officers(case, officers, timezone.localtime(started_at).date())
    rules.apl_55_certificates_shown(certificates_shown)
    if not rights_told:
        raise RuleViolation(
            _(
                "APL Art. 43 and 45: tell the interviewee of the rights to state, defend and ask for recusal, "
                "and record that you did."
            ),
            rule="interview_rights_told",
        )
    pairs = [
        {"q": p.get("q", "").strip(), "a": p.get("a", "").strip()}
        for p in qa
        if p.get("q", "").strip() or p.get("a", "").strip()
    ]
    if not pairs:
        raise RuleViolation(
            _("An interview record holds at least one question and answer."), rule="interview_questions"
        )
    if not confirmed:
        raise RuleViolation(
            _("The interviewee confirms the record (以上笔录记录属实) before it is saved."), rule="interview_confirmed"
        )
    if interviewee_id_number.strip():
        interviewee_id_number = rules.resident_id_valid(interviewee_id_number)
    record = InterviewRecord(
        case=case,
        started_at=started_at,
        ended_at=ended_at,
        place=place.strip(),
        interviewee_role=interviewee_role,
        interviewee_name=interviewee_name.strip(),
        interviewee_gender=interviewee_gender,
        interviewee_id_number=interviewee_id_number,
        interviewee_phone=interviewee_phone.strip(),
        interviewee_address=interviewee_address.strip(),
        interviewee_employer=interviewee_employer.strip(),
        recorder=recorder,
        certificates_shown=certificates_shown,
        rights_told=rights_told,
        qa=pairs,
        confirmed=confirmed,
        created_by=actor,
    )
    record.full_clean()
    record.save()
    record.officers.set(officers)
    day = timezone.localtime(started_at).date()
    evidence_add(
        case=case,
        actor=actor,
        kind=EvidenceKind.PARTY_STATEMENT if interviewee_role == IntervieweeRole.PARTY else EvidenceKind.WITNESS,
        title=_("Interview record of %(name)s, %(day)s") % {"name": record.interviewee_name, "day": day.isoformat()},
        collected_on=day,
        provider=record.interviewee_name,
        interview=record,
    )
    CASES.record(
        case,
        "interview.recorded",
        actor=actor,
        data={"record": record.pk, "name": record.interviewee_name},
        after={**snapshot(record, ["started_at", "ended_at", "place", "interviewee_role", "interviewee_name"])},
    )
    return record


def correction_order_create(
    *,
    township: Unit,
    actor: User,
    content: str,
    legal_basis: str,
    deadline: datetime.date,
    case: Case | None = None,
    lead: Lead | None = None,
    today: datetime.date | None = None,
) -> CorrectionOrder:
    """Issue an order to correct with a number and a deadline (inside the caller's transaction)."""
    today = local_today(today)
    if not content.strip():
        raise RuleViolation(_("Say what must be corrected."), rule="correction_content")
    rules.deadline_not_in_past(deadline, today=today, label=_("The correction deadline"))
    order = CorrectionOrder(
        case=case,
        lead=lead,
        township=township,
        number=number_allocate(township=township, doc_type=DocumentType.CORRECTION, year=today.year),
        content=content.strip(),
        legal_basis=legal_basis.strip(),
        issued_on=today,
        deadline=deadline,
        issued_by=actor,
    )
    order.full_clean()
    order.save()
    deadline_open(
        kind=DeadlineKind.CORRECTION,
        township_id=township.pk,
        case=case,
        lead=lead,
        correction=order,
        starts_on=today,
        due_on=deadline,
    )
    return order


@transaction.atomic
def correction_order_issue(
    *,
    case: Case,
    actor: User,
    content: str,
    legal_basis: str,
    deadline: datetime.date,
    today: datetime.date | None = None,
) -> CorrectionOrder:
    """责令改正 within a case (APL Art. 28), with a deadline after today."""
    case = CASES.lock(case)
    require(actor, "change", case)
    require_state(case, INVESTIGATING, doing=_("Ordering a correction"))
    order = correction_order_create(
        township=case.township,
        case=case,
        actor=actor,
        content=content,
        legal_basis=legal_basis,
        deadline=deadline,
        today=today,
    )
    CASES.record(
        case,
        "correction.issued",
        actor=actor,
        data={"number": order.number, "deadline": deadline.isoformat()},
        audit_obj=order,
        after=snapshot(order),
    )
    return order


@transaction.atomic
def correction_reinspect(
    *,
    order: CorrectionOrder,
    actor: User,
    reinspected_on: datetime.date,
    result: str,
    note: str,
    today: datetime.date | None = None,
) -> CorrectionOrder:
    """Record what the re-inspection found; the correction deadline is met."""
    today = local_today(today)
    # The order belongs to a case, or to a lead concluded with it; either is locked and asked.
    table = CASES if order.case_id else LEADS
    owner = table.lock(order.case_id or order.lead_id or 0)
    require(actor, "change", owner)
    order = CorrectionOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != CorrectionStatus.OPEN:
        raise RuleViolation(_("This order was already re-inspected."), rule="correction_already_reinspected")
    if result not in (CorrectionStatus.CORRECTED, CorrectionStatus.PARTLY, CorrectionStatus.NOT_CORRECTED):
        raise ValueError(result)
    rules.not_in_future(reinspected_on, today=today, label=_("The re-inspection"))
    if reinspected_on < order.issued_on:
        raise RuleViolation(_("The re-inspection follows the order."), rule="correction_reinspection_date")
    before = snapshot(order, ["status", "reinspected_on", "reinspection_note"])
    order.status, order.reinspected_on, order.reinspection_note = result, reinspected_on, note.strip()
    order.reinspected_by = actor
    order.save(update_fields=["status", "reinspected_on", "reinspection_note", "reinspected_by"])
    deadline = Deadline.objects.filter(correction=order).first()
    if deadline is not None:
        deadline_close(deadline, met_on=reinspected_on)
    table.record(
        owner,
        "correction.reinspected",
        actor=actor,
        note=order.reinspection_note,
        data={"number": order.number, "result": result},
        audit_obj=order,
        before=before,
        after=snapshot(order, ["status", "reinspected_on", "reinspection_note"]),
    )
    return order


@transaction.atomic
def preservation_register(
    *,
    case: Case,
    actor: User,
    items: str,
    place_kept: str,
    reason: str,
    approved_by: User,
    registered_on: datetime.date,
    today: datetime.date | None = None,
) -> Preservation:
    """先行登记保存 (APL Art. 56) with the office head's approval; the 7-working-day clock starts."""
    today = local_today(today)
    case = CASES.lock(case)
    require(actor, "change", case)
    require_state(case, INVESTIGATING, doing=_("Preserving evidence"))
    rules.approved_by_office_head(approved_by, case.township)
    rules.not_in_future(registered_on, today=today, label=_("The registration"))
    if case.filed_on and registered_on < case.filed_on:
        raise RuleViolation(_("Evidence is preserved within the filed case."), rule="preservation_after_filing")
    if not items.strip() or not reason.strip():
        raise RuleViolation(_("List the items and say why they are preserved."), rule="preservation_items_reason")
    preservation = Preservation(
        case=case,
        number=number_allocate(township=case.township, doc_type=DocumentType.PRESERVATION, year=registered_on.year),
        items=items.strip(),
        place_kept=place_kept.strip(),
        reason=reason.strip(),
        approved_by=approved_by,
        registered_on=registered_on,
        decision_due=rules.apl_56_preservation_deadline(registered_on),
        created_by=actor,
    )
    preservation.full_clean()
    preservation.save()
    deadline_open(
        kind=DeadlineKind.PRESERVATION,
        township_id=case.township_id,
        case=case,
        preservation=preservation,
        starts_on=registered_on,
        due_on=preservation.decision_due,
        working_days=True,
    )
    CASES.record(
        case,
        "preservation.registered",
        actor=actor,
        data={
            "number": preservation.number,
            "due": preservation.decision_due.isoformat(),
            "approved_by": str(approved_by),
        },
        audit_obj=preservation,
        after=snapshot(preservation),
    )
    notify(
        recipients=[approved_by],
        kind=NotificationKind.APPROVAL_NEEDED,
        case=case,
        params={"what": "preservation", "number": preservation.number},
        exclude=actor,
    )
    return preservation


@transaction.atomic
def preservation_decide(
    *,
    preservation: Preservation,
    actor: User,
    decision: str,
    decided_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> Preservation:
    """Decide what becomes of preserved evidence; a decision after 7 working days is recorded as late."""
    today = local_today(today)
    case = CASES.lock(preservation.case_id)
    require(actor, "change", case)
    preservation = Preservation.objects.select_for_update().get(pk=preservation.pk)
    if preservation.decision:
        raise RuleViolation(_("This preservation was already decided."), rule="preservation_already_decided")
    rules.not_in_future(decided_on, today=today, label=_("The decision"))
    if decided_on < preservation.registered_on:
        raise RuleViolation(_("The decision follows the registration."), rule="preservation_decision_date")
    before = snapshot(preservation, ["decision", "decided_on", "decision_note"])
    preservation.decision, preservation.decided_on = decision, decided_on
    preservation.decision_note, preservation.decided_by = note.strip(), actor
    preservation.full_clean()
    preservation.save(update_fields=["decision", "decided_on", "decision_note", "decided_by"])
    deadline = Deadline.objects.filter(preservation=preservation).first()
    if deadline is not None:
        deadline_close(deadline, met_on=decided_on)
    CASES.record(
        case,
        "preservation.decided",
        actor=actor,
        note=preservation.decision_note,
        data={"number": preservation.number, "decision": decision, "late": preservation.decided_late},
        audit_obj=preservation,
        before=before,
        after={
            **snapshot(preservation, ["decision", "decided_on", "decision_note"]),
            "late": preservation.decided_late,
        },
    )
    return preservation


def investigation_complete(case: Case) -> None:
    """The investigation ends with a party, evidence, and every preservation decided (APL Art. 56)."""
    if not Party.objects.filter(case=case).exists():
        raise RuleViolation(
            _("Record the party of the case before ending the investigation."), rule="investigation_needs_party"
        )
    if not Evidence.objects.filter(case=case).exists():
        raise RuleViolation(
            _("APL Art. 40: no evidence is on record; the facts must be established by evidence."),
            rule="investigation_needs_evidence",
        )
    undecided = list(Preservation.objects.filter(case=case, decision="").values_list("number", flat=True))
    if undecided:
        raise RuleViolation(
            _("APL Art. 56: decide on the preserved evidence first (%(numbers)s)."),
            rule="preservation_undecided",
            params={"numbers": "、".join(undecided)},
        )


@transaction.atomic
def case_close_investigation(
    *,
    case: Case,
    actor: User,
    expected_version: int,
    facts_found: str,
    evidence_summary: str,
    violated_provision: str,
    proposal: ProposalDraft,
    penalty_provision: str = "",
    circumstances: str = "",
    today: datetime.date | None = None,
) -> InvestigationReport:
    """Submit the investigation-end report (调查终结报告, APL Art. 57) with its proposal, checked
    and pinned (:func:`~cases.services.proposals.proposal_make`): the investigation closes."""
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    CASES.check("case_close_investigation", case.state, procedure=case.procedure)
    investigation_complete(case)
    report = InvestigationReport(
        case=case,
        facts_found=facts_found.strip(),
        evidence_summary=evidence_summary.strip(),
        violated_provision=violated_provision.strip(),
        penalty_provision=penalty_provision.strip(),
        circumstances=circumstances.strip(),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    report.full_clean()
    report.save()
    made = proposal_make(case=case, actor=actor, draft=proposal, today=today, report=report)
    data = {
        "proposal": made.outcome,
        "kinds": sorted(made.kinds()),
        "fine": str(made.fine_total()),
        "band": made.band_level,
        "standard_version": made.standard.version if made.standard is not None else None,
    }
    audit = {
        "report": snapshot(report, ["violated_provision", "facts_found"]),
        "proposal": proposal_snapshot(made),
    }
    transition(case, "case_close_investigation", table=CASES, actor=actor, data=data, audit=audit)
    return report
