"""The legal rules of filing and investigation, one test (at least) per rule, named after it.

Each test would pass if the rule were removed only by accident: it checks the refusal, the rule
that refused, and that nothing was half written.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases import rules, services
from cases.choices import CaseState, LeadStatus
from cases.models import Case, Deadline, IssuedNumber
from pengjiang_enforcement import workdays
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.services import certificate_revoke
from powers.choices import PowerKind
from powers.services import item_recall
from tests.factories import UserFactory, give_certificate, unit

from .factories import D, item_for, make_lead, make_pending_case, refused, today, warning_proposal

pytestmark = pytest.mark.django_db


# --- APL Art. 36: limitation -------------------------------------------------------------------


def test_apl_36_two_year_limitation_refuses_filing(duruan_officer, duruan_colleague, item):
    lead = make_lead(duruan_officer, discovered_on=today() - datetime.timedelta(days=2))
    act = workdays.add_years(lead.discovered_on, -2) - datetime.timedelta(days=1)
    exc = refused(
        "apl_36_limitation_period",
        lambda: make_pending_case(duruan_officer, duruan_colleague, item=item, lead=lead, act_date=act),
    )
    assert "第三十六条" in exc.messages[0]
    assert not Case.objects.exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CHECKING  # nothing half written: the lead is still under check


def test_apl_36_act_just_inside_two_years_is_filed(duruan_officer, duruan_colleague, item):
    lead = make_lead(duruan_officer)
    act = workdays.add_years(lead.discovered_on, -2)
    case = make_pending_case(duruan_officer, duruan_colleague, item=item, lead=lead, act_date=act)
    assert case.state == CaseState.FILING_PENDING


def test_apl_36_five_years_where_life_health_or_finance_was_harmed(duruan_officer, duruan_colleague, item):
    lead = make_lead(duruan_officer)
    act = workdays.add_years(lead.discovered_on, -4)
    refused(
        "apl_36_limitation_period",
        lambda: make_pending_case(duruan_officer, duruan_colleague, item=item, lead=lead, act_date=act),
    )
    case = make_pending_case(duruan_officer, duruan_colleague, item=item, lead=lead, act_date=act, serious_harm=True)
    assert case.serious_harm
    with pytest.raises(RuleViolation):
        rules.apl_36_limitation_period(
            act_date=workdays.add_years(lead.discovered_on, -5) - datetime.timedelta(days=1),
            act_end_date=None,
            continuing=False,
            serious_harm=True,
            discovered_on=lead.discovered_on,
        )


def test_apl_36_continuing_act_counts_from_its_end(duruan_officer, duruan_colleague, item):
    lead = make_lead(duruan_officer)
    start = workdays.add_years(lead.discovered_on, -3)
    end = lead.discovered_on - datetime.timedelta(days=10)
    case = make_pending_case(
        duruan_officer, duruan_colleague, item=item, lead=lead, act_date=start, act_continuing=True, act_end_date=end
    )
    assert case.limitation_start == end


# --- APL Art. 42: two certified officers -------------------------------------------------------


def test_apl_42_one_officer_only_refuses_filing(duruan_officer, item):
    lead = make_lead(duruan_officer)
    refused(
        "apl_42_two_officers",
        lambda: services.case_request_filing(
            lead=lead,
            actor=duruan_officer,
            power_item=item,
            title="案",
            facts="事实",
            place="地点",
            act_date=lead.discovered_on,
            lead_officer=duruan_officer,
            co_officers=[duruan_officer],  # the same person twice is one officer
        ),
    )
    assert not Case.objects.exists()


def test_apl_42_expired_certificate_refuses_filing(duruan_officer, item):
    expired = UserFactory(username="dr_expired", full_name="过期")
    give_certificate(expired, valid_from=D(2020, 1, 1), valid_to=today() - datetime.timedelta(days=1))
    exc = refused("apl_42_certificates_valid", lambda: make_pending_case(duruan_officer, expired, item=item))
    assert "过期" in exc.messages[0]


def test_apl_42_certificate_expired_before_approval_stops_the_approval(duruan_officer, duruan_head, item):
    colleague = UserFactory(username="dr_soon", full_name="将过期")
    certificate = give_certificate(colleague)
    case = make_pending_case(duruan_officer, colleague, item=item)
    certificate_revoke(actor=None, certificate=certificate, revoked_on=today())
    refused(
        "apl_42_certificates_valid",
        lambda: services.case_approve_filing(case=case, actor=duruan_head, expected_version=case.version),
    )
    case.refresh_from_db()
    assert case.state == CaseState.FILING_PENDING and case.number == ""
    assert not IssuedNumber.objects.filter(doc_type="filing").exists()  # no number consumed


def test_officers_of_township_refuses_an_officer_of_another_township(duruan_officer, baisha_officer, item):
    refused("officers_of_township", lambda: make_pending_case(duruan_officer, baisha_officer, item=item))


# --- the power item ----------------------------------------------------------------------------


def test_item_delegated_on_filing_date_files_an_act_committed_before_the_delegation(
    duruan_officer, duruan_colleague, duruan_head
):
    """The township holds the item on the filing date: an act of the day before the delegation
    began, within the limitation period, is filed; the case pins the item's first version (the
    catalogue holds none older), and the act's date still governs the limitation period."""
    item = item_for(effective_from=today() - datetime.timedelta(days=30))
    lead = make_lead(duruan_officer, discovered_on=today() - datetime.timedelta(days=2))
    case = make_pending_case(
        duruan_officer, duruan_colleague, item=item, lead=lead, act_date=today() - datetime.timedelta(days=31)
    )
    case = services.case_approve_filing(case=case, actor=duruan_head, expected_version=case.version)
    assert case.state == CaseState.INVESTIGATING and case.power_item_id == item.pk
    assert case.power_item_version == item.versions.order_by("valid_from", "version").first()
    assert case.power_item_version is not None


