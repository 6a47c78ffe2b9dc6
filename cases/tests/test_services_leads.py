"""Leads: registration, the check and its four conclusions, edits with conflicts."""

from __future__ import annotations

import datetime

import pytest

from cases import services
from cases.choices import CaseState, DeadlineStatus, LeadSource, LeadStatus
from cases.models import Attachment, CaseEvent, CorrectionOrder, Deadline, Lead
from pengjiang_enforcement.exceptions import ConflictError, RuleViolation
from pengjiang_enforcement.models import AuditLog
from tests.factories import unit

from .factories import make_lead, make_pending_case, today

pytestmark = pytest.mark.django_db


def test_registration_numbers_the_lead_and_starts_its_check_clock(duruan_officer):
    lead = make_lead(duruan_officer, check=False)
    assert lead.reference == f"蓬江杜阮综执源〔{today().year}〕1号"
    assert lead.status == LeadStatus.REGISTERED
    deadline = Deadline.objects.get(lead=lead)
    assert deadline.kind == "lead_check" and deadline.due_on == lead.check_due and deadline.working_days
    assert CaseEvent.objects.filter(lead=lead, kind="lead.registered").exists()
    assert AuditLog.objects.filter(action="cases.lead.registered", object_id=str(lead.pk)).exists()


def test_lead_hotline_order_no_is_required_and_unique(duruan_officer):
    with pytest.raises(RuleViolation) as exc:
        make_lead(duruan_officer, source=LeadSource.HOTLINE_12345)
    assert exc.value.rule == "lead_hotline_order_no"
    make_lead(duruan_officer, source=LeadSource.HOTLINE_12345, hotline_order_no="0826081308493182401")
    with pytest.raises(RuleViolation) as exc:
        make_lead(duruan_officer, source=LeadSource.HOTLINE_12345, hotline_order_no="0826081308493182401")
    assert exc.value.rule == "lead_one_per_work_order"
    assert Lead.objects.count() == 1


def test_discovery_in_the_future_is_refused(duruan_officer):
    with pytest.raises(RuleViolation) as exc:
        make_lead(duruan_officer, discovered_on=today() + datetime.timedelta(days=1))
    assert exc.value.rule == "not_in_future"


def test_start_check_assigns_the_checker(duruan_officer, duruan_colleague):
    lead = make_lead(duruan_officer, check=False)
    lead = services.lead_start_check(lead=lead, actor=duruan_officer, checker=duruan_colleague)
    assert lead.status == LeadStatus.CHECKING and lead.checker == duruan_colleague


def test_not_filed_needs_a_reason_and_meets_the_check_deadline(lead, duruan_officer):
    with pytest.raises(RuleViolation) as exc:
        services.lead_conclude_not_filed(lead=lead, actor=duruan_officer, reason="  ", expected_version=lead.version)
    assert exc.value.rule == "lead_not_filed_reason"
    lead = services.lead_conclude_not_filed(
        lead=lead, actor=duruan_officer, reason="经核查无违法事实", expected_version=lead.version
    )
    assert lead.status == LeadStatus.NOT_FILED and lead.conclusion_reason == "经核查无违法事实"
    assert Deadline.objects.get(lead=lead).status == DeadlineStatus.MET


def test_transfer_to_another_township_creates_its_lead_linked_both_ways(lead, duruan_officer, baisha_officer):
    services.lead_transfer(
        lead=lead, actor=duruan_officer, target=unit("baisha"), reason="属白沙辖区", expected_version=lead.version
    )
    lead.refresh_from_db()
    received = lead.transferred_to.get()
    assert lead.status == LeadStatus.TRANSFERRED and lead.transfer_target == unit("baisha")
    assert received.township == unit("baisha") and received.transferred_from == lead
    assert received.source == LeadSource.TOWNSHIP_TRANSFER and received.external_ref == lead.reference
    assert received.status == LeadStatus.REGISTERED


