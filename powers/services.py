"""Writes to the catalogue: items, their versions, delegations, usage records.

Each service runs in one transaction, validates, writes a version snapshot where the item
changed, and an audit row. Procedures on top (adjustments, imports) call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import audit_record, changed, snapshot
from pengjiang_enforcement.choices import TownshipType, UnitKind
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.search import document, search_vector
from pengjiang_enforcement.text import field_label

from .choices import ItemStatus, PenaltyType, TownshipCoverage, UsageKind
from .models import Adjustment, Delegation, PowerItem, PowerItemVersion, PowerUsage
from .models.catalogue import DEFAULT_HEARING_ORGANISATION, DEFAULT_HEARING_PERSON
from .rules import catalogue_fine_range

# Fields of an item that a version snapshot records and an adjustment may change.
ITEM_FIELDS = (
    "code",
    "sub_code",
    "name",
    "kind",
    "department",
    "field",
    "setting_basis",
    "penalty_basis",
    "penalty_types",
    "fine_min",
    "fine_max",
    "penalty_range",
    "hearing_threshold_person",
    "hearing_threshold_organisation",
    "is_major",
    "delegation_mode",
    "coverage",
    "notes",
)
CHANGEABLE_FIELDS = tuple(f for f in ITEM_FIELDS if f not in {"code", "sub_code"})


def _decimal(value: Any, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "").strip()).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise RuleViolation(
            _("%(label)s is not a number: “%(value)s”."),
            rule="catalogue_number",
            params={"label": label, "value": value},
        ) from exc


AMOUNT_FIELDS = frozenset({"fine_min", "fine_max", "hearing_threshold_person", "hearing_threshold_organisation"})
_PENALTY_ORDER = {value: index for index, value in enumerate(PenaltyType.values)}


def item_values(data: dict[str, Any]) -> dict[str, Any]:
    """Item fields as plain JSON values that compare equal when they mean the same.

    The department becomes its id, amounts their text with two decimals, penalty types their
    canonical order.
    """
    values: dict[str, Any] = {}
    for name in ITEM_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "department":
            value = getattr(value, "pk", value)
        elif name in AMOUNT_FIELDS:
            amount = _decimal(value, name)
            value = None if amount is None else str(amount)
        elif name == "penalty_types":
            value = sorted(dict.fromkeys(value or []), key=lambda v: _PENALTY_ORDER.get(v, 99))
        elif isinstance(value, str):
            value = value.strip()
        values[name] = value
    return values


def current_values(item: PowerItem) -> dict[str, Any]:
    """The changeable fields of ``item`` as :func:`item_values` writes them."""
    return item_values(
        {name: item.department_id if name == "department" else getattr(item, name) for name in CHANGEABLE_FIELDS}
    )


def item_snapshot(item: PowerItem) -> dict[str, Any]:
    data = snapshot(item, fields=[*ITEM_FIELDS, "status", "effective_from", "effective_to", "is_sample"])
    data["townships"] = sorted(
        Delegation.objects.filter(item=item, valid_to__isnull=True).values_list("township__code", flat=True)
    )
    return data


def search_parts(item: PowerItem) -> tuple[str, ...]:
    """The texts of an item that free-text search looks in."""
    return (item.code, item.sub_code, item.name, item.field, item.setting_basis, item.penalty_basis, item.notes)


def _refresh_search(item: PowerItem) -> None:
    PowerItem.objects.filter(pk=item.pk).update(search_vector=search_vector(*search_parts(item)))


def refresh_search_vectors(items: Iterable[PowerItem]) -> None:
    """Set the search vectors of many items in one statement (bulk loads)."""
    pairs = [(item.pk, document(*search_parts(item))) for item in items]
    if not pairs:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE powers_poweritem AS p SET search_vector = to_tsvector('simple', d.doc) "
            "FROM unnest(%s::bigint[], %s::text[]) AS d(id, doc) WHERE p.id = d.id",
            [[pk for pk, _ in pairs], [doc for _, doc in pairs]],
        )


def _clean_item(item: PowerItem) -> None:
    if item.hearing_threshold_person is None:
        item.hearing_threshold_person = Decimal(DEFAULT_HEARING_PERSON)
    if item.hearing_threshold_organisation is None:
        item.hearing_threshold_organisation = Decimal(DEFAULT_HEARING_ORGANISATION)
    check_all(
        ("department", lambda: _check_department(item)),
        ("penalty_types", lambda: _check_penalty_types(item)),
        ("fine_min", lambda: catalogue_fine_range(item.fine_min, item.fine_max)),
        (None, lambda: _check_item_fields(item)),
    )


def _check_department(item: PowerItem) -> None:
    if not item.department_id:
        raise RuleViolation(_("The source department is missing."), rule="catalogue_department")
    if not Unit.objects.filter(pk=item.department_id, kind=UnitKind.DEPARTMENT).exists():
        raise RuleViolation(_("The source department must be a district department."), rule="catalogue_department")


def _check_penalty_types(item: PowerItem) -> None:
    unknown = set(item.penalty_types) - set(PenaltyType.values)
    if unknown:
        raise RuleViolation(
            _("Unknown penalty types: %(types)s."), rule="catalogue_penalty_type", params={"types": ", ".join(unknown)}
        )


def _check_item_fields(item: PowerItem) -> None:
    try:
        # The constraints are checked above (fine range), by the callers (a code is unique) and
        # by the database; Django would spend a query on each of them for every item.
        item.full_clean(exclude=["search_vector", "department"], validate_constraints=False)
    except ValidationError as exc:
        if isinstance(exc, RuleViolation):
            raise
        # Name the field each message is about: the message goes to a person, not a form.
        messages = [
            (" ".join(errors) if name == NON_FIELD_ERRORS else f"{field_label(PowerItem, name)}：")
            + ("" if name == NON_FIELD_ERRORS else " ".join(errors))
            for name, errors in exc.message_dict.items()
        ]
        raise RuleViolation("；".join(messages), rule="catalogue_item_invalid") from exc


def _write_version(
    *,
    item: PowerItem,
    valid_from: datetime.date,
    actor: User | None,
    reason: str,
    adjustment: Adjustment | None,
    summary: dict[str, Any] | None = None,
) -> PowerItemVersion:
    return PowerItemVersion.objects.create(
        item=item,
        version=item.version,
        valid_from=valid_from,
        data=item_snapshot(item),
        change_summary=summary or {},
        reason=reason,
        adjustment=adjustment,
        created_by=actor,
    )


def coverage_townships(coverage: str, listed: Iterable[Unit] = ()) -> list[Unit]:
    """The townships an item goes to under a coverage rule (towns only, streets only, ...)."""
    townships = Unit.objects.townships()
    if coverage == TownshipCoverage.TOWNS:
        return list(townships.filter(township_type=TownshipType.TOWN))
    if coverage == TownshipCoverage.STREETS:
        return list(townships.filter(township_type=TownshipType.STREET))
    if coverage == TownshipCoverage.LISTED:
        return list(listed)
    return list(townships)


def coverage_of(township_ids: Iterable[int]) -> str | None:
    """The coverage rule that names exactly these townships (None for no township at all)."""
    held = set(township_ids)
    if not held:
        return None
    active = list(Unit.objects.townships().values_list("pk", "township_type"))
    if held == {pk for pk, _ in active}:
        return TownshipCoverage.ALL
    if held == {pk for pk, kind in active if kind == TownshipType.TOWN}:
        return TownshipCoverage.TOWNS
    if held == {pk for pk, kind in active if kind == TownshipType.STREET}:
        return TownshipCoverage.STREETS
    return TownshipCoverage.LISTED


def holder_ids(item: PowerItem) -> set[int]:
    """The townships that hold ``item`` with no end date (now, or from a later start)."""
    return set(Delegation.objects.filter(item=item, valid_to__isnull=True).values_list("township_id", flat=True))


def _follow_holders(item: PowerItem, last_day: datetime.date) -> None:
    """Keep the item's coverage and status in step with the townships that hold it.

    Held by nobody after ``last_day``, the item goes out of force on that day; held again, it
    is back in force. The coverage names the holders (towns only, a list, ...) so an export
    written today says who holds the item, and importing it again changes nothing.
    """
    held = holder_ids(item)
    coverage = coverage_of(held)
    if coverage is None:
        item.status = ItemStatus.RECALLED
        item.effective_to = max(last_day, item.effective_from)
    else:
        item.coverage = coverage
        item.status = ItemStatus.IN_FORCE
        item.effective_to = None


@transaction.atomic
def item_create(
    *,
    actor: User | None,
    data: dict[str, Any],
    effective_from: datetime.date,
    townships: Iterable[Unit] | None = None,
    adjustment: Adjustment | None = None,
    reason: str = "",
    is_sample: bool = False,
) -> PowerItem:
    """Create an item in force from ``effective_from`` and delegate it to its townships.

    ``townships`` defaults to those the item's coverage rule names.
    """
    values = {k: v for k, v in data.items() if k in ITEM_FIELDS}
    values["fine_min"] = _decimal(values.get("fine_min"), _("minimum fine"))
    values["fine_max"] = _decimal(values.get("fine_max"), _("maximum fine"))
    item = PowerItem(**values, effective_from=effective_from, is_sample=is_sample, status=ItemStatus.IN_FORCE)
    if PowerItem.objects.filter(code=item.code, sub_code=item.sub_code).exists():
        raise RuleViolation(
            _("An item with the code %(code)s already exists."),
            rule="catalogue_code_unique",
            params={"code": item.full_code},
        )
    _clean_item(item)
    targets = list(townships) if townships is not None else coverage_townships(item.coverage)
    if not targets:
        # An item in force is held by some township; the catalogue's counts rely on it.
        raise RuleViolation(_("Name the townships that receive the item."), rule="adjustment_townships")
    item.coverage = coverage_of(t.pk for t in targets) or TownshipCoverage.LISTED
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # a concurrent creation of the same code
        raise RuleViolation(
            _("An item with the code %(code)s already exists."),
            rule="catalogue_code_unique",
            params={"code": item.full_code},
        ) from exc
    _refresh_search(item)
    for township in targets:
        delegation_open(item=item, township=township, valid_from=effective_from, adjustment=adjustment)
    _write_version(item=item, valid_from=effective_from, actor=actor, reason=reason, adjustment=adjustment)
    audit_record(action="powers.item.created", obj=item, actor=actor, after=item_snapshot(item))
    return item


def _set_content(item: PowerItem, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if name in {"fine_min", "fine_max", "hearing_threshold_person", "hearing_threshold_organisation"}:
            value = _decimal(value, name)
        if name == "department" and not isinstance(value, Unit):
            item.department_id = value
            continue
        setattr(item, name, value)


@transaction.atomic
def item_change(
    *,
    actor: User | None,
    item: PowerItem,
    changes: dict[str, Any],
    effective_from: datetime.date,
    adjustment: Adjustment | None = None,
    reason: str = "",
    add_townships: Iterable[Unit] = (),
    remove_townships: Iterable[Unit] = (),
) -> PowerItem:
    """Change an item's content (and, optionally, who holds it); a new version takes effect on
    ``effective_from``.

    Townships in ``add_townships`` receive the item from that day, those in
    ``remove_townships`` keep it up to the day before. Nothing that differs: no new version.
    """
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    item = PowerItem.objects.select_for_update().get(pk=item.pk)
    before = item_snapshot(item)
    _set_content(item, changes)
    _clean_item(item)
    added, removed = list(add_townships), list(remove_townships)
    last_day = effective_from - datetime.timedelta(days=1)
    for township in added:
        delegation_open(item=item, township=township, valid_from=effective_from, adjustment=adjustment)
    for township in removed:
        delegation_close(item=item, township=township, last_day=last_day, adjustment=adjustment)
    if added or removed:
        _follow_holders(item, last_day)
    old, new = changed(before, item_snapshot(item))
    if not new:
        return item
    item.version += 1
    item.save()
    _refresh_search(item)
    _write_version(
        item=item,
        valid_from=effective_from,
        actor=actor,
        reason=reason,
        adjustment=adjustment,
        summary={"before": old, "after": new},
    )
    audit_record(action="powers.item.changed", obj=item, actor=actor, before=old, after=new)
    return item


def delegation_open(
    *, item: PowerItem, township: Unit, valid_from: datetime.date, adjustment: Adjustment | None = None
) -> Delegation:
    """Delegate ``item`` to ``township`` from ``valid_from`` (open-ended).

    Refused when a period of the same item and township already covers that day or starts
    later: periods never overlap.
    """
    if township.kind != UnitKind.TOWNSHIP:
        raise RuleViolation(
            _("Powers are delegated to townships and streets only."), rule="catalogue_delegation_township"
        )
    # Lock the item row: two adjustments of the same item cannot interleave their checks.
    PowerItem.objects.select_for_update().filter(pk=item.pk).first()
    overlapping = Delegation.objects.filter(item=item, township=township).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if overlapping.exists():
        raise RuleViolation(
            _("%(item)s is already delegated to %(township)s on or after %(day)s."),
            rule="catalogue_delegation_overlap",
            params={"item": item.full_code, "township": township.name, "day": valid_from.isoformat()},
        )
    return Delegation.objects.create(item=item, township=township, valid_from=valid_from, adjustment=adjustment)


def delegation_close(
    *, item: PowerItem, township: Unit, last_day: datetime.date, adjustment: Adjustment | None = None
) -> Delegation | None:
    """End the open delegation of ``item`` to ``township`` on ``last_day`` (inclusive)."""
    current = (
        Delegation.objects.select_for_update()
        .filter(item=item, township=township)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last_day))
        .order_by("-valid_from")
        .first()
    )
    if current is None:
        return None
    if current.valid_from > last_day:
        # A delegation that had not started yet never took effect: it leaves the matrix (the
        # item's version history keeps the record of it).
        current.delete()
        return current
    current.valid_to = last_day
    current.adjustment = adjustment or current.adjustment
    current.save(update_fields=["valid_to", "adjustment"])
    return current


@transaction.atomic
def item_recall(
    *,
    actor: User | None,
    item: PowerItem,
    effective_date: datetime.date,
    townships: Iterable[Unit] | None = None,
    adjustment: Adjustment | None = None,
    reason: str = "",
) -> PowerItem:
    """Take an item back from some townships (or all) from ``effective_date``.

    The townships keep it up to the day before; cases already filed keep their item. Recalled
    from every township, the item itself goes out of force.
    """
    item = PowerItem.objects.select_for_update().get(pk=item.pk)
    last_day = effective_date - datetime.timedelta(days=1)
    targets = list(townships) if townships else list(Unit.objects.filter(delegations__item=item).distinct())
    closed = [
        t.code for t in targets if delegation_close(item=item, township=t, last_day=last_day, adjustment=adjustment)
    ]
    before = {"status": item.status, "effective_to": item.effective_to, "coverage": item.coverage}
    _follow_holders(item, last_day)
    item.version += 1
    item.save()
    _write_version(
        item=item,
        valid_from=effective_date,
        actor=actor,
        reason=reason,
        adjustment=adjustment,
        summary={"recalled_from": closed},
    )
    audit_record(
        action="powers.item.recalled",
        obj=item,
        actor=actor,
        before=before,
        after={
            "status": item.status,
            "effective_to": item.effective_to,
            "coverage": item.coverage,
            "recalled_from": closed,
        },
    )
    return item


@transaction.atomic
def item_redelegate(
    *,
    actor: User | None,
    item: PowerItem,
    effective_date: datetime.date,
    townships: Iterable[Unit],
    adjustment: Adjustment | None = None,
    reason: str = "",
) -> PowerItem:
    """Delegate an item (again) to townships from ``effective_date``; a recalled item returns."""
    item = PowerItem.objects.select_for_update().get(pk=item.pk)
    targets = list(townships)
    for township in targets:
        delegation_open(item=item, township=township, valid_from=effective_date, adjustment=adjustment)
    before = {"status": item.status, "effective_to": item.effective_to, "coverage": item.coverage}
    _follow_holders(item, effective_date - datetime.timedelta(days=1))
    item.version += 1
    item.save()
    _write_version(
        item=item,
        valid_from=effective_date,
        actor=actor,
        reason=reason,
        adjustment=adjustment,
        summary={"delegated_to": [t.code for t in targets]},
    )
    audit_record(
        action="powers.item.redelegated",
        obj=item,
        actor=actor,
        before=before,
        after={"status": item.status, "coverage": item.coverage, "delegated_to": [t.code for t in targets]},
    )
    return item


def usage_record(*, item: PowerItem | int, township: Unit | int, case_id: int, kind: str, day: datetime.date) -> None:
    """Record that a case used an item (filed, closed, decided late, overturned).

    Called by the cases app; recording the same case and kind twice keeps one row.
    """
    if kind not in UsageKind.values:
        raise ValueError(kind)
    PowerUsage.objects.get_or_create(
        case_id=case_id,
        kind=kind,
        defaults={
            "item_id": getattr(item, "pk", item),
            "township_id": getattr(township, "pk", township),
            "date": day,
        },
    )
