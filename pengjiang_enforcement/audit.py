"""Writing, sealing and verifying the audit trail.

Services call :func:`audit_record` inside their transaction. The row is chained to the
previous row *of the same object*: we take a transaction-scoped advisory lock on the chain key,
read the chain's head through the (chain_key, chain_seq) unique index and insert the next row.
Two writes to the same object queue behind each other (they usually hold the object's row lock
anyway); writes to different objects never wait for one another, so the audit trail does not
become a global lock on every write in the portal. ``make bench`` measures the difference.

A chain alone cannot notice that its newest rows were removed, so :func:`audit_checkpoint`
(a beat task) periodically records the head of every chain that moved, in a chained
checkpoint row. :func:`verify_audit` recomputes every hash and checks every recorded head.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from .locks import lock_for_transaction, lock_many_for_transaction
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
def _digest(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    key = str(settings.AUDIT_KEY)
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()


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
    with transaction.atomic():
        # Held until the surrounding transaction ends: the next writer of this chain reads the
        # head only after our row is committed (or rolled back).
        lock_for_transaction(chain_key)
        head = AuditLog.objects.filter(chain_key=chain_key).order_by("-chain_seq").values("chain_seq", "hash").first()
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
            "chain_seq": head["chain_seq"] + 1 if head else 1,
            "prev_hash": head["hash"] if head else GENESIS,
        }
        row["hash"] = row_hash(row)
        return AuditLog.objects.create(**row)


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
    with transaction.atomic():
        lock_many_for_transaction(keys)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT ON (chain_key) chain_key, chain_seq, hash FROM core_auditlog "
                "WHERE chain_key = ANY(%s) ORDER BY chain_key, chain_seq DESC",
                [keys],
            )
            heads = {key: (seq, digest) for key, seq, digest in cursor.fetchall()}
        content_type = ContentType.objects.get_for_model(model).pk
        now = timezone.now()
        request_id = (current_request_id() or "")[:64]
        rows = []
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
            rows.append(AuditLog(**row))
        AuditLog.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


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
    problems: list[str] = field(default_factory=list)

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
    """Recompute every row's hash and every chain link; check every checkpoint.

    Names each row that was edited or forged (its hash does not match its content), each gap
    where rows were removed, and each sealed head that is gone.
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
    return report
