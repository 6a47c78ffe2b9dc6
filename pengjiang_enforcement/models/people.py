"""People: portal users, their unit and roles, enforcement certificates."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connection, models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..choices import Role
from ..permissions import RestrictedQuerySet, ScopedModel


class PortalUserManager(UserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """User manager whose querysets go through the permission chokepoint."""


class User(AbstractUser, ScopedModel):
    """A person who signs in: officer, supervisor, admin, liaison or social supervisor.

    A user belongs to one unit; their roles are Django groups named after ``Role`` values.
    """

    full_name = models.CharField(_("full name"), max_length=50)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    title = models.CharField(_("post"), max_length=50, blank=True)
    legal_qualification = models.BooleanField(
        _("holds the legal professional qualification"),
        default=False,
        help_text=_("Required of a first-time legal reviewer (APL Art. 58)."),
    )
    legal_qualification_number = models.CharField(
        _("legal qualification certificate number"), max_length=50, blank=True
    )
    # ``last_login`` is the sign-in now in progress from the moment it succeeds; a person checking
    # for sign-ins that were not theirs needs the one before it.
    previous_login = models.DateTimeField(_("previous sign-in"), null=True, blank=True, editable=False)

    objects = PortalUserManager()  # type: ignore[misc]  # Django's user manager, through the chokepoint

    township_lookup = "unit__township"
    department_lookup = "unit"

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["unit__sort_order", "username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        """The codes of the roles this user holds (names of their groups)."""
        valid = set(Role.values)
        if "groups" in getattr(self, "_prefetched_objects_cache", {}):
            # a prefetch of "groups" on a list of users
            return frozenset(group.name for group in self.groups.all() if group.name in valid)
        return frozenset(name for name in self._read_groups_and_permissions() if name in valid)

    def _read_groups_and_permissions(self) -> set[str]:
        """The names of the user's groups, read in one query together with the permissions the
        user holds directly and through those groups.

        Every signed-in page asks both (the roles for the unit scope, the permissions for the
        chokepoint and the menu). The permissions are left where Django's ``ModelBackend`` keeps
        them on the user object (``_user_perm_cache``, ``_group_perm_cache``: the same sets of
        ``app_label.codename`` it would read), so it reads none itself; for an inactive user or a
        superuser it keeps its own rules and nothing is left for it.
        """
        with connection.cursor() as cursor:
            cursor.execute(_groups_and_permissions_sql(), [self.pk, self.pk])
            rows = cursor.fetchall()
        if self.is_active and not self.is_superuser:
            self._user_perm_cache = {f"{app}.{code}" for group, app, code in rows if group is None}
            self._group_perm_cache = {f"{app}.{code}" for group, app, code in rows if group is not None and code}
        return {group for group, _app, _code in rows if group is not None}

    def _permissions_read(self) -> None:
        """Read the groups and permissions in one query before ``ModelBackend`` would read the
        permissions in two of its own (and the roles a third)."""
        if self.is_active and not self.is_superuser and not hasattr(self, "_group_perm_cache"):
            names = self._read_groups_and_permissions()
            self.__dict__.setdefault("role_codes", frozenset(names & set(Role.values)))

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        self._permissions_read()
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        self._permissions_read()
        return super().has_module_perms(app_label)

    def get_all_permissions(self, obj: Any = None) -> set[str]:
        self._permissions_read()
        return super().get_all_permissions(obj)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes & set(roles))

    @property
    def roles(self) -> list[Role]:
        return [Role(code) for code in Role.values if code in self.role_codes]

    @property
    def township(self):
        unit = self.unit if self.unit_id else None
        return unit.township if unit is not None else None

    def valid_certificate_on(self, day: datetime.date) -> EnforcementCertificate | None:
        """The enforcement certificate valid on ``day``, if any (APL Art. 42)."""
        return self.certificates.valid_on(day).order_by("-valid_to").first()


def _groups_and_permissions_sql() -> str:
    """One user's groups with each group's permissions (a group without any: one row whose
    permission is NULL), then the permissions the user holds directly (group NULL)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    if not _SQL:
        table = {
            "group": Group._meta.db_table,
            "user_groups": User.groups.through._meta.db_table,
            "group_permissions": Group.permissions.through._meta.db_table,
            "user_permissions": User.user_permissions.through._meta.db_table,
            "permission": Permission._meta.db_table,
            "content_type": ContentType._meta.db_table,
        }
        _SQL.append(
            "SELECT g.name, ct.app_label, p.codename FROM {group} g "
            "JOIN {user_groups} ug ON ug.group_id = g.id "
            "LEFT JOIN {group_permissions} gp ON gp.group_id = g.id "
            "LEFT JOIN {permission} p ON p.id = gp.permission_id "
            "LEFT JOIN {content_type} ct ON ct.id = p.content_type_id "
            "WHERE ug.user_id = %s "
            "UNION ALL "
            "SELECT NULL, ct.app_label, p.codename FROM {user_permissions} up "
            "JOIN {permission} p ON p.id = up.permission_id "
            "JOIN {content_type} ct ON ct.id = p.content_type_id "
            "WHERE up.user_id = %s".format(**{k: connection.ops.quote_name(v) for k, v in table.items()})
        )
    return _SQL[0]


_SQL: list[str] = []


class CertificateQuerySet(RestrictedQuerySet):
    def valid_on(self, day: datetime.date) -> CertificateQuerySet:
        return self.filter(valid_from__lte=day, valid_to__gte=day).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day)
        )


class EnforcementCertificate(ScopedModel):
    """An administrative enforcement certificate (行政执法证): number, issuer, validity.

    APL Art. 42: penalties are imposed by officers holding enforcement qualifications; a case
    needs at least two officers whose certificates are valid on the day.
    """

    user = models.ForeignKey(
        "core.User", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()  # type: ignore[misc]

    township_lookup = "user__unit__township"

    class Meta:
        verbose_name = _("enforcement certificate")
        verbose_name_plural = _("enforcement certificates")
        ordering = ["-valid_to"]
        constraints = [
            models.CheckConstraint(name="core_certificate_valid_range", condition=Q(valid_to__gte=F("valid_from"))),
        ]
        indexes = [models.Index(fields=["user", "valid_to"], name="core_cert_user_valid_idx")]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: datetime.date) -> bool:
        if self.revoked_on is not None and self.revoked_on <= day:
            return False
        return self.valid_from <= day <= self.valid_to
