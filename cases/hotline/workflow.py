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

from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.workflow import Transition, TransitionTable

from .choices import OrderState as S

# the chokepoint action each step needs on the order
CHANGE, APPROVE, TRIAGE = "change", "approve", "triage"

ORDERS = TransitionTable(
    model="cases.HotlineOrder",
    subject=_("work order"),
    states=S,
    audit_prefix="cases.workorder.",
    timeline=("cases.HotlineEvent", "order"),
    rule="hotline_transition_order",
    related=("township",),
    transitions=[
        Transition("accept", (S.PENDING,), S.IN_PROGRESS, _("Accept (签收)"), "accepted"),
        Transition(
            "interim_reply",
            (S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.RETURN_REQUESTED),
            None,
            _("Interim reply"),
            "interim_replied",
        ),
        Transition("reply", (S.IN_PROGRESS,), S.REPLIED, _("Final reply (办结)"), "replied"),
        Transition(
            "request_extension",
            (S.IN_PROGRESS,),
            S.EXTENSION_REQUESTED,
            _("Ask for an extension"),
            "extension_requested",
        ),
        Transition(
            "request_return",
            (S.PENDING, S.IN_PROGRESS),
            S.RETURN_REQUESTED,
            _("Ask to return the order (退单)"),
            "return_requested",
        ),
        Transition(
            "approve_extension",
            (S.EXTENSION_REQUESTED,),
            S.IN_PROGRESS,
            _("Approve the extension"),
            "extension_approved",
            APPROVE,
        ),
        Transition(
            "refuse_extension",
            (S.EXTENSION_REQUESTED,),
            S.IN_PROGRESS,
            _("Refuse the extension"),
            "extension_refused",
            APPROVE,
        ),
        Transition(
            "approve_return", (S.RETURN_REQUESTED,), S.RETURNED, _("Approve the return"), "return_approved", APPROVE
        ),
        Transition(
            "refuse_return", (S.RETURN_REQUESTED,), S.IN_PROGRESS, _("Refuse the return"), "return_refused", APPROVE
        ),
        Transition("reopen", (S.REPLIED,), S.IN_PROGRESS, _("Reopen"), "reopened", APPROVE),
        # Routing places the order (or sends it back to triage: event "unrouted"); the state stays.
        Transition("route", (S.PENDING,), None, _("Route to a township"), "routed", TRIAGE),
        Transition(
            "return_untriaged",
            (S.PENDING,),
            S.RETURNED,
            _("Return to the hotline (not ours)"),
            "returned_from_triage",
            TRIAGE,
        ),
        # Converting (or linking to an existing lead: event "linked_to_lead") accepts a pending order.
        Transition(
            "convert_to_lead",
            (S.PENDING, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.REPLIED),
            None,
            _("Turn into a lead"),
            "converted",
        ),
        Transition(
            "choose_item",
            (S.PENDING, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.RETURN_REQUESTED, S.REPLIED),
            None,
            _("Choose the catalogue item"),
            "item_chosen",
        ),
    ],
)


def allowed(state: str) -> set[str]:
    """The names of the transitions an order in ``state`` may take."""
    return {t.name for t in ORDERS.available(state)}
