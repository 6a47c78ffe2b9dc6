"""What the eye checks on the shell: the calendar's colours, capitals in English, the phone's home."""

from __future__ import annotations

import pytest

from tests.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"el => getComputedStyle(el).{prop}")


def test_calendar_grid_colours_days_as_its_legend(page, live_portal, district_admin):
    sign_in(page, live_portal, "qu_admin")
    page.goto(f"{live_portal.url}/calendar/?year=2026")
    legend_off = _style(page, ".badge.cal-off", "backgroundColor")
    legend_make_up = _style(page, ".badge.cal-makeup", "backgroundColor")
    legend_weekend = _style(page, ".badge.cal-weekend", "color")
    plain = _style(page, "td[title='2026-03-03']", "backgroundColor")  # an ordinary Tuesday
    assert legend_off != plain and legend_make_up != plain
    # 元旦 on Thursday 1 January 2026; Sunday 4 January worked; Saturday 7 March an ordinary weekend.
    assert _style(page, "td[title='2026-01-01']", "backgroundColor") == legend_off
    assert _style(page, "td[title='2026-01-04']", "backgroundColor") == legend_make_up
    assert _style(page, "td[title='2026-03-07']", "color") == legend_weekend
    assert _style(page, "td[title='2026-03-03']", "color") != legend_weekend


def test_english_headings_and_labels_start_with_a_capital(page, live_portal, district_admin):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_portal.url}])
    sign_in(page, live_portal, "qu_admin")
    for path in ("/calendar/", "/audit/", "/units/"):
        page.goto(f"{live_portal.url}{path}")
        texts = page.eval_on_selector_all(
            "th, dt, label, legend", "els => els.map(e => e.innerText.trim()).filter(t => t)"
        )
        assert texts, path
        lower = [t for t in texts if t[0].islower()]
        assert lower == [], (path, lower)
    page.goto(f"{live_portal.url}/calendar/")
    assert "Date" in page.eval_on_selector_all("th", "els => els.map(e => e.innerText.trim())")


def _panel_boxes(page) -> dict[str, dict]:
    keys = page.eval_on_selector_all("[data-panel]", "els => els.map(e => e.dataset.panel)")
    boxes = {key: page.locator(f"[data-panel={key}]").bounding_box() for key in keys}
    assert "profile" in boxes and len(boxes) > 2
    return boxes


def test_phone_home_puts_the_work_before_the_account_card(phone, live_portal, duruan_officer):
    sign_in(phone, live_portal, "dr_alice")
    boxes = _panel_boxes(phone)
    account = boxes.pop("profile")
    assert all(box["y"] + box["height"] <= account["y"] for box in boxes.values()), boxes


def test_wide_home_keeps_the_account_card_beside_the_work(page, live_portal, duruan_officer):
    sign_in(page, live_portal, "dr_alice")
    boxes = _panel_boxes(page)
    account = boxes.pop("profile")
    # Top left, with the first panel of work on its right.
    assert account["y"] <= min(box["y"] for box in boxes.values())
    assert any(box["x"] > account["x"] and abs(box["y"] - account["y"]) < 5 for box in boxes.values())
