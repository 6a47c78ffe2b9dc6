"""In-app notifications: written by the services and the deadline beat task, read by their owner."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pengjiang_enforcement.models import User

from ..choices import DeadlineStatus, NotificationKind
from ..models import Case, CaseOfficer, Deadline, Lead, Notification
from .common import office_heads, policy_for


def notify(
    *,
    recipients: Iterable[User | int],
    kind: str,
    case: Case | None = None,
    lead: Lead | None = None,
    deadline: Deadline | None = None,
    due_on: datetime.date | None = None,
    params: dict[str, Any] | None = None,
    exclude: User | None = None,
) -> int:
    """Create one notification per recipient (the actor who caused it excluded).

    Deadline notifications are unique per recipient, deadline, kind and due date: a second call
    adds nothing.
    """
    ids = {r.pk if isinstance(r, User) else r for r in recipients} - {exclude.pk if exclude else None}
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            case=case,
            lead=lead,
            deadline=deadline,
            due_on=due_on,
            params=params or {},
        )
        for pk in sorted(ids)
    ]
    if deadline is None:
        return len(Notification.objects.bulk_create(rows))
    # ON CONFLICT DO NOTHING reports no count: compare the rows of this deadline before and after.
    same = Notification.objects.filter(deadline=deadline, kind=kind, due_on=due_on)
    before = same.count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return same.count() - before


def case_handlers(case: Case | int) -> list[int]:
    return list(CaseOfficer.objects.filter(case=case).values_list("user_id", flat=True))


@transaction.atomic
def deadline_notify(*, deadline_ids: Iterable[int], today: datetime.date | None = None) -> int:
    """Tell the handling officers (or the lead's checker) and the office heads about deadlines
    that are due soon or overdue. Safe to run twice: nobody hears twice about the same thing."""
    today = today or timezone.localdate()
    created = 0
    deadlines = (
        Deadline.objects.filter(pk__in=list(deadline_ids), status=DeadlineStatus.OPEN)
        .select_related("case", "lead", "township")
        .order_by("pk")
    )
    heads_by_township: dict[int, list[User]] = {}
    soon_by_township: dict[int, int] = {}
    for deadline in deadlines:
        township_id = deadline.township_id
        if township_id not in soon_by_township:
            soon_by_township[township_id] = policy_for(township_id).due_soon_days
            heads_by_township[township_id] = office_heads(township_id)
        days_left = (deadline.due_on - today).days
        if days_left < 0:
            kind = NotificationKind.OVERDUE
        elif days_left <= soon_by_township[township_id]:
            kind = NotificationKind.DUE_SOON
        else:
            continue
        if deadline.case_id:
            people: list[Any] = case_handlers(deadline.case_id)
        else:
            lead = deadline.lead
            people = [lead.checker_id or lead.registered_by_id] if (lead.checker_id or lead.registered_by_id) else []
        people += heads_by_township[township_id]
        created += notify(
            recipients=people,
            kind=kind,
            case=deadline.case,
            lead=deadline.lead,
            deadline=deadline,
            due_on=deadline.due_on,
            params={"deadline": deadline.kind},
        )
    return created


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    rows = Notification.objects.restrict(user, "change").filter(read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
