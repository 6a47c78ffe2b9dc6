"""The home pages' queries as the database plans them on generated rows: each panel walks the
index made for it in the order it shows, and reads a bounded number of rows, not the township's.

A few thousand rows are too few for the planner to prefer an ordered index walk over reading a
township's rows and sorting them (it does prefer it at a million); so the plans are taken with
sequential scans, bitmap scans and sorts priced out. What is pinned is that an index serves the
filter and the order together: without one the plan would still have to sort or scan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from cases import selectors
from cases.generate import generate
from cases.generate_queues import generate_leads
from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.models import User

from .test_figures import counted, maintained

pytestmark = pytest.mark.django_db


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan(call, table: str) -> list[dict[str, Any]]:
    """The executed plan (EXPLAIN ANALYZE) of the first query of ``table``'s rows ``call`` makes."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    sql = next(q["sql"] for q in ctx.captured_queries if q["sql"].startswith(f'SELECT "{table}".'))
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        explained = cursor.fetchone()[0]
    if isinstance(explained, str):
        explained = json.loads(explained)
    return list(_nodes(explained[0]["Plan"]))


def _on(nodes: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    """The nodes that read ``table``; a full sort anywhere in the plan fails the test (the index
    did not give the order; an incremental sort of ties on the index's order is bounded)."""
    assert not [n for n in nodes if n["Node Type"] == "Sort"], nodes
    return [n for n in nodes if n.get("Relation Name") == table]


def _busiest_officer(township) -> User:
    return (
        User.objects.filter(unit__township=township, groups__name=Role.OFFICER)
        .annotate(links=Count("case_links"))
        .order_by("-links")
        .first()
    )


def test_case_panels_walk_their_indexes_and_read_few_rows(duruan_officer, duruan_head):
    generate(cases=6000, say=lambda _message: None)  # COPY in batches, then ANALYZE
    assert maintained() == counted()  # the figures followed the generator's COPY
    officer = _busiest_officer(duruan_officer.township)

    mine = _on(_plan(lambda: selectors.my_open_cases(officer), "cases_case"), "cases_case")
    assert [n.get("Index Name") for n in mine] == ["cases_case_live_due_idx"], mine
    assert mine[0]["Actual Rows"] <= 40, mine  # ten of the officer's, found a few rows in

    head = User.objects.filter(unit__township=duruan_head.township, groups__name=Role.OFFICE_HEAD).first()
    filings = _on(_plan(lambda: selectors.approvals_waiting(head, limit=10), "cases_case"), "cases_case")
    assert filings and {n.get("Index Name") for n in filings} == {"cases_case_filing_queue_idx"}, filings

    panel = _on(_plan(lambda: selectors.overdue_cases(head, limit=15), "cases_case"), "cases_case")
    assert [n.get("Index Name") for n in panel] == ["cases_case_live_due_idx"], panel
    assert panel[0]["Actual Rows"] <= 15, panel  # the first rows of the index are the page

    overdue = _on(_plan(lambda: selectors.township_figures(officer), "cases_case"), "cases_case")
    assert [n["Node Type"] for n in overdue] in (["Index Scan"], ["Index Only Scan"]), overdue
    assert overdue[0]["Actual Rows"] <= selectors.COUNT_CAP, overdue


def test_the_leads_panel_walks_the_open_lead_deadline_index(duruan_officer):
    generate_leads(count=6000, say=lambda _message: None)
    assert maintained() == counted()
    officer = User.objects.filter(unit__township=duruan_officer.township, leads_to_check__isnull=False).first()
    leads = _on(_plan(lambda: selectors.my_leads_to_check(officer), "cases_lead"), "cases_lead")
    assert [n.get("Index Name") for n in leads] == ["cases_lead_open_due_idx"], leads
    assert leads[0]["Actual Rows"] <= 40, leads
