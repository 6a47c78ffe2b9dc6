"""Discretion standards (new version = new row) and the reduced-/no-penalty lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import AuditLog
from powers.choices import LeniencyKind, PowerKind
from powers.selectors import discretion_standard_on, leniency_entries_on
from powers.standards import discretion_standard_create, leniency_entry_add, leniency_entry_end

from .factories import make_item

pytestmark = pytest.mark.django_db
D = dt.date

BANDS = [
    {"level": "general", "conditions": "拒不改正", "fine_min": "50", "fine_max": "200", "measures": "罚款"},
    {"level": "minor", "conditions": "初次违法，及时改正", "fine_min": None, "fine_max": None, "measures": "警告"},
]


@pytest.fixture
def today():
    return timezone.localdate()


def test_new_discretion_version_is_a_new_row_and_decisions_keep_the_old_one(district_admin, today):
    item = make_item(fine_min="0", fine_max="500")
    v1 = discretion_standard_create(
        actor=district_admin, item=item, bands=BANDS, effective_from=D(2024, 1, 1), backfill=True
    )
    pinned = v1.pk  # what a decision of 2025 records
    later = today + dt.timedelta(days=10)
    v2 = discretion_standard_create(
        actor=district_admin,
        item=item,
        bands=[{"level": "general", "conditions": "拒不改正", "fine_min": "100", "fine_max": "300"}],
        effective_from=later,
    )
    assert (v1.version, v2.version) == (1, 2)
    assert [b.level for b in v1.bands.all()] == ["minor", "general"]  # in level order
    assert discretion_standard_on(item, D(2025, 6, 1)) == v1
    assert discretion_standard_on(item, later) == v2
    v1.refresh_from_db()
    assert v1.pk == pinned and v1.bands.get(level="general").fine_max == 200
    assert AuditLog.objects.filter(action="powers.discretion.published").count() == 2


def test_discretion_band_within_statutory_range(district_admin, today):
    item = make_item(fine_min="50", fine_max="500")
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(
            actor=district_admin,
            item=item,
            bands=[{"level": "grave", "conditions": "情节严重", "fine_min": "300", "fine_max": "1000"}],
            effective_from=today,
        )
    assert exc.value.rule == "discretion_band_within_statutory_range"


def test_discretion_band_minimum_above_maximum_is_refused(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(
            actor=district_admin,
            item=make_item(fine_max="500"),
            bands=[{"level": "general", "conditions": "一般", "fine_min": "300", "fine_max": "100"}],
            effective_from=today,
        )
    assert exc.value.rule == "catalogue_fine_range"


def test_discretion_level_once_with_conditions(district_admin, today):
    item = make_item(fine_max="500")
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(actor=district_admin, item=item, bands=[BANDS[0], BANDS[0]], effective_from=today)
    assert exc.value.rule == "discretion_level"
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(
            actor=district_admin, item=item, bands=[{"level": "minor", "conditions": ""}], effective_from=today
        )
    assert exc.value.rule == "discretion_band_conditions"


def test_discretion_version_order(district_admin, today):
    item = make_item(fine_max="500")
    discretion_standard_create(actor=district_admin, item=item, bands=BANDS, effective_from=today + dt.timedelta(9))
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(actor=district_admin, item=item, bands=BANDS, effective_from=today)
    assert exc.value.rule == "discretion_version_order"


def test_discretion_effective_date_in_the_past_is_refused(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(
            actor=district_admin, item=make_item(), bands=BANDS, effective_from=today - dt.timedelta(days=1)
        )
    assert exc.value.rule == "catalogue_effective_date"


def test_leniency_entry_applies_from_its_date_until_it_ends(district_admin, today):
    item = make_item()
    entry = leniency_entry_add(
        actor=district_admin,
        item=item,
        kind=LeniencyKind.NO_PENALTY,
        circumstances="初次违法且危害后果轻微并及时改正",
        basis="《中华人民共和国行政处罚法》第三十三条第一款",
        effective_from=today,
    )
    assert list(leniency_entries_on(item, today)) == [entry]
    assert not leniency_entries_on(item, today - dt.timedelta(days=1)).exists()
    leniency_entry_end(actor=district_admin, entry=entry, last_day=today + dt.timedelta(days=5))
    assert leniency_entries_on(item, today + dt.timedelta(days=5)).exists()
    assert not leniency_entries_on(item, today + dt.timedelta(days=6)).exists()
    assert AuditLog.objects.filter(action="powers.leniency.ended", object_id=str(entry.pk)).exists()


def test_leniency_penalty_lists_only_for_penalty_items(district_admin, today):
    inspection = make_item(kind=PowerKind.INSPECTION, penalty_types=[], fine_min=None, fine_max=None)
    with pytest.raises(RuleViolation) as exc:
        leniency_entry_add(
            actor=district_admin,
            item=inspection,
            kind=LeniencyKind.LIGHTER,
            circumstances="主动消除危害后果",
            basis="《行政处罚法》第三十二条",
            effective_from=today,
        )
    assert exc.value.rule == "leniency_kind"


def test_leniency_entry_needs_circumstances_and_basis(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        leniency_entry_add(
            actor=district_admin, item=make_item(), kind="no_penalty", circumstances="", basis="x", effective_from=today
        )
    assert exc.value.rule == "leniency_circumstances"
    with pytest.raises(RuleViolation) as exc:
        leniency_entry_add(
            actor=district_admin,
            item=make_item(),
            kind="no_penalty",
            circumstances="x",
            basis=" ",
            effective_from=today,
        )
    assert exc.value.rule == "leniency_basis"


def test_leniency_already_ended(district_admin, today):
    entry = leniency_entry_add(
        actor=district_admin,
        item=make_item(),
        kind=LeniencyKind.NO_PENALTY,
        circumstances="首次违法",
        basis="《行政处罚法》第三十三条",
        effective_from=today,
    )
    leniency_entry_end(actor=district_admin, entry=entry, last_day=today)
    with pytest.raises(RuleViolation) as exc:
        leniency_entry_end(actor=district_admin, entry=entry, last_day=today + dt.timedelta(days=3))
    assert exc.value.rule == "leniency_already_ended"


def test_discretion_band_overlap_is_refused(district_admin, today):
    item = make_item(fine_min="0", fine_max="2000")
    overlapping = [
        {"level": "minor", "conditions": "及时改正", "fine_min": "0", "fine_max": "600"},
        {"level": "general", "conditions": "拒不改正", "fine_min": "500", "fine_max": "1000"},
    ]
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(actor=district_admin, item=item, bands=overlapping, effective_from=today)
    assert exc.value.rule == "discretion_band_overlap"
    assert not item.discretion_standards.exists()
    # An open-ended level overlaps every level above its minimum.
    open_ended = [
        {"level": "general", "conditions": "拒不改正", "fine_min": "500", "fine_max": "1000"},
        {"level": "serious", "conditions": "造成后果", "fine_min": "800", "fine_max": None},
    ]
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(actor=district_admin, item=item, bands=open_ended, effective_from=today)
    assert exc.value.rule == "discretion_band_overlap"


def test_discretion_levels_may_meet_at_a_boundary(district_admin, today):
    item = make_item(fine_min="0", fine_max="2000")
    bands = [
        {"level": "minor", "conditions": "及时改正", "fine_min": None, "fine_max": None, "measures": "警告"},
        {"level": "general", "conditions": "初次违法", "fine_min": "0", "fine_max": "500"},
        {"level": "serious", "conditions": "拒不改正", "fine_min": "500", "fine_max": "1000"},
        {"level": "grave", "conditions": "造成后果", "fine_min": "1000", "fine_max": "2000"},
    ]
    standard = discretion_standard_create(actor=district_admin, item=item, bands=bands, effective_from=today)
    assert standard.bands.count() == 4


def test_discretion_republication_unchanged_is_refused(district_admin, today):
    item = make_item(fine_min="0", fine_max="500")
    discretion_standard_create(actor=district_admin, item=item, bands=BANDS, effective_from=today)
    same = [{**band, "fine_min": band["fine_min"] and f"{band['fine_min']}.00"} for band in reversed(BANDS)]
    with pytest.raises(RuleViolation) as exc:
        discretion_standard_create(actor=district_admin, item=item, bands=same, effective_from=today + dt.timedelta(5))
    assert exc.value.rule == "discretion_republication_unchanged"
    assert item.discretion_standards.count() == 1
    changed = [{**BANDS[0], "conditions": "拒不改正或者再次违法"}, BANDS[1]]
    v2 = discretion_standard_create(actor=district_admin, item=item, bands=changed, effective_from=today)
    assert v2.version == 2


def test_leniency_republication_unchanged_is_refused(district_admin, today):
    item = make_item()
    entry = leniency_entry_add(
        actor=district_admin,
        item=item,
        kind=LeniencyKind.NO_PENALTY,
        circumstances="首次违法且及时改正",
        basis="《行政处罚法》第三十三条",
        effective_from=today,
    )
    with pytest.raises(RuleViolation) as exc:
        leniency_entry_add(
            actor=district_admin,
            item=item,
            kind=LeniencyKind.NO_PENALTY,
            circumstances=" 首次违法且及时改正 ",
            basis="另一依据",
            effective_from=today + dt.timedelta(days=3),
        )
    assert exc.value.rule == "leniency_republication_unchanged"
    # on another list, or once the entry has ended, it may be published
    leniency_entry_add(
        actor=district_admin,
        item=item,
        kind=LeniencyKind.MITIGATED,
        circumstances="首次违法且及时改正",
        basis="第三十二条",
        effective_from=today,
    )
    leniency_entry_end(actor=district_admin, entry=entry, last_day=today)
    again = leniency_entry_add(
        actor=district_admin,
        item=item,
        kind=LeniencyKind.NO_PENALTY,
        circumstances="首次违法且及时改正",
        basis="《行政处罚法》第三十三条（修订）",
        effective_from=today + dt.timedelta(days=1),
    )
    assert again.pk != entry.pk
