"""The catalogue's own checks on an item's content and on whom it is delegated to."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pengjiang_enforcement.exceptions import RuleViolation
from powers.adjustments import adjustment_propose
from powers.choices import AdjustmentKind
from powers.models import Adjustment, Delegation, PowerItem
from tests.factories import unit

from .factories import make_item

pytestmark = pytest.mark.django_db


def test_catalogue_number():
    """An amount that is not a number is refused, naming the field, not stored as nonsense."""
    with pytest.raises(RuleViolation) as exc:
        make_item(fine_max="五百元")
    assert exc.value.rule == "catalogue_number"
    assert not PowerItem.objects.exists()


def test_catalogue_penalty_type():
    with pytest.raises(RuleViolation) as exc:
        make_item(penalty_types=["warning", "public_shaming"])
    assert exc.value.rule == "catalogue_penalty_type"
    assert "public_shaming" in exc.value.messages[0]
    assert not PowerItem.objects.exists()


def test_catalogue_delegation_township(district_admin):
    """Powers go to townships and streets, never to a department (by creation or by adjustment)."""
    with pytest.raises(RuleViolation) as exc:
        make_item(townships=["duruan", "dept-urban"])
    assert exc.value.rule == "catalogue_delegation_township"
    assert not Delegation.objects.exists()
    with pytest.raises(RuleViolation) as exc:
        adjustment_propose(
            actor=district_admin,
            kind=AdjustmentKind.ADD,
            data={
                "code": "440703099002",
                "name": "对擅自在街道两侧设置大型户外广告的行政处罚",
                "kind": "penalty",
                "department": unit("dept-urban"),
                "penalty_types": ["fine"],
                "fine_max": "1000",
            },
            townships=[unit("dept-urban")],
            reason="新增",
            effective_date=timezone.localdate(),
        )
    assert exc.value.rule == "catalogue_delegation_township"
    assert not Adjustment.objects.exists()
