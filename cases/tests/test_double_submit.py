"""A form sent twice does its work once (pengjiang_enforcement/submissions.py), through the views."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.choices import CaseState
from cases.models import Case, InvestigationReport, Lead
from pengjiang_enforcement.models import Submission
from pengjiang_enforcement.submissions import forget_submissions

from .factories import WARNING_FORM, make_investigated, today

TOKEN = re.compile(r'name="submission" value="([0-9a-f]{32})"')


def token_of(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    found = TOKEN.findall(page)
    assert found, f"no submission token on {url}"
    return found[-1]


def lead_data(token: str, **fields) -> dict:
    return {
        "source": "patrol",
        "discovered_on": (today() - datetime.timedelta(days=1)).isoformat(),
        "place": "杜阮北路8号",
        "description": "占道经营",
        "submission": token,
        **fields,
    }


@pytest.fixture
def officer(duruan_officer):
    client = Client()
    client.force_login(duruan_officer)
    return client


@pytest.mark.django_db
def test_submit_once_lead_form_sent_twice_registers_one_lead(officer):
    token = token_of(officer, "/leads/new/")
    first = officer.post("/leads/new/", lead_data(token))
    second = officer.post("/leads/new/", lead_data(token), follow=True)
    assert first.status_code == 302 and Lead.objects.count() == 1
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "had been sent already" in second.content.decode() or "已经提交" in second.content.decode()


@pytest.mark.django_db
def test_submit_once_a_form_shown_back_with_errors_goes_through_once_corrected(officer):
    token = token_of(officer, "/leads/new/")
    shown_back = officer.post("/leads/new/", lead_data(token, place=""))
    assert shown_back.status_code == 200 and Lead.objects.count() == 0
    page = shown_back.content.decode()
    # every form of the page (the language switch, sign-out) has its own fresh token
    tokens = TOKEN.findall(page)
    assert token not in tokens and len(set(tokens)) == len(tokens) > 1
    corrected = tokens[1]
    officer.post("/i18n/setlang/", {"language": "zh-hans", "next": "/", "submission": tokens[0]})
    assert officer.post("/leads/new/", lead_data(corrected)).status_code == 302
    assert officer.post("/leads/new/", lead_data(corrected)).status_code == 302
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_submit_once_a_token_is_not_someone_elses_to_replay(officer, duruan_colleague):
    token = token_of(officer, "/leads/new/")
    assert officer.post("/leads/new/", lead_data(token)).status_code == 302
    other = Client()
    other.force_login(duruan_colleague)
    assert other.post("/leads/new/", lead_data(token)).status_code == 400
    assert officer.post(f"/leads/{Lead.objects.get().pk}/edit/", lead_data(token)).status_code == 400
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_submit_once_every_post_form_carries_a_token(officer, filed_case):
    for url in ["/leads/new/", f"/cases/{filed_case.pk}/parties/add/", f"/cases/{filed_case.pk}/close-investigation/"]:
        page = officer.get(url).content.decode()
        assert page.count('name="csrfmiddlewaretoken"') == len(TOKEN.findall(page)), url


@pytest.mark.django_db(transaction=True)
def test_submit_once_a_double_click_arriving_at_once_registers_one_lead(transactional_reference_data):
    from tests.fixtures import _make

    person = _make("dr_double", "双击", "duruan", certified=True)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(person)
    token = token_of(clients[0], "/leads/new/")
    start = threading.Barrier(2)
    statuses = []

    def send(client: Client) -> None:
        try:
            start.wait()
            statuses.append(client.post("/leads/new/", lead_data(token)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [302, 302]
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_submit_once_investigation_end_report_sent_twice_is_not_a_conflict(
    officer, duruan_officer, duruan_colleague, filed_case
):
    case = filed_case
    make_investigated(case, duruan_officer, duruan_colleague)
    url = f"/cases/{case.pk}/close-investigation/"
    token = token_of(officer, url)
    case.refresh_from_db()
    data = {
        "version": case.version,
        "facts_found": "属实",
        "evidence_summary": "书证",
        "violated_provision": "条例",
        **WARNING_FORM,
        "submission": token,
    }
    assert officer.post(url, data).status_code == 302
    again = officer.post(url, data, follow=True)
    page = again.content.decode()
    assert again.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    assert "conflict" not in page.lower() and "nothing was saved" not in page.lower()
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATION_CLOSED
    assert InvestigationReport.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_submit_once_tokens_are_forgotten_after_the_keeping_time(officer, settings):
    officer.post("/leads/new/", lead_data(token_of(officer, "/leads/new/")))
    assert Submission.objects.count() == 1
    later = timezone.now() + datetime.timedelta(hours=settings.SUBMISSION_KEEP_HOURS + 1)
    assert forget_submissions(now=later) == 1 and not Submission.objects.exists()
    assert Case.objects.count() == 0
