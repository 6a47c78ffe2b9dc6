"""The simple procedure on a phone, in Chromium: an officer on patrol decides a fine on the spot
(one page at 390 px), hands the decision over, records the payment and files it for the record;
the office head archives it. Screenshots go to $CASES_SCREENSHOTS when set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from cases.choices import CaseState
from cases.identity import make_resident_id
from cases.models import Case
from cases.tests.factories import item_for
from tests.fixtures import sign_in

from .test_browser_cases import choose_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CASES_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_officer_decides_on_the_spot_on_a_phone_and_the_head_archives(
    browser, phone, live_portal, duruan_officer, duruan_colleague, duruan_head, shots
):
    import datetime

    item = item_for(townships=("duruan",))
    year = timezone.localdate().year
    url = live_portal.url

    sign_in(phone, live_portal, "dr_alice")
    phone.goto(f"{url}/leads/")
    phone.click("[data-testid=new-on-spot]")
    fits(phone)
    choose_item(phone, "摆卖", item)
    phone.fill("#id_title", "占道摆卖")
    phone.fill("#id_place", "杜阮镇杜阮北路12号门前")
    phone.fill("#id_facts", "当事人在人行道上摆卖水果，占道约2平方米。")
    phone.fill("#id_legal_basis", "《城市市容和环境卫生管理条例》第三十六条")
    phone.fill("#id_name", "王小明")
    phone.fill("#id_id_number", make_resident_id("440703", datetime.date(1980, 5, 17), 1))
    # 201 yuan for a person is refused, naming Art. 51; the form keeps the input
    phone.fill("#id_amount", "201")
    phone.select_option("#id_co_officer", str(duruan_colleague.pk))
    phone.check("#id_certificates_shown")
    phone.click("[data-testid=submit-on-spot]")
    assert "第五十一条" in phone.content()
    assert not Case.objects.exists()
    phone.fill("#id_amount", "50")
    phone.screenshot(path=str(shots / "simple-1-form-phone.png"), full_page=True)
    phone.click("[data-testid=submit-on-spot]")
    number = phone.locator("[data-testid=case-number]").inner_text()
    assert number == f"蓬江杜阮综执当罚〔{year}〕1号"
    assert "江门市蓬江区人民政府" in phone.locator("#on-spot [data-testid=remedies]").inner_text()
    fits(phone)
    phone.screenshot(path=str(shots / "simple-2-decided-phone.png"), full_page=True)

    phone.click("[data-testid=serve-on-spot]")
    phone.click("[data-testid=pay-on-spot]")
    phone.fill("#id_receipt_number", "YH20260001")
    phone.click("form[novalidate] button[type=submit]")
    assert "YH20260001" in phone.locator("[data-testid=on-spot-payment]").inner_text()
    phone.click("[data-testid=file-for-record]")
    assert Case.objects.get().state == CaseState.FILED_FOR_RECORD

    head_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    head = head_context.new_page()
    sign_in(head, live_portal, "dr_head_t")
    head.goto(f"{url}/cases/{Case.objects.get().pk}/")
    head.click("[data-testid=archive]")
    assert head.locator("[data-state=archived]").first.is_visible()
    fits(head)
    head.screenshot(path=str(shots / "simple-3-archived-phone.png"), full_page=True)
    head_context.close()
    assert Case.objects.get().state == CaseState.ARCHIVED
