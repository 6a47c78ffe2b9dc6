"""Unit names in the forms files write them reduce to one key; an ambiguous name is refused."""

from __future__ import annotations

import pytest

from pengjiang_enforcement.unitnames import AmbiguousUnitName, NamedUnit, UnitNames, name_key


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("区城市管理和综合执法局", "江门市蓬江区城市管理和综合执法局"),
        ("区城管执法局", "江门市蓬江区城市管理和综合执法局"),
        ("城管局", "江门市蓬江区城市管理和综合执法局"),
        ("区卫生健康局", "江门市蓬江区卫生健康局"),
        ("卫健局", "江门市蓬江区卫生健康局"),
        ("区住房和城乡建设局", "江门市蓬江区住房和城乡建设局"),
        ("市场监管蓬江分局", "江门市市场监督管理局蓬江分局"),
        ("蓬江区市场监督管理局", "江门市市场监督管理局蓬江分局"),
        ("区生态环境局", "江门市生态环境局蓬江分局"),
        ("自然资源蓬江分局", "江门市自然资源局蓬江分局"),
        ("杜阮镇人民政府", "杜阮镇"),
        ("白沙街道办事处", "白沙街道"),
        ("（区）卫生 健康局", "江门市蓬江区卫生健康局"),
    ],
)
def test_usual_forms_share_the_key_of_the_official_name(written, official):
    assert name_key(written) == name_key(official)


def test_different_units_keep_different_keys():
    names = [
        "江门市蓬江区卫生健康局",
        "江门市蓬江区住房和城乡建设局",
        "江门市市场监督管理局蓬江分局",
        "江门市蓬江区城市管理和综合执法局",
        "杜阮镇",
        "白沙街道",
        "江门市蓬江区司法局",
    ]
    keys = {name_key(n) for n in names}
    assert len(keys) == 7


def test_an_exact_name_wins_over_a_shared_key_and_a_shared_key_is_ambiguous():
    names = UnitNames(
        [
            NamedUnit(
                1,
                "江门市蓬江区城市管理和综合执法局",
                ("江门市蓬江区城市管理和综合执法局", "区城管执法局", "dept-urban"),
            ),
            NamedUnit(2, "江门市蓬江区城市管理局", ("江门市蓬江区城市管理局", "区城市管理局", "dept-city")),
        ]
    )
    assert names.resolve("区城管执法局") == 1
    assert names.resolve("dept-city") == 2
    assert names.resolve("区卫健局") is None
    with pytest.raises(AmbiguousUnitName) as ambiguous:
        names.resolve("区城管局")
    assert ambiguous.value.candidates == ["江门市蓬江区城市管理和综合执法局", "江门市蓬江区城市管理局"]
