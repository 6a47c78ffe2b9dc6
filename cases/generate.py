"""Bulk generation of realistic cases for benchmarks and load tests (``manage.py generate_cases``).

Rows are written with PostgreSQL ``COPY`` in batches: cases with their officers, one party each,
search vectors, and the register of issued numbers, so a million cases take minutes, not hours.
Most generated cases are old and closed, as in a real office; a share is live with running
deadlines, some overdue. Ids follow the filing dates, each day's cases spread over the townships
by their shares of the caseload (no township holds a block of ids of its own, so a queue's
"newest first" is measured as it will run in production). Numbers continue each township's
counters, so cases filed afterwards through the portal keep a gapless sequence.

The data are not run through the procedure's services (that would take days for a million):
they are consistent with the constraints and the queue, not a replay of real work.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from pengjiang_enforcement.choices import Role, UnitKind
from pengjiang_enforcement.models import EnforcementCertificate, Unit, User
from pengjiang_enforcement.search import tokens
from pengjiang_enforcement.services import certificate_add, user_create
from powers.choices import PowerKind
from powers.models import Delegation
from powers.services import item_create

from .archive_guard import paused_for_history
from .choices import CASE_LIVE_STATES, CaseState, DocumentType, LeadSource, OfficerRole, PartyKind
from .identity import make_credit_code, make_resident_id
from .models import NumberPattern, NumberSequence
from .services.numbering import DEFAULT_PATTERNS

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰家豪嘉欣子轩梓"
    "涵浩然雨桐俊杰诗琪晓东永康文辉美玲国栋晓燕"
)
FIRMS = ["贸易", "餐饮", "建材", "五金", "物流", "装饰", "电子", "食品", "服装", "汽车维修", "广告", "酒店"]
SUFFIXES = ["有限公司", "商行", "经营部", "店"]
ROADS = ["杜阮北路", "白沙大道", "环市路", "潮连大道", "棠下中路", "荷塘大道", "建设二路", "胜利路", "东华路", "港口路"]
ACTS = [
    "占用人行道摆卖",
    "店外经营",
    "乱张贴小广告",
    "露天焚烧垃圾",
    "餐饮油烟直排",
    "夜间施工噪声扰民",
    "擅自设置户外广告",
    "违法搭建构筑物",
    "乱倒建筑垃圾",
    "占道堆放物料",
    "未按规定设置围挡",
    "车辆带泥上路",
]

# (state, weight, filed?) — most cases of past years are closed and archived.
STATE_MIX = [
    (CaseState.ARCHIVED, 62, True),
    (CaseState.CLOSED, 16, True),
    (CaseState.EXECUTING, 3, True),
    (CaseState.SERVED, 2, True),
    (CaseState.DECIDED, 2, True),
    (CaseState.NOTICE_SERVED, 2, True),
    (CaseState.INTERNAL_REVIEW, 2, True),
    (CaseState.INVESTIGATION_CLOSED, 3, True),
    (CaseState.INVESTIGATING, 5, True),
    (CaseState.FILING_PENDING, 1.5, False),
    (CaseState.FILING_RETURNED, 0.5, False),
    (CaseState.WITHDRAWN, 1, False),
]
YEARS_BACK = 6
SOURCES = list(LeadSource.values)
# Each township's share of the district's caseload (by the size of its population and trade):
# the weight every day's cases are spread with. A township missing here weighs 10.
TOWNSHIP_WEIGHTS = {"baisha": 24, "huanshi": 22, "duruan": 16, "tangxia": 16, "chaolian": 10, "hetang": 12}


@dataclass
class TownshipPlan:
    unit: Unit
    officers: list[User]
    items: list[tuple[int, str, datetime.date]]  # id, name, delegated from


def _not_null_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s AND is_nullable = 'NO'",
            [table],
        )
        return {name for (name,) in cursor.fetchall()}


def _copy(table: str, columns: list[str], rows: Iterable[list]) -> int:
    """COPY rows into a table as CSV: ``None`` is NULL, an empty string stays an empty string.

    The csv module writes ``None`` as an empty field; PostgreSQL reads an empty field as NULL
    except in the FORCE_NOT_NULL columns, which are the NOT NULL ones: there it is ``""``.
    """
    buffer = io.StringIO()
    rows = rows if isinstance(rows, list) else list(rows)
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    not_null = _not_null_columns(table)
    force = ", ".join(c for c in columns if c in not_null)
    options = f"FORMAT csv, FORCE_NOT_NULL ({force})" if force else "FORMAT csv"
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH ({options})", buffer)
    return len(rows)


BULK_TABLES = ("cases_case", "cases_caseofficer", "cases_party", "cases_issuednumber")
# From this many rows on, the secondary indexes and foreign keys are dropped during the load and
# made again after it (bulk_load).
REINDEX_FROM = 50000


def _secondary_indexes(tables: Iterable[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` that back no constraint (not the keys)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [list(tables)],
        )
        return cursor.fetchall()


def _foreign_keys(tables: Iterable[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the foreign keys of ``tables``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace "
            "AND conrelid::regclass::text = ANY(%s)",
            [list(tables)],
        )
        return cursor.fetchall()


@contextlib.contextmanager
def bulk_load(tables: Iterable[str], rows: int, say: Callable[[str], None]) -> Iterator[None]:
    """Load ``rows`` rows into ``tables`` without their secondary indexes and foreign keys.

    From ``REINDEX_FROM`` rows on, they are dropped for the load and made again after it (also
    when the load fails): one index build is several times faster than updating the index row by
    row, and adding a foreign key checks every row in one join instead of one lookup per row and
    key at each commit. Keys, unique and check constraints stay in force throughout.
    """
    tables = list(tables)
    indexes = _secondary_indexes(tables) if rows >= REINDEX_FROM else []
    keys = _foreign_keys(tables) if rows >= REINDEX_FROM else []
    if indexes or keys:
        say(f"  dropping {len(indexes)} secondary indexes and {len(keys)} foreign keys for the load")
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Inside a transaction (a test), rows written earlier still wait for their deferred
                # checks, and PostgreSQL alters no table with checks pending: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, _definition in keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        if indexes or keys:
            say(f"  building {len(indexes)} indexes and checking {len(keys)} foreign keys again")
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for _name, definition in indexes:
                    cursor.execute(definition)
                for table, name, definition in keys:
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _reserve_ids(table: str, count: int) -> int:
    """Reserve ``count`` ids of ``table``'s sequence; return the first."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def _tsvector(*parts: str) -> str:
    """The search vector's text, as the portal stores it (``search.search_document``): tokens are
    runs of CJK characters, Latin letters or digits, never a quote or a colon, so they need no quoting."""
    return " ".join(dict.fromkeys(tokens(" ".join(p for p in parts if p))))