def test_item_delegated_on_filing_date_refuses_an_item_delegated_only_from_tomorrow(duruan_officer, duruan_colleague):
    item = item_for(effective_from=today() + datetime.timedelta(days=1))
    exc = refused(
        "item_delegated_on_filing_date", lambda: make_pending_case(duruan_officer, duruan_colleague, item=item)
    )
    assert item.full_code in exc.messages[0]


def test_item_delegated_on_filing_date_refuses_an_item_of_another_township(duruan_officer, duruan_colleague):
    item = item_for(townships=("baisha",))
    refused("item_delegated_on_filing_date", lambda: make_pending_case(duruan_officer, duruan_colleague, item=item))


def test_recalled_item_cannot_be_chosen_after_its_end_date_but_filed_cases_keep_it(
    duruan_officer, duruan_colleague, duruan_head
):
    item = item_for()
    filed = make_pending_case(duruan_officer, duruan_colleague, item=item)
    filed = services.case_approve_filing(case=filed, actor=duruan_head, expected_version=filed.version)
    pending = make_pending_case(duruan_officer, duruan_colleague, item=item)
    item_recall(actor=None, item=item, effective_date=today(), townships=[unit("duruan")], reason="收回")
    # a new case on an act of last week: delegated on the act date, but no more today
    refused(
        "item_delegated_on_filing_date",
        lambda: make_pending_case(
            duruan_officer, duruan_colleague, item=item, act_date=today() - datetime.timedelta(days=7)
        ),
    )
    # the filing waiting for approval is stopped too: it is not filed before the recall
    refused(
        "item_delegated_on_filing_date",
        lambda: services.case_approve_filing(case=pending, actor=duruan_head, expected_version=pending.version),
    )
    filed.refresh_from_db()
    assert filed.power_item_id == item.pk and filed.state == CaseState.INVESTIGATING


def test_item_is_penalty_power(duruan_officer, duruan_colleague):
    item = item_for(kind=PowerKind.INSPECTION, name="对某事项的行政检查")
    refused("item_is_penalty_power", lambda: make_pending_case(duruan_officer, duruan_colleague, item=item))


