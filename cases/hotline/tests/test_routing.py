"""Routing work orders to townships: by the handling unit, by the address, else to triage."""

from __future__ import annotations

import pytest

from cases.hotline import services
from cases.hotline.choices import OrderState
from cases.hotline.models import GazetteerEntry, HotlineOrder
from cases.hotline.routing import Gazetteer, Place, repeat_key, routes_alone
from cases.services.config import reference_data_save
from pengjiang_enforcement.models import AuditLog, Unit
from pengjiang_enforcement.unitnames import NamedUnit

from .support import JIANGMEN, csv_bytes, jiangmen_row, run

pytestmark = pytest.mark.django_db

DURUAN, BAISHA, TANGXIA = 6, 1, 4
TOWNSHIPS = [
    (BAISHA, "白沙街道", "白沙"),
    (2, "环市街道", "环市"),
    (3, "潮连街道", "潮连"),
    (TANGXIA, "棠下镇", "棠下"),
    (5, "荷塘镇", "荷塘"),
    (DURUAN, "杜阮镇", "杜阮"),
]


def gazetteer(*places: Place) -> Gazetteer:
    return Gazetteer(
        TOWNSHIPS,
        places
        or (
            Place(DURUAN, "龙榜村", True),
            Place(TANGXIA, "良溪村", True),
            Place(3, "芝山村", False),  # not verified: suggests only
            Place(DURUAN, "中心社区", routes_alone("中心社区", True)),
        ),
    )


@pytest.mark.parametrize(
    ("unit", "township"),
    [
        ("杜阮镇人民政府", DURUAN),
        ("蓬江区杜阮镇综合行政执法办公室", DURUAN),
        ("白沙街道办事处", BAISHA),
        ("棠下镇", TANGXIA),
    ],
)
def test_route_by_handling_unit(unit, township):
    result = gazetteer().route(unit=unit, texts=["地址：荷塘镇某村"])
    assert (result.township_id, result.method) == (township, "unit")


def test_a_department_as_handling_unit_falls_back_to_the_address():
    result = gazetteer().route(unit="江门市蓬江区城市管理和综合执法局", texts=["地址：蓬江区棠下镇桐井路3号"])
    assert (result.township_id, result.method) == (TANGXIA, "address")


def test_route_by_a_verified_village_of_the_gazetteer():
    result = gazetteer().route(unit="", texts=["龙榜村村口有人乱倒建筑垃圾"])
    assert (result.township_id, result.method, result.note) == (DURUAN, "address", "龙榜村")


def test_unverified_and_generic_names_only_suggest():
    assert gazetteer().route(unit="", texts=["芝山村路边有车辆长期占道"]).township_id is None
    assert gazetteer().route(unit="", texts=["芝山村路边有车辆长期占道"]).candidates == [3]
    result = gazetteer().route(unit="", texts=["中心社区菜市场噪音"])
    assert result.township_id is None and result.candidates == [DURUAN]


def test_two_townships_named_go_to_triage_with_both_as_candidates():
    result = gazetteer().route(unit="", texts=["从杜阮镇到棠下镇的路上有人摆卖"])
    assert result.township_id is None and set(result.candidates) == {DURUAN, TANGXIA}


def test_places_of_another_district_are_not_ours():
    # 台山市白沙镇 is not 白沙街道; 江海区 orders are the neighbouring district's
    assert gazetteer().route(unit="台山市白沙镇人民政府", texts=["台山市白沙镇墟"]).township_id is None
    assert gazetteer().route(unit="", texts=["地址：江海区礼乐街道德昌电机门口。"]).township_id is None


def test_repeat_key_ignores_how_the_address_is_written():
    first = repeat_key("江门市蓬江区杜阮镇杜阮北路12号", "占道", "占道经营")
    assert first == repeat_key("杜阮镇 杜阮北路12号。", "商户又占道", "占道经营")
    assert first != repeat_key("杜阮镇杜阮北路14号", "占道", "占道经营")
    assert repeat_key("", "占道", "占道经营") == ""


def test_imported_orders_are_routed_by_the_seeded_gazetteer(district_admin):
    content = csv_bytes(
        JIANGMEN,
        [
            jiangmen_row("0826000000000000001", unit="", body="地址：蓬江区荷塘镇塔岗村。事项：违建。"),
            jiangmen_row("0826000000000000002", unit="区城管局", body="地址：良溪村后山。事项：焚烧垃圾。"),
            jiangmen_row("0826000000000000003", unit="", body="地址：江海区礼乐街道。事项：路灯不亮。"),
        ],
    )
    job = run(district_admin, content, "route.csv")
    assert job.counts["triage"] == 1
    routed = dict(HotlineOrder.objects.values_list("order_no", "township__code"))
    assert routed == {
        "0826000000000000001": "hetang",
        "0826000000000000002": "tangxia",
        "0826000000000000003": None,
    }


def test_the_gazetteer_is_data_district_admins_edit_and_triage_can_apply_again(district_admin):
    content = csv_bytes(JIANGMEN, [jiangmen_row("0826000000000000009", unit="", body="地址：芝山村。事项：噪音。")])
    run(district_admin, content, "a.csv")
    order = HotlineOrder.objects.get()
    assert order.in_triage and order.route_candidates == [Unit.objects.get(code="chaolian").pk]
    entry = GazetteerEntry.objects.get(name="芝山村")
    entry.verified, entry.source = True, "核实：蓬江区民政局村居名录"
    reference_data_save(obj=entry, actor=district_admin)
    assert AuditLog.objects.filter(action="cases.gazetteerentry.changed", object_id=str(entry.pk)).exists()
    assert services.triage_reroute(actor=district_admin) == 1
    order.refresh_from_db()
    assert order.township.code == "chaolian" and order.route_method == "address"
    assert order.state == OrderState.PENDING


def _with_units(*units) -> Gazetteer:
    return Gazetteer(TOWNSHIPS, (), units)


def test_route_by_an_alias_of_a_township_or_its_office():
    """An alias the admin gave a township's office routes orders the handling unit names so."""
    names = ("杜阮镇综合行政执法办公室", "杜阮综执办", "duruan-office", "杜执办")
    office = NamedUnit(60, names[0], names)
    result = _with_units((DURUAN, office)).route(unit="杜执办", texts=["地址：荷塘镇某村"])
    assert (result.township_id, result.method) == (DURUAN, "unit")
    assert gazetteer().route(unit="杜执办", texts=[""]).township_id is None


def test_an_ambiguous_handling_unit_names_its_candidates():
    first = NamedUnit(
        60,
        "甲街道综合服务中心",
        (
            "甲街道综合服务中心",
            "综合服务中心",
            "a",
        ),
    )
    second = NamedUnit(61, "乙街道综合服务中心", ("乙街道综合服务中心", "综合服务中心", "b"))
    result = _with_units((BAISHA, first), (TANGXIA, second)).route(unit="综合服务中心", texts=[""])
    assert result.township_id is None
    assert result.ambiguous == ["乙街道综合服务中心", "甲街道综合服务中心"]


def test_hotline_import_resolves_unit_aliases(district_admin):
    """The 12345 import loads the aliases the admin keeps on units."""
    from pengjiang_enforcement.services import unit_update

    unit_update(unit=Unit.objects.get(code="duruan-office"), actor=district_admin, aliases=["杜执办"])
    row = jiangmen_row("0826000000000000777", unit="杜执办", body="地址：某处。事项：噪音。")
    run(district_admin, csv_bytes(JIANGMEN, [row]), "o.csv")
    order = HotlineOrder.objects.get(order_no="0826000000000000777")
    assert order.township.code == "duruan" and order.route_method == "unit"
