"""Public disclosure (公示) of the catalogue: no sign-in, read-only.

These pages are the one place the catalogue is read without the permission chokepoint: the
public may read what is published, and nothing else. Every query here starts from
:func:`powers.selectors.published_items` — items in force and delegated on today's date — so
a recalled item, an item not yet in force, or one no township holds is not shown (404 for
its page).
"""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.search import search_query

from .. import exporting
from ..choices import PowerKind
from ..selectors import (
    announcements,
    departments,
    discretion_standard_on,
    has_sample_items,
    in_force_count,
    leniency_entries_on,
    published_items,
    standards_and_lists_on,
)

PER_PAGE = 50
# A printed list of a township's catalogue; a larger one is downloaded as XLSX.
PRINT_LIMIT = 2000
public = cache_control(public=True, max_age=300)


def _announce(items, day, township: Unit | None = None) -> None:
    """Mark each item with the approved change it awaits (``item.announcement``), if any."""
    found = announcements([item.pk for item in items], day, township)
    for item in items:
        item.announcement = found.get(item.pk)


def _township(code: str) -> Unit:
    return get_object_or_404(Unit.objects.townships(), code=code)


def _filtered(request: HttpRequest, items):
    q = request.GET.get("q", "").strip()
    query = search_query(q)
    if query is not None:
        items = items.filter(search_vector=query)
    department = request.GET.get("department", "")
    if department.isdigit():
        items = items.filter(department_id=int(department))
    kind = request.GET.get("kind", "")
    if kind in PowerKind.values:
        items = items.filter(kind=kind)
    return items.order_by("code", "sub_code"), {"q": q, "department": department, "kind": kind}


@public
def index(request: HttpRequest) -> HttpResponse:
    """The catalogue in force today, per township; search across all of it."""
    today = timezone.localdate()
    items, filters = _filtered(request, published_items(today).select_related("department").defer("search_vector"))
    page = paginate(request, items, per_page=PER_PAGE)
    _announce(page.object_list, today)
    matched = items.count() if any(filters.values()) else None
    return render(
        request,
        "powers/public/index.html",
        {
            "today": today,
            "townships": list(Unit.objects.townships()),
            "departments": list(departments()),
            "kinds": PowerKind.choices,
            "filters": filters,
            "page": page,
            "total": in_force_count(today),
            "matched": matched,
            "show_sample": has_sample_items(),
        },
    )


@public
def township(request: HttpRequest, code: str) -> HttpResponse:
    """What one township may enforce today, searchable, printable."""
    unit = _township(code)
    today = timezone.localdate()
    base = published_items(today, unit)
    items, filters = _filtered(request, base.select_related("department").defer("search_vector"))
    printing = request.GET.get("print") == "1"
    if printing:
        rows = list(items[: PRINT_LIMIT + 1])
        page, truncated = rows[:PRINT_LIMIT], len(rows) > PRINT_LIMIT
    else:
        page, truncated = paginate(request, items, per_page=PER_PAGE), False
    _announce(list(page), today, unit)
    if printing:
        standards, lists = standards_and_lists_on([item.pk for item in page], today)
        for item in page:
            item.standard, item.lists = standards.get(item.pk), lists.get(item.pk, [])
    return render(
        request,
        "powers/public/print.html" if printing else "powers/public/township.html",
        {
            "township": unit,
            "today": today,
            "page": page,
            "truncated": truncated,
            "filters": filters,
            "departments": list(departments()),
            "kinds": PowerKind.choices,
            "total": base.count(),
            "matched": items.count() if any(filters.values()) else None,
            "show_sample": any(item.is_sample for item in page),
            "townships": list(Unit.objects.townships()),
        },
    )


@public
def item(request: HttpRequest, pk: int) -> HttpResponse:
    """One published item: legal basis, discretion standard, reduced-/no-penalty lists."""
    today = timezone.localdate()
    found = (
        published_items(today)
        .select_related("department")
        .annotate(
            holder_ids=ArrayAgg(
                "delegations__township_id",
                filter=Q(delegations__valid_from__lte=today)
                & (Q(delegations__valid_to__isnull=True) | Q(delegations__valid_to__gte=today)),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    _announce([found], today)
    standard = discretion_standard_on(found, today)
    bands = list(standard.bands.order_by("sort_order")) if standard else []
    return render(
        request,
        "powers/public/item.html",
        {
            "item": found,
            "today": today,
            "standard": standard,
            "bands": bands,
            "leniency": list(leniency_entries_on(found, today)),
            "holders": [t for t in Unit.objects.townships() if t.pk in set(found.holder_ids or [])],
            "show_sample": found.is_sample,
        },
    )


def export(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The published catalogue (of one township, or all) as XLSX."""
    today = timezone.localdate()
    unit = _township(code) if code else None
    items = published_items(today, unit)
    stem = _("%(township)s enforcement items") % {"township": unit.name} if unit else _("enforcement items")
    return exporting.xlsx_response(
        items, stem=stem, day=today, sample=items.filter(is_sample=True).exists(), holders_on=today
    )
