"""A party's phone and address get their own permission; every reader of cases but the
department liaison is granted it (see ``cases.roles.PARTY_CONTACT_PERMISSIONS``)."""

from django.db import migrations

from cases.roles import PARTY_CONTACT_PERMISSIONS
from pengjiang_enforcement.roles import grant_role_permissions


def forwards(apps, schema_editor):
    grant_role_permissions(apps, PARTY_CONTACT_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("cases", "0108_hotline_dates_possible")]

    operations = [
        migrations.AlterModelOptions(
            name="party",
            options={
                "ordering": ["case", "id"],
                "permissions": [("view_contact_party", "Can view the phone and address of a party")],
                "verbose_name": "party",
                "verbose_name_plural": "parties",
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
