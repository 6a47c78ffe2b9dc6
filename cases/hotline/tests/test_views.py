"""The 12345 pages: who sees what (the chokepoint), queues with pinned query counts, the import
page, the reply file and the live feed."""

from __future__ import annotations

import datetime
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.hotline import importing, services
from cases.hotline.choices import ImportStatus, OrderState
from cases.hotline.models import HotlineImport, HotlineOrder, HotlineRawRow
from pengjiang_enforcement.models import AuditLog, Unit

from . import support
from .support import JIANGMEN, jiangmen_row, xlsx_bytes

pytestmark = pytest.mark.django_db
make_orders = support.make_orders  # the fixture


@pytest.fixture
def orders(make_orders):
    """An order of 杜阮, one of 白沙, one in triage."""
    duruan = make_orders()[0]
    baisha = make_orders(unit="白沙街道办事处", body="地址：白沙街道某路1号。事项：噪音。")[0]
    triage = make_orders(unit="", body="地址：某处。事项：路灯不亮。")[0]
    return {"duruan": duruan, "baisha": baisha, "triage": triage}


def status(client: Client, url: str) -> int:
    return client.get(url).status_code


def test_an_officer_sees_the_townships_orders_only(orders, login, duruan_officer):
    client = login(duruan_officer)
    page = client.get("/hotline/?state=").content.decode()
    assert orders["duruan"].order_no in page
    assert orders["baisha"].order_no not in page and orders["triage"].order_no not in page
    assert status(client, f"/hotline/orders/{orders['duruan'].pk}/") == 200
    assert status(client, f"/hotline/orders/{orders['baisha'].pk}/") == 404  # invisible: not disclosed
    assert status(client, f"/hotline/orders/{orders['triage'].pk}/") == 404
    assert status(client, "/hotline/triage/") == 403


def test_the_judicial_office_reads_its_townships_orders_without_acting(orders, login, duruan_supervisor):
    client = login(duruan_supervisor)
    assert status(client, f"/hotline/orders/{orders['duruan'].pk}/") == 200
    assert status(client, f"/hotline/orders/{orders['baisha'].pk}/") == 404
    assert client.post(f"/hotline/orders/{orders['duruan'].pk}/accept/").status_code == 403
    assert 'data-testid="actions"' not in client.get(f"/hotline/orders/{orders['duruan'].pk}/").content.decode()


def test_social_supervisors_and_liaisons_see_no_work_order(orders, login, social_supervisor, department_liaison):
    for person in (social_supervisor, department_liaison):
        client = login(person)
        assert status(client, "/hotline/") == 403
        assert status(client, f"/hotline/orders/{orders['duruan'].pk}/") == 404
        assert not HotlineOrder.objects.restrict(person, "view").exists()


def test_district_staff_read_everything_and_admins_triage(orders, login, district_admin, district_supervisor):
    admin = login(district_admin)
    page = admin.get("/hotline/?state=").content.decode()
    assert orders["duruan"].order_no in page and orders["baisha"].order_no in page
    assert orders["triage"].order_no in admin.get("/hotline/triage/").content.decode()
    supervisor = login(district_supervisor)
    assert status(supervisor, f"/hotline/orders/{orders['triage'].pk}/") == 200
    assert status(supervisor, "/hotline/triage/") == 403
    assert supervisor.post(f"/hotline/orders/{orders['duruan'].pk}/accept/").status_code == 403


def test_office_heads_read_the_triage_queue_and_claim(orders, login, duruan_head):
    client = login(duruan_head)
    assert orders["triage"].order_no in client.get("/hotline/triage/").content.decode()
    duruan = Unit.objects.get(code="duruan")
    response = client.post(f"/hotline/orders/{orders['triage'].pk}/route/", {"township": duruan.pk, "next": "triage"})
    assert response.status_code == 302
    orders["triage"].refresh_from_db()
    assert orders["triage"].township == duruan


def test_handling_an_order_through_the_page(orders, login, duruan_officer, duruan_head):
    order = orders["duruan"]
    client = login(duruan_officer)
    client.post(f"/hotline/orders/{order.pk}/accept/")
    client.post(f"/hotline/orders/{order.pk}/interim/", {"text": "已派员核查。"})
    client.post(
        f"/hotline/orders/{order.pk}/extension/",
        {"due_on": (order.due_on + datetime.timedelta(days=30)).isoformat(), "reason": "需检测"},
    )
    order.refresh_from_db()
    assert order.state == OrderState.EXTENSION_REQUESTED
    head = login(duruan_head)
    page = head.get(f"/hotline/orders/{order.pk}/").content.decode()
    assert 'data-testid="decide"' in page
    request = order.requests.get()
    head.post(f"/hotline/requests/{request.pk}/decide/", {"decision": "approve"})
    response = client.post(f"/hotline/orders/{order.pk}/reply/", {"text": "已处理完毕。", "version": 1})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS  # version 1 was stale: nothing saved, a message says why
    client.post(f"/hotline/orders/{order.pk}/reply/", {"text": "已处理完毕。", "version": order.version})
    order.refresh_from_db()
    assert order.state == OrderState.REPLIED


