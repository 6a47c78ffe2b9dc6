"""The officer's journey through a case, in Chromium: lead, check, filing with a colleague,
the head's approval, parties, evidence and a record, deadlines and the timeline; then the same
case on a phone. Screenshots go to $CASES_SCREENSHOTS when set (else a temporary folder)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from cases.identity import make_resident_id
from cases.models import Case
from cases.tests.factories import PNG, item_for
from tests.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose_item(page, words: str, item) -> None:
    """Choose a catalogue item in the filing form's picker by typing words of it."""
    page.fill("[data-testid=item-search]", words)
    page.click(f"#item-chooser [role=option]:has-text('{item.full_code}')")
    assert page.input_value("#id_power_item") == str(item.pk)


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CASES_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_officer_files_a_case_with_a_colleague_and_investigates_it(
    browser, page, phone, live_portal, duruan_officer, duruan_colleague, duruan_head, shots, tmp_path
):
    item = item_for(townships=("duruan",))
    today = timezone.localdate()
    url = live_portal.url

    # register a lead and check it
    sign_in(page, live_portal, "dr_alice")
    page.click("#mainnav >> text=案源")
    page.click("[data-testid=new-lead]")
    page.select_option("#id_source", "patrol")
    page.fill("#id_discovered_on", today.isoformat())
    page.fill("#id_place", "杜阮镇杜阮北路12号门前")
    page.fill("#id_description", "巡查发现商户占用人行道摆卖水果，影响行人通行。")
    page.click("[data-testid=save-lead]")
    assert "综执源〔" in page.locator("[data-testid=lead-reference]").inner_text()
    page.click("[data-testid=start-check]")
    assert page.locator(".alert-success").inner_text().strip() == "已开始核查。"

    # file a case with a colleague
    page.click("[data-testid=propose-filing]")
    choose_item(page, "摆卖", item)
    page.fill("#id_title", "擅自占道摆卖案")
    page.check(f"#co_{duruan_colleague.pk}")
    page.screenshot(path=str(shots / "journey-1-filing-form-desktop.png"), full_page=True)
    page.click("[data-testid=submit-filing]")
    assert page.locator("[data-state=filing_pending]").first.is_visible()
    case = Case.objects.get()

    # the head approves it
    head_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    head = head_context.new_page()
    sign_in(head, live_portal, "dr_head_t")
    head.click("[data-panel=approvals] >> text=擅自占道摆卖案")
    head.screenshot(path=str(shots / "journey-2-approval-desktop.png"), full_page=True)
    head.click("[data-testid=approve]")
    number = head.locator("[data-testid=case-number]").inner_text()
    assert number == f"蓬江杜阮综执立〔{today.year}〕1号"
    head_context.close()

    # the officer adds a party, evidence and an inspection record
    page.goto(f"{url}/cases/{case.pk}/")
    assert page.locator("[data-testid=case-number]").inner_text() == number
    page.click("#parties >> text=添加当事人")
    page.fill("#id_name", "王小明")
    page.select_option("#id_gender", "male")
    page.fill("#id_id_number", make_resident_id("440703", datetime.date(1980, 5, 17), 1))
    page.fill("#id_phone", "13800000000")
    page.click("[data-testid=save-party]")
    assert "已添加当事人 王小明。" in page.locator(".alert-success").inner_text()

    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    page.click("#evidence >> text=添加证据")
    page.select_option("#id_kind", "audiovisual")
    page.fill("#id_title", "现场照片")
    page.set_input_files("#id_files", str(photo))
    page.click("[data-testid=save-evidence]")
    assert page.locator("[data-testid=file-link]").first.inner_text() == "现场照片.png"

    page.click("#records >> text=现场检查笔录")
    now = timezone.localtime()
    page.fill("#id_started_at", (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ended_at", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_present_persons", "王小明（当事人）")
    page.select_option("#id_recorder", str(duruan_colleague.pk))
    page.check("#id_certificates_shown")
    page.fill("#id_findings", "当事人在人行道上摆卖水果，占道约6平方米。")
    page.check("#id_party_signed")
    page.click("button:has-text('保存')")
    assert page.locator(".alert-success").inner_text().strip() == "现场检查笔录已保存。"

    # deadlines and the timeline
    assert page.locator("[data-deadline=decision]").is_visible()
    timeline = page.locator("[data-testid=timeline]").inner_text()
    for step in ("提请立案审批", "批准立案", "添加当事人", "添加证据", "制作现场检查笔录"):
        assert step in timeline
    page.screenshot(path=str(shots / "journey-3-case-desktop.png"), full_page=True)

    # the same case on a phone
    sign_in(phone, live_portal, "dr_alice")
    phone.goto(f"{url}/cases/{case.pk}/")
    assert phone.locator("[data-testid=case-number]").inner_text() == number
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(shots / "journey-4-case-phone.png"), full_page=True)
    phone.goto(f"{url}/cases/")
    assert number in phone.locator("[data-testid=case-table]").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(shots / "journey-5-queue-phone.png"), full_page=True)


def test_a_refused_filing_shows_the_rule_in_the_browser(page, live_portal, duruan_officer, duruan_colleague):
    item = item_for(townships=("duruan",))
    from cases.tests.factories import make_lead

    lead = make_lead(duruan_officer)
    sign_in(page, live_portal, "dr_alice")
    page.goto(f"{live_portal.url}/leads/{lead.pk}/file/")
    choose_item(page, item.code, item)
    page.fill("#id_title", "一人立案")
    page.click("[data-testid=submit-filing]")
    # the rule is shown beside the officers it is about
    assert "第四十二条" in " ".join(page.locator(".invalid-feedback").all_inner_texts())
    assert page.input_value("#id_title") == "一人立案"


