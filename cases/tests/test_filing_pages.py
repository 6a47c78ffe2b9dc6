"""The filing request and its approval as the officer and the head meet them: the searchable item
picker, the item of a 12345 order, the lead's files as evidence, the handling team, who approves
an office head's own filing, and the returned filing with the head's reasons."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases import rules, services
from cases.choices import CaseState, EvidenceKind, NotificationKind
from cases.hotline import services as hotline_services
from cases.hotline.tests import support
from cases.models import Case, Notification
from pengjiang_enforcement.choices import Role
from tests.factories import UserFactory, unit

from .factories import PDF, PNG, item_for, make_lead, make_pending_case, refused, upload

pytestmark = pytest.mark.django_db
make_orders = support.make_orders  # the fixture


@pytest.fixture
def duruan_leader(db):
    return UserFactory(username="dr_leader_t", full_name="镇领导", unit=unit("duruan"), roles=(Role.TOWNSHIP_LEADER,))


def _search(client, lead, q: str) -> dict:
    response = client.get(f"/leads/{lead.pk}/items/search/", {"q": q})
    assert response.status_code == 200
    return response.json()


# --- the item picker ---------------------------------------------------------------------------


def test_item_search_finds_items_by_name_code_and_words(duruan_officer, login):
    stall = item_for(name="对占道摆卖的行政处罚")
    noise = item_for(name="对社会生活噪声扰民的行政处罚", field="环境保护")
    item_for(townships=("baisha",), name="对占道经营的行政处罚")  # not delegated to 杜阮
    lead = make_lead(duruan_officer)
    client = login(duruan_officer)
    assert [i["id"] for i in _search(client, lead, "占道")["items"]] == [stall.pk]
    found = _search(client, lead, "噪声")["items"]
    assert found == [{"id": noise.pk, "code": noise.full_code, "name": noise.name, "field": "环境保护"}]
    assert [i["id"] for i in _search(client, lead, noise.code)["items"]] == [noise.pk]
    assert _search(client, lead, "")["items"] == []


def test_item_delegated_on_filing_date_the_picker_offers_todays_items(duruan_officer, login):
    """Jurisdiction is the filing date's: the picker and the chooser offer the items the township
    holds today, also those delegated after the act and its discovery; not those delegated
    from tomorrow on, and an ``act_date`` in the request changes nothing."""
    today = timezone.localdate()
    recent = item_for(name="对噪声扰民的行政处罚", effective_from=today - datetime.timedelta(days=10))
    item_for(name="对噪声超标排放的行政处罚", effective_from=today + datetime.timedelta(days=1))
    lead = make_lead(duruan_officer, discovered_on=today - datetime.timedelta(days=40))
    client = login(duruan_officer)
    assert [i["id"] for i in _search(client, lead, "噪声")["items"]] == [recent.pk]
    answer = client.get(f"/leads/{lead.pk}/items/search/", {"q": "噪声", "act_date": "2020-01-01"}).json()
    assert [i["id"] for i in answer["items"]] == [recent.pk]
    page = client.get(f"/leads/{lead.pk}/file/").content.decode()
    assert f'value="{recent.pk}"' in page and "超标排放" not in page


def test_item_search_answers_bad_input_without_an_error(duruan_officer, login):
    item_for(name="对占道摆卖的行政处罚")
    lead = make_lead(duruan_officer)
    client = login(duruan_officer)
    assert _search(client, lead, "'&|!:*()" * 200)["items"] == []


def test_item_search_query_count_does_not_grow_with_matches(duruan_officer, login, django_assert_max_num_queries):
    lead = make_lead(duruan_officer)
    client = login(duruan_officer)
    item_for(name="对占道摆卖的行政处罚")
    client.get(f"/leads/{lead.pk}/items/search/", {"q": "占道"})  # warm the per-process caches
    with django_assert_max_num_queries(10) as few:
        assert len(_search(client, lead, "占道")["items"]) == 1
    for n in range(25):
        item_for(name=f"对占道摆卖第{n}类物品的行政处罚")
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = _search(client, lead, "占道")
    assert len(data["items"]) == 20 and data["more"] is True


def test_the_filing_form_renders_the_picker_without_inline_script(duruan_officer, item, login):
    lead = make_lead(duruan_officer)
    body = login(duruan_officer).get(f"/leads/{lead.pk}/file/").content.decode()
    assert f'data-search-url="/leads/{lead.pk}/items/search/"' in body
    assert "js/item_picker.js" in body and "<script>" not in body


def test_the_item_chosen_on_a_12345_order_is_preselected_when_its_lead_is_filed(make_orders, duruan_officer, login):
    stall = item_for(name="对占道摆卖的行政处罚")
    item_for(name="对噪声扰民的行政处罚")
    order = make_orders()[0]
    lead = hotline_services.order_convert_to_lead(order=order, actor=duruan_officer)
    hotline_services.order_choose_item(order=order, actor=duruan_officer, item=stall)
    services.lead_start_check(lead=lead, actor=duruan_officer)
    body = login(duruan_officer).get(f"/leads/{lead.pk}/file/").content.decode()
    assert f'<option value="{stall.pk}" selected>' in body


# --- the lead's files, the handling team ------------------------------------------------------


def test_the_leads_files_come_along_as_evidence_of_the_case(duruan_officer, duruan_colleague, item):
    lead = make_lead(duruan_officer)
    for name, content in (("现场照片.png", PNG), ("举报信.pdf", PDF)):
        blob = services.blob_store(upload=upload(name, content))
        services.lead_attach_file(lead=lead, actor=duruan_officer, blob=blob, name=name)
    case = make_pending_case(duruan_officer, duruan_colleague, item=item, lead=lead)
    evidence = list(case.evidence.order_by("seq").prefetch_related("files"))
    assert [(e.seq, e.kind) for e in evidence] == [(1, EvidenceKind.AUDIOVISUAL), (2, EvidenceKind.DOCUMENTARY)]
    assert [[f.original_name for f in e.files.all()] for e in evidence] == [["现场照片.png"], ["举报信.pdf"]]
    assert all(e.collected_by == duruan_officer and "现场照片.png" in evidence[0].title for e in evidence)
    # a file added to the lead while the filing waits joins the case too
    blob = services.blob_store(upload=upload("补充.png", PNG))
    services.lead_attach_file(lead=lead, actor=duruan_officer, blob=blob, name="补充.png")
    assert case.evidence.count() == 3


def test_the_lead_officer_is_not_offered_as_his_own_colleague(duruan_officer, duruan_colleague, item, login):
    lead = make_lead(duruan_officer)
    body = login(duruan_officer).get(f"/leads/{lead.pk}/file/").content.decode()
    assert f'data-officer="{duruan_officer.pk}" hidden' in body
    assert f'data-officer="{duruan_colleague.pk}">' in body
    assert "js/filing_form.js" in body


# --- who approves ------------------------------------------------------------------------------


def test_filing_approver_the_head_or_for_a_heads_own_filing_the_township_leader(
    duruan_officer, duruan_head, duruan_leader, baisha_officer
):
    township = duruan_officer.township
    rules.filing_approver(duruan_head, township, duruan_officer)
    rules.filing_approver(duruan_leader, township, duruan_head)
    refused("filing_approver", lambda: rules.filing_approver(duruan_leader, township, duruan_officer))
    refused("filing_approver", lambda: rules.filing_approver(duruan_officer, township, duruan_head))


def test_filing_approver_a_heads_own_filing_goes_to_the_township_leader(
    duruan_head, duruan_officer, duruan_leader, item, login
):
    case = make_pending_case(duruan_head, duruan_officer, item=item)
    told = Notification.objects.filter(case=case, kind=NotificationKind.APPROVAL_NEEDED)
    assert list(told.values_list("recipient", flat=True)) == [duruan_leader.pk]
    refused(
        "filing_four_eyes",
        lambda: services.case_approve_filing(case=case, actor=duruan_head, expected_version=case.version),
    )
    client = login(duruan_leader)
    assert 'data-testid="approve"' in client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/" in client.get("/").content.decode()  # the home page's approvals panel
    response = client.post(f"/cases/{case.pk}/approve/", {"ap-version": case.version, "ap-note": "同意立案"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING and case.approved_by == duruan_leader and case.number
    # the grant was for this filing: the leader approves nothing else of the case
    assert client.get(f"/cases/{case.pk}/officers/").status_code == 403


def test_filing_approver_a_heads_own_filing_goes_to_the_district_where_the_township_has_no_leader(
    duruan_head, duruan_officer, item
):
    district_head = UserFactory(
        username="qu_head_t", full_name="区领导", unit=unit("pengjiang"), roles=(Role.OFFICE_HEAD,)
    )
    refused("filing_approver", lambda: rules.filing_approver(district_head, duruan_officer.township, duruan_officer))
    case = make_pending_case(duruan_head, duruan_officer, item=item)
    told = Notification.objects.filter(case=case, kind=NotificationKind.APPROVAL_NEEDED)
    assert list(told.values_list("recipient", flat=True)) == [district_head.pk]
    services.case_approve_filing(case=case, actor=district_head, expected_version=case.version)
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING and case.approved_by == district_head


def test_filing_approver_the_leader_does_not_approve_an_officers_filing(duruan_officer, duruan_colleague,
                                                                        duruan_head, duruan_leader, item):  # fmt: skip
    case = make_pending_case(duruan_officer, duruan_colleague, item=item)
    told = Notification.objects.filter(case=case, kind=NotificationKind.APPROVAL_NEEDED)
    assert list(told.values_list("recipient", flat=True)) == [duruan_head.pk]
    with pytest.raises(PermissionDenied):
        services.case_approve_filing(case=case, actor=duruan_leader, expected_version=case.version)


# --- the returned filing -----------------------------------------------------------------------


def test_a_returned_filing_shows_the_reasons_and_is_corrected_without_withdrawing(
    duruan_officer, duruan_colleague, duruan_head, item, login
):
    other = item_for(name="对噪声扰民的行政处罚")
    case = make_pending_case(duruan_officer, duruan_colleague, item=item)
    reasons = "违法行为发生日期有误，应为发现前一日；职权事项应为噪声扰民。"
    services.case_return_filing(case=case, actor=duruan_head, reason=reasons, expected_version=case.version)
    case.refresh_from_db()
    client = login(duruan_officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="filing-returned"' in page and reasons in page and "黄主任" in page
    edit = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert 'data-testid="filing-returned"' in edit and reasons in edit
    new_date = case.act_date - datetime.timedelta(days=1)
    response = client.post(
        f"/cases/{case.pk}/edit/",
        {
            "version": case.version,
            "act_date": new_date.isoformat(),
            "power_item": other.pk,
            "title": case.title,
            "facts": case.facts,
            "place": case.place,
            "lead_officer": duruan_officer.pk,
            "co_officers": [duruan_colleague.pk],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.act_date, case.power_item) == (CaseState.FILING_RETURNED, new_date, other)
    services.case_resubmit_filing(case=case, actor=duruan_officer, expected_version=case.version)
    case.refresh_from_db()
    assert case.state == CaseState.FILING_PENDING
    assert 'data-testid="filing-returned"' not in client.get(f"/cases/{case.pk}/").content.decode()
    assert Case.objects.count() == 1
