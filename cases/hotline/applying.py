"""Applying a confirmed 12345 import: its rows become work orders, batch by batch.

The upsert runs server-side (``INSERT … SELECT … ON CONFLICT (order_no) DO UPDATE``), each batch
committed with the job's ``apply_cursor``; upserting is idempotent, so a batch applied twice
changes nothing and a killed worker resumes at the cursor.

**Scope.** A township's import (``job.township``) creates and changes orders of its own township
only: a new order the routing places elsewhere, or an existing order of another township or of
the triage queue, is left as it is and counted as *foreign*; a new order the routing cannot place
goes to the importer's township. A district import (or a delivery of the live feed) covers every
township. Every order an import creates or changes gets an audit row of its own.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now

from pengjiang_enforcement.audit import Entry, audit_record, audit_record_many
from pengjiang_enforcement.jobs import job_run
from pengjiang_enforcement.models import User

from . import importing
from .choices import ImportStatus, RouteMethod
from .importing import ORDER_TABLE, RAW_TABLE, SCOPE_NEW, SCOPE_OLD, UNEXPECTED
from .models import HotlineImport, HotlineOrder

_UPSERT = f"""
INSERT INTO {ORDER_TABLE} AS o (
    order_no, order_no_raw, city_order_no, channel, title, content, address, matter, remark,
    category_1, category_2, category_3, category_4, order_type, order_type_text,
    received_at, dispatched_at, promised_at, handling_unit, handling_dept, complainant, phone,
    platform_status, platform_reply, platform_finished_at, satisfaction, warning_state,
    latitude, longitude, cited_order_nos, repeat_key, content_hash, search_vector,
    first_import_id, last_import_id, township_id, route_method, route_note, route_candidates,
    state, type_days, base_due_on, extended_due_on, due_on, reply_text, replied_at,
    return_reason, version, created_at, updated_at
)
SELECT
    r.order_no, p.order_no_raw, p.city_order_no, p.channel, p.title, p.content, p.address, p.matter, p.remark,
    p.category_1, p.category_2, p.category_3, p.category_4, p.order_type, p.order_type_text,
    p.received_at, p.dispatched_at, p.promised_at, p.handling_unit, p.handling_dept, p.complainant, p.phone,
    p.platform_status, p.platform_reply, p.platform_finished_at, p.satisfaction, p.warning_state,
    p.latitude, p.longitude, p.cited_order_nos, p.repeat_key, r.content_hash, r.search,
    %(job)s, %(job)s, COALESCE(p.township_id, %(scope)s),
    CASE WHEN p.township_id IS NULL AND %(scope)s IS NOT NULL THEN '{RouteMethod.IMPORTER.value}'
         ELSE p.route_method END,
    CASE WHEN p.township_id IS NULL AND %(scope)s IS NOT NULL THEN '' ELSE p.route_note END,
    p.route_candidates,
    p.initial_state, p.type_days, p.base_due_on, NULL, p.base_due_on,
    CASE WHEN p.initial_state = 'replied' THEN p.platform_reply ELSE '' END, p.replied_at,
    '', 1, now(), now()
-- One jsonb_to_record per row: each ->> on a large (TOASTed) jsonb would decompress it again.
-- The search vector was built when the row was read (COPY parsed it on the database's CPU while
-- this process parsed the next batch), so applying only copies it.
FROM {RAW_TABLE} AS r, jsonb_to_record(r.parsed) AS p(
    order_no_raw text, city_order_no text, channel text, title text, content text, address text, matter text,
    remark text, category_1 text, category_2 text, category_3 text, category_4 text, order_type text,
    order_type_text text, received_at timestamptz, dispatched_at timestamptz, promised_at timestamptz,
    handling_unit text, handling_dept text, complainant text, phone text, platform_status text,
    platform_reply text, platform_finished_at timestamptz, satisfaction text, warning_state text,
    latitude numeric, longitude numeric, cited_order_nos text[], repeat_key text,
    township_id bigint, route_method text, route_note text, route_candidates bigint[], initial_state text,
    type_days smallint, base_due_on date, replied_at timestamptz
)
WHERE r.job_id = %(job)s AND r.row_number > %(after)s AND r.row_number <= %(upto)s
  AND r.status = 'valid' AND NOT r.superseded
  -- A township's import creates orders of its own township only (an order it cannot place goes
  -- to the importer); orders that exist are guarded by the WHERE of the update below.
  AND ({SCOPE_NEW} OR EXISTS (SELECT 1 FROM {ORDER_TABLE} AS e WHERE e.order_no = r.order_no))
