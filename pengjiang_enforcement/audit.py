"""Writing, sealing and verifying the audit trail.

Services call :func:`audit_record` inside their transaction. The row is chained to the
previous row *of the same object*: we take a transaction-scoped advisory lock on the chain key,
read the chain's head through the (chain_key, chain_seq) unique index and insert the next row.
Two writes to the same object queue behind each other (they usually hold the object's row lock
anyway); writes to different objects never wait for one another, so the audit trail does not
become a global lock on every write in the portal. ``make bench`` measures the difference.

A chain alone cannot notice that its newest rows were removed, so every write also moves the
chain's head (:class:`~pengjiang_enforcement.models.AuditChainHead`: position, hash and an HMAC
seal) in the same transaction; the database lets a head move only forward by one onto an existing
row. :func:`audit_checkpoint` (a beat task) periodically seals the heads of every chain that moved
in a chained checkpoint row, which still names a chain removed together with its head.
:func:`verify_audit` recomputes every hash and checks every head and every checkpoint.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from .locks import advisory_key, lock_for_transaction
from .middleware import current_request_id
from .models import AuditCheckpoint, AuditCheckpointHead, AuditLog

GENESIS = "0" * 64
# Chains touched this long before the previous checkpoint are looked at again, so a row whose
# transaction committed late (its id is lower than rows already sealed) still gets sealed.
CHECKPOINT_OVERLAP = datetime.timedelta(minutes=10)


# --- snapshots -----------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    """Normalise a value to what survives a round trip through PostgreSQL jsonb unchanged."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        # jsonb may print floats differently from Python; text keeps the hash stable.
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data (foreign keys as ids).

    Bookkeeping timestamps (``auto_now``) are left out: they change on every save and say
    nothing the audit row's own time does not.
    """
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if getattr(f, "auto_now", False):
            continue
        data[f.attname if f.is_relation else f.name] = _jsonable(getattr(obj, f.attname))
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, from both snapshots."""
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


# --- hashing -------------------------------------------------------------------------------
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_KEYED: dict[str, Any] = {}


def _digest(payload: dict[str, Any]) -> str:
    canonical = _CANONICAL.encode(payload)
    key = str(settings.AUDIT_KEY)
    # The keyed state is made once per key and copied: an import hashes 200,000 rows and heads.
    keyed = _KEYED.get(key)
    if keyed is None:
        keyed = _KEYED[key] = hmac.new(key.encode(), digestmod=hashlib.sha256)
    mac = keyed.copy()
    mac.update(canonical.encode())
    return mac.hexdigest()


def row_hash(row: dict[str, Any]) -> str:
    """The HMAC of one audit row's content and its predecessor's hash."""
    created = row["created_at"]
    return _digest(
        {
            "chain": row["chain_key"],
            "seq": row["chain_seq"],
            "prev": row["prev_hash"],
            "created": created.astimezone(datetime.UTC).isoformat(),
            "actor": row["actor_id"],
            "actor_repr": row["actor_repr"],
            "request_id": row["request_id"],
            "action": row["action"],
            "content_type": row["content_type_id"],
            "object_id": row["object_id"],
            "object_repr": row["object_repr"],
            "before": row["before"],
            "after": row["after"],
        }
    )


def head_seal(chain_key: str, chain_seq: int, digest: str) -> str:
    """The HMAC over a chain head: without ``AUDIT_KEY`` nobody sets a head back to an older row."""
    return _digest({"head": chain_key, "seq": chain_seq, "hash": digest})


def chain_key_for(obj: Model | None, action: str) -> str:
    if obj is None:
        return f"action:{action.rsplit('.', 1)[0]}"[:100]
    return f"{obj._meta.label_lower}:{obj.pk}"


