"""The permission chokepoint.

Every list, detail, export, download and API query of the portal goes through
``Model.objects.restrict(user, action)``. A row is visible for an action when either

* the user holds the model permission ``<app>.<action>_<model>`` through a role (a Django
  group) **and** the row lies within the user's unit scope (their township, their department,
  or the whole district), or
* the user (or one of their groups) holds a django-guardian object permission for that row.

Object grants are few and most users hold none, while an ``OR`` between the scope and a
grants subquery hides the scope from the planner (no township index can serve ``township = X
OR pk IN (...)``, so a list of a million rows is scanned). The chokepoint therefore reads the
user's grants once per user object (one indexed query, :func:`_grants_of`) and writes the scope
as the plain condition when the user holds no grant for the model and action; grants on rows
outside the scope are added as ``OR pk IN (their few ids)``, and only a user with very many
grants gets the subquery form. The answer is the same rows in every case.

Views use :func:`get_restricted_object_or_404`: an object the user may not see is a 404; one
they see but may not change is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import Http404

from .choices import DISTRICT_LEVEL_KINDS, TOWNSHIP_LEVEL_KINDS, Role, UnitKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


@dataclass(frozen=True)
class Scope:
    """Where a user's role-based permissions apply."""

    everything: bool = False
    township_id: int | None = None
    department_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.township_id or self.department_id)


NO_SCOPE = Scope()
# Returned by ``scope_q`` when the user's scope covers every row (an empty Q would be dropped
# when OR-ed with the object grants, so "everything" needs its own marker).
ALL_ROWS = object()
DISTRICT_ROLES: frozenset[str] = frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_SUPERVISOR})


