"""Behaviour that moved out of inline code for the Content-Security-Policy still works in the
browser, and nothing is blocked (the ``page`` and ``phone`` fixtures fail on any CSP report)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from powers.standards import leniency_entry_add
from powers.tests.factories import make_item
from tests.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_language_and_the_unit_kind_switch_as_they_change(page, live_portal, district_admin):
    sign_in(page, live_portal, "qu_admin")
    page.goto(f"{live_portal.url}/units/")
    page.select_option("select[name=kind]", index=1)
    page.wait_for_url("**/units/?kind=*")
    page.select_option("#language", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_print_button_prints_the_public_item(page, live_portal):
    item = make_item(name="对占道经营的行政处罚", townships=["duruan"])
    page.add_init_script("window.print = function () { window.__printed = true; };")
    page.goto(f"{live_portal.url}/public/items/{item.pk}/")
    page.click("[data-print]")
    assert page.evaluate("window.__printed === true")


def test_ending_a_leniency_entry_asks_first(page, live_portal, district_admin):
    item = make_item(name="对占道经营的行政处罚", townships=["duruan"])
    entry = leniency_entry_add(
        actor=district_admin,
        item=item,
        kind="no_penalty",
        circumstances="首次违法",
        basis="《行政处罚法》第三十三条",
        effective_from=timezone.localdate(),
    )
    sign_in(page, live_portal, "qu_admin")
    page.goto(f"{live_portal.url}/catalogue/items/{item.pk}/")
    questions: list[str] = []

    def dismiss(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("button[data-confirm]")
    page.wait_for_timeout(300)
    entry.refresh_from_db()
    assert questions and entry.effective_to is None  # "cancel" sends nothing
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-confirm]")
    page.wait_for_load_state("networkidle")
    entry.refresh_from_db()
    assert entry.effective_to is not None


def test_the_admin_site_runs_under_the_policy(page, live_portal, district_admin):
    sign_in(page, live_portal, "qu_admin")
    page.goto(f"{live_portal.url}/admin/")
    links = page.locator("#content-main a[href$='/']").evaluate_all("links => links.map(a => a.href)")
    assert links
    for href in links[:6]:
        page.goto(href)
        page.wait_for_load_state("networkidle")
    page.goto(links[0])
    add = page.locator("a.addlink")
    if add.count():
        add.first.click()
        page.wait_for_load_state("networkidle")
