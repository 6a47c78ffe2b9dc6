"""Investigation: parties, evidence files, records, orders to correct, preservation, the report."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from cases import services
from cases.choices import CaseState, DeadlineStatus, EvidenceKind
from cases.models import (
    Attachment,
    Case,
    CorrectionOrder,
    Deadline,
    Evidence,
    InvestigationReport,
    Party,
    Preservation,
    StoredFile,
)
from cases.selectors import party_history
from pengjiang_enforcement.exceptions import ConflictError
from pengjiang_enforcement.search import search_query

from .factories import (
    PDF,
    PNG,
    docx_bytes,
    make_filed_case,
    organisation_values,
    person_values,
    refused,
    today,
    upload,
    warning_proposal,
)

pytestmark = pytest.mark.django_db


# --- parties -----------------------------------------------------------------------------------


def test_party_person_and_organisation_are_added_with_checked_numbers(filed_case, duruan_officer):
    person = services.party_add(
        case=filed_case, actor=duruan_officer, **person_values(id_number=" 11010519491231002x ")
    )
    assert person.id_number == person.identity_key == "11010519491231002X"
    org = services.party_add(case=filed_case, actor=duruan_officer, **organisation_values())
    assert org.identity_key == org.credit_code and org.id_number == "" and org.gender == ""
    filed_case.refresh_from_db()
    assert filed_case.party_summary == f"{person.name}、{org.name}"
    assert Case.objects.filter(pk=filed_case.pk, search_vector=search_query("鲜果贸易")).exists()


def test_a_wrong_check_digit_is_refused_and_nothing_saved(filed_case, duruan_officer):
    values = person_values()
    values["id_number"] = values["id_number"][:17] + ("0" if values["id_number"][17] != "0" else "1")
    refused("resident_id_check_digit", lambda: services.party_add(case=filed_case, actor=duruan_officer, **values))
    org = organisation_values()
    org["credit_code"] = org["credit_code"][:17] + ("0" if org["credit_code"][17] != "0" else "1")
    refused("credit_code_check_character", lambda: services.party_add(case=filed_case, actor=duruan_officer, **org))
    assert not Party.objects.exists()


def test_the_same_party_twice_on_a_case_isrefused(filed_case, duruan_officer):
    services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    refused("party_duplicate", lambda: services.party_add(case=filed_case, actor=duruan_officer, **person_values()))


def test_party_edits_conflict_when_two_browsers_save(filed_case, duruan_officer, duruan_colleague):
    party = services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    seen = party.version
    services.party_update(party=party, actor=duruan_colleague, expected_version=seen, phone="13911112222")
    with pytest.raises(ConflictError):
        services.party_update(party=party, actor=duruan_officer, expected_version=seen, phone="13000000000")
    party.refresh_from_db()
    assert party.phone == "13911112222"


def test_party_remove_needs_a_reason_and_updates_the_summary(filed_case, duruan_officer):
    party = services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    refused("party_remove_reason", lambda: services.party_remove(party=party, actor=duruan_officer, reason=""))
    services.party_remove(party=party, actor=duruan_officer, reason="录入错误")
    filed_case.refresh_from_db()
    assert filed_case.party_summary == "" and not Party.objects.exists()


def test_party_name(filed_case, duruan_officer):
    refused("party_name", lambda: services.party_add(case=filed_case, actor=duruan_officer, **person_values(name=" ")))
    assert not Party.objects.exists()


def test_party_history_shows_earlier_cases_across_the_district(
    filed_case, duruan_officer, duruan_colleague, duruan_head, baisha_officer
):
    from tests.factories import UserFactory, unit

    services.party_add(case=filed_case, actor=duruan_officer, **person_values(serial=7))
    baisha_colleague = UserFactory(username="bs_dora", full_name="白朵拉", unit=unit("baisha-office"), certified=True)
    baisha_head = UserFactory(
        username="bs_head_t", full_name="白主任", unit=unit("baisha-office"), roles=("office_head",), certified=True
    )
    later = make_filed_case(baisha_officer, baisha_colleague, baisha_head)
    party = services.party_add(case=later, actor=baisha_officer, **person_values(serial=7))
    history = party_history(baisha_officer, [party.identity_key], exclude_case=later.pk)[party.identity_key]
    assert [e.number for e in history] == [filed_case.number]
    assert history[0].township == "杜阮" and history[0].visible is False  # shown, not openable
    assert party_history(duruan_officer, [party.identity_key], exclude_case=later.pk)[party.identity_key][0].visible


# --- evidence and uploads ----------------------------------------------------------------------


def test_evidence_files_are_stored_once_under_their_sha256(filed_case, duruan_officer):
    blob = services.blob_store(upload=upload("现场1.png"))
    again = services.blob_store(upload=upload("another-name.png"))
    assert blob == again and StoredFile.objects.count() == 1
    assert blob.sha256 == hashlib.sha256(PNG).hexdigest()
    assert blob.storage_name == f"evidence/{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}"
    with default_storage.open(blob.storage_name) as handle:
        assert handle.read() == PNG
    evidence = services.evidence_add(
        case=filed_case,
        actor=duruan_officer,
        kind=EvidenceKind.AUDIOVISUAL,
        title="现场照片",
        collected_on=today(),
        files=[(blob, "现场1.png"), (again, "another-name.png")],
    )
    assert evidence.seq == 1 and [a.original_name for a in evidence.files.order_by("id")] == [
        "现场1.png",
        "another-name.png",
    ]


def test_a_stored_file_is_never_overwritten(settings):
    blob = services.blob_store(upload=upload("a.pdf", PDF))
    path = default_storage.path(blob.storage_name)
    StoredFile.objects.all().delete()  # as if the row had been rolled back, the file left behind
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    stored = services.blob_store(upload=upload("a.pdf", PDF))
    assert stored.storage_name != blob.storage_name  # a new name, the old bytes untouched
    with open(path, "rb") as handle:
        assert handle.read().endswith(b"tampered")


@pytest.mark.parametrize(
    "name,content,rule",
    [
        ("photo.jpg", b"MZ\x90\x00 this is a windows program", "upload_content_mismatch"),
        ("scan.png", PDF, "upload_content_mismatch"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "upload_content_mismatch"),
        ("tool.exe", b"MZ\x90\x00", "upload_type_not_allowed"),
        ("note.svg", b"<svg/>", "upload_type_not_allowed"),
        ("empty.png", b"", "upload_empty"),
    ],
)
def test_disguised_or_unknown_uploads_arerefused(name, content, rule):
    refused(rule, lambda: services.blob_store(upload=upload(name, content)))
    assert not StoredFile.objects.exists()


def test_upload_too_large_isrefused(settings):
    settings.CASES_UPLOAD_MAX_BYTES = len(PNG) - 1
    refused("upload_too_large", lambda: services.blob_store(upload=upload("big.png")))


def test_office_documents_are_recognised_by_content():
    assert services.blob_store(upload=upload("询问笔录.docx", docx_bytes())).content_type.endswith("document")
    refused("upload_content_mismatch", lambda: services.blob_store(upload=upload("table.xlsx", docx_bytes())))


def test_evidence_collected_in_the_future_isrefused(filed_case, duruan_officer):
    refused(
        "not_in_future",
        lambda: services.evidence_add(
            case=filed_case,
            actor=duruan_officer,
            kind=EvidenceKind.DOCUMENTARY,
            title="书证",
            collected_on=today() + datetime.timedelta(days=1),
        ),
    )


def test_evidence_cannot_be_added_after_the_investigation_closed(filed_case, duruan_officer):
    _close(filed_case, duruan_officer)
    refused(
        "case_state_allows",
        lambda: services.evidence_add(
            case=filed_case, actor=duruan_officer, kind=EvidenceKind.DOCUMENTARY, title="迟到", collected_on=today()
        ),
    )


# --- records -----------------------------------------------------------------------------------


def _inspection(case, officer, colleague, **overrides):
    now = timezone.now()
    values = {
        "started_at": now - datetime.timedelta(hours=1),
        "ended_at": now,
        "place": "杜阮北路",
        "present_persons": "王小明（当事人）",
        "officers": [officer, colleague],
        "recorder": colleague,
        "findings": "发现占道摆卖",
        "certificates_shown": True,
        "party_signed": False,
        "refusal_note": "当事人拒绝签名，已录像",
        **overrides,
    }
    return services.inspection_record_add(case=case, actor=officer, **values)


def test_inspection_record_joins_the_evidence_list(filed_case, duruan_officer, duruan_colleague):
    record = _inspection(filed_case, duruan_officer, duruan_colleague)
    evidence = Evidence.objects.get(inspection=record)
    assert evidence.kind == EvidenceKind.INSPECTION_RECORD and evidence.seq == 1
    assert set(record.officers.all()) == {duruan_officer, duruan_colleague}


def test_record_signature_or_refusal_note(filed_case, duruan_officer, duruan_colleague):
    refused(
        "record_signature",
        lambda: _inspection(filed_case, duruan_officer, duruan_colleague, party_signed=False, refusal_note=""),
    )


def test_record_times(filed_case, duruan_officer, duruan_colleague):
    now = timezone.now()
    refused(
        "record_times", lambda: _inspection(filed_case, duruan_officer, duruan_colleague, started_at=now, ended_at=now)
    )


def test_interview_record_keeps_questions_and_answers(filed_case, duruan_officer, duruan_colleague):
    now = timezone.now()
    record = services.interview_record_add(
        case=filed_case,
        actor=duruan_officer,
        started_at=now - datetime.timedelta(minutes=40),
        ended_at=now,
        place="执法办",
        interviewee_role="witness",
        interviewee_name="李四",
        interviewee_id_number=person_values(serial=3)["id_number"],
        officers=[duruan_officer, duruan_colleague],
        recorder=duruan_colleague,
        qa=[{"q": "你看到了什么？", "a": "看到他在摆卖。"}, {"q": "", "a": ""}],
        certificates_shown=True,
        rights_told=True,
        confirmed=True,
    )
    assert record.qa == [{"q": "你看到了什么？", "a": "看到他在摆卖。"}]
    assert Evidence.objects.get(interview=record).kind == EvidenceKind.WITNESS


def _interview(case, officer, colleague, **overrides):
    now = timezone.now()
    values = {
        "started_at": now - datetime.timedelta(minutes=40),
        "ended_at": now,
        "place": "执法办",
        "interviewee_role": "party",
        "interviewee_name": "王小明",
        "officers": [officer, colleague],
        "recorder": colleague,
        "qa": [{"q": "你是否在杜阮北路摆卖水果？", "a": "是的。"}],
        "certificates_shown": True,
        "rights_told": True,
        "confirmed": True,
        **overrides,
    }
    return services.interview_record_add(case=case, actor=officer, **values)


def test_interview_questions(filed_case, duruan_officer, duruan_colleague):
    """A record of blank lines is no interview record."""
    refused(
        "interview_questions",
        lambda: _interview(filed_case, duruan_officer, duruan_colleague, qa=[{"q": " ", "a": ""}]),
    )
    refused("interview_questions", lambda: _interview(filed_case, duruan_officer, duruan_colleague, qa=[]))
    assert not Evidence.objects.exists()


def test_interview_confirmed(filed_case, duruan_officer, duruan_colleague):
    refused("interview_confirmed", lambda: _interview(filed_case, duruan_officer, duruan_colleague, confirmed=False))
    assert not Evidence.objects.exists()
    _interview(filed_case, duruan_officer, duruan_colleague)
    assert Evidence.objects.count() == 1


def _correction(case, officer, **overrides):
    values = {
        "content": "清理占道物品",
        "legal_basis": "条例第十四条",
        "deadline": today() + datetime.timedelta(days=3),
        **overrides,
    }
    return services.correction_order_issue(case=case, actor=officer, **values)


def test_correction_content(filed_case, duruan_officer, lead):
    refused("correction_content", lambda: _correction(filed_case, duruan_officer, content="  "))
    refused(
        "correction_content",
        lambda: services.lead_order_correction(
            lead=lead,
            actor=duruan_officer,
            content="",
            legal_basis="条例第十四条",
            deadline=today() + datetime.timedelta(days=3),
            reason="情节轻微",
            expected_version=lead.version,
        ),
    )
    assert not CorrectionOrder.objects.exists()


def test_correction_reinspection_date(filed_case, duruan_officer):
    order = _correction(filed_case, duruan_officer)
    refused(
        "correction_reinspection_date",
        lambda: services.correction_reinspect(
            order=order,
            actor=duruan_officer,
            reinspected_on=order.issued_on - datetime.timedelta(days=1),
            result="corrected",
            note="已整改",
        ),
    )
    order.refresh_from_db()
    assert order.status == "open"


def test_correction_order_deadline_and_reinspection(filed_case, duruan_officer):
    order = services.correction_order_issue(
        case=filed_case,
        actor=duruan_officer,
        content="清理占道物品",
        legal_basis="条例第十四条",
        deadline=today() + datetime.timedelta(days=3),
    )
    filed_case.refresh_from_db()
    assert filed_case.next_due_on == order.deadline  # the nearest deadline of the case
    services.correction_reinspect(
        order=order, actor=duruan_officer, reinspected_on=today(), result="partly", note="部分整改"
    )
    filed_case.refresh_from_db()
    assert filed_case.next_due_on == filed_case.decision_due
    refused(
        "correction_already_reinspected",
        lambda: services.correction_reinspect(
            order=order, actor=duruan_officer, reinspected_on=today(), result="corrected", note=""
        ),
    )


def test_apl_56_preservation_needs_the_head_and_starts_the_7_working_day_clock(
    filed_case, duruan_officer, duruan_colleague, duruan_head
):
    from pengjiang_enforcement import workdays

    refused(
        "approved_by_office_head",
        lambda: services.preservation_register(
            case=filed_case,
            actor=duruan_officer,
            items="水果5箱",
            place_kept="暂存室",
            reason="易腐",
            approved_by=duruan_colleague,
            registered_on=today(),
        ),
    )
    preservation = services.preservation_register(
        case=filed_case,
        actor=duruan_officer,
        items="水果5箱",
        place_kept="暂存室",
        reason="易腐",
        approved_by=duruan_head,
        registered_on=today(),
    )
    assert preservation.decision_due == workdays.add_working_days(today(), 7)
    assert preservation.number.startswith("蓬江杜阮综执保〔")
    deadline = Deadline.objects.get(preservation=preservation)
    assert deadline.working_days and deadline.due_on == preservation.decision_due


def _preserve(case, officer, head, **overrides):
    values = {
        "items": "水果5箱",
        "place_kept": "暂存室",
        "reason": "易腐",
        "approved_by": head,
        "registered_on": today(),
        **overrides,
    }
    return services.preservation_register(case=case, actor=officer, **values)


def test_preservation_after_filing(filed_case, duruan_officer, duruan_head):
    """APL Art. 56 preserves evidence in a filed case: not before the filing date."""
    before_filing = filed_case.filed_on - datetime.timedelta(days=1)
    refused(
        "preservation_after_filing",
        lambda: _preserve(filed_case, duruan_officer, duruan_head, registered_on=before_filing),
    )
    assert not Preservation.objects.exists()


@pytest.mark.parametrize("blank", ["items", "reason"])
def test_preservation_items_reason(filed_case, duruan_officer, duruan_head, blank):
    refused("preservation_items_reason", lambda: _preserve(filed_case, duruan_officer, duruan_head, **{blank: " "}))
    assert not Preservation.objects.exists()


def test_preservation_decision_date(filed_case, duruan_officer, duruan_head):
    preservation = _preserve(filed_case, duruan_officer, duruan_head)
    refused(
        "preservation_decision_date",
        lambda: services.preservation_decide(
            preservation=preservation,
            actor=duruan_officer,
            decision="return",
            decided_on=preservation.registered_on - datetime.timedelta(days=1),
        ),
    )
    preservation.refresh_from_db()
    assert preservation.decision == ""


def test_preservation_already_decided(filed_case, duruan_officer, duruan_head):
    preservation = _preserve(filed_case, duruan_officer, duruan_head)
    services.preservation_decide(preservation=preservation, actor=duruan_officer, decision="return", decided_on=today())
    refused(
        "preservation_already_decided",
        lambda: services.preservation_decide(
            preservation=preservation, actor=duruan_officer, decision="confiscate", decided_on=today()
        ),
    )
    preservation.refresh_from_db()
    assert preservation.decision == "return"


def test_apl_56_preservation_undecided_stops_the_end_of_the_investigation(filed_case, duruan_officer, duruan_head):
    preservation = services.preservation_register(
        case=filed_case,
        actor=duruan_officer,
        items="工具一套",
        place_kept="暂存室",
        reason="可能灭失",
        approved_by=duruan_head,
        registered_on=today(),
    )
    services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    services.evidence_add(
        case=filed_case, actor=duruan_officer, kind=EvidenceKind.PHYSICAL, title="工具", collected_on=today()
    )
    exc = refused("preservation_undecided", lambda: _close(filed_case, duruan_officer, prepare=False))
    assert preservation.number in exc.messages[0]
    services.preservation_decide(preservation=preservation, actor=duruan_officer, decision="return", decided_on=today())
    assert Deadline.objects.get(preservation=preservation).status == DeadlineStatus.MET
    _close(filed_case, duruan_officer, prepare=False)


def test_a_late_preservation_decision_is_recorded_as_late(filed_case, duruan_officer, duruan_head):
    from pengjiang_enforcement import workdays

    registered = filed_case.filed_on
    preservation = services.preservation_register(
        case=filed_case,
        actor=duruan_officer,
        items="物品",
        place_kept="暂存室",
        reason="可能灭失",
        approved_by=duruan_head,
        registered_on=registered,
    )
    late_day = workdays.add_working_days(registered, 8)
    preservation = services.preservation_decide(
        preservation=preservation, actor=duruan_officer, decision="return", decided_on=late_day, today=late_day
    )
    assert preservation.decided_late
    assert filed_case.events.get(kind="preservation.decided").data["late"] is True


def _close(case, officer, *, prepare=True):
    if prepare:
        services.party_add(case=case, actor=officer, **person_values(serial=9))
        services.evidence_add(
            case=case, actor=officer, kind=EvidenceKind.DOCUMENTARY, title="营业执照", collected_on=today()
        )
    case.refresh_from_db()
    return services.case_close_investigation(
        case=case,
        actor=officer,
        expected_version=case.version,
        facts_found="当事人占道摆卖属实",
        evidence_summary="现场照片、询问笔录",
        violated_provision="条例第十四条",
        penalty_provision="条例第三十六条",
        proposal=warning_proposal(),
    )


def test_the_investigation_end_report_closes_the_investigation(filed_case, duruan_officer):
    report = _close(filed_case, duruan_officer)
    filed_case.refresh_from_db()
    assert filed_case.state == CaseState.INVESTIGATION_CLOSED
    assert InvestigationReport.objects.get(case=filed_case) == report
    # reopened, a second report keeps the first on record
    services.case_reopen_investigation(
        case=filed_case, actor=duruan_officer, reason="补充询问", expected_version=filed_case.version
    )
    filed_case.refresh_from_db()
    assert filed_case.state == CaseState.INVESTIGATING
    _close(filed_case, duruan_officer, prepare=False)
    assert InvestigationReport.objects.filter(case=filed_case).count() == 2


def test_investigation_reopen_reason(filed_case, duruan_officer):
    _close(filed_case, duruan_officer)
    filed_case.refresh_from_db()
    refused(
        "investigation_reopen_reason",
        lambda: services.case_reopen_investigation(
            case=filed_case, actor=duruan_officer, reason="", expected_version=filed_case.version
        ),
    )
    filed_case.refresh_from_db()
    assert filed_case.state == CaseState.INVESTIGATION_CLOSED


def test_attachments_of_a_lead(lead, duruan_officer):
    blob = services.blob_store(upload=upload("投诉信.pdf", PDF))
    attachment = services.lead_attach_file(lead=lead, actor=duruan_officer, blob=blob, name="投诉信.pdf")
    assert Attachment.objects.get(lead=lead) == attachment
