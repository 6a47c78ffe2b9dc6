"""The plan of each queue's main query, on generated rows of every township: the township's index
serves the filter and the order together. No sequential scan of the big table, and no walk of the
primary key backwards that throws away the other townships' rows (the plan the chokepoint's
``township = X OR pk IN (grants)`` used to force)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.generate import generate
from cases.generate_queues import generate_leads, generate_orders

pytestmark = pytest.mark.django_db

ROWS = 2000


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _main_query_plan(client: Client, url: str, table: str) -> list[dict[str, Any]]:
    """The executed plan (EXPLAIN ANALYZE, JSON) of the page's query that reads a page of ``table``."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    pages = [q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]]
    assert len(pages) == 1, pages
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + pages[0])
        explained = cursor.fetchone()[0]
    if isinstance(explained, str):
        explained = json.loads(explained)
    return list(_nodes(explained[0]["Plan"]))


def _assert_served_by(nodes: list[dict[str, Any]], table: str, index: str) -> None:
    on_table = [n for n in nodes if n.get("Relation Name") == table]
    assert on_table, nodes
    assert not [n for n in on_table if n["Node Type"] == "Seq Scan"], on_table
    for node in on_table:
        if node.get("Index Name") == f"{table}_pkey":
            # Reading the page's rows by their keys is fine; walking the key is not.
            assert node["Scan Direction"] == "Forward" and not node.get("Rows Removed by Filter"), node
    scans = [n for n in on_table if n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")]
    used = {n.get("Index Name") for n in nodes if n.get("Index Name")}
    assert scans and index in used, (index, used)


@pytest.fixture
def officer_client(duruan_officer) -> Client:
    client = Client()
    client.force_login(duruan_officer)
    return client


def test_case_queue_default_deadline_sort_and_page_200_read_the_live_cases_index(officer_client):
    generate(cases=ROWS, say=lambda _message: None)  # ANALYZEs the tables it fills
    for url, index in (
        ("/cases/", "cases_case_live_idx"),
        ("/cases/?page=200", "cases_case_live_idx"),
        ("/cases/?deadline=overdue", "cases_case_live_due_idx"),
        ("/cases/?sort=due", "cases_case_live_due_idx"),
        ("/cases/?state=archived", "cases_case_township_state_idx"),
        ("/cases/?state=", "cases_case_township_idx"),
    ):
        _assert_served_by(_main_query_plan(officer_client, url, "cases_case"), "cases_case", index)


def test_lead_queue_default_and_every_status_read_the_township_lead_indexes(officer_client):
    generate_leads(count=ROWS, say=lambda _message: None)
    for url, index in (
        ("/leads/", "cases_lead_open_idx"),
        ("/leads/?status=", "cases_lead_township_idx"),
        ("/leads/?status=not_filed", "cases_lead_queue_idx"),
    ):
        _assert_served_by(_main_query_plan(officer_client, url, "cases_lead"), "cases_lead", index)


def test_order_queue_default_and_one_state_newest_first_read_the_township_order_indexes(officer_client):
    generate_orders(count=ROWS, say=lambda _message: None)
    for url, index in (
        ("/hotline/", "cases_hlorder_open_due_idx"),
        ("/hotline/?state=replied&sort=newest", "cases_hlorder_state_recent_idx"),
        ("/hotline/?state=&sort=newest", "cases_hlorder_recent_idx"),
    ):
        _assert_served_by(_main_query_plan(officer_client, url, "cases_hotlineorder"), "cases_hotlineorder", index)
