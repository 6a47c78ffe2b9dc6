"""The catalogue at scale: 100 townships and 50,000 items, and how its pages hold up.

The data is generated in bulk with SQL (a few statements, not a row at a time): 50,000 items
across the 14 departments, each delegated to all townships, the towns only, or a handful, a
few recalled; about three million delegation rows; search vectors computed by the portal's own
tokeniser; usage records for the evaluation. Then each page is requested through Django's test
client as a district admin (or signed out, for the public pages): the median time of a few
requests and the number of queries, which must not depend on the size of the catalogue.
"""

from __future__ import annotations

import datetime
import statistics
import time

from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .registry import Row

ITEMS = 50_000
TOWNSHIPS = 100
USAGE_CASES = 100_000
RUNS = 5
TARGET_MS = 300.0
DAY = datetime.date(2026, 3, 1)
WORDS = [
    "占道经营", "夜间施工噪声扰民", "露天焚烧秸秆", "违法建设", "乱张贴小广告", "无照经营", "餐饮油烟超标排放",
    "渣土运输遗撒", "占用消防车通道", "在禁止吸烟场所吸烟", "擅自设置地锁", "损坏市政设施", "违规倾倒建筑垃圾",
    "未按规定分类投放生活垃圾", "擅自占用城市绿地", "违法排放污水", "非法采砂", "违规销售农药",
]  # fmt: skip


def _sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def generate() -> dict[str, float]:
    """Fill the scratch database; returns the seconds each step took."""
    from pengjiang_enforcement.models import Unit
    from pengjiang_enforcement.search import document
    from powers.models import PowerItem

    took: dict[str, float] = {}
    started = time.perf_counter()
    district = Unit.objects.get(code="pengjiang")
    existing = Unit.objects.filter(kind="township").count()
    extra = [
        Unit(
            code=f"bench-t{n:03d}",
            kind="township",
            name=f"测试镇街{n:03d}",
            short_name=f"测{n:03d}",
            parent=district,
            township_type="town" if n % 2 else "street",
            sort_order=10_000 + n,
        )
        for n in range(existing + 1, TOWNSHIPS + 1)
    ]
    Unit.objects.bulk_create(extra)
    _sql("UPDATE core_unit SET township_id = id WHERE kind = 'township' AND township_id IS NULL")
    took["townships"] = time.perf_counter() - started

    started = time.perf_counter()
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    _sql(
        f"""
        INSERT INTO powers_poweritem (code, sub_code, name, kind, department_id, field, setting_basis,
            penalty_basis, penalty_types, fine_min, fine_max, penalty_range, hearing_threshold_person,
            hearing_threshold_organisation, is_major, delegation_mode, coverage, status, effective_from,
            effective_to, version, notes, is_sample, created_at, updated_at)
        SELECT lpad((440700000000 + g)::text, 12, '0'), '',
            '对' || ({words})[1 + g % {len(WORDS)}] || '（第' || g || '类）的行政处罚',
            (ARRAY['penalty','penalty','penalty','penalty','inspection','coercive'])[1 + g % 6],
            d.ids[1 + g % array_length(d.ids, 1)], '领域' || (g % 40),
            '《某某条例》第' || (g % 90) || '条', '《某某条例》第' || (g % 90 + 1) || '条',
            ARRAY['warning','fine']::varchar[], 0, 100 * (1 + g % 200), '处罚款', 5000, 100000,
            g % 7 = 0, CASE WHEN g % 10 = 0 THEN 'entrust' ELSE 'grant' END,
            CASE WHEN g % 10 < 6 THEN 'all' WHEN g % 10 < 9 THEN 'towns' ELSE 'listed' END,
            CASE WHEN g % 20 = 0 THEN 'recalled' ELSE 'in_force' END,
            DATE '2024-01-01', CASE WHEN g % 20 = 0 THEN DATE '2025-06-30' END, 1, '', false, now(), now()
        FROM generate_series(1, {ITEMS}) AS g,
             (SELECT array_agg(id ORDER BY id) AS ids FROM core_unit WHERE kind = 'department') AS d
        """
    )
    took["items"] = time.perf_counter() - started

    started = time.perf_counter()
    rows = PowerItem.objects.values_list("pk", "code", "name", "field", "setting_basis", "penalty_basis")
    pairs = [(pk, document(code, name, field, setting, penalty)) for pk, code, name, field, setting, penalty in rows]
    _sql(
        "UPDATE powers_poweritem AS p SET search_vector = to_tsvector('simple', d.doc) "
        "FROM unnest(%s::bigint[], %s::text[]) AS d(id, doc) WHERE p.id = d.id",
        [[p for p, _ in pairs], [d for _, d in pairs]],
    )
    took["search vectors"] = time.perf_counter() - started

    started = time.perf_counter()
    # Delegations follow each item's coverage; recalled items ended on 2025-06-30. Millions of
    # rows load faster into a table without its secondary indexes, which are built afterwards
    # (the way any bulk load is done); the table ends exactly as the migrations define it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'powers_delegation' "
            "AND indexname <> 'powers_delegation_pkey'"
        )
        indexes = cursor.fetchall()
        cursor.execute("SET maintenance_work_mem = '256MB'")
        # The rows are consistent by construction: skip the per-row foreign-key checks (needs a
        # superuser, which the scratch database's owner is; otherwise the load is just slower).
        try:
            with transaction.atomic():
                cursor.execute("SET session_replication_role = replica")
        except DatabaseError:
            pass
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    _sql(
        """
        INSERT INTO powers_delegation (item_id, township_id, valid_from, valid_to, created_at)
        SELECT i.id, t.id, DATE '2024-01-01', i.effective_to, now()
        FROM powers_poweritem i JOIN core_unit t ON t.kind = 'township'
        WHERE i.coverage = 'all'
           OR (i.coverage = 'towns' AND t.township_type = 'town')
           OR (i.coverage = 'listed' AND (t.id + i.id) % 20 = 0)
        ORDER BY i.id, t.id
        """
    )
    for _, definition in indexes:
        _sql(definition)
    _sql("SET session_replication_role = DEFAULT")
    took["delegations"] = time.perf_counter() - started

    started = time.perf_counter()
    _sql(
        f"""
        INSERT INTO powers_powerusage (item_id, township_id, case_id, kind, date, created_at)
        SELECT d.item_id, d.township_id, g, k.kind, DATE '2025-01-01' + (g % 540), now()
        FROM generate_series(1, {USAGE_CASES}) AS g
        JOIN LATERAL (SELECT item_id, township_id FROM powers_delegation
                      WHERE id = 1 + (g * 7919) % (SELECT max(id) FROM powers_delegation)) AS d ON true
        CROSS JOIN (VALUES ('used'), ('closed')) AS k(kind)
        """
    )
    _sql("VACUUM ANALYZE")  # what autovacuum does for a live catalogue: statistics, visibility map
    took["usage + vacuum"] = time.perf_counter() - started
    return took


