"""Importing 12345 work orders: an uploaded export (a Celery job) or a delivery of the live feed.

1. :func:`import_upload` keeps the file on a job row and queues the reading.
2. :func:`import_read` (task) streams the file: each row is parsed (``rows.parse_row``) and
   stored exactly as received in ``HotlineRawRow``, with its parsed values or its errors, in
   batches written with ``COPY``. Each batch commits together with the job's ``read_cursor``, so
   a worker killed in the middle resumes after the last committed row. At the end, rows whose
   number appears again later in the file are marked superseded (the later row wins, both are
   reported) and the preview counts what would be added, updated or left unchanged.
3. :func:`import_confirm`: a person confirms the preview; ``applying.import_apply`` (task) then
   upserts the orders batch by batch, server-side (``INSERT … SELECT … ON CONFLICT (order_no)
   DO UPDATE``), each batch committed with the job's ``apply_cursor``. Upserting is idempotent,
   so a batch applied twice changes nothing and a re-run gives the same result.
4. ``cases.hotline.feed.feed_receive`` runs the same steps in one transaction for a delivery of
   the live feed.

The audit trail records the job (upload, preview, confirmation, result), not each of 100,000
rows: the raw rows are the record of what came in, the orders' own services audit what people
later do with them.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import queue
import re
import threading
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.jobs import job_enqueue, job_resume, job_run
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import require, user_scope
from pengjiang_enforcement.tabular import TableError, detect_kind, open_table
from pengjiang_enforcement.tabular_limits import WorkbookArchive

from . import xlsx
from .choices import ImportKind, ImportStatus, RawRowStatus
from .models import HotlineImport, HotlineOrder, HotlineRawRow
from .parsing import HOTLINE_COLUMNS
from .routing import Gazetteer
from .rows import ParseContext, Parsed, jsonable_cell, parse_row

log = logging.getLogger(__name__)

BATCH_ROWS = 2000
# A batch is also written once its rows' cells hold this many characters: 2,000 rows of
# megabyte-long cells would otherwise be held (and copied into the COPY text) at once.
BATCH_CHARS = 8_000_000
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
MAX_LISTED_DUPLICATES = 500

RAW_TABLE = HotlineRawRow._meta.db_table
ORDER_TABLE = HotlineOrder._meta.db_table
# Whether a raw row ``r`` is within the scope ``%(scope)s`` of its import (the importer's township,
# NULL for a district import or the feed): as a new order (where the routing places it, the
# importer's township when it places it nowhere) and as an existing order ``o`` (where it is).
SCOPE_NEW = "(%(scope)s IS NULL OR COALESCE((r.parsed->>'township_id')::bigint, %(scope)s) = %(scope)s)"
SCOPE_OLD = "(%(scope)s IS NULL OR o.township_id IS NOT DISTINCT FROM %(scope)s)"
_RAW_COLUMNS = (
    "job_id",
    "row_number",
    "order_no",
    "status",
    "cells",
    "parsed",
    "errors",
    "warnings",
    "content_hash",
    "superseded",
    "search",
)


# --- the job row -----------------------------------------------------------------------------
# Claiming, locking, progress, failure and resuming are the kernel's (pengjiang_enforcement.jobs).
UNEXPECTED = gettext_lazy("The import stopped on an unexpected error; the administrators were told.")


def _forget_rows(job: HotlineImport) -> None:
    """A file that could not be read to its end leaves no rows: its preview would be a part of it
    (the file itself stays on the job)."""
    HotlineRawRow.objects.filter(job=job).delete()
    HotlineImport.objects.filter(pk=job.pk).update(read_cursor=0, rows_read=0, rows_invalid=0)


def _describe_table_error(exc: Exception) -> tuple[str, str]:
    assert isinstance(exc, TableError)
    return exc.code, exc.message


# --- upload ----------------------------------------------------------------------------------
def import_upload(*, actor: User, file: UploadedFile) -> HotlineImport:
    """Keep an uploaded export on a new job row and queue its reading.

    What is plainly not a spreadsheet (empty, a PDF, an old .xls) is refused at once; a file
    whose columns cannot be recognised fails in its job, with the reason on the job's page. The
    file is stored before the transaction opens: writing 40 MB is no reason to hold one.
    """
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise RuleViolation(
            _("The file is larger than %(size)s MB: split the export."),
            rule="hotline_import_size",
            params={"size": MAX_UPLOAD_BYTES >> 20},
        )
    file.seek(0)
    try:
        detect_kind(file)
    except TableError as exc:
        raise RuleViolation(exc.message, rule=f"hotline_import_{exc.code}") from exc
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    job = HotlineImport(
        kind=ImportKind.FILE,
        township_id=user_scope(actor).township_id,
        original_name=(file.name or "12345")[:255],
        sha256=digest.hexdigest(),
        size=file.size or 0,
        created_by=actor,
    )
    job.file.save(file.name or "12345.xlsx", file, save=False)
    with transaction.atomic():
        job.save()
        audit_record(
            action="cases.workorder.import_uploaded",
            obj=job,
            actor=actor,
            after={"file": job.original_name, "sha256": job.sha256, "size": job.size},
        )
        job_enqueue(job)
    return job


def earlier_import_of_same_file(job: HotlineImport) -> HotlineImport | None:
    """An earlier import of the very same file, if any (re-importing is allowed and harmless)."""
    if not job.sha256:
        return None
    return (
        HotlineImport.objects.filter(sha256=job.sha256, pk__lt=job.pk)
        .exclude(status__in=[ImportStatus.FAILED, ImportStatus.CANCELLED])
        .order_by("-pk")
        .first()
    )


# --- reading ---------------------------------------------------------------------------------
def _csv_field(value: Any) -> str:
    if value is None:
        return ""  # unquoted empty: NULL in COPY's csv format
    if value is True or value is False:
        return "t" if value else "f"
    return '"' + str(value).replace('"', '""') + '"'


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dump(value: Any) -> str:
    if not value and isinstance(value, list):
        return "[]"  # most rows have no errors and no warnings
    # PostgreSQL refuses NUL in text and \u0000 in jsonb; a damaged cell must not sink the batch.
    return _JSON.encode(value).replace("\\u0000", "")


@dataclass
class _Batch:
    """Raw rows ready for COPY: the CSV text, the last row number and how many rows are invalid."""

    text: str
    rows: int
    last: int
    invalid: int


def batch_of(rows: list[tuple[Any, ...]]) -> _Batch:
    text = "".join(",".join(_csv_field(v) for v in row) + "\n" for row in rows)
    invalid = sum(1 for row in rows if row[3] == RawRowStatus.INVALID)
    return _Batch(text, len(rows), rows[-1][1], invalid)


def copy_raw_rows(batch: _Batch) -> None:
    """Write raw rows with COPY (several times faster than INSERT for a batch of thousands).

    The whole batch goes in one read of the buffer: psycopg2 takes the GIL for every chunk it
    reads, and small chunks would make the writing thread queue behind the parsing one.
    """
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {RAW_TABLE} ({', '.join(_RAW_COLUMNS)}) FROM STDIN WITH (FORMAT csv)",
            io.StringIO(batch.text),
            size=max(8192, len(batch.text) + 1),
        )


def raw_tuple(job_id: int, number: int, cells: Any, parsed: Parsed) -> tuple[Any, ...]:
    return (
        job_id,
        number,
        parsed.order_no if parsed.values is not None else parsed.order_no[:50],
        RawRowStatus.VALID if parsed.values is not None else RawRowStatus.INVALID,
        _dump(cells),
        _dump(parsed.values) if parsed.values is not None else None,
        _dump(parsed.errors),
        _dump(parsed.warnings),
        parsed.content_hash,
        False,
        parsed.search,  # tsvector input: the tokens are letters, digits and CJK characters only
    )


def _estimate_rows(stream: IO[bytes], kind: str, header_row: int) -> int | None:
    """About how many data rows the file has, for the progress bar (not exact: bodies may
    span lines in a CSV, and an XLSX may not say its size)."""
    position = stream.tell()
    try:
        stream.seek(0)
        if kind == "csv":
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
            return max(0, lines - header_row)
        with WorkbookArchive(stream) as archive:
            names = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            if not names:
                return None
            with archive.open(names[0]) as sheet:
                found = re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', sheet.read(4096))
            return max(0, int(found.group(1)) - header_row) if found else None
    except (OSError, zipfile.BadZipFile, ValueError, TableError):
        return None
    finally:
        stream.seek(position)


def import_read(job_id: int, *, max_batches: int | None = None) -> HotlineImport | None:
    """Read an uploaded export into raw rows and build its preview (the task's body).

    ``max_batches`` stops after that many committed batches, as a killed worker would (tests and
    the benchmark use it); calling again resumes after the last committed row.
    """

    def work(job: HotlineImport) -> None:
        with job.file.open("rb") as stream:
            finished = _read_stream(job, stream, max_batches=max_batches)
        if finished:
            finish_read(job)

    job = job_run(
        HotlineImport,
        job_id,
        claim_from=(ImportStatus.QUEUED, ImportStatus.READING),
        status=ImportStatus.READING,
        work=work,
        known_errors=(TableError,),
        describe=_describe_table_error,
        unexpected=str(UNEXPECTED),
        on_fail=_forget_rows,
    )
    # A second delivery of the task finds the job past reading: say where it stands.
    return job or HotlineImport.objects.filter(pk=job_id).first()


def _open(stream: IO[bytes]):
    """The table of an export: XLSX through the fast reader, openpyxl if that one gives up."""
    try:
        return open_table(stream, HOTLINE_COLUMNS, xlsx_reader=xlsx.read_rows)
    except xlsx.XlsxError:
        stream.seek(0)
        return open_table(stream, HOTLINE_COLUMNS)


def _read_stream(job: HotlineImport, stream: IO[bytes], *, max_batches: int | None) -> bool:
    table = _open(stream)
    if not job.headers:
        job.table_kind, job.encoding, job.header_row = table.kind, table.encoding, table.header_row
        job.headers = [str(h) for h in table.headers]
        job.columns = dict(table.columns)
        job.unknown_headers = table.unknown_headers
        job.rows_expected = _estimate_rows(stream, table.kind, table.header_row)
        job.save(update_fields=["table_kind", "encoding", "header_row", "headers", "columns", "unknown_headers",
                                "rows_expected"])  # fmt: skip
    context = ParseContext(gazetteer=Gazetteer.load())
    columns = table.columns
    batch: list[tuple[Any, ...]] = []
    batch_chars = 0
    batches = 0
    cursor = job.read_cursor
    writer = _BatchWriter(job)
    try:
        for row in table:
            if row.number <= cursor:
                continue  # committed by an earlier run
            cells = row.raw
            size = len(cells)
            raw = {key: cells[index] if index < size else None for key, index in columns.items()}
            parsed = parse_row(row.values, raw, context)
            raw_row = raw_tuple(job.pk, row.number, [jsonable_cell(c) for c in cells], parsed)
            batch.append(raw_row)
            batch_chars += len(raw_row[4])
            if len(batch) >= BATCH_ROWS or batch_chars >= BATCH_CHARS:
                writer.put(batch_of(batch))
                batch = []
                batch_chars = 0
                batches += 1
                if max_batches is not None and batches >= max_batches:
                    return False
        if batch:
            writer.put(batch_of(batch))
    finally:
        writer.close()
    return True


class _BatchWriter:
    """Commits the batches of a read, from a second thread when it can.

    PostgreSQL then stores batch n (COPY, indexes, compression: on the database's own CPU) while
    this process parses batch n+1. The thread has its own connection, so it needs the job row
    committed: inside a transaction (the test suite), batches are written in place instead. At
    most two batches wait in the queue, so memory stays flat.
    """

    def __init__(self, job: HotlineImport) -> None:
        self.job = job
        self.error: BaseException | None = None
        self.threaded = not connection.in_atomic_block
        if self.threaded:
            self.queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._run, name=f"hotline-import-{job.pk}", daemon=True)
            self.thread.start()

    def put(self, batch: _Batch) -> None:
        if not self.threaded:
            _commit_read_batch(self.job, batch)
            return
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        if not self.threaded:
            return
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                _commit_read_batch(self.job, batch)
        except BaseException as exc:  # noqa: BLE001  (handed to the reading thread, which raises it)
            self.error = exc
            while self.queue.get() is not None:
                pass  # let the reader finish putting; it raises at its next put or at close
        finally:
            connection.close()


def _commit_read_batch(job: HotlineImport, batch: _Batch) -> None:
    """Write one batch of raw rows and move the read cursor, in one transaction."""
    last, invalid = batch.last, batch.invalid
    with transaction.atomic():
        copy_raw_rows(batch)
        moved = HotlineImport.objects.filter(
            pk=job.pk, read_cursor=job.read_cursor, status=ImportStatus.READING
        ).update(
            read_cursor=last,
            rows_read=F("rows_read") + batch.rows,
            rows_invalid=F("rows_invalid") + invalid,
            heartbeat_at=Now(),
        )
        if moved != 1:
            # Another run moved the cursor meanwhile (it should hold the lock, so this is a bug
            # or a hand-edited job); roll this batch back rather than write rows twice.
            raise RuntimeError(f"12345 import {job.pk}: read cursor moved under us")
    job.read_cursor = last
    job.rows_read += batch.rows
    job.rows_invalid += invalid


# Duplicates are found among every row with a number, whatever else is wrong with it: an invalid
# row is named among the copies too. Of the valid copies, the last one wins.
_MARK_DUPLICATES = f"""
UPDATE {RAW_TABLE} AS r
SET superseded = r.status = 'valid' AND d.valid_rank > 1,
    warnings = r.warnings || jsonb_build_array(jsonb_build_object(
        'code', 'duplicate', 'params', jsonb_build_object('order', r.order_no, 'rows', d.rows)))
FROM (
    SELECT id,
           row_number() OVER (PARTITION BY order_no, status ORDER BY row_number DESC) AS valid_rank,
           count(*) OVER (PARTITION BY order_no) AS copies,
           string_agg(row_number::text, '、') OVER (
               PARTITION BY order_no ORDER BY row_number
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS rows
    FROM {RAW_TABLE}
    WHERE job_id = %s AND order_no <> ''
) AS d
WHERE r.id = d.id AND d.copies > 1
"""

# The rows an import would write, each with where its order ends up (NULL: triage) and whether it
# is within the import's scope.
_WINNERS = f"""
SELECT r.row_number, o.id IS NULL AS new, o.content_hash IS NOT DISTINCT FROM r.content_hash AS same,
       CASE WHEN o.id IS NULL THEN COALESCE((r.parsed->>'township_id')::bigint, %(scope)s) ELSE o.township_id END
           AS township,
       CASE WHEN o.id IS NULL THEN {SCOPE_NEW} ELSE {SCOPE_OLD} END AS mine
FROM {RAW_TABLE} AS r LEFT JOIN {ORDER_TABLE} AS o ON o.order_no = r.order_no
WHERE r.job_id = %(job)s AND r.status = 'valid' AND NOT r.superseded
"""

# One pass over the winners: how many rows of each kind go to each township; the preview's counts
# and its rows per township are both sums of these groups.
_PREVIEW_GROUPS = f"""
SELECT township, mine, new, same, count(*) FROM ({_WINNERS}) AS w GROUP BY township, mine, new, same
"""

_FOREIGN_ROWS = f"""
SELECT row_number FROM ({_WINNERS}) AS w WHERE NOT mine ORDER BY row_number LIMIT {MAX_LISTED_DUPLICATES}
"""

_DUPLICATE_GROUPS = f"""
SELECT order_no, array_agg(row_number ORDER BY row_number),
       count(DISTINCT content_hash) FILTER (WHERE status = 'valid')
           + (count(*) FILTER (WHERE status <> 'valid') > 0)::int,
       count(*) FILTER (WHERE status = 'valid')
FROM {RAW_TABLE}
WHERE job_id = %s AND order_no <> ''
GROUP BY order_no HAVING count(*) > 1
ORDER BY min(row_number)
"""


def finish_read(job: HotlineImport, *, next_status: str = ImportStatus.PREVIEWED) -> None:
    """Mark duplicates, count the preview and move the job on (one transaction)."""
    with transaction.atomic():
        locked = HotlineImport.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (ImportStatus.READING, ImportStatus.APPLYING):
            return  # finished by an earlier run
        scope = {"job": job.pk, "scope": locked.township_id}
        with connection.cursor() as cursor:
            cursor.execute(_MARK_DUPLICATES, [job.pk])
            cursor.execute(_PREVIEW_GROUPS, scope)
            new = updated = unchanged = triage = foreign = 0
            per_township: dict[int | None, int] = {}
            for township, mine, is_new, same, count in cursor.fetchall():
                if not mine:
                    foreign += count
                    continue
                if is_new:
                    new += count
                    triage += count if township is None else 0
                elif same:
                    unchanged += count
                else:
                    updated += count
                if not same:
                    per_township[township] = per_township.get(township, 0) + count
            foreign_rows = []
            if foreign:
                cursor.execute(_FOREIGN_ROWS, scope)
                foreign_rows = [row for (row,) in cursor.fetchall()]
            cursor.execute(_DUPLICATE_GROUPS, [job.pk])
            groups = cursor.fetchall()
        counts = {
            "new": new,
            "updated": updated,
            "unchanged": unchanged,
            "triage": triage,
            # Rows of orders outside the importer's township: counted and named by row, never
            # shown (what they hold belongs to another township).
            "foreign": foreign,
            "foreign_rows": foreign_rows,
            # Where the orders created or changed go: township id (as text, JSON keys) → count.
            "townships": {str(k) if k is not None else "": v for k, v in per_township.items()},
            "invalid": locked.rows_invalid,
            "duplicate_numbers": len(groups),
            "superseded": sum(max(valid - 1, 0) for _no, _rows, _kinds, valid in groups),
            "duplicates": [
                {"order_no": no, "rows": rows, "different": kinds > 1}
                for no, rows, kinds, _valid in groups[:MAX_LISTED_DUPLICATES]
            ],
        }
        fields = {"counts": counts, "heartbeat_at": timezone.now()}
        if next_status == ImportStatus.PREVIEWED:
            fields["status"] = ImportStatus.PREVIEWED
        HotlineImport.objects.filter(pk=job.pk).update(**fields)
        for name, value in fields.items():
            setattr(job, name, value)
        audit_record(
            action="cases.workorder.import_read",
            obj=job,
            actor=None,
            after={k: v for k, v in counts.items() if k not in ("duplicates", "foreign_rows")}
            | {"rows_read": locked.rows_read},
        )


# --- confirming and applying -----------------------------------------------------------------
def winners(job: HotlineImport) -> int:
    """How many orders the job would add or update (its valid, not superseded rows)."""
    counts = job.counts or {}
    return int(counts.get("new", 0)) + int(counts.get("updated", 0)) + int(counts.get("unchanged", 0))


@transaction.atomic
def import_confirm(*, job: HotlineImport, actor: User) -> HotlineImport:
    """Apply a previewed import (its rows become work orders, in a background job)."""
    locked = HotlineImport.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportStatus.PREVIEWED:
        raise RuleViolation(
            _("Only an import whose preview is ready can be confirmed (this one is “%(status)s”)."),
            rule="hotline_import_not_previewed",
            params={"status": locked.get_status_display()},
        )
    if not winners(locked):
        raise RuleViolation(_("The file has no valid row to import."), rule="hotline_import_nothing")
    locked.status = ImportStatus.APPLYING
    locked.confirmed_by, locked.confirmed_at = actor, timezone.now()
    locked.heartbeat_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "heartbeat_at"])
    audit_record(
        action="cases.workorder.import_confirmed",
        obj=locked,
        actor=actor,
        before={"status": ImportStatus.PREVIEWED},
        after={"status": locked.status, "rows": winners(locked)},
    )
    job_enqueue(locked)
    return locked


@transaction.atomic
def import_discard(*, job: HotlineImport, actor: User) -> HotlineImport:
    """Discard a preview: nothing is imported; the raw rows stay as the record of the file."""
    locked = HotlineImport.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportStatus.PREVIEWED:
        raise RuleViolation(_("Only a preview can be discarded."), rule="hotline_import_not_previewed")
    locked.status, locked.finished_at = ImportStatus.CANCELLED, timezone.now()
    locked.save(update_fields=["status", "finished_at"])
    audit_record(
        action="cases.workorder.import_discarded",
        obj=locked,
        actor=actor,
        before={"status": ImportStatus.PREVIEWED},
        after={"status": locked.status},
    )
    return locked


def is_stale(job: HotlineImport, now: datetime.datetime | None = None) -> bool:
    """A running job whose worker has not reported for a while (it may have died)."""
    return job.is_stale(now)


@transaction.atomic
def import_resume(*, job: HotlineImport, actor: User) -> HotlineImport:
    """Queue a stalled job again; it carries on from its cursors (running twice is harmless)."""
    locked = HotlineImport.objects.select_for_update().get(pk=job.pk)
    require(actor, "view", locked)
    if not locked.is_stale():
        raise RuleViolation(_("The import is not stalled."), rule="hotline_import_not_stalled")
    job_resume(locked, actor=actor)
    return locked
