"""The procedure as one table of allowed transitions, for leads and cases (domain.md 1.8).

Every state of the whole procedure is here, the general procedure and the simple one (当场处罚);
part 1 builds the services up to the end of the investigation, the rest of the table is the
agreement the later services implement (``built=False``). A service changes a state only through
:func:`check_transition`, so an out-of-order step is refused with the rule that refused it.

Who may take a transition is said by ``actor``:

* ``handler``: a handling officer of the case (``Case.objects.restrict(user, "change")``);
* ``head``: an office head of the township (``restrict(user, "approve")``);
* ``township``: an officer of the lead's township (``Lead.objects.restrict(user, "change")``);
* ``system``: the portal itself (e.g. a lead reopens when its filing is withdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pengjiang_enforcement.exceptions import RuleViolation

from .choices import CaseState as S
from .choices import LeadStatus as L
from .choices import Procedure


@dataclass(frozen=True)
class Transition:
    name: str
    subject: str  # "lead" or "case"
    sources: tuple[str, ...]  # empty: the transition creates the subject
    target: str
    actor: str
    label: object
    procedure: str | None = None  # a case transition of one procedure only
    built: bool = True


def _t(name, subject, sources, target, actor, label, procedure=None, built=True) -> Transition:
    return Transition(name, subject, tuple(sources), target, actor, label, procedure, built)


GENERAL, SIMPLE = Procedure.GENERAL, Procedure.SIMPLE

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        # --- leads: registration, check, conclusion ---------------------------------------
        _t("lead_register", "lead", [], L.REGISTERED, "township", gettext_lazy("Register the lead")),
        _t("lead_start_check", "lead", [L.REGISTERED], L.CHECKING, "township", gettext_lazy("Start the check")),
        _t("lead_file", "lead", [L.CHECKING], L.FILED, "township", gettext_lazy("Propose filing a case")),
        _t("lead_not_file", "lead", [L.CHECKING], L.NOT_FILED, "township", gettext_lazy("Do not file")),
        _t("lead_transfer", "lead", [L.CHECKING], L.TRANSFERRED, "township", gettext_lazy("Transfer")),
        _t(
            "lead_order_correction",
            "lead",
            [L.CHECKING],
            L.CORRECTION_ONLY,
            "township",
            gettext_lazy("Order correction only"),
        ),
        _t("lead_reopen", "lead", [L.FILED], L.CHECKING, "system", gettext_lazy("Reopen the check")),
        # --- general procedure: filing ----------------------------------------------------
        _t("case_request_filing", "case", [], S.FILING_PENDING, "township", gettext_lazy("Ask for filing"), GENERAL),
        _t(
            "case_return_filing",
            "case",
            [S.FILING_PENDING],
            S.FILING_RETURNED,
            "head",
            gettext_lazy("Return for changes"),
            GENERAL,
        ),
        _t(
            "case_resubmit_filing",
            "case",
            [S.FILING_RETURNED],
            S.FILING_PENDING,
            "handler",
            gettext_lazy("Submit again"),
            GENERAL,
        ),
        _t(
            "case_withdraw_filing",
            "case",
            [S.FILING_PENDING, S.FILING_RETURNED],
            S.WITHDRAWN,
            "handler",
            gettext_lazy("Withdraw the filing"),
            GENERAL,
        ),
        _t(
            "case_approve_filing",
            "case",
            [S.FILING_PENDING],
            S.INVESTIGATING,
            "head",
            gettext_lazy("Approve the filing"),
            GENERAL,
        ),
        # --- investigation ----------------------------------------------------------------
        _t(
            "case_close_investigation",
            "case",
            [S.INVESTIGATING],
            S.INVESTIGATION_CLOSED,
            "handler",
            gettext_lazy("End the investigation"),
            GENERAL,
        ),
        _t(
            "case_reopen_investigation",
            "case",
            [S.INVESTIGATION_CLOSED],
            S.INVESTIGATING,
            "handler",
            gettext_lazy("Reopen the investigation"),
            GENERAL,
        ),
        # --- review, notice, hearing, decision (part 2) -----------------------------------
        *[
            _t(name, "case", sources, target, actor, label, GENERAL, built=False)
            for name, sources, target, actor, label in [
                (
                    "case_submit_review",
                    [S.INVESTIGATION_CLOSED],
                    S.INTERNAL_REVIEW,
                    "handler",
                    gettext_lazy("Submit for case review"),
                ),
                (
                    "case_require_legal_review",
                    [S.INTERNAL_REVIEW],
                    S.LEGAL_REVIEW,
                    "head",
                    gettext_lazy("Send to legal review"),
                ),
                (
                    "case_send_back",
                    [S.INTERNAL_REVIEW, S.LEGAL_REVIEW, S.COLLECTIVE_DISCUSSION],
                    S.INVESTIGATING,
                    "head",
                    gettext_lazy("Send back for more investigation"),
                ),
                (
                    "case_serve_notice",
                    [S.INTERNAL_REVIEW, S.LEGAL_REVIEW],
                    S.NOTICE_SERVED,
                    "handler",
                    gettext_lazy("Serve the prior notice"),
                ),
                (
                    "case_receive_statement",
                    [S.NOTICE_SERVED],
                    S.STATEMENT,
                    "handler",
                    gettext_lazy("Record the statement and defence"),
                ),
                ("case_recheck", [S.STATEMENT], S.RECHECK, "handler", gettext_lazy("Re-examine the defence")),
                (
                    "case_request_hearing",
                    [S.NOTICE_SERVED],
                    S.HEARING_REQUESTED,
                    "handler",
                    gettext_lazy("Record a hearing request"),
                ),
                ("case_hold_hearing", [S.HEARING_REQUESTED], S.HEARING, "head", gettext_lazy("Hold the hearing")),
                (
                    "case_refer_collective",
                    [S.INTERNAL_REVIEW, S.LEGAL_REVIEW, S.NOTICE_SERVED, S.RECHECK, S.HEARING],
                    S.COLLECTIVE_DISCUSSION,
                    "head",
                    gettext_lazy("Refer to collective discussion"),
                ),
                # A decision of no penalty, not established, or transfer to the judicial organs
                # needs no prior notice, hence the review states among the sources.
                (
                    "case_decide",
                    [
                        S.INTERNAL_REVIEW,
                        S.LEGAL_REVIEW,
                        S.NOTICE_SERVED,
                        S.RECHECK,
                        S.HEARING,
                        S.COLLECTIVE_DISCUSSION,
                    ],
                    S.DECIDED,
                    "head",
                    gettext_lazy("Decide"),
                ),
                ("case_serve_decision", [S.DECIDED], S.SERVED, "handler", gettext_lazy("Serve the decision")),
                ("case_start_execution", [S.SERVED], S.EXECUTING, "handler", gettext_lazy("Start execution")),
                ("case_close", [S.DECIDED, S.SERVED, S.EXECUTING], S.CLOSED, "head", gettext_lazy("Close the case")),
            ]
        ],
        _t(
            "case_archive",
            "case",
            [S.CLOSED, S.FILED_FOR_RECORD],
            S.ARCHIVED,
            "head",
            gettext_lazy("Archive"),
            built=False,
        ),
        # --- simple procedure (当场处罚, APL Arts. 51-53) (part 2) --------------------------
        *[
            _t(name, "case", sources, target, actor, label, SIMPLE, built=False)
            for name, sources, target, actor, label in [
                ("case_decide_on_spot", [], S.ON_SPOT_DECIDED, "township", gettext_lazy("Decide on the spot")),
                (
                    "case_serve_on_spot",
                    [S.ON_SPOT_DECIDED],
                    S.ON_SPOT_SERVED,
                    "handler",
                    gettext_lazy("Hand over the on-the-spot decision"),
                ),
                ("case_execute_on_spot", [S.ON_SPOT_SERVED], S.EXECUTING, "handler", gettext_lazy("Record payment")),
                (
                    "case_file_for_record",
                    [S.ON_SPOT_SERVED, S.EXECUTING],
                    S.FILED_FOR_RECORD,
                    "handler",
                    gettext_lazy("File for the record"),
                ),
            ]
        ],
    ]
}


def transitions_from(subject: str, state: str, procedure: str | None = None) -> list[Transition]:
    """The transitions a lead or case in ``state`` may take next."""
    return [
        t
        for t in TRANSITIONS.values()
        if t.subject == subject and state in t.sources and (t.procedure is None or t.procedure == procedure)
    ]


def check_transition(name: str, *, state: str | None, procedure: str | None = None) -> Transition:
    """The transition ``name`` if it may leave ``state`` (None: the subject is being created).

    Raises ``RuleViolation(rule="transition_order")`` naming the states it may leave from.
    """
    transition = TRANSITIONS[name]
    allowed_from = transition.sources if state is not None else ()
    wrong_procedure = transition.procedure is not None and procedure is not None and transition.procedure != procedure
    if (state is None and transition.sources) or (state is not None and state not in allowed_from) or wrong_procedure:
        raise RuleViolation(
            _("“%(step)s” is not possible now: the %(subject)s is “%(state)s”; it is possible only from %(sources)s."),
            rule="transition_order",
            params={
                "step": transition.label,
                "subject": _("case") if transition.subject == "case" else _("lead"),
                "state": state_label(transition.subject, state) if state else "—",
                "sources": "、".join(f"“{state_label(transition.subject, s)}”" for s in transition.sources) or "—",
            },
        )
    return transition


def state_label(subject: str, state: str) -> str:
    choices = S if subject == "case" else L
    try:
        return str(choices(state).label)
    except ValueError:
        return state
