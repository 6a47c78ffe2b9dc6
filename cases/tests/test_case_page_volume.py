"""A long-lived case: the case page of a case with 200 events and 50 evidence items (each with its
file) answers with the same number of queries as a case with one of each; it shows every evidence
item and the newest events, and links to the whole timeline, a page at a time."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.choices import EvidenceKind
from cases.models import CaseEvent

from .factories import PDF, person_values, today, upload

pytestmark = pytest.mark.django_db

EVENTS, EVIDENCE = 200, 50


def _page(client, url: str):
    client.get(url)  # warm the per-process caches (content types) so only the page is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def _evidence(case, actor, serial: int) -> None:
    blob = services.blob_store(upload=upload(f"e{serial}.pdf", PDF + serial.to_bytes(2, "big")))
    services.evidence_add(
        case=case,
        actor=actor,
        kind=EvidenceKind.DOCUMENTARY,
        title=f"书证第{serial}号",
        collected_on=today(),
        files=[(blob, f"e{serial}.pdf")],
    )


def test_case_page_query_count_is_the_same_with_200_events_and_50_evidence_items(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    url = f"/cases/{filed_case.pk}/"
    services.party_add(case=filed_case, actor=duruan_officer, **person_values(serial=1))
    _evidence(filed_case, duruan_officer, 1)
    _response, few = _page(client, url)

    for serial in range(2, EVIDENCE + 1):
        _evidence(filed_case, duruan_officer, serial)
    # The events a long case gathers over months (notes on the timeline), written as rows: the
    # page reads them as it reads any event.
    start = timezone.now() + datetime.timedelta(hours=1)
    have = filed_case.events.count()
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=filed_case,
            kind="evidence.added",
            actor=duruan_officer,
            at=start + datetime.timedelta(seconds=serial),
            note=f"第{serial}条记录",
        )
        for serial in range(EVENTS - have)
    )
    assert filed_case.events.count() == EVENTS
    assert filed_case.evidence.count() == EVIDENCE

    response, many = _page(client, url)
    assert many == few, (few, many)
    body = response.content.decode()
    assert f"书证第{EVIDENCE}号" in body and "书证第1号" in body
    # the newest events, and a link to the whole timeline for the rest
    assert f"第{EVENTS - have - 1}条记录" in body and "第0条记录" not in body
    assert f'href="/cases/{filed_case.pk}/timeline/"' in body
    _response, timeline_many = _page(client, f"/cases/{filed_case.pk}/timeline/?page=3")
    _response, timeline_first = _page(client, f"/cases/{filed_case.pk}/timeline/")
    assert timeline_many == timeline_first


def test_case_page_shows_the_newest_events_and_links_to_the_whole_timeline(filed_case, duruan_officer, login):
    client = login(duruan_officer)
    start = timezone.now() + datetime.timedelta(hours=1)
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=filed_case,
            kind="evidence.added",
            actor=duruan_officer,
            at=start + datetime.timedelta(seconds=n),
            note=f"第{n}条记录",
        )
        for n in range(80)
    )
    body = client.get(f"/cases/{filed_case.pk}/").content.decode()
    assert "第79条记录" in body and "第50条记录" in body and "第49条记录" not in body
    assert f'href="/cases/{filed_case.pk}/timeline/"' in body

    first = client.get(f"/cases/{filed_case.pk}/timeline/").content.decode()
    assert "第79条记录" in first and "第30条记录" in first and "第29条记录" not in first
    second = client.get(f"/cases/{filed_case.pk}/timeline/?page=2").content.decode()
    assert "第29条记录" in second and "第0条记录" in second and "第79条记录" not in second


def test_case_page_of_a_short_case_has_no_link_to_the_timeline(filed_case, duruan_officer, login):
    body = login(duruan_officer).get(f"/cases/{filed_case.pk}/").content.decode()
    assert "/timeline/" not in body
