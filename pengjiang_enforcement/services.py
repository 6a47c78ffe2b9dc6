"""Writes of the shared kernel: units, people, certificates, calendar overrides.

Each service runs in one transaction, locks what it changes, validates, and writes an audit
row with before/after snapshots.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_record, changed, snapshot
from .choices import CalendarDayKind, Role, UnitKind
from .exceptions import RuleViolation, check_all
from .models import CalendarOverride, EnforcementCertificate, Unit, User
from .unitnames import name_key

UNIT_EDITABLE_FIELDS = ("name", "short_name", "aliases", "address", "phone", "sort_order", "is_active")


def _check_short_name_unique(unit: Unit) -> None:
    """Township short names prefix case numbers, so two townships may not share one."""
    if unit.kind != UnitKind.TOWNSHIP:
        return
    clash = Unit.objects.townships(active=None).filter(short_name=unit.short_name).exclude(pk=unit.pk)
    if clash.exists():
        raise RuleViolation(
            _("Another township already uses the short name “%(short)s”; case numbers would clash."),
            rule="unit_short_name_unique",
            params={"short": unit.short_name},
        )


def unit_alias_unique(unit: Unit) -> None:
    """Imports resolve units by name: an alias may name one unit only, so it may not be (in any of
    its usual forms, see ``unitnames.name_key``) the name, short name or alias of another unit,
    nor repeat one of the unit's own aliases."""
    aliases = [a for a in unit.aliases if a]
    keys: dict[str, str] = {}
    for alias in aliases:
        key = name_key(alias)
        if key in keys:
            raise RuleViolation(
                _("“%(alias)s” and “%(other)s” are the same name."),
                rule="unit_alias_unique",
                params={"alias": alias, "other": keys[key]},
            )
        keys[key] = alias
    if not keys:
        return
    clashes = []
    for other in Unit.objects.exclude(pk=unit.pk).only("pk", "name", "short_name", "code", "aliases"):
        for name in (other.name, other.short_name, *other.aliases):
            if name and name_key(name) in keys:
                clashes.append((keys[name_key(name)], other.name))
    if clashes:
        alias, other = clashes[0]
        raise RuleViolation(
            _("The other name “%(alias)s” already names another unit: %(unit)s. Imports could not tell them apart."),
            rule="unit_alias_unique",
            params={"alias": alias, "unit": "、".join(sorted({o for a, o in clashes if a == alias}))},
        )


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    code: str,
    kind: str,
    name: str,
    short_name: str,
    parent: Unit | None = None,
    township_type: str = "",
    sort_order: int = 0,
    address: str = "",
    phone: str = "",
    aliases: list[str] | None = None,
) -> Unit:
    """Create a unit; its township link is derived from its parents."""
    unit = Unit(
        code=code,
        kind=kind,
        name=name,
        short_name=short_name,
        parent=parent,
        township_type=township_type,
        sort_order=sort_order,
        address=address,
        phone=phone,
        aliases=list(aliases or []),
    )
    unit.full_clean(exclude=["township"])
    check_all(("short_name", lambda: _check_short_name_unique(unit)), ("aliases", lambda: unit_alias_unique(unit)))
    unit.save()
    township = unit.resolve_township()
    if township is not None:
        unit.township = township
        unit.save(update_fields=["township"])
    audit_record(action="core.unit.created", obj=unit, actor=actor, after=snapshot(unit))
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, actor: User | None, **changes: Any) -> Unit:
    """Change a unit's names and contact data (district admins)."""
    unknown = set(changes) - set(UNIT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    for name, value in changes.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["township"])
    check_all(("short_name", lambda: _check_short_name_unique(unit)), ("aliases", lambda: unit_alias_unique(unit)))
    unit.save()
    old, new = changed(before, snapshot(unit))
    if new:
        audit_record(action="core.unit.updated", obj=unit, actor=actor, before=old, after=new)
    return unit


def _role_groups(roles: Iterable[str]) -> list[Group]:
    codes = set(roles)
    unknown = codes - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    groups = list(Group.objects.filter(name__in=codes))
    if len(groups) != len(codes):
        raise RuntimeError("role groups are missing: run migrations")
    return groups


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    unit: Unit | None,
    roles: Iterable[str] = (),
    password: str | None = None,
    is_staff: bool = False,
    **extra: Any,
) -> User:
    """Create a user in a unit with roles; without a password the account cannot sign in yet."""
    user = User(username=username, full_name=full_name, unit=unit, is_staff=is_staff, **extra)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    groups = _role_groups(roles)
    user.groups.set(groups)
    after = snapshot(user, fields=["username", "full_name", "unit", "is_staff", "is_active", "legal_qualification"])
    after["roles"] = sorted(g.name for g in groups)
    audit_record(action="core.user.created", obj=user, actor=actor, after=after)
    return user