def user_scope(user: User | AnonymousUser) -> Scope:
    """Return the unit scope of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    scope = NO_SCOPE
    unit = user.unit
    roles = user.role_codes
    if roles and roles <= {Role.SOCIAL_SUPERVISOR} and not user.is_superuser:
        # Social supervisors send feedback in; they never see case data, whatever their unit.
        scope = NO_SCOPE
    elif user.is_superuser or DISTRICT_ROLES & roles:
        scope = Scope(everything=True)
    elif unit is not None:
        if unit.kind in DISTRICT_LEVEL_KINDS:
            scope = Scope(everything=True)
        elif unit.kind in TOWNSHIP_LEVEL_KINDS and unit.township_id:
            scope = Scope(township_id=unit.township_id)
        elif unit.kind == UnitKind.DEPARTMENT:
            scope = Scope(department_id=unit.pk)
    user._scope_cache = scope  # type: ignore[attr-defined]  # a per-request memo on the user object
    return scope


# More grants than this for one user (all models together) are not read into memory: that user
# gets the subquery form of the grants, as exact and only slower to plan.
MAX_READ_GRANTS = 500
# Bumped whenever a grant or a group membership changes in this process, so a user object that
# read its grants before (a test, a shell, a service that grants and then asks) reads them again.
_grants_generation = [0]


# A change of one person's groups re-reads that person's grants only.
_membership_changes: dict[int, int] = {}


def _grants_changed(**_kwargs: Any) -> None:
    _grants_generation[0] += 1


def _groups_changed(*, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **_kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        _membership_changes[instance.pk] = _membership_changes.get(instance.pk, 0) + 1
    elif pk_set:
        for user_id in pk_set:
            _membership_changes[user_id] = _membership_changes.get(user_id, 0) + 1
    else:
        _grants_changed()  # a group cleared of all its members


for _sender in ("guardian.UserObjectPermission", "guardian.GroupObjectPermission"):
    post_save.connect(_grants_changed, sender=_sender, dispatch_uid=f"grants_changed_save_{_sender}")
    post_delete.connect(_grants_changed, sender=_sender, dispatch_uid=f"grants_changed_delete_{_sender}")
m2m_changed.connect(_groups_changed, sender="core.User_groups", dispatch_uid="grants_changed_groups")


def _grants_of(user: User) -> dict[tuple[int, str], list[int]] | None:
    """Every object grant of the user and their groups: ``(content type id, codename)`` to the
    granted keys, read in one query and kept on the user object; None when there are more than
    :data:`MAX_READ_GRANTS` (or a key that is no integer), for the subquery form."""
    generation = (_grants_generation[0], _membership_changes.get(user.pk, 0))
    cached = getattr(user, "_grants_cache", None)
    if cached is not None and cached[0] == generation:
        return cached[1]
    # Written out once (every signed-in page reads it, and composing the ORM's union of the two
    # grant tables cost more than running it). The groups' grants join the membership table
    # directly: no subquery on auth_group itself.
    with connection.cursor() as cursor:
        cursor.execute(_grants_sql(), [user.pk, user.pk, MAX_READ_GRANTS + 1])
        rows = cursor.fetchall()
    grants: dict[tuple[int, str], list[int]] | None = {}
    if len(rows) > MAX_READ_GRANTS:
        grants = None
    else:
        for ctype_id, codename, object_pk in rows:
            try:
                grants.setdefault((ctype_id, codename), []).append(int(object_pk))  # type: ignore[union-attr]
            except ValueError:
                grants = None
                break
    # The third part keeps, per model and action, which granted rows lie outside the scope.
    user._grants_cache = (generation, grants, {})  # type: ignore[attr-defined]  # per-request memo
    return grants


# What :func:`_grants_read` answers for a user object that has not read its grants yet (or whose
# reading is out of date): the caller then asks the database, as before.
_UNREAD = object()


def _grants_read(user: User) -> dict[tuple[int, str], list[int]] | object | None:
    """The grants :func:`_grants_of` already read for this user object and that are still current,
    without querying: ``_UNREAD`` when there are none."""
    cached = getattr(user, "_grants_cache", None)
    if cached is not None and cached[0] == (_grants_generation[0], _membership_changes.get(user.pk, 0)):
        return cached[1]
    return _UNREAD


def _row_granted(user: User, model: type[models.Model], codename: str, row: Any) -> bool | None:
    """Whether the user's grants (already read for this request) cover ``codename`` on the row
    whose key is ``row``: True or False; None when that cannot be told without the database (the
    grants not read yet, too many to read, or a key that is no integer)."""
    from django.contrib.contenttypes.models import ContentType

    grants = _grants_read(user)
    if grants is _UNREAD or grants is None:
        return None
    try:
        key = int(row)
    except (TypeError, ValueError):
        return None
    granted: dict[tuple[int, str], list[int]] = grants  # type: ignore[assignment]  # neither _UNREAD nor None
    return key in granted.get((ContentType.objects.get_for_model(model).pk, codename), ())


def _grants_sql() -> str:
    """The object grants of one user (first parameter) and of their groups (second), at most the
    third parameter of them: ``(content type id, codename, object key)``."""
    if not _GRANTS_SQL:
        from django.contrib.auth.models import Permission
        from guardian.models import GroupObjectPermission, UserObjectPermission

        from .models import User

        quote = connection.ops.quote_name
        table = {
            "user_grants": UserObjectPermission._meta.db_table,
            "group_grants": GroupObjectPermission._meta.db_table,
            "permission": Permission._meta.db_table,
            "user_groups": User.groups.through._meta.db_table,
        }
        t = {name: quote(value) for name, value in table.items()}
        _GRANTS_SQL.append(
            f"(SELECT g.content_type_id, p.codename, g.object_pk FROM {t['user_grants']} g "
            f"JOIN {t['permission']} p ON p.id = g.permission_id WHERE g.user_id = %s) "
            "UNION ALL "
            f"(SELECT g.content_type_id, p.codename, g.object_pk FROM {t['group_grants']} g "
            f"JOIN {t['permission']} p ON p.id = g.permission_id "
            f"JOIN {t['user_groups']} ug ON ug.group_id = g.group_id WHERE ug.user_id = %s) "
            "LIMIT %s"
        )
    return _GRANTS_SQL[0]


_GRANTS_SQL: list[str] = []


def _scope_with_grants(user: User, model: type[models.Model], codename: str, scope_q: Q) -> Q:
    """The scope OR the object grants, written so the planner sees the scope's own condition.

    No grant for this model and action (the usual case): the scope alone. Grants: the granted
    rows that lie outside the scope (one query on their keys) as ``pk IN (ids)``; none outside,
    the scope alone again.
    """
    from django.contrib.contenttypes.models import ContentType

    grants = _grants_of(user)
    if grants is None:
        return scope_q | _object_grants(user, model, codename)
    ids = grants.get((ContentType.objects.get_for_model(model).pk, codename))
    if not ids:
        return scope_q
    memo: dict[tuple[Any, ...], list[int]] = user._grants_cache[2]  # type: ignore[attr-defined]
    key = (model._meta.label, codename)
    if key not in memo:
        memo[key] = list(model._base_manager.filter(pk__in=ids).exclude(scope_q).values_list("pk", flat=True))
    return scope_q | Q(pk__in=memo[key]) if memo[key] else scope_q


def _object_grants(user: User, model: type[models.Model], codename: str, row: Any = None) -> Q:
    """A Q for the rows on which guardian grants ``codename`` to the user or their groups (on the
    one row whose key is ``row``, when given: the grants of that object only)."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    ctype = ContentType.objects.get_for_model(model)
    common = {
        "content_type": ctype,
        "permission__content_type": ctype,
        "permission__codename": codename,
    }
    if row is not None:
        common["object_pk"] = str(row)
    # guardian stores object keys as text; cast them back so the comparison uses our pk index.
    user_rows = (
        UserObjectPermission.objects.filter(user=user, **common)
        .annotate(object_id=Cast("object_pk", BigIntegerField()))
        .values("object_id")
    )
    group_rows = (
        GroupObjectPermission.objects.filter(group__in=user.groups.all(), **common)
        .annotate(object_id=Cast("object_pk", BigIntegerField()))
        .values("object_id")
    )
    return Q(pk__in=user_rows.union(group_rows, all=True))


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may do."""

    def restrict(self, user: User | AnonymousUser, action: str = "view", *, row: Any = None) -> RestrictedQuerySet:
        """Rows of this queryset on which ``user`` may perform ``action`` (view, change, ...).

        ``row`` (a primary key) asks about that one row: the scope comes from the model's
        ``row_q`` when it has one (a condition on the row itself rather than the set of every
        row in the user's scope) and the object grants are those of that row only, so the plan
        starts from the row's primary key.
        """
        rows = self if row is None else self.filter(pk=row)
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return rows.none()
        if user.is_superuser:
            return rows
        opts = self.model._meta
        codename = f"{action}_{opts.model_name}"
        # One row, and the user's grants already read in this request (the page's own lookups
        # read them): whether that row is granted is known without a subquery on the grants.
        granted = None if row is None else _row_granted(user, self.model, codename, row)
        if not user.has_perm(f"{opts.app_label}.{codename}"):
            if granted is not None:
                return rows if granted else rows.none()
            return rows.filter(_object_grants(user, self.model, codename, row))
        scope_of = getattr(self.model, "row_q", None) if row is not None else None
        scope_q = (scope_of or self.model.scope_q)(user, action)
        if scope_q is ALL_ROWS:
            return rows
        if scope_q is None:
            if granted is not None:
                return rows if granted else rows.none()
            return rows.filter(_object_grants(user, self.model, codename, row))
        if row is not None:
            if granted is not None:
                return rows if granted else rows.filter(scope_q)
            # One row: its own grants as a subquery on (content type, object key) cost nothing.
            return rows.filter(scope_q | _object_grants(user, self.model, codename, row))
        return rows.filter(_scope_with_grants(user, self.model, codename, scope_q))


class ScopedModel(models.Model):
    """Base for models whose rows belong to a township (and, optionally, a department).

    Subclasses name the lookups that lead from a row to its township unit and to the district
    department concerned; :meth:`scope_q` turns a user's scope into a filter on them. A model
    with special rules (e.g. only the handling officers may change a case) overrides it, and
    may add ``row_q(user, action)``: the same rule written as a condition on the one row asked
    about (an ``EXISTS`` on that row's links rather than the set of every row the user handles),
    which ``restrict(..., row=pk)`` and :func:`can` use.
    """

    township_lookup: str | None = None
    department_lookup: str | None = None

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user: User, action: str) -> Q | object | None:
        """The rows within the user's scope: a Q, ``ALL_ROWS``, or None for no rows."""
        scope = user_scope(user)
        if scope.everything:
            return ALL_ROWS
        if scope.township_id and cls.township_lookup:
            return Q(**{cls.township_lookup: scope.township_id})
        if scope.department_id and cls.department_lookup:
            return Q(**{cls.department_lookup: scope.department_id})
        return None


def child_rows(user: Any, rows: models.QuerySet, action: str = "view") -> models.QuerySet:
    """The rows of a child set (a case's evidence, its records...) that ``user`` may ``action``,
    once the parent has passed the chokepoint for the same action.

    A child's scope is its parent's (``cases.models.base``), so what decides is the child's own
    model permission: with it, every child of the parent; without it, only the rows guardian
    grants one by one. This is the chokepoint's own rule, asked without re-deriving the parent's
    scope in a subquery for each child set of a page.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return rows.none()
    opts = rows.model._meta
    codename = f"{action}_{opts.model_name}"
    if user.is_superuser or user.has_perm(f"{opts.app_label}.{codename}"):
        return rows
    return rows.filter(_object_grants(user, rows.model, codename))


def get_restricted_object_or_404(
    queryset: models.QuerySet | type[models.Model], user: Any, action: str = "view", **lookup: Any
) -> Any:
    """Fetch one object through the chokepoint.

    Not visible to the user: 404 (its existence is not disclosed). Visible but the user may
    not perform ``action`` on it: 403.
    """
    rows: Any = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        obj = rows.restrict(user, "view").get(**lookup)
    except (rows.model.DoesNotExist, ValueError, ValidationError) as exc:
        # A key that is not even a key (``?item=abc`` posted by hand) finds nothing, like a
        # key of a row the user may not see.
        raise Http404 from exc
    if action != "view" and not can(user, action, obj):
        raise PermissionDenied
    return obj


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether ``user`` may perform ``action`` on ``obj`` (for showing or hiding buttons)."""
    manager: Any = type(obj)._default_manager  # a RestrictedQuerySet manager (every scoped model)
    rows = manager.restrict(user, action, row=obj.pk)
    # No permission and no grant: the answer is known without asking the database.
    return False if rows.query.is_empty() else rows.exists()


def require(user: Any, action: str, obj: models.Model) -> None:
    """The chokepoint again, inside a service: ``user`` may perform ``action`` on ``obj``.

    A view may have been bypassed (a task, the shell, a second form posting to the service), so
    every service that acts for a person asks again. ``None`` is the portal itself (a beat task,
    a step another service took on the person's behalf) and passes.
    """
    if user is not None and not can(user, action, obj):
        raise PermissionDenied


def require_model(user: Any, action: str, model: type[models.Model]) -> None:
    """``user`` may ``action`` rows of ``model`` at all: creating one, running an import.

    The check of a service that makes a row, where there is no row yet to ask the chokepoint
    about; ``None`` (the portal itself) passes.
    """
    opts = model._meta
    if user is not None and not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
        raise PermissionDenied
