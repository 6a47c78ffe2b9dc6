"""The order and triage pages as people use them: returning an order to the hotline from triage,
a township chosen on purpose, the citizen's phone shown for a call back (and recorded), the
platform's state apart from the portal's, catalogue suggestions in whole words, the search by
the first digits of a number, and an import waiting for its worker."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection, transaction

from cases.hotline import services
from cases.hotline.choices import ImportStatus, OrderState
from cases.hotline.filters import text_match
from cases.hotline.models import HotlineEvent, HotlineImport, HotlineOrder
from cases.hotline.selectors import suggest_items
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import AuditLog, Unit
from powers.tests.factories import make_item

from . import support
from .support import JIANGMEN, csv_bytes, jiangmen_row

pytestmark = pytest.mark.django_db
make_orders = support.make_orders  # the fixture

NO_TOWNSHIP = {"unit": "", "body": "地址：某处。事项：路灯不亮。"}


def _select(page: str, testid: str) -> str:
    """The township select inside the form marked ``testid``."""
    form = page.split(f'data-testid="{testid}"', 1)[1]
    return re.search(r"<select.*?</select>", form, re.S).group(0)


# --- triage: return to the hotline ----------------------------------------------------------------
def test_triage_returns_an_order_to_the_hotline_with_a_reason_audited_and_on_the_timeline(
    make_orders, login, district_admin
):
    order = make_orders(**NO_TOWNSHIP)[0]
    client = login(district_admin)
    triage = client.get("/hotline/triage/").content.decode()
    assert f'action="/hotline/orders/{order.pk}/return-untriaged/"' in triage
    assert 'data-testid="return-untriaged"' in client.get(f"/hotline/orders/{order.pk}/").content.decode()

    refused = client.post(
        f"/hotline/orders/{order.pk}/return-untriaged/", {"reason": "  ", "next": "triage"}, follow=True
    )
    assert refused.status_code == 200 and "这个字段是必填项" in refused.content.decode()
    order.refresh_from_db()
    assert order.in_triage  # no reason, no return

    response = client.post(
        f"/hotline/orders/{order.pk}/return-untriaged/", {"reason": "属江海区事项", "next": "triage"}
    )
    assert response.status_code == 302 and response["Location"] == "/hotline/triage/"
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED and order.return_reason == "属江海区事项"
    event = HotlineEvent.objects.get(order=order, kind="returned_from_triage")
    assert event.actor == district_admin and event.note == "属江海区事项"
    assert AuditLog.objects.filter(action="cases.workorder.returned_from_triage", object_id=str(order.pk)).exists()
    page = client.get(f"/hotline/orders/{order.pk}/").content.decode()
    timeline = page.split('data-testid="timeline"', 1)[1]
    assert "从分拨队列退回热线" in timeline and "属江海区事项" in timeline
    assert order.order_no not in client.get("/hotline/triage/").content.decode()


def test_an_office_head_claims_from_triage_but_gets_no_return_control(make_orders, login, duruan_head):
    order = make_orders(**NO_TOWNSHIP)[0]
    client = login(duruan_head)
    assert "return-untriaged" not in client.get("/hotline/triage/").content.decode()
    assert "return-untriaged" not in client.get(f"/hotline/orders/{order.pk}/").content.decode()
    assert client.post(f"/hotline/orders/{order.pk}/return-untriaged/", {"reason": "不是本镇"}).status_code == 403
    order.refresh_from_db()
    assert order.in_triage


# --- triage: no township chosen by default ------------------------------------------------------
def test_the_township_select_starts_empty_and_required(make_orders, login, district_admin):
    order = make_orders(**NO_TOWNSHIP)[0]
    duruan = Unit.objects.get(code="duruan")
    HotlineOrder.objects.filter(pk=order.pk).update(route_candidates=[duruan.pk])  # a gazetteer hint
    client = login(district_admin)
    for page, form in [
        (client.get("/hotline/triage/").content.decode(), "triage-list"),
        (client.get(f"/hotline/orders/{order.pk}/").content.decode(), "route-form"),
    ]:
        select = _select(page, form)
        assert "required" in select.split(">", 1)[0]
        options = re.findall(r"<option[^>]*>[^<]*</option>", select)
        assert options[0] == '<option value="" selected>请选择</option>'
        assert sum("selected" in o for o in options) == 1  # no township is preselected, hint or not
        assert any(f'value="{duruan.pk}"' in o and "提示" in o for o in options)  # the hint is still shown


def test_routing_without_a_township_asks_for_one(make_orders, login, district_admin):
    order = make_orders(**NO_TOWNSHIP)[0]
    client = login(district_admin)
    response = client.post(f"/hotline/orders/{order.pk}/route/", {"township": "", "next": "triage"}, follow=True)
    assert response.status_code == 200 and "请选择工单转往的镇街" in response.content.decode()
    order.refresh_from_db()
    assert order.in_triage and not order.events.exists()


# --- the citizen's phone ------------------------------------------------------------------------
def test_the_handling_officer_reveals_the_phone_and_the_reveal_is_audited(make_orders, login, duruan_officer):
    order = make_orders(phone="13800138000")[0]
    client = login(duruan_officer)
    page = client.get(f"/hotline/orders/{order.pk}/").content.decode()
    assert "138****8000" in page and "13800138000" not in page  # nowhere, the raw rows included
    assert 'data-testid="reveal-phone"' in page and "显示电话" in page

    response = client.post(f"/hotline/orders/{order.pk}/phone/")
    assert response.status_code == 200
    shown = response.content.decode()
    assert '<a class="mono" href="tel:13800138000" data-testid="phone">13800138000</a>' in shown
    assert 'data-testid="reveal-phone"' not in shown
    row = AuditLog.objects.get(action="cases.workorder.phone_revealed")
    assert row.actor_id == duruan_officer.pk and row.object_id == str(order.pk) and row.created_at
    assert row.after["complainant"] == "李女士" and "13800138000" not in str(row.after)
    assert "13800138000" not in client.get(f"/hotline/orders/{order.pk}/").content.decode()  # masked again


def test_only_who_may_handle_the_order_reveals_the_phone(
    make_orders, login, duruan_supervisor, baisha_officer, district_admin
):
    order = make_orders(phone="13800138000")[0]
    for person, code in [(duruan_supervisor, 403), (district_admin, 403), (baisha_officer, 404)]:
        client = login(person)
        assert client.post(f"/hotline/orders/{order.pk}/phone/").status_code == code
        if code == 403:
            assert "reveal-phone" not in client.get(f"/hotline/orders/{order.pk}/").content.decode()
    assert client.get(f"/hotline/orders/{order.pk}/phone/").status_code in (404, 405)
    assert not AuditLog.objects.filter(action="cases.workorder.phone_revealed").exists()


def test_hotline_phone_revealable_refuses_a_number_masked_at_the_source(make_orders, login, duruan_officer):
    order = make_orders(phone="138****5678")[0]
    with pytest.raises(RuleViolation) as refused:
        services.order_reveal_phone(order=order, actor=duruan_officer)
    assert refused.value.rule == "hotline_phone_revealable"
    client = login(duruan_officer)
    assert "reveal-phone" not in client.get(f"/hotline/orders/{order.pk}/").content.decode()
    response = client.post(f"/hotline/orders/{order.pk}/phone/", follow=True)
    assert response.status_code == 200 and "没有完整的电话号码" in response.content.decode()
    assert not AuditLog.objects.filter(action="cases.workorder.phone_revealed").exists()


# --- the platform's state -----------------------------------------------------------------------
def test_the_platforms_state_is_labelled_as_the_platforms(make_orders, login, duruan_officer):
    order = make_orders(status="已办结")[0]
    page = login(duruan_officer).get(f"/hotline/orders/{order.pk}/").content.decode()
    header = page.split('data-testid="order-number"', 1)[1].split('data-testid="order-content"', 1)[0]
    assert "平台状态：已办结" in header
    assert re.search(r'data-state="pending">待签收<', header)  # the portal's own state, apart


def test_an_import_preview_names_the_platforms_state_as_such(login, district_admin):
    support.run(district_admin, csv_bytes(JIANGMEN, [jiangmen_row("0826000000000000005", status="办理中")]), "a.csv")
    later = csv_bytes(JIANGMEN, [jiangmen_row("0826000000000000005", status="已办结")])
    job = support.read(district_admin, later, "b.csv")
    page = login(district_admin).get(f"/hotline/imports/{job.pk}/").content.decode()
    preview = page.split('data-testid="preview"', 1)[1].split("</table>", 1)[0]
    assert "平台状态" in preview


# --- catalogue suggestions ----------------------------------------------------------------------
def test_suggestions_show_whole_words_of_the_items_never_bigram_fragments(make_orders, login, duruan_officer):
    body = "地址：杜阮镇杜阮北路12号。事项：夜间施工噪音扰民。"
    order = make_orders(body=body, categories=("城市管理", "市容", "占道经营"))[0]
    make_item(townships=["duruan"], name="对占道经营的行政处罚", effective_from=datetime.date(2020, 1, 1))
    make_item(townships=["duruan"], name="对夜间施工噪音扰民的行政处罚", effective_from=datetime.date(2020, 1, 1))
    shared = {s.item.name: s.shared for s in suggest_items(order)}
    assert shared == {"对占道经营的行政处罚": ("占道经营",), "对夜间施工噪音扰民的行政处罚": ("夜间施工噪音扰民",)}
    page = login(duruan_officer).get(f"/hotline/orders/{order.pk}/").content.decode()
    words = page.split('data-testid="suggestions"', 1)[1].split("</ul>", 1)[0]
    assert "占道经营" in words and "夜间施工噪音扰民" in words
    for fragment in ("道经", "工噪", "间施"):
        assert fragment not in words.replace("占道经营", "").replace("夜间施工噪音扰民", "")


# --- the number prefix --------------------------------------------------------------------------
@pytest.fixture
def numbered(district_admin):
    numbers = ["0826123456789012345", "0826999999999999999", "GD2026000000000001"]
    support.run(district_admin, csv_bytes(JIANGMEN, [jiangmen_row(n) for n in numbers]), "n.csv")
    return HotlineOrder.objects.in_bulk(numbers, field_name="order_no")


@pytest.mark.parametrize("typed", ["08261234", "０８２６１２３４", " 0826 1234 ", "082612345678901234"])
def test_the_first_digits_of_a_number_find_its_order(numbered, login, duruan_officer, typed):
    page = login(duruan_officer).get("/hotline/", {"q": typed, "state": ""}).content.decode()
    assert re.findall(r'data-order="([^"]+)"', page) == ["0826123456789012345"]


def test_a_number_prefix_finds_orders_in_triage_too(make_orders, login, district_admin):
    order = make_orders(**NO_TOWNSHIP)[0]
    page = login(district_admin).get("/hotline/triage/", {"q": order.order_no[:12]}).content.decode()
    assert re.findall(r'data-order="([^"]+)"', page) == [order.order_no]


def test_the_number_search_can_use_indexes(numbered):
    """No sequential scan of the orders even when the planner is told to avoid one at any cost."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for typed in ("08261234", "占道经营"):
            sql, params = HotlineOrder.objects.filter(text_match(typed)).values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, plan


# --- the import page before a worker takes the file ---------------------------------------------
def test_an_import_not_yet_read_says_it_waits_for_a_worker(login, duruan_head):
    client = login(duruan_head)
    content = csv_bytes(JIANGMEN, [jiangmen_row("0826000000000000001")])
    response = client.post("/hotline/imports/", {"file": support.upload(content, "march.csv")}, follow=True)
    job = HotlineImport.objects.get()
    assert job.status == ImportStatus.QUEUED  # the reading task runs after the commit
    page = response.content.decode()
    assert "等待处理" in page and "所有行均已读取" not in page and "正在读取" not in page
    assert "等待处理" in client.get(f"/hotline/imports/{job.pk}/progress/").content.decode()