USER_EDITABLE_FIELDS = (
    "full_name",
    "unit",
    "phone",
    "title",
    "email",
    "is_active",
    "is_staff",
    "legal_qualification",
    "legal_qualification_number",
)


@transaction.atomic
def user_update(*, user: User, actor: User | None, roles: Iterable[str] | None = None, **changes: Any) -> User:
    """Change a user's data and, optionally, their roles."""
    unknown = set(changes) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, fields=list(USER_EDITABLE_FIELDS))
    before["roles"] = sorted(user.groups.values_list("name", flat=True))
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    if roles is not None:
        user.groups.set(_role_groups(roles))
    after = snapshot(user, fields=list(USER_EDITABLE_FIELDS))
    after["roles"] = sorted(user.groups.values_list("name", flat=True))
    old, new = changed(before, after)
    if new:
        audit_record(action="core.user.updated", obj=user, actor=actor, before=old, after=new)
    return user


def user_record_login(*, user: User, succeeded: bool, ip: str) -> None:
    """Audit a sign-in attempt against an existing account."""
    action = "core.user.logged_in" if succeeded else "core.user.login_failed"
    audit_record(action=action, obj=user, actor=user if succeeded else None, after={"ip": ip})


def user_record_lockout(*, user: User | None, ip: str, failures: int, minutes: int, by: str) -> None:
    """Audit that sign-in was locked after repeated failures (django-axes).

    ``by`` says what is locked: the user name from that address, the user name everywhere, or
    the address for every user name (``user`` is None when the name tried belongs to nobody).
    The lock itself lives in axes' table, which an admin empties to unlock; the audit row is
    what stays, so a supervisor can later see that someone tried to guess a password.
    """
    audit_record(
        action="core.user.locked_out",
        obj=user,
        actor=None,
        after={"ip": ip, "failures": failures, "minutes": minutes, "by": by},
    )


@transaction.atomic
def user_change_password(*, user: User, actor: User, new_password: str) -> None:
    """Set a new password (validated by the form) and audit the change, never the password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(action="core.user.password_changed", obj=user, actor=actor)


@transaction.atomic
def certificate_add(
    *,
    actor: User | None,
    user: User,
    number: str,
    issuing_body: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
) -> EnforcementCertificate:
    """Record an enforcement certificate (执法证) held by an officer."""
    certificate = EnforcementCertificate(
        user=user, number=number.strip(), issuing_body=issuing_body, valid_from=valid_from, valid_to=valid_to
    )
    if valid_to < valid_from:
        raise RuleViolation(_("A certificate cannot expire before it becomes valid."), rule="certificate_valid_range")
    certificate.full_clean()
    certificate.save()
    audit_record(action="core.certificate.added", obj=certificate, actor=actor, after=snapshot(certificate))
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: EnforcementCertificate, revoked_on: datetime.date) -> None:
    """Mark a certificate as revoked from a date (it stays on record)."""
    certificate = EnforcementCertificate.objects.select_for_update().get(pk=certificate.pk)
    before = snapshot(certificate, fields=["revoked_on"])
    certificate.revoked_on = revoked_on
    certificate.save(update_fields=["revoked_on"])
    audit_record(
        action="core.certificate.revoked",
        obj=certificate,
        actor=actor,
        before=before,
        after=snapshot(certificate, fields=["revoked_on"]),
    )


@transaction.atomic
def calendar_override_set(
    *, actor: User | None, date: datetime.date, kind: str, name: str, note: str = ""
) -> CalendarOverride:
    """Record (or correct) the status of one day in the working-day calendar."""
    if kind not in CalendarDayKind.values:
        raise ValueError(kind)
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    before = snapshot(override) if override else None
    if override is None:
        override = CalendarOverride(date=date, created_by=actor)
    override.kind, override.name, override.note = kind, name, note
    override.full_clean()
    override.save()
    audit_record(
        action="core.calendar.override_set", obj=override, actor=actor, before=before, after=snapshot(override)
    )
    return override
