"""The office head changes the handling officers of a filed case (APL Art. 42 on the day)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from cases import services
from cases.choices import CaseState, NotificationKind
from cases.models import Case, CaseEvent, CaseOfficer, Notification
from pengjiang_enforcement.exceptions import ConflictError
from pengjiang_enforcement.models import AuditLog
from tests.factories import UserFactory, give_certificate

from .factories import D, refused, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return UserFactory(username="dr_dave", full_name="杜新人", certified=True)


def _change(case, actor, lead, co, reason="主办人休产假，改由他人承办。", **kwargs):
    return services.case_change_officers(
        case=case,
        actor=actor,
        lead_officer=lead,
        co_officers=co,
        reason=reason,
        expected_version=case.version,
        **kwargs,
    )


def _team(case) -> list[tuple[str, str]]:
    return [(link.user.username, link.role) for link in CaseOfficer.objects.filter(case=case).order_by("id")]


def test_the_head_hands_the_case_to_a_new_team(filed_case, duruan_head, duruan_officer, duruan_colleague, newcomer):
    version = filed_case.version
    case = _change(filed_case, duruan_head, newcomer, [duruan_colleague])
    assert _team(case) == [("dr_dave", "lead"), ("dr_bob", "assisting")]
    assert all(link.certificate_id for link in CaseOfficer.objects.filter(case=case))
    assert Case.objects.get(pk=case.pk).version == version + 1
    event = CaseEvent.objects.get(case=case, kind="case.officers_changed")
    assert event.actor == duruan_head and event.note == "主办人休产假，改由他人承办。"
    assert event.data == {"before": ["陈爱丽", "李博"], "after": ["杜新人", "李博"]}
    audit = AuditLog.objects.get(action="cases.case.officers_changed", object_id=str(case.pk))
    assert audit.before["officers"] == [duruan_officer.pk, duruan_colleague.pk]
    assert audit.after["officers"] == [newcomer.pk, duruan_colleague.pk]
    told = dict(
        Notification.objects.filter(kind=NotificationKind.OFFICERS_CHANGED).values_list("recipient__username", "params")
    )
    assert told == {"dr_dave": {"joined": True}, "dr_alice": {"joined": False}}


def test_the_new_team_changes_the_case_and_the_old_officer_no_longer_can(
    filed_case, duruan_head, duruan_officer, duruan_colleague, newcomer
):
    _change(filed_case, duruan_head, newcomer, [duruan_colleague])
    assert Case.objects.restrict(newcomer, "change").filter(pk=filed_case.pk).exists()
    assert not Case.objects.restrict(duruan_officer, "change").filter(pk=filed_case.pk).exists()
    assert Case.objects.restrict(duruan_officer, "view").filter(pk=filed_case.pk).exists()


def test_swapping_lead_and_assisting_officer_is_a_change(filed_case, duruan_head, duruan_officer, duruan_colleague):
    case = _change(filed_case, duruan_head, duruan_colleague, [duruan_officer])
    assert _team(case) == [("dr_bob", "lead"), ("dr_alice", "assisting")]
    assert not Notification.objects.filter(kind=NotificationKind.OFFICERS_CHANGED).exists()


def test_the_same_team_again_changes_nothing(filed_case, duruan_head, duruan_officer, duruan_colleague):
    refused("officers_change_nothing", lambda: _change(filed_case, duruan_head, duruan_officer, [duruan_colleague]))


def test_a_reason_is_required(filed_case, duruan_head, duruan_colleague, newcomer):
    refused("officers_change_reason", lambda: _change(filed_case, duruan_head, newcomer, [duruan_colleague], "  "))
    assert _team(Case.objects.get(pk=filed_case.pk))[0] == ("dr_alice", "lead")


def test_apl_42_two_officers_after_the_change(filed_case, duruan_head, newcomer):
    refused("apl_42_two_officers", lambda: _change(filed_case, duruan_head, newcomer, []))


def test_apl_42_certificates_valid_on_the_day_of_the_change(filed_case, duruan_head, duruan_colleague):
    expired = UserFactory(username="dr_expired", full_name="过期")
    give_certificate(expired, valid_from=D(2020, 1, 1), valid_to=today() - datetime.timedelta(days=1))
    refused("apl_42_certificates_valid", lambda: _change(filed_case, duruan_head, expired, [duruan_colleague]))
    assert _team(Case.objects.get(pk=filed_case.pk)) == [("dr_alice", "lead"), ("dr_bob", "assisting")]


def test_officers_of_another_township_cannot_take_the_case(filed_case, duruan_head, duruan_colleague, baisha_officer):
    refused("officers_of_township", lambda: _change(filed_case, duruan_head, baisha_officer, [duruan_colleague]))


def test_only_the_office_head_changes_the_officers(filed_case, duruan_officer, duruan_colleague, newcomer):
    with pytest.raises(PermissionDenied):
        _change(filed_case, duruan_officer, newcomer, [duruan_colleague])


def test_before_approval_the_officers_change_with_the_filing(pending_case, duruan_head, duruan_colleague, newcomer):
    assert pending_case.state == CaseState.FILING_PENDING
    refused("case_officers_changeable", lambda: _change(pending_case, duruan_head, newcomer, [duruan_colleague]))


def test_a_stale_page_cannot_change_the_officers(filed_case, duruan_head, duruan_officer, duruan_colleague, newcomer):
    stale = Case.objects.get(pk=filed_case.pk)
    services.case_update(
        case=filed_case, actor=duruan_officer, expected_version=filed_case.version, changes={"place": "新址"}
    )
    with pytest.raises(ConflictError):
        _change(stale, duruan_head, newcomer, [duruan_colleague])
    assert not CaseEvent.objects.filter(kind="case.officers_changed").exists()


def test_the_page_changes_the_officers_and_shows_the_refusals(
    login, filed_case, duruan_head, duruan_officer, duruan_colleague, newcomer
):
    client = login(duruan_head)
    url = f"/cases/{filed_case.pk}/officers/"
    page = client.get(url)
    assert page.status_code == 200 and "杜新人" in page.content.decode()
    detail = client.get(f"/cases/{filed_case.pk}/").content.decode()
    assert url in detail
    refused_page = client.post(
        url, {"version": filed_case.version, "lead_officer": newcomer.pk, "co_officers": [], "reason": "调整"}
    )
    assert refused_page.status_code == 200 and "执法人员不得少于2人" in refused_page.content.decode()
    done = client.post(
        url,
        {
            "version": filed_case.version,
            "lead_officer": newcomer.pk,
            "co_officers": [duruan_colleague.pk],
            "reason": "调整",
        },
    )
    assert done.status_code == 302 and done["Location"].endswith(f"/cases/{filed_case.pk}/#officers")
    assert _team(Case.objects.get(pk=filed_case.pk))[0] == ("dr_dave", "lead")
    assert "陈爱丽、李博 → 杜新人、李博" in client.get(f"/cases/{filed_case.pk}/").content.decode()
    officer_page = login(duruan_officer).get(f"/cases/{filed_case.pk}/").content.decode()
    assert url not in officer_page
