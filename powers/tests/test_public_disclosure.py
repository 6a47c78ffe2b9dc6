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
