"""Browser journeys through the web shell (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import pytest

from tests.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_signs_in_lands_on_my_work_and_signs_out(page, live_portal, duruan_officer):
    sign_in(page, live_portal, "dr_alice")
    assert page.locator("[data-testid=home-title]").inner_text() == "我的工作"
    assert page.locator("[data-panel=my_certificates]").is_visible()
    page.click("[data-testid=user-menu]")
    page.click("text=退出登录")
    page.wait_for_url(f"{live_portal.url}/accounts/login/")


def test_wrong_password_shows_a_message(page, live_portal, duruan_officer):
    sign_in(page, live_portal, "dr_alice", "not-the-password")
    assert page.locator(".alert-danger").inner_text().strip() == "用户名或密码不正确，请重试。"


def test_admin_opens_units_and_edits_a_short_name(page, live_portal, district_admin):
    sign_in(page, live_portal, "qu_admin")
    assert page.locator("[data-testid=home-title]").inner_text() == "目录与单位"
    page.click("text=管理单位")
    page.click("text=荷塘镇")
    page.click("text=编辑")
    page.fill("#id_short_name", "荷塘镇")
    page.click("button:has-text('保存')")
    assert "单位信息已保存" in page.locator(".alert-success").inner_text()


def test_phone_menu_collapses_and_opens(phone, live_portal, duruan_supervisor):
    sign_in(phone, live_portal, "dr_judicial")
    assert phone.locator("[data-testid=home-title]").inner_text() == "审查队列"
    people_link = phone.locator("#mainnav >> text=人员")
    assert not people_link.is_visible()
    phone.click(".navbar-toggler")
    people_link.wait_for(state="visible")
    # nothing overflows the phone screen horizontally
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
