"""The township case queue on a large table, next to the Django admin's change list.

Generates ``CASES_BENCH_N`` cases (200,000 by default; ``CASES_BENCH_N=1000000 make bench cases``
for a million) with ``manage.py generate_cases``, then times page views through the test client
(the whole request: middleware, permission chokepoint, query, template) and counts their
queries. Each figure is the median of several runs after a warm-up.
"""

from __future__ import annotations

import os
import statistics
import time

from .process import let_the_test_client_in
from .registry import Row

RUNS = 7
TARGET_MS = 300


def _measure(client, url: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up (and a check that the page works)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    timings = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(timings), queries, response.status_code


def run() -> list[Row]:
    from django.test import Client

    from cases.generate import generate
    from cases.models import Case, Party
    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import Unit, User

    let_the_test_client_in()  # the test client's host name, template signals
    n = int(os.environ.get("CASES_BENCH_N", "200000"))
    started = time.perf_counter()
    generate(cases=n, say=lambda line: None)
    elapsed = time.perf_counter() - started
    rows = [Row("cases", f"generate_cases --cases {n:,} (COPY)", n / elapsed, "cases/s", f"{elapsed:.0f}s in all")]

    duruan = Unit.objects.get(code="duruan")
    officer = User.objects.filter(unit__township=duruan, groups__name=Role.OFFICER).order_by("pk").first()
    admin = User.objects.filter(username="bench_admin").first() or User.objects.create_superuser(
        "bench_admin", password=None, full_name="bench"
    )
    officer_client, admin_client = Client(), Client()
    officer_client.force_login(officer)
    admin_client.force_login(admin)
    township_rows = Case.objects.filter(township=duruan).count()
    sample = Case.objects.filter(township=duruan).exclude(number="").order_by("-id").values_list("number", flat=True)[0]
    party = Party.objects.filter(case__township=duruan).order_by("-id").values_list("name", flat=True)[0]

    pages = [
        ("queue", "township queue, live cases, page 1", officer_client, "/cases/"),
        ("queue", "township queue, every state, page 1", officer_client, "/cases/?state="),
        ("queue", "township queue, every state, page 50", officer_client, "/cases/?state=&page=50"),
        ("queue", "township queue, archived, page 1", officer_client, "/cases/?state=archived"),
        ("queue", "township queue, overdue, nearest deadline", officer_client, "/cases/?deadline=overdue&sort=due"),
        ("queue", "township queue, search 焚烧 (Chinese text)", officer_client, "/cases/?state=&q=焚烧"),
        ("queue", "township queue, search by case number", officer_client, f"/cases/?state=&q={sample}"),
        ("queue", f"township queue, party {party[:1]}…", officer_client, f"/cases/?state=&party={party}"),
        ("queue", "township queue, filed in 2024, oldest first", officer_client,
         "/cases/?state=&filed_from=2024-01-01&filed_to=2024-12-31&sort=filed_asc"),
        ("queue", "my cases, live", officer_client, "/cases/mine/"),
        ("queue", "district queue (admin), every state", admin_client, "/cases/?state="),
        ("admin", "admin change list, page 1", admin_client, "/admin/cases/case/"),
        ("admin", "admin change list, page 50", admin_client, "/admin/cases/case/?p=50"),
        ("admin", "admin change list, state filter", admin_client, "/admin/cases/case/?state__exact=archived"),
        ("admin", "admin change list, township filter", admin_client,
         f"/admin/cases/case/?township__id__exact={duruan.pk}"),
        ("admin", "admin change list, search by case number", admin_client, f"/admin/cases/case/?q={sample}"),
    ]  # fmt: skip
    for group, label, client, url in pages:
        ms, queries, _status = _measure(client, url)
        target = f"< {TARGET_MS} ms" if group == "queue" else "(baseline)"
        rows.append(
            Row(f"cases/{group}", f"{label}: time", ms, "ms", target, failed=group == "queue" and ms > TARGET_MS)
        )
        rows.append(Row(f"cases/{group}", f"{label}: queries", queries, "queries"))
    ms, queries, _status = _measure(officer_client, "/cases/export.xlsx?state=investigating")
    rows.append(Row("cases/export", "XLSX export, investigating cases of the township: time", ms, "ms"))
    rows.append(Row("cases/export", "XLSX export: queries", queries, "queries"))
    rows.append(Row("cases", f"cases of 杜阮 in the table of {n:,}", township_rows, "rows"))
    return rows