def test_transfer_to_a_department(lead, duruan_officer):
    services.lead_transfer(
        lead=lead, actor=duruan_officer, target=unit("dept-market"), reason="食品安全", expected_version=lead.version
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.TRANSFERRED and not lead.transferred_to.exists()


def test_lead_transfer_target_is_a_department_or_another_township(lead, duruan_officer):
    for target in ("duruan", "duruan-office", "justice-bureau"):
        with pytest.raises(RuleViolation) as exc:
            services.lead_transfer(
                lead=lead, actor=duruan_officer, target=unit(target), reason="x", expected_version=lead.version
            )
        assert exc.value.rule == "lead_transfer_target"


def test_order_correction_only_issues_a_numbered_order_with_its_deadline(lead, duruan_officer):
    order = services.lead_order_correction(
        lead=lead,
        actor=duruan_officer,
        content="拆除遮阳棚",
        legal_basis="条例",
        deadline=today() + datetime.timedelta(days=7),
        reason="情节轻微",
        expected_version=lead.version,
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CORRECTION_ONLY
    assert order.number == f"蓬江杜阮综执改〔{today().year}〕1号" and order.lead == lead
    assert Deadline.objects.get(correction=order).due_on == order.deadline
    order = services.correction_reinspect(
        order=order, actor=duruan_officer, reinspected_on=today(), result="corrected", note="已拆除"
    )
    assert Deadline.objects.get(correction=order).status == DeadlineStatus.MET


def test_order_correction_with_a_deadline_in_the_past_changes_nothing(lead, duruan_officer):
    with pytest.raises(RuleViolation):
        services.lead_order_correction(
            lead=lead,
            actor=duruan_officer,
            content="拆除",
            legal_basis="",
            deadline=today() - datetime.timedelta(days=1),
            reason="",
            expected_version=lead.version,
        )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CHECKING and not CorrectionOrder.objects.exists()


def test_two_browsers_editing_a_lead_the_second_save_is_refused(lead, duruan_officer, duruan_colleague):
    seen = lead.version
    services.lead_update(lead=lead, actor=duruan_colleague, expected_version=seen, place="新地点")
    with pytest.raises(ConflictError) as exc:
        services.lead_update(lead=lead, actor=duruan_officer, expected_version=seen, place="另一个地点")
    assert "李博" in exc.value.messages[0]
    lead.refresh_from_db()
    assert lead.place == "新地点"


def test_editing_the_discovery_date_moves_the_check_deadline(lead, duruan_officer):
    from pengjiang_enforcement import workdays

    day = today() - datetime.timedelta(days=10)
    lead = services.lead_update(lead=lead, actor=duruan_officer, expected_version=lead.version, discovered_on=day)
    assert lead.check_due == workdays.add_working_days(day, 15) == Deadline.objects.get(lead=lead).due_on


def test_withdrawn_filing_reopens_the_lead_and_its_clock(duruan_officer, duruan_colleague, item):
    case = make_pending_case(duruan_officer, duruan_colleague, item=item)
    lead = case.lead
    lead.refresh_from_db()
    assert lead.status == LeadStatus.FILED
    assert Deadline.objects.get(lead=lead).status == DeadlineStatus.MET
    services.case_withdraw_filing(case=case, actor=duruan_officer, reason="证据不足", expected_version=case.version)
    lead.refresh_from_db()
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN and lead.status == LeadStatus.CHECKING
    assert Deadline.objects.get(lead=lead).status == DeadlineStatus.OPEN
    # and it can be filed again
    again = make_pending_case(duruan_officer, duruan_colleague, item=item, lead=lead)
    assert again.lead == lead


def test_leads_of_another_township_cannot_be_worked(lead, baisha_officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.lead_conclude_not_filed(lead=lead, actor=baisha_officer, reason="x", expected_version=lead.version)


def test_an_officer_registers_leads_of_their_own_township_only(duruan_officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.lead_register(
            actor=duruan_officer,
            township=unit("baisha"),
            source=LeadSource.PATROL,
            discovered_on=today(),
            place="白沙",
            description="越界登记",
        )
    assert not Lead.objects.exists()


@pytest.mark.parametrize("blank", ["place", "description"])
def test_lead_place_and_description(duruan_officer, lead, blank):
    with pytest.raises(RuleViolation) as exc:
        make_lead(duruan_officer, **{blank: "  "})
    assert exc.value.rule == "lead_place_and_description"
    with pytest.raises(RuleViolation) as exc:
        services.lead_update(lead=lead, actor=duruan_officer, expected_version=lead.version, **{blank: ""})
    assert exc.value.rule == "lead_place_and_description"
    assert Lead.objects.count() == 1


def test_lead_transfer_reason(lead, duruan_officer):
    with pytest.raises(RuleViolation) as exc:
        services.lead_transfer(
            lead=lead, actor=duruan_officer, target=unit("dept-market"), reason=" ", expected_version=lead.version
        )
    assert exc.value.rule == "lead_transfer_reason"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CHECKING


def test_lead_concluded_is_neither_edited_nor_given_files(lead, duruan_officer):
    from .factories import upload

    lead = services.lead_conclude_not_filed(
        lead=lead, actor=duruan_officer, reason="经核查无违法事实", expected_version=lead.version
    )
    with pytest.raises(RuleViolation) as exc:
        services.lead_update(lead=lead, actor=duruan_officer, expected_version=lead.version, place="杜阮北路14号")
    assert exc.value.rule == "lead_concluded"
    blob = services.blob_store(upload=upload("补充照片.png"))
    with pytest.raises(RuleViolation) as exc:
        services.lead_attach_file(lead=lead, actor=duruan_officer, blob=blob, name="补充照片.png")
    assert exc.value.rule == "lead_concluded"
    lead.refresh_from_db()
    assert lead.place == "杜阮镇杜阮北路12号门前"
    assert not Attachment.objects.filter(lead=lead).exists()
