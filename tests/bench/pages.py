"""The home pages and the case page of every township, at each size.

For each size (``BENCH_SIZES``, as in ``queues``) the scratch database is made afresh and
``generated.use_generated`` provides that many cases, leads and 12345 orders (generated once per
size, then copied from a template database). For an officer and an office
head of every township the bench times, through the test client (the whole request), the
officer's home, the head's home and a case page (the officer's oldest case: the one furthest from
the newest ids), and reports the **worst** township and the best (p50, p95, query count), the
targets, and how the worst p95 grows from one size to the next.
"""

from __future__ import annotations

import os
import time

from .process import freeze_what_came_before
from .queues import Timing, _measure, sizes
from .registry import Row

HOME_TARGET_MS = 60
CASE_TARGET_MS = 50
GROWTH_TARGET = 1.3
LONG_CASE_EVENTS, LONG_CASE_EVIDENCE = 200, 50

PAGES = [("officer home", HOME_TARGET_MS), ("office head home", HOME_TARGET_MS), ("case page", CASE_TARGET_MS)]


def _people() -> list[tuple[object, object, object, str]]:
    """(township, officer's client, head's client, the case page's URL) for every township."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from cases.models import Case
    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import Unit, User

    heads = Group.objects.get(name=Role.OFFICE_HEAD)
    people = []
    for township in Unit.objects.townships():
        officer = User.objects.filter(unit__township=township, groups__name=Role.OFFICER).order_by("pk").first()
        if officer is None:
            continue
        head = User.objects.filter(unit__township=township, groups__name=Role.OFFICE_HEAD).order_by("pk").first()
        if head is None:
            head = User.objects.create(username=f"bench_head_{township.pk}", full_name="bench", unit=officer.unit)
            head.groups.add(heads)
        case = Case.objects.filter(township=township, officer_links__user=officer).order_by("pk").first()
        if case is None:
            continue
        officer_client, head_client = Client(), Client()
        officer_client.force_login(officer)
        head_client.force_login(head)
        people.append((township, officer_client, head_client, f"/cases/{case.pk}/"))
    return people


def _one_size(n: int) -> tuple[list[Row], dict[str, float]]:
    from .generated import use_generated

    started = time.perf_counter()
    use_generated(n)
    group = f"pages {n:,}"
    elapsed = time.perf_counter() - started
    rows = [Row(group, "generated data ready (from cache after the first run)", elapsed, "s")]
    measured, worst_p95 = measure(group)
    return rows + measured, worst_p95


def measure(group: str) -> tuple[list[Row], dict[str, float]]:
    """Time the pages of every township on the rows in the database now.

    What this process made before (generating, migrating) is frozen out of the garbage collector
    first, as ``pengjiang_enforcement.wsgi`` does in a web worker, so a full collection during a
    timed request scans what requests make, as it would in the worker.
    """
    freeze_what_came_before()
    # What else the machine was doing: timings on a shared machine are only as good as this.
    rows: list[Row] = [Row(group, "load average (1 min) before timing", os.getloadavg()[0], "")]
    timings: dict[str, dict[object, Timing]] = {label: {} for label, _target in PAGES}
    for township, officer, head, case_url in _people():
        timings["officer home"][township] = _measure(officer, "/")
        timings["office head home"][township] = _measure(head, "/")
        timings["case page"][township] = _measure(officer, case_url)
    worst_p95: dict[str, float] = {}
    rows += _long_case(group)
    for label, target in PAGES:
        ranked = sorted(timings[label].items(), key=lambda pair: pair[1].p95)
        (best, fast), (worst, slow) = ranked[0], ranked[-1]
        worst_p95[label] = slow.p95
        counts = len({t.queries for t in timings[label].values()})
        rows += [
            Row(group, f"{label}: worst ({worst.short_name}) p50", slow.p50, "ms"),
            Row(group, f"{label}: worst ({worst.short_name}) p95", slow.p95, "ms", f"<= {target} ms",
                failed=slow.p95 > target),
            Row(group, f"{label}: worst ({worst.short_name}) queries", slow.queries, "queries"),
            Row(group, f"{label}: best ({best.short_name}) p50", fast.p50, "ms"),
            Row(group, f"{label}: best ({best.short_name}) p95", fast.p95, "ms"),
            Row(group, f"{label}: best ({best.short_name}) queries", fast.queries, "queries"),
            Row(group, f"{label}: different query counts across townships", counts, "", "1", failed=counts != 1),
        ]  # fmt: skip
    return rows, worst_p95


def _long_case(group: str) -> list[Row]:
    """The case page of a long-lived case: one officer's case given 200 events and 50 evidence
    items, each with a file (written as rows, as the services would leave them), timed as the
    other case pages; the query count is the ordinary case page's (a test pins that)."""
    from django.utils import timezone

    from cases.choices import CASE_LIVE_STATES, EvidenceKind
    from cases.models import Attachment, Case, CaseEvent, Evidence, StoredFile

    people = _people()
    if not people:
        return []
    township, officer_client, _head, _url = people[0]
    officer = officer_client.session["_auth_user_id"]
    case = (
        Case.objects.filter(township=township, officer_links__user_id=officer, state__in=CASE_LIVE_STATES)
        .order_by("pk")
        .first()
    )
    if case is None:
        return []
    case_url = f"/cases/{case.pk}/"
    actor = case.officers.order_by("pk").first()
    now = timezone.now()
    blob = StoredFile.objects.order_by("pk").first()
    start_seq = (case.evidence.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    evidence = Evidence.objects.bulk_create(
        Evidence(
            case=case,
            seq=start_seq + n,
            kind=EvidenceKind.DOCUMENTARY,
            title=f"书证{n}",
            collected_on=now.date(),
            collected_by=actor,
        )
        for n in range(LONG_CASE_EVIDENCE)
    )
    if blob is not None:
        Attachment.objects.bulk_create(
            Attachment(blob=blob, evidence=item, original_name=f"{item.title}.pdf", uploaded_by=actor)
            for item in evidence
        )
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, kind="evidence.added", actor=actor, at=now, note=f"记录{n}")
        for n in range(LONG_CASE_EVENTS)
    )
    timing = _measure(officer_client, case_url)
    label = f"case page, {LONG_CASE_EVENTS} events and {LONG_CASE_EVIDENCE} evidence items ({township.short_name})"
    return [
        Row(group, f"{label} p50", timing.p50, "ms"),
        Row(group, f"{label} p95", timing.p95, "ms", f"<= {CASE_TARGET_MS} ms", failed=timing.p95 > CASE_TARGET_MS),
        Row(group, f"{label} queries", timing.queries, "queries"),
    ]


