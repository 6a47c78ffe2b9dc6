"""Deadlines: extensions of the decision deadline (steps as data), flags, and notifications."""

from __future__ import annotations

import datetime
import time

import pytest

from cases import selectors, services
from cases.choices import NotificationKind
from cases.models import Case, Deadline, ExtensionStep, Notification
from cases.tasks import notify_deadlines, scan_deadlines
from pengjiang_enforcement import workdays
from tests.factories import UserFactory, unit

from .factories import make_filed_case, refused, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_head(db):
    return UserFactory(username="dr_head2", full_name="副主任", roles=("office_head", "officer"), certified=True)


def test_extension_step_one_moves_the_decision_deadline(filed_case, duruan_officer, duruan_head):
    before = filed_case.decision_due
    request = services.extension_request(case=filed_case, actor=duruan_officer, reason="需委托鉴定")
    assert request.step == 1 and request.days == 30
    assert request.due_after == workdays.add_calendar_days(before, 30)
    services.extension_decide(request=request, actor=duruan_head, approve=True, note="同意")
    filed_case.refresh_from_db()
    deadline = Deadline.objects.get(case=filed_case, kind="decision")
    assert filed_case.decision_due == deadline.due_on == request.due_after
    assert deadline.original_due_on == before


def test_extension_collective_discussion_is_needed_for_step_two(filed_case, duruan_officer, duruan_head):
    first = services.extension_request(case=filed_case, actor=duruan_officer, reason="鉴定")
    services.extension_decide(request=first, actor=duruan_head, approve=True)
    second = services.extension_request(case=filed_case, actor=duruan_officer, reason="案情复杂")
    assert second.step == 2
    refused(
        "extension_collective_discussion",
        lambda: services.extension_decide(request=second, actor=duruan_head, approve=True, note="同意"),
    )
    services.extension_decide(
        request=second, actor=duruan_head, approve=True, note="集体讨论同意延期", discussion_date=today()
    )
    refused(
        "extension_steps_exhausted",
        lambda: services.extension_request(case=filed_case, actor=duruan_officer, reason="再延"),
    )


def test_extension_steps_are_data_per_township(filed_case, duruan_officer):
    ExtensionStep.objects.create(township=unit("duruan"), step=1, days=15)
    request = services.extension_request(case=filed_case, actor=duruan_officer, reason="补充调查")
    assert request.days == 15


def test_extension_before_deadline(filed_case, duruan_officer):
    late = filed_case.decision_due + datetime.timedelta(days=1)
    refused(
        "extension_before_deadline",
        lambda: services.extension_request(case=filed_case, actor=duruan_officer, reason="晚了", today=late),
    )


def test_extension_one_pending_at_a_time(filed_case, duruan_officer):
    services.extension_request(case=filed_case, actor=duruan_officer, reason="一")
    refused("extension_pending", lambda: services.extension_request(case=filed_case, actor=duruan_officer, reason="二"))


def test_extension_four_eyes_and_refusal_reason(duruan_head, duruan_officer, second_head, item):
    case = make_filed_case(duruan_head, duruan_officer, second_head, item=item)
    request = services.extension_request(case=case, actor=duruan_head, reason="鉴定")
    refused(
        "extension_four_eyes",
        lambda: services.extension_decide(request=request, actor=duruan_head, approve=True),
    )
    refused(
        "extension_refusal_reason",
        lambda: services.extension_decide(request=request, actor=second_head, approve=False),
    )
    services.extension_decide(request=request, actor=second_head, approve=False, note="理由不充分")
    case.refresh_from_db()
    assert case.decision_due == request.due_before


def test_extension_needs_open_deadline(pending_case, duruan_officer):
    """Before filing there is no 90-day decision deadline, so nothing to extend."""
    refused(
        "extension_needs_open_deadline",
        lambda: services.extension_request(case=pending_case, actor=duruan_officer, reason="鉴定"),
    )
    assert not pending_case.extension_requests.exists()


def test_extension_reason(filed_case, duruan_officer):
    refused("extension_reason", lambda: services.extension_request(case=filed_case, actor=duruan_officer, reason=" "))
    assert not filed_case.extension_requests.exists()


