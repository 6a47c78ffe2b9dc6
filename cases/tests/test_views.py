"""The pages: queues with their filters and pinned query counts, the case page, the export,
downloads, edit conflicts in two browsers, refused steps, and uploads that are never lost."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from cases import services
from cases.choices import CaseState, EvidenceKind, LeadSource
from cases.models import Case, Evidence
from pengjiang_enforcement.models import AuditLog
from pengjiang_enforcement.services import certificate_revoke

from .factories import (
    PDF,
    PNG,
    WARNING_FORM,
    item_for,
    make_filed_case,
    make_lead,
    make_pending_case,
    person_values,
    today,
    upload,
)

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types) so only the page is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _more_cases(officer, colleague, head, item, n: int) -> None:
    for serial in range(n):
        case = make_filed_case(officer, colleague, head, item=item)
        services.party_add(case=case, actor=officer, **person_values(serial=100 + serial))


# --- queues: pinned query counts ---------------------------------------------------------------

# user, their groups with the groups' and their own permissions (one query), the user's object
# grants, unit (the session comes from the cache); then the page's own queries, and the
# unread-notification badge. A change here means a page started to query per row or lost a join.
LIST_QUERIES = {
    "/cases/": 9,
    "/cases/?state=&sort=due": 9,
    "/cases/mine/": 9,
    "/cases/?item=%(item)s": 11,  # the chosen item: validated, then rendered as the one option
    "/leads/": 7,
    "/notifications/": 6,
    # with the 12345 panel of the township's work orders, the calendar's day names, and the
    # township at a glance (one read of the maintained figures, one bounded overdue count); the
    # township's policy read once for every panel, the user's certificates in one query
    "/": 16,
}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_list_query_count_is_pinned_and_does_not_grow_with_rows(
    url, duruan_officer, duruan_colleague, duruan_head, item, login
):
    _more_cases(duruan_officer, duruan_colleague, duruan_head, item, 1)
    make_lead(duruan_officer)
    client = login(duruan_officer)
    few = _queries(client, url % {"item": item.pk})
    _more_cases(duruan_officer, duruan_colleague, duruan_head, item, 3)
    make_lead(duruan_officer)
    make_lead(duruan_officer, check=False)
    many = _queries(client, url % {"item": item.pk})
    assert few == many == LIST_QUERIES[url], (few, many)


def test_head_pages_query_count_is_pinned(duruan_officer, duruan_colleague, duruan_head, item, login):
    make_pending_case(duruan_officer, duruan_colleague, item=item)
    client = login(duruan_head)
    few = (_queries(client, "/cases/approvals/"), _queries(client, "/"))
    for _ in range(3):
        make_pending_case(duruan_officer, duruan_colleague, item=item)
    many = (_queries(client, "/cases/approvals/"), _queries(client, "/"))
    # heads also see the 12345 requests waiting for them (menu badge and home panel)
    assert few == many == (8, 22), (few, many)


def test_judicial_office_home_query_count_is_pinned(
    duruan_officer, duruan_colleague, duruan_head, duruan_supervisor, item, login
):
    _more_cases(duruan_officer, duruan_colleague, duruan_head, item, 1)
    client = login(duruan_supervisor)
    few = _queries(client, "/")
    _more_cases(duruan_officer, duruan_colleague, duruan_head, item, 3)
    assert few == _queries(client, "/") == 13


def test_case_page_query_count_does_not_grow_with_its_content(filed_case, duruan_officer, duruan_colleague, login):
    client = login(duruan_officer)
    url = f"/cases/{filed_case.pk}/"
    services.party_add(case=filed_case, actor=duruan_officer, **person_values(serial=1))
    services.evidence_add(
        case=filed_case, actor=duruan_officer, kind=EvidenceKind.PHYSICAL, title="物证", collected_on=today()
    )
    few = _queries(client, url)
    for serial in range(2, 5):
        services.party_add(case=filed_case, actor=duruan_officer, **person_values(serial=serial))
        blob = services.blob_store(upload=upload(f"p{serial}.pdf", PDF + bytes([serial])))
        services.evidence_add(
            case=filed_case,
            actor=duruan_officer,
            kind=EvidenceKind.DOCUMENTARY,
            title=f"书证{serial}",
            collected_on=today(),
            files=[(blob, f"p{serial}.pdf")],
        )
    assert _queries(client, url) == few == 25


def test_export_query_count_does_not_grow_with_rows(duruan_officer, duruan_colleague, duruan_head, item, login):
    _more_cases(duruan_officer, duruan_colleague, duruan_head, item, 1)
    client = login(duruan_officer)
    few = _queries(client, "/cases/export.xlsx")
    _more_cases(duruan_officer, duruan_colleague, duruan_head, item, 3)
    assert _queries(client, "/cases/export.xlsx") == few


# --- queue filters, search, sorting ------------------------------------------------------------


def _numbers(client, query: str, scope: str = "/cases/") -> list[str]:
    body = client.get(scope + query).content.decode()
    return [n for n in Case.objects.exclude(number="").values_list("number", flat=True) if n in body]


def test_queue_filters_search_and_sorting(duruan_officer, duruan_colleague, duruan_head, login):
    from tests.factories import UserFactory

    smoking = item_for(name="对在禁止吸烟场所吸烟的行政处罚")
    stalls = item_for()
    a = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=stalls, facts="占道摆卖水果，影响通行。")
    services.party_add(case=a, actor=duruan_officer, **person_values(serial=1, name="欧阳修"))
    other = UserFactory(username="dr_carol", full_name="同事丙", certified=True)
    lead = make_lead(duruan_officer, source=LeadSource.COMPLAINT)
    b = make_filed_case(duruan_officer, other, duruan_head, item=smoking, lead=lead, facts="在网吧内吸烟，经劝阻不听。")
    Case.objects.filter(pk=b.pk).update(next_due_on=today() - datetime.timedelta(days=1), filed_on=D2020)
    c = make_pending_case(duruan_officer, duruan_colleague, item=stalls)
    client = login(duruan_officer)

    assert set(_numbers(client, "")) == {a.number, b.number}
    assert c.title in client.get("/cases/").content.decode()  # live: pending filings are listed too
    assert _numbers(client, f"?item={smoking.pk}") == [b.number]
    assert _numbers(client, f"?officer={other.pk}") == [b.number]
    assert _numbers(client, "?party=欧阳") == [a.number]
    assert _numbers(client, f"?party={person_values(serial=1)['id_number']}") == [a.number]
    assert _numbers(client, "?source=complaint") == [b.number]
    assert _numbers(client, "?deadline=overdue") == [b.number]
    assert _numbers(client, "?filed_from=2019-01-01&filed_to=2020-12-31") == [b.number]
    assert _numbers(client, "?q=吸烟") == [b.number]  # Chinese words of the facts
    assert _numbers(client, "?q=水果") == [a.number]
    assert _numbers(client, f"?q={a.number}") == [a.number]  # the case number
    assert _numbers(client, "?state=investigating&q=欧阳修") == [a.number]  # a party name
    assert _numbers(client, "?state=closed") == []
    body = client.get("/cases/?sort=due").content.decode()
    assert body.index(b.number) < body.index(a.number)  # nearest deadline first
    body = client.get("/cases/?sort=filed").content.decode()
    assert body.index(a.number) < body.index(b.number)  # newest filing first


def test_the_queue_renders_only_the_chosen_item_and_the_picker_searches_the_rest(
    duruan_officer, duruan_colleague, duruan_head, login
):
    items = [item_for(name=f"对占道摆卖第{n}类物品的行政处罚") for n in range(30)]
    chosen = items[7]
    case = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=chosen)
    make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=items[3])
    client = login(duruan_officer)
    body = client.get("/cases/").content.decode()
    assert 'data-search-url="/cases/items/search/"' in body and "js/item_picker.js" in body
    item_select = re.search(r'<select name="item".*?</select>', body, re.S)
    assert item_select is not None and item_select.group().count("<option") == 1  # the empty one
    assert items[12].name not in body
    body = client.get(f"/cases/?item={chosen.pk}").content.decode()
    assert f'<option value="{chosen.pk}" selected>' in body and items[8].name not in body
    assert _numbers(client, f"?item={chosen.pk}") == [case.number]
    assert _numbers(client, f"?item_code={chosen.full_code}") == [case.number]  # without JavaScript
    assert _numbers(client, "?item_code=999999999999") == []
    body = client.get("/cases/?item_code=stall").content.decode()
    assert "440700000001-01" in body  # a clear message (the filter is ignored)
    found = client.get("/cases/items/search/", {"q": "占道"}).json()
    assert len(found["items"]) == 20 and found["more"] is True
    assert {"id": chosen.pk, "code": chosen.full_code, "name": chosen.name, "field": chosen.field} in found["items"]
    assert client.get("/cases/items/search/", {"q": chosen.code}).json()["items"][0]["id"] == chosen.pk


def test_the_queue_item_search_offers_only_items_the_user_may_filter_by(
    duruan_officer, baisha_officer, district_supervisor, login
):
    ours = item_for(townships=("duruan",), name="对占道摆卖的行政处罚")
    theirs = item_for(townships=("baisha",), name="对占道经营的行政处罚")

    def ids(person) -> set[int]:
        return {i["id"] for i in login(person).get("/cases/items/search/", {"q": "占道"}).json()["items"]}

    assert ids(duruan_officer) == {ours.pk}
    assert ids(baisha_officer) == {theirs.pk}
    assert ids(district_supervisor) >= {ours.pk, theirs.pk}
    # an item outside the township is refused by the filter, as a choice that is not one
    body = login(duruan_officer).get(f"/cases/?item={theirs.pk}").content.decode()
    assert "invalid-feedback" in body or "is-invalid" in body


def test_the_queue_item_search_query_count_does_not_grow_with_matches(
    duruan_officer, login, django_assert_max_num_queries
):
    client = login(duruan_officer)
    item_for(name="对占道摆卖的行政处罚")
    client.get("/cases/items/search/", {"q": "占道"})  # warm the per-process caches
    with django_assert_max_num_queries(7) as few:
        assert len(client.get("/cases/items/search/", {"q": "占道"}).json()["items"]) == 1
    for n in range(25):
        item_for(name=f"对占道摆卖第{n}类物品的行政处罚")
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get("/cases/items/search/", {"q": "占道"}).json()
    assert len(data["items"]) == 20 and data["more"] is True
    for bad in ("", "'&|!:*()" * 200):
        assert client.get("/cases/items/search/", {"q": bad}).json() == {"items": [], "more": False}


def test_bad_filter_values_do_not_break_the_queue(duruan_officer, login):
    client = login(duruan_officer)
    for query in (
        "?filed_from=not-a-date",
        "?item=abc",
        "?item=99999999999999999999",
        "?item_code=-",
        "?sort=drop+table",
        "?page=-3",
        "?state=nonsense",
    ):
        assert client.get("/cases/" + query).status_code == 200
        assert client.get("/leads/" + query).status_code == 200


D2020 = datetime.date(2020, 6, 1)


def test_lead_queue_filters(duruan_officer, duruan_colleague, login):
    mine = make_lead(duruan_officer, description="夜间施工噪声扰民")
    theirs = make_lead(duruan_colleague, description="占道经营")
    old = make_lead(duruan_officer, description="焚烧垃圾", discovered_on=today() - datetime.timedelta(days=40))
    client = login(duruan_officer)
    body = client.get("/leads/?mine=on").content.decode()
    assert mine.reference in body and theirs.reference not in body
    body = client.get("/leads/?overdue=on").content.decode()
    assert old.reference in body and mine.reference not in body
    body = client.get("/leads/?q=噪声").content.decode()
    assert mine.reference in body and theirs.reference not in body


# --- the case page -----------------------------------------------------------------------------


def test_opening_a_case_is_recorded(filed_case, duruan_supervisor, login):
    client = login(duruan_supervisor)
    client.get(f"/cases/{filed_case.pk}/")
    row = AuditLog.objects.filter(action="cases.case.viewed", object_id=str(filed_case.pk)).get()
    assert row.actor == duruan_supervisor
    assert "何司法" in client.get(f"/cases/{filed_case.pk}/").content.decode()  # shown under "opened by"


def test_case_page_shows_summary_parties_deadlines_and_timeline(filed_case, duruan_officer, login):
    services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    body = login(duruan_officer).get(f"/cases/{filed_case.pk}/").content.decode()
    id_number = person_values()["id_number"]
    assert filed_case.number in body and "王小明" in body
    assert id_number not in body and f"{id_number[:6]}********{id_number[-4:]}" in body  # masked
    assert 'data-deadline="decision"' in body
    assert body.count('class="list-group-item"') > 3 and 'data-testid="timeline"' in body


def test_read_only_readers_see_no_action_buttons(filed_case, duruan_supervisor, login):
    body = login(duruan_supervisor).get(f"/cases/{filed_case.pk}/").content.decode()
    assert 'data-testid="case-actions"' not in body
    assert "/parties/add/" not in body and "/evidence/add/" not in body


# --- export and download -----------------------------------------------------------------------


def test_export_is_filtered_masked_and_through_the_chokepoint(filed_case, duruan_officer, baisha_officer, login):
    services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    response = login(duruan_officer).get("/cases/export.xlsx?state=")
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == filed_case.number
    id_number = person_values()["id_number"]
    assert rows[1][7] == f"{id_number[:6]}********{id_number[-4:]}"
    assert AuditLog.objects.filter(action="cases.case.exported", actor=duruan_officer).exists()
    response = login(baisha_officer).get("/cases/export.xlsx?state=")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 1  # headers only: 杜阮's cases are not 白沙's


def test_export_is_bounded(filed_case, pending_case, duruan_officer, login, settings):
    settings.CASES_EXPORT_MAX_ROWS = 1
    response = login(duruan_officer).get("/cases/export.xlsx?state=")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
    assert len(rows) == 3 and "1" in str(rows[2][0])  # one case, then the note that the list goes on


def test_download_goes_through_the_chokepoint_and_is_audited(filed_case, duruan_officer, baisha_officer, login):
    blob = services.blob_store(upload=upload("现场.png"))
    evidence = services.evidence_add(
        case=filed_case,
        actor=duruan_officer,
        kind=EvidenceKind.AUDIOVISUAL,
        title="照片",
        collected_on=today(),
        files=[(blob, "现场.png")],
    )
    attachment = evidence.files.get()
    response = login(duruan_officer).get(f"/files/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and "sandbox" in response["Content-Security-Policy"]
    assert AuditLog.objects.filter(action="cases.attachment.downloaded", actor=duruan_officer).exists()
    assert login(baisha_officer).get(f"/files/{attachment.pk}/").status_code == 404


# --- conflicts, refusals, nothing lost ---------------------------------------------------------


def test_two_browsers_the_second_save_is_refused_with_a_conflict_message(
    filed_case, duruan_officer, duruan_colleague, login
):
    first, second = login(duruan_officer), login(duruan_colleague)
    url = f"/cases/{filed_case.pk}/edit/"
    first.get(url)
    second.get(url)
    data = {"version": filed_case.version, "title": filed_case.title, "place": filed_case.place}
    assert first.post(url, {**data, "facts": "第一个浏览器的事实"}).status_code == 302
    response = second.post(url, {**data, "facts": "第二个浏览器的事实"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "陈爱丽" in body and "未保存" in body  # who changed it; nothing saved
    assert "第二个浏览器的事实" in body  # the input is kept in the form
    filed_case.refresh_from_db()
    assert filed_case.facts == "第一个浏览器的事实"


def test_a_refused_approval_tells_the_head_which_rule(duruan_officer, duruan_head, item, login):
    from tests.factories import UserFactory, give_certificate

    colleague = UserFactory(username="dr_dave", full_name="将过期")
    certificate = give_certificate(colleague)
    case = make_pending_case(duruan_officer, colleague, item=item)
    certificate_revoke(actor=None, certificate=certificate, revoked_on=today())
    response = login(duruan_head).post(f"/cases/{case.pk}/approve/", {"ap-version": case.version, "ap-note": "同意"})
    body = response.content.decode()
    assert response.status_code == 200 and "第四十二条" in body and "将过期" in body
    assert Case.objects.get(pk=case.pk).state == CaseState.FILING_PENDING


def test_filing_form_refuses_one_officer_with_the_rule_and_keeps_the_input(duruan_officer, item, login):
    lead = make_lead(duruan_officer)
    client = login(duruan_officer)
    response = client.post(
        f"/leads/{lead.pk}/file/",
        {
            "version": lead.version,
            "act_date": lead.discovered_on.isoformat(),
            "power_item": item.pk,
            "title": "独自立案",
            "facts": "事实经过很长的一段描述",
            "place": "杜阮",
            "lead_officer": duruan_officer.pk,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "第四十二条" in body
    assert "事实经过很长的一段描述" in body and "独自立案" in body
    assert not Case.objects.exists()


def test_an_uploaded_file_survives_a_refused_form(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    url = f"/cases/{filed_case.pk}/evidence/add/"
    response = client.post(
        url,
        {"kind": "audiovisual", "title": "", "collected_on": today().isoformat(), "files": [upload("现场.png")]},
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="kept-files"' in body and "现场.png" in body
    token = response.context["kept"][0][2]
    response = client.post(
        url, {"kind": "audiovisual", "title": "现场照片", "collected_on": today().isoformat(), "kept": [token]}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(case=filed_case)
    assert [a.original_name for a in evidence.files.all()] == ["现场.png"]


def test_a_disguised_file_is_refused_and_the_good_one_kept(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    response = client.post(
        f"/cases/{filed_case.pk}/evidence/add/",
        {
            "kind": "audiovisual",
            "title": "照片",
            "collected_on": today().isoformat(),
            "files": [upload("好.png"), upload("坏.jpg", b"MZ\x90\x00 program")],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "坏.jpg" in body and "好.png" in body
    assert not Evidence.objects.exists()


def test_forged_kept_tokens_are_ignored(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    response = client.post(
        f"/cases/{filed_case.pk}/evidence/add/",
        {"kind": "documentary", "title": "书证", "collected_on": today().isoformat(), "kept": ["forged:token"]},
    )
    assert response.status_code == 302
    assert not Evidence.objects.get(case=filed_case).files.exists()


def test_the_journey_through_the_pages(duruan_officer, duruan_colleague, duruan_head, item, login):
    """Register, check, file with a colleague, approve, add a party and evidence, end the investigation."""
    officer, head = login(duruan_officer), login(duruan_head)
    response = officer.post(
        "/leads/new/",
        {
            "source": "patrol",
            "discovered_on": today().isoformat(),
            "place": "杜阮北路",
            "description": "占道摆卖",
        },
    )
    assert response.status_code == 302
    lead = duruan_officer.leads_to_check.model.objects.get()
    officer.post(f"/leads/{lead.pk}/start-check/", {"version": lead.version, "checker": ""})
    lead.refresh_from_db()
    response = officer.post(
        f"/leads/{lead.pk}/file/",
        {
            "version": lead.version,
            "act_date": today().isoformat(),
            "power_item": item.pk,
            "title": "占道摆卖案",
            "facts": "占道摆卖",
            "place": "杜阮北路",
            "lead_officer": duruan_officer.pk,
            "co_officers": [duruan_colleague.pk],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.state == CaseState.FILING_PENDING
    assert head.post(f"/cases/{case.pk}/approve/", {"ap-version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING and case.number
    assert officer.post(f"/cases/{case.pk}/parties/add/", person_values()).status_code == 302
    response = officer.post(
        f"/cases/{case.pk}/evidence/add/",
        {"kind": "audiovisual", "title": "照片", "collected_on": today().isoformat(), "files": [upload()]},
    )
    assert response.status_code == 302
    now = timezone.localtime()
    response = officer.post(
        f"/cases/{case.pk}/inspections/add/",
        {
            "started_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
            "place": "杜阮北路",
            "present_persons": "王小明",
            "officers": [duruan_officer.pk, duruan_colleague.pk],
            "recorder": duruan_colleague.pk,
            "certificates_shown": "on",
            "findings": "占道",
            "party_signed": "on",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    response = officer.post(
        f"/cases/{case.pk}/close-investigation/",
        {
            "version": case.version,
            "facts_found": "属实",
            "evidence_summary": "照片",
            "violated_provision": "条例",
            **WARNING_FORM,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATION_CLOSED
    kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[:2] == ["case.filing_requested", "case.filed"] and kinds[-1] == "case.investigation_closed"
