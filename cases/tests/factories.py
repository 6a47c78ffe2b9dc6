"""Leads and cases for tests, built through the services (so they are audited and consistent)."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.choices import EvidenceKind, LeadSource, PartyKind
from cases.identity import make_credit_code, make_resident_id
from cases.models import Case, Lead
from pengjiang_enforcement.models import User
from powers.models import PowerItem
from powers.tests.factories import make_item

D = datetime.date


def refused(rule: str, call):
    """Run ``call``, expecting the rule ``rule`` to refuse it; return the violation."""
    import pytest

    from pengjiang_enforcement.exceptions import RuleViolation

    with pytest.raises(RuleViolation) as exc:
        call()
    assert exc.value.rule == rule, exc.value.rule
    return exc.value


def today() -> datetime.date:
    return timezone.localdate()


SINCE_2020 = D(2020, 1, 1)


def item_for(
    townships: tuple[str, ...] = ("duruan", "baisha"), effective_from: datetime.date = SINCE_2020, **fields: Any
) -> PowerItem:
    """A penalty item delegated to the townships (since 2020 unless told)."""
    return make_item(townships=list(townships), effective_from=effective_from, **fields)


def make_lead(officer: User, *, check: bool = True, **fields: Any) -> Lead:
    values = {
        "source": LeadSource.PATROL,
        "discovered_on": today() - datetime.timedelta(days=3),
        "place": "杜阮镇杜阮北路12号门前",
        "description": "巡查发现商户占用人行道摆卖水果，影响行人通行。",
        **fields,
    }
    lead = services.lead_register(actor=officer, township=officer.township, **values)
    if check:
        lead = services.lead_start_check(lead=lead, actor=officer)
    return lead


def make_pending_case(
    officer: User, colleague: User, *, item: PowerItem | None = None, lead: Lead | None = None, **fields: Any
) -> Case:
    lead = lead or make_lead(officer)
    values = {
        "power_item": item or item_for(),
        "title": "擅自占道摆卖案",
        "facts": "当事人在杜阮北路人行道上摆卖水果，占道约6平方米。",
        "place": lead.place,
        "act_date": lead.discovered_on,
        **fields,
    }
    return services.case_request_filing(
        lead=lead,
        actor=officer,
        lead_officer=officer,
        co_officers=[colleague],
        expected_lead_version=lead.version,
        **values,
    )


def make_filed_case(officer: User, colleague: User, head: User, **fields: Any) -> Case:
    case = make_pending_case(officer, colleague, **fields)
    return services.case_approve_filing(case=case, actor=head, expected_version=case.version)


def person_values(serial: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "kind": PartyKind.PERSON,
        "name": "王小明",
        "gender": "male",
        "id_number": make_resident_id("440703", D(1980, 5, 17), serial),
        "phone": "13800000000",
        "address": "江门市蓬江区杜阮镇",
        **fields,
    }


def organisation_values(serial: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "kind": PartyKind.ORGANISATION,
        "name": "江门市杜阮鲜果贸易有限公司",
        "credit_code": make_credit_code(serial),
        "legal_representative": "陈大文",
        "address": "江门市蓬江区杜阮镇",
        **fields,
    }


# The smallest real files of each type, for uploads.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str = "photo.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def docx_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def warning_proposal(**fields: Any):
    """The lightest proposal to penalise: a warning, with reasons (no band: the test item has no
    discretion standard unless the test gives it one)."""
    from cases.services import PenaltyLineDraft, ProposalDraft

    values = {
        "outcome": "penalty",
        "reasons": "初次违法，情节轻微，建议警告。",
        "lines": (PenaltyLineDraft(kind="warning"),),
        **fields,
    }
    return ProposalDraft(**values)


# The proposal fields of the report form for a warning (the penalty lines are a formset).
WARNING_FORM = {
    "outcome": "penalty",
    "reasons": "初次违法，情节轻微，建议警告。",
    "line-TOTAL_FORMS": "3",
    "line-INITIAL_FORMS": "0",
    "line-MIN_NUM_FORMS": "0",
    "line-MAX_NUM_FORMS": "13",
    "line-0-kind": "warning",
}


def on_spot_values(officer: User, colleague: User, *, item: PowerItem | None = None, **fields: Any) -> dict[str, Any]:
    """What an officer fills in for a decision on the spot: a person fined 50 yuan, paid at the bank."""
    return {
        "actor": officer,
        "township": officer.township,
        "power_item": item or item_for(),
        "title": "占道摆卖",
        "facts": "当事人在杜阮北路人行道上摆卖水果，占道约2平方米。",
        "place": "杜阮镇杜阮北路12号门前",
        "act_date": today(),
        "legal_basis": "《广东省城乡生活垃圾管理条例》第五十条",
        "penalty": "fine",
        "amount": 50,
        "collection": "bank",
        "co_officers": [colleague],
        "party": person_values(),
        "certificates_shown": True,
        "party_signed": True,
        **fields,
    }


def make_on_spot_case(officer: User, colleague: User, **fields: Any) -> Case:
    return services.case_decide_on_spot(**on_spot_values(officer, colleague, **fields))


def make_investigated(case: Case, officer: User, colleague: User) -> Case:
    """What an investigation needs before its end report: a party, an evidence item with its file
    and an on-site inspection record by two officers."""
    services.party_add(case=case, actor=officer, **person_values())
    blob = services.blob_store(upload=upload("scan.pdf", PDF))
    services.evidence_add(
        case=case, actor=officer, kind=EvidenceKind.DOCUMENTARY, title="书证", collected_on=today(),
        files=[(blob, "scan.pdf")],
    )  # fmt: skip
    now = timezone.now()
    services.inspection_record_add(
        case=case, actor=officer, started_at=now - datetime.timedelta(hours=1), ended_at=now,
        officers=[officer, colleague], recorder=colleague, certificates_shown=True,
        place="现场", present_persons="当事人", findings="发现", party_signed=True,
    )  # fmt: skip
    return case
