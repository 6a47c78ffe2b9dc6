"""The pages of the simple procedure: the phone form, the case page's on-the-spot part and its
buttons for the right people, the steps posted from it, and the page's pinned query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.choices import CaseState, LeadStatus
from cases.models import Case, OnSpotDecision

from .factories import make_lead, make_on_spot_case, person_values, today

pytestmark = pytest.mark.django_db

REMEDIES = "江门市蓬江区人民政府"


def _codes(response) -> set[str]:
    """The rule codes a refused form shows (whatever the language of its messages)."""
    return {error.code for errors in response.context["form"].errors.as_data().values() for error in errors}


def _form(item, colleague, **fields):
    values = {
        "power_item": item.pk,
        "title": "占道摆卖",
        "place": "杜阮镇杜阮北路12号",
        "act_date": today().isoformat(),
        "facts": "当事人占用人行道摆卖水果。",
        "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
        "kind": "person",
        "name": "王小明",
        "id_number": person_values()["id_number"],
        "phone": "13800000000",
        "address": "杜阮镇",
        "penalty": "fine",
        "amount": "50",
        "collection": "bank",
        "co_officer": colleague.pk,
        "certificates_shown": "on",
        "party_signed": "on",
    }
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


def test_on_spot_form_records_a_decision_and_the_case_page_shows_it(duruan_officer, duruan_colleague, item, login):
    client = login(duruan_officer)
    page = client.get("/cases/on-spot/new/")
    assert page.status_code == 200 and REMEDIES in page.content.decode()
    response = client.post("/cases/on-spot/new/", _form(item, duruan_colleague))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.state == CaseState.ON_SPOT_DECIDED
    body = client.get(response["Location"]).content.decode()
    assert case.number in body and REMEDIES in body and "复议前置" in body
    assert 'data-testid="serve-on-spot"' in body and case.on_spot.payment_reference in body


def test_on_spot_form_refuses_201_yuan_for_a_person_naming_the_article(duruan_officer, duruan_colleague, item, login):
    """apl_51_simple_procedure_limit on the page: the refusal names Art. 51, nothing is written."""
    client = login(duruan_officer)
    response = client.post("/cases/on-spot/new/", _form(item, duruan_colleague, amount="201"))
    assert response.status_code == 200 and _codes(response) == {"apl_51_simple_procedure_limit"}
    body = response.content.decode()
    assert "第五十一条" in body or "Art. 51" in body
    assert not Case.objects.exists() and not OnSpotDecision.objects.exists()


def test_on_spot_form_refuses_150_yuan_cash_without_a_reason(duruan_officer, duruan_colleague, item, login):
    """apl_68_on_spot_collection on the page."""
    client = login(duruan_officer)
    response = client.post("/cases/on-spot/new/", _form(item, duruan_colleague, amount="150", collection="on_spot"))
    assert response.status_code == 200 and _codes(response) == {"apl_68_on_spot_collection"}
    body = response.content.decode()
    assert "第六十八条" in body or "Art. 68" in body
    assert not Case.objects.exists()


def test_on_spot_form_from_a_lead_concludes_it(duruan_officer, duruan_colleague, item, login):
    lead = make_lead(duruan_officer)
    client = login(duruan_officer)
    assert "on-spot/new/?lead=" in client.get(f"/leads/{lead.pk}/").content.decode()
    response = client.post(
        f"/cases/on-spot/new/?lead={lead.pk}", _form(item, duruan_colleague, lead_version=lead.version)
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.FILED and Case.objects.get().lead == lead


def test_on_spot_form_of_another_townships_lead_is_404(duruan_officer, baisha_officer, login):
    lead = make_lead(duruan_officer)
    assert login(baisha_officer).get(f"/cases/on-spot/new/?lead={lead.pk}").status_code == 404


def test_social_supervisor_cannot_open_the_on_spot_form(social_supervisor, login):
    assert login(social_supervisor).get("/cases/on-spot/new/").status_code == 403


def test_the_simple_path_through_the_case_page(duruan_officer, duruan_colleague, duruan_head, item, login):
    case = make_on_spot_case(duruan_officer, duruan_colleague, item=item, penalty="fine", amount=80,
                             collection="on_spot")  # fmt: skip
    officer, head = login(duruan_officer), login(duruan_head)
    url = f"/cases/{case.pk}/"

    def version():
        return Case.objects.get(pk=case.pk).version

    officer.post(f"{url}on-spot/serve/", {"version": version()})
    assert 'data-testid="pay-on-spot"' in officer.get(url).content.decode()
    assert 'data-testid="pay-on-spot"' not in head.get(url).content.decode()
    response = officer.post(f"{url}on-spot/pay/", {"version": version(), "amount": "80", "paid_on": today().isoformat(),
                                                    "method": "cash", "receipt_number": "粤财0001"})  # fmt: skip
    assert response.status_code == 302
    officer.post(f"{url}file-for-record/", {"version": version()})
    assert Case.objects.get(pk=case.pk).state == CaseState.FILED_FOR_RECORD
    body = head.get(url).content.decode()
    assert 'data-testid="archive"' in body and 'data-testid="archive"' not in officer.get(url).content.decode()
    head.post(f"{url}archive/", {"version": version()}, follow=True)
    assert Case.objects.get(pk=case.pk).state == CaseState.FILED_FOR_RECORD  # the cash is not handed over
    officer.post(f"{url}on-spot/cash-handover/", {"handed_over_on": today().isoformat()})
    head.post(f"{url}archive/", {"version": version()})
    assert Case.objects.get(pk=case.pk).state == CaseState.ARCHIVED
    assert 'data-testid="archive"' not in head.get(url).content.decode()


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_simple_case_page_query_count_is_pinned(duruan_officer, duruan_colleague, item, login):
    case = make_on_spot_case(duruan_officer, duruan_colleague, item=item, collection="on_spot")
    client = login(duruan_officer)
    few = _queries(client, f"/cases/{case.pk}/")
    case.refresh_from_db()
    case = services.case_serve_on_spot(case=case, actor=duruan_officer, expected_version=case.version)
    services.case_execute_on_spot(case=case, actor=duruan_officer, expected_version=case.version, amount=50,
                                  paid_on=today(), method="cash", receipt_number="r1")  # fmt: skip
    assert _queries(client, f"/cases/{case.pk}/") == few == 26