def test_case_pins_the_item_version_in_force_on_the_act_date(pending_case, item):
    assert pending_case.power_item_version.item_id == item.pk
    assert pending_case.power_item_version.valid_from <= pending_case.act_date


# --- approval by the office head ---------------------------------------------------------------


def test_approved_by_office_head_an_officer_cannot_approve(pending_case, duruan_colleague):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.case_approve_filing(case=pending_case, actor=duruan_colleague, expected_version=pending_case.version)


def test_approved_by_office_head_rule(pending_case, baisha_officer, duruan_officer):
    refused("approved_by_office_head", lambda: rules.approved_by_office_head(duruan_officer, pending_case.township))


def test_filing_four_eyes_the_requesting_head_does_not_approve_own_filing(duruan_head, duruan_officer, item):
    case = make_pending_case(duruan_head, duruan_officer, item=item)
    refused(
        "filing_four_eyes",
        lambda: services.case_approve_filing(case=case, actor=duruan_head, expected_version=case.version),
    )


# --- deadlines ---------------------------------------------------------------------------------


def test_apl_60_decision_deadline_is_90_calendar_days_from_filing(filed_case):
    deadline = Deadline.objects.get(case=filed_case, kind="decision")
    assert deadline.due_on == workdays.add_calendar_days(filed_case.filed_on, 90)
    assert filed_case.decision_due == deadline.due_on == filed_case.next_due_on
    assert (deadline.due_on - filed_case.filed_on).days >= 90


def test_apl_60_period_ending_on_a_holiday_ends_on_the_next_working_day():
    # 2025-07-03 + 90 days = 2025-10-01, National Day: the period ends on 2025-10-09.
    assert rules.apl_60_decision_deadline(D(2025, 7, 3)) == D(2025, 10, 9)


def test_apl_56_preservation_decision_due_in_7_working_days():
    # Registered on Friday 2025-09-26: the days counted are Sun 28 (a make-up working day),
    # Mon 29, Tue 30, then after the National Day holiday Thu 9 Oct, Fri 10, Sat 11 (make-up)
    # and Mon 13 Oct. Seven calendar days would have ended on 3 October, mid-holiday.
    due = rules.apl_56_preservation_deadline(D(2025, 9, 26))
    assert workdays.working_days_between(D(2025, 9, 26), due) == 7
    assert due == D(2025, 10, 13)


def test_check_deadline_is_15_working_days_and_configurable(duruan_officer):
    from cases.models import ProcedurePolicy

    lead = make_lead(duruan_officer, check=False)
    assert lead.check_due == workdays.add_working_days(lead.discovered_on, 15)
    ProcedurePolicy.objects.create(township=unit("duruan"), check_working_days=10)
    other = make_lead(duruan_officer, check=False)
    assert other.check_due == workdays.add_working_days(other.discovered_on, 10)


def test_deadline_in_the_past_isrefused(filed_case, duruan_officer):
    refused(
        "deadline_not_in_past",
        lambda: services.correction_order_issue(
            case=filed_case, actor=duruan_officer, content="整改", legal_basis="", deadline=today()
        ),
    )
    assert not filed_case.corrections.exists()
    assert not IssuedNumber.objects.filter(doc_type="correction").exists()


# --- identity numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "440703198503120174"])
def test_resident_id_check_digit_accepts_valid_numbers(number):
    assert rules.resident_id_valid(number.lower()) == number


def test_resident_id_check_digit_refuses_a_wrong_last_digit():
    refused("resident_id_check_digit", lambda: rules.resident_id_valid("110105194912310021"))


def test_resident_id_format_and_birth_date():
    refused("resident_id_format", lambda: rules.resident_id_valid("11010519491231002"))
    refused("resident_id_birth_date", lambda: rules.resident_id_valid("110105194913310027"))


@pytest.mark.parametrize("code", ["91350100M000100Y43", "914403001922038216"])
def test_credit_code_check_character_accepts_valid_codes(code):
    assert rules.credit_code_valid(code) == code


