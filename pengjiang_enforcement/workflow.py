"""State machines: one transition-table type for every record with a status, one helper that
moves a row along its table.

Leads and cases, 12345 work orders and catalogue adjustments each declare their moves once, as a
:class:`TransitionTable` of :class:`Transition` rows. A service moves a row only through
:func:`transition`, which does what every such step needs, in the service's transaction:

1. checks the table (an out-of-order step is refused with the rule that refused it and the states
   it is possible from);
2. takes (or confirms) the row lock and checks nobody moved the row since it was read;
3. sets the state and the other changed fields and saves them with compare-and-set on the row's
   ``version`` (or on its state, for a row without one);
4. writes the timeline event (when the subject has a timeline) and the audit row, both named by
   the transition's ``event`` and labelled once in the app's ``actions.py``;
5. queues the side effects (Celery tasks, mail) to run after the commit.

Steps that change no state (a party added, a record written) use :meth:`TransitionTable.record`
for the same event + audit pair. Who may take a transition is the chokepoint's business: the
transition names the action (``change``, ``approve``, ...) that ``restrict()`` must allow, and the
service asks :func:`pengjiang_enforcement.permissions.require` before it checks its rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import audit_record, snapshot
from .exceptions import ConflictError, RuleViolation


@dataclass(frozen=True)
class Transition:
    """One allowed move of a status field."""

    name: str
    sources: tuple[str, ...]  # the states it leaves from; empty: the transition creates the row
    target: str | None  # None: the state stays (a step of the row's life that moves nothing)
    label: Any  # what its button says
    event: str = ""  # the step recorded: the timeline kind; the audit code is the table's prefix + this
    permission: str | None = "change"  # what restrict() must allow the actor on the row; None: the portal
    procedure: str | None = None  # for a table shared by two procedures: the one it belongs to
    built: bool = True  # False: agreed in the table, no service yet (no button is offered)


class TransitionTable:
    """The allowed moves of one model's status field, and where its steps are recorded.

    ``timeline`` is ``("app.EventModel", "owner_field")`` when the subject keeps a timeline of
    events (a :class:`~pengjiang_enforcement.models.TimelineEvent` subclass); ``audit_prefix`` is
    put before an event's kind to make its audit code (``"cases."`` + ``"case.filed"``).
    """

    def __init__(
        self,
        *,
        model: str,
        subject: Any,
        states: Any,
        transitions: Iterable[Transition],
        audit_prefix: str,
        timeline: tuple[str, str] | None = None,
        state_field: str = "state",
        rule: str = "transition_order",
        refusal: Any = None,
        related: tuple[str, ...] = (),
    ) -> None:
        self.model_label = model
        self.subject = subject
        self.states = states
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.name in self.transitions:
                raise ValueError(f"transition {t.name!r} is in the table twice")
            self.transitions[t.name] = t
        self.audit_prefix = audit_prefix
        self.timeline = timeline
        self.state_field = state_field
        self.rule = rule
        # What an out-of-order step says; it may name the step, the subject, the state (also as
        # ``status``), the target state and the states the step is possible from.
        self.refusal = refusal or gettext_lazy(
            "“%(step)s” is not possible now: the %(subject)s is “%(state)s”; it is possible only from %(sources)s."
        )
        self.related = related

    # --- reading the table ----------------------------------------------------------------
    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.transitions

    def __iter__(self):
        return iter(self.transitions.values())

    def state_label(self, state: str | None) -> str:
        if not state:
            return "—"
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def available(self, state: str, *, procedure: str | None = None, include_unbuilt: bool = False) -> list[Transition]:
        """The transitions a row in ``state`` may take next (those with a service, unless told)."""
        return [
            t
            for t in self.transitions.values()
            if state in t.sources
            and (t.procedure is None or procedure is None or t.procedure == procedure)
            and (t.built or include_unbuilt)
        ]

    def check(self, name: str, state: str | None, *, procedure: str | None = None) -> Transition:
        """The transition ``name`` if it may leave ``state`` (None: the row is being created).

        Otherwise a :class:`RuleViolation` with the table's rule code, naming the step, the
        row's state and the states the step is possible from.
        """
        t = self.transitions[name]
        creating = state is None
        wrong_state = (creating and bool(t.sources)) or (not creating and state not in t.sources)
        wrong_procedure = t.procedure is not None and procedure is not None and t.procedure != procedure
        if wrong_state or wrong_procedure:
            state_text = self.state_label(state)
            raise RuleViolation(
                str(self.refusal),
                rule=self.rule,
                params={
                    "step": t.label,
                    "subject": self.subject,
                    "state": state_text,
                    "status": state_text,
                    "target": self.state_label(t.target),
                    "sources": "、".join(f"“{self.state_label(s)}”" for s in t.sources) or "—",
                },
            )
        return t

    # --- locking --------------------------------------------------------------------------
    def lock(self, row: models.Model | int, *, expected_version: int | None = None) -> Any:
        """Lock the row for this transaction; refuse if it changed since ``expected_version``.

        The refusal names who changed it and when, from the row's timeline where it has one.
        """
        pk = getattr(row, "pk", row)
        queryset = self.model._default_manager.select_for_update(of=("self",))
        if self.related:
            queryset = queryset.select_related(*self.related)
        locked = queryset.get(pk=pk)
        if expected_version is not None and getattr(locked, "version", None) != expected_version:
            raise self.conflict(locked)
        return locked

    def conflict(self, row: models.Model) -> ConflictError:
        """The error of an edit that lost the race, naming the last change we know of."""
        last = None
        if self.timeline is not None:
            event_model, owner = self.timeline
            last = (
                apps.get_model(event_model)
                ._default_manager.filter(**{owner: row})
                .select_related("actor")
                .order_by("-at", "-id")
                .first()
            )
        who = str(last.actor) if last and last.actor else _("someone else")
        when = date_format(timezone.localtime(last.at), "Y-m-d H:i") if last else "—"
        return ConflictError(
            _(
                "%(who)s changed this record at %(when)s, after you opened it. Nothing was saved and your "
                "input is still below: reload the page to see their change, then apply yours again."
            ),
            params={"who": who, "when": when},
        )

    # --- recording ------------------------------------------------------------------------
    def audit_code(self, event: str) -> str:
        return f"{self.audit_prefix}{event}"

    def record(
        self,
        owner: models.Model,
        event: str,
        *,
        actor: Any,
        note: str = "",
        data: Mapping[str, Any] | None = None,
        from_state: str = "",
        to_state: str = "",
        audit_obj: models.Model | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> models.Model | None:
        """Write one step of ``owner``'s life: its timeline event and its audit row.

        ``audit_obj`` is the row the audit trail files the step under when it is not the owner
        (an order to correct issued in a case is audited on the order, shown on the case).
        Returns the event row (None for a subject without a timeline).
        """
        event_row = None
        if self.timeline is not None:
            event_model, owner_field = self.timeline
            event_row = apps.get_model(event_model)._default_manager.create(
                **{owner_field: owner},
                kind=event,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                at=timezone.now(),
                from_state=from_state,
                to_state=to_state,
                note=note,
                data=dict(data or {}),
            )
        audit_record(
            action=self.audit_code(event),
            obj=audit_obj if audit_obj is not None else owner,
            actor=actor,
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
        return event_row


def save_versioned(row: models.Model, fields: Iterable[str]) -> None:
    """Write ``fields`` of a locked row with compare-and-set on its version, and bump it.

    The row is locked, so its version cannot have moved; the compare-and-set still says so in SQL
    (``WHERE version = n``) and fails loudly if a caller forgot the lock. A row without a version
    is written as it is (its state was compared when it was locked). ``updated_at`` follows.
    """
    model = type(row)
    names = {f.name for f in model._meta.concrete_fields}
    values = {name: getattr(row, name) for name in fields}
    if "updated_at" in names:
        values["updated_at"] = timezone.now()
    if "version" in names:
        version: int = getattr(row, "version")  # noqa: B009  (not every model has one)
        updated = model._default_manager.filter(pk=row.pk, version=version).update(version=F("version") + 1, **values)
        if updated != 1:
            raise ConflictError(_("This record was changed meanwhile; reload the page."))
        setattr(row, "version", version + 1)  # noqa: B010
    elif values:
        model._default_manager.filter(pk=row.pk).update(**values)


def _confirm_lock(table: TransitionTable, row: models.Model, state: str) -> None:
    """Take the row lock (a no-op when the service holds it) and check the row is as read."""
    model = type(row)
    has_version = any(f.name == "version" for f in model._meta.concrete_fields)
    columns = [table.state_field, *(["version"] if has_version else [])]
    current = model._default_manager.select_for_update(of=("self",)).filter(pk=row.pk).values_list(*columns).get()
    if current[0] != state or (has_version and current[1] != getattr(row, "version", None)):
        raise ConflictError(_("This record was changed meanwhile; reload the page."))


def transition(
    row: models.Model,
    name: str,
    *,
    table: TransitionTable,
    actor: Any,
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    audit: Mapping[str, Any] | None = None,
    on_commit: Iterable[Callable[[], Any]] = (),
    event: str | None = None,
    final: bool = False,
) -> Transition:
    """Move ``row`` along ``table`` by the transition ``name`` (inside the caller's transaction).

    ``changes`` are the other fields the step sets (a number, a date, who approved); the audit row
    records each of them with the state, before and after, plus ``audit`` (a reason, a report).
    ``note`` and ``data`` go on the timeline event. ``on_commit`` callables run once the
    transaction commits (never for a step rolled back). ``event`` names the step when one
    transition records two kinds of it (routing to a township, or back to triage). ``final``: the
    step is the row's last change (archiving a case): its event and audit row are written before
    the row moves, since the moved row refuses any further write to its file (``archive_guard``).
    """
    state_field = table.state_field
    from_state = getattr(row, state_field)
    t = table.check(name, from_state, procedure=getattr(row, "procedure", None))
    values = dict(changes or {})
    if t.target is not None:
        values[state_field] = t.target
    fields = list(values)
    # A change given by its column (``township_id``) is audited under its field (``township``).
    by_column = {f.attname: f.name for f in type(row)._meta.concrete_fields}
    audited = [by_column.get(name, name) for name in fields]
    before = snapshot(row, audited)
    _confirm_lock(table, row, from_state)
    for field, value in values.items():
        setattr(row, field, value)
    if not final:
        save_versioned(row, fields)
    to_state = getattr(row, state_field)
    moved = to_state != from_state
    table.record(
        row,
        event or t.event,
        actor=actor,
        note=note,
        data=data,
        from_state=from_state if moved else "",
        to_state=to_state if moved else "",
        before=before,
        after={**snapshot(row, audited), **(audit or {})},
    )
    if final:
        save_versioned(row, fields)
    for callback in on_commit:
        transaction.on_commit(callback)
    return t


def actions_for(
    table: TransitionTable, user: Any, row: models.Model, allowed: dict[str, bool] | None = None
) -> frozenset[str]:
    """The transitions ``user`` may take on ``row`` now: available from its state (and procedure),
    built, and allowed by the chokepoint (one query per kind of permission asked; ``allowed``
    holds the answers a page already has, e.g. ``{"change": True}``).

    Pages show their buttons from this set instead of comparing states in templates.
    """
    from .permissions import can

    state = getattr(row, table.state_field)
    allowed = dict(allowed or {})
    names = set()
    for t in table.available(state, procedure=getattr(row, "procedure", None)):
        if t.permission is None:
            continue  # the portal's own step, never a button
        if t.permission not in allowed:
            allowed[t.permission] = can(user, t.permission, row)
        if allowed[t.permission]:
            names.add(t.name)
    return frozenset(names)
