"""The sample catalogue: loaded in bulk, marked as sample data, loaded once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pengjiang_enforcement.models import AuditLog
from powers.models import DiscretionStandard, LeniencyEntry, PowerItem
from powers.sample import SampleError, load_sample_catalogue, read_sample
from powers.selectors import is_delegated
from tests.factories import unit

pytestmark = pytest.mark.django_db
MINI = Path(__file__).resolve().parent / "data" / "mini_catalogue.json"


def test_mini_catalogue_loads_every_item_as_sample_data_delegated_per_coverage():
    report = load_sample_catalogue(path=MINI)
    data = read_sample(MINI)
    assert report.created == len(data["items"]) == PowerItem.objects.count()
    assert not PowerItem.objects.filter(is_sample=False).exists()
    streets_only = PowerItem.objects.get(code="440703001002")
    towns_only = PowerItem.objects.get(code="440703003001")
    day = dt.date(2024, 1, 1)
    assert is_delegated(streets_only, unit("baisha"), day) and not is_delegated(streets_only, unit("duruan"), day)
    assert is_delegated(towns_only, unit("duruan"), day) and not is_delegated(towns_only, unit("baisha"), day)
    assert not is_delegated(towns_only, unit("duruan"), dt.date(2023, 12, 31))
    standard = DiscretionStandard.objects.get(item__code="440703001001")
    assert standard.version == 1 and standard.bands.count() == 3
    assert LeniencyEntry.objects.filter(item__code="440703004003", kind="no_coercion").exists()
    assert PowerItem.objects.get(code="440703005001", sub_code="01").versions.get().data["townships"]


def test_loading_the_sample_twice_changes_nothing():
    load_sample_catalogue(path=MINI)
    counts = (PowerItem.objects.count(), AuditLog.objects.count(), DiscretionStandard.objects.count())
    report = load_sample_catalogue(path=MINI)
    assert report.created == 0
    assert (PowerItem.objects.count(), AuditLog.objects.count(), DiscretionStandard.objects.count()) == counts


def test_sample_file_with_a_bad_item_loads_nothing(tmp_path):
    data = read_sample(MINI)
    data["items"][3]["department"] = "dept-nowhere"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SampleError, match="dept-nowhere"):
        load_sample_catalogue(path=bad)
    assert not PowerItem.objects.exists()


def test_the_sample_catalogue_has_exactly_501_items():
    report = load_sample_catalogue()
    assert report.created == 501 == PowerItem.objects.filter(is_sample=True).count()