def test_convert_button_registers_the_lead_and_the_lead_page_links_back(orders, login, duruan_officer):
    order = orders["duruan"]
    client = login(duruan_officer)
    response = client.post(f"/hotline/orders/{order.pk}/lead/")
    order.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/leads/{order.lead_id}/"
    lead_page = client.get(f"/leads/{order.lead_id}/").content.decode()
    assert f"/hotline/orders/no/{order.order_no}/" in lead_page
    assert client.get(f"/hotline/orders/no/{order.order_no}/")["Location"] == f"/hotline/orders/{order.pk}/"


def test_order_page_shows_raw_rows_parsed_fields_and_masked_phone(make_orders, login, duruan_officer):
    order = make_orders(phone="13800138000")[0]
    page = login(duruan_officer).get(f"/hotline/orders/{order.pk}/").content.decode()
    assert "138****8000" in page and "13800138000" not in page.split('data-testid="raw-rows"')[0]
    assert "杜阮镇杜阮北路12号门口" in page and "占道经营" in page
    assert 'data-testid="raw-rows"' in page and "工单编号" in page


def test_queue_and_triage_pin_their_query_counts(make_orders, login, district_admin):
    client = login(district_admin)
    make_orders(2)
    make_orders(2, unit="", body="事项：无地址。")
    client.get("/hotline/?state=")  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        client.get("/hotline/?state=")
    with CaptureQueriesContext(connection) as few_triage:
        client.get("/hotline/triage/")
    make_orders(20)
    make_orders(20, unit="", body="事项：无地址。")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/hotline/?state=").status_code == 200
    with CaptureQueriesContext(connection) as many_triage:
        client.get("/hotline/triage/")
    assert len(many) == len(few)
    assert len(many_triage) == len(few_triage)
    assert not any("COUNT(*)" in q["sql"].upper() and "cases_hotlineorder" in q["sql"] for q in many.captured_queries)


def test_filters_search_and_bounded_pages(make_orders, login, duruan_officer):
    make_orders(30)
    special = make_orders(body="地址：杜阮镇龙榜村。事项：焚烧垃圾产生浓烟。")[0]
    client = login(duruan_officer)
    page = client.get("/hotline/", {"q": "浓烟"}).content.decode()
    assert special.order_no in page and page.count('data-order="') == 1
    assert client.get("/hotline/", {"q": special.order_no + "-HBD"}).content.decode().count('data-order="') == 1
    first = client.get("/hotline/").content.decode()
    assert first.count('data-order="') == 25 and "page=2" in first
    assert client.get("/hotline/", {"deadline": "overdue"}).status_code == 200
    received = timezone.localtime(special.received_at).date()
    same_day = client.get("/hotline/", {"received_from": received, "received_to": received}).content.decode()
    assert same_day.count('data-order="') == 25
    next_day = received + datetime.timedelta(days=1)
    assert 'data-order="' not in client.get("/hotline/", {"received_from": next_day}).content.decode()


