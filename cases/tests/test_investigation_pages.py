"""The investigation as the officer meets it: the end report drafted from the case and shown in
full, warnings for dates and identities that contradict each other, the interview's contact
details, and limits on long texts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases import rules, services
from cases.choices import EvidenceKind
from cases.identity import make_resident_id

from .factories import PDF, person_values, today, upload, warning_proposal

pytestmark = pytest.mark.django_db

D = datetime.date


def _evidence(case, officer, **fields):
    values = {"kind": EvidenceKind.DOCUMENTARY, "title": "营业执照复印件", "collected_on": today(), **fields}
    return services.evidence_add(case=case, actor=officer, **values)


# --- the investigation-end report --------------------------------------------------------------


def test_the_report_is_drafted_from_the_case(filed_case, duruan_officer, login):
    blob = services.blob_store(upload=upload("执照.pdf", PDF))
    _evidence(filed_case, duruan_officer, files=[(blob, "执照.pdf")])
    _evidence(filed_case, duruan_officer, kind=EvidenceKind.AUDIOVISUAL, title="现场照片")
    body = login(duruan_officer).get(f"/cases/{filed_case.pk}/close-investigation/").content.decode()
    assert "1. 营业执照复印件（书证" in body and "执照.pdf" in body and "2. 现场照片（视听资料" in body
    assert "《城市市容和环境卫生管理条例》第十四条" in body  # the item's setting basis: the provision violated
    assert "《城市市容和环境卫生管理条例》第三十六条" in body  # its penalty basis
    assert filed_case.facts in body


def test_everything_the_report_records_is_shown_on_the_case_page(filed_case, duruan_officer, login):
    services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    _evidence(filed_case, duruan_officer)
    filed_case.refresh_from_db()
    services.case_close_investigation(
        case=filed_case,
        actor=duruan_officer,
        expected_version=filed_case.version,
        facts_found="当事人占道摆卖属实。",
        evidence_summary="1. 营业执照复印件",
        violated_provision="《城市市容和环境卫生管理条例》第十四条",
        penalty_provision="《城市市容和环境卫生管理条例》第三十六条",
        circumstances="初次违法，当场改正。",
        proposal=warning_proposal(reasons="建议警告。"),
    )
    body = login(duruan_officer).get(f"/cases/{filed_case.pk}/").content.decode()
    for text in ("当事人占道摆卖属实。", "初次违法，当场改正。", "建议警告。", "第三十六条", "1. 营业执照复印件"):
        assert text in body
    assert 'style="' not in body.split('id="report"')[1].split("</section>")[0]


# --- warnings ----------------------------------------------------------------------------------


def test_gender_from_resident_id_reads_the_17th_digit():
    assert rules.gender_from_resident_id(make_resident_id("440703", D(1980, 5, 17), 1)) == "male"
    assert rules.gender_from_resident_id(make_resident_id("440703", D(1980, 5, 17), 2)) == "female"
    assert rules.gender_from_resident_id("12345") is None


def test_a_gender_contradicting_the_identity_number_is_warned_about(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    values = person_values(gender="female")  # serial 1: the 17th digit is odd, a man
    response = client.post(f"/cases/{filed_case.pk}/parties/add/", values, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "第17位" in body
    assert filed_case.parties.get().gender == "female"  # saved: a warning, not a refusal
    ok = client.post(f"/cases/{filed_case.pk}/parties/add/", person_values(serial=3), follow=True)
    assert "第17位" not in ok.content.decode()


def test_evidence_collected_before_the_act_is_warned_about(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    early = filed_case.act_date - datetime.timedelta(days=5)
    data = {"kind": EvidenceKind.DOCUMENTARY, "title": "旧照片", "collected_on": early.isoformat()}
    body = client.post(f"/cases/{filed_case.pk}/evidence/add/", data, follow=True).content.decode()
    assert "早于违法行为发生日期" in body and filed_case.evidence.filter(title="旧照片").exists()
    data |= {"title": "新照片", "collected_on": today().isoformat()}
    assert (
        "早于违法行为发生日期"
        not in client.post(f"/cases/{filed_case.pk}/evidence/add/", data, follow=True).content.decode()
    )


def test_a_correction_deadline_far_beyond_the_decision_deadline_is_warned_about(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    far = filed_case.decision_due + datetime.timedelta(days=60)
    data = {"content": "拆除占道摊位", "legal_basis": "《城市市容和环境卫生管理条例》", "deadline": far.isoformat()}
    body = client.post(f"/cases/{filed_case.pk}/corrections/add/", data, follow=True).content.decode()
    assert "远晚于" in body and filed_case.corrections.count() == 1
    data["deadline"] = (today() + datetime.timedelta(days=7)).isoformat()
    assert "远晚于" not in client.post(f"/cases/{filed_case.pk}/corrections/add/", data, follow=True).content.decode()


# --- the interview record, long texts -------------------------------------------------------------


def test_the_interview_record_shows_the_phone_and_address_entered(filed_case, duruan_officer, duruan_colleague, login):
    now = timezone.now()
    record = services.interview_record_add(
        case=filed_case,
        actor=duruan_officer,
        started_at=now - datetime.timedelta(hours=1),
        ended_at=now - datetime.timedelta(minutes=30),
        place="杜阮执法办",
        interviewee_role="party",
        interviewee_name="王小明",
        interviewee_phone="13912345678",
        interviewee_address="江门市蓬江区杜阮镇北路8号",
        officers=[duruan_officer, duruan_colleague],
        recorder=duruan_colleague,
        qa=[{"q": "是否在此摆卖？", "a": "是。"}],
        certificates_shown=True,
        rights_told=True,
        confirmed=True,
    )
    body = login(duruan_officer).get(f"/cases/{filed_case.pk}/interviews/{record.pk}/").content.decode()
    assert "13912345678" in body and "江门市蓬江区杜阮镇北路8号" in body


def test_long_texts_are_refused_with_their_limit_not_stored(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    data = {"version": filed_case.version, "title": filed_case.title, "facts": "事" * 10001, "place": "杜阮"}
    response = client.post(f"/cases/{filed_case.pk}/edit/", data)
    body = response.content.decode()
    assert response.status_code == 200 and "10000" in body and 'maxlength="10000"' in body
    filed_case.refresh_from_db()
    assert len(filed_case.facts) < 10000
    report = client.get(f"/cases/{filed_case.pk}/close-investigation/").content.decode()
    assert 'maxlength="3000"' in report


def test_the_services_hold_the_text_limits_too(filed_case, duruan_officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        _evidence(filed_case, duruan_officer, description="证" * 3001)
    assert "description" in exc.value.message_dict
    assert not filed_case.evidence.exists()
