"""Grant the roles their permissions on the catalogue."""

from django.db import migrations

from pengjiang_enforcement.roles import grant_role_permissions
from powers.roles import POWERS_PERMISSIONS


def forwards(apps, schema_editor):
    grant_role_permissions(apps, POWERS_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("powers", "0001_initial"), ("core", "0003_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
