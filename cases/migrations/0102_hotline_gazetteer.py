"""The gazetteer: communities and villages of the six townships, for routing 12345 orders.

Reference data, kept by district admins in the admin (``GazetteerEntry``); this migration only
adds what is missing, so their corrections survive. Entries checked against a public listing are
``verified`` and name their source; the others (marked "not verified") were written from memory
and only suggest a township to the triage queue until an admin confirms them against the
current 统计用区划代码 list of the National Bureau of Statistics.
"""

from django.db import migrations

WIKI_DURUAN = "zh.wikipedia 杜阮镇「行政区划」(下辖3社区20村, 据2023年统计用区划代码), via zhwiki.oracleblog.org"
HETANG_LIST = (
    "荷塘镇地名页 47.119.164.151/address_info/440703102 (辖禾冈、吕步、良村…13村); 塔岗村 440703102210 (nagtx.com)"
)
HETANG_NANCUN = "蓬江发布 2021-06-02: 荷塘镇南村村、棠下镇虎岭村列入宜居村庄 (freewechat.com)"
TANGXIA_NEIGHBOURS = "棠下镇迳口村页面的相邻村列表 (qinglite.cn); 周郡村 (115sou.com); 良溪村 (newton.com.tw)"
NOT_VERIFIED = "not verified: written from memory; confirm against the 统计用区划代码 list"

# township code -> [(name, kind, verified, source, aliases)]
ENTRIES = {
    "duruan": [
        *[(name, "community", True, WIKI_DURUAN, []) for name in ("中心社区", "新河社区", "金朗社区")],
        *[
            (name, "village", True, WIKI_DURUAN, aliases)
            for name, aliases in [
                ("中和村", []),
                ("龙溪村", []),
                ("亭园村", ["亭園村"]),
                ("双楼村", []),
                ("井根村", []),
                ("子绵村", []),
                ("松岭村", []),
                ("龙眠村", []),
                ("龙安村", []),
                ("龙榜村", []),
                ("杜阮村", []),
                ("杜臂村", []),
                ("上巷村", []),
                ("松园村", []),
                ("瑶村", []),
                ("北芦村", ["北蘆村"]),
                ("南芦村", ["南蘆村"]),
                ("长乔村", []),
                ("木朗村", []),
                ("贯溪村", []),
            ]
        ],
    ],
    "hetang": [
        ("禾冈村", "village", True, HETANG_LIST, ["禾岗村"]),
        ("吕步村", "village", True, HETANG_LIST, []),
        ("良村村", "village", True, HETANG_LIST, ["良村"]),
        ("篁湾村", "village", True, HETANG_LIST, []),
        ("霞村村", "village", True, HETANG_LIST, ["霞村"]),
        ("康溪村", "village", True, HETANG_LIST, []),
        ("高村村", "village", True, HETANG_LIST, ["高村"]),
        ("三丫村", "village", True, HETANG_LIST, []),
        ("六坊村", "village", True, HETANG_LIST, []),
        ("塔岗村", "village", True, HETANG_LIST, ["塔崗村"]),
        ("为民村", "village", True, HETANG_LIST, []),
        ("唐溪村", "village", True, HETANG_LIST, []),
        ("南村村", "village", True, HETANG_NANCUN, ["南村"]),
    ],
    "tangxia": [
        ("良溪村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("周郡村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("虎岭村", "village", True, HETANG_NANCUN, []),
        ("迳口村", "village", True, TANGXIA_NEIGHBOURS, ["逕口村", "径口村"]),
        ("桐井村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("沙富村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("莲塘村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("乐溪村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("新昌社区", "community", True, TANGXIA_NEIGHBOURS, []),
        ("石滘村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("罗江村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("仁厚村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("横江村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("大林村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("三堡村", "village", True, TANGXIA_NEIGHBOURS, []),
        ("弓田村", "village", True, "良溪村页面: 东邻沙富、弓田、虎岭 (czkjst.org)", []),
        ("河山村", "village", True, "虎岭村介绍: 毗邻河山、三和、横江、弓田四个村委会 (蓬江发布)", []),
        ("三和村", "village", True, "虎岭村介绍: 毗邻河山、三和、横江、弓田四个村委会 (蓬江发布)", []),
        ("石头村", "village", False, NOT_VERIFIED, []),
        ("堡棠村", "village", False, NOT_VERIFIED, []),
        ("天乡村", "village", False, NOT_VERIFIED, []),
    ],
    "chaolian": [
        (name, "village", False, NOT_VERIFIED, [])
        for name in ("富冈村", "芝山村", "坦边村", "卢边村", "豸岗村", "石路村", "潮江村")
    ],
    "huanshi": [(name, "village", False, NOT_VERIFIED, []) for name in ("篁庄村", "里村", "白石村", "龙湾村")],
    "baisha": [(name, "community", False, NOT_VERIFIED, []) for name in ("紫沙社区", "甘化社区", "北郊社区")],
}


def forwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    GazetteerEntry = apps.get_model("cases", "GazetteerEntry")
    townships = {u.code: u for u in Unit.objects.filter(kind="township", code__in=list(ENTRIES))}
    for code, entries in ENTRIES.items():
        township = townships.get(code)
        if township is None:
            continue
        for name, kind, verified, source, aliases in entries:
            GazetteerEntry.objects.get_or_create(
                township=township,
                name=name,
                defaults={"kind": kind, "verified": verified, "source": source, "aliases": aliases},
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0101_hotline_roles"), ("core", "0004_organisation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
