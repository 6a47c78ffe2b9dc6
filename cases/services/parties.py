"""Parties (当事人) of a case: people and organisations, with checked identity numbers."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import changed, snapshot
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import require
from pengjiang_enforcement.workdays import today as local_today

from .. import rules
from ..choices import CASE_EDITABLE_FILING_STATES, CaseState, PartyKind
from ..models import Case, Party
from ..workflow import CASES
from .common import refresh_case_search, require_state

PARTY_FIELDS = ("kind", "name", "gender", "id_number", "credit_code", "legal_representative", "phone", "address")
PARTY_STATES = (*CASE_EDITABLE_FILING_STATES, CaseState.INVESTIGATING)
SUMMARY_LENGTH = 300


def _normalise(values: dict[str, Any], *, today: datetime.date) -> dict[str, Any]:
    """Check the party's data by its kind; identity numbers by their check characters."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if values["kind"] not in (PartyKind.PERSON, PartyKind.ORGANISATION):
        raise ValueError(values["kind"])

    def name_given() -> None:
        if not values.get("name"):
            raise RuleViolation(_("A party has a name."), rule="party_name")

    def identity() -> None:
        if values["kind"] == PartyKind.PERSON:
            values["credit_code"] = ""
            values["legal_representative"] = ""
            if values.get("id_number"):
                values["id_number"] = rules.resident_id_valid(values["id_number"], today=today)
            values["identity_key"] = values.get("id_number", "")
        else:
            values["id_number"] = ""
            values["gender"] = ""
            if values.get("credit_code"):
                values["credit_code"] = rules.credit_code_valid(values["credit_code"])
            values["identity_key"] = values.get("credit_code", "")

    # The name and the identity number are checked together: the form shows both problems at once.
    identity_field = "id_number" if values["kind"] == PartyKind.PERSON else "credit_code"
    check_all(("name", name_given), (identity_field, identity))
    return values


def _refresh_summary(case: Case) -> None:
    """Keep the parties' names on the case row, for queues, exports and search."""
    names = list(Party.objects.filter(case=case).order_by("id").values_list("name", flat=True))
    summary = "、".join(names)
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1] + "…"
    Case.objects.filter(pk=case.pk).update(party_summary=summary)
    case.party_summary = summary
    refresh_case_search(case)


def _check_duplicate(case: Case, key: str, exclude: int | None = None) -> None:
    if key and Party.objects.filter(case=case, identity_key=key).exclude(pk=exclude).exists():
        raise RuleViolation(
            _("This party (%(key)s) is already on the case."), rule="party_duplicate", params={"key": key}
        )


@transaction.atomic
def party_add(*, case: Case, actor: User, today: datetime.date | None = None, **values: Any) -> Party:
    """Add a person or organisation as a party of the case."""
    unknown = set(values) - set(PARTY_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    case = CASES.lock(case)
    require(actor, "change", case)
    require_state(case, PARTY_STATES, doing=_("Adding a party"))
    values = _normalise({f: values.get(f, "") for f in PARTY_FIELDS}, today=local_today(today))
    _check_duplicate(case, values["identity_key"])
    party = Party(case=case, created_by=actor, **values)
    party.full_clean()
    party.save()
    _refresh_summary(case)
    CASES.record(
        case,
        "party.added",
        actor=actor,
        data={"name": party.name, "kind": party.kind},
        audit_obj=party,
        after=snapshot(party, list(PARTY_FIELDS)),
    )
    return party


@transaction.atomic
def party_update(
    *, party: Party, actor: User, expected_version: int, today: datetime.date | None = None, **changes: Any
) -> Party:
    """Correct a party's data; refused if someone else saved the party in between."""
    unknown = set(changes) - set(PARTY_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    case = CASES.lock(party.case_id)
    require(actor, "change", case)
    require_state(case, PARTY_STATES, doing=_("Editing a party"))
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.version != expected_version:
        raise CASES.conflict(case)
    before = snapshot(party, list(PARTY_FIELDS))
    values = _normalise({f: changes.get(f, getattr(party, f)) for f in PARTY_FIELDS}, today=local_today(today))
    _check_duplicate(case, values["identity_key"], exclude=party.pk)
    for name, value in values.items():
        setattr(party, name, value)
    party.full_clean()
    old, new = changed(before, snapshot(party, list(PARTY_FIELDS)))
    if not new:
        return party
    party.version += 1
    party.save()
    _refresh_summary(case)
    CASES.record(
        case,
        "party.updated",
        actor=actor,
        data={"name": party.name, "changed": sorted(new)},
        audit_obj=party,
        before=old,
        after=new,
    )
    return party


@transaction.atomic
def party_remove(*, party: Party, actor: User, reason: str) -> None:
    """Remove a party added by mistake (before the investigation closes); the audit keeps it."""
    case = CASES.lock(party.case_id)
    require(actor, "change", case)
    require_state(case, PARTY_STATES, doing=_("Removing a party"))
    if not reason.strip():
        raise RuleViolation(_("Say why the party is removed."), rule="party_remove_reason")
    # Recorded before the row goes: the audit row is filed under the party's id.
    CASES.record(case, "party.removed", actor=actor, note=reason, data={"name": party.name}, audit_obj=party,
                 before=snapshot(party, list(PARTY_FIELDS)), after={"reason": reason})  # fmt: skip
    party.delete()
    _refresh_summary(case)