ORDER BY r.order_no
ON CONFLICT (order_no) DO UPDATE SET
    order_no_raw = EXCLUDED.order_no_raw, city_order_no = EXCLUDED.city_order_no, channel = EXCLUDED.channel,
    title = EXCLUDED.title, content = EXCLUDED.content, address = EXCLUDED.address, matter = EXCLUDED.matter,
    remark = EXCLUDED.remark, category_1 = EXCLUDED.category_1, category_2 = EXCLUDED.category_2,
    category_3 = EXCLUDED.category_3, category_4 = EXCLUDED.category_4, order_type = EXCLUDED.order_type,
    order_type_text = EXCLUDED.order_type_text, received_at = EXCLUDED.received_at,
    dispatched_at = EXCLUDED.dispatched_at, promised_at = EXCLUDED.promised_at,
    handling_unit = EXCLUDED.handling_unit, handling_dept = EXCLUDED.handling_dept,
    complainant = EXCLUDED.complainant, phone = EXCLUDED.phone, platform_status = EXCLUDED.platform_status,
    platform_reply = EXCLUDED.platform_reply, platform_finished_at = EXCLUDED.platform_finished_at,
    satisfaction = EXCLUDED.satisfaction, warning_state = EXCLUDED.warning_state,
    latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, cited_order_nos = EXCLUDED.cited_order_nos,
    repeat_key = EXCLUDED.repeat_key, content_hash = EXCLUDED.content_hash, search_vector = EXCLUDED.search_vector,
    last_import_id = EXCLUDED.last_import_id,
    -- An order still waiting for acceptance follows the hotline's new dispatch; one accepted,
    -- routed by hand or triaged keeps its township.
    township_id = CASE WHEN {{reroute}} THEN EXCLUDED.township_id ELSE o.township_id END,
    route_method = CASE WHEN {{reroute}} THEN EXCLUDED.route_method ELSE o.route_method END,
    route_note = CASE WHEN {{reroute}} THEN EXCLUDED.route_note ELSE o.route_note END,
    route_candidates = CASE WHEN {{reroute}} THEN EXCLUDED.route_candidates ELSE o.route_candidates END,
    type_days = EXCLUDED.type_days, base_due_on = EXCLUDED.base_due_on,
    due_on = COALESCE(o.extended_due_on, EXCLUDED.base_due_on),
    updated_at = now()
WHERE o.content_hash IS DISTINCT FROM EXCLUDED.content_hash
  -- A township's import changes its own township's orders only; the district's changes any.
  AND {SCOPE_OLD}
RETURNING o.id, o.order_no, (xmax = 0)
""".replace(
    # A pending order follows the hotline's new dispatch only in the district's imports: a
    # township's import never moves an order into, or out of, a township.
    "{reroute}",
    "(%(scope)s IS NULL AND o.state = 'pending' AND o.route_method <> 'manual' AND EXCLUDED.township_id IS NOT NULL)",
)

_BATCH_END = f"""
SELECT row_number FROM {RAW_TABLE}
WHERE job_id = %s AND status = 'valid' AND row_number > %s
ORDER BY row_number OFFSET %s LIMIT 1
"""

_BATCH_SIZE = f"""
SELECT count(*), count(*) FILTER (WHERE NOT r.superseded),
       count(*) FILTER (WHERE NOT r.superseded AND NOT (CASE WHEN o.id IS NULL THEN {SCOPE_NEW} ELSE {SCOPE_OLD} END))
