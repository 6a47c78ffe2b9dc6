"""Searching the catalogue in Chinese (the tokeniser is tested in core)."""

from __future__ import annotations

import pytest

from pengjiang_enforcement.search import search_query
from powers.models import PowerItem

from .factories import make_item


@pytest.mark.django_db
def test_two_character_words_are_found_and_others_not():
    roadside = make_item(name="对在城市道路两侧擅自摆卖物品的行政处罚")
    noise = make_item(name="对夜间施工产生噪声污染的行政处罚")
    found = set(PowerItem.objects.filter(search_vector=search_query("摆卖")))
    assert found == {roadside}
    assert set(PowerItem.objects.filter(search_vector=search_query("噪声"))) == {noise}
    assert set(PowerItem.objects.filter(search_vector=search_query("行政处罚"))) == {roadside, noise}
    assert not PowerItem.objects.filter(search_vector=search_query("卖噪")).exists()


@pytest.mark.django_db
def test_codes_and_legal_bases_are_searchable():
    item = make_item(penalty_basis="《城市市容和环境卫生管理条例》第三十六条")
    assert set(PowerItem.objects.filter(search_vector=search_query(item.code))) == {item}
    assert item in PowerItem.objects.filter(search_vector=search_query("市容"))
