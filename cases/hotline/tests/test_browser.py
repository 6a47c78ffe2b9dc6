"""The 12345 journeys in Chromium: import an export, route from triage, handle an order; on a
desktop and on a phone, with screenshots in /tmp/shots-hotline/ to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cases.hotline import applying, importing
from cases.hotline.models import HotlineImport, HotlineOrder
from pengjiang_enforcement.choices import Role
from tests.factories import UserFactory, unit
from tests.fixtures import sign_in

from .support import JIANGMEN, jiangmen_row, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("HOTLINE_SHOTS", "/tmp/shots-hotline"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def people(live_portal):
    return {
        "head": UserFactory(username="dr_head_b", full_name="黄主任", unit=unit("duruan-office"),
                            roles=(Role.OFFICE_HEAD, Role.OFFICER), certified=True),
        "officer": UserFactory(username="dr_officer_b", full_name="陈爱丽", unit=unit("duruan-office"), certified=True),
        "admin": UserFactory(username="qu_admin_b", full_name="区管理", unit=unit("pengjiang"),
                             roles=(Role.DISTRICT_ADMIN,)),
    }  # fmt: skip


def export(tmp_path: Path) -> Path:
    rows = [
        jiangmen_row("0826081308493182401"),
        jiangmen_row("0826081308493182402", body="地址：杜阮镇龙榜村工业区。事项：夜间施工噪音扰民。", kind="投诉"),
        jiangmen_row("0826081308493182403", unit="", body="地址：某小区门口。事项：路灯不亮。", kind="求助"),
        jiangmen_row("", body="事项：缺少编号的行。"),
    ]
    path = tmp_path / "12345导出.xlsx"
    path.write_bytes(xlsx_bytes(JIANGMEN, rows))
    return path


def test_import_then_triage_then_handle(page, live_portal, people, tmp_path):
    sign_in(page, live_portal, "dr_head_b")
    page.goto(f"{live_portal.url}/hotline/imports/")
    page.set_input_files("input[type=file]", str(export(tmp_path)))
    page.click("[data-testid=upload] button[type=submit]")
    page.wait_for_url("**/hotline/imports/*/")
    job = HotlineImport.objects.get()
    importing.import_read(job.pk)  # the worker's part, run here (the worker test covers Celery)
    page.reload()
    page.wait_for_selector("[data-testid=confirm]")
    assert page.inner_text("[data-count=new]") == "3"
    shot(page, "import-preview-desktop")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=progress]")
    applying.import_apply(job.pk)
    page.reload()
    page.wait_for_selector("[data-testid=result]")
    shot(page, "import-done-desktop")

    # The township's own import places an order the routing cannot place in the township itself.
    placed = HotlineOrder.objects.get(order_no="0826081308493182403")
    assert placed.township.code == "duruan" and placed.route_method == "importer"

    page.goto(f"{live_portal.url}/hotline/")
    page.wait_for_selector("[data-testid=order-table]")
    assert page.locator("[data-order]").count() == 3
    shot(page, "queue-desktop")
    page.click("[data-order='0826081308493182401'] a")
    page.click("[data-testid=accept]")
    page.wait_for_selector("[data-testid=interim-reply]")
    page.fill("[data-testid=interim-reply] textarea", "已派员现场核查。")
    page.click("[data-testid=interim-reply] button")
    page.wait_for_load_state("networkidle")
    shot(page, "order-desktop")
    page.click("[data-testid=convert]")
    page.wait_for_url("**/leads/*/")
    order = HotlineOrder.objects.get(order_no="0826081308493182401")
    assert order.lead is not None and order.state == "in_progress"
    page.goto(f"{live_portal.url}/")
    page.wait_for_selector("[data-panel=hotline_deadlines]")
    shot(page, "home-head-desktop")


def test_triage_chooses_a_township_on_purpose_or_returns_the_order_and_the_officer_calls_back(
    page, live_portal, people, tmp_path
):
    admin = people["admin"]
    rows = [
        jiangmen_row("0826081308493182411", unit="", body="地址：某小区门口。事项：路灯不亮。"),
        jiangmen_row("0826081308493182412", unit="", body="地址：江海区礼乐街道。事项：路面积水。"),
        jiangmen_row("0826081308493182413", phone="13800138000"),
    ]
    job = importing.import_upload(actor=admin, file=_upload_bytes(xlsx_bytes(JIANGMEN, rows)))
    importing.import_read(job.pk)
    job.refresh_from_db()
    importing.import_confirm(job=job, actor=admin)
    applying.import_apply(job.pk)

    sign_in(page, live_portal, "qu_admin_b")
    page.goto(f"{live_portal.url}/hotline/triage/")
    row = page.locator("[data-order='0826081308493182412']")
    assert row.locator("select[name=township]").input_value() == ""  # 请选择: nothing routed by one click
    row.locator("[data-testid=route]").click()  # the browser asks for a township; nothing is sent
    assert HotlineOrder.objects.get(order_no="0826081308493182412").in_triage
    row.locator("[data-testid=return-untriaged] input[name=reason]").fill("属江海区事项")
    row.locator("[data-testid=return-untriaged] button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-order='0826081308493182412']").count() == 0
    assert HotlineOrder.objects.get(order_no="0826081308493182412").state == "returned"
    shot(page, "triage-returned-desktop")

    page.context.clear_cookies()
    sign_in(page, live_portal, "dr_officer_b")
    order = HotlineOrder.objects.get(order_no="0826081308493182413")
    page.goto(f"{live_portal.url}/hotline/orders/{order.pk}/")
    assert page.inner_text("[data-testid=phone]") == "138****8000"
    page.click("[data-testid=reveal-phone] button")
    page.wait_for_selector("a[data-testid=phone]")
    assert page.inner_text("[data-testid=phone]") == "13800138000"
    shot(page, "phone-revealed-desktop")


def test_pages_fit_a_phone(phone, live_portal, people, tmp_path):
    admin = people["admin"]
    job = importing.import_upload(actor=admin, file=_upload(export(tmp_path)))
    importing.import_read(job.pk)
    job.refresh_from_db()
    importing.import_confirm(job=job, actor=admin)
    applying.import_apply(job.pk)
    order = HotlineOrder.objects.get(order_no="0826081308493182402")
    sign_in(phone, live_portal, "dr_officer_b")
    for name, url in [
        ("queue-phone", "/hotline/"),
        ("order-phone", f"/hotline/orders/{order.pk}/"),
        ("home-officer-phone", "/"),
    ]:
        phone.goto(f"{live_portal.url}{url}")
        phone.wait_for_load_state("networkidle")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, (name, width)  # nothing overflows sideways
        shot(phone, name)
    phone.context.clear_cookies()  # sign out
    sign_in(phone, live_portal, "qu_admin_b")
    for name, url in [("imports-phone", "/hotline/imports/"), ("import-phone", f"/hotline/imports/{job.pk}/"),
                      ("triage-phone", "/hotline/triage/"), ("sources-phone", "/hotline/sources/")]:  # fmt: skip
        phone.goto(f"{live_portal.url}{url}")
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 391, name
        shot(phone, name)


def _upload(path: Path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes())


def _upload_bytes(content: bytes, name: str = "export.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