def test_extension_already_decided(filed_case, duruan_officer, duruan_head):
    request = services.extension_request(case=filed_case, actor=duruan_officer, reason="鉴定")
    services.extension_decide(request=request, actor=duruan_head, approve=False, note="理由不充分")
    refused(
        "extension_already_decided",
        lambda: services.extension_decide(request=request, actor=duruan_head, approve=True, note="同意"),
    )
    request.refresh_from_db()
    assert request.status == "refused"
    filed_case.refresh_from_db()
    assert filed_case.decision_due == request.due_before


def test_only_an_office_head_decides_an_extension(filed_case, duruan_officer, duruan_colleague):
    from django.core.exceptions import PermissionDenied

    request = services.extension_request(case=filed_case, actor=duruan_officer, reason="鉴定")
    with pytest.raises(PermissionDenied):
        services.extension_decide(request=request, actor=duruan_colleague, approve=True)


def test_deadline_flags():
    day = today()
    assert selectors.deadline_flag(day - datetime.timedelta(days=2), day, 5).code == "overdue"
    assert selectors.deadline_flag(day + datetime.timedelta(days=5), day, 5).code == "due_soon"
    assert selectors.deadline_flag(day + datetime.timedelta(days=6), day, 5).code == "ok"
    assert selectors.deadline_flag(None, day, 5).code == "none"


def test_deadline_notifications_reach_handlers_and_heads_once(
    filed_case, duruan_officer, duruan_colleague, duruan_head
):
    deadline = Deadline.objects.get(case=filed_case, kind="decision")
    near = deadline.due_on - datetime.timedelta(days=2)
    ids = selectors.deadlines_to_notify(near)
    assert deadline.pk in ids
    created = services.deadline_notify(deadline_ids=ids, today=near)
    recipients = set(
        Notification.objects.filter(deadline=deadline, kind=NotificationKind.DUE_SOON).values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {duruan_officer.pk, duruan_colleague.pk, duruan_head.pk}
    assert created == 3
    assert services.deadline_notify(deadline_ids=ids, today=near) == 0  # safe to run twice
    past = deadline.due_on + datetime.timedelta(days=1)
    services.deadline_notify(deadline_ids=selectors.deadlines_to_notify(past), today=past)
    assert Notification.objects.filter(deadline=deadline, kind=NotificationKind.OVERDUE).count() == 3


def test_a_met_deadline_notifies_nobody(lead, duruan_officer):
    services.lead_conclude_not_filed(lead=lead, actor=duruan_officer, reason="无", expected_version=lead.version)
    deadline = Deadline.objects.get(lead=lead)
    assert services.deadline_notify(deadline_ids=[deadline.pk], today=deadline.due_on) == 0


def test_notify_task_takes_ids_and_runs_twice_safely(filed_case):
    deadline = Deadline.objects.get(case=filed_case, kind="decision")
    Deadline.objects.filter(pk=deadline.pk).update(due_on=today())
    assert notify_deadlines(deadline_ids=[deadline.pk]) > 0
    assert notify_deadlines(deadline_ids=[deadline.pk]) == 0
    assert notify_deadlines(deadline_ids=[987654321]) == 0  # a deadline that is gone is skipped


def test_notifications_page_badge_and_mark_read(filed_case, duruan_officer, login):
    deadline = Deadline.objects.get(case=filed_case, kind="decision")
    Deadline.objects.filter(pk=deadline.pk).update(due_on=today() - datetime.timedelta(days=1))
    notify_deadlines(deadline_ids=[deadline.pk])
    client = login(duruan_officer)
    page = client.get("/notifications/").content.decode()
    assert filed_case.number in page and 'data-testid="badge-cases:notifications"' in page
    client.post("/notifications/read/", {})
    assert not Notification.objects.filter(recipient=duruan_officer, read_at__isnull=True).exists()
    assert 'data-testid="badge-cases:notifications"' not in client.get("/notifications/").content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_task_notifies_through_a_real_worker(
    transactional_reference_data, duruan_officer, duruan_colleague, duruan_head, celery_worker_thread
):
    from .factories import item_for

    case = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item_for())
    Deadline.objects.filter(case=case, kind="decision").update(due_on=today())
    Case.objects.filter(pk=case.pk).update(next_due_on=today())
    scan_deadlines.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if Notification.objects.filter(case=case, kind=NotificationKind.DUE_SOON).count() == 3:
            break
        time.sleep(0.2)
    assert Notification.objects.filter(case=case, kind=NotificationKind.DUE_SOON).count() == 3
