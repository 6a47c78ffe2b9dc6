"""The adjustment page: four eyes, the approving document (upload and download through the
chokepoint), the delegating department's opinion, and the warning on a date far ahead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pengjiang_enforcement.models import AuditLog
from powers.adjustments import adjustment_propose, adjustment_review
from powers.choices import AdjustmentKind, AdjustmentStatus
from powers.models import Adjustment, AdjustmentOpinion

from .factories import PDF, approval_document, make_item

pytestmark = pytest.mark.django_db
S = AdjustmentStatus


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def proposal(district_admin, today):
    item = make_item(townships=["duruan", "baisha"], department="dept-urban")
    return adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.RECALL,
        item=item,
        reason="收回",
        effective_date=today + dt.timedelta(days=5),
    )


def test_adjustment_four_eyes_through_the_page(login, district_admin, reviewer, proposal):
    own = login(district_admin)
    page = own.get(f"/catalogue/adjustments/{proposal.pk}/").content.decode()
    assert 'data-testid="four-eyes"' in page and "/review/" not in page and "/withdraw/" in page
    response = own.post(f"/catalogue/adjustments/{proposal.pk}/review/", {"note": "合法"}, follow=True)
    assert response.status_code == 200
    assert "另一名管理员" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED
    second = login(reviewer)
    second.post(f"/catalogue/adjustments/{proposal.pk}/review/", {"note": "合法"})
    proposal.refresh_from_db()
    assert proposal.status == S.REVIEWED


def test_adjustment_approval_document_uploaded_on_the_page_and_downloaded(
    login, reviewer, department_liaison, duruan_officer, proposal
):
    second = login(reviewer)
    second.post(f"/catalogue/adjustments/{proposal.pk}/review/", {"note": "合法"})
    page = second.get(f"/catalogue/adjustments/{proposal.pk}/").content.decode()
    assert 'data-testid="approval-document"' in page and 'enctype="multipart/form-data"' in page
    response = second.post(f"/catalogue/adjustments/{proposal.pk}/approve/", {"note": "同意"}, follow=True)
    assert response.status_code == 200 and "批准文件" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == S.REVIEWED
    second.post(f"/catalogue/adjustments/{proposal.pk}/approve/", {"note": "同意", **approval_document(7)})
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED and proposal.approval_number == "蓬府函〔2026〕7号"
    page = second.get(f"/catalogue/adjustments/{proposal.pk}/").content.decode()
    assert "蓬府函〔2026〕7号" in page and f"/catalogue/adjustments/{proposal.pk}/document/" in page
    # whoever sees the adjustment downloads its document; others get a 404
    for client in (second, login(department_liaison)):
        download = client.get(f"/catalogue/adjustments/{proposal.pk}/document/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert "attachment" in download["Content-Disposition"]
    assert login(duruan_officer).get(f"/catalogue/adjustments/{proposal.pk}/document/").status_code == 404
    # every download is in the audit trail, by whom (the refused one is not a download)
    downloads = AuditLog.objects.filter(action="powers.adjustment.document_downloaded", object_id=str(proposal.pk))
    assert sorted(downloads.values_list("actor__username", flat=True)) == sorted(
        [reviewer.username, department_liaison.username]
    )


def test_adjustment_document_file_of_another_type_is_a_message_not_a_500(login, reviewer, proposal):
    adjustment_review(actor=reviewer, adjustment=proposal)
    second = login(reviewer)
    fake = SimpleUploadedFile("批复.pdf", b"MZ\x90\x00 an executable")
    response = second.post(
        f"/catalogue/adjustments/{proposal.pk}/approve/",
        {"note": "同意", "document_number": "蓬府函〔2026〕1号", "document": fake},
        follow=True,
    )
    assert response.status_code == 200
    assert "PDF、OFD、JPG 或 PNG" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == S.REVIEWED


def test_no_document_yet_is_a_404(login, district_admin, proposal):
    assert login(district_admin).get(f"/catalogue/adjustments/{proposal.pk}/document/").status_code == 404


def test_adjustment_opinion_by_liaison_through_the_page(login, department_liaison, district_admin, proposal):
    liaison = login(department_liaison)
    page = liaison.get(f"/catalogue/adjustments/{proposal.pk}/").content.decode()
    assert 'data-testid="opinion-form"' in page
    response = liaison.post(
        f"/catalogue/adjustments/{proposal.pk}/opinion/", {"opinion": "同意收回，由我局承接。"}, follow=True
    )
    assert response.status_code == 200
    opinion = AdjustmentOpinion.objects.get()
    assert opinion.given_by == department_liaison
    page = login(district_admin).get(f"/catalogue/adjustments/{proposal.pk}/").content.decode()
    assert "同意收回，由我局承接。" in page and 'data-testid="opinion-form"' not in page


def test_adjustment_opinion_by_liaison_of_another_department_gets_no_form(
    login, department_liaison, district_admin, today
):
    other = adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.RECALL,
        item=make_item(department="dept-ecology"),
        reason="收回",
        effective_date=today,
    )
    liaison = login(department_liaison)
    assert 'data-testid="opinion-form"' not in liaison.get(f"/catalogue/adjustments/{other.pk}/").content.decode()
    response = liaison.post(f"/catalogue/adjustments/{other.pk}/opinion/", {"opinion": "同意"}, follow=True)
    assert response.status_code == 200 and "委托该事项的部门" in response.content.decode()
    assert not AdjustmentOpinion.objects.exists()


@pytest.mark.parametrize("persona", ["district_admin", "district_supervisor", "duruan_officer", "social_supervisor"])
def test_only_liaisons_post_opinions(request, login, persona, proposal):
    client = login(request.getfixturevalue(persona))
    response = client.post(f"/catalogue/adjustments/{proposal.pk}/opinion/", {"opinion": "同意"})
    assert response.status_code == 403
    assert not AdjustmentOpinion.objects.exists()


def test_catalogue_effective_date_far_ahead_is_warned_about_on_the_page(login, district_admin, settings, today):
    settings.POWERS_FAR_AHEAD_DAYS = 365
    item = make_item()
    admin = login(district_admin)
    far = today + dt.timedelta(days=400)
    response = admin.post(
        f"/catalogue/adjustments/new/recall/?item={item.pk}",
        {"effective_date": far.isoformat(), "reason": "收回"},
        follow=True,
    )
    text = response.content.decode()
    assert Adjustment.objects.get().effective_date == far  # saved: a warning, not a refusal
    assert far.isoformat() in text and "请核对年份" in text
    near = make_item()
    response = admin.post(
        f"/catalogue/adjustments/new/recall/?item={near.pk}",
        {"effective_date": (today + dt.timedelta(days=30)).isoformat(), "reason": "收回"},
        follow=True,
    )
    assert "请核对年份" not in response.content.decode()


def test_catalogue_effective_date_far_ahead_on_the_standard_and_list_forms(login, district_admin, settings, today):
    settings.POWERS_FAR_AHEAD_DAYS = 365
    item = make_item(fine_max="500")
    admin = login(district_admin)
    far = (today + dt.timedelta(days=500)).isoformat()
    data = {"band-TOTAL_FORMS": 4, "band-INITIAL_FORMS": 0, "effective_from": far, "note": ""}
    data |= {
        "band-0-level": "general",
        "band-0-conditions": "拒不改正",
        "band-0-fine_min": "0",
        "band-0-fine_max": "500",
    }
    response = admin.post(f"/catalogue/items/{item.pk}/discretion/new/", data, follow=True)
    assert item.discretion_standards.count() == 1 and "请核对年份" in response.content.decode()
    response = admin.post(
        f"/catalogue/items/{item.pk}/leniency/new/",
        {"kind": "no_penalty", "circumstances": "首违", "basis": "第三十三条", "effective_from": far},
        follow=True,
    )
    assert item.leniency_entries.count() == 1 and "请核对年份" in response.content.decode()


def test_liaison_queue_lists_what_awaits_the_departments_opinion(login, department_liaison, district_admin, today):
    mine = adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.RECALL,
        item=make_item(department="dept-urban"),
        reason="收回",
        effective_date=today,
    )
    other = adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.RECALL,
        item=make_item(department="dept-ecology"),
        reason="收回",
        effective_date=today,
    )
    liaison = login(department_liaison)
    page = liaison.get("/catalogue/adjustments/?status=opinion").content.decode()
    assert f'href="/catalogue/adjustments/{mine.pk}/"' in page
    assert f'href="/catalogue/adjustments/{other.pk}/"' not in page
    assert 'data-testid="awaiting-opinion"' in page
    liaison.post(f"/catalogue/adjustments/{mine.pk}/opinion/", {"opinion": "同意"})
    page = liaison.get("/catalogue/adjustments/?status=opinion").content.decode()
    assert f'href="/catalogue/adjustments/{mine.pk}/"' not in page
    # an admin has no department to speak for: no such queue
    assert 'data-testid="awaiting-opinion"' not in login(district_admin).get("/catalogue/adjustments/").content.decode()


def test_catalogue_effective_date_far_ahead_on_an_import(login, district_admin, settings, today):
    settings.POWERS_FAR_AHEAD_DAYS = 365
    content = "事项编码,事项名称,实施部门\n440703777001,对乱张贴的行政处罚,区城管执法局\n".encode()
    far = today + dt.timedelta(days=400)
    response = login(district_admin).post(
        "/catalogue/imports/new/",
        {"file": SimpleUploadedFile("目录.csv", content), "effective_date": far.isoformat()},
        follow=True,
    )
    assert response.status_code == 200 and "请核对年份" in response.content.decode()
