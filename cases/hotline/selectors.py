"""Reads of the 12345 hotline used by the pages, the panels, the export and the benchmark.

Every list starts from ``HotlineOrder.objects.restrict(user, action)``; filters and sorts use
the indexes of ``HotlineOrder.Meta``; flags are computed from ``due_on`` in Python for the rows
of one page; nothing counts the whole table (counts for panels stop at a cap).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import can, user_scope
from pengjiang_enforcement.search import normalise, query_tokens, tokens
from pengjiang_enforcement.text import field_label
from pengjiang_enforcement.workflow import actions_for
from powers.models import PowerItem
from powers.selectors import delegated_items

from ..models import Figure, FigureKind, Lead
from .choices import OPEN_STATES, OrderState, RawRowStatus, RequestStatus
from .deadlines import order_flag, soon_horizon
from .filters import text_match
from .models import HotlineEvent, HotlineImport, HotlineOrder, HotlineRawRow, HotlineReply, HotlineRequest
from .parsing import HOTLINE_COLUMNS, display_phone
from .rows import LABELS, describe
from .services import hotline_phone_revealable
from .workflow import ORDERS

COUNT_CAP = 100


def with_list_data(orders: QuerySet[HotlineOrder]) -> QuerySet[HotlineOrder]:
    """What a queue row shows, in one query however many rows a page has."""
    return orders.select_related("township", "lead").only(
        "id",
        "order_no",
        "title",
        "matter",
        "address",
        "order_type",
        "received_at",
        "due_on",
        "state",
        "replied_at",
        "route_method",
        "category_1",
        "category_2",
        "category_3",
        "category_4",
        "township__short_name",
        "township__name",
        "lead__reference",
    )


def triage_queue(user: User, *, q: str = "") -> QuerySet[HotlineOrder]:
    """Orders no township holds yet, oldest first (the triage queue)."""
    orders = HotlineOrder.objects.restrict(user, "view").filter(township__isnull=True, state=OrderState.PENDING)
    if q.strip():
        orders = orders.filter(text_match(q))
    return orders.order_by("received_at", "id")


def flag_orders(orders: list[HotlineOrder], today: datetime.date | None = None) -> list[HotlineOrder]:
    today = today or timezone.localdate()
    horizon = soon_horizon(today)
    for order in orders:
        order.flag = order_flag(order, today, horizon)
    return orders


def triage_count(user: User) -> int:
    """How many orders wait in triage: the maintained figure (``cases.models.figures``), exact
    without counting the orders."""
    if not user.has_perm("cases.triage_hotlineorder"):
        return 0
    figures = Figure.objects.restrict(user, "view").filter(
        township__isnull=True, kind=FigureKind.HOTLINE_ORDER, state=OrderState.PENDING
    )
    return sum(figures.order_by().values_list("count", flat=True))


def open_orders(user: User) -> QuerySet[HotlineOrder]:
    """The open routed orders the user may see, narrowed to their township as a plain condition
    (besides the chokepoint's) so the open orders' deadline index serves the home panel."""
    orders = HotlineOrder.objects.restrict(user, "view").filter(township__isnull=False, state__in=OPEN_STATES)
    township_id = user_scope(user).township_id
    return orders if township_id is None else orders.filter(township=township_id)


def township_deadline_counts(
    user: User, today: datetime.date | None = None, *, orders: QuerySet[HotlineOrder] | None = None
) -> dict[str, int]:
    """Overdue and due-soon open orders of the user's township (each counted up to the cap).

    These depend on the date, so no maintained figure can hold them: each count walks the open
    orders' deadline index (unsorted) and stops at ``COUNT_CAP``. ``orders`` is ``open_orders``
    already asked of the chokepoint, when the caller has it."""
    today = today or timezone.localdate()
    base = (open_orders(user) if orders is None else orders).order_by()
    overdue = base.filter(due_on__lt=today).values_list("pk", flat=True)[:COUNT_CAP]
    soon = base.filter(due_on__gte=today, due_on__lte=soon_horizon(today)).values_list("pk", flat=True)[:COUNT_CAP]
    return {"overdue": len(overdue), "due_soon": len(soon)}


def urgent_orders(
    user: User, *, limit: int = 8, today: datetime.date | None = None, orders: QuerySet[HotlineOrder] | None = None
) -> list[HotlineOrder]:
    """The open orders of the township whose deadline is nearest (overdue first): the first rows
    of the open orders' deadline index, in the queue's "deadline first" order."""
    today = today or timezone.localdate()
    base = open_orders(user) if orders is None else orders
    rows = base.filter(due_on__lte=soon_horizon(today)).order_by("due_on", "id")
    return flag_orders(list(with_list_data(rows)[:limit]), today)


def pending_requests(user: User, *, limit: int = 20) -> list[HotlineRequest]:
    """Extension and return requests waiting for this office head."""
    return list(
        HotlineRequest.objects.filter(
            status=RequestStatus.PENDING, order__in=HotlineOrder.objects.restrict(user, "approve").values("pk")
        )
        .exclude(requested_by=user)
        .select_related("order", "requested_by")
        .order_by("requested_at")[:limit]
    )


# --- one order -----------------------------------------------------------------------------------
@dataclass
class OrderLinks:
    cites: list[HotlineOrder]  # earlier orders this one cites (visible ones)
    cites_unknown: list[str]  # cited numbers not (yet) imported or not visible
    cited_by: list[HotlineOrder]
    repeats: list[HotlineOrder]  # same address and matter
    repeat_leads: list[Lead]  # leads of the repeats, which this order could feed


def order_links(user: User, order: HotlineOrder) -> OrderLinks:
    visible = HotlineOrder.objects.restrict(user, "view").select_related("township", "lead").only(
        "id", "order_no", "title", "state", "received_at", "due_on", "replied_at", "township__short_name",
        "lead__reference", "lead__township_id",
    )  # fmt: skip
    cites = list(visible.filter(order_no__in=order.cited_order_nos)) if order.cited_order_nos else []
    known = {o.order_no for o in cites}
    # The non-empty condition matches the partial GIN index (most orders cite nothing).
    citing = visible.exclude(cited_order_nos=[]).filter(cited_order_nos__contains=[order.order_no])
    cited_by = list(citing.order_by("-received_at")[:20])
    repeats: list[HotlineOrder] = []
    if order.repeat_key:
        repeats = list(visible.filter(repeat_key=order.repeat_key).exclude(pk=order.pk).order_by("-received_at")[:20])
    leads = {o.lead.pk: o.lead for o in repeats if o.lead is not None and o.lead.township_id == order.township_id}
    return OrderLinks(
        cites=cites,
        cites_unknown=[n for n in order.cited_order_nos if n not in known],
        cited_by=cited_by,
        repeats=repeats,
        repeat_leads=[lead for pk, lead in leads.items() if pk != order.lead_id],
    )


def raw_rows_of(user: User, order: HotlineOrder, *, limit: int = 20) -> list[HotlineRawRow]:
    """The rows this order was imported from, newest first, with their import."""
    return list(
        HotlineRawRow.objects.restrict(user, "view")
        .filter(order_no=order.order_no, status="valid")
        .select_related("job")
        .order_by("-job_id", "-row_number")[:limit]
    )


def import_history(user: User) -> QuerySet[HotlineImport]:
    return HotlineImport.objects.restrict(user, "view").select_related("created_by", "source").order_by("-id")


# --- catalogue suggestions ----------------------------------------------------------------------
# Words every hotline body uses that say nothing about the matter.
_BOILERPLATE = frozenset(
    query_tokens(
        "市民 反映 要求 处理 投诉 举报 咨询 请尽快 解决 问题 情况 相关部门 来电 表示 希望 地址 事项 备注 工单 热线"
    )
)
# Words most item names share ("对…的行政处罚"), which would make every item look alike.
_NAME_BOILERPLATE = frozenset(query_tokens("行政处罚 行政强制 行政检查 行政许可 未按规定 违反规定 擅自 的"))


@dataclass(frozen=True)
class Suggestion:
    item: PowerItem
    score: float  # share of the item's name bigrams found in the order's text (0..1)
    shared: tuple[str, ...]  # the words of the item's name the order's text holds, to show why


def _shared_words(name: str, pairs: set[str]) -> tuple[str, ...]:
    """The stretches of ``name`` whose every pair of neighbours is in ``pairs``, longest match
    each: whole words of the item's name (占道经营), never a pair cut across two words (道经)."""
    text = normalise(name)
    words: list[str] = []
    start = end = -1
    for i in range(len(text) - 1):
        if text[i : i + 2] in pairs:
            if i != end - 1:
                if end > start >= 0:
                    words.append(text[start:end])
                start = i
            end = i + 2
    if end > start >= 0:
        words.append(text[start:end])
    return tuple(dict.fromkeys(words))


def suggest_items(order: HotlineOrder, *, limit: int = 5) -> list[Suggestion]:
    """Catalogue items delegated to the order's township that the matter most likely falls under.

    Candidates come from the items' GIN-indexed search vectors (any bigram of the matter); they
    are then scored by bigram overlap with the item's name, so the shortlist explains itself. The
    officer chooses (``services.order_choose_item``); nothing is applied without that.
    """
    if order.township_id is None:
        return []
    text = " ".join(p for p in (order.matter, order.category_4, order.category_3, order.title) if p)
    wanted = [t for t in query_tokens(text) if len(t) == 2 and t not in _BOILERPLATE][:60]
    if not wanted:
        return []
    raw = " | ".join("'" + t.replace("'", "") + "'" for t in wanted)
    query = SearchQuery(raw, config="simple", search_type="raw")
    day = timezone.localtime(order.received_at).date()
    candidates = (
        delegated_items(order.township_id, day)
        .filter(search_vector=query)
        .annotate(rank=SearchRank("search_vector", query))
        .order_by("-rank", "code")
        .only("pk", "code", "sub_code", "name", "field")[:40]
    )
    mine = set(wanted)
    scored: list[Suggestion] = []
    for item in candidates:
        name_bigrams = {t for t in tokens(item.name) if len(t) == 2} - _BOILERPLATE - _NAME_BOILERPLATE
        if not name_bigrams:
            continue
        shared = mine & name_bigrams
        if not shared:
            continue
        scored.append(Suggestion(item, round(len(shared) / len(name_bigrams), 3), _shared_words(item.name, shared)))
    scored.sort(key=lambda s: (-s.score, -sum(map(len, s.shared)), s.item.code))
    return scored[:limit]


# --- the order page ------------------------------------------------------------------------------
@dataclass
class OrderPage:
    """Everything the order page shows, and what the user may do there.

    ``actions`` holds the transitions of ``ORDERS`` the user may take now (the chokepoint
    decides, per the permission each transition names) plus ``handle`` (any of accepting or
    asking), ``link_lead`` (feeding a repeat's lead), ``decide`` (a pending request this office
    head did not make) and ``route`` (routing, claiming or sending back to triage).
    """

    flag: Any
    phone: str
    actions: frozenset[str]
    pending: HotlineRequest | None
    links: OrderLinks
    replies: list[HotlineReply]
    requests: list[HotlineRequest]
    events: list[HotlineEvent]
    raw_rows: list[dict[str, Any]]
    suggestions: list[Suggestion]
    route_townships: QuerySet[Unit] | None
    can_change: bool
    can_approve: bool
    can_triage: bool


def order_page(user: User, order: HotlineOrder, *, today: datetime.date | None = None) -> OrderPage:
    today = today or timezone.localdate()
    can_change, can_approve = can(user, "change", order), can(user, "approve", order)
    can_triage = order.in_triage and can(user, "triage", order)
    actions = set(actions_for(ORDERS, user, order, {"change": can_change, "approve": can_approve,
                                                     "triage": can_triage}))  # fmt: skip
    if order.township_id is None:
        actions -= {"accept", "request_return", "convert_to_lead", "choose_item", "interim_reply"}
    if actions & {"accept", "request_extension", "request_return"}:
        actions.add("handle")
    if "convert_to_lead" in actions:
        actions.add("link_lead")
        if not user.has_perm("cases.add_lead"):
            actions.discard("convert_to_lead")
    pending = order.requests.filter(status=RequestStatus.PENDING).select_related("requested_by").first()
    if pending is not None and can_approve and pending.requested_by_id != user.pk:
        actions.add("decide")
    scope = user_scope(user)
    if not scope.everything:
        actions.discard("return_untriaged")  # office heads claim; the district returns
    if can_change and phone_revealable(order):
        actions.add("reveal_phone")
    route_townships = None
    if can_triage or (order.state == OrderState.PENDING and can_approve):
        route_townships = Unit.objects.townships()
        if not scope.everything:
            route_townships = route_townships.filter(pk=scope.township_id)
        actions.add("route")
    raw_rows = raw_rows_of(user, order)
    headers = {row.job_id: row.job.headers for row in raw_rows}
    phone_columns = {row.job_id: (row.job.columns or {}).get("phone") for row in raw_rows}
    return OrderPage(
        flag=order_flag(order, today),
        phone=display_phone(order.phone),
        actions=frozenset(actions),
        pending=pending,
        links=order_links(user, order),
        replies=list(order.replies.select_related("replied_by").order_by("replied_at", "id")),
        requests=list(order.requests.select_related("requested_by", "decided_by").order_by("-requested_at")),
        events=list(order.events.select_related("actor").order_by("-at", "-id")[:50]),
        raw_rows=[
            {
                "row": row,
                "cells": _masked_cells(row, headers.get(row.job_id) or [], phone_columns.get(row.job_id)),
                "warnings": [describe(w) for w in row.warnings],
            }
            for row in raw_rows
        ],
        suggestions=suggest_items(order) if can_change and order.township_id else [],
        route_townships=route_townships,
        can_change=can_change,
        can_approve=can_approve,
        can_triage=can_triage,
    )


def phone_revealable(order: HotlineOrder) -> bool:
    """Whether the order carries a full phone number that pages show masked."""
    try:
        hotline_phone_revealable(order)
    except RuleViolation:
        return False
    return True


_PHONE_KEYS = frozenset(alias for column in HOTLINE_COLUMNS if column.key == "phone" for alias in column.aliases)


def _masked_cells(row: HotlineRawRow, headers: list[str], phone_column: int | None) -> list[tuple[str, Any]]:
    """(header, cell) of a raw row as the order page shows it: the citizen's phone masked."""
    if isinstance(row.cells, list):
        cells = list(zip(headers, row.cells, strict=False))
        return [
            (name, display_phone(str(value or "")) if index == phone_column else value)
            for index, (name, value) in enumerate(cells)
        ]
    return [
        (name, display_phone(str(value or "")) if name in _PHONE_KEYS else value) for name, value in row.cells.items()
    ]


# --- the import page -----------------------------------------------------------------------------
PREVIEW_ROWS = 15
PREVIEW_FIELDS = ("title", "address", "matter", "handling_unit", "platform_status", "platform_reply", "phone")


@dataclass
class ImportPage:
    """An import's page: its rows with problems (a queryset the view pages through), a sample of
    the preview, the recognised columns, an earlier import of the same file, and ``actions``
    (``confirm`` and ``discard`` a preview, ``resume`` a stalled job)."""

    problems: QuerySet[HotlineRawRow]
    preview: dict[str, list]
    columns: list[tuple[str, str]]
    earlier: HotlineImport | None
    actions: frozenset[str]
    townships: list[tuple[str, int]]  # where the orders created or changed go (name, count)


def _preview(job: HotlineImport) -> dict[str, list]:
    """A sample of the rows that would add and update orders (while the preview waits).

    Only rows within the import's scope: of an order another township holds, not even which
    fields differ is shown (the counts say how many such rows there are, by row number)."""
    if not job.is_previewed:
        return {}
    winners = HotlineRawRow.objects.filter(job=job, status=RawRowStatus.VALID, superseded=False)
    same_number = HotlineOrder.objects.filter(order_no=OuterRef("order_no"))
    new_rows = winners.filter(~Exists(same_number))
    if job.township_id is not None:
        # as the import will: new orders placed in the township (or nowhere), the township's orders
        placed_here = Q(parsed__township_id=None) | Q(parsed__township_id=job.township_id)
        new_rows = new_rows.filter(placed_here)
        same_number = same_number.filter(township=job.township_id)
    new = list(new_rows.order_by("row_number")[:PREVIEW_ROWS])
    changed = same_number.exclude(content_hash=OuterRef("content_hash"))
    updated = list(winners.filter(Exists(changed)).order_by("row_number")[:PREVIEW_ROWS])
    current = {o.order_no: o for o in HotlineOrder.objects.filter(order_no__in=[r.order_no for r in updated])}
    changes = []
    for row in updated:
        order = current.get(row.order_no)
        fields = []
        if order is not None:
            for key in PREVIEW_FIELDS:
                if (row.parsed or {}).get(key, "") != getattr(order, key):
                    fields.append(field_label(HotlineOrder, key))
        changes.append({"row": row, "fields": fields})
    return {"new": new, "updated": changes}


def _columns(job: HotlineImport) -> list[tuple[str, str]]:
    """(our column, the file's header) for each recognised column, in the file's order."""
    headers = job.headers or []
    ordered = sorted((job.columns or {}).items(), key=lambda kv: kv[1])
    return [(LABELS.get(key, key), headers[index] if index < len(headers) else "") for key, index in ordered]


def import_page(user: User, job: HotlineImport) -> ImportPage:
    from .importing import earlier_import_of_same_file

    may_run = user.has_perm("cases.add_hotlineimport")
    actions = set()
    if may_run and job.is_previewed:
        actions |= {"confirm", "discard"}
    if may_run and job.is_stale():
        actions.add("resume")
    problems = HotlineRawRow.objects.filter(job=job, status=RawRowStatus.INVALID).order_by("row_number")
    counted = (job.counts or {}).get("townships", {})
    names = dict(Unit.objects.townships(active=None).filter(pk__in=[k for k in counted if k]).values_list("pk", "name"))
    townships = [(names.get(int(key), "?"), n) for key, n in counted.items() if key]
    if counted.get(""):
        townships.append((str(_("the triage queue")), counted[""]))
    return ImportPage(
        problems=problems.only("id", "row_number", "order_no", "errors", "warnings"),
        preview=_preview(job),
        columns=_columns(job),
        earlier=earlier_import_of_same_file(job),
        actions=frozenset(actions),
        townships=sorted(townships),
    )
