"""What the public pages disclose beyond today's catalogue: approved changes not yet in effect
(自…起调整/取消), and the printed list with its discretion standards and leniency lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from powers.adjustments import adjustment_approve, adjustment_propose, adjustment_review
from powers.choices import AdjustmentKind
from powers.standards import discretion_standard_create, leniency_entry_add, leniency_entry_end
from tests.factories import unit

from .factories import approval_document, make_item, second_admin

pytestmark = pytest.mark.django_db
K = AdjustmentKind


@pytest.fixture
def today():
    return timezone.localdate()


def announced(text: str) -> list[str]:
    import re

    return re.findall(r'data-testid="announcement">([^<]*)<', text)


def approved(district_admin, item, kind, day, **kwargs):
    adjustment = adjustment_propose(
        actor=district_admin, kind=kind, item=item, reason="依法调整", effective_date=day, **kwargs
    )
    adjustment_review(actor=second_admin(), adjustment=adjustment)
    return adjustment_approve(actor=second_admin(), adjustment=adjustment, **approval_document())


def test_public_pages_announce_approved_future_changes(anonymous, district_admin, today):
    changed = make_item(name="对占道经营的行政处罚", townships=["duruan", "baisha"])
    cancelled = make_item(name="对擅自设置地锁的行政处罚", townships=["duruan"])
    partly = make_item(name="对夜间施工噪声扰民的行政处罚", townships=["duruan", "baisha"])
    pending = make_item(name="对露天焚烧秸秆的行政处罚", townships=["duruan"])
    day = dt.date(today.year + 1, 3, 1)
    approved(district_admin, changed, K.CHANGE, day, data={"fine_max": "800"})
    approved(district_admin, cancelled, K.RECALL, day)
    approved(district_admin, partly, K.RECALL, day, townships=[unit("baisha")])
    adjustment_propose(actor=district_admin, kind=K.RECALL, item=pending, reason="收回", effective_date=day)

    y = day.year
    index = anonymous.get("/public/").content.decode()
    assert sorted(announced(index)) == sorted([f"自{y}年3月1日起调整", f"自{y}年3月1日起取消", f"自{y}年3月1日起调整"])
    item_page = anonymous.get(f"/public/items/{cancelled.pk}/").content.decode()
    assert announced(item_page) == [f"自{y}年3月1日起取消"]
    assert announced(anonymous.get(f"/public/items/{changed.pk}/").content.decode()) == [f"自{y}年3月1日起调整"]
    # not approved yet: nothing to announce
    assert announced(anonymous.get(f"/public/items/{pending.pk}/").content.decode()) == []
    # a township's page: the recall from 白沙 cancels the item there, and is not 杜阮's news
    baisha = anonymous.get("/public/baisha/").content.decode()
    assert f"自{y}年3月1日起取消" in announced(baisha)
    duruan = anonymous.get("/public/duruan/?q=噪声").content.decode()
    assert partly.name in duruan and announced(duruan) == []


def test_a_change_in_effect_today_is_no_longer_announced(anonymous, district_admin, today):
    item = make_item(townships=["duruan"])
    approved(district_admin, item, K.CHANGE, today, data={"fine_max": "800"})  # applied at once
    assert announced(anonymous.get(f"/public/items/{item.pk}/").content.decode()) == []


def test_announcements_keep_the_public_list_query_count(anonymous, district_admin, today):
    day = today + dt.timedelta(days=20)
    approved(district_admin, make_item(townships=["duruan"]), K.RECALL, day)
    with CaptureQueriesContext(connection) as few:
        anonymous.get("/public/")
    for _ in range(10):
        approved(district_admin, make_item(townships=["duruan", "baisha"]), K.RECALL, day, townships=[unit("duruan")])
    with CaptureQueriesContext(connection) as many:
        text = anonymous.get("/public/").content.decode()
    assert len(announced(text)) == 11
    assert len(many) == len(few)


def test_printed_list_carries_the_discretion_standards_and_the_leniency_lists(anonymous, today):
    item = make_item(name="对占道经营的行政处罚", townships=["duruan"], fine_min="0", fine_max="2000")
    bare = make_item(name="对公共场所卫生的行政检查", townships=["duruan"], kind="inspection", fine_max=None)
    discretion_standard_create(
        actor=None,
        item=item,
        bands=[
            {"level": "minor", "conditions": "首次占道且当场改正", "measures": "警告"},
            {"level": "general", "conditions": "拒不改正的", "fine_min": "100", "fine_max": "500"},
        ],
        effective_from=today,
    )
    leniency_entry_add(
        actor=None,
        item=item,
        kind="no_penalty",
        circumstances="初次违法且危害后果轻微并及时改正",
        basis="《行政处罚法》第三十三条第一款",
        effective_from=today,
    )
    ended = leniency_entry_add(
        actor=None, item=item, kind="mitigated", circumstances="已结束的情形", basis="旧规定", effective_from=today
    )
    leniency_entry_end(actor=None, entry=ended, last_day=today - dt.timedelta(days=1))
    page = anonymous.get("/public/duruan/?print=1").content.decode()
    assert "首次占道且当场改正" in page and "拒不改正的" in page and "100–500" in page
    assert "初次违法且危害后果轻微并及时改正" in page and "《行政处罚法》第三十三条第一款" in page
    assert "已结束的情形" not in page  # off the list today
    assert page.count('data-testid="print-standard"') == 1 and page.count('data-testid="print-lists"') == 1
    assert bare.name in page


def test_printed_list_query_count_does_not_grow_with_rows(anonymous, today):
    def publish(n):
        item = make_item(name=f"对占道经营第{n}类的行政处罚", townships=["duruan"], fine_min="0", fine_max="500")
        bands = [{"level": "general", "conditions": "拒不改正", "fine_min": "0", "fine_max": "500"}]
        discretion_standard_create(actor=None, item=item, bands=bands, effective_from=today)
        leniency_entry_add(
            actor=None, item=item, kind="no_penalty", circumstances="首违", basis="第三十三条", effective_from=today
        )

    publish(0)
    with CaptureQueriesContext(connection) as few:
        anonymous.get("/public/duruan/?print=1")
    for n in range(1, 15):
        publish(n)
    with CaptureQueriesContext(connection) as many:
        page = anonymous.get("/public/duruan/?print=1").content.decode()
    assert page.count('data-testid="print-standard"') == 15
    assert len(many) == len(few)


def test_public_list_count_is_the_count_of_the_filtered_list(anonymous):
    make_item(name="对占道经营的行政处罚", townships=["duruan", "baisha"])
    make_item(name="对擅自占道施工的行政处罚", townships=["duruan"], department="dept-ecology")
    make_item(name="对夜间施工噪声扰民的行政处罚", townships=["baisha"])
    import re

    def shown(url):
        page = anonymous.get(url).content.decode()
        found = re.search(r'data-testid="match-count" data-count="(\d+)"', page)
        return int(found.group(1)) if found else None

    assert shown("/public/") is None  # unfiltered: the headline counts the list
    assert shown("/public/?q=占道") == 2
    assert shown(f"/public/?q=占道&department={unit('dept-ecology').pk}") == 1
    assert shown("/public/duruan/?q=噪声") == 0
    assert shown("/public/baisha/?q=施工") == 1
    assert shown("/public/duruan/?q=占道&print=1") == 2
