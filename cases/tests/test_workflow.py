"""The transition table: every state of the procedure is in it, and out-of-order steps are refused."""

from __future__ import annotations

import pytest

from cases import services
from cases.choices import CaseState, LeadStatus, Procedure
from cases.workflow import CASES, LEADS
from pengjiang_enforcement.exceptions import RuleViolation

from .factories import person_values, warning_proposal


def test_every_case_state_appears_in_the_table():
    seen = {t.target for t in CASES}
    seen |= {s for t in CASES for s in t.sources}
    assert seen == set(CaseState.values)


def test_every_lead_status_appears_in_the_table():
    seen = {t.target for t in LEADS}
    assert seen | {s for t in LEADS for s in t.sources} == set(LeadStatus.values)


def test_every_built_transition_has_its_service():
    """Part 1 builds filing and investigation, then the simple procedure and the archive; each such
    transition names a service that exists."""
    service_for = {
        "lead_register": "lead_register",
        "lead_start_check": "lead_start_check",
        "lead_file": "case_request_filing",
        "lead_not_file": "lead_conclude_not_filed",
        "lead_transfer": "lead_transfer",
        "lead_order_correction": "lead_order_correction",
        "lead_reopen": "case_withdraw_filing",
        "case_request_filing": "case_request_filing",
        "case_return_filing": "case_return_filing",
        "case_resubmit_filing": "case_resubmit_filing",
        "case_withdraw_filing": "case_withdraw_filing",
        "case_approve_filing": "case_approve_filing",
        "case_close_investigation": "case_close_investigation",
        "case_reopen_investigation": "case_reopen_investigation",
        # the simple procedure and the archive
        "case_decide_on_spot": "case_decide_on_spot",
        "case_serve_on_spot": "case_serve_on_spot",
        "case_execute_on_spot": "case_execute_on_spot",
        "case_file_for_record": "case_file_for_record",
        "case_archive": "case_archive",
    }
    built = {t.name for t in [*LEADS, *CASES] if t.built}
    assert built == set(service_for)
    for name in built:
        assert callable(getattr(services, service_for[name]))


def test_simple_procedure_is_a_short_path_of_its_own():
    path = [t for t in CASES if t.procedure == Procedure.SIMPLE]
    assert {t.target for t in path} >= {CaseState.ON_SPOT_DECIDED, CaseState.ON_SPOT_SERVED, CaseState.FILED_FOR_RECORD}
    # executing leads to closing in the general procedure, to filing for the record in the simple one
    general = {
        t.target for t in CASES.available(CaseState.EXECUTING, procedure=Procedure.GENERAL, include_unbuilt=True)
    }
    simple = {t.target for t in CASES.available(CaseState.EXECUTING, procedure=Procedure.SIMPLE, include_unbuilt=True)}
    assert general == {CaseState.CLOSED} and simple == {CaseState.FILED_FOR_RECORD}


def test_transition_order_names_the_states_it_may_leave_from():
    with pytest.raises(RuleViolation) as exc:
        CASES.check("case_close_investigation", CaseState.FILING_PENDING, procedure=Procedure.GENERAL)
    assert exc.value.rule == "transition_order"


@pytest.mark.django_db
def test_approving_twice_is_refused_as_out_of_order(filed_case, duruan_head):
    with pytest.raises(RuleViolation) as exc:
        services.case_approve_filing(case=filed_case, actor=duruan_head, expected_version=filed_case.version)
    assert exc.value.rule == "transition_order"


@pytest.mark.django_db
def test_closing_an_investigation_before_filing_is_refused(pending_case, duruan_officer):
    services.party_add(case=pending_case, actor=duruan_officer, **person_values())
    pending_case.refresh_from_db()
    with pytest.raises(RuleViolation) as exc:
        services.case_close_investigation(
            case=pending_case,
            actor=duruan_officer,
            expected_version=pending_case.version,
            facts_found="f",
            evidence_summary="e",
            violated_provision="v",
            proposal=warning_proposal(),
        )
    assert exc.value.rule == "transition_order"
    pending_case.refresh_from_db()
    assert pending_case.state == CaseState.FILING_PENDING


@pytest.mark.django_db
def test_concluding_a_lead_twice_is_refused(lead, duruan_officer):
    lead = services.lead_conclude_not_filed(
        lead=lead, actor=duruan_officer, reason="无违法", expected_version=lead.version
    )
    with pytest.raises(RuleViolation) as exc:
        services.lead_conclude_not_filed(lead=lead, actor=duruan_officer, reason="again", expected_version=lead.version)
    assert exc.value.rule == "transition_order"
