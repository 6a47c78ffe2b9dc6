"""Roles and the model permissions each one holds.

Roles are Django groups named after :class:`~pengjiang_enforcement.choices.Role` values,
created by migration ``core.0003_roles``. Each app grants the permissions on its own models in
its own data migrations through :func:`grant_role_permissions`, so the matrix of who may do
what lives next to the models it concerns and is versioned with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .choices import Role

ALL_ROLES: tuple[str, ...] = tuple(Role.values)
TOWNSHIP_STAFF: tuple[str, ...] = (
    Role.OFFICER,
    Role.OFFICE_HEAD,
    Role.LEGAL_REVIEWER,
    Role.TOWNSHIP_LEADER,
    Role.JUDICIAL_SUPERVISOR,
)

# Permissions on the shared kernel's models.
CORE_PERMISSIONS: dict[str, list[str]] = {
    Role.DISTRICT_ADMIN: [
        "core.add_unit",
        "core.change_unit",
        "core.view_unit",
        "core.add_user",
        "core.change_user",
        "core.view_user",
        "core.add_enforcementcertificate",
        "core.change_enforcementcertificate",
        "core.view_enforcementcertificate",
        "core.add_calendaroverride",
        "core.change_calendaroverride",
        "core.view_calendaroverride",
        "core.view_auditlog",
        "auth.view_group",
    ],
    Role.DISTRICT_SUPERVISOR: [
        "core.view_unit",
        "core.view_user",
        "core.view_enforcementcertificate",
        "core.view_calendaroverride",
        "core.view_auditlog",
    ],
    Role.DEPARTMENT_LIAISON: ["core.view_unit", "core.view_calendaroverride"],
    Role.SOCIAL_SUPERVISOR: [],
    **{
        role: ["core.view_unit", "core.view_user", "core.view_enforcementcertificate", "core.view_calendaroverride"]
        for role in TOWNSHIP_STAFF
    },
}


def grant_role_permissions(apps, grants: Mapping[str, Sequence[str]]) -> None:
    """Add ``app_label.codename`` permissions to role groups (for data migrations).

    Permissions are normally created after all migrations ran; this creates the missing ones
    first so a fresh database gets its grants in the same ``migrate``.
    """
    from django.contrib.auth.management import create_permissions
    from django.db.migrations.state import StateApps

    for app_config in apps.get_app_configs():
        if isinstance(apps, StateApps):
            # historical app configs have no models module; create_permissions skips those
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        else:
            create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)