def test_upload_page_preview_confirm_and_report(login, duruan_head, django_capture_on_commit_callbacks):
    client = login(duruan_head)
    content = xlsx_bytes(JIANGMEN, [jiangmen_row("0826000000000000001"), jiangmen_row("", body="无编号")])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/hotline/imports/", {"file": support.upload(content, "march.xlsx")})
    job = HotlineImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hotline/imports/{job.pk}/"
    assert len(callbacks) == 1  # the reading task is queued after the commit
    page = client.get(f"/hotline/imports/{job.pk}/").content.decode()
    assert "hx-get" in page  # the progress polls while the job runs
    importing.import_read(job.pk)
    page = client.get(f"/hotline/imports/{job.pk}/").content.decode()
    assert 'data-testid="confirm"' in page and 'data-count="new">1<' in page
    assert 'data-row="4"' in page  # the row without a number, with its row number (title, header, 1st row)
    progress = client.get(f"/hotline/imports/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"
    report = client.get(f"/hotline/imports/{job.pk}/report.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][:2] == [4, None]
    with django_capture_on_commit_callbacks():
        client.post(f"/hotline/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING and job.confirmed_by == duruan_head


def test_an_unreadable_file_gets_a_clear_message(login, duruan_head):
    client = login(duruan_head)
    response = client.post("/hotline/imports/", {"file": support.upload(b"\xd0\xcf\x11\xe0old", "a.xls")})
    assert response.status_code == 200
    assert ".xls" in response.content.decode() and not HotlineImport.objects.exists()


def test_reply_export_in_the_hotlines_columns_through_the_chokepoint(
    make_orders, login, duruan_officer, baisha_officer
):
    mine = make_orders()[0]
    make_orders(unit="白沙街道办事处")
    services.order_accept(order=mine, actor=duruan_officer)
    services.order_reply(order=mine, actor=duruan_officer, text="已处理")
    response = login(duruan_officer).get("/hotline/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("工单编号", "市级编号", "办件状态", "处理结果", "完成时间")
    assert len(rows) == 2 and rows[1][0] == mine.order_no and rows[1][2] == "已办结" and rows[1][3] == "已处理"
    assert AuditLog.objects.filter(action="cases.workorder.replies_exported", actor_id=duruan_officer.pk).exists()


def test_home_panels_for_officers_heads_and_admins(orders, login, duruan_officer, duruan_head, district_admin):
    assert 'data-panel="hotline_deadlines"' in login(duruan_officer).get("/").content.decode()
    head_home = login(duruan_head).get("/").content.decode()
    assert 'data-panel="hotline_deadlines"' in head_home and 'data-panel="hotline_triage"' in head_home
    admin_home = login(district_admin).get("/").content.decode()
    assert 'data-testid="hotline-triage">1<' in admin_home


# --- the live feed -------------------------------------------------------------------------------
@pytest.fixture
def token(district_admin):
    return services.source_create(actor=district_admin, name="江门12345平台")[1]


def post(payload, token=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = raw if raw is not None else json.dumps(payload, ensure_ascii=False)
    return Client().post("/hotline/api/orders/", body, content_type="application/json", headers=headers)


OPEN311 = {
    "service_request_id": "0826081308493182401",
    "requested_datetime": "2026-03-02T09:30:00+08:00",
    "description": "地址：江门市蓬江区杜阮镇龙榜村。事项：焚烧垃圾。",
    "agency_responsible": "杜阮镇人民政府",
    "诉求类型": "投诉",
    "lat": "22.60406",
    "long": "113.0098",
}


def test_feed_requires_a_valid_token(token):
    assert post([OPEN311]).status_code == 401
    assert post([OPEN311], token="wrong.token").status_code == 401
    assert Client().get("/hotline/api/orders/").status_code == 405


def test_feed_takes_open311_and_chinese_names(token):
    response = post(
        [OPEN311, {"工单编号": "GD2026030200001", "受理时间": "2026-03-02 10:00", "市民诉求": "咨询办证"}], token
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] and [i["result"] for i in body["items"]] == ["created", "created"]
    order = HotlineOrder.objects.get(order_no="0826081308493182401")
    assert order.township.code == "duruan" and order.matter == "焚烧垃圾"
    assert str(order.latitude) == "22.604060"
    assert post([OPEN311], token).json()["items"][0]["result"] == "unchanged"
    raw = HotlineRawRow.objects.filter(order_no=order.order_no).first()
    assert raw.cells == OPEN311  # kept exactly as received


def test_feed_bad_input_is_a_400_with_errors_per_item_and_nothing_applied(token):
    assert post(None, token, raw="{not json").status_code == 400
    assert post([], token).status_code == 400
    response = post([OPEN311, {"service_request_id": "", "description": "无编号"}, "text", {"foo": "bar"}], token)
    assert response.status_code == 400
    errors = {e["item"]: e["errors"] for e in response.json()["errors"]}
    assert set(errors) == {1, 2, 3}
    assert not HotlineOrder.objects.exists()
    job = HotlineImport.objects.get(pk=response.json()["job"])
    assert job.status == ImportStatus.REFUSED and job.rows_read == 4  # refused, but every item kept


def test_feed_too_large_is_a_json_400(token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post([OPEN311] * 3, token)
    assert response.status_code == 400 and response.json()["errors"][0]["errors"]


def test_feed_duplicates_in_one_delivery(token):
    later = {**OPEN311, "description": "事项：再次反映。"}
    body = post([OPEN311, later], token).json()
    assert [i["result"] for i in body["items"]] == ["superseded", "created"]
    assert HotlineOrder.objects.get().matter == "再次反映"


def test_feed_sources_page_shows_a_token_once(login, district_admin, duruan_head):
    from cases.hotline.models import HotlineSource

    admin = login(district_admin)
    page = admin.post("/hotline/sources/", {"name": "江门12345平台", "note": "生产"}).content.decode()
    source = HotlineSource.objects.get()
    assert 'data-testid="token"' in page and source.key_id in page
    assert 'data-testid="token"' not in admin.get("/hotline/sources/").content.decode()  # shown once
    rotated = admin.post(f"/hotline/sources/{source.pk}/rotate/").content.decode()
    old_key = source.key_id
    source.refresh_from_db()
    assert source.key_id != old_key and source.key_id in rotated
    admin.post(f"/hotline/sources/{source.pk}/active/", {"active": "0"})
    source.refresh_from_db()
    assert not source.is_active
    assert login(duruan_head).get("/hotline/sources/").status_code == 403