# --- writing -------------------------------------------------------------------------------
def audit_record(
    *,
    action: str,
    obj: Model | None,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> AuditLog:
    """Append one row to the audit trail, chained to the object's previous row.

    Call it inside the service's transaction so the record commits (or rolls back) with the
    change it describes.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    chain_key = chain_key_for(obj, action)
    # No savepoint of its own (two round trips saved per row): a failed audit write fails the
    # service's whole transaction, as it must.
    with transaction.atomic(savepoint=False):
        # The lock is held until the surrounding transaction ends: the next writer of this chain
        # reads the head only after our row is committed (or rolled back). Lock and read go in one
        # round trip; the read is its own statement, so it sees what was committed while we waited.
        # The new row's key is taken in the same round trip, so that the row and its chain's head
        # are then written together in one more (below).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s); "
                "SELECT nextval(pg_get_serial_sequence('core_auditlog', 'id')), h.chain_seq, h.hash "
                "FROM (SELECT 1) one LEFT JOIN core_auditchainhead h ON h.chain_key = %s",
                [advisory_key(chain_key), chain_key],
            )
            row_id, *head = cursor.fetchone()
        if head[0] is None:
            head = None
        row: dict[str, Any] = {
            "created_at": timezone.now(),
            "actor_id": actor.pk if actor is not None else None,
            "actor_repr": (str(actor) if actor is not None else "system")[:150],
            "request_id": (request_id or current_request_id() or "")[:64],
            "action": action,
            "content_type_id": ContentType.objects.get_for_model(obj).pk if obj is not None else None,
            "object_id": str(obj.pk) if obj is not None else "",
            "object_repr": str(obj)[:200] if obj is not None else "",
            "before": _jsonable(before) if before is not None else None,
            "after": _jsonable(after) if after is not None else None,
            "chain_key": chain_key,
            "chain_seq": head[0] + 1 if head else 1,
            "prev_hash": head[1] if head else GENESIS,
        }
        row["hash"] = row_hash(row)
        # The row and the head's move in one round trip: two statements, the second (whose row
        # count ``_move_heads`` checks) sees the first's row, as the head's trigger requires.
        values = {**row, "id": row_id}
        params = [
            connection.ops.adapt_json_value(values[name], None)
            if name in ("before", "after") and values[name] is not None
            else values[name]
            for name in _INSERT_COLUMNS
        ]
        insert = (
            f"INSERT INTO core_auditlog ({', '.join(_INSERT_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))}); "
        )
        _move_heads([(chain_key, row["chain_seq"], row["hash"])], before=(insert, params))
        record = AuditLog(**values)
        record._state.adding = False
        record._state.db = connection.alias
        return record


def _move_heads(heads: list[tuple[str, int, str]], *, before: tuple[str, list[Any]] = ("", [])) -> None:
    """Move each chain's head onto its new row (``(chain_key, chain_seq, hash)``), sealed: a
    compare-and-set from the position before, or a new head at a chain's first row.

    ``before``: a statement (and its parameters) sent first in the same round trip, the row
    the head moves onto (:func:`audit_record`)."""
    first = [(key, seq, digest) for key, seq, digest in heads if seq == 1]
    later = [(key, seq, digest) for key, seq, digest in heads if seq > 1]
    assert not (first and later and before[0]), "one statement may go before the heads' first statement only"
    with connection.cursor() as cursor:
        if later:
            cursor.execute(
                before[0] + "UPDATE core_auditchainhead h SET chain_seq = v.seq, hash = v.hash, seal = v.seal "
                "FROM unnest(%s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[]) "
                "AS v(chain_key, seq, hash, seal) "
                "WHERE h.chain_key = v.chain_key AND h.chain_seq = v.seq - 1",
                [
                    *before[1],
                    [key for key, _seq, _digest in later],
                    [seq for _key, seq, _digest in later],
                    [digest for _key, _seq, digest in later],
                    [head_seal(key, seq, digest) for key, seq, digest in later],
                ],
            )
            before = ("", [])
            if cursor.rowcount != len(later):  # under the chain locks this cannot happen, unless tampered with
                raise DatabaseError("an audit chain head was not where its chain ended; the write is refused")
        if first:
            cursor.execute(
                before[0] + "INSERT INTO core_auditchainhead (chain_key, chain_seq, hash, seal) "
                "SELECT * FROM unnest(%s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[])",
                [
                    *before[1],
                    [key for key, _seq, _digest in first],
                    [seq for _key, seq, _digest in first],
                    [digest for _key, _seq, digest in first],
                    [head_seal(key, seq, digest) for key, seq, digest in first],
                ],
            )


@dataclass(frozen=True)
class Entry:
    """One object's row in :func:`audit_record_many`: its key, its name, what changed."""

    pk: Any
    repr: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def audit_record_many(*, action: str, model: type[Model], entries: list[Entry], actor: Any = None) -> int:
    """Append one row per object to the audit trail, each chained to its own object's chain.

    For a step that changes many objects at once (an import upserts thousands of work orders):
    the same rows :func:`audit_record` would write one by one, in three statements, whatever the
    number of objects. The chains are locked in one order (their keys sorted), so two bulk writers
    never wait on each other in a circle. Returns the number of rows written.
    """
    if not entries:
        return 0
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = model._meta.label_lower
    keyed = sorted(((f"{label}:{entry.pk}", entry) for entry in entries), key=lambda pair: pair[0])
    keys = [key for key, _entry in keyed]
    with transaction.atomic(savepoint=False):
        # The locks in the order of their keys (two bulk writers never wait on each other in a
        # circle), then the heads, in one round trip.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k; "
                "SELECT chain_key, chain_seq, hash FROM core_auditchainhead WHERE chain_key = ANY(%s)",
                [sorted({advisory_key(key) for key in keys}), keys],
            )
            heads = {key: (seq, digest) for key, seq, digest in cursor.fetchall()}
        content_type = ContentType.objects.get_for_model(model).pk
        now = timezone.now()
        request_id = (current_request_id() or "")[:64]
        rows: list[dict[str, Any]] = []
        for key, entry in keyed:
            seq, prev = heads.get(key, (0, GENESIS))
            row: dict[str, Any] = {
                "created_at": now,
                "actor_id": actor.pk if actor is not None else None,
                "actor_repr": (str(actor) if actor is not None else "system")[:150],
                "request_id": request_id,
                "action": action,
                "content_type_id": content_type,
                "object_id": str(entry.pk),
                "object_repr": entry.repr[:200],
                "before": _jsonable(entry.before) if entry.before is not None else None,
                "after": _jsonable(entry.after) if entry.after is not None else None,
                "chain_key": key,
                "chain_seq": seq + 1,
                "prev_hash": prev,
            }
            row["hash"] = row_hash(row)
            rows.append(row)
        _copy_audit_rows(rows)
        _move_heads([(row["chain_key"], row["chain_seq"], row["hash"]) for row in rows])
    return len(rows)


