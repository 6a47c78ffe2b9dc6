"""Filing: the request, the approval with its number, return and resubmission, edits."""

from __future__ import annotations

import pytest

from cases import services
from cases.choices import CaseState, DeadlineStatus, LeadStatus, NotificationKind
from cases.models import Case, CaseEvent, CaseOfficer, Deadline, Notification
from pengjiang_enforcement.exceptions import ConflictError, RuleViolation
from pengjiang_enforcement.models import AuditLog
from powers.models import PowerUsage

from .factories import make_filed_case, today

pytestmark = pytest.mark.django_db


def test_request_creates_a_pending_case_with_two_officers(duruan_head, pending_case, duruan_officer, duruan_colleague):
    assert pending_case.state == CaseState.FILING_PENDING and pending_case.number == ""
    links = list(CaseOfficer.objects.filter(case=pending_case).order_by("id"))
    assert [(link.user, link.role) for link in links] == [(duruan_officer, "lead"), (duruan_colleague, "assisting")]
    assert pending_case.lead.status == LeadStatus.FILED
    assert Notification.objects.filter(recipient=duruan_head, kind=NotificationKind.APPROVAL_NEEDED).exists()


def test_approval_files_the_case_with_number_deadline_certificates_and_usage(pending_case, duruan_head):
    case = services.case_approve_filing(case=pending_case, actor=duruan_head, expected_version=pending_case.version)
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING
    assert case.number == f"蓬江杜阮综执立〔{today().year}〕1号"
    assert case.filed_on == today() and case.approved_by == duruan_head
    assert Deadline.objects.get(case=case, kind="decision").status == DeadlineStatus.OPEN
    assert all(link.certificate_id for link in case.officer_links.all())
    assert PowerUsage.objects.filter(case_id=case.pk, kind="used", item=case.power_item).exists()
    assert CaseEvent.objects.filter(case=case, kind="case.filed", actor=duruan_head).exists()
    audit = AuditLog.objects.get(action="cases.case.filed", object_id=str(case.pk))
    assert audit.after["number"] == case.number and audit.before["state"] == CaseState.FILING_PENDING


def test_numbers_are_per_township_and_consecutive(duruan_officer, duruan_colleague, duruan_head, baisha_officer, item):
    from tests.factories import UserFactory, unit

    first = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item)
    second = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item)
    baisha_colleague = UserFactory(username="bs_dora", full_name="白朵拉", unit=unit("baisha-office"), certified=True)
    baisha_head = UserFactory(
        username="bs_head_t", full_name="白主任", unit=unit("baisha-office"), roles=("office_head",), certified=True
    )
    third = make_filed_case(baisha_officer, baisha_colleague, baisha_head, item=item)
    year = today().year
    assert [first.number, second.number] == [f"蓬江杜阮综执立〔{year}〕1号", f"蓬江杜阮综执立〔{year}〕2号"]
    assert third.number == f"蓬江白沙综执立〔{year}〕1号"


def test_return_and_resubmit(pending_case, duruan_head, duruan_officer):
    with pytest.raises(RuleViolation) as exc:
        services.case_return_filing(
            case=pending_case, actor=duruan_head, reason="", expected_version=pending_case.version
        )
    assert exc.value.rule == "filing_return_reason"
    case = services.case_return_filing(
        case=pending_case, actor=duruan_head, reason="补充照片", expected_version=pending_case.version
    )
    assert case.state == CaseState.FILING_RETURNED
    assert Notification.objects.filter(recipient=duruan_officer, kind=NotificationKind.FILING_RETURNED).exists()
    case = services.case_resubmit_filing(case=case, actor=duruan_officer, expected_version=case.version)
    assert case.state == CaseState.FILING_PENDING


def test_only_the_handling_officers_change_a_case(pending_case, duruan_head):
    from django.core.exceptions import PermissionDenied

    from tests.factories import UserFactory

    other = UserFactory(username="dr_carol", full_name="同事丙", certified=True)
    with pytest.raises(PermissionDenied):
        services.case_update(
            case=pending_case, actor=other, expected_version=pending_case.version, changes={"title": "改"}
        )
    with pytest.raises(PermissionDenied):  # the head approves; handling is the officers'
        services.case_update(
            case=pending_case, actor=duruan_head, expected_version=pending_case.version, changes={"title": "改"}
        )


def test_two_browsers_editing_a_case_the_second_save_is_refused(filed_case, duruan_officer, duruan_colleague):
    seen = filed_case.version
    services.case_update(case=filed_case, actor=duruan_colleague, expected_version=seen, changes={"facts": "乙的事实"})
    with pytest.raises(ConflictError) as exc:
        services.case_update(
            case=filed_case, actor=duruan_officer, expected_version=seen, changes={"facts": "甲的事实"}
        )
    assert exc.value.rule == "edit_conflict" and "李博" in exc.value.messages[0]
    filed_case.refresh_from_db()
    assert filed_case.facts == "乙的事实"


def test_a_stale_page_cannot_approve(pending_case, duruan_officer, duruan_head):
    seen = pending_case.version
    services.case_update(case=pending_case, actor=duruan_officer, expected_version=seen, changes={"title": "新案由"})
    with pytest.raises(ConflictError):
        services.case_approve_filing(case=pending_case, actor=duruan_head, expected_version=seen)
    assert Case.objects.get(pk=pending_case.pk).state == CaseState.FILING_PENDING


def test_filing_details_are_fixed_once_filed(filed_case, duruan_officer, item):
    with pytest.raises(RuleViolation) as exc:
        services.case_update(
            case=filed_case,
            actor=duruan_officer,
            expected_version=filed_case.version,
            changes={"act_date": filed_case.act_date.replace(day=1)},
        )
    assert exc.value.rule == "case_filed_details_fixed"


def test_editing_a_pending_filing_runs_the_rules_again(pending_case, duruan_officer):
    from pengjiang_enforcement import workdays

    too_old = workdays.add_years(pending_case.discovered_on, -3)
    with pytest.raises(RuleViolation) as exc:
        services.case_update(
            case=pending_case,
            actor=duruan_officer,
            expected_version=pending_case.version,
            changes={"act_date": too_old},
        )
    assert exc.value.rule == "apl_36_limitation_period"
    assert Case.objects.get(pk=pending_case.pk).act_date == pending_case.act_date


def test_replacing_the_officers_of_a_pending_filing(pending_case, duruan_officer, duruan_head):
    services.case_update(
        case=pending_case,
        actor=duruan_officer,
        expected_version=pending_case.version,
        changes={},
        lead_officer=duruan_officer,
        co_officers=[duruan_head],
    )
    assert set(pending_case.officers.all()) == {duruan_officer, duruan_head}
    event = CaseEvent.objects.filter(case=pending_case, kind="case.updated").get()
    assert event.data["changed"] == ["officers"]


def test_filing_withdraw_reason(pending_case, duruan_officer):
    with pytest.raises(RuleViolation) as exc:
        services.case_withdraw_filing(
            case=pending_case, actor=duruan_officer, reason=" ", expected_version=pending_case.version
        )
    assert exc.value.rule == "filing_withdraw_reason"
    pending_case.refresh_from_db()
    assert pending_case.state == CaseState.FILING_PENDING
