"""Every township's queues of cases, leads and 12345 work orders, next to the Django admin.

For each size (``--sizes 100000,1000000``, or ``BENCH_SIZES``; 100,000 by default) the scratch
database is made afresh and ``generate_cases`` writes that many cases, leads and work orders,
interleaved across townships in date order as offices produce them. Each queue is then timed
through the test client (the whole request) for an officer of every township: the table gives
the **worst** township and the best (p50, p95, query count), the admin's change list of the
same rows with the same filter, as a superuser, and the ratios. A township's place in the id
range no longer decides its figures, so the worst township is the honest one.

Each queue is timed as an officer uses it (the default filter, one state, overdue, a Chinese
word, the deadline sort, page 200). Targets, for the worst township: p95 <= 50 ms, at least 3x
faster than the admin's change list of the same rows, the same query count as the best; side
by side, p95 grows at most 1.3x from the smallest size to the largest and query counts not at
all.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

from .process import freeze_what_came_before
from .registry import Row

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
TARGET_MS = 50  # p95 of the worst township's page, the test client's whole request
ADMIN_RATIO = 1 / 3  # the worst township's page at least 3x faster than the admin's change list
GROWTH = 1.3  # from the smallest size to the largest
WORD = "噪声"  # a word of the generated titles, as an officer searches it
LIVE = "{live}"  # the case states of the default queue, for the admin's ``state__in``
OPEN_LEADS = "registered,checking"
A_CASES = "/admin/cases/case/?township__id__exact={t}"
A_LEADS = "/admin/cases/lead/?township__id__exact={t}"

# (label, the portal's queue, the admin's change list of the same rows or ""); the 12345 orders
# have no admin change list. Labels hold no parentheses: the table keeps those for township names.
QUEUES = [
    ("cases, live, newest first, the default", "/cases/", A_CASES + "&state__in=" + LIVE),
    ("cases, archived, newest first", "/cases/?state=archived", A_CASES + "&state__exact=archived"),
    ("cases, overdue", "/cases/?deadline=overdue", A_CASES + "&state__in=" + LIVE + "&next_due_on__lt={today}"),
    ("cases, Chinese search", "/cases/?q=" + WORD, A_CASES + "&state__in=" + LIVE + "&title__contains=" + WORD),
    ("cases, nearest deadline first", "/cases/?sort=due",
     A_CASES + "&state__in=" + LIVE + "&next_due_on__isnull=False"),
    ("cases, page 200", "/cases/?page=200", A_CASES + "&state__in=" + LIVE + "&p={p}"),
    ("leads, awaiting check, the default", "/leads/", A_LEADS + "&status__in=" + OPEN_LEADS),
    ("leads, not filed, newest first", "/leads/?status=not_filed", A_LEADS + "&status__exact=not_filed"),
    ("leads, check overdue", "/leads/?overdue=on", A_LEADS + "&status__in=" + OPEN_LEADS + "&check_due__lt={today}"),
    ("leads, Chinese search", "/leads/?q=" + WORD, ""),
    ("leads, nearest deadline first", "/leads/?sort=due", ""),
    ("leads, page 200", "/leads/?page=200", A_LEADS + "&status__in=" + OPEN_LEADS + "&p={p}"),
    ("12345 orders, open, deadline first, the default", "/hotline/", ""),
    ("12345 orders, replied, newest first", "/hotline/?state=replied&sort=newest", ""),
    ("12345 orders, overdue", "/hotline/?deadline=overdue", ""),
    ("12345 orders, Chinese search", "/hotline/?q=" + WORD, ""),
    ("12345 orders, every state, newest first", "/hotline/?state=&sort=newest", ""),
    ("12345 orders, page 200", "/hotline/?page=200", ""),
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
    admin = User.objects.filter(username="bench_admin").first() or User.objects.create_superuser(
        "bench_admin", password=None, full_name="bench"
    )
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
    return rows + measure_queues(group)


def measure_queues(group: str) -> list[Row]:
    """Time every queue on the rows the database holds now (also usable on a copy made earlier)."""
    from django.utils import timezone

    from cases.choices import CASE_LIVE_STATES

    rows: list[Row] = []
    _vacuum()
    officers, admin_client = _clients()
    freeze_what_came_before()
    live = ",".join(CASE_LIVE_STATES)
    today = timezone.localdate().isoformat()
    for label, url, admin_url in QUEUES:
        per_township = {township: _measure(client, url) for township, client in officers.items()}
        ranked = sorted(per_township.items(), key=lambda pair: pair[1].p95)
        (best, fast), (worst, slow) = ranked[0], ranked[-1]
        rows += [
            Row(group, f"{label}: worst ({worst.short_name}) p50", slow.p50, "ms"),
            Row(group, f"{label}: worst ({worst.short_name}) p95", slow.p95, "ms", f"<= {TARGET_MS} ms",
                failed=slow.p95 > TARGET_MS),
            Row(group, f"{label}: worst ({worst.short_name}) queries", slow.queries, "queries",
                "the best's", failed=slow.queries != fast.queries),
            Row(group, f"{label}: best ({best.short_name}) p50", fast.p50, "ms"),
            Row(group, f"{label}: best ({best.short_name}) p95", fast.p95, "ms"),
            Row(group, f"{label}: best ({best.short_name}) queries", fast.queries, "queries"),
            Row(group, f"{label}: worst / best p95", slow.p95 / fast.p95, "x"),
        ]  # fmt: skip
        if admin_url:
            target = admin_url.replace("{live}", live).format(t=worst.pk, p=_admin_page(label, worst), today=today)
            admin = _measure(admin_client, target)
            rows += [
                Row(group, f"{label}: admin change list ({worst.short_name}) p50", admin.p50, "ms", "(baseline)"),
                Row(group, f"{label}: admin change list ({worst.short_name}) p95", admin.p95, "ms", "(baseline)"),
                Row(group, f"{label}: admin change list queries", admin.queries, "queries", "(baseline)"),
                Row(group, f"{label}: worst / admin p95", slow.p95 / admin.p95, "x", f"<= {ADMIN_RATIO:.2f}",
                    failed=slow.p95 / admin.p95 > ADMIN_RATIO),
            ]  # fmt: skip
    return rows


def _vacuum() -> None:
    """What autovacuum does to a live database after a bulk load: the visibility map that lets
    a queue read a page's keys from the index alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_lead", "cases_hotlineorder"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _admin_page(label: str, township) -> int:
    """The admin's page (100 rows) holding the queue's page 200 (25 rows: rows 4,976 to 5,000),
    or its last page when the township has fewer rows (the admin refuses a page past the end)."""
    from cases.choices import CASE_LIVE_STATES, LEAD_OPEN_STATUSES
    from cases.models import Case, Lead

    if label.startswith("leads"):
        count = Lead.objects.filter(township=township, status__in=LEAD_OPEN_STATUSES).count()
    else:
        count = Case.objects.filter(township=township, state__in=CASE_LIVE_STATES).count()
    return max(1, min(50, -(-count // 100)))


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
    headers = ["measure", *(f"{n:,} rows" for n in all_sizes), "unit", "growth", "target", "ok"]
    table = []
    for measure, cells in by_measure.items():
        unit = next(iter(cells.values())).unit
        first, last = cells.get(groups[0]), cells.get(groups[-1])
        growth, target, ok = "", "", ""
        if len(groups) > 1 and first and last and first.value and unit in ("ms", "queries"):
            ratio = last.value / first.value
            growth = f"{ratio:.2f}x"
            # Server time may grow a little with the table; a query count may not grow at all.
            limit = GROWTH if unit == "ms" else 1.0
            # The targets are the portal's; the admin's change list is the baseline beside them.
            if (unit == "queries" or "p95" in measure) and "admin change list" not in measure:
                target, ok = f"<= {limit}x", "ok" if ratio <= limit else "FAIL"
        values = []
        for group in groups:
            row = cells.get(group)
            if row is None:
                values.append("")
            else:
                name = row.measure[row.measure.find("(") + 1 : row.measure.find(")")] if "(" in row.measure else ""
                values.append(row.formatted() + (f" {name}" if name else ""))
        table.append([measure, *values, unit, growth, target, ok])
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
    from .__main__ import fresh_database
    from .process import let_the_test_client_in

    let_the_test_client_in()
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
