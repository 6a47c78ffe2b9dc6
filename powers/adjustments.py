"""The adjustment procedure: propose → review → approve, then applied on the effective date.

Nothing in the catalogue changes before an adjustment's effective date. Approval of an
adjustment that is due today applies it at once; the others wait for the beat task
:func:`apply_due_adjustments`. Applying is a compare-and-set on the status, so two runs (two
beats, or a beat racing an approval) apply an adjustment once. An adjustment whose change can
no longer be made (the item changed in between) is marked *failed* with the reason, and stays
open until an admin retries or withdraws it.

Imports confirm their changes through the same functions: one adjustment per item, with the
import's effective date.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit, User

from .choices import AdjustmentKind, AdjustmentStatus, ItemStatus
from .models import Adjustment, CatalogueImport, Evaluation, PowerItem
from .models.procedure import OPEN_ADJUSTMENT_STATUSES
from .services import (
    CHANGEABLE_FIELDS,
    _clean_item,
    _set_content,
    check_effective_date,
    coverage_townships,
    current_values,
    holder_ids,
    item_change,
    item_create,
    item_recall,
    item_redelegate,
    item_values,
)

log = logging.getLogger(__name__)

S = AdjustmentStatus
# The one table of allowed moves; each has its own service below.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.REVIEWED, S.REJECTED, S.WITHDRAWN}),
    S.REVIEWED: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.APPLIED, S.FAILED, S.WITHDRAWN}),
    S.FAILED: frozenset({S.APPROVED, S.WITHDRAWN}),
}


# The decisions a district admin takes, with the status each leads to and, where two decisions
# lead to the same status, the only status it starts from: approving needs a review (and records
# the decision note); retrying is for an adjustment that failed to apply.
ACTIONS: dict[str, tuple[str, str | None]] = {
    "review": (S.REVIEWED, None),
    "approve": (S.APPROVED, S.REVIEWED),
    "reject": (S.REJECTED, None),
    "withdraw": (S.WITHDRAWN, None),
    "retry": (S.APPROVED, S.FAILED),
}


def allowed(adjustment: Adjustment, target: str, source: str | None = None) -> bool:
    if source is not None and adjustment.status != source:
        return False
    return target in TRANSITIONS.get(adjustment.status, frozenset())


def action_allowed(adjustment: Adjustment, action: str) -> bool:
    return allowed(adjustment, *ACTIONS[action])


def _move(adjustment: Adjustment, target: str, source: str | None = None) -> None:
    if not allowed(adjustment, target, source):
        raise RuleViolation(
            _("An adjustment that is “%(status)s” cannot become “%(target)s”."),
            rule="adjustment_transition",
            params={"status": adjustment.get_status_display(), "target": S(target).label},
        )
    adjustment.status = target


def _today() -> datetime.date:
    return timezone.localdate()


def _lock(adjustment: Adjustment) -> Adjustment:
    return Adjustment.objects.select_for_update().get(pk=adjustment.pk)


# --- proposing -------------------------------------------------------------------------------
def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the reason for the adjustment."), rule="adjustment_reason_required")
    return reason


def _check_no_open_adjustment(item: PowerItem) -> None:
    """One item, one open adjustment: two pending changes could contradict each other."""
    open_one = Adjustment.objects.filter(item=item, status__in=OPEN_ADJUSTMENT_STATUSES).first()
    if open_one is not None:
        raise RuleViolation(
            _("%(item)s already has an open adjustment (no. %(number)s); finish or withdraw it first."),
            rule="adjustment_one_open_per_item",
            params={"item": item.full_code, "number": open_one.pk},
        )


def _townships(units: Iterable[Unit] | None) -> list[Unit]:
    result = list(units or [])
    for unit in result:
        if unit.kind != UnitKind.TOWNSHIP:
            raise RuleViolation(
                _("Powers are delegated to townships and streets only."), rule="catalogue_delegation_township"
            )
    return result


def _check_add(data: dict[str, Any], effective_date: datetime.date) -> tuple[dict[str, Any], PowerItem]:
    values = item_values(data)
    probe = PowerItem(effective_from=effective_date)
    _set_content(probe, values)
    code, sub_code = probe.code, probe.sub_code
    if (
        PowerItem.objects.filter(code=code, sub_code=sub_code).exists()
        or Adjustment.objects.filter(
            kind=AdjustmentKind.ADD,
            status__in=OPEN_ADJUSTMENT_STATUSES,
            proposed_data__item__code=code,
            proposed_data__item__sub_code=sub_code,
        ).exists()
    ):
        raise RuleViolation(
            _("An item with the code %(code)s already exists."),
            rule="catalogue_code_unique",
            params={"code": probe.full_code},
        )
    _clean_item(probe)
    # Every field, defaults included, so the proposal says exactly what will be created.
    return {**current_values(probe), "code": probe.code, "sub_code": probe.sub_code}, probe


def _check_change(
    item: PowerItem, data: dict[str, Any], add: list[Unit], remove: list[Unit]
) -> dict[str, dict[str, Any]]:
    unknown = set(data) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise RuleViolation(
            _("These fields cannot be changed: %(fields)s."),
            rule="adjustment_fields",
            params={"fields": ", ".join(sorted(unknown))},
        )
    current = current_values(item)
    probe = PowerItem.objects.get(pk=item.pk)
    _set_content(probe, data)
    _clean_item(probe)
    proposed = current_values(probe)
    changes = {k: proposed[k] for k in data if proposed.get(k) != current.get(k)}
    held = holder_ids(item)
    for township in add:
        if township.pk in held:
            raise RuleViolation(
                _("%(item)s is already delegated to %(township)s."),
                rule="catalogue_delegation_overlap",
                params={"item": item.full_code, "township": township.name},
            )
    for township in remove:
        if township.pk not in held:
            raise RuleViolation(
                _("%(township)s does not hold %(item)s."),
                rule="adjustment_recall_not_held",
                params={"item": item.full_code, "township": township.name},
            )
    if not changes and not add and not remove:
        raise RuleViolation(_("The proposal changes nothing."), rule="adjustment_no_change")
    return {"changes": changes, "before": {k: current.get(k) for k in changes}}


@transaction.atomic
def adjustment_propose(
    *,
    actor: User,
    kind: str,
    reason: str,
    effective_date: datetime.date,
    item: PowerItem | None = None,
    data: dict[str, Any] | None = None,
    townships: Iterable[Unit] | None = None,
    add_townships: Iterable[Unit] = (),
    remove_townships: Iterable[Unit] = (),
    evaluation: Evaluation | None = None,
    catalogue_import: CatalogueImport | None = None,
) -> Adjustment:
    """Propose a change to the catalogue, effective on ``effective_date`` (today or later).

    * ``add``: ``data`` holds the new item; ``townships`` default to its coverage rule.
    * ``change``: ``data`` holds the fields to change; ``add_townships`` /
      ``remove_townships`` change who holds the item in the same step.
    * ``recall``: from ``townships`` (default: every township that holds the item).
    * ``redelegate``: to ``townships``.

    The proposal is checked now (and again when it is applied); nothing changes yet.
    """
    reason = _require_reason(reason)
    check_effective_date(effective_date, today=_today())
    if kind not in AdjustmentKind.values:
        raise RuleViolation(_("Unknown kind of adjustment."), rule="adjustment_kind")
    proposed: dict[str, Any] = {}
    targets: list[Unit] = []
    if kind == AdjustmentKind.ADD:
        values, probe = _check_add(data or {}, effective_date)
        proposed = {"item": values}
        targets = _townships(townships) if townships is not None else coverage_townships(probe.coverage)
        if not targets:
            raise RuleViolation(_("Name the townships that receive the item."), rule="adjustment_townships")
        item = None
    else:
        if item is None:
            raise RuleViolation(_("Choose the item to adjust."), rule="adjustment_item")
        item = PowerItem.objects.select_for_update().get(pk=item.pk)
        _check_no_open_adjustment(item)
        held = holder_ids(item)
        if kind == AdjustmentKind.CHANGE:
            add, remove = _townships(add_townships), _townships(remove_townships)
            proposed = _check_change(item, data or {}, add, remove)
            proposed["add_townships"] = [t.code for t in add]
            proposed["remove_townships"] = [t.code for t in remove]
            targets = [*add, *remove]
        elif kind == AdjustmentKind.RECALL:
            if item.status == ItemStatus.RECALLED or not held:
                raise RuleViolation(
                    _("%(item)s is not delegated to any township."),
                    rule="adjustment_recall_not_held",
                    params={"item": item.full_code},
                )
            targets = _townships(townships) or list(Unit.objects.filter(pk__in=held).order_by("sort_order"))
            for township in targets:
                if township.pk not in held:
                    raise RuleViolation(
                        _("%(township)s does not hold %(item)s."),
                        rule="adjustment_recall_not_held",
                        params={"item": item.full_code, "township": township.name},
                    )
        else:  # re-delegate
            targets = _townships(townships)
            if not targets:
                raise RuleViolation(_("Name the townships that receive the item."), rule="adjustment_townships")
            for township in targets:
                if township.pk in held:
                    raise RuleViolation(
                        _("%(item)s is already delegated to %(township)s."),
                        rule="catalogue_delegation_overlap",
                        params={"item": item.full_code, "township": township.name},
                    )
    adjustment = Adjustment(
        kind=kind,
        item=item,
        proposed_data=proposed,
        reason=reason,
        effective_date=effective_date,
        proposed_by=actor,
        evaluation=evaluation,
        catalogue_import=catalogue_import,
    )
    try:
        with transaction.atomic():
            adjustment.save()
    except IntegrityError as exc:  # a concurrent proposal on the same item won the race
        raise RuleViolation(
            _("%(item)s already has an open adjustment (no. %(number)s); finish or withdraw it first."),
            rule="adjustment_one_open_per_item",
            params={"item": item.full_code if item else "", "number": "?"},
        ) from exc
    adjustment.townships.set(targets)
    audit_record(
        action="powers.adjustment.proposed",
        obj=adjustment,
        actor=actor,
        after={
            "kind": kind,
            "item": item.pk if item else None,
            "proposed": proposed,
            "townships": [t.code for t in targets],
            "reason": reason,
            "effective_date": effective_date,
        },
    )
    return adjustment


# --- deciding --------------------------------------------------------------------------------
def _record(adjustment: Adjustment, action: str, actor: User | None, before: str, **extra: Any) -> None:
    audit_record(
        action=f"powers.adjustment.{action}",
        obj=adjustment,
        actor=actor,
        before={"status": before},
        after={"status": adjustment.status, **extra},
    )


@transaction.atomic
def adjustment_review(*, actor: User, adjustment: Adjustment, note: str = "") -> Adjustment:
    """Record the review of a proposal (the reviewer's opinion goes with it to the approver)."""
    adjustment = _lock(adjustment)
    before = adjustment.status
    _move(adjustment, S.REVIEWED)
    adjustment.reviewed_by, adjustment.reviewed_at, adjustment.review_note = actor, timezone.now(), note.strip()
    adjustment.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    _record(adjustment, "reviewed", actor, before, note=adjustment.review_note)
    return adjustment


@transaction.atomic
def adjustment_approve(
    *, actor: User, adjustment: Adjustment, note: str = "", effective_date: datetime.date | None = None
) -> Adjustment:
    """Approve a reviewed adjustment; due today (or moved to today), it is applied at once.

    The approver may move the effective date (to today or later); an adjustment whose date
    passed while it waited cannot be approved for that date.
    """
    adjustment = _lock(adjustment)
    before = adjustment.status
    _move(adjustment, *ACTIONS["approve"])
    today = _today()
    if effective_date is not None:
        adjustment.effective_date = effective_date
    check_effective_date(adjustment.effective_date, today=today)
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = actor, timezone.now(), note.strip()
    adjustment.save(update_fields=["status", "effective_date", "decided_by", "decided_at", "decision_note"])
    _record(adjustment, "approved", actor, before, effective_date=adjustment.effective_date)
    if adjustment.effective_date <= today:
        adjustment_apply(adjustment=adjustment, today=today)
    adjustment.refresh_from_db()
    return adjustment


@transaction.atomic
def adjustment_reject(*, actor: User, adjustment: Adjustment, note: str) -> Adjustment:
    """Reject a proposal, with the reason the proposer will read."""
    if not (note or "").strip():
        raise RuleViolation(_("Say why the adjustment is rejected."), rule="adjustment_reject_reason")
    adjustment = _lock(adjustment)
    before = adjustment.status
    _move(adjustment, S.REJECTED)
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = actor, timezone.now(), note.strip()
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(adjustment, "rejected", actor, before, note=adjustment.decision_note)
    return adjustment


@transaction.atomic
def adjustment_withdraw(*, actor: User, adjustment: Adjustment, note: str = "") -> Adjustment:
    """Withdraw an adjustment that is not in effect yet (it frees its item for another)."""
    adjustment = _lock(adjustment)
    before = adjustment.status
    _move(adjustment, S.WITHDRAWN)
    adjustment.decision_note = note.strip() or adjustment.decision_note
    adjustment.save(update_fields=["status", "decision_note"])
    _record(adjustment, "withdrawn", actor, before, note=note.strip())
    return adjustment


@transaction.atomic
def adjustment_retry(*, actor: User, adjustment: Adjustment, effective_date: datetime.date | None = None) -> Adjustment:
    """Approve again an adjustment that could not be applied (after the obstacle is gone)."""
    adjustment = _lock(adjustment)
    before = adjustment.status
    _move(adjustment, *ACTIONS["retry"])
    today = _today()
    adjustment.effective_date = effective_date or max(adjustment.effective_date, today)
    check_effective_date(adjustment.effective_date, today=today)
    adjustment.decided_by, adjustment.decided_at = actor, timezone.now()
    adjustment.save(update_fields=["status", "effective_date", "decided_by", "decided_at"])
    _record(adjustment, "retried", actor, before, effective_date=adjustment.effective_date)
    if adjustment.effective_date <= today:
        adjustment_apply(adjustment=adjustment, today=today)
    adjustment.refresh_from_db()
    return adjustment


# --- applying --------------------------------------------------------------------------------
def _carry_out(adjustment: Adjustment) -> None:
    actor = adjustment.decided_by
    townships = list(adjustment.townships.order_by("sort_order", "pk"))
    day = adjustment.effective_date
    common = {"actor": actor, "adjustment": adjustment, "reason": adjustment.reason}
    if adjustment.kind == AdjustmentKind.ADD:
        data = dict(adjustment.proposed_data.get("item", {}))
        department = data.pop("department", None)
        data["department"] = Unit.objects.get(pk=department) if department else None
        item = item_create(data=data, effective_from=day, townships=townships, **common)
        adjustment.item = item
        adjustment.save(update_fields=["item"])
    elif adjustment.kind == AdjustmentKind.CHANGE:
        by_code = {t.code: t for t in townships}
        item_change(
            item=adjustment.item,
            changes=adjustment.proposed_data.get("changes", {}),
            effective_from=day,
            add_townships=[by_code[c] for c in adjustment.proposed_data.get("add_townships", [])],
            remove_townships=[by_code[c] for c in adjustment.proposed_data.get("remove_townships", [])],
            **common,
        )
    elif adjustment.kind == AdjustmentKind.RECALL:
        item_recall(item=adjustment.item, effective_date=day, townships=townships, **common)
    elif adjustment.kind == AdjustmentKind.REDELEGATE:
        item_redelegate(item=adjustment.item, effective_date=day, townships=townships, **common)


def adjustment_apply(*, adjustment: Adjustment | int, today: datetime.date | None = None) -> bool:
    """Carry out an approved adjustment whose date has come. True when this call applied it.

    Compare-and-set: the UPDATE that moves the status from approved to applied is the claim.
    A second caller blocks on the row until the first commits, then finds the status changed
    and does nothing; if the change fails, the claim rolls back with it.
    """
    pk = getattr(adjustment, "pk", adjustment)
    today = today or _today()
    try:
        with transaction.atomic():
            claimed = Adjustment.objects.filter(pk=pk, status=S.APPROVED, effective_date__lte=today).update(
                status=S.APPLIED, applied_at=timezone.now(), failure=""
            )
            if not claimed:
                return False
            adjustment = Adjustment.objects.select_related("item", "decided_by").get(pk=pk)
            _carry_out(adjustment)
            audit_record(
                action="powers.adjustment.applied",
                obj=adjustment,
                actor=None,
                before={"status": S.APPROVED},
                after={"status": S.APPLIED, "item": adjustment.item_id, "effective_date": adjustment.effective_date},
            )
    except RuleViolation as exc:
        message = " ".join(exc.messages)
        log.warning("adjustment %s could not be applied: %s", pk, message)
        with transaction.atomic():
            failed = Adjustment.objects.filter(pk=pk, status=S.APPROVED).update(status=S.FAILED, failure=message)
            if failed:
                audit_record(
                    action="powers.adjustment.failed",
                    obj=Adjustment.objects.get(pk=pk),
                    actor=None,
                    before={"status": S.APPROVED},
                    after={"status": S.FAILED, "failure": message},
                )
        return False
    return True


def apply_due_adjustments(*, today: datetime.date | None = None) -> int:
    """Apply every approved adjustment whose effective date has come (the beat task).

    Each adjustment is its own transaction, so one that fails does not hold back the others.
    Running it twice, or in two workers at once, applies each adjustment once.
    """
    today = today or _today()
    due = (
        Adjustment.objects.filter(status=S.APPROVED, effective_date__lte=today)
        .order_by("effective_date", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in list(due) if adjustment_apply(adjustment=pk, today=today))
