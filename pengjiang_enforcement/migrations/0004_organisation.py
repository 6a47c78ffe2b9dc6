"""The organisation of Pengjiang district: district, townships and streets, offices, departments.

This is real reference data, not demo data: every installation starts with it, and district
admins correct names and short names in the portal (they are data, not code). Codes are stable
identifiers that other data (and the demo) refer to.
"""

from django.db import migrations

DISTRICT = ("pengjiang", "江门市蓬江区", "蓬江")

# code, name, short name, town or street
TOWNSHIPS = [
    ("baisha", "白沙街道", "白沙", "street"),
    ("huanshi", "环市街道", "环市", "street"),
    ("chaolian", "潮连街道", "潮连", "street"),
    ("tangxia", "棠下镇", "棠下", "town"),
    ("hetang", "荷塘镇", "荷塘", "town"),
    ("duruan", "杜阮镇", "杜阮", "town"),
]

# The district departments that delegated enforcement powers to the townships (domain.md 7.3).
DEPARTMENTS = [
    ("dept-urban", "江门市蓬江区城市管理和综合执法局", "区城管执法局"),
    ("dept-housing", "江门市蓬江区住房和城乡建设局", "区住建局"),
    ("dept-natural-resources", "江门市自然资源局蓬江分局", "自然资源蓬江分局"),
    ("dept-ecology", "江门市生态环境局蓬江分局", "生态环境蓬江分局"),
    ("dept-health", "江门市蓬江区卫生健康局", "区卫健局"),
    ("dept-market", "江门市市场监督管理局蓬江分局", "市场监管蓬江分局"),
    ("dept-agriculture", "江门市蓬江区农业农村和水利局", "区农业农村水利局"),
    ("dept-emergency", "江门市蓬江区应急管理局", "区应急管理局"),
    ("dept-culture", "江门市蓬江区文化广电旅游体育局", "区文广旅体局"),
    ("dept-education", "江门市蓬江区教育局", "区教育局"),
    ("dept-civil-affairs", "江门市蓬江区民政局", "区民政局"),
    ("dept-hr", "江门市蓬江区人力资源和社会保障局", "区人社局"),
    ("dept-transport", "江门市蓬江区交通运输局", "区交通运输局"),
    ("dept-fire", "江门市蓬江区消防救援大队", "区消防救援大队"),
]


def forwards(apps, schema_editor):
    Unit = apps.get_model("core", "Unit")
    order = 0

    def make(code, kind, name, short_name, parent=None, township_type=""):
        nonlocal order
        order += 10
        unit, _ = Unit.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "short_name": short_name,
                "parent": parent,
                "township_type": township_type,
                "sort_order": order,
            },
        )
        return unit

    district = make(DISTRICT[0], "district", DISTRICT[1], DISTRICT[2])
    make("justice-bureau", "justice_bureau", "江门市蓬江区司法局", "区司法局", district)
    make(
        "rule-of-law-office",
        "rule_of_law_office",
        "中共江门市蓬江区委全面依法治区委员会办公室",
        "区委依法治区办",
        district,
    )
    for code, name, short_name, township_type in TOWNSHIPS:
        township = make(code, "township", name, short_name, district, township_type)
        township.township = township
        township.save(update_fields=["township"])
        office = make(
            f"{code}-office", "enforcement_office", f"{name}综合行政执法办公室", f"{short_name}执法办", township
        )
        judicial = make(
            f"{code}-judicial",
            "judicial_office",
            f"江门市蓬江区司法局{short_name}司法所",
            f"{short_name}司法所",
            township,
        )
        for unit in (office, judicial):
            unit.township = township
            unit.save(update_fields=["township"])
    for code, name, short_name in DEPARTMENTS:
        make(code, "department", name, short_name, district)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
