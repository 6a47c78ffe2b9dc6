"""Grant the roles their permissions on 12345 work orders (see ``cases.hotline.roles``)."""

from django.db import migrations

from cases.hotline.roles import HOTLINE_PERMISSIONS
from pengjiang_enforcement.roles import grant_role_permissions


def forwards(apps, schema_editor):
    grant_role_permissions(apps, HOTLINE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("cases", "0100_hotline"), ("core", "0003_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