def _measure(client: Client, url: str) -> tuple[float, int]:
    response = client.get(url)  # warm-up (and a check that the page works)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times), len(queries)


def run() -> list[Row]:
    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import Unit, User
    from pengjiang_enforcement.services import user_create
    from powers.models import Delegation, PowerItem
    from powers.selectors import is_delegated

    took = generate()
    rows = [Row("powers", f"generate: {step}", seconds, "s") for step, seconds in took.items()]
    items, delegations = PowerItem.objects.count(), Delegation.objects.count()
    township_count = Unit.objects.filter(kind="township").count()
    rows.append(Row("powers", f"catalogue: {items:,} items, {township_count} townships", delegations, "delegations"))

    admin = User.objects.filter(username="bench_admin").first() or user_create(
        actor=None, username="bench_admin", full_name="压测管理员", unit=Unit.objects.get(code="pengjiang"),
        roles=(Role.DISTRICT_ADMIN,), password="bench-password-2026",
    )  # fmt: skip
    signed_in = Client(SERVER_NAME="localhost")
    signed_in.force_login(admin)
    public = Client(SERVER_NAME="localhost")
    township = Unit.objects.get(code="duruan")
    department = Unit.objects.get(code="dept-ecology")
    item = PowerItem.objects.filter(status="in_force", coverage="all").order_by("pk")[1234]
    pages = [
        ("catalogue list", signed_in, "/catalogue/"),
        ("catalogue list, page 40", signed_in, "/catalogue/?page=40"),
        ("filtered list (department, kind, township)", signed_in,
         f"/catalogue/?department={department.pk}&kind=penalty&township={township.pk}"),
        ("search list (占道经营)", signed_in, "/catalogue/?q=占道经营"),
        ("search + township filter (噪声)", signed_in, f"/catalogue/?q=噪声&township={township.pk}"),
        ("matrix, 50 items x 100 townships", signed_in, "/catalogue/matrix/"),
        ("matrix for one township", signed_in, f"/catalogue/matrix/?township={township.pk}"),
        ("item page", signed_in, f"/catalogue/items/{item.pk}/"),
        ("evaluation (12 months)", signed_in, "/catalogue/evaluation/?start=2025-01-01&end=2025-12-31"),
        ("public index", public, "/public/"),
        ("public page of a township", public, "/public/duruan/"),
        ("public township search (噪声)", public, "/public/duruan/?q=噪声"),
        ("public item page", public, f"/public/items/{item.pk}/"),
    ]  # fmt: skip
    for label, client, url in pages:
        median, queries = _measure(client, url)
        rows.append(Row("powers", f"{label}: time", median, "ms", f"< {TARGET_MS:.0f} ms", failed=median > TARGET_MS))
        rows.append(Row("powers", f"{label}: queries", queries, "queries"))

    sample = list(PowerItem.objects.order_by("?").values_list("pk", flat=True)[:500])
    started = time.perf_counter()
    for pk in sample:
        is_delegated(pk, township.pk, DAY)
    per_call = (time.perf_counter() - started) * 1000 / len(sample)
    rows.append(Row("powers", "is_delegated(item, township, day)", per_call, "ms/call", "< 5 ms", failed=per_call > 5))
    return rows
