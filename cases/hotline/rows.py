"""One row of an export (or one item of the feed) → the values of a work order, or its errors.

Pure functions over an in-memory context (the gazetteer and the deadline memo are loaded once
per import), so the importer spends no query per row. What a row becomes is stored as JSON on
its raw row (``HotlineRawRow.parsed``); errors and warnings are stored as codes with parameters
and put into words when shown, in the reader's language.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.search import search_document
from pengjiang_enforcement.tabular import overlong_cells, parse_datetime, parse_decimal, plausible_day
from pengjiang_enforcement.text import halfwidth

from .choices import OrderState
from .deadlines import ASSUMED_TYPE, DueDateMemo, type_working_days
from .parsing import (
    HOTLINE_COLUMNS,
    OrderNumberError,
    cited_order_numbers,
    classify_type,
    normalise_order_no,
    split_body,
    split_title,
)
from .routing import Gazetteer, repeat_key

LABELS = {column.key: column.label for column in HOTLINE_COLUMNS}

# What a row's error and warning codes say (parameters in %(name)s form).
ROW_MESSAGES = {
    "no_number": _("The row has no work-order number."),
    "number_scientific": _(
        "Excel turned the work-order number into a rounded figure (%(value)s): format the column as text "
        "and export again."
    ),
    "number_characters": _("“%(value)s” is not a work-order number."),
    "number_too_long": _("The work-order number “%(value)s” is longer than 50 characters."),
    "no_received": _("The row has no receipt date (受理时间): its deadline cannot be computed."),
    "cell_too_long": _(
        "%(column)s holds %(length)s characters, more than a cell may (%(limit)s): the row is not read."
    ),
    "received_out_of_range": _(
        "The receipt date “%(value)s” cannot be meant (before %(first)s or more than a year ahead; exports write "
        "0001-01-01 or 9999-12-31 for no date)."
    ),
    "date_out_of_range": _("%(column)s “%(value)s” cannot be meant and was left empty."),
    "received_long_ago": _("The receipt date %(value)s is more than a year ago: check that it is right."),
    "received_in_future": _("The receipt date %(value)s lies in the future: check that it is right."),
    "unreadable": _("The row could not be read (%(reason)s)."),
    "bad_received": _("The receipt date “%(value)s” cannot be read."),
    "received_is_dispatch": _("The export has no receipt date: the dispatch time (派发时间) counts as received."),
    "bad_date": _("%(column)s “%(value)s” cannot be read and was left empty."),
    "bad_promised": _("The promised completion “%(value)s” cannot be read: the deadline is counted by type."),
    "type_assumed": _(
        "The row states no type and no promised completion: the deadline assumes a complaint (15 working days)."
    ),
    "bad_coordinate": _("%(column)s “%(value)s” is not a coordinate and was left empty."),
    "unit_ambiguous": _("%(column)s “%(value)s” could mean several units: %(candidates)s."),
    "unrouted": _("No township recognised in the handling unit or the address: the order goes to triage."),
    "duplicate": _("Work order %(order)s appears in rows %(rows)s: the last valid one of them wins."),
    "not_an_object": _("The item is not a JSON object."),
    "no_fields": _("The item has none of the known fields."),
}

# Platform statuses meaning the hotline already has the township's answer.
_DONE_WORDS = ("办结", "已完成", "已回访", "已评价", "已回复")


def describe(entry: dict[str, Any]) -> str:
    """An error or warning entry in words (unknown codes are shown as they are)."""
    params = dict(entry.get("params") or {})
    if "column" in entry and "column" not in params:
        params["column"] = LABELS.get(entry["column"], entry["column"])
    template = ROW_MESSAGES.get(entry.get("code", ""))
    if template is None:
        return str(entry.get("message") or entry.get("code", ""))
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


@dataclass
class ParseContext:
    """What parsing needs besides the row: the gazetteer and the deadline memo."""

    gazetteer: Gazetteer
    memo: DueDateMemo = field(default_factory=DueDateMemo)
    # Today, read once per import rather than once or twice per row.
    today: datetime.date = field(default_factory=timezone.localdate)


@dataclass
class Parsed:
    order_no: str
    values: dict[str, Any] | None  # JSON-ready, None when the row cannot become an order
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    content_hash: str = ""
    search: str | None = None  # tokens of the search vector (see ``search_document``)


def _entry(code: str, column: str = "", **params: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": code}
    if column:
        entry["column"] = column
    if params:
        entry["params"] = {k: str(v)[:100] for k, v in params.items()}
    return entry


def _when(raw: Any, text: str) -> datetime.datetime | None:
    """A datetime from the raw cell (Excel dates and serials) or else its text; ValueError if unreadable.

    Besides the forms spreadsheets use, ISO 8601 with a zone (the feed's Open311 fields,
    "2026-02-12T09:30:00+08:00") is understood.
    """
    value = raw if isinstance(raw, (datetime.date, int, float)) and not isinstance(raw, bool) else text
    try:
        return parse_datetime(value)
    except ValueError:
        if not isinstance(value, str):
            raise
        moment = datetime.datetime.fromisoformat(halfwidth(value).strip().replace("Z", "+00:00"))
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None  # aware: PostgreSQL keeps the instant


def _local_date(moment: datetime.datetime) -> datetime.date:
    """The date in Asia/Shanghai (parsed times already are; only the feed's may carry a zone)."""
    if moment.tzinfo is _ZONE:
        return moment.date()
    return timezone.localtime(moment).date()


_ZONE = timezone.get_default_timezone()
# A body can cite an earlier order only if it has a run of 12 or more digits.
_LONG_DIGITS = re.compile(r"[0-9０-９]{12}")


def _cut(text: str, length: int) -> str:
    return text[:length]


_SOURCE_KEYS = (
    "order_no_raw", "city_order_no", "channel", "title", "content", "address", "matter", "remark", "category_1",
    "category_2", "category_3", "category_4", "order_type", "order_type_text", "received_at", "dispatched_at",
    "promised_at", "handling_unit", "handling_dept", "complainant", "phone", "platform_status", "platform_reply",
    "platform_finished_at", "satisfaction", "warning_state", "latitude", "longitude",
)  # fmt: skip


def parse_row(values: dict[str, str], raw: dict[str, Any], context: ParseContext) -> Parsed:
    """Parse one row: ``values`` are the cleaned texts by column key, ``raw`` the cells as read.

    Whatever the row holds, the result is the row's values or every error found in it, each with
    its column: a row no rule foresaw becomes an error of that row (``unreadable``), never the end
    of the import.
    """
    overlong = overlong_cells(values)
    if overlong:
        number, errors = _order_number(values, raw)
        errors += [_entry("cell_too_long", key, length=n, limit=settings.IMPORT_MAX_CELL_CHARS) for key, n in overlong]
        return Parsed(number or _cut(values.get("order_no", ""), 50), None, errors, [])
    try:
        return _parse_row(values, raw, context)
    except (ValueError, ArithmeticError, OverflowError, TypeError) as exc:
        reason = type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"
        number, errors = _order_number(values, raw)
        errors.append(_entry("unreadable", reason=reason))
        return Parsed(number or _cut(values.get("order_no", ""), 50), None, errors, [])


def _order_number(values: dict[str, str], raw: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The row's normalised work-order number ("" when it has none usable) and its errors."""
    number_text = values.get("order_no", "")
    raw_number = raw.get("order_no", number_text)
    try:
        if isinstance(raw_number, float) and abs(raw_number) >= 1e15:
            # Excel keeps 15 significant digits: a 19-digit number stored as a figure is lost.
            raise OrderNumberError("scientific")
        order_no = normalise_order_no(raw_number)
    except OrderNumberError as exc:
        code = {"empty": "no_number", "scientific": "number_scientific"}.get(str(exc), "number_characters")
        return "", [_entry(code, "order_no", value=number_text)]
    if len(order_no) > 50:
        return "", [_entry("number_too_long", "order_no", value=number_text)]
    return order_no, []


def _parse_row(values: dict[str, str], raw: dict[str, Any], context: ParseContext) -> Parsed:
    warnings: list[dict[str, Any]] = []
    get = values.get
    number_text = get("order_no", "")
    order_no, errors = _order_number(values, raw)

    optional: dict[str, datetime.datetime | None] = {}
    for key in ("dispatched_at", "due_at", "finished_at"):
        try:
            optional[key] = _when(raw.get(key), get(key, ""))
        except ValueError:
            optional[key] = None
            code = "bad_promised" if key == "due_at" else "bad_date"
            warnings.append(_entry(code, key, value=get(key, "")))
        moment = optional[key]
        if moment is not None and not plausible_day(moment, today=context.today):
            optional[key] = None
            warnings.append(_entry("date_out_of_range", key, value=get(key, "") or moment.isoformat()))

    received_at = None
    received_text = get("received_at", "")
    try:
        received_at = _when(raw.get("received_at"), received_text)
    except ValueError:
        errors.append(_entry("bad_received", "received_at", value=received_text))
    else:
        if received_at is None and "received_at" not in values and optional["dispatched_at"] is not None:
            # Exports without a receipt column (the knowledge-base template) date the order by its
            # dispatch to the township: for the township, that is when the matter was received.
            received_at = optional["dispatched_at"]
            warnings.append(_entry("received_is_dispatch"))
        elif received_at is None:
            errors.append(_entry("no_received", "received_at"))
    if received_at is not None and not plausible_day(received_at, today=context.today):
        errors.append(
            _entry("received_out_of_range", "received_at", value=received_text or received_at.isoformat(),
                   first=settings.IMPORT_DATE_MIN.isoformat())
        )  # fmt: skip
        received_at = None

    if errors:
        return Parsed(order_no, None, errors, warnings)
    assert received_at is not None  # for the type checker: no error means a date was read
    received_on, today = _local_date(received_at), context.today
    if received_on < today - datetime.timedelta(days=365):
        warnings.append(_entry("received_long_ago", "received_at", value=received_on.isoformat()))
    elif received_on > today:
        warnings.append(_entry("received_in_future", "received_at", value=received_on.isoformat()))

    coordinates: dict[str, str | None] = {}
    for key, limit in (("latitude", 90), ("longitude", 180)):
        try:
            number = parse_decimal(get(key, ""))
            if number is not None and abs(number) > limit:
                raise ValueError(number)
            coordinates[key] = str(number.quantize(Decimal("0.000001"))) if number is not None else None
        except (ValueError, ArithmeticError):
            coordinates[key] = None
            warnings.append(_entry("bad_coordinate", key, value=get(key, "")))

    channel, _region, title_rest = split_title(get("title", ""))
    content = get("content", "")
    body = split_body(content)
    address = get("address", "") or body.address
    categories = [get(f"category_{n}", "") for n in (1, 2, 3, 4)]
    type_text = get("order_type", "")
    order_type = classify_type(type_text, categories[0], categories[1], title_rest)
    promised_at = optional["due_at"]
    if promised_at is not None:
        due_on = _local_date(promised_at)
    else:
        if not order_type:
            warnings.append(_entry("type_assumed"))
        due_on = context.memo.due_on(_local_date(received_at), type_working_days(order_type))

    unit = get("handling_unit", "")
    route = context.gazetteer.route(unit=f"{unit} {get('handling_dept', '')}", texts=[address, content, get("title")])
    if route.ambiguous:
        warnings.append(_entry("unit_ambiguous", "handling_unit", value=unit, candidates="、".join(route.ambiguous)))
    if route.township_id is None:
        warnings.append(_entry("unrouted"))

    platform_status = get("status", "")
    reply = get("reply", "")
    state = OrderState.PENDING
    if route.township_id and reply and any(word in platform_status for word in _DONE_WORDS):
        state = OrderState.REPLIED  # the hotline already holds the answer (a historical order)

    cite_text = f"{content}\n{get('title', '')}"
    source = {
        "order_no_raw": _cut(number_text, 100),
        "city_order_no": _cut(get("city_order_no", ""), 50),
        "channel": _cut(get("channel", "") or channel, 50),
        "title": _cut(get("title", ""), 500),
        "content": content,
        "address": _cut(address, 500),
        "matter": body.matter,
        "remark": body.remark,
        "category_1": _cut(categories[0], 100),
        "category_2": _cut(categories[1], 100),
        "category_3": _cut(categories[2], 100),
        "category_4": _cut(categories[3], 100),
        "order_type": order_type,
        "order_type_text": _cut(type_text, 50),
        "received_at": _iso(received_at),
        "dispatched_at": _iso(optional["dispatched_at"]),
        "promised_at": _iso(promised_at),
        "handling_unit": _cut(unit, 200),
        "handling_dept": _cut(get("handling_dept", ""), 200),
        "complainant": _cut(get("complainant", ""), 100),
        "phone": _cut(get("phone", ""), 50),
        "platform_status": _cut(platform_status, 50),
        "platform_reply": reply,
        "platform_finished_at": _iso(optional["finished_at"]),
        "satisfaction": _cut(get("satisfaction", ""), 50),
        "warning_state": _cut(get("warning", ""), 50),
        "latitude": coordinates["latitude"],
        "longitude": coordinates["longitude"],
    }
    # What the hotline said, in a fixed order: equal hashes mean a re-import changes nothing.
    content_hash = hashlib.sha1("\x1f".join(str(source[key]) for key in _SOURCE_KEYS).encode()).hexdigest()
    parsed = {
        **source,
        "cited_order_nos": cited_order_numbers(cite_text, own=order_no)[:20] if _LONG_DIGITS.search(cite_text) else [],
        "repeat_key": repeat_key(address, body.matter, categories[3] or categories[2]),
        "township_id": route.township_id,
        "route_method": route.method,
        "route_note": route.note[:300],
        "route_candidates": route.candidates,
        "type_days": None if promised_at else type_working_days(order_type or ASSUMED_TYPE),
        "base_due_on": due_on.isoformat(),
        "initial_state": state,
        "replied_at": _iso(optional["finished_at"] or received_at) if state == OrderState.REPLIED else None,
    }
    # The words the queue searches; the body only when it did not split into its parts.
    search = search_document(
        [order_no, get("title", ""), address, *categories, get("complainant", "")],
        [body.matter, body.remark, body.rest if body.parts else ""],
    )
    return Parsed(order_no, parsed, errors, warnings, content_hash, search)


def jsonable_cell(value: Any) -> Any:
    """A cell as JSON keeps it: text and numbers as they are, dates in ISO form."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)