_COPY_COLUMNS = ("created_at", "actor_id", "actor_repr", "request_id", "action", "content_type_id", "object_id",
                 "object_repr", "before", "after", "chain_key", "chain_seq", "prev_hash", "hash")  # fmt: skip
# audit_record's INSERT: the same columns and the row's key, taken beforehand
_INSERT_COLUMNS = ("id", *_COPY_COLUMNS)


def _copy_field(value: Any, *, as_json: bool = False) -> str:
    if value is None:
        return ""  # unquoted empty: NULL in COPY's csv format
    if as_json:
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, datetime.datetime):
        value = value.isoformat()
    return '"' + str(value).replace('"', '""') + '"'


def _copy_audit_rows(rows: list[dict[str, Any]]) -> None:
    """Write audit rows with COPY: for the thousands of rows of one import batch, a fraction of
    the time an INSERT through the ORM takes (the rows are already complete, hash included)."""
    text = "".join(
        ",".join(_copy_field(row[name], as_json=name in ("before", "after")) for name in _COPY_COLUMNS) + "\n"
        for row in rows
    )
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {AuditLog._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)",
            io.StringIO(text),
            size=max(8192, len(text) + 1),
        )


# --- sealing -------------------------------------------------------------------------------
def audit_checkpoint() -> AuditCheckpoint | None:
    """Seal the current head of every chain that moved since the previous checkpoint.

    Safe to run twice: a second run with nothing new writes nothing.
    """
    with transaction.atomic():
        lock_for_transaction("audit:checkpoint")
        previous = AuditCheckpoint.objects.order_by("-id").first()
        last_id = AuditLog.objects.aggregate(m=Max("id"))["m"]
        if last_id is None or (previous and previous.last_audit_id >= last_id):
            return None
        since = previous.created_at - CHECKPOINT_OVERLAP if previous else None
        moved = AuditLog.objects.all()
        if since is not None:
            moved = moved.filter(created_at__gte=since)
        heads = list(
            AuditLog.objects.filter(chain_key__in=moved.values("chain_key").distinct())
            .order_by("chain_key", "-chain_seq")
            .distinct("chain_key")
            .values_list("chain_key", "chain_seq", "hash")
        )
        prev_hash = previous.hash if previous else GENESIS
        now = timezone.now()
        digest = _digest(
            {"prev": prev_hash, "last": last_id, "created": now.astimezone(datetime.UTC).isoformat(), "heads": heads}
        )
        checkpoint = AuditCheckpoint.objects.create(
            created_at=now, last_audit_id=last_id, head_count=len(heads), prev_hash=prev_hash, hash=digest
        )
        AuditCheckpointHead.objects.bulk_create(
            AuditCheckpointHead(checkpoint=checkpoint, chain_key=k, chain_seq=s, hash=h) for k, s, h in heads
        )
        return checkpoint


