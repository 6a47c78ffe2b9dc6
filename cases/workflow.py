"""The procedure as one table of allowed transitions, for leads and cases (domain.md 1.8).

Every state of the whole procedure is here, the general procedure and the simple one (当场处罚);
part 1 builds the services up to the end of the investigation, the rest of the table is the
agreement the later services implement (``built=False``). A service moves a lead or case only
through :func:`pengjiang_enforcement.workflow.transition` with :data:`LEADS` or :data:`CASES`, so an
out-of-order step is refused with the rule that refused it (``transition_order``).

Who may take a transition is the chokepoint action it names (``permission``):

* ``change`` on a case: a handling officer (``Case.objects.restrict(user, "change")``);
* ``approve`` on a case: an office head of the township;
* ``change`` on a lead: an officer of the lead's township;
* ``None``: the portal itself (a lead reopens when its filing is withdrawn).

Each transition's ``event`` is the timeline kind it writes (``case.filed``); the audit code is
``cases.`` + the kind, and ``cases.actions`` labels both.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.workflow import Transition, TransitionTable

from .choices import CaseState as S
from .choices import LeadStatus as L
from .choices import Procedure

GENERAL, SIMPLE = Procedure.GENERAL, Procedure.SIMPLE
HANDLER, HEAD, SYSTEM = "change", "approve", None

LEADS = TransitionTable(
    model="cases.Lead",
    subject=_("lead"),
    states=L,
    state_field="status",
    audit_prefix="cases.",
    timeline=("cases.CaseEvent", "lead"),
    related=("township",),
    transitions=[
        Transition("lead_register", (), L.REGISTERED, _("Register the lead"), "lead.registered"),
        Transition("lead_start_check", (L.REGISTERED,), L.CHECKING, _("Start the check"), "lead.check_started"),
        Transition("lead_file", (L.CHECKING,), L.FILED, _("Propose filing a case"), "lead.filing_proposed"),
        Transition("lead_not_file", (L.CHECKING,), L.NOT_FILED, _("Do not file"), "lead.not_filed"),
        Transition("lead_transfer", (L.CHECKING,), L.TRANSFERRED, _("Transfer"), "lead.transferred"),
        Transition(
            "lead_order_correction",
            (L.CHECKING,),
            L.CORRECTION_ONLY,
            _("Order correction only"),
            "lead.correction_ordered",
        ),
        Transition("lead_reopen", (L.FILED,), L.CHECKING, _("Reopen the check"), "lead.reopened", SYSTEM),
    ],
)


def _case(name, sources, target, label, event, permission=HANDLER, procedure=GENERAL, built=True) -> Transition:
    return Transition(name, tuple(sources), target, label, event, permission, procedure, built)


def _later(name, sources, target, label, event, permission=HANDLER, procedure=GENERAL) -> Transition:
    """A transition of part 2 (review to archive, the simple procedure): agreed, not built yet."""
    return _case(name, sources, target, label, event, permission, procedure, built=False)


CASES = TransitionTable(
    model="cases.Case",
    subject=_("case"),
    states=S,
    audit_prefix="cases.",
    timeline=("cases.CaseEvent", "case"),
    related=("township", "power_item"),
    transitions=[
        # --- general procedure: filing ----------------------------------------------------
        _case("case_request_filing", [], S.FILING_PENDING, _("Ask for filing"), "case.filing_requested"),
        _case(
            "case_return_filing",
            [S.FILING_PENDING],
            S.FILING_RETURNED,
            _("Return for changes"),
            "case.filing_returned",
            HEAD,
        ),
        _case(
            "case_resubmit_filing", [S.FILING_RETURNED], S.FILING_PENDING, _("Submit again"), "case.filing_resubmitted"
        ),
        _case(
            "case_withdraw_filing",
            [S.FILING_PENDING, S.FILING_RETURNED],
            S.WITHDRAWN,
            _("Withdraw the filing"),
            "case.filing_withdrawn",
        ),
        _case("case_approve_filing", [S.FILING_PENDING], S.INVESTIGATING, _("Approve the filing"), "case.filed", HEAD),
        # --- investigation ----------------------------------------------------------------
        _case(
            "case_close_investigation",
            [S.INVESTIGATING],
            S.INVESTIGATION_CLOSED,
            _("End the investigation"),
            "case.investigation_closed",
        ),
        _case(
            "case_reopen_investigation",
            [S.INVESTIGATION_CLOSED],
            S.INVESTIGATING,
            _("Reopen the investigation"),
            "case.investigation_reopened",
        ),
        # --- review, notice, hearing, decision (part 2) -----------------------------------
        _later(
            "case_submit_review",
            [S.INVESTIGATION_CLOSED],
            S.INTERNAL_REVIEW,
            _("Submit for case review"),
            "case.review_submitted",
        ),
        _later(
            "case_require_legal_review",
            [S.INTERNAL_REVIEW],
            S.LEGAL_REVIEW,
            _("Send to legal review"),
            "case.legal_review_required",
            HEAD,
        ),
        _later(
            "case_send_back",
            [S.INTERNAL_REVIEW, S.LEGAL_REVIEW, S.COLLECTIVE_DISCUSSION],
            S.INVESTIGATING,
            _("Send back for more investigation"),
            "case.sent_back",
            HEAD,
        ),
        _later(
            "case_serve_notice",
            [S.INTERNAL_REVIEW, S.LEGAL_REVIEW],
            S.NOTICE_SERVED,
            _("Serve the prior notice"),
            "case.notice_served",
        ),
        _later(
            "case_receive_statement",
            [S.NOTICE_SERVED],
            S.STATEMENT,
            _("Record the statement and defence"),
            "case.statement_received",
        ),
        _later("case_recheck", [S.STATEMENT], S.RECHECK, _("Re-examine the defence"), "case.rechecked"),
        _later(
            "case_request_hearing",
            [S.NOTICE_SERVED],
            S.HEARING_REQUESTED,
            _("Record a hearing request"),
            "case.hearing_requested",
        ),
        _later("case_hold_hearing", [S.HEARING_REQUESTED], S.HEARING, _("Hold the hearing"), "case.hearing_held", HEAD),
        _later(
            "case_refer_collective",
            [S.INTERNAL_REVIEW, S.LEGAL_REVIEW, S.NOTICE_SERVED, S.RECHECK, S.HEARING],
            S.COLLECTIVE_DISCUSSION,
            _("Refer to collective discussion"),
            "case.referred_collective",
            HEAD,
        ),
        # A decision of no penalty, not established, or transfer to the judicial organs needs no
        # prior notice, hence the review states among the sources.
        _later(
            "case_decide",
            [S.INTERNAL_REVIEW, S.LEGAL_REVIEW, S.NOTICE_SERVED, S.RECHECK, S.HEARING, S.COLLECTIVE_DISCUSSION],
            S.DECIDED,
            _("Decide"),
            "case.decided",
            HEAD,
        ),
        _later("case_serve_decision", [S.DECIDED], S.SERVED, _("Serve the decision"), "case.decision_served"),
        _later("case_start_execution", [S.SERVED], S.EXECUTING, _("Start execution"), "case.execution_started"),
        _later("case_close", [S.DECIDED, S.SERVED, S.EXECUTING], S.CLOSED, _("Close the case"), "case.closed", HEAD),
        _case(
            "case_archive",
            [S.CLOSED, S.FILED_FOR_RECORD],
            S.ARCHIVED,
            _("Archive"),
            "case.archived",
            HEAD,
            procedure=None,
        ),
        # --- simple procedure (当场处罚, APL Arts. 51-53) (part 2) --------------------------
        _case(
            "case_decide_on_spot",
            [],
            S.ON_SPOT_DECIDED,
            _("Decide on the spot"),
            "case.decided_on_spot",
            procedure=SIMPLE,
        ),
        _case(
            "case_serve_on_spot",
            [S.ON_SPOT_DECIDED],
            S.ON_SPOT_SERVED,
            _("Hand over the on-the-spot decision"),
            "case.served_on_spot",
            procedure=SIMPLE,
        ),
        _case(
            "case_execute_on_spot",
            [S.ON_SPOT_SERVED],
            S.EXECUTING,
            _("Record payment"),
            "case.paid_on_spot",
            procedure=SIMPLE,
        ),
        _case(
            "case_file_for_record",
            [S.ON_SPOT_SERVED, S.EXECUTING],
            S.FILED_FOR_RECORD,
            _("File for the record"),
            "case.filed_for_record",
            procedure=SIMPLE,
        ),
    ],
)
