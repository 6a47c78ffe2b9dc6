"""The simple procedure (当场处罚, APL Arts. 51-53, 67-71): each rule refuses by its code, each
transition moves the case, an archived case is read-only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import InternalError, transaction

from cases import services
from cases.choices import CaseState, DeadlineKind, DeadlineStatus, LeadStatus, Procedure
from cases.models import CaseEvent, Deadline, OnSpotDecision, OnSpotPayment, Party
from cases.services.simple import payment_reference
from pengjiang_enforcement import workdays

from .factories import make_lead, make_on_spot_case, on_spot_values, organisation_values, refused, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(duruan_officer, duruan_colleague, item):
    return on_spot_values(duruan_officer, duruan_colleague, item=item)


def _nothing_written():
    assert not OnSpotDecision.objects.exists() and not Party.objects.exists()


# --- the decision ---------------------------------------------------------------------------------


def test_case_decide_on_spot_makes_a_simple_case_with_a_numbered_decision(values, duruan_officer):
    case = services.case_decide_on_spot(**values)
    assert case.procedure == Procedure.SIMPLE and case.state == CaseState.ON_SPOT_DECIDED
    decision = case.on_spot
    assert decision.number == case.number and "综执当罚〔" in decision.number
    assert decision.amount == Decimal("50") and decision.payment_reference
    assert list(case.officer_links.values_list("user__username", flat=True)) == ["dr_alice", "dr_bob"]
    assert all(link.certificate_id for link in case.officer_links.all())
    assert case.party_summary == "王小明"
    assert CaseEvent.objects.filter(case=case, kind="case.decided_on_spot").exists()


def test_case_decide_on_spot_numbers_follow_each_other(values, duruan_officer, duruan_colleague, item):
    first = services.case_decide_on_spot(**values)
    second = make_on_spot_case(duruan_officer, duruan_colleague, item=item)
    assert first.number != second.number and first.number[:-3] == second.number[:-3]


def test_case_decide_on_spot_from_a_lead_concludes_its_check(values, duruan_officer):
    lead = make_lead(duruan_officer, check=False)
    case = services.case_decide_on_spot(**values, lead=lead)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.FILED and case.lead == lead and case.source == lead.source


def test_apl_51_simple_procedure_limit_refuses_201_yuan_for_a_person(values):
    refused("apl_51_simple_procedure_limit", lambda: services.case_decide_on_spot(**{**values, "amount": 201}))
    _nothing_written()
    assert services.case_decide_on_spot(**{**values, "amount": 200}).on_spot.amount == 200


def test_apl_51_simple_procedure_limit_refuses_3001_yuan_for_an_organisation(values):
    org = {**values, "party": organisation_values()}
    refused("apl_51_simple_procedure_limit", lambda: services.case_decide_on_spot(**{**org, "amount": 3001}))
    _nothing_written()
    assert services.case_decide_on_spot(**{**org, "amount": 3000}).on_spot.amount == 3000


def test_apl_51_simple_procedure_limit_warning_has_no_amount(values):
    case = services.case_decide_on_spot(**{**values, "penalty": "warning", "amount": 500})
    assert case.on_spot.amount is None and case.on_spot.collection == ""
    refused("apl_51_simple_procedure_limit", lambda: services.case_decide_on_spot(**{**values, "penalty": "revoke"}))


@pytest.mark.parametrize("amount", [0, -5])
def test_fine_amount_positive_refuses_zero_and_negative(values, amount):
    refused("fine_amount_positive", lambda: services.case_decide_on_spot(**{**values, "amount": amount}))
    _nothing_written()


def test_apl_52_certificates_shown(values):
    refused(
        "apl_52_certificates_shown", lambda: services.case_decide_on_spot(**{**values, "certificates_shown": False})
    )
    _nothing_written()


def test_apl_52_signed_or_refusal_noted(values):
    unsigned = {**values, "party_signed": False}
    refused("apl_52_signed_or_refusal_noted", lambda: services.case_decide_on_spot(**unsigned))
    case = services.case_decide_on_spot(**unsigned, refusal_note="当事人拒绝签名，执法人员在决定书上注明")
    assert "拒绝签名" in case.on_spot.refusal_note


def test_apl_42_two_officers_on_the_spot(values):
    refused("apl_42_two_officers", lambda: services.case_decide_on_spot(**{**values, "co_officers": []}))
    _nothing_written()


def test_apl_68_on_spot_collection_refuses_150_yuan_cash_without_a_reason(values):
    cash = {**values, "amount": 150, "collection": "on_spot"}
    refused("apl_68_on_spot_collection", lambda: services.case_decide_on_spot(**cash))
    _nothing_written()
    case = services.case_decide_on_spot(**cash, on_spot_reason="当事人系外地游客，事后难以缴纳")
    assert case.on_spot.on_spot_reason and not case.on_spot.payment_reference
    assert services.case_decide_on_spot(**{**cash, "amount": 100}).on_spot.collection == "on_spot"


def test_item_delegated_on_filing_date_on_the_spot(values):
    from .factories import item_for

    other = item_for(townships=("baisha",))
    refused("item_delegated_on_filing_date", lambda: services.case_decide_on_spot(**{**values, "power_item": other}))


def test_resident_id_check_digit_on_the_spot(values):
    party = {**values["party"], "id_number": values["party"]["id_number"][:-1] + "0"}
    if party["id_number"] == values["party"]["id_number"]:
        party["id_number"] = party["id_number"][:-1] + "1"
    refused("resident_id_check_digit", lambda: services.case_decide_on_spot(**{**values, "party": party}))


def test_an_officer_of_another_township_cannot_decide_for_duruan(values, baisha_officer):
    with pytest.raises(PermissionDenied):
        services.case_decide_on_spot(**{**values, "actor": baisha_officer})


def test_a_social_supervisor_cannot_decide_on_the_spot(values, social_supervisor):
    with pytest.raises(PermissionDenied):
        services.case_decide_on_spot(**{**values, "actor": social_supervisor})


def test_payment_reference_has_a_check_digit():
    ref = payment_reference(year=2026, township_id=3, case_id=42)
    assert ref.startswith("2026003") and len(ref) == 16
    assert ref != payment_reference(year=2026, township_id=3, case_id=43)


# --- handing over, payment, 备案, archive ---------------------------------------------------------


def _serve(case, actor):
    case.refresh_from_db()
    return services.case_serve_on_spot(case=case, actor=actor, expected_version=case.version)


def _pay(case, actor, **kw):
    case.refresh_from_db()
    values = {"amount": case.on_spot.amount, "paid_on": today(), "method": "bank", "receipt_number": "YH-0001", **kw}
    return services.case_execute_on_spot(case=case, actor=actor, expected_version=case.version, **values)


def test_case_serve_on_spot_starts_the_15_day_payment_deadline(values, duruan_officer):
    case = _serve(services.case_decide_on_spot(**values), duruan_officer)
    assert case.state == CaseState.ON_SPOT_SERVED and case.on_spot.served_at
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.PAYMENT)
    assert deadline.due_on == workdays.add_calendar_days(today(), 15)
    case.refresh_from_db()
    assert case.next_due_on == deadline.due_on


def test_case_execute_on_spot_by_bank_meets_the_payment_deadline(values, duruan_officer):
    case = _serve(services.case_decide_on_spot(**values), duruan_officer)
    payment = _pay(case, duruan_officer)
    case.refresh_from_db()
    assert case.state == CaseState.EXECUTING and payment.handover_due is None
    assert Deadline.objects.get(case=case, kind=DeadlineKind.PAYMENT).status == DeadlineStatus.MET


def test_payment_matches_fine(values, duruan_officer):
    case = _serve(services.case_decide_on_spot(**values), duruan_officer)
    refused("payment_matches_fine", lambda: _pay(case, duruan_officer, amount=Decimal("40")))
    assert not OnSpotPayment.objects.exists()


def test_apl_68_cash_only_when_collected_on_spot(values, duruan_officer):
    case = _serve(services.case_decide_on_spot(**values), duruan_officer)
    refused("apl_68_cash_only_when_collected_on_spot", lambda: _pay(case, duruan_officer, method="cash"))


def test_apl_70_receipt_number(values, duruan_officer):
    case = _serve(services.case_decide_on_spot(**values), duruan_officer)
    refused("apl_70_receipt_number", lambda: _pay(case, duruan_officer, receipt_number=" "))


def test_cash_collected_on_the_spot_is_due_at_the_office_in_2_working_days(values, duruan_officer, duruan_head):
    case = services.case_decide_on_spot(**{**values, "collection": "on_spot"})
    _serve(case, duruan_officer)
    assert not Deadline.objects.filter(case=case, kind=DeadlineKind.PAYMENT).exists()
    payment = _pay(case, duruan_officer, method="cash", receipt_number="粤财 0012345")
    assert payment.handover_due == workdays.add_working_days(today(), 2)
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.CASH_HANDOVER)
    assert deadline.working_days and deadline.due_on == payment.handover_due
    case.refresh_from_db()
    services.case_file_for_record(case=case, actor=duruan_officer, expected_version=case.version)
    case.refresh_from_db()
    refused("archive_nothing_open",
            lambda: services.case_archive(case=case, actor=duruan_head, expected_version=case.version))  # fmt: skip
    services.case_hand_over_cash(case=case, actor=duruan_officer, handed_over_on=today())
    refused("cash_handover_pending",
            lambda: services.case_hand_over_cash(case=case, actor=duruan_officer, handed_over_on=today()))  # fmt: skip
    assert Deadline.objects.get(pk=deadline.pk).status == DeadlineStatus.MET
    case.refresh_from_db()
    services.case_archive(case=case, actor=duruan_head, expected_version=case.version)
    case.refresh_from_db()
    assert case.state == CaseState.ARCHIVED


def test_simple_record_after_payment(values, duruan_officer):
    case = _serve(services.case_decide_on_spot(**values), duruan_officer)
    case.refresh_from_db()
    record = lambda: services.case_file_for_record(case=case, actor=duruan_officer, expected_version=case.version)  # noqa: E731
    refused("simple_record_after_payment", record)


def test_a_warning_goes_from_handing_over_to_the_record_and_the_archive(values, duruan_officer, duruan_head):
    case = _serve(services.case_decide_on_spot(**{**values, "penalty": "warning"}), duruan_officer)
    case.refresh_from_db()
    services.case_file_for_record(case=case, actor=duruan_officer, expected_version=case.version, note="已备案")
    case.refresh_from_db()
    assert case.state == CaseState.FILED_FOR_RECORD and case.on_spot.filed_for_record_by == duruan_officer
    services.case_archive(case=case, actor=duruan_head, expected_version=case.version)
    case.refresh_from_db()
    assert case.state == CaseState.ARCHIVED
    assert CaseEvent.objects.filter(case=case, kind="case.archived").exists()
    # The archive is the last change: the file is read-only in the database.
    with pytest.raises(InternalError), transaction.atomic():
        OnSpotDecision.objects.filter(case=case).update(legal_basis="x")


def test_transition_order_on_the_spot(values, duruan_officer, duruan_head):
    case = services.case_decide_on_spot(**values)
    case.refresh_from_db()
    record = lambda: services.case_file_for_record(case=case, actor=duruan_officer, expected_version=case.version)  # noqa: E731
    refused("transition_order", record)
    refused("transition_order", lambda: _pay(case, duruan_officer))


def test_approved_by_office_head_archives(values, duruan_officer, duruan_head):
    case = _serve(services.case_decide_on_spot(**{**values, "penalty": "warning"}), duruan_officer)
    case.refresh_from_db()
    services.case_file_for_record(case=case, actor=duruan_officer, expected_version=case.version)
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.case_archive(case=case, actor=duruan_officer, expected_version=case.version)


def test_an_officer_of_another_township_cannot_serve(values, duruan_officer, baisha_officer):
    from django.http import Http404

    case = services.case_decide_on_spot(**values)
    case.refresh_from_db()
    with pytest.raises((PermissionDenied, Http404)):
        services.case_serve_on_spot(case=case, actor=baisha_officer, expected_version=case.version)


def test_apl_67_payment_deadline_ends_on_a_working_day():
    from cases import rules

    for start in (datetime.date(2026, 9, 20), datetime.date(2026, 1, 10)):
        due = rules.apl_67_payment_deadline(start)
        assert due >= start + datetime.timedelta(days=15) and workdays.is_working_day(due)


def test_case_archive_is_generic_a_closed_case_of_the_general_procedure_archives(filed_case, duruan_head):
    """case_archive leaves from CLOSED too (the general procedure's closing is built later): the
    state is set by hand here, the decision clock met, as closing will leave it."""
    from cases.models import Case

    Deadline.objects.filter(case=filed_case).update(status=DeadlineStatus.MET, met_on=today())
    Case.objects.filter(pk=filed_case.pk).update(state=CaseState.CLOSED)
    filed_case.refresh_from_db()
    services.case_archive(case=filed_case, actor=duruan_head, expected_version=filed_case.version)
    filed_case.refresh_from_db()
    assert filed_case.state == CaseState.ARCHIVED


def test_archive_nothing_open_a_closed_case_with_a_running_deadline_stays(filed_case, duruan_head):
    from cases.models import Case

    Case.objects.filter(pk=filed_case.pk).update(state=CaseState.CLOSED)
    filed_case.refresh_from_db()
    version = filed_case.version
    refused(
        "archive_nothing_open",
        lambda: services.case_archive(case=filed_case, actor=duruan_head, expected_version=version),
    )