def test_the_item_picker_searches_by_words_and_works_on_a_phone(
    page, phone, live_portal, duruan_officer, duruan_colleague, shots
):
    from cases.tests.factories import make_lead

    stall = item_for(townships=("duruan",), name="对占道摆卖的行政处罚")
    noise = item_for(townships=("duruan",), name="对社会生活噪声扰民的行政处罚")
    lead = make_lead(duruan_officer)
    sign_in(page, live_portal, "dr_alice")
    page.goto(f"{live_portal.url}/leads/{lead.pk}/file/")
    assert not page.locator("#id_power_item").is_visible()  # the select became a search box
    assert not page.locator(f"[data-officer='{duruan_officer.pk}']").is_visible()  # not his own colleague
    page.fill("[data-testid=item-search]", "噪声")
    options = page.locator("#item-chooser [role=option]")
    options.first.wait_for()
    assert options.count() == 1 and noise.name in options.first.inner_text()
    page.fill("[data-testid=item-search]", "占道")
    page.locator(f"#item-chooser [role=option]:has-text('{stall.name}')").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_power_item") == str(stall.pk)
    assert page.input_value("[data-testid=item-search]") == f"{stall.full_code} {stall.name}"
    page.screenshot(path=str(shots / "picker-desktop.png"), full_page=True)
    page.select_option("#id_lead_officer", str(duruan_colleague.pk))
    assert page.locator(f"[data-officer='{duruan_officer.pk}']").is_visible()
    assert not page.locator(f"[data-officer='{duruan_colleague.pk}']").is_visible()

    sign_in(phone, live_portal, "dr_alice")
    phone.goto(f"{live_portal.url}/leads/{lead.pk}/file/")
    phone.fill("[data-testid=item-search]", "噪声")
    phone.locator("#item-chooser [role=option]").first.tap()
    assert phone.input_value("#id_power_item") == str(noise.pk)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(shots / "picker-phone.png"), full_page=True)


def test_a_returned_filing_shows_the_heads_reasons_as_a_banner(
    page, live_portal, duruan_officer, duruan_colleague, duruan_head, shots
):
    from cases import services
    from cases.tests.factories import make_pending_case

    item = item_for(townships=("duruan",))
    case = make_pending_case(duruan_officer, duruan_colleague, item=item)
    services.case_return_filing(
        case=case, actor=duruan_head, reason="违法行为发生日期有误，请核实。", expected_version=case.version
    )
    sign_in(page, live_portal, "dr_alice")
    page.goto(f"{live_portal.url}/cases/{case.pk}/")
    banner = page.locator("[data-testid=filing-returned]")
    assert "违法行为发生日期有误，请核实。" in banner.inner_text() and "黄主任" in banner.inner_text()
    page.screenshot(path=str(shots / "returned-case.png"), full_page=True)
    page.click("[data-testid=case-actions] >> text=编辑")
    assert "违法行为发生日期有误" in page.locator("[data-testid=filing-returned]").inner_text()
    page.fill("#id_act_date", (case.act_date - datetime.timedelta(days=1)).isoformat())
    page.click("[data-testid=submit-filing]")
    case.refresh_from_db()
    assert case.act_date == case.lead.discovered_on - datetime.timedelta(days=1)


def test_the_case_queue_filters_by_an_item_found_in_the_picker(
    browser, page, phone, live_portal, duruan_officer, duruan_colleague, duruan_head, shots
):
    from cases.tests.factories import make_filed_case

    stall = item_for(townships=("duruan",), name="对占道摆卖的行政处罚")
    noise = item_for(townships=("duruan",), name="对社会生活噪声扰民的行政处罚")
    a = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=stall)
    b = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=noise)
    sign_in(page, live_portal, "dr_alice")
    page.goto(f"{live_portal.url}/cases/")
    page.click("[data-bs-target='#more-filters']")
    search = page.locator("[data-testid=item-search]")
    search.wait_for()
    assert not page.locator("#id_item").is_visible()  # the select became a search box
    assert not page.locator("#item-code-fallback").is_visible()  # the code input is for no JavaScript
    search.fill("噪声")
    page.locator(".item-picker [role=option]").first.click()
    assert page.input_value("#id_item") == str(noise.pk)
    page.click("[data-testid=case-filters] button[type=submit]")
    page.wait_for_url(f"**item={noise.pk}**")
    table = page.inner_text("[data-testid=case-table]")
    assert b.number in table and a.number not in table
    assert page.input_value("[data-testid=item-search]") == f"{noise.full_code} {noise.name}"
    page.screenshot(path=str(shots / "queue-item-desktop.png"), full_page=True)

    sign_in(phone, live_portal, "dr_alice")
    phone.goto(f"{live_portal.url}/cases/?item={noise.pk}")  # the filters stay open with an item chosen
    phone.fill("[data-testid=item-search]", "占道")
    phone.locator(".item-picker [role=option]").first.tap()
    assert phone.input_value("#id_item") == str(stall.pk)
    phone.tap("[data-testid=case-filters] button[type=submit]")
    phone.wait_for_url(f"**item={stall.pk}**")
    table = phone.inner_text("[data-testid=case-table]")
    assert a.number in table and b.number not in table
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(shots / "queue-item-phone.png"), full_page=True)
