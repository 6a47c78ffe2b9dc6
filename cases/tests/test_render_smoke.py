import datetime

import pytest
from django.utils import timezone

from cases import services
from cases.choices import EvidenceKind
from cases.tests.factories import make_lead, person_values, upload

pytestmark = pytest.mark.django_db


def test_pages_render(
    filed_case, pending_case, duruan_officer, duruan_colleague, duruan_head, duruan_supervisor, login
):
    case = filed_case
    services.party_add(case=case, actor=duruan_officer, **person_values())
    blob = services.blob_store(upload=upload())
    ev = services.evidence_add(
        case=case,
        actor=duruan_officer,
        kind=EvidenceKind.AUDIOVISUAL,
        title="现场照片",
        collected_on=timezone.localdate(),
        files=[(blob, "photo.png")],
    )
    now = timezone.now()
    rec = services.inspection_record_add(
        case=case,
        actor=duruan_officer,
        started_at=now - datetime.timedelta(hours=1),
        ended_at=now,
        place="现场",
        present_persons="王小明",
        officers=[duruan_officer, duruan_colleague],
        recorder=duruan_colleague,
        findings="占道",
        certificates_shown=True,
        party_signed=True,
    )
    order = services.correction_order_issue(
        case=case,
        actor=duruan_officer,
        content="清理",
        legal_basis="",
        deadline=timezone.localdate() + datetime.timedelta(days=3),
    )
    pres = services.preservation_register(
        case=case,
        actor=duruan_officer,
        items="水果5箱",
        place_kept="仓库",
        reason="易灭失",
        approved_by=duruan_head,
        registered_on=timezone.localdate(),
    )
    lead = make_lead(duruan_officer, check=False)
    c = login(duruan_officer)
    urls = [
        "/",
        "/leads/",
        "/leads/new/",
        f"/leads/{lead.pk}/",
        f"/leads/{case.lead_id}/",
        f"/leads/{pending_case.lead_id}/",
        "/cases/",
        "/cases/mine/",
        f"/cases/{case.pk}/",
        f"/cases/{pending_case.pk}/",
        f"/cases/{case.pk}/edit/",
        f"/cases/{pending_case.pk}/edit/",
        f"/cases/{case.pk}/parties/add/",
        f"/cases/{case.pk}/evidence/add/",
        f"/cases/{case.pk}/evidence/{ev.pk}/attach/",
        f"/cases/{case.pk}/inspections/add/",
        f"/cases/{case.pk}/inspections/{rec.pk}/",
        f"/cases/{case.pk}/interviews/add/",
        f"/cases/{case.pk}/corrections/add/",
        f"/cases/{case.pk}/corrections/{order.pk}/reinspect/",
        f"/cases/{case.pk}/preservations/add/",
        f"/cases/{case.pk}/preservations/{pres.pk}/decide/",
        f"/cases/{case.pk}/extensions/request/",
        f"/cases/{case.pk}/close-investigation/",
        "/notifications/",
        "/cases/export.xlsx",
        f"/files/{ev.files.first().pk}/",
        f"/cases/{case.pk}/parties/history/?id_number=x",
    ]
    for u in urls:
        r = c.get(u)
        assert r.status_code == 200, (u, r.status_code)
    m = make_lead(duruan_officer)
    r = c.get(f"/leads/{m.pk}/file/")
    assert r.status_code == 200
    r = c.get(f"/leads/{m.pk}/items/?act_date=2025-01-01")
    assert r.status_code == 200
    h = login(duruan_head)
    for u in [
        "/",
        "/cases/approvals/",
        f"/cases/{pending_case.pk}/",
        f"/cases/{pending_case.pk}/return/",
        f"/cases/{pending_case.pk}/approve/",
    ]:
        r = h.get(u)
        assert r.status_code == 200, (u, r.status_code)
    s = login(duruan_supervisor)
    for u in ["/", "/cases/", f"/cases/{case.pk}/", "/leads/"]:
        r = s.get(u)
        assert r.status_code == 200, (u, r.status_code)