def test_credit_code_check_character_refuses_a_wrong_last_character():
    refused("credit_code_check_character", lambda: rules.credit_code_valid("91350100M000100Y44"))
    refused("credit_code_format", lambda: rules.credit_code_valid("91350100M000100YI3"))


# --- investigation -----------------------------------------------------------------------------


def test_apl_55_certificates_shown_is_required_on_records(filed_case, duruan_officer, duruan_colleague):
    now = timezone.now()
    refused(
        "apl_55_certificates_shown",
        lambda: services.inspection_record_add(
            case=filed_case,
            actor=duruan_officer,
            started_at=now - datetime.timedelta(hours=1),
            ended_at=now,
            place="现场",
            present_persons="当事人",
            officers=[duruan_officer, duruan_colleague],
            recorder=duruan_colleague,
            findings="发现",
            certificates_shown=False,
            party_signed=True,
        ),
    )
    assert not filed_case.inspections.exists() and not filed_case.evidence.exists()


def test_apl_42_two_officers_take_part_in_an_inspection(filed_case, duruan_officer):
    now = timezone.now()
    refused(
        "apl_42_two_officers",
        lambda: services.inspection_record_add(
            case=filed_case,
            actor=duruan_officer,
            started_at=now - datetime.timedelta(hours=1),
            ended_at=now,
            place="现场",
            present_persons="当事人",
            officers=[duruan_officer],
            recorder=duruan_officer,
            findings="发现",
            certificates_shown=True,
            party_signed=True,
        ),
    )


def test_interview_rights_told_is_required(filed_case, duruan_officer, duruan_colleague):
    now = timezone.now()
    refused(
        "interview_rights_told",
        lambda: services.interview_record_add(
            case=filed_case,
            actor=duruan_officer,
            started_at=now - datetime.timedelta(hours=1),
            ended_at=now,
            place="办公室",
            interviewee_role="party",
            interviewee_name="王小明",
            officers=[duruan_officer, duruan_colleague],
            recorder=duruan_colleague,
            qa=[{"q": "问", "a": "答"}],
            certificates_shown=True,
            rights_told=False,
            confirmed=True,
        ),
    )


def test_investigation_needs_party_and_evidence(filed_case, duruan_officer):
    close = lambda: services.case_close_investigation(  # noqa: E731
        case=filed_case,
        actor=duruan_officer,
        expected_version=Case.objects.get(pk=filed_case.pk).version,
        facts_found="事实",
        evidence_summary="证据",
        violated_provision="条款",
        proposal=warning_proposal(),
    )
    refused("investigation_needs_party", close)
    from .factories import person_values

    services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    refused("investigation_needs_evidence", close)
    assert Case.objects.get(pk=filed_case.pk).state == CaseState.INVESTIGATING


@pytest.mark.parametrize(
    "act, end, continuing, found",
    [
        pytest.param(-5, None, False, 1, id="discovery-in-the-future"),
        pytest.param(-1, None, False, -3, id="act-after-its-discovery"),
        pytest.param(-9, -10, True, -2, id="continuing-act-ends-before-it-started"),
        pytest.param(-9, 1, True, -2, id="continuing-act-ends-after-today"),
    ],
)
def test_act_dates_consistent(act, end, continuing, found):
    day = today()
    offset = datetime.timedelta
    refused(
        "act_dates_consistent",
        lambda: rules.act_dates_consistent(
            act_date=day + offset(days=act),
            act_end_date=None if end is None else day + offset(days=end),
            continuing=continuing,
            discovered_on=day + offset(days=found),
            today=day,
        ),
    )


def test_act_dates_consistent_accept_a_continuing_act_that_goes_on_today():
    day = today()
    rules.act_dates_consistent(
        act_date=day - datetime.timedelta(days=30),
        act_end_date=day,
        continuing=True,
        discovered_on=day - datetime.timedelta(days=2),
        today=day,
    )
