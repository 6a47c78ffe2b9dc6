"""Permission questions as the database plans them, on generated cases: "may this officer change
this case" starts from the case's primary key and reads that case's officer links, not the
thousands of links of an officer's career; the officer's own cases on the home page are read
through the township index, not by scanning every case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from cases.generate import generate
from cases.models import Case, CaseOfficer
from cases.selectors import my_open_cases
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import can

pytestmark = pytest.mark.django_db


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan_of_can(user: User, action: str, case: Case) -> tuple[bool, list[dict[str, Any]]]:
    """What ``can`` answers, and the executed plan (EXPLAIN ANALYZE) of its query on the case."""
    with CaptureQueriesContext(connection) as ctx:
        answer = can(user, action, case)
    sql = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"]][-1]
    return answer, _explain(sql)


def _explain(sql: str) -> list[dict[str, Any]]:
    """The nodes of the executed plan (EXPLAIN ANALYZE) of ``sql``."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        explained = cursor.fetchone()[0]
    if isinstance(explained, str):
        explained = json.loads(explained)
    return list(_nodes(explained[0]["Plan"]))


def test_can_change_a_case_reads_only_that_cases_officer_links(duruan_officer, duruan_colleague, duruan_head):
    generate(cases=4000, say=lambda _message: None)  # ANALYZEs the tables it fills
    officer = (
        User.objects.filter(unit__township=duruan_officer.township)
        .annotate(links=Count("case_links"))
        .order_by("-links")
        .first()
    )
    career = CaseOfficer.objects.filter(user=officer).count()
    assert career > 300  # enough links for reading them all to be a real choice of the planner
    theirs = Case.objects.filter(officer_links__user=officer).order_by("pk").first()
    other = Case.objects.filter(township=officer.township).exclude(officer_links__user=officer).first()

    for case, expected in ((theirs, True), (other, False)):
        answer, nodes = _plan_of_can(officer, "change", case)
        assert answer is expected
        on_case = [n for n in nodes if n.get("Relation Name") == "cases_case"]
        assert [n.get("Index Name") for n in on_case] == ["cases_case_pkey"], on_case
        links = [n for n in nodes if n.get("Relation Name") == "cases_caseofficer"]
        assert links and not [n for n in links if n["Node Type"] == "Seq Scan"], links
        # the links of this case only: at most its officers, whatever the officer's career
        assert all(n["Actual Rows"] * n["Actual Loops"] <= 3 for n in links), links


def test_the_officers_own_cases_panel_reads_the_township_index_not_every_case(duruan_officer):
    generate(cases=4000, say=lambda _message: None)
    officer = (
        User.objects.filter(unit__township=duruan_officer.township)
        .annotate(links=Count("case_links"))
        .order_by("-links")
        .first()
    )
    with CaptureQueriesContext(connection) as ctx:
        mine = my_open_cases(officer)
    assert mine and all(case.township_id == officer.township.pk for case in mine)
    sql = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"]][-1]
    nodes = _explain(sql)
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "cases_case"], nodes
