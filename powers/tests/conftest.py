"""Uploaded files of the catalogue tests go to a temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reviewer(db):
    """A second district admin, who reviews and approves what ``district_admin`` proposes."""
    from .factories import second_admin

    return second_admin()