FROM {RAW_TABLE} AS r LEFT JOIN {ORDER_TABLE} AS o ON o.order_no = r.order_no
WHERE r.job_id = %(job)s AND r.status = 'valid' AND r.row_number > %(after)s AND r.row_number <= %(upto)s
"""


def _apply_batch(job: HotlineImport, after: int, upto: int) -> dict[str, int]:
    """Upsert the orders of rows ``after < row <= upto`` within the job's scope, audit each order
    created or changed, and return what happened."""
    params = {"job": job.pk, "after": after, "upto": upto, "scope": job.township_id}
    with connection.cursor() as cursor:
        # The batch is sorted by number (a fixed lock order between concurrent imports); its
        # wide rows need more than the default 4 MB to sort in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_BATCH_SIZE, params)
        processed, winning, foreign = cursor.fetchone()
        cursor.execute(_UPSERT, params)
        outcomes = cursor.fetchall()
    _audit_orders(job, outcomes)
    created = sum(1 for _pk, _no, inserted in outcomes if inserted)
    updated = len(outcomes) - created
    done = {
        "processed": processed,
        "created": created,
        "updated": updated,
        "unchanged": winning - foreign - len(outcomes),
        "superseded": processed - winning,
    }
    if foreign:
        done["foreign"] = foreign  # only a township's import meets them
    return done


def _audit_orders(job: HotlineImport, outcomes: list[tuple[int, str, bool]]) -> None:
    """One audit row per order the batch created or changed, on the order's own chain."""
    for inserted, action in ((True, "cases.workorder.created_by_import"), (False, "cases.workorder.updated_by_import")):
        entries = [Entry(pk, number, after={"import": job.pk}) for pk, number, new in outcomes if new is inserted]
        audit_record_many(action=action, model=HotlineOrder, entries=entries, actor=job.confirmed_by)


def _next_batch_end(job_id: int, after: int, last: int) -> int:
    with connection.cursor() as cursor:
        # Read at call time: one batch size for reading and applying (tests make it small).
        cursor.execute(_BATCH_END, [job_id, after, importing.BATCH_ROWS - 1])
        found = cursor.fetchone()
    return found[0] if found else last


def _add(total: dict[str, Any], part: dict[str, int]) -> dict[str, Any]:
    return {**total, **{k: int(total.get(k, 0)) + v for k, v in part.items() if k != "processed"}}


def import_apply(job_id: int, *, max_batches: int | None = None) -> HotlineImport | None:
    """Upsert a confirmed import's orders in committed batches (the task's body).

    ``max_batches`` stops early like a killed worker; calling again resumes at the cursor.
    """

    def work(job: HotlineImport) -> None:
        if apply_all(job, max_batches=max_batches):
            finish_apply(job, actor=None)

    job = job_run(
        HotlineImport,
        job_id,
        claim_from=(ImportStatus.APPLYING,),
        status=ImportStatus.APPLYING,
        work=work,
        unexpected=str(UNEXPECTED),
    )
    return job or HotlineImport.objects.filter(pk=job_id).first()


def apply_all(job: HotlineImport, *, max_batches: int | None) -> bool:
    last = job.read_cursor
    batches = 0
    while job.apply_cursor < last:
        upto = _next_batch_end(job.pk, job.apply_cursor, last)
        with transaction.atomic():
            done = _apply_batch(job, job.apply_cursor, upto)
            result = _add(job.result or {}, done)
            moved = HotlineImport.objects.filter(
                pk=job.pk, apply_cursor=job.apply_cursor, status=ImportStatus.APPLYING
            ).update(apply_cursor=upto, rows_applied=F("rows_applied") + done["processed"], result=result,
                     heartbeat_at=Now())  # fmt: skip
            if moved != 1:
                raise RuntimeError(f"12345 import {job.pk}: apply cursor moved under us")
        job.apply_cursor, job.result = upto, result
        job.rows_applied += done["processed"]
        batches += 1
        if max_batches is not None and batches >= max_batches and job.apply_cursor < last:
            return False
    return True


def finish_apply(job: HotlineImport, *, actor: User | None) -> None:
    with transaction.atomic():
        moved = HotlineImport.objects.filter(pk=job.pk, status=ImportStatus.APPLYING).update(
            status=ImportStatus.DONE, finished_at=Now(), heartbeat_at=Now()
        )
        if not moved:
            return
        job.status = ImportStatus.DONE
        audit_record(
            action="cases.workorder.imported",
            obj=job,
            actor=actor,
            before={"status": ImportStatus.APPLYING},
            after={"status": ImportStatus.DONE, **(job.result or {})},
        )
