"""Fixtures of the cases tests: an item delegated to 杜阮 and 白沙, leads and cases in each state."""

from __future__ import annotations

import pytest

from cases.tests.factories import item_for, make_filed_case, make_lead, make_pending_case


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(db):
    return item_for()


@pytest.fixture
def lead(duruan_officer):
    return make_lead(duruan_officer)


@pytest.fixture
def pending_case(duruan_officer, duruan_colleague, item):
    return make_pending_case(duruan_officer, duruan_colleague, item=item)


@pytest.fixture
def filed_case(duruan_officer, duruan_colleague, duruan_head, item):
    return make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item)