def run() -> list[Row]:
    from .__main__ import fresh_database
    from .process import let_the_test_client_in

    let_the_test_client_in()
    rows: list[Row] = []
    all_sizes = sizes()
    previous: tuple[int, dict[str, float]] | None = None
    for index, n in enumerate(all_sizes):
        if index:
            fresh_database(os.environ["DATABASE_URL"])
        print(f"  {n:,} rows ...", flush=True)
        size_rows, worst_p95 = _one_size(n)
        rows += size_rows
        if previous is not None:
            smaller, before = previous
            for label, _target in PAGES:
                growth = worst_p95[label] / before[label]
                rows.append(
                    Row(f"pages {n:,}", f"{label}: worst p95 growth from {smaller:,}", growth, "x",
                        f"<= {GROWTH_TARGET}x", failed=growth > GROWTH_TARGET)
                )  # fmt: skip
        previous = (n, worst_p95)
    print("Side by side (the township named is the worst or the best at that size):")
    _side_by_side(rows, all_sizes)
    return rows


def _side_by_side(rows: list[Row], all_sizes: list[int]) -> None:
    """One line per measure, one column per size (the township named is that size's)."""
    from .registry import _width

    by_measure: dict[str, dict[str, Row]] = {}
    for row in rows:
        shape = row.measure[: row.measure.find("(")] + "(…)" + row.measure[row.measure.find(")") + 1 :]
        by_measure.setdefault(shape if "(" in row.measure else row.measure, {})[row.benchmark] = row
    headers = ["measure", *(f"{n:,} rows" for n in all_sizes)]
    table = []
    for measure, cells in by_measure.items():
        values = []
        for n in all_sizes:
            row = cells.get(f"pages {n:,}")
            name = row.measure[row.measure.find("(") + 1 : row.measure.find(")")] if row and "(" in row.measure else ""
            values.append("" if row is None else f"{row.formatted()} {row.unit} {name}".strip())
        table.append([measure, *values])
    widths = [max(_width(str(x)) for x in col) for col in zip(headers, *table, strict=False)]
    for cells in [headers, *table]:
        padded = (str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=False))
        print("| " + " | ".join(padded) + " |")
