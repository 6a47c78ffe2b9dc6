"""The live feed of work orders: one delivery (a JSON list of items) is one import.

Items carry the hotline's column names, our own keys or Open311 GeoReport v2 names. Every item
is stored as received; if all are valid they are applied at once through the same upsert as a
file, in the request's transaction; if any is invalid, nothing is applied and the errors of each
item are returned (the view answers 400).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.tabular import clean_text, normalise_header

from .applying import apply_all, finish_apply
from .choices import ImportKind, ImportStatus, RawRowStatus
from .importing import BATCH_ROWS, batch_of, copy_raw_rows, finish_read, raw_tuple
from .models import HotlineImport, HotlineOrder, HotlineSource
from .parsing import HOTLINE_COLUMNS
from .routing import Gazetteer
from .rows import ParseContext, Parsed, describe, jsonable_cell, parse_row

MAX_FEED_ITEMS = 1000
MAX_FEED_DEPTH = 32

_FEED_KEYS: dict[str, str] = {
    **{normalise_header(alias): column.key for column in HOTLINE_COLUMNS for alias in column.aliases},
    **{normalise_header(column.key): column.key for column in HOTLINE_COLUMNS},
}


def feed_item_values(item: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any], list[str]]:
    """Our column keys from a feed item's field names (ours, the Chinese aliases, Open311's)."""
    texts: dict[str, str] = {}
    raw: dict[str, Any] = {}
    ignored: list[str] = []
    for name, value in item.items():
        key = _FEED_KEYS.get(normalise_header(name))
        if key is None or key in raw:
            ignored.append(str(name))
            continue
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        raw[key] = value
        texts[key] = clean_text(value)
    return texts, raw, ignored


@dataclass
class FeedResult:
    job: HotlineImport
    accepted: bool
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class FeedProblem(ValueError):
    """A delivery that cannot be taken as it is: ``code`` names the problem for the sender's
    program, the message says where it is for the person reading it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _where(path: str) -> str:
    return path or _("the body")


def parse_delivery(body: bytes) -> Any:
    """The JSON of a delivery, refusing (:class:`FeedProblem`) what could not be stored as it is:
    bytes that are not UTF-8, text that is not JSON (an integer past Python's digit limit
    included), nesting deeper than ``MAX_FEED_DEPTH`` (or past Python's recursion limit), a lone
    surrogate escape (``"\\ud800"``) and a number that is not finite (NaN, Infinity, 1e999),
    which PostgreSQL's jsonb cannot hold, and anything but a list or an object."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FeedProblem(
            "not_utf8", _("The body is not UTF-8 text (byte %(position)s).") % {"position": exc.start + 1}
        ) from None
    try:
        payload = json.loads(text.removeprefix("\ufeff") or "null")
    except RecursionError:
        raise FeedProblem(
            "too_deep", _("The body nests deeper than %(max)s levels.") % {"max": MAX_FEED_DEPTH}
        ) from None
    except json.JSONDecodeError as exc:
        raise FeedProblem(
            "not_json",
            _("The body is not JSON: %(reason)s (line %(line)s, column %(column)s).")
            % {"reason": exc.msg, "line": exc.lineno, "column": exc.colno},
        ) from None
    except ValueError as exc:  # an integer longer than sys.get_int_max_str_digits()
        raise FeedProblem("not_json", _("The body is not JSON: %(reason)s.") % {"reason": exc}) from None
    if not isinstance(payload, (list, dict)):
        raise FeedProblem("not_a_list_or_object", _("The body is not a JSON list or object of work orders."))
    check_values(payload)
    return payload


def check_values(value: Any, path: str = "", depth: int = 1) -> None:
    """Refuse a value nested deeper than ``MAX_FEED_DEPTH``, a text (or a field name) with a lone
    surrogate, or a number that is not finite, naming where it is (``orders[0].extra``)."""
    if depth > MAX_FEED_DEPTH:
        raise FeedProblem(
            "too_deep",
            _("%(where)s nests deeper than %(max)s levels.") % {"where": _where(path), "max": MAX_FEED_DEPTH},
        )
    if isinstance(value, str):
        if not _encodable(value):
            raise FeedProblem(
                "lone_surrogate",
                _("%(where)s holds a lone surrogate (U+D800 to U+DFFF), which is no character.")
                % {"where": _where(path)},
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise FeedProblem(
                "not_a_number",
                _("%(where)s is not a finite number (NaN, Infinity or too large).") % {"where": _where(path)},
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            if not _encodable(key):
                raise FeedProblem(
                    "lone_surrogate",
                    _("A field name in %(where)s holds a lone surrogate (U+D800 to U+DFFF), which is no "
                      "character.") % {"where": _where(path)},
                )  # fmt: skip
            check_values(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_values(item, f"{path}[{index}]", depth + 1)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def feed_items(payload: Any) -> list[Any]:
    """The list of items in a feed delivery: a list, ``{"orders": [...]}``, or one object."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ("orders", "service_requests", "items"):
            if isinstance(payload.get(key), list):
                return payload[key]
        return [payload]
    raise ValueError("payload")


