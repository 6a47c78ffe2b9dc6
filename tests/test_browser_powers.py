"""Browser journeys through the delegated-powers catalogue (Playwright driving Chromium)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from powers.models import PowerItem
from powers.tests.factories import PDF, make_item, second_admin
from tests.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "序号,事项编码,事项名称,职权类型,实施部门,罚款下限,罚款上限,适用镇街\n"
    "1,440703999001,对占道经营的行政处罚,行政处罚,区城管执法局,0,2000,全部\n"
    "2,440703999002,对露天焚烧秸秆的行政处罚,行政处罚,生态环境蓬江分局,500,2000,镇\n"
).encode("gbk")


def test_admin_imports_a_gbk_csv_watches_it_run_and_another_admin_confirms(
    browser, page, live_portal, celery_worker_thread, district_admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    sign_in(page, live_portal, "qu_admin")
    page.goto(f"{live_portal.url}/catalogue/imports/new/")
    page.set_input_files("#id_file", files=[{"name": "目录.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.click("button:has-text('上传并读取')")
    # the job page polls its progress (htmx) and reloads once the preview is ready
    page.locator("[data-testid=preview-add]").wait_for(timeout=30000)
    assert "对露天焚烧秸秆的行政处罚" in page.locator("[data-testid=preview-add]").inner_text()
    assert page.locator("[data-testid=import-counts]").inner_text().startswith("2")
    assert not PowerItem.objects.exists()
    page.click("button:has-text('确认并执行')")
    assert "另一名管理员" in page.locator(".alert-danger").inner_text()  # the uploader does not confirm
    job_url = page.url
    second_admin()
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_in(page, live_portal, "qu_admin2")
    page.goto(job_url)
    page.click("button:has-text('确认并执行')")
    page.locator(".alert-success:has-text('项已生效')").wait_for(timeout=30000)
    assert PowerItem.objects.count() == 2
    page.screenshot(path=str(tmp_path / "import.png"))


def test_recall_by_procedure_with_four_eyes_the_liaisons_opinion_and_the_approving_document(
    browser, page, live_portal, district_admin, department_liaison, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    second_admin()
    item = make_item(name="对占道经营的行政处罚", townships=["duruan", "baisha"])
    day = timezone.localdate() + datetime.timedelta(days=10)
    sign_in(page, live_portal, "qu_admin")
    page.goto(f"{live_portal.url}/catalogue/items/{item.pk}/")
    page.click("button:has-text('提出调整')")
    page.click("a.dropdown-item:has-text('收回')")
    page.check("text=杜阮镇")
    page.fill("#id_effective_date", day.isoformat())
    page.fill("#id_reason", "专业性强，镇街难以承接")
    page.click("button:has-text('提交')")
    adjustment_url = page.url
    # the proposer may not review their own proposal: no button, a note saying who does
    assert page.locator("button:has-text('审核通过')").count() == 0
    assert "另一名管理员" in page.locator("[data-testid=four-eyes]").inner_text()

    liaison = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_in(liaison, live_portal, "cg_liaison_t")
    liaison.goto(adjustment_url)
    liaison.fill("[data-testid=opinion-form] textarea", "同意收回杜阮镇的该项职权。")
    liaison.click("[data-testid=opinion-form] button")
    assert "同意收回杜阮镇的该项职权。" in liaison.locator("[data-testid=opinions]").inner_text()
    liaison.screenshot(path=str(tmp_path / "liaison.png"), full_page=True)

    approver = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_in(approver, live_portal, "qu_admin2")
    approver.goto(adjustment_url)
    approver.fill("#id_note", "依据充分")
    approver.click("button:has-text('审核通过')")
    approver.fill("#id_note", "同意收回")
    approver.fill("#id_document_number", "蓬府函〔2026〕12号")
    approver.set_input_files("#id_document", files=[{"name": "批复.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    approver.click("button:has-text('批准')")
    assert "已批准" in approver.locator(".alert-success").inner_text()
    assert "蓬府函〔2026〕12号" in approver.locator("[data-testid=approval-number]").inner_text()
    with approver.expect_download() as download:
        approver.click("a:has-text('批复.pdf')")
    assert download.value.suggested_filename == "批复.pdf"
    approver.screenshot(path=str(tmp_path / "approved.png"), full_page=True)

    item.refresh_from_db()
    assert item.delegations.filter(township__code="duruan", valid_to__isnull=True).exists()  # not before its date
    page.goto(f"{live_portal.url}/public/items/{item.pk}/")
    assert page.locator("[data-testid=announcement]").inner_text() == f"自{day.year}年{day.month}月{day.day}日起调整"


def test_public_reads_the_catalogue_on_a_phone_signed_out(phone, live_portal):
    both = make_item(name="对占道经营的行政处罚", townships=["duruan", "baisha"])
    make_item(name="对夜间施工噪声扰民的行政处罚", townships=["baisha"])
    PowerItem.objects.update(is_sample=True)
    phone.goto(f"{live_portal.url}/public/")
    assert phone.locator("[data-testid=sample-banner]").is_visible()
    phone.click("[data-testid=township-cards] >> text=杜阮镇")
    assert phone.locator("[data-testid=township-title]").inner_text() == "杜阮镇综合行政执法事项"
    assert "噪声" not in phone.locator("[data-testid=public-items]").inner_text()
    phone.fill("#q", "占道")
    phone.click("button:has-text('搜索')")
    phone.click(f"text={both.name}")
    assert phone.locator("h1").inner_text() == both.name
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
