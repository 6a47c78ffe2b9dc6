import datetime

import pytest
from django.utils import timezone

from cases import services
from cases.choices import CaseState, EvidenceKind, InvestigationProposal

from .factories import person_values, upload

pytestmark = pytest.mark.django_db


def test_whole_part_one(filed_case, duruan_officer, duruan_colleague, duruan_head):
    case = filed_case
    assert case.state == CaseState.INVESTIGATING
    assert case.number.startswith("蓬江杜阮综执立〔")
    services.party_add(case=case, actor=duruan_officer, **person_values())
    blob = services.blob_store(upload=upload())
    services.evidence_add(
        case=case,
        actor=duruan_officer,
        kind=EvidenceKind.AUDIOVISUAL,
        title="现场照片",
        collected_on=timezone.localdate(),
        files=[(blob, "photo.png")],
    )
    now = timezone.now()
    services.inspection_record_add(
        case=case,
        actor=duruan_officer,
        started_at=now - datetime.timedelta(hours=1),
        ended_at=now,
        place="现场",
        present_persons="王小明（当事人）",
        officers=[duruan_officer, duruan_colleague],
        recorder=duruan_colleague,
        findings="占道摆卖",
        certificates_shown=True,
        party_signed=True,
    )
    case.refresh_from_db()
    report = services.case_close_investigation(
        case=case,
        actor=duruan_officer,
        expected_version=case.version,
        facts_found="事实",
        evidence_summary="证据",
        violated_provision="条例第十四条",
        proposal=InvestigationProposal.PENALTY,
    )
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATION_CLOSED
    assert report.pk
