"""Parsing 12345 hotline rows: numbers, bodies, phones, cited orders, titles, types."""

from __future__ import annotations

import io

import pytest

from cases.hotline.parsing import (
    HOTLINE_COLUMNS,
    OrderNumberError,
    cited_order_numbers,
    classify_type,
    display_phone,
    normalise_order_no,
    split_body,
    split_title,
)
from pengjiang_enforcement.tabular import open_table
from pengjiang_enforcement.text import is_masked


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0826081308493182401", "0826081308493182401"),
        (" 0826 0813 0849 3182 401 ", "0826081308493182401"),
        ("０８２６０８１３０８４９３１８２４０１", "0826081308493182401"),
        ("0826081308493182401-HBD", "0826081308493182401"),
        ("0826081308493182401HBD1", "0826081308493182401"),
        ("gd2026030100012-hbd", "GD2026030100012"),
        (20260301001.0, "20260301001"),
    ],
)
def test_order_numbers_are_normalised(raw, expected):
    assert normalise_order_no(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "8.26081308493182E+17", "工单#12"])
def test_unusable_order_numbers_are_refused(raw):
    with pytest.raises(OrderNumberError):
        normalise_order_no(raw)


def test_body_with_address_matter_and_remark():
    body = split_body(
        "地址：江门市蓬江区杜阮镇杜阮北路88号门口。_x000D_\n事项：夜间施工噪音扰民。\n备注：此事项转办杜阮镇人民政府。"
    )
    assert body.address == "江门市蓬江区杜阮镇杜阮北路88号门口"
    assert body.matter == "夜间施工噪音扰民"
    assert body.remark == "此事项转办杜阮镇人民政府"


def test_numbered_addresses_and_matters():
    body = split_body("市民反映：地址一：棠下镇桐井村；事项一：垃圾堆放。地址二：棠下镇周郡村；事项二：污水直排。")
    assert body.parts == [("棠下镇桐井村", "垃圾堆放"), ("棠下镇周郡村", "污水直排")]
    assert body.rest == "市民反映："
    assert body.address == "棠下镇桐井村；棠下镇周郡村"


def test_body_without_labels_is_the_matter():
    body = split_body("路灯不亮，请尽快处理")
    assert body.matter == "路灯不亮，请尽快处理" and body.address == ""


def test_masked_phones_stay_masked_and_full_ones_are_masked_for_display():
    assert is_masked("1380******000")
    assert display_phone("1380******000") == "1380******000"
    assert display_phone("13800138000") == "138****8000"
    assert not is_masked("13800138000")


def test_cited_earlier_orders_but_not_12315_numbers_or_itself():
    text = "市民表示此前工单0826081308493182401仍未解决，12315投诉号1234567890123456789012345，本单0826081308493189999"
    assert cited_order_numbers(text, own="0826081308493189999") == ["0826081308493182401"]


def test_title_channel_prefix():
    assert split_title("[粤省心]（江海）要求反映东宁路路灯不亮的问题") == (
        "粤省心",
        "江海",
        "要求反映东宁路路灯不亮的问题",
    )
    assert split_title("【公众号自助】占道经营") == ("公众号自助", "", "占道经营")
    assert split_title("噪音扰民") == ("", "", "噪音扰民")


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("咨询", ""), "consultation"),
        (("", "求助类"), "help"),
        (("建议",), "suggestion"),
        (("投诉", "城市管理"), "complaint"),
        (("举报",), "report"),
        (("", "", "咨询投诉电话号码"), "consultation"),
        (("", "城市管理"), ""),
    ],
)
def test_order_type(texts, expected):
    assert classify_type(*texts) == expected


def test_hotline_columns_match_the_jiangmen_and_knowledge_base_templates():
    jiangmen = "工单编号,受理时间,诉求标题,事项分类一级,事项分类二级,事项分类三级,事项分类四级,市民诉求\n"
    knowledge_base = (
        "序号,办件编号,办件来源,市级编号,诉求主题,诉求内容,办理单位,办理科室,诉求人,"
        "诉求人电话,处理结果,事项大类,事项小类,派发时间,承诺完成时间,办件状态\n"
    )
    first = open_table(io.BytesIO((jiangmen + "1,2026-01-01,t,a,b,c,d,x\n").encode("gbk")), HOTLINE_COLUMNS)
    assert set(first.columns) == {
        "order_no",
        "received_at",
        "title",
        "category_1",
        "category_2",
        "category_3",
        "category_4",
        "content",
    }
    second = open_table(io.BytesIO(knowledge_base.encode("utf-8")), HOTLINE_COLUMNS)
    assert {"order_no", "channel", "city_order_no", "handling_unit", "due_at", "status", "reply"} <= set(second.columns)
    assert second.unknown_headers == ["序号"]
