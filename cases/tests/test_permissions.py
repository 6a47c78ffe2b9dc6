"""Who may open which page of leads and cases: every view of the app, for every persona.

The matrix lists each URL of the ``cases`` namespace with what kind of page it is; the test
checks that no URL was left out, then asks each of them as:

* ``handler``: a handling officer of the case (杜阮);
* ``colleague``: an officer of the same township who does not handle the case;
* ``head``: the office head of the township (approves, does not handle);
* ``other_township``: an officer of 白沙;
* ``judicial``: the 杜阮 judicial office (reads its township, changes nothing);
* ``district``: the district justice bureau (reads everything, changes nothing);
* ``social``: a social supervisor (sees no case data);
* ``anonymous``;
* ``liaison``: the liaison of the district department whose power the case uses (reads the case,
  its officers and parties' names; not its evidence, records, leads or contact details).
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from cases import services
from cases.choices import EvidenceKind
from tests.factories import UserFactory
from tests.matrix import requested_names

from .factories import PDF, make_lead, make_on_spot_case, person_values, today, upload

pytestmark = pytest.mark.django_db

COVERED = frozenset(
    f"cases:{name}"
    for name in [
        "lead_list",
        "lead_create",
        "lead_detail",
        "lead_edit",
        "lead_start_check",
        "lead_file",
        "item_search",
        "lead_not_file",
        "lead_transfer",
        "lead_correction",
        "lead_attach",
        "lead_reinspect",
        "case_list",
        "my_cases",
        "item_filter_search",
        "case_export",
        "approvals",
        "case_detail",
        "case_timeline",
        "case_edit",
        "case_approve",
        "case_return",
        "case_resubmit",
        "case_withdraw",
        "case_close_investigation",
        "case_reopen",
        "case_officers",
        "party_add",
        "party_edit",
        "party_remove",
        "party_history",
        "evidence_add",
        "evidence_attach",
        "inspection_add",
        "inspection_detail",
        "interview_add",
        "interview_detail",
        "correction_add",
        "correction_reinspect",
        "preservation_add",
        "preservation_decide",
        "extension_request",
        "extension_decide",
        "attachment_download",
        "notifications",
        "notifications_read",
        "on_spot_new",
        "on_spot_item_search",
        "on_spot_serve",
        "on_spot_pay",
        "on_spot_handover",
        "case_file_for_record",
        "case_archive",
    ]
)

PERSONAS = ["handler", "colleague", "head", "other_township", "judicial", "district", "social", "anonymous", "liaison"]

# expected status by kind of page, per persona (in the order of PERSONAS)
EXPECTED = {
    "list": [200, 200, 200, 200, 200, 200, 403, 302, 200],
    "lead_list": [200, 200, 200, 200, 200, 200, 403, 302, 403],
    "inbox": [200, 200, 200, 200, 200, 200, 200, 302, 200],
    "export": [200, 200, 200, 200, 200, 200, 403, 302, 403],
    "new_lead": [200, 200, 200, 200, 403, 403, 403, 302, 403],
    "approvals": [403, 403, 200, 403, 403, 403, 403, 302, 403],
    "view": [200, 200, 200, 404, 200, 200, 404, 302, 200],
    # a record or file of the case: its own permission (a liaison reads the case, not these)
    "child_view": [200, 200, 200, 404, 200, 200, 404, 302, 404],
    "lead_view": [200, 200, 200, 404, 200, 200, 404, 302, 404],
    "change": [200, 403, 403, 404, 403, 403, 404, 302, 403],
    "approve": [403, 403, 200, 404, 403, 403, 404, 302, 403],
    "lead_change": [200, 200, 200, 404, 403, 403, 404, 302, 404],
    # deciding on the spot: an officer (or head) of any township, for their own township
    "on_spot_new": [200, 200, 200, 200, 403, 403, 403, 302, 403],
}


@pytest.fixture
def world(duruan_officer, duruan_colleague, duruan_head, baisha_officer, duruan_supervisor, district_supervisor,
          social_supervisor, department_liaison, filed_case):  # fmt: skip
    """A filed case with something of everything, and leads in each state the pages need."""
    case = filed_case
    colleague = UserFactory(username="dr_carol", full_name="同事丙", certified=True)
    party = services.party_add(
        case=case, actor=duruan_officer, **person_values(phone="13912345678", address="杜阮镇井根村十号")
    )
    blob = services.blob_store(upload=upload("scan.pdf", PDF))
    evidence = services.evidence_add(
        case=case,
        actor=duruan_officer,
        kind=EvidenceKind.DOCUMENTARY,
        title="书证",
        collected_on=today(),
        files=[(blob, "scan.pdf")],
    )
    now = timezone.now()
    common = {
        "case": case,
        "actor": duruan_officer,
        "started_at": now - datetime.timedelta(hours=1),
        "ended_at": now,
        "officers": [duruan_officer, duruan_colleague],
        "recorder": duruan_colleague,
        "certificates_shown": True,
    }
    inspection = services.inspection_record_add(
        **common, place="现场", present_persons="当事人", findings="发现", party_signed=True
    )
    interview = services.interview_record_add(
        **common,
        place="办公室",
        interviewee_role="party",
        interviewee_name="王小明",
        qa=[{"q": "问", "a": "答"}],
        rights_told=True,
        confirmed=True,
    )
    correction = services.correction_order_issue(
        case=case, actor=duruan_officer, content="整改", legal_basis="", deadline=today() + datetime.timedelta(days=5)
    )
    preservation = services.preservation_register(
        case=case,
        actor=duruan_officer,
        items="物品",
        place_kept="暂存室",
        reason="可能灭失",
        approved_by=duruan_head,
        registered_on=today(),
    )
    extension = services.extension_request(case=case, actor=duruan_officer, reason="鉴定")
    lead = make_lead(duruan_officer)
    order = services.lead_order_correction(
        lead=make_lead(duruan_officer),
        actor=duruan_officer,
        content="整改",
        legal_basis="",
        deadline=today() + datetime.timedelta(days=5),
        reason="轻微",
        expected_version=2,
    )
    registered = make_lead(duruan_officer, check=False)
    services.lead_attach_file(lead=lead, actor=duruan_officer, blob=blob, name="scan.pdf")
    case.refresh_from_db()
    c = case.pk
    # an on-the-spot decision, paid in cash, filed for the record, the cash not yet handed over
    simple = make_on_spot_case(duruan_officer, duruan_colleague, item=case.power_item, collection="on_spot",
                               party=person_values(serial=7))  # fmt: skip
    simple.refresh_from_db()
    simple = services.case_serve_on_spot(case=simple, actor=duruan_officer, expected_version=simple.version)
    services.case_execute_on_spot(case=simple, actor=duruan_officer, expected_version=simple.version, amount=50,
                                  paid_on=today(), method="cash", receipt_number="粤财0001")  # fmt: skip
    simple.refresh_from_db()
    services.case_file_for_record(case=simple, actor=duruan_officer, expected_version=simple.version)
    simple.refresh_from_db()
    s = simple.pk
    urls = {
        "lead_list": ("lead_list", "/leads/"),
        "case_list": ("list", "/cases/"),
        "my_cases": ("list", "/cases/mine/"),
        "item_filter_search": ("list", "/cases/items/search/?q=%E5%8D%A0%E9%81%93"),
        "notifications": ("inbox", "/notifications/"),
        "case_export": ("export", "/cases/export.xlsx"),
        "lead_create": ("new_lead", "/leads/new/"),
        "approvals": ("approvals", "/cases/approvals/"),
        "lead_detail": ("lead_view", f"/leads/{lead.pk}/"),
        "case_detail": ("view", f"/cases/{c}/"),
        "case_timeline": ("view", f"/cases/{c}/timeline/"),
        "inspection_detail": ("child_view", f"/cases/{c}/inspections/{inspection.pk}/"),
        "interview_detail": ("child_view", f"/cases/{c}/interviews/{interview.pk}/"),
        "attachment_download": ("child_view", f"/files/{evidence.files.get().pk}/"),
        "case_edit": ("change", f"/cases/{c}/edit/"),
        "case_withdraw": ("change", f"/cases/{c}/withdraw/"),
        "case_close_investigation": ("change", f"/cases/{c}/close-investigation/"),
        "case_reopen": ("change", f"/cases/{c}/reopen/"),
        "party_add": ("change", f"/cases/{c}/parties/add/"),
        "party_edit": ("change", f"/cases/{c}/parties/{party.pk}/edit/"),
        "party_remove": ("change", f"/cases/{c}/parties/{party.pk}/remove/"),
        "party_history": ("change", f"/cases/{c}/parties/history/?id_number={party.id_number}"),
        "evidence_add": ("change", f"/cases/{c}/evidence/add/"),
        "evidence_attach": ("change", f"/cases/{c}/evidence/{evidence.pk}/attach/"),
        "inspection_add": ("change", f"/cases/{c}/inspections/add/"),
        "interview_add": ("change", f"/cases/{c}/interviews/add/"),
        "correction_add": ("change", f"/cases/{c}/corrections/add/"),
        "correction_reinspect": ("change", f"/cases/{c}/corrections/{correction.pk}/reinspect/"),
        "preservation_add": ("change", f"/cases/{c}/preservations/add/"),
        "preservation_decide": ("change", f"/cases/{c}/preservations/{preservation.pk}/decide/"),
        "extension_request": ("change", f"/cases/{c}/extensions/request/"),
        "case_approve": ("approve", f"/cases/{c}/approve/"),
        "case_return": ("approve", f"/cases/{c}/return/"),
        "extension_decide": ("approve", f"/cases/{c}/extensions/{extension.pk}/decide/"),
        "case_officers": ("approve", f"/cases/{c}/officers/"),
        "lead_edit": ("lead_change", f"/leads/{lead.pk}/edit/"),
        "lead_file": ("lead_change", f"/leads/{lead.pk}/file/"),
        "item_search": ("lead_change", f"/leads/{lead.pk}/items/search/?q=%E5%8D%A0%E9%81%93"),
        "lead_not_file": ("lead_change", f"/leads/{lead.pk}/not-file/"),
        "lead_transfer": ("lead_change", f"/leads/{lead.pk}/transfer/"),
        "lead_correction": ("lead_change", f"/leads/{lead.pk}/correction/"),
        "lead_reinspect": ("lead_change", f"/leads/{order.lead_id}/corrections/{order.pk}/reinspect/"),
        "on_spot_new": ("on_spot_new", "/cases/on-spot/new/"),
        "on_spot_item_search": ("on_spot_new", "/cases/on-spot/items/search/?q=%E5%8D%A0%E9%81%93"),
        "on_spot_pay": ("change", f"/cases/{s}/on-spot/pay/"),
        "on_spot_handover": ("change", f"/cases/{s}/on-spot/cash-handover/"),
    }
    # POST-only pages: a refused post answers like a page; an allowed one redirects.
    posts = {
        "lead_start_check": (f"/leads/{registered.pk}/start-check/", {"version": registered.version}),
        "lead_attach": (f"/leads/{lead.pk}/attach/", {}),
        "case_resubmit": (f"/cases/{c}/resubmit/", {"version": case.version}),
        "notifications_read": ("/notifications/read/", {}),
        "on_spot_serve": (f"/cases/{s}/on-spot/serve/", {"version": simple.version}),
        "case_file_for_record": (f"/cases/{s}/file-for-record/", {"version": simple.version}),
        "case_archive": (f"/cases/{s}/archive/", {"version": simple.version}),
    }
    people = {
        "handler": duruan_officer,
        "colleague": colleague,
        "head": duruan_head,
        "other_township": baisha_officer,
        "judicial": duruan_supervisor,
        "district": district_supervisor,
        "social": social_supervisor,
        "liaison": department_liaison,
    }
    files = evidence.files.get()
    # what of each child record the case page shows, to tell whether the page leaks it
    children = {
        "cases.view_party": 'id="parties"',
        "cases.view_contact_party": party.phone,
        "cases.view_evidence": 'id="evidence"',
        "cases.view_attachment": f"/files/{files.pk}/",
        "cases.view_inspectionrecord": f"/inspections/{inspection.pk}/",
        "cases.view_interviewrecord": f"/interviews/{interview.pk}/",
        "cases.view_correctionorder": correction.number,
        "cases.view_preservation": preservation.number,
        "cases.view_deadline": 'id="deadlines"',
        "cases.view_extensionrequest": "鉴定",
        "cases.view_caseofficer": 'id="officers"',
        "cases.view_caseevent": 'id="timeline"',
    }
    return {"urls": urls, "posts": posts, "people": people, "children": children, "case": case, "simple": simple}


def _client(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def test_the_matrix_covers_every_view_of_the_app(world):
    names = {name for name in get_resolver().namespace_dict["cases"][1].reverse_dict if isinstance(name, str)}
    assert names == set(world["urls"]) | set(world["posts"])
    requested = [url for _kind, url in world["urls"].values()] + [url for url, _data in world["posts"].values()]
    assert requested_names(requested) == COVERED


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_persona_as_the_rules_say(world, persona):
    client = _client(world["people"].get(persona))
    column = PERSONAS.index(persona)
    wrong = []
    for name, (kind, url) in world["urls"].items():
        status = client.get(url).status_code
        if status != EXPECTED[kind][column]:
            wrong.append((name, url, status, EXPECTED[kind][column]))
    assert wrong == []


# POST-only pages: who is let through (a redirect back) and who is stopped
POST_EXPECTED = {
    "lead_start_check": [302, 302, 302, 404, 403, 403, 404, 302, 404],
    "lead_attach": [302, 302, 302, 404, 403, 403, 404, 302, 404],
    "case_resubmit": [302, 403, 403, 404, 403, 403, 404, 302, 403],
    "notifications_read": [302, 302, 302, 302, 302, 302, 302, 302, 302],
    # a refused step comes back to the case page with the rule's message (a redirect too)
    "on_spot_serve": [302, 403, 403, 404, 403, 403, 404, 302, 403],
    "case_file_for_record": [302, 403, 403, 404, 403, 403, 404, 302, 403],
    "case_archive": [403, 403, 302, 404, 403, 403, 404, 302, 403],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_only_pages_answer_each_persona_as_the_rules_say(world, persona):
    client = _client(world["people"].get(persona))
    column = PERSONAS.index(persona)
    for name, (url, data) in world["posts"].items():
        response = client.post(url, data)
        assert response.status_code == POST_EXPECTED[name][column], (name, persona, response.status_code)
        if persona == "anonymous":
            assert response["Location"].startswith("/accounts/login/")


def test_judicial_office_cannot_post_a_change_either(world, duruan_supervisor):
    client = _client(duruan_supervisor)
    case_url = world["urls"]["party_add"][1]
    response = client.post(case_url, person_values(serial=5))
    assert response.status_code == 403


def test_department_liaison_reads_the_cases_using_the_departments_powers(filed_case, department_liaison):
    """ARCHITECTURE.md: a liaison sees the cases that use the powers the department delegated."""
    client = _client(department_liaison)
    assert client.get(f"/cases/{filed_case.pk}/").status_code == 200  # dept-urban's item
    assert client.get(f"/cases/{filed_case.pk}/edit/").status_code == 403
    assert client.get("/leads/").status_code == 403


@pytest.mark.parametrize("persona", ["handler", "head", "judicial", "district", "liaison"])
def test_case_page_shows_each_child_record_only_with_its_permission(world, persona):
    """Every child record of a case has its own permission: a reader of the case sees a part of
    it (evidence, records, deadlines, timeline, a party's phone...) exactly when the role holds
    that part's permission; the liaison reads the case without them."""
    person = world["people"][persona]
    content = _client(person).get(f"/cases/{world['case'].pk}/").content.decode()
    wrong = [
        (perm, person.has_perm(perm))
        for perm, marker in world["children"].items()
        if (marker in content) != person.has_perm(perm)
    ]
    assert wrong == []


def test_department_liaison_sees_a_partys_phone_masked_and_no_address(world, department_liaison):
    content = _client(department_liaison).get(f"/cases/{world['case'].pk}/").content.decode()
    assert "王小明" in content
    assert "139****5678" in content
    assert "13912345678" not in content and "井根村" not in content
    assert 'data-testid="partial-file"' in content
    assert "/leads/" not in content  # the lead is named, not linked: the liaison cannot open leads