def _ensure_officers(township: Unit, say: Callable[[str], None]) -> list[User]:
    officers = list(
        User.objects.filter(is_active=True, unit__township=township, groups__name=Role.OFFICER)
        .distinct()
        .order_by("pk")[:8]
    )
    today = timezone.localdate()
    index = len(officers)
    while len(officers) < 3:
        index += 1
        username = f"gen_{township.code}_{index}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=None,
            username=username,
            full_name=f"{township.short_name}执法员{index}",
            unit=Unit.objects.get(code=f"{township.code}-office"),
            roles=(Role.OFFICER,),
        )
        if not EnforcementCertificate.objects.filter(user=user).exists():
            certificate_add(
                actor=None,
                user=user,
                number=f"GEN{township.pk:03d}{index:05d}",
                issuing_body="江门市人民政府",
                valid_from=today - datetime.timedelta(days=365 * YEARS_BACK),
                valid_to=today + datetime.timedelta(days=1000),
            )
        officers.append(user)
        say(f"  officer {username} created for {township.name}")
    return officers


def _ensure_items(townships: list[Unit], say: Callable[[str], None]) -> None:
    """Generated cases need penalty items; without any, a small generated set is delegated."""
    if Delegation.objects.filter(item__kind=PowerKind.PENALTY, township__in=townships).exists():
        return
    department = Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("sort_order").first()
    start = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=365 * (YEARS_BACK + 1))
    for n, act in enumerate(ACTS, start=1):
        item_create(
            actor=None,
            data={
                "code": f"449999{n:06d}",
                "name": f"对{act}的行政处罚",
                "kind": PowerKind.PENALTY,
                "department": department,
                "field": "生成数据",
                "penalty_types": ["warning", "fine"],
                "fine_min": "0",
                "fine_max": "5000",
                "notes": "generate_cases 生成的测试事项",
            },
            effective_from=start,
            townships=townships,
            is_sample=True,
        )
    say(f"  {len(ACTS)} generated power items delegated to every township")


