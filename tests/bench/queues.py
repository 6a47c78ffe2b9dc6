"""Every township's queues of cases, leads and 12345 work orders, next to the Django admin.

For each size (``--sizes 100000,1000000``, or ``BENCH_SIZES``; 100,000 by default) the scratch
database is made afresh and ``generate_cases`` writes that many cases, leads and work orders,
interleaved across townships in date order as offices produce them. Each queue is then timed
through the test client (the whole request) for an officer of every township: the table gives
the **worst** township and the best (p50, p95, query count), the admin's change list of the
same rows with the same filter, as a superuser, and the ratios. A township's place in the id
range no longer decides its figures, so the worst township is the honest one.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

from .registry import Row

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
TARGET_MS = 300

# (label, the portal's queue, the admin's change list of the same rows or "")
QUEUES = [
    ("cases, every state, newest first", "/cases/?state=", "/admin/cases/case/?township__id__exact={t}"),
    ("cases, archived, newest first", "/cases/?state=archived",
     "/admin/cases/case/?township__id__exact={t}&state__exact=archived"),
    ("cases, live, the default filter", "/cases/", ""),
    ("cases, every state, page 50", "/cases/?state=&page=50", "/admin/cases/case/?township__id__exact={t}&p={p}"),
    ("leads, every status, newest first", "/leads/?status=", "/admin/cases/lead/?township__id__exact={t}"),
    ("leads, not filed, newest first", "/leads/?status=not_filed",
     "/admin/cases/lead/?township__id__exact={t}&status__exact=not_filed"),
    ("leads, awaiting check, the default filter", "/leads/", ""),
    ("12345 orders, every state, newest first", "/hotline/?state=&sort=newest", ""),
    ("12345 orders, replied, newest first", "/hotline/?state=replied&sort=newest", ""),
    ("12345 orders, open, deadline first, the default filter", "/hotline/", ""),
]  # fmt: skip


@dataclass
class Timing:
    p50: float
    p95: float
    queries: int


def sizes() -> list[int]:
    return [int(s.replace("_", "")) for s in os.environ.get("BENCH_SIZES", "100000").split(",") if s.strip()]


def _measure(client, url: str) -> Timing:
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
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1] if len(timings) > 1 else timings[0]
    return Timing(statistics.median(timings), p95, queries)


def _clients():
    from django.test import Client

    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import Unit, User

    officers = {}
    for township in Unit.objects.townships():
        officer = User.objects.filter(unit__township=township, groups__name=Role.OFFICER).order_by("pk").first()
        if officer is None:
            continue
        client = Client()
        client.force_login(officer)
        officers[township] = client
    admin = User.objects.create_superuser("bench_admin", password=None, full_name="bench")
    admin_client = Client()
    admin_client.force_login(admin)
    return officers, admin_client


def _one_size(n: int) -> list[Row]:
    from .generated import use_generated

    started = time.perf_counter()
    use_generated(n)
    elapsed = time.perf_counter() - started
    group = f"queues {n:,}"
    rows = [Row(group, "generate as many cases, leads and 12345 orders as the size", elapsed, "s")]
    officers, admin_client = _clients()
    for label, url, admin_url in QUEUES:
        per_township = {township: _measure(client, url) for township, client in officers.items()}
        ranked = sorted(per_township.items(), key=lambda pair: pair[1].p50)
        (best, fast), (worst, slow) = ranked[0], ranked[-1]
        rows += [
            Row(group, f"{label}: worst ({worst.short_name}) p50", slow.p50, "ms", f"< {TARGET_MS} ms",
                failed=slow.p50 > TARGET_MS),
            Row(group, f"{label}: worst ({worst.short_name}) p95", slow.p95, "ms"),
            Row(group, f"{label}: worst ({worst.short_name}) queries", slow.queries, "queries"),
            Row(group, f"{label}: best ({best.short_name}) p50", fast.p50, "ms"),
            Row(group, f"{label}: best ({best.short_name}) p95", fast.p95, "ms"),
            Row(group, f"{label}: best ({best.short_name}) queries", fast.queries, "queries"),
            Row(group, f"{label}: worst / best", slow.p50 / fast.p50, "x"),
        ]  # fmt: skip
        if admin_url:
            admin = _measure(admin_client, admin_url.format(t=worst.pk, p=_admin_page(worst)))
            rows += [
                Row(group, f"{label}: admin change list ({worst.short_name}) p50", admin.p50, "ms", "(baseline)"),
                Row(group, f"{label}: admin change list ({worst.short_name}) p95", admin.p95, "ms", "(baseline)"),
                Row(group, f"{label}: admin change list queries", admin.queries, "queries", "(baseline)"),
                Row(group, f"{label}: worst / admin", slow.p50 / admin.p50, "x"),
            ]
    return rows


def _admin_page(township) -> int:
    """The admin's page (100 rows) holding the queue's page 50 (25 rows: rows 1,226 to 1,250)."""
    from cases.models import Case

    pages = -(-Case.objects.filter(township=township).count() // 100)
    return max(1, min(13, pages))


class _Quiet:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def print_side_by_side(rows: list[Row], all_sizes: list[int]) -> None:
    """One line per measure, one column per size: how each figure grows with the table."""
    from .registry import _width

    groups = [f"queues {n:,}" for n in all_sizes]
    by_measure: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_measure.setdefault(_shape(row.measure), {})[row.benchmark] = row
    headers = ["measure", *(f"{n:,} rows" for n in all_sizes), "unit"]
    table = []
    for measure, cells in by_measure.items():
        unit = next(iter(cells.values())).unit
        values = []
        for group in groups:
            row = cells.get(group)
            if row is None:
                values.append("")
            else:
                name = row.measure[row.measure.find("(") + 1 : row.measure.find(")")] if "(" in row.measure else ""
                values.append(row.formatted() + (f" {name}" if name else ""))
        table.append([measure, *values, unit])
    widths = [max(_width(str(x)) for x in col) for col in zip(headers, *table, strict=False)]

    def line(cells):
        padded = (str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=False))
        return "| " + " | ".join(padded) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in table:
        print(line(cells))


def _shape(measure: str) -> str:
    """The measure without the township's name (the worst township may differ by size)."""
    if "(" in measure and ")" in measure:
        return measure[: measure.find("(")] + "(…)" + measure[measure.find(")") + 1 :]
    return measure


def run() -> list[Row]:
    from django.test.utils import setup_test_environment

    from .__main__ import fresh_database

    setup_test_environment()
    rows: list[Row] = []
    all_sizes = sizes()
    for index, n in enumerate(all_sizes):
        if index:
            fresh_database(os.environ["DATABASE_URL"])
        print(f"  {n:,} rows ...", flush=True)
        rows += _one_size(n)
    print("Side by side (the township named is the worst or the best at that size):")
    print_side_by_side(rows, all_sizes)
    return rows
