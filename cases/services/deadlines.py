"""Deadlines of leads and cases, and the extension of the decision deadline."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement import workdays
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import require
from pengjiang_enforcement.workdays import today as local_today

from .. import rules
from ..choices import DeadlineKind, DeadlineStatus, ExtensionStatus, NotificationKind
from ..models import Case, Deadline, ExtensionRequest, ExtensionStep
from ..workflow import CASES
from .common import office_heads
from .notifications import case_handlers, notify


def deadline_open(
    *,
    kind: str,
    township_id: int,
    starts_on: datetime.date,
    due_on: datetime.date,
    working_days: bool = False,
    case: Case | None = None,
    lead=None,
    preservation=None,
    correction=None,
) -> Deadline:
    """Start a deadline; the case's next deadline follows."""
    deadline = Deadline.objects.create(
        kind=kind,
        township_id=township_id,
        case=case,
        lead=lead,
        preservation=preservation,
        correction=correction,
        starts_on=starts_on,
        original_due_on=due_on,
        due_on=due_on,
        working_days=working_days,
    )
    if case is not None:
        case_refresh_deadlines(case)
    return deadline


def deadline_close(deadline: Deadline, *, met_on: datetime.date, status: str = DeadlineStatus.MET) -> None:
    """Mark a deadline met (or cancelled); the case's next deadline follows."""
    Deadline.objects.filter(pk=deadline.pk).update(status=status, met_on=met_on)
    deadline.status, deadline.met_on = status, met_on
    if deadline.case_id:
        case_refresh_deadlines(deadline.case_id)


def deadline_reopen(deadline: Deadline) -> None:
    Deadline.objects.filter(pk=deadline.pk).update(status=DeadlineStatus.OPEN, met_on=None)
    deadline.status, deadline.met_on = DeadlineStatus.OPEN, None
    if deadline.case_id:
        case_refresh_deadlines(deadline.case_id)


def case_refresh_deadlines(case: Case | int) -> None:
    """Copy the earliest open deadline and the decision deadline onto the case row (one UPDATE).

    Queues filter and flag on these columns, so they never join the deadlines of a million cases.
    """
    pk = case.pk if isinstance(case, Case) else case
    open_rows = Deadline.objects.filter(case=OuterRef("pk"), status=DeadlineStatus.OPEN)
    Case.objects.filter(pk=pk).update(
        next_due_on=Subquery(open_rows.values("case").annotate(m=Min("due_on")).values("m")[:1]),
        decision_due=Subquery(
            Deadline.objects.filter(case=OuterRef("pk"), kind=DeadlineKind.DECISION).values("due_on")[:1]
        ),
    )
    if isinstance(case, Case):
        case.refresh_from_db(fields=["next_due_on", "decision_due"])


def extension_steps(township_id: int) -> list[ExtensionStep]:
    """The township's extension steps, or the district's when it has none of its own."""
    rows = list(ExtensionStep.objects.filter(Q(township_id=township_id) | Q(township__isnull=True)).order_by("step"))
    own = [s for s in rows if s.township_id == township_id]
    return own or [s for s in rows if s.township_id is None]


def next_extension_step(case: Case) -> ExtensionStep | None:
    taken = ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.APPROVED).count()
    steps = extension_steps(case.township_id)
    return steps[taken] if taken < len(steps) else None


@transaction.atomic
def extension_request(*, case: Case, actor: User, reason: str, today: datetime.date | None = None) -> ExtensionRequest:
    """Ask the office head to extend the 90-day decision deadline by the next configured step."""
    today = local_today(today)
    case = CASES.lock(case)
    require(actor, "change", case)
    deadline = Deadline.objects.filter(case=case, kind=DeadlineKind.DECISION, status=DeadlineStatus.OPEN).first()
    if deadline is None:
        raise RuleViolation(
            _("This case has no running decision deadline to extend."), rule="extension_needs_open_deadline"
        )
    if today > deadline.due_on:
        raise RuleViolation(
            _("The decision deadline passed on %(day)s; an extension must be asked for before it ends."),
            rule="extension_before_deadline",
            params={"day": deadline.due_on.isoformat()},
        )
    step = next_extension_step(case)
    if step is None:
        raise RuleViolation(
            _("Every extension step allowed for this township has been used."), rule="extension_steps_exhausted"
        )
    if not reason.strip():
        raise RuleViolation(_("Give the reason for the extension."), rule="extension_reason")
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                case=case,
                deadline=deadline,
                step=step.step,
                days=step.days,
                reason=reason.strip(),
                due_before=deadline.due_on,
                due_after=workdays.add_calendar_days(deadline.due_on, step.days),
                requested_by=actor,
            )
    except IntegrityError as exc:
        raise RuleViolation(
            _("An extension request of this case is already waiting for approval."), rule="extension_pending"
        ) from exc
    CASES.record(
        case,
        "extension.requested",
        actor=actor,
        note=request.reason,
        data={"step": step.step, "days": step.days, "due_after": request.due_after.isoformat()},
        after={"request": request.pk, "step": step.step, "days": step.days, "due_after": request.due_after},
    )
    notify(
        recipients=office_heads(case.township_id),
        kind=NotificationKind.APPROVAL_NEEDED,
        case=case,
        params={"what": "extension"},
        exclude=actor,
    )
    return request


@transaction.atomic
def extension_decide(
    *,
    request: ExtensionRequest,
    actor: User,
    approve: bool,
    note: str = "",
    discussion_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ExtensionRequest:
    """The office head approves or refuses an extension; approved, the decision deadline moves."""
    today = local_today(today)
    case = CASES.lock(request.case_id)
    require(actor, "approve", case)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionStatus.PENDING:
        raise RuleViolation(_("This extension request was already decided."), rule="extension_already_decided")
    rules.approved_by_office_head(actor, case.township)
    if actor.pk == request.requested_by_id:
        raise RuleViolation(
            _("You asked for this extension; another office head must decide it."), rule="extension_four_eyes"
        )
    step = next((s for s in extension_steps(case.township_id) if s.step == request.step), None)
    if approve and step is not None and step.needs_collective_discussion:
        if discussion_date is None or not note.strip():
            raise RuleViolation(
                _("This extension needs a collective discussion: give its date and conclusion."),
                rule="extension_collective_discussion",
            )
        rules.not_in_future(discussion_date, today=today, label=_("The collective discussion"))
    if not approve and not note.strip():
        raise RuleViolation(_("Give the reason for refusing."), rule="extension_refusal_reason")
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.discussion_date = discussion_date
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "discussion_date"])
    if approve:
        Deadline.objects.filter(pk=request.deadline_id).update(due_on=request.due_after)
        case_refresh_deadlines(case)
    kind = "extension.approved" if approve else "extension.refused"
    CASES.record(
        case,
        kind,
        actor=actor,
        note=request.decision_note,
        data={"due_before": request.due_before.isoformat(), "due_after": request.due_after.isoformat()},
        before={"decision_due": request.due_before},
        after={"decision_due": request.due_after if approve else request.due_before, "request": request.pk},
    )
    notify(
        recipients=[*case_handlers(case), request.requested_by_id],
        kind=NotificationKind.EXTENSION_DECIDED,
        case=case,
        params={"approved": approve},
        exclude=actor,
    )
    return request
