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
import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import require, require_model
from pengjiang_enforcement.workdays import today as local_today
from pengjiang_enforcement.workflow import Transition, TransitionTable, transition

from .choices import AdjustmentKind, AdjustmentStatus, ItemStatus
from .models import Adjustment, AdjustmentOpinion, CatalogueImport, Evaluation, PowerItem
from .models.procedure import OPEN_ADJUSTMENT_STATUSES
from .rules import (
    adjustment_approval_document,
    adjustment_document_file,
    adjustment_four_eyes,
    adjustment_opinion_by_liaison,
    adjustment_opinion_open,
    catalogue_effective_date,
)
from .services import (
    CHANGEABLE_FIELDS,
    _clean_item,
    _set_content,
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
# The one table of allowed moves. The decisions an admin takes (review, approve, reject, withdraw,
# retry) are its transitions with the "change" permission; applying and failing are the portal's
# own. Approving needs a review (and records the decision note); retrying is for an adjustment
# that failed to apply.
ADJUSTMENTS = TransitionTable(
    model="powers.Adjustment",
    subject=gettext_lazy("adjustment"),
    states=S,
    state_field="status",
    audit_prefix="powers.adjustment.",
    rule="adjustment_transition",
    refusal=gettext_lazy("An adjustment that is “%(status)s” cannot become “%(target)s”."),
    transitions=[
        Transition("propose", (), S.PROPOSED, gettext_lazy("Propose"), "proposed", "add"),
        Transition("review", (S.PROPOSED,), S.REVIEWED, gettext_lazy("Record the review"), "reviewed"),
        Transition("approve", (S.REVIEWED,), S.APPROVED, gettext_lazy("Approve"), "approved"),
        Transition("reject", (S.PROPOSED, S.REVIEWED), S.REJECTED, gettext_lazy("Reject"), "rejected"),
        Transition(
            "withdraw",
            (S.PROPOSED, S.REVIEWED, S.APPROVED, S.FAILED),
            S.WITHDRAWN,
            gettext_lazy("Withdraw"),
            "withdrawn",
        ),
        Transition("retry", (S.FAILED,), S.APPROVED, gettext_lazy("Approve again"), "retried"),
        Transition("apply", (S.APPROVED,), S.APPLIED, gettext_lazy("Apply"), "applied", None),
        Transition("fail", (S.APPROVED,), S.FAILED, gettext_lazy("Mark as not applicable"), "failed", None),
    ],
)
# The decisions offered as buttons, in the order they are shown.
DECISIONS = ("review", "approve", "reject", "withdraw", "retry")
# The decisions the proposer may not take on their own proposal (rejecting and withdrawing stop
# a change; they need no second pair of eyes).
FOUR_EYES = frozenset({"review", "approve", "retry"})


def decisions_open(adjustment: Adjustment) -> list[str]:
    """The decisions an admin may take on ``adjustment`` now."""
    possible = {t.name for t in ADJUSTMENTS.available(adjustment.status)}
    return [name for name in DECISIONS if name in possible]


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

    def code_unique() -> None:
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

    check_all(("code", code_unique), (None, lambda: _clean_item(probe)))
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
    require_model(actor, "add", Adjustment)
    ADJUSTMENTS.check("propose", None)
    # What a form states is checked as a whole, so the form shows every refusal at once.
    checked: dict[str, Any] = {}
    checks: list[tuple[str | None, Callable[[], object]]] = [
        ("reason", lambda: checked.update(reason=_require_reason(reason))),
        ("effective_date", lambda: catalogue_effective_date(effective_date, today=local_today())),
    ]
    if kind == AdjustmentKind.ADD:
        checks.append((None, lambda: checked.update(add=_check_add(data or {}, effective_date))))
    check_all(*checks)
    reason = checked["reason"]
    if kind not in AdjustmentKind.values:
        raise RuleViolation(_("Unknown kind of adjustment."), rule="adjustment_kind")
    proposed: dict[str, Any] = {}
    targets: list[Unit] = []
    if kind == AdjustmentKind.ADD:
        values, probe = checked["add"]
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
            proposed = {
                **_check_change(item, data or {}, add, remove),
                "add_townships": [t.code for t in add],
                "remove_townships": [t.code for t in remove],
            }
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
    ADJUSTMENTS.record(
        adjustment,
        "proposed",
        actor=actor,
        to_state=adjustment.status,
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
def _decide(
    adjustment: Adjustment,
    name: str,
    *,
    actor: User,
    changes: dict[str, Any],
    audit: dict[str, Any] | None = None,
    check: Any = None,
    document: File | None = None,
) -> Adjustment:
    """Lock the adjustment, check the actor may decide and the table allows ``name``, then move it.

    ``check`` runs on the locked row after the table (a date that must not have passed). A
    ``document`` is stored once every check passed, and recorded with the step.
    """
    adjustment = _lock(adjustment)
    require(actor, "change", adjustment)
    ADJUSTMENTS.check(name, adjustment.status)
    if name in FOUR_EYES:
        adjustment_four_eyes(adjustment, actor)
    if check is not None:
        check(adjustment)
    if document is not None:
        stored, original, sha = _store_document(document)
        changes = {
            **changes,
            "approval_document": stored,
            "approval_document_name": original,
            "approval_document_sha256": sha,
        }
    transition(adjustment, name, table=ADJUSTMENTS, actor=actor, changes=changes, audit=audit)
    return adjustment


@transaction.atomic
def adjustment_review(*, actor: User, adjustment: Adjustment, note: str = "") -> Adjustment:
    """Record the review of a proposal (the reviewer's opinion goes with it to the approver)."""
    note = note.strip()
    changes = {"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": note}
    return _decide(adjustment, "review", actor=actor, changes=changes, audit={"note": note})


def _apply_if_due(adjustment: Adjustment, today: datetime.date) -> Adjustment:
    if adjustment.effective_date <= today:
        adjustment_apply(adjustment=adjustment, today=today)
    adjustment.refresh_from_db()
    return adjustment


def _store_document(document: File) -> tuple[str, str, str]:
    """Keep the approving document in the file storage; (stored name, original name, SHA-256)."""
    adjustment_document_file(document)
    digest = hashlib.sha256()
    document.seek(0)
    for chunk in document.chunks():
        digest.update(chunk)
    document.seek(0)
    original = os.path.basename(document.name or "")[:255]
    folder = timezone.localdate().strftime("adjustment-documents/%Y/%m/")
    stored = default_storage.save(folder + digest.hexdigest()[:16] + os.path.splitext(original)[1].lower(), document)
    return stored, original, digest.hexdigest()


@transaction.atomic
def adjustment_approve(
    *,
    actor: User,
    adjustment: Adjustment,
    note: str = "",
    effective_date: datetime.date | None = None,
    document_number: str = "",
    document: File | None = None,
) -> Adjustment:
    """Approve a reviewed adjustment; due today (or moved to today), it is applied at once.

    The approval records the approving document (its number and the file). The approver may
    move the effective date (to today or later); an adjustment whose date passed while it
    waited cannot be approved for that date.
    """
    today = local_today()

    def checks(locked: Adjustment) -> None:
        catalogue_effective_date(effective_date or locked.effective_date, today=today)
        adjustment_approval_document(locked, document_number, document)

    changes: dict[str, Any] = {"decided_by": actor, "decided_at": timezone.now(), "decision_note": note.strip()}
    if effective_date is not None:
        changes["effective_date"] = effective_date
    if document_number.strip():
        changes["approval_number"] = document_number.strip()[:100]
    adjustment = _decide(adjustment, "approve", actor=actor, changes=changes, check=checks, document=document)
    return _apply_if_due(adjustment, today)


@transaction.atomic
def adjustment_reject(*, actor: User, adjustment: Adjustment, note: str) -> Adjustment:
    """Reject a proposal, with the reason the proposer will read."""
    if not (note or "").strip():
        raise RuleViolation(_("Say why the adjustment is rejected."), rule="adjustment_reject_reason")
    changes = {"decided_by": actor, "decided_at": timezone.now(), "decision_note": note.strip()}
    return _decide(adjustment, "reject", actor=actor, changes=changes, audit={"note": note.strip()})


@transaction.atomic
def adjustment_withdraw(*, actor: User, adjustment: Adjustment, note: str = "") -> Adjustment:
    """Withdraw an adjustment that is not in effect yet (it frees its item for another)."""
    changes = {"decision_note": note.strip()} if note.strip() else {}
    return _decide(adjustment, "withdraw", actor=actor, changes=changes, audit={"note": note.strip()})


@transaction.atomic
def adjustment_retry(*, actor: User, adjustment: Adjustment, effective_date: datetime.date | None = None) -> Adjustment:
    """Approve again an adjustment that could not be applied (after the obstacle is gone)."""
    today = local_today()
    locked = _lock(adjustment)
    day = effective_date or max(locked.effective_date, today)

    def date_not_past(_locked: Adjustment) -> None:
        catalogue_effective_date(day, today=today)

    changes = {"effective_date": day, "decided_by": actor, "decided_at": timezone.now()}
    adjustment = _decide(locked, "retry", actor=actor, changes=changes, check=date_not_past)
    return _apply_if_due(adjustment, today)


def adjustment_document_open(*, adjustment: Adjustment, actor: User) -> Any:
    """Open the approving document of an adjustment for ``actor`` (who may see the adjustment),
    auditing the download as every download of an official file is. Raises FileNotFoundError
    when there is none or the storage lost it."""
    require(actor, "view", adjustment)
    if not adjustment.approval_document:
        raise FileNotFoundError(adjustment.pk)
    handle = adjustment.approval_document.open("rb")
    audit_record(
        action="powers.adjustment.document_downloaded",
        obj=adjustment,
        actor=actor,
        after={"name": adjustment.approval_document_name, "sha256": adjustment.approval_document_sha256},
    )
    return handle


# --- the delegating department's opinion ----------------------------------------------------
def adjustment_department_id(adjustment: Adjustment) -> int | None:
    """The department that delegated the item (for an addition: the one the proposal names)."""
    if adjustment.item_id is not None:
        assert adjustment.item is not None
        return adjustment.item.department_id
    department = adjustment.proposed_data.get("item", {}).get("department")
    return int(department) if department else None


@transaction.atomic
def adjustment_opinion_give(*, actor: User, adjustment: Adjustment, opinion: str) -> AdjustmentOpinion:
    """Record the opinion of the department that delegated the item, given by its liaison before
    the adjustment is decided (the reviewer and the approver read it on the adjustment's page)."""
    require_model(actor, "add", AdjustmentOpinion)
    adjustment = Adjustment.objects.select_for_update(of=("self",)).select_related("item").get(pk=adjustment.pk)
    require(actor, "view", adjustment)
    department_id = adjustment_department_id(adjustment)
    adjustment_opinion_by_liaison(actor, department_id)
    assert department_id is not None, "the rule refuses an adjustment without a department"
    adjustment_opinion_open(adjustment)
    text = (opinion or "").strip()
    if not text:
        raise RuleViolation(_("Write the department's opinion."), rule="adjustment_opinion_text")
    row = AdjustmentOpinion.objects.create(
        adjustment=adjustment, department_id=department_id, opinion=text, given_by=actor
    )
    ADJUSTMENTS.record(adjustment, "opinion", actor=actor, after={"department": department_id, "opinion": text})
    return row


# --- applying --------------------------------------------------------------------------------
def _carry_out(adjustment: Adjustment) -> None:
    actor, reason = adjustment.decided_by, adjustment.reason
    townships = list(adjustment.townships.order_by("sort_order", "pk"))
    day = adjustment.effective_date
    if adjustment.kind == AdjustmentKind.ADD:
        data = dict(adjustment.proposed_data.get("item", {}))
        department = data.pop("department", None)
        data["department"] = Unit.objects.get(pk=department) if department else None
        adjustment.item = item_create(data=data, effective_from=day, townships=townships, actor=actor,
                                      adjustment=adjustment, reason=reason)  # fmt: skip
        adjustment.save(update_fields=["item"])
        return
    item = adjustment.item
    assert item is not None, "every adjustment but an addition names its item (a database constraint)"
    if adjustment.kind == AdjustmentKind.CHANGE:
        by_code = {t.code: t for t in townships}
        item_change(
            item=item,
            changes=adjustment.proposed_data.get("changes", {}),
            effective_from=day,
            add_townships=[by_code[c] for c in adjustment.proposed_data.get("add_townships", [])],
            remove_townships=[by_code[c] for c in adjustment.proposed_data.get("remove_townships", [])],
            actor=actor,
            adjustment=adjustment,
            reason=reason,
        )
    elif adjustment.kind == AdjustmentKind.RECALL:
        item_recall(item=item, effective_date=day, townships=townships, actor=actor, adjustment=adjustment,
                    reason=reason)  # fmt: skip
    elif adjustment.kind == AdjustmentKind.REDELEGATE:
        item_redelegate(item=item, effective_date=day, townships=townships, actor=actor, adjustment=adjustment,
                        reason=reason)  # fmt: skip


def adjustment_apply(*, adjustment: Adjustment | int, today: datetime.date | None = None) -> bool:
    """Carry out an approved adjustment whose date has come. True when this call applied it.

    The row lock on an approved adjustment is the claim: a second caller blocks on the row until
    the first commits, then finds the status changed and does nothing; if the change fails, the
    claim rolls back with it and the adjustment is marked failed with the reason.
    """
    pk = getattr(adjustment, "pk", adjustment)
    today = local_today(today)
    try:
        with transaction.atomic():
            locked = (
                Adjustment.objects.select_for_update(of=("self",))
                .select_related("item", "decided_by")
                .filter(pk=pk, status=S.APPROVED, effective_date__lte=today)
                .first()
            )
            if locked is None:
                return False
            _carry_out(locked)
            transition(locked, "apply", table=ADJUSTMENTS, actor=None,
                       changes={"applied_at": timezone.now(), "failure": ""},
                       audit={"item": locked.item_id, "effective_date": locked.effective_date})  # fmt: skip
    except RuleViolation as exc:
        message = " ".join(exc.messages)
        log.warning("adjustment %s could not be applied: %s", pk, message)
        with transaction.atomic():
            locked = Adjustment.objects.select_for_update().filter(pk=pk, status=S.APPROVED).first()
            if locked is not None:
                transition(locked, "fail", table=ADJUSTMENTS, actor=None, changes={"failure": message})
        return False
    return True


def apply_due_adjustments(*, today: datetime.date | None = None) -> int:
    """Apply every approved adjustment whose effective date has come (the beat task).

    Each adjustment is its own transaction, so one that fails does not hold back the others.
    Running it twice, or in two workers at once, applies each adjustment once.
    """
    today = local_today(today)
    due = (
        Adjustment.objects.filter(status=S.APPROVED, effective_date__lte=today)
        .order_by("effective_date", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in list(due) if adjustment_apply(adjustment=pk, today=today))
