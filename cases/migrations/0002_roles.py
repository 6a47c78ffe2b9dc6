"""Grant the roles their permissions on leads and cases."""

from django.db import migrations

from cases.roles import CASES_PERMISSIONS
from pengjiang_enforcement.roles import grant_role_permissions


def forwards(apps, schema_editor):
    grant_role_permissions(apps, CASES_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("core", "0003_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
