"""Whose orders an import may write: a township's import only its own; the district's, all.

An officer's file may carry orders the hotline routed to another township (an export made for the
whole district, a file passed around). Those rows change nothing, and the preview names them by
row only: what they hold belongs to another township.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from cases.hotline import applying, importing, selectors
from cases.hotline.models import HotlineOrder
from pengjiang_enforcement.models import AuditLog
from tests.factories import unit

from .support import JIANGMEN, csv_bytes, jiangmen_row, read, run

pytestmark = pytest.mark.django_db

BAISHA_BODY = "地址：江门市蓬江区白沙街道白石路8号。事项：占道经营。"
DURUAN = "0750202603010000001"
BAISHA_OLD = "0750202603010000002"
BAISHA_NEW = "0750202603010000003"
NOWHERE = "0750202603010000004"
TRIAGE = "0750202603010000005"


@pytest.fixture
def existing(district_admin):
    """Orders already in the portal: one of 杜阮, one of 白沙, one waiting in triage."""
    run(
        district_admin,
        csv_bytes(
            JIANGMEN,
            [
                jiangmen_row(DURUAN),
                jiangmen_row(BAISHA_OLD, unit="白沙街道办事处", body=BAISHA_BODY, person="王先生"),
                jiangmen_row(TRIAGE, unit="", body="地址：某小区门口。事项：路灯不亮。"),
            ],
        ),
        "district.csv",
    )
    assert HotlineOrder.objects.get(order_no=TRIAGE).township is None
    return {o.order_no: o for o in HotlineOrder.objects.all()}


def _officers_file() -> bytes:
    """What a 杜阮 officer uploads: changes to all three, plus two new orders."""
    return csv_bytes(
        JIANGMEN,
        [
            jiangmen_row(DURUAN, title="杜阮：标题已更新"),
            jiangmen_row(BAISHA_OLD, unit="杜阮镇人民政府", title="改写白沙的工单", person="冒名"),
            jiangmen_row(BAISHA_NEW, unit="白沙街道办事处", body=BAISHA_BODY),
            jiangmen_row(NOWHERE, unit="", body="地址：不明。事项：未说明地点的投诉。"),
            jiangmen_row(TRIAGE, unit="杜阮镇人民政府", title="认领分拨中的工单"),
        ],
    )


def test_hotline_import_scope_a_township_writes_its_own_orders_only(existing, duruan_officer):
    before = {no: (o.title, o.complainant, o.township_id, o.route_method) for no, o in existing.items()}
    job = run(duruan_officer, _officers_file(), "officer.csv")
    orders = {o.order_no: o for o in HotlineOrder.objects.all()}
    duruan = unit("duruan")
    # its own order changes; the new order it cannot place stays with the importer
    assert orders[DURUAN].title == "杜阮：标题已更新"
    assert orders[NOWHERE].township == duruan and orders[NOWHERE].route_method == "importer"
    # another township's order, a new order of another township, an order in triage: untouched
    for number in (BAISHA_OLD, TRIAGE):
        o = orders[number]
        assert (o.title, o.complainant, o.township_id, o.route_method) == before[number]
    assert BAISHA_NEW not in orders
    assert job.result == {"created": 1, "updated": 1, "unchanged": 0, "superseded": 0, "foreign": 3}


def test_hotline_import_scope_the_preview_names_foreign_rows_without_their_content(existing, duruan_officer):
    job = read(duruan_officer, _officers_file(), "officer.csv")
    counts = job.counts
    assert (counts["new"], counts["updated"], counts["unchanged"], counts["foreign"]) == (1, 1, 0, 3)
    assert counts["foreign_rows"] == [3, 4, 6]  # rows 3 (白沙's), 4 (new for 白沙), 6 (triage)
    assert counts["townships"] == {str(unit("duruan").pk): 2}
    page = selectors.import_page(duruan_officer, job)
    shown = {row.order_no for row in page.preview["new"]} | {u["row"].order_no for u in page.preview["updated"]}
    assert shown == {DURUAN, NOWHERE}  # nothing of the foreign rows, not even which fields differ


def test_hotline_import_scope_the_import_page_says_so(existing, duruan_officer, login):
    job = read(duruan_officer, _officers_file(), "officer.csv")
    body = login(duruan_officer).get(f"/hotline/imports/{job.pk}/").content.decode()
    assert 'data-count="foreign"' in body and "改写白沙的工单" not in body and "王先生" not in body


def test_hotline_import_scope_every_order_written_gets_its_own_audit_row(existing, duruan_officer):
    run(duruan_officer, _officers_file(), "officer.csv")
    orders = ContentType.objects.get_for_model(HotlineOrder)
    by_officer = AuditLog.objects.filter(content_type=orders, actor=duruan_officer)
    audited = {HotlineOrder.objects.get(pk=row.object_id).order_no: row.action for row in by_officer}
    assert audited == {
        DURUAN: "cases.workorder.updated_by_import",
        NOWHERE: "cases.workorder.created_by_import",
    }


def test_hotline_import_scope_the_district_covers_every_township(existing, district_admin):
    job = read(district_admin, _officers_file(), "district-again.csv")
    assert job.counts["foreign"] == 0 and job.counts["foreign_rows"] == []
    townships = job.counts["townships"]
    assert townships[str(unit("baisha").pk)] == 2  # 白沙's order changed, and its new one
    importing.import_confirm(job=job, actor=district_admin)
    applying.import_apply(job.pk)
    assert HotlineOrder.objects.get(order_no=BAISHA_OLD).title == "改写白沙的工单"
    assert HotlineOrder.objects.filter(order_no=BAISHA_NEW).exists()
