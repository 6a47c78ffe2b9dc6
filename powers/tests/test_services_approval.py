"""The four eyes of an adjustment, the approving document, the delegating department's opinion
and the warning on a date far ahead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import AuditLog
from powers.adjustments import (
    adjustment_approve,
    adjustment_opinion_give,
    adjustment_propose,
    adjustment_retry,
    adjustment_review,
)
from powers.choices import AdjustmentKind, AdjustmentStatus
from powers.models import AdjustmentOpinion
from powers.rules import catalogue_effective_date_far_ahead
from tests.factories import unit

from .factories import PDF, approval_document, make_item

pytestmark = pytest.mark.django_db
K = AdjustmentKind
S = AdjustmentStatus


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def proposal(district_admin, today):
    item = make_item(townships=["duruan", "baisha"], department="dept-urban")
    return adjustment_propose(
        actor=district_admin, kind=K.RECALL, item=item, reason="收回", effective_date=today + dt.timedelta(days=5)
    )


def test_adjustment_four_eyes_the_proposer_neither_reviews_nor_approves(district_admin, reviewer, proposal):
    with pytest.raises(RuleViolation) as exc:
        adjustment_review(actor=district_admin, adjustment=proposal)
    assert exc.value.rule == "adjustment_four_eyes"
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED
    adjustment_review(actor=reviewer, adjustment=proposal)
    with pytest.raises(RuleViolation) as exc:
        adjustment_approve(actor=district_admin, adjustment=proposal, **approval_document())
    assert exc.value.rule == "adjustment_four_eyes"
    proposal.refresh_from_db()
    assert proposal.status == S.REVIEWED and proposal.decided_by is None
    adjustment_approve(actor=reviewer, adjustment=proposal, **approval_document())
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED and proposal.decided_by == reviewer


def test_adjustment_four_eyes_holds_for_a_retry(district_admin, reviewer, today):
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.RECALL, item=make_item(), reason="收回", effective_date=today + dt.timedelta(1)
    )
    adjustment_review(actor=reviewer, adjustment=adjustment)
    adjustment_approve(actor=reviewer, adjustment=adjustment, **approval_document())
    type(adjustment).objects.filter(pk=adjustment.pk).update(status=S.FAILED, failure="x")
    with pytest.raises(RuleViolation) as exc:
        adjustment_retry(actor=district_admin, adjustment=adjustment)
    assert exc.value.rule == "adjustment_four_eyes"


def test_adjustment_approval_document_number_and_file_are_required_and_recorded(reviewer, proposal):
    adjustment_review(actor=reviewer, adjustment=proposal)
    with pytest.raises(RuleViolation) as exc:
        adjustment_approve(actor=reviewer, adjustment=proposal, document=approval_document()["document"])
    assert exc.value.rule == "adjustment_approval_document"
    with pytest.raises(RuleViolation) as exc:
        adjustment_approve(actor=reviewer, adjustment=proposal, document_number="蓬府函〔2026〕9号")
    assert exc.value.rule == "adjustment_approval_document"
    proposal.refresh_from_db()
    assert proposal.status == S.REVIEWED
    adjustment_approve(actor=reviewer, adjustment=proposal, **approval_document(9, name="关于调整的批复.pdf"))
    proposal.refresh_from_db()
    assert proposal.approval_number == "蓬府函〔2026〕9号"
    assert proposal.approval_document_name == "关于调整的批复.pdf"
    assert len(proposal.approval_document_sha256) == 64
    with proposal.approval_document.open("rb") as stored:
        assert stored.read() == PDF
    approved = AuditLog.objects.get(action="powers.adjustment.approved", object_id=str(proposal.pk))
    assert approved.after["approval_number"] == "蓬府函〔2026〕9号"


@pytest.mark.parametrize(
    ("name", "content"),
    [("批复.pdf", b""), ("批复.exe", b"MZ\x90\x00"), ("批复.pdf", b"<html>not a pdf</html>")],
)
def test_adjustment_document_file_empty_or_of_another_type_is_refused(reviewer, proposal, name, content):
    adjustment_review(actor=reviewer, adjustment=proposal)
    with pytest.raises(RuleViolation) as exc:
        adjustment_approve(
            actor=reviewer,
            adjustment=proposal,
            document_number="蓬府函〔2026〕9号",
            document=SimpleUploadedFile(name, content),
        )
    assert exc.value.rule == "adjustment_document_file"
    proposal.refresh_from_db()
    assert proposal.status == S.REVIEWED and not proposal.approval_document


def test_the_delegating_departments_liaison_gives_an_opinion(department_liaison, proposal):
    opinion = adjustment_opinion_give(actor=department_liaison, adjustment=proposal, opinion="同意收回，由我局承接。")
    assert opinion.department == unit("dept-urban")
    assert AdjustmentOpinion.objects.filter(adjustment=proposal).count() == 1
    assert AuditLog.objects.filter(action="powers.adjustment.opinion", object_id=str(proposal.pk)).exists()


def test_adjustment_opinion_by_liaison_of_another_department_or_role_is_refused(
    district_admin, department_liaison, reviewer, today
):
    ecology = make_item(department="dept-ecology")
    other = adjustment_propose(actor=district_admin, kind=K.RECALL, item=ecology, reason="收回", effective_date=today)
    with pytest.raises(RuleViolation) as exc:
        adjustment_opinion_give(actor=department_liaison, adjustment=other, opinion="同意")
    assert exc.value.rule == "adjustment_opinion_by_liaison"
    with pytest.raises(PermissionDenied):  # an admin holds no permission to speak for a department
        adjustment_opinion_give(actor=reviewer, adjustment=other, opinion="同意")
    assert not AdjustmentOpinion.objects.exists()


def test_adjustment_opinion_by_liaison_on_a_new_item_of_its_department(department_liaison, district_admin, today):
    data = {
        "code": "440703888001",
        "name": "对占用消防通道的行政处罚",
        "kind": "penalty",
        "department": unit("dept-urban").pk,
        "penalty_types": ["fine"],
        "fine_min": "100",
        "fine_max": "500",
    }
    adjustment = adjustment_propose(
        actor=district_admin, kind=K.ADD, data=data, townships=[unit("duruan")], reason="新增", effective_date=today
    )
    adjustment_opinion_give(actor=department_liaison, adjustment=adjustment, opinion="建议下放。")
    assert adjustment.opinions.get().department == unit("dept-urban")


def test_adjustment_opinion_open_only_before_the_decision(department_liaison, reviewer, proposal):
    adjustment_review(actor=reviewer, adjustment=proposal)
    adjustment_opinion_give(actor=department_liaison, adjustment=proposal, opinion="同意")  # reviewed: still open
    adjustment_approve(actor=reviewer, adjustment=proposal, **approval_document())
    with pytest.raises(RuleViolation) as exc:
        adjustment_opinion_give(actor=department_liaison, adjustment=proposal, opinion="补充意见")
    assert exc.value.rule == "adjustment_opinion_open"
    assert proposal.opinions.count() == 1


def test_adjustment_opinion_text_is_required(department_liaison, proposal):
    with pytest.raises(RuleViolation) as exc:
        adjustment_opinion_give(actor=department_liaison, adjustment=proposal, opinion="   ")
    assert exc.value.rule == "adjustment_opinion_text"


def test_catalogue_effective_date_far_ahead_warns_but_does_not_refuse(district_admin, settings, today):
    settings.POWERS_FAR_AHEAD_DAYS = 365
    assert catalogue_effective_date_far_ahead(today + dt.timedelta(days=365), today=today) == ""
    far = today + dt.timedelta(days=366)
    assert far.isoformat() in catalogue_effective_date_far_ahead(far, today=today)
    adjustment = adjustment_propose(actor=district_admin, kind=K.RECALL, item=make_item(), reason="收回",
                                    effective_date=far)  # fmt: skip
    assert adjustment.status == S.PROPOSED
