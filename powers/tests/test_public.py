"""Public disclosure (公示): no sign-in, only items in force and delegated today."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from powers.models import PowerItem
from powers.services import item_recall
from powers.standards import discretion_standard_create, leniency_entry_add
from tests.factories import unit

from .factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def published(today):
    """An item of 杜阮 and 白沙, one of 白沙 only, one recalled, one not yet in force."""
    both = make_item(name="对占道经营的行政处罚", townships=["duruan", "baisha"], fine_min="0", fine_max="500")
    baisha = make_item(name="对夜间施工噪声扰民的行政处罚", townships=["baisha"])
    recalled = make_item(name="对擅自设置地锁的行政处罚", townships=["duruan"])
    item_recall(actor=None, item=recalled, effective_date=today)
    future = make_item(
        name="对露天焚烧秸秆的行政处罚", townships=["duruan"], effective_from=today + dt.timedelta(days=3)
    )
    return {"both": both, "baisha": baisha, "recalled": recalled, "future": future}


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_public_pages_need_no_sign_in_and_show_only_items_in_force(anonymous, published):
    index = text(anonymous, "/public/")
    assert published["both"].name in index and published["baisha"].name in index
    assert published["recalled"].name not in index and published["future"].name not in index
    assert "2 项" in index


def test_township_page_lists_what_that_township_holds_today(anonymous, published):
    duruan = text(anonymous, "/public/duruan/")
    assert published["both"].name in duruan
    assert published["baisha"].name not in duruan
    assert published["recalled"].name not in duruan and published["future"].name not in duruan
    assert published["baisha"].name in text(anonymous, "/public/baisha/")
    assert anonymous.get("/public/nowhere/").status_code == 404
    assert anonymous.get("/public/dept-urban/").status_code == 404  # a department is not a township


def test_item_page_of_a_published_item_with_its_standard_and_lists(anonymous, published, today):
    item = published["both"]
    discretion_standard_create(
        actor=None,
        item=item,
        bands=[{"level": "general", "conditions": "拒不改正的", "fine_min": "100", "fine_max": "500"}],
        effective_from=today,
    )
    leniency_entry_add(
        actor=None,
        item=item,
        kind="no_penalty",
        circumstances="初次违法且及时改正",
        basis="《行政处罚法》第三十三条第一款",
        effective_from=today,
    )
    page = text(anonymous, f"/public/items/{item.pk}/")
    assert "拒不改正的" in page and "初次违法且及时改正" in page
    assert "杜阮镇" in page and "白沙街道" in page
    assert item.setting_basis in page


def test_items_not_in_force_have_no_public_page(anonymous, published):
    for key in ("recalled", "future"):
        assert anonymous.get(f"/public/items/{published[key].pk}/").status_code == 404, key


def test_public_search_in_chinese(anonymous, published):
    found = text(anonymous, "/public/?q=占道")
    assert published["both"].name in found and published["baisha"].name not in found
    found = text(anonymous, "/public/baisha/?q=噪声")
    assert published["baisha"].name in found and published["both"].name not in found
    assert "没有符合条件的事项" in text(anonymous, "/public/duruan/?q=噪声")


def test_public_download_holds_only_published_items(anonymous, published):
    response = anonymous.get("/public/duruan/catalogue.xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [r[3] for r in rows[1:]] == [published["both"].name]
    assert rows[1][17] == "白沙街道、杜阮镇" or set(rows[1][17].split("、")) == {"杜阮镇", "白沙街道"}
    rows = list(
        openpyxl.load_workbook(
            io.BytesIO(b"".join(anonymous.get("/public/catalogue.xlsx").streaming_content))
        ).active.values
    )
    assert {r[3] for r in rows[1:]} == {published["both"].name, published["baisha"].name}


def test_printable_list(anonymous, published):
    page = text(anonymous, "/public/duruan/?print=1")
    assert "data-print" in page and "js/portal.js" in page and published["both"].name in page
    assert "onclick" not in page


def test_sample_banner_on_public_pages_when_sample_items_are_shown(anonymous, published):
    assert 'data-testid="sample-banner"' not in text(anonymous, "/public/duruan/")
    PowerItem.objects.update(is_sample=True)
    for url in ["/public/", "/public/duruan/", f"/public/items/{published['both'].pk}/"]:
        assert 'data-testid="sample-banner"' in text(anonymous, url), url
    first = b"".join(anonymous.get("/public/catalogue.xlsx").streaming_content)
    assert "示例数据" in str(next(openpyxl.load_workbook(io.BytesIO(first)).active.values)[0])


@pytest.mark.parametrize("url", ["/public/", "/public/duruan/", "/public/duruan/?q=占道"])
def test_public_list_query_count_does_not_grow_with_rows(anonymous, url):
    make_item(name="对占道经营的行政处罚", townships=["duruan"])
    with CaptureQueriesContext(connection) as few:
        anonymous.get(url)
    for n in range(30):
        make_item(name=f"对占道经营第{n}类的行政处罚", townships=["duruan", "baisha"])
    with CaptureQueriesContext(connection) as many:
        assert anonymous.get(url).status_code == 200
    assert len(many) == len(few)


def test_public_pages_may_be_cached_briefly(anonymous, published):
    assert "max-age=300" in anonymous.get("/public/duruan/")["Cache-Control"]
    assert unit("duruan").name in text(anonymous, "/public/")
