"""The state machine of a 12345 work order, as one table of allowed transitions.

=================  ===========================================  ======================
state              how it is left                               who
=================  ===========================================  ======================
待签收 pending      accept → 办理中                               officer / office head
                   request_return → 申请退单                     officer / office head
                   route (township set or changed)               triage (see below)
                   return_untriaged → 已退单 (never placed)      district admin
办理中 in_progress  reply → 已办结                                officer / office head
                   request_extension → 申请延期                  officer / office head
                   request_return → 申请退单                     officer / office head
申请延期            approve_extension / refuse_extension → 办理中  office head
申请退单            approve_return → 已退单, refuse_return → 办理中 office head
已办结 replied      reopen → 办理中 (e.g. the hotline sent it back) office head
已退单 returned     — (final)
=================  ===========================================  ======================

An order without a township (routing found none) waits in the triage queue in state 待签收:
a district admin routes it to any township or returns it; an office head claims it for their
own township. Interim replies (阶段性答复) and the choice of a catalogue item leave the state
as it is; turning an order into a lead accepts a pending order on the way. The hotline reply
is tracked here, apart from any case: a case may run 90 days, the reply may not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pengjiang_enforcement.exceptions import RuleViolation

from .choices import OrderState as S


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change
    action: str  # the chokepoint action the actor needs on the order
    label: object


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("accept", (S.PENDING,), S.IN_PROGRESS, "change", gettext_lazy("Accept (签收)")),
        Transition(
            "interim_reply",
            (S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.RETURN_REQUESTED),
            None,
            "change",
            gettext_lazy("Interim reply"),
        ),
        Transition("reply", (S.IN_PROGRESS,), S.REPLIED, "change", gettext_lazy("Final reply (办结)")),
        Transition(
            "request_extension", (S.IN_PROGRESS,), S.EXTENSION_REQUESTED, "change", gettext_lazy("Ask for an extension")
        ),
        Transition(
            "request_return",
            (S.PENDING, S.IN_PROGRESS),
            S.RETURN_REQUESTED,
            "change",
            gettext_lazy("Ask to return the order (退单)"),
        ),
        Transition(
            "approve_extension",
            (S.EXTENSION_REQUESTED,),
            S.IN_PROGRESS,
            "approve",
            gettext_lazy("Approve the extension"),
        ),
        Transition(
            "refuse_extension", (S.EXTENSION_REQUESTED,), S.IN_PROGRESS, "approve", gettext_lazy("Refuse the extension")
        ),
        Transition("approve_return", (S.RETURN_REQUESTED,), S.RETURNED, "approve", gettext_lazy("Approve the return")),
        Transition("refuse_return", (S.RETURN_REQUESTED,), S.IN_PROGRESS, "approve", gettext_lazy("Refuse the return")),
        Transition("reopen", (S.REPLIED,), S.IN_PROGRESS, "approve", gettext_lazy("Reopen")),
        Transition("route", (S.PENDING,), None, "triage", gettext_lazy("Route to a township")),
        Transition(
            "return_untriaged", (S.PENDING,), S.RETURNED, "triage", gettext_lazy("Return to the hotline (not ours)")
        ),
        Transition(
            "convert_to_lead",
            (S.PENDING, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.REPLIED),
            None,
            "change",
            gettext_lazy("Turn into a lead"),
        ),
    ]
}


def state_label(state: str) -> str:
    try:
        return str(S(state).label)
    except ValueError:
        return state


def check(name: str, state: str) -> Transition:
    """The transition ``name`` if the order's ``state`` allows it; else a RuleViolation naming
    the states it is possible from."""
    transition = TRANSITIONS[name]
    if state not in transition.sources:
        raise RuleViolation(
            _("“%(step)s” is not possible now: the work order is “%(state)s”; it is possible only from %(sources)s."),
            rule="hotline_transition_order",
            params={
                "step": transition.label,
                "state": state_label(state),
                "sources": "、".join(f"“{state_label(s)}”" for s in transition.sources),
            },
        )
    return transition


def allowed(state: str) -> set[str]:
    """The names of the transitions an order in ``state`` may take."""
    return {name for name, t in TRANSITIONS.items() if state in t.sources}
