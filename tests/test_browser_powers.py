"""Browser journeys through the delegated-powers catalogue (Playwright driving Chromium)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from powers.choices import ItemStatus
from powers.models import PowerItem
from powers.tests.factories import make_item
from tests.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "序号,事项编码,事项名称,职权类型,实施部门,罚款下限,罚款上限,适用镇街\n"
    "1,440703999001,对占道经营的行政处罚,行政处罚,区城管执法局,0,2000,全部\n"
    "2,440703999002,对露天焚烧秸秆的行政处罚,行政处罚,生态环境蓬江分局,500,2000,镇\n"
).encode("gbk")


def test_admin_imports_a_gbk_csv_watches_it_run_and_confirms(
    page, live_portal, celery_worker_thread, district_admin, settings, tmp_path
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
    page.locator(".alert-success:has-text('项已生效')").wait_for(timeout=30000)
    assert PowerItem.objects.count() == 2
    page.screenshot(path=str(tmp_path / "import.png"))


def test_admin_recalls_an_item_by_procedure(page, live_portal, district_admin):
    item = make_item(name="对占道经营的行政处罚", townships=["duruan", "baisha"])
    sign_in(page, live_portal, "qu_admin")
    page.goto(f"{live_portal.url}/catalogue/items/{item.pk}/")
    page.click("button:has-text('提出调整')")
    page.click("a.dropdown-item:has-text('收回')")
    page.check("text=杜阮镇")
    page.fill("#id_effective_date", timezone.localdate().isoformat())
    page.fill("#id_reason", "专业性强，镇街难以承接")
    page.click("button:has-text('提交')")
    page.fill("#id_note", "依据充分")
    page.click("button:has-text('审核通过')")
    page.fill("#id_note", "同意收回")
    page.click("button:has-text('批准')")
    assert "调整已批准并生效" in page.locator(".alert-success").inner_text()
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_FORCE
    assert not item.delegations.filter(township__code="duruan", valid_to__isnull=True).exists()


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
