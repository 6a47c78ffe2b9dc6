"""The adjustment procedure: propose → review → approve, applied on the effective date."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import AuditLog
from powers.adjustments import (
    ADJUSTMENTS,
    adjustment_apply,
    adjustment_approve,
    adjustment_propose,
    adjustment_reject,
    adjustment_retry,
    adjustment_review,
    adjustment_withdraw,
    apply_due_adjustments,
    decisions_open,
)
from powers.choices import AdjustmentKind, AdjustmentStatus, ItemStatus, TownshipCoverage
from powers.models import Adjustment, PowerItem, PowerItemVersion
from powers.selectors import delegated_items, is_delegated, version_on
from tests.factories import unit

from .factories import approval_document, make_item, second_admin

pytestmark = pytest.mark.django_db
D = dt.date
K = AdjustmentKind
S = AdjustmentStatus


@pytest.fixture
def today():
    return timezone.localdate()


def approve(adjustment, actor=None, **kwargs):
    """Review and approve as a second admin (the proposer may do neither)."""
    actor = actor or second_admin()
    adjustment_review(actor=actor, adjustment=adjustment, note="合法")
    return adjustment_approve(actor=actor, adjustment=adjustment, **{**approval_document(), **kwargs})


def new_item_data(**extra):
    return {
        "code": "440703099001",
        "name": "对在公共场所上空新建架空管线设施不符合城市容貌标准的行政处罚",
        "kind": "penalty",
        "department": unit("dept-urban"),
        "field": "市容环境卫生",
        "penalty_types": ["fine"],
        "fine_min": "500",
        "fine_max": "5000",
        "coverage": TownshipCoverage.ALL,
        **extra,
    }


def test_adjustment_changes_nothing_before_its_date_and_everything_after(district_admin, today):
    item = make_item(townships=["duruan", "baisha"], fine_max="500")
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=K.CHANGE,
        item=item,
        data={"fine_max": "2000"},
        reason="法规修订",
        effective_date=today + dt.timedelta(days=10),
    )
    approve(adjustment)
    adjustment.refresh_from_db()
    assert adjustment.status == S.APPROVED
    assert apply_due_adjustments(today=today + dt.timedelta(days=9)) == 0
    item.refresh_from_db()
    assert item.fine_max == 500 and item.version == 1

    assert apply_due_adjustments(today=today + dt.timedelta(days=10)) == 1
    item.refresh_from_db()
    adjustment.refresh_from_db()
    assert item.fine_max == 2000 and item.version == 2
    assert adjustment.status == S.APPLIED and adjustment.applied_at is not None
    version = PowerItemVersion.objects.get(item=item, version=2)
    assert version.valid_from == today + dt.timedelta(days=10)
    assert version.adjustment == adjustment
    assert version_on(item, today).version == 1


def test_recall_by_adjustment_and_the_delegation_selector_around_its_date(district_admin, today):
    item = make_item(townships=["duruan", "baisha"])
    date = today + dt.timedelta(days=30)
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=K.RECALL,
        item=item,
        townships=[unit("duruan")],
        reason="专业性强，镇街难以承接",
        effective_date=date,
    )
    approve(adjustment)
    apply_due_adjustments(today=date)
    duruan, baisha = unit("duruan"), unit("baisha")
    assert is_delegated(item, duruan, date - dt.timedelta(days=1))
    assert not is_delegated(item, duruan, date)
    assert not is_delegated(item, duruan, date + dt.timedelta(days=365))
    assert is_delegated(item, baisha, date)
    # a recalled item can no longer be chosen for new cases after its end date
    assert item in delegated_items(duruan, date - dt.timedelta(days=1))
    assert item not in delegated_items(duruan, date)


def test_recall_from_every_township_takes_the_item_out_of_force_on_its_date(district_admin, today):
    item = make_item(townships=["duruan", "baisha"])
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.RECALL, item=item, reason="按程序收回", effective_date=today
    )
    assert set(adjustment.townships.values_list("code", flat=True)) == {"duruan", "baisha"}
    approve(adjustment)  # due today: applied at once
    item.refresh_from_db()
    assert item.status == ItemStatus.RECALLED
    assert item.effective_to == today - dt.timedelta(days=1)
    assert not is_delegated(item, unit("baisha"), today)


def test_add_adjustment_creates_the_item_on_its_date(district_admin, today):
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.ADD, data=new_item_data(), reason="新增下放", effective_date=today
    )
    assert adjustment.item is None
    assert not PowerItem.objects.filter(code="440703099001").exists()
    approve(adjustment)
    adjustment.refresh_from_db()
    item = adjustment.item
    assert item.code == "440703099001" and item.effective_from == today
    assert item.delegations.count() == 6
    assert item.versions.get().adjustment == adjustment


def test_redelegate_returns_a_recalled_item(district_admin, today):
    item = make_item(townships=["duruan"], effective_from=D(2024, 1, 1))
    approve(adjustment_propose(actor=district_admin, kind=K.RECALL, item=item, reason="收回", effective_date=today))
    later = today + dt.timedelta(days=5)
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=K.REDELEGATE,
        item=item,
        townships=[unit("duruan"), unit("hetang")],
        reason="重新下放",
        effective_date=later,
    )
    approve(adjustment)
    apply_due_adjustments(today=later)
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_FORCE and item.effective_to is None
    assert not is_delegated(item, unit("duruan"), today)
    assert is_delegated(item, unit("hetang"), later)
    assert item.coverage == TownshipCoverage.LISTED


def test_change_with_townships_in_one_version(district_admin, today):
    item = make_item(townships=["duruan", "baisha"], fine_max="500")
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=K.CHANGE,
        item=item,
        data={"fine_max": "800"},
        add_townships=[unit("hetang")],
        remove_townships=[unit("baisha")],
        reason="调整",
        effective_date=today,
    )
    approve(adjustment)
    item.refresh_from_db()
    assert item.version == 2
    assert {d.township.code for d in item.delegations.filter(valid_to__isnull=True)} == {"duruan", "hetang"}
    assert item.versions.get(version=2).data["townships"] == ["duruan", "hetang"]


def test_applying_twice_does_no_harm(district_admin, today):
    item = make_item(townships=["duruan"])
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=K.CHANGE,
        item=item,
        data={"notes": "新备注"},
        reason="补充",
        effective_date=today + dt.timedelta(days=1),
    )
    approve(adjustment)
    day = today + dt.timedelta(days=1)
    assert adjustment_apply(adjustment=adjustment, today=day) is True
    assert adjustment_apply(adjustment=adjustment, today=day) is False
    assert apply_due_adjustments(today=day) == 0
    item.refresh_from_db()
    assert item.version == 2
    assert AuditLog.objects.filter(action="powers.adjustment.applied", object_id=str(adjustment.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_apply_the_adjustment_once(transactional_reference_data, district_admin):
    today = timezone.localdate()
    item = make_item(townships=["duruan"])
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=K.CHANGE,
        item=item,
        data={"notes": "并发"},
        reason="并发",
        effective_date=today + dt.timedelta(days=1),
    )
    approve(adjustment)
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(adjustment_apply(adjustment=adjustment.pk, today=today + dt.timedelta(days=1)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert PowerItem.objects.get(pk=item.pk).version == 2
    connection.close()


def test_effective_date_in_the_past_is_refused(district_admin, today):
    item = make_item()
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=K.RECALL,
            item=item,
            reason="收回",
            effective_date=today - dt.timedelta(days=1),
        )
    assert exc.value.rule == "catalogue_effective_date"
    assert not Adjustment.objects.exists()


def test_one_open_adjustment_per_item(district_admin, today):
    item = make_item()
    adjustment_propose(actor=district_admin, kind=K.RECALL, item=item, reason="收回", effective_date=today)
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin, kind=K.CHANGE, item=item, data={"notes": "x"}, reason="改", effective_date=today
        )
    assert exc.value.rule == "adjustment_one_open_per_item"


def test_adjustment_needs_a_reason(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(actor=district_admin, kind=K.RECALL, item=make_item(), reason=" ", effective_date=today)
    assert exc.value.rule == "adjustment_reason_required"


def test_proposal_that_changes_nothing_is_refused(district_admin, today):
    item = make_item(fine_max="500")
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=K.CHANGE,
            item=item,
            data={"fine_max": "500.00"},
            reason="无",
            effective_date=today,
        )
    assert exc.value.rule == "adjustment_no_change"


def test_add_with_an_existing_code_is_refused(district_admin, today):
    existing = make_item()
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=K.ADD,
            data=new_item_data(code=existing.code),
            reason="新增",
            effective_date=today,
        )
    assert exc.value.rule == "catalogue_code_unique"


def test_add_with_a_code_already_proposed_is_refused(district_admin, today):
    adjustment_propose(actor=district_admin, kind=K.ADD, data=new_item_data(), reason="新增", effective_date=today)
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(actor=district_admin, kind=K.ADD, data=new_item_data(), reason="再增", effective_date=today)
    assert exc.value.rule == "catalogue_code_unique"


def test_add_with_fine_minimum_above_maximum_is_refused(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=K.ADD,
            data=new_item_data(fine_min="9000", fine_max="100"),
            reason="新增",
            effective_date=today,
        )
    assert exc.value.rule == "catalogue_fine_range"


def test_recall_from_a_township_that_does_not_hold_the_item_is_refused(district_admin, today):
    item = make_item(townships=["duruan"])
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=K.RECALL,
            item=item,
            townships=[unit("baisha")],
            reason="收回",
            effective_date=today,
        )
    assert exc.value.rule == "adjustment_recall_not_held"


def test_redelegate_to_a_township_that_holds_the_item_is_refused(district_admin, today):
    item = make_item(townships=["duruan"])
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=K.REDELEGATE,
            item=item,
            townships=[unit("duruan")],
            reason="下放",
            effective_date=today,
        )
    assert exc.value.rule == "catalogue_delegation_overlap"


def test_adjustment_transitions_follow_the_table(district_admin, today):
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.RECALL, item=make_item(), reason="收回", effective_date=today
    )
    with pytest.raises(RuleViolation) as exc:
        adjustment_approve(actor=district_admin, adjustment=adjustment)  # not reviewed yet
    assert exc.value.rule == "adjustment_transition"
    adjustment_review(actor=second_admin(), adjustment=adjustment)
    with pytest.raises(RuleViolation):
        adjustment_review(actor=second_admin(), adjustment=adjustment)
    assert {t.target for t in ADJUSTMENTS.available(S.PROPOSED) if t.permission} == {
        S.REVIEWED,
        S.REJECTED,
        S.WITHDRAWN,
    }


def test_reject_needs_a_reason_and_frees_the_item(district_admin, today):
    item = make_item()
    adjustment = adjustment_propose(actor=district_admin, kind=K.RECALL, item=item, reason="收回", effective_date=today)
    with pytest.raises(RuleViolation) as exc:
        adjustment_reject(actor=district_admin, adjustment=adjustment, note="")
    assert exc.value.rule == "adjustment_reject_reason"
    adjustment_reject(actor=district_admin, adjustment=adjustment, note="依据不足")
    adjustment_propose(actor=district_admin, kind=K.RECALL, item=item, reason="再次提出", effective_date=today)


def test_withdrawn_adjustment_is_never_applied(district_admin, today):
    item = make_item()
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.RECALL, item=item, reason="收回", effective_date=today + dt.timedelta(days=3)
    )
    approve(adjustment)
    adjustment_withdraw(actor=district_admin, adjustment=adjustment, note="情况变化")
    assert apply_due_adjustments(today=today + dt.timedelta(days=3)) == 0
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_FORCE


def test_approval_may_move_the_date_but_not_into_the_past(district_admin, today):
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.RECALL, item=make_item(), reason="收回", effective_date=today
    )
    adjustment_review(actor=second_admin(), adjustment=adjustment)
    with pytest.raises(RuleViolation) as exc:
        adjustment_approve(
            actor=second_admin(),
            adjustment=adjustment,
            effective_date=today - dt.timedelta(days=1),
            **approval_document(),
        )
    assert exc.value.rule == "catalogue_effective_date"
    later = today + dt.timedelta(days=7)
    adjustment = adjustment_approve(
        actor=second_admin(), adjustment=adjustment, effective_date=later, **approval_document()
    )
    assert adjustment.status == S.APPROVED and adjustment.effective_date == later


def test_adjustment_that_cannot_be_applied_fails_with_its_reason_and_can_be_retried(district_admin, today):
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.ADD, data=new_item_data(), reason="新增", effective_date=today + dt.timedelta(1)
    )
    approve(adjustment)
    # meanwhile the same code entered the catalogue another way
    blocker = make_item(code="440703099001")
    assert adjustment_apply(adjustment=adjustment, today=today + dt.timedelta(days=1)) is False
    adjustment.refresh_from_db()
    assert adjustment.status == S.FAILED
    assert "440703099001" in adjustment.failure
    assert AuditLog.objects.filter(action="powers.adjustment.failed", object_id=str(adjustment.pk)).exists()
    PowerItem.objects.filter(pk=blocker.pk).update(code="440703099002")
    adjustment = adjustment_retry(actor=second_admin(), adjustment=adjustment)
    assert adjustment.status == S.APPROVED  # its date is tomorrow
    assert apply_due_adjustments(today=today + dt.timedelta(days=1)) == 1


def test_every_step_is_in_the_audit_trail(district_admin, today):
    item = make_item()
    adjustment = adjustment_propose(actor=district_admin, kind=K.RECALL, item=item, reason="收回", effective_date=today)
    approve(adjustment)
    actions = set(AuditLog.objects.filter(object_id=str(adjustment.pk)).values_list("action", flat=True))
    assert {
        "powers.adjustment.proposed",
        "powers.adjustment.reviewed",
        "powers.adjustment.approved",
        "powers.adjustment.applied",
    } <= actions
    assert AuditLog.objects.filter(action="powers.item.recalled", object_id=str(item.pk), actor=second_admin()).exists()


def test_adjustment_fields_must_be_changeable(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=K.CHANGE,
            item=make_item(),
            data={"code": "440703000999"},
            reason="改编码",
            effective_date=today,
        )
    assert exc.value.rule == "adjustment_fields"


def test_adjustment_townships_a_new_item_goes_to_some_township(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin, kind=K.ADD, data=new_item_data(), townships=[], reason="新增", effective_date=today
        )
    assert exc.value.rule == "adjustment_townships"
    with pytest.raises(RuleViolation) as exc:
        make_item(townships=[])
    assert exc.value.rule == "adjustment_townships"


def test_adjustment_transition_retry_is_only_for_a_failed_adjustment(district_admin, today):
    """Retrying approves without a decision note: it must not stand in for the approval."""
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.RECALL, item=make_item(), reason="收回", effective_date=today + dt.timedelta(1)
    )
    adjustment_review(actor=second_admin(), adjustment=adjustment)
    with pytest.raises(RuleViolation) as exc:
        adjustment_retry(actor=district_admin, adjustment=adjustment)
    assert exc.value.rule == "adjustment_transition"
    adjustment.refresh_from_db()
    assert adjustment.status == S.REVIEWED
    assert decisions_open(adjustment) == ["approve", "reject", "withdraw"]


def test_adjustment_kind(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(actor=district_admin, kind="merge", item=make_item(), reason="合并", effective_date=today)
    assert exc.value.rule == "adjustment_kind"
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize("kind", [K.CHANGE, K.RECALL, K.REDELEGATE])
def test_adjustment_item_is_needed_except_to_add_one(district_admin, today, kind):
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=kind,
            data={"notes": "x"},
            townships=[unit("duruan")],
            reason="调整",
            effective_date=today,
        )
    assert exc.value.rule == "adjustment_item"
    assert not Adjustment.objects.exists()