# --- verifying -----------------------------------------------------------------------------
@dataclass
class VerifyReport:
    rows: int = 0
    chains: int = 0
    checkpoints: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_ROW_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_repr",
    "request_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "before",
    "after",
    "chain_key",
    "chain_seq",
    "prev_hash",
    "hash",
]


def _rows_in_chain_order() -> Iterator[dict[str, Any]]:
    return AuditLog.objects.order_by("chain_key", "chain_seq").values(*_ROW_FIELDS).iterator(chunk_size=5000)


def verify_audit() -> VerifyReport:
    """Recompute every row's hash and every chain link; check every chain head and checkpoint.

    Names each row that was edited or forged (its hash does not match its content), each gap
    where rows were removed, each newest row removed (its chain's head points at it), each head
    gone or set by hand, and each sealed head that is gone. Warns (without failing) when no
    checkpoint was ever made or rows have waited longer than ``AUDIT_CHECKPOINT_MAX_AGE``.
    """
    report = VerifyReport()
    chain: str | None = None
    expected_seq = 1
    prev_hash = GENESIS
    prev_id: int | None = None
    for row in _rows_in_chain_order():
        report.rows += 1
        if row["chain_key"] != chain:
            chain, expected_seq, prev_hash, prev_id = row["chain_key"], 1, GENESIS, None
            report.chains += 1
        where = f"audit row id {row['id']} ({row['action']}, {row['chain_key']} #{row['chain_seq']})"
        if row["chain_seq"] != expected_seq:
            after = f"after row id {prev_id}" if prev_id else "at the start of the chain"
            report.problems.append(
                f"REMOVED: chain {chain} positions {expected_seq}..{row['chain_seq'] - 1} are missing "
                f"({after}, before row id {row['id']})"
            )
        elif row["prev_hash"] != prev_hash:
            report.problems.append(f"BROKEN LINK: {where} does not point at the row before it")
        if row_hash(row) != row["hash"]:
            report.problems.append(f"FORGED OR EDITED: {where}: its hash does not match its content")
        expected_seq = row["chain_seq"] + 1
        prev_hash = row["hash"]
        prev_id = row["id"]

    previous_hash = GENESIS
    for checkpoint in AuditCheckpoint.objects.order_by("id").iterator():
        report.checkpoints += 1
        heads = list(checkpoint.heads.order_by("chain_key").values_list("chain_key", "chain_seq", "hash"))
        digest = _digest(
            {
                "prev": checkpoint.prev_hash,
                "last": checkpoint.last_audit_id,
                "created": checkpoint.created_at.astimezone(datetime.UTC).isoformat(),
                "heads": [list(h) for h in heads],
            }
        )
        if checkpoint.prev_hash != previous_hash or digest != checkpoint.hash:
            report.problems.append(f"CHECKPOINT {checkpoint.pk} was edited, forged or reordered")
        previous_hash = checkpoint.hash
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT h.chain_key, h.chain_seq, h.hash, a.hash FROM core_auditcheckpointhead h "
                "LEFT JOIN core_auditlog a ON a.chain_key = h.chain_key AND a.chain_seq = h.chain_seq "
                "WHERE h.checkpoint_id = %s ORDER BY h.chain_key",
                [checkpoint.pk],
            )
            for key, seq, sealed, found in cursor.fetchall():
                if found is None:
                    report.problems.append(
                        f"REMOVED: chain {key} #{seq}, sealed by checkpoint {checkpoint.pk}, is no longer in the trail"
                    )
                elif found != sealed:
                    report.problems.append(
                        f"FORGED OR EDITED: chain {key} #{seq} differs from what checkpoint {checkpoint.pk} sealed"
                    )
    _verify_heads(report)
    _warn_unsealed(report)
    return report