@transaction.atomic
def feed_receive(*, source: HotlineSource, items: list[Any]) -> FeedResult:
    """Take one delivery of the live feed: all items are stored raw; if every item is valid they
    are applied at once, else nothing is applied and each bad item is reported (HTTP 400)."""
    context = ParseContext(gazetteer=Gazetteer.load())
    job = HotlineImport.objects.create(
        kind=ImportKind.FEED,
        status=ImportStatus.APPLYING,
        source=source,
        original_name=_("Feed delivery from %(source)s") % {"source": source.name},
        table_kind="json",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    rows: list[tuple[Any, ...]] = []
    report: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        number = index + 1
        if not isinstance(item, dict):
            parsed = Parsed("", None, [{"code": "not_an_object"}], [])
            ignored: list[str] = []
        else:
            texts, raw, ignored = feed_item_values(item)
            parsed = parse_row(texts, raw, context) if texts else Parsed("", None, [{"code": "no_fields"}], [])
        rows.append(raw_tuple(job.pk, number, item if isinstance(item, (dict, list)) else jsonable_cell(item), parsed))
        entry = {"item": index, "order_no": parsed.order_no, "warnings": [describe(w) for w in parsed.warnings]}
        if ignored:
            entry["ignored_fields"] = ignored
        if parsed.values is None:
            errors.append({"item": index, "order_no": parsed.order_no, "errors": [describe(e) for e in parsed.errors]})
        report.append(entry)
    invalid = sum(1 for row in rows if row[3] == RawRowStatus.INVALID)
    for start in range(0, len(rows), BATCH_ROWS):
        copy_raw_rows(batch_of(rows[start : start + BATCH_ROWS]))
    last = rows[-1][1] if rows else 0
    HotlineImport.objects.filter(pk=job.pk).update(rows_read=len(rows), rows_invalid=invalid, read_cursor=last)
    job.rows_read, job.rows_invalid, job.read_cursor = len(rows), invalid, last
    HotlineSource.objects.filter(pk=source.pk).update(last_used_at=Now())
    if errors or not rows:
        HotlineImport.objects.filter(pk=job.pk).update(
            status=ImportStatus.REFUSED,
            finished_at=Now(),
            error_code="invalid_items" if rows else "empty",
            error_message=_("%(count)s of %(total)s items are invalid; nothing was applied.")
            % {"count": len(errors), "total": len(rows)},
        )
        job.status = ImportStatus.REFUSED
        audit_record(
            action="cases.workorder.feed_refused",
            obj=job,
            actor=None,
            after={"source": source.name, "items": len(rows), "invalid": len(errors)},
        )
        return FeedResult(job, False, report, errors)
    existing = dict(
        HotlineOrder.objects.filter(order_no__in=[r[2] for r in rows]).values_list("order_no", "content_hash")
    )
    positions: dict[str, list[int]] = {}
    for row in rows:
        positions.setdefault(row[2], []).append(row[1])
    for entry, row in zip(report, rows, strict=True):
        before = existing.get(row[2])
        entry["result"] = "created" if before is None else ("unchanged" if before == row[8] else "updated")
        copies = positions[row[2]]
        if len(copies) > 1:
            rows_text = "、".join(str(n) for n in copies)
            entry["warnings"].append(describe({"code": "duplicate", "params": {"order": row[2], "rows": rows_text}}))
            if row[1] != copies[-1]:
                entry["result"] = "superseded"
    finish_read(job, next_status=ImportStatus.APPLYING)
    apply_all(job, max_batches=None)
    finish_apply(job, actor=None)
    counts = {k: int(v) for k, v in (job.result or {}).items()}
    audit_record(action="cases.workorder.feed_received", obj=job, actor=None, after={"source": source.name, **counts})
    return FeedResult(job, True, report, [], counts)
