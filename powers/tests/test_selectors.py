"""The delegation selector: is item X delegated to township T on date D?"""

from __future__ import annotations

import datetime as dt

import pytest

from pengjiang_enforcement.exceptions import RuleViolation
from powers.choices import ItemStatus, TownshipCoverage
from powers.models import PowerItemVersion
from powers.selectors import delegated_items, is_delegated, items_in_force, version_on
from powers.services import item_change, item_create, item_recall, item_redelegate
from tests.factories import unit

from .factories import make_item

pytestmark = pytest.mark.django_db
D = dt.date


def test_item_is_delegated_from_its_start_and_not_before():
    item = make_item(effective_from=D(2025, 1, 1), townships=["duruan"])
    assert not is_delegated(item, unit("duruan"), D(2024, 12, 31))
    assert is_delegated(item, unit("duruan"), D(2025, 1, 1))
    assert not is_delegated(item, unit("baisha"), D(2025, 6, 1))


def test_recall_takes_effect_on_its_date_and_not_before():
    item = make_item(effective_from=D(2024, 1, 1), townships=["duruan", "baisha"])
    item_recall(actor=None, item=item, effective_date=D(2026, 7, 1), townships=[unit("duruan")], reason="专业性强")
    assert is_delegated(item, unit("duruan"), D(2026, 6, 30))
    assert not is_delegated(item, unit("duruan"), D(2026, 7, 1))
    assert is_delegated(item, unit("baisha"), D(2026, 7, 1))
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_FORCE


def test_recall_from_every_township_puts_the_item_out_of_force():
    item = make_item(effective_from=D(2024, 1, 1), townships=["duruan", "baisha"])
    item_recall(actor=None, item=item, effective_date=D(2026, 7, 1), reason="收回")
    item.refresh_from_db()
    assert item.status == ItemStatus.RECALLED
    assert item.effective_to == D(2026, 6, 30)
    assert item in items_in_force(D(2026, 6, 30))
    assert item not in items_in_force(D(2026, 7, 1))


def test_redelegation_after_recall_opens_a_new_period():
    item = make_item(effective_from=D(2024, 1, 1), townships=["duruan"])
    item_recall(actor=None, item=item, effective_date=D(2025, 1, 1), reason="收回")
    item_redelegate(actor=None, item=item, effective_date=D(2026, 1, 1), townships=[unit("duruan")], reason="重新下放")
    assert is_delegated(item, unit("duruan"), D(2024, 6, 1))
    assert not is_delegated(item, unit("duruan"), D(2025, 6, 1))
    assert is_delegated(item, unit("duruan"), D(2026, 6, 1))


def test_overlapping_delegation_is_refused():
    item = make_item(townships=["duruan"])
    with pytest.raises(RuleViolation) as exc:
        item_redelegate(actor=None, item=item, effective_date=D(2026, 1, 1), townships=[unit("duruan")])
    assert exc.value.rule == "catalogue_delegation_overlap"


def test_towns_only_coverage_skips_the_streets():
    item = make_item(coverage=TownshipCoverage.TOWNS, townships=None)
    held = {d.township.code for d in item.delegations.all()}
    assert held == {"tangxia", "hetang", "duruan"}


def test_delegated_items_for_the_item_chooser():
    mine = make_item(townships=["duruan"])
    other = make_item(townships=["baisha"])
    items = set(delegated_items(unit("duruan"), D(2026, 1, 1)))
    assert mine in items and other not in items


def test_fine_minimum_above_maximum_is_refused():
    with pytest.raises(RuleViolation) as exc:
        make_item(fine_min="1000", fine_max="200")
    assert exc.value.rule == "catalogue_fine_range"


def test_duplicate_code_is_refused():
    item = make_item()
    with pytest.raises(RuleViolation) as exc:
        make_item(code=item.code)
    assert exc.value.rule == "catalogue_code_unique"


def test_every_change_keeps_a_version_and_the_version_on_a_date():
    item = make_item(effective_from=D(2024, 1, 1), fine_max="500")
    item_change(actor=None, item=item, changes={"fine_max": "2000"}, effective_from=D(2026, 3, 1), reason="法规修订")
    versions = list(PowerItemVersion.objects.filter(item=item).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].data["fine_max"] == "500.00"
    assert versions[1].data["fine_max"] == "2000.00"
    assert version_on(item, D(2026, 2, 28)).version == 1
    assert version_on(item, D(2026, 3, 1)).version == 2


def test_unknown_department_kind_is_refused():
    with pytest.raises(RuleViolation) as exc:
        item_create(
            actor=None,
            data={"code": "440700000001", "name": "x", "kind": "penalty", "department": unit("duruan")},
            effective_from=D(2026, 1, 1),
        )
    assert exc.value.rule == "catalogue_department"


def test_item_content_is_validated_with_the_field_named():
    with pytest.raises(RuleViolation) as exc:
        make_item(name="对" * 301)
    assert exc.value.rule == "catalogue_item_invalid"
    assert "事项名称" in exc.value.messages[0]
