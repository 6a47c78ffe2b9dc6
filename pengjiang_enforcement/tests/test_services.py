"""The kernel's own rules on units and certificates, through its services."""

from __future__ import annotations

import datetime

import pytest

from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import EnforcementCertificate, Unit
from pengjiang_enforcement.services import certificate_add, unit_create, unit_update
from tests.factories import unit

pytestmark = pytest.mark.django_db


def test_unit_short_name_unique(district_admin):
    """Township short names prefix case numbers: a second township with 杜阮 would share them."""
    with pytest.raises(RuleViolation) as exc:
        unit_update(unit=unit("hetang"), actor=district_admin, short_name="杜阮")
    assert exc.value.rule == "unit_short_name_unique"
    assert Unit.objects.get(code="hetang").short_name == "荷塘"
    with pytest.raises(RuleViolation) as exc:
        unit_create(
            actor=district_admin,
            code="newtown",
            kind=UnitKind.TOWNSHIP,
            name="新设镇",
            short_name="白沙",
            parent=unit("pengjiang"),
            township_type="town",
        )
    assert exc.value.rule == "unit_short_name_unique"
    assert not Unit.objects.filter(code="newtown").exists()


def test_certificate_valid_range(district_admin, duruan_colleague):
    with pytest.raises(RuleViolation) as exc:
        certificate_add(
            actor=district_admin,
            user=duruan_colleague,
            number="44070377777",
            issuing_body="江门市人民政府",
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2025, 12, 31),
        )
    assert exc.value.rule == "certificate_valid_range"
    assert not EnforcementCertificate.objects.filter(number="44070377777").exists()