def _plans(townships: list[Unit], say: Callable[[str], None]) -> list[TownshipPlan]:
    plans = []
    for township in townships:
        held = (
            Delegation.objects.filter(township=township, item__kind=PowerKind.PENALTY, valid_to__isnull=True)
            .select_related("item")
            .order_by("item_id")
        )
        items = [(d.item_id, d.item.name, d.valid_from) for d in held[:500]]
        if items:
            plans.append(TownshipPlan(township, _ensure_officers(township, say), items))
    return plans


def _person(rng: random.Random, serial: int) -> tuple[str, str, str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 50))
    return PartyKind.PERSON, name, make_resident_id("440703", born, serial), rng.choice(("male", "female"))


def _organisation(rng: random.Random, serial: int) -> tuple[str, str, str, str]:
    name = (
        f"江门市{rng.choice(ROADS)[:2]}{rng.choice(GIVEN)}{rng.choice(GIVEN)}{rng.choice(FIRMS)}{rng.choice(SUFFIXES)}"
    )
    return PartyKind.ORGANISATION, name, make_credit_code(serial), ""


def generate(*, cases: int, seed: int = 2026, batch: int = 50000, say: Callable[[str], None] = print) -> int:
    """Write ``cases`` generated cases; return how many were written."""
    rng = random.Random(seed)
    townships = list(Unit.objects.townships())
    with transaction.atomic():
        _ensure_items(townships, say)
        plans = _plans(townships, say)
    if not plans:
        raise RuntimeError("no township holds a penalty item")
    today = timezone.localdate()
    states = [s for s, _w, _f in STATE_MIX]
    weights = [w for _s, w, _f in STATE_MIX]
    filed_states = {s for s, _w, f in STATE_MIX if f}
    district = townships[0].parent.short_name if townships[0].parent_id else ""
    patterns = {p.township_id: p.pattern for p in NumberPattern.objects.filter(doc_type=DocumentType.FILING)}
    counters = {
        (s.township_id, s.year): s.last_value for s in NumberSequence.objects.filter(doc_type=DocumentType.FILING)
    }

    # Plan every case first: the filing dates decide the numbers, which follow the calendar.
    planned = []
    shares = [TOWNSHIP_WEIGHTS.get(plan.unit.code, 10) for plan in plans]
    for _ in range(cases):
        plan = rng.choices(plans, shares)[0]
        state = rng.choices(states, weights)[0]
        item_id, item_name, delegated_from = rng.choice(plan.items)
        earliest = max(delegated_from + datetime.timedelta(days=30), today - datetime.timedelta(days=365 * YEARS_BACK))
        span = max((today - earliest).days, 1)
        if state in CASE_LIVE_STATES:
            # live cases were filed recently (a share of them past the 90 days: overdue)
            filed = today - datetime.timedelta(days=rng.randrange(0, min(span, 130)))
        else:
            filed = earliest + datetime.timedelta(days=rng.randrange(0, span))
        planned.append((plan, state, item_id, item_name, filed))
    # Ids follow the calendar, as an office's do: each day's cases of every township side by side.
    planned.sort(key=lambda p: p[4])

    with bulk_load(BULK_TABLES, cases, say), paused_for_history(BULK_TABLES):
        written = _load(
            planned,
            rng=rng,
            batch=batch,
            counters=counters,
            patterns=patterns,
            district=district,
            today=today,
            filed_states=filed_states,
            say=say,
        )
    with transaction.atomic():
        for (township_id, year), last in counters.items():
            NumberSequence.objects.update_or_create(
                township_id=township_id, doc_type=DocumentType.FILING, year=year, defaults={"last_value": last}
            )
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return written


