"""The permission chokepoint.

Every list, detail, export, download and API query of the portal goes through
``Model.objects.restrict(user, action)``. A row is visible for an action when either

* the user holds the model permission ``<app>.<action>_<model>`` through a role (a Django
  group) **and** the row lies within the user's unit scope (their township, their department,
  or the whole district), or
* the user (or one of their groups) holds a django-guardian object permission for that row.

Both halves end up in one ``WHERE`` clause: the scope is an indexed column comparison and the
object grants are one ``pk IN (subquery)`` over guardian's tables, so restricting a list of a
million rows costs one indexed lookup, not a query per row.

Views use :func:`get_restricted_object_or_404`: an object the user may not see is a 404; one
they see but may not change is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
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
        grants = _object_grants(user, self.model, codename, row)
        if not user.has_perm(f"{opts.app_label}.{codename}"):
            return rows.filter(grants)
        scope_of = getattr(self.model, "row_q", None) if row is not None else None
        scope_q = (scope_of or self.model.scope_q)(user, action)
        if scope_q is ALL_ROWS:
            return rows
        if scope_q is None:
            return rows.filter(grants)
        return rows.filter(scope_q | grants)


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
    return manager.restrict(user, action, row=obj.pk).exists()


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
