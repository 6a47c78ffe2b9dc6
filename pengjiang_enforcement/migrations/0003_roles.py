"""Create the role groups and grant them their permissions on the shared kernel's models."""

from django.db import migrations

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.roles import CORE_PERMISSIONS, grant_role_permissions


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    grant_role_permissions(apps, CORE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