def _verify_heads(report: VerifyReport) -> None:
    """Each chain's newest row against its head: the head must exist, carry its seal and point at
    the chain's newest row."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(h.chain_key, t.chain_key), h.chain_seq, h.hash, h.seal, t.chain_seq, t.hash, t.id "
            "FROM core_auditchainhead h FULL JOIN ("
            "  SELECT DISTINCT ON (chain_key) chain_key, chain_seq, hash, id FROM core_auditlog"
            "  ORDER BY chain_key, chain_seq DESC"
            ") t ON t.chain_key = h.chain_key ORDER BY 1"
        )
        while batch := cursor.fetchmany(5000):
            for key, seq, digest, seal, last_seq, last_hash, last_id in batch:
                problem = _head_problem(key, seq, digest, seal, last_seq, last_hash, last_id)
                report.heads += seq is not None
                if problem:
                    report.problems.extend(problem)


def _head_problem(
    key: str, seq: int | None, digest: str | None, seal: str | None, last_seq: int | None, last_hash: str | None,
    last_id: int | None,
) -> list[str]:  # fmt: skip
    if seq is None or digest is None:
        return [f"HEAD GONE: chain {key} has no head (its newest row is #{last_seq}, row id {last_id})"]
    problems = []
    if seal != head_seal(key, seq, digest):
        problems.append(f"HEAD FORGED OR EDITED: the head of chain {key} (#{seq}) does not match its seal")
    if last_seq is None:
        problems.append(f"REMOVED: chain {key} (#1..#{seq}) is no longer in the trail, only its head is left")
    elif seq == last_seq + 1:
        problems.append(f"REMOVED: chain {key} #{seq} (the newest row) is no longer in the trail")
    elif seq > last_seq:
        problems.append(f"REMOVED: chain {key} #{last_seq + 1}..#{seq} (the newest rows) are no longer in the trail")
    elif seq < last_seq:
        problems.append(
            f"AFTER THE HEAD: chain {key} #{seq + 1}..#{last_seq} (up to row id {last_id}) lie after its head "
            f"#{seq}: written past audit_record"
        )
    elif digest != last_hash:
        problems.append(f"FORGED OR EDITED: chain {key} #{seq} differs from its head")
    return problems


def _warn_unsealed(report: VerifyReport) -> None:
    """Warnings, not problems: the checkpoints that seal whole chains are missing or late."""
    if not report.rows:
        return
    last = AuditCheckpoint.objects.order_by("-id").values_list("last_audit_id", flat=True).first()
    if last is None:
        report.warnings.append(
            "NO CHECKPOINT: no checkpoint was ever made (is celery beat running? `manage.py audit_checkpoint` "
            "makes one); a chain removed together with its head would go unnoticed"
        )
        return
    oldest = AuditLog.objects.filter(id__gt=last).order_by("id").values_list("created_at", flat=True).first()
    max_age = datetime.timedelta(seconds=settings.AUDIT_CHECKPOINT_MAX_AGE)
    if oldest is not None and timezone.now() - oldest > max_age:
        report.warnings.append(
            f"LATE CHECKPOINT: audit rows since {timezone.localtime(oldest):%Y-%m-%d %H:%M:%S} are not sealed by a "
            f"checkpoint, longer than AUDIT_CHECKPOINT_MAX_AGE ({settings.AUDIT_CHECKPOINT_MAX_AGE} s): "
            "is celery beat running?"
        )