def _load(planned, *, rng, batch, counters, patterns, district, today, filed_states, say) -> int:
    """COPY the planned cases in batches; each batch commits on its own."""
    cases = len(planned)
    first_case = _reserve_ids("cases_case", cases)
    first_party = _reserve_ids("cases_party", cases)
    written = 0
    for start in range(0, cases, batch):
        case_rows, officer_rows, party_rows, number_rows = [], [], [], []
        for offset, (plan, state, item_id, item_name, filed) in enumerate(planned[start : start + batch]):
            index = start + offset
            case_id = first_case + index
            unit = plan.unit
            act = filed - datetime.timedelta(days=rng.randrange(1, 20))
            discovered = act + datetime.timedelta(days=rng.randrange(0, (filed - act).days + 1))
            number = ""
            filed_on = decision_due = next_due = None
            if state in filed_states:
                key = (unit.pk, filed.year)
                counters[key] = counters.get(key, 0) + 1
                seq = counters[key]
                pattern = patterns.get(unit.pk) or patterns.get(None) or DEFAULT_PATTERNS["filing"]
                number = pattern.format(district=district, township=unit.short_name, year=filed.year, seq=seq)
                number_rows.append([unit.pk, DocumentType.FILING, filed.year, seq, number, f"{filed} 09:00:00+08"])
                filed_on = filed
                decision_due = filed + datetime.timedelta(days=90)
                if state in CASE_LIVE_STATES:
                    next_due = decision_due
            act_text = rng.choice(ACTS)
            road = rng.choice(ROADS)
            place = f"{unit.short_name}{road}{rng.randrange(1, 300)}号"
            if rng.random() < 0.7:
                kind, name, key_no, gender = _person(rng, index)
            else:
                kind, name, key_no, gender = _organisation(rng, index)
            title = f"{act_text}案"
            facts = f"当事人{name}在{place}{act_text}，经巡查发现并拍照取证，涉嫌违反{item_name[:30]}相关规定。"
            lead_officer, assisting = rng.sample(plan.officers, 2)
            stamp = f"{filed} 09:00:00+08"
            case_rows.append(
                [
                    case_id,
                    unit.pk,
                    "general",
                    state,
                    number,
                    title,
                    facts,
                    place,
                    rng.choice(SOURCES),
                    act,
                    "false",
                    None,
                    "false",
                    discovered,
                    item_id,
                    lead_officer.pk,
                    stamp,
                    assisting.pk if filed_on else None,
                    filed_on,
                    decision_due,
                    next_due,
                    name,
                    1,
                    _tsvector(number, title, facts, place, name),
                    stamp,
                    stamp,
                ]
            )
            officer_rows.append([case_id, lead_officer.pk, OfficerRole.LEAD, stamp])
            officer_rows.append([case_id, assisting.pk, OfficerRole.ASSISTING, stamp])
            party_rows.append(
                [
                    first_party + index,
                    case_id,
                    kind,
                    name,
                    gender,
                    key_no if kind == PartyKind.PERSON else "",
                    key_no if kind == PartyKind.ORGANISATION else "",
                    "",
                    "",
                    "",
                    key_no,
                    1,
                    lead_officer.pk,
                    stamp,
                    stamp,
                ]
            )
        with transaction.atomic():
            _copy(
                "cases_case",
                [
                    "id",
                    "township_id",
                    "procedure",
                    "state",
                    "number",
                    "title",
                    "facts",
                    "place",
                    "source",
                    "act_date",
                    "act_continuing",
                    "act_end_date",
                    "serious_harm",
                    "discovered_on",
                    "power_item_id",
                    "requested_by_id",
                    "requested_at",
                    "approved_by_id",
                    "filed_on",
                    "decision_due",
                    "next_due_on",
                    "party_summary",
                    "version",
                    "search_vector",
                    "created_at",
                    "updated_at",
                ],
                case_rows,
            )
            _copy("cases_caseofficer", ["case_id", "user_id", "role", "added_at"], officer_rows)
            _copy(
                "cases_party",
                [
                    "id",
                    "case_id",
                    "kind",
                    "name",
                    "gender",
                    "id_number",
                    "credit_code",
                    "legal_representative",
                    "phone",
                    "address",
                    "identity_key",
                    "version",
                    "created_by_id",
                    "created_at",
                    "updated_at",
                ],
                party_rows,
            )
            _copy("cases_issuednumber", ["township_id", "doc_type", "year", "seq", "number", "issued_at"], number_rows)
        written += len(case_rows)
        say(f"  {written:,} / {cases:,} cases")
    return written
