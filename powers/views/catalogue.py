"""The catalogue list, an item's page, the export, and the discretion and leniency screens."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.forms import add_violation
from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.permissions import get_restricted_object_or_404

from .. import exporting
from ..choices import DiscretionLevel
from ..filters import ItemFilterSet
from ..forms import BandFormSet, DiscretionForm, LeniencyForm
from ..models import (
    LeniencyEntry,
    PowerItem,
)
from ..selectors import discretion_standard_on, holders_on, item_page
from ..standards import discretion_standard_create, leniency_entry_add, leniency_entry_end
from .common import require, warn_far_ahead

PER_PAGE = 50


@login_required
@permission_required("powers.view_poweritem", raise_exception=True)
def item_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the catalogue (department, kind, township, status, Chinese text)."""
    today = timezone.localdate()
    filterset = ItemFilterSet(request.GET, user=request.user)
    form = filterset.form
    items = filterset.qs.select_related("department").defer("search_vector")
    page = paginate(request, items, per_page=PER_PAGE)
    held = holders_on([item.pk for item in page], today)
    all_townships = list(Unit.objects.townships())
    names = {t.pk: t.short_name for t in all_townships}
    page.object_list = [(item, sorted(names[t] for t in held[item.pk] if t in names)) for item in page]
    return render(
        request,
        "powers/item_list.html",
        {
            "form": form,
            "page": page,
            "township_count": len(all_townships),
            # The catalogue is a bounded table (hundreds of items, 50,000 in the benchmark):
            # counting the list the filters give is cheap, unlike a count of cases.
            "total": filterset.qs.count(),
            "narrowed": _narrowed(filterset),
            "show_sample": any(item.is_sample for item, _ in page.object_list),
            "can_change": request.user.has_perm("powers.add_adjustment"),
            "export_query": page.query_without_page,
        },
    )


def _narrowed(filterset: ItemFilterSet) -> bool:
    """Whether the list shows less than the catalogue in force (a filter beyond the default)."""
    if not filterset.is_valid():
        return False
    chosen = filterset.form.cleaned_data
    return any(
        value not in (None, "") and value != filterset.defaults.get(name)
        for name, value in chosen.items()
        if name != "sort"
    )


@login_required
@permission_required("powers.view_poweritem", raise_exception=True)
def item_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered catalogue as XLSX or CSV, in the format the import reads."""
    if fmt not in {"xlsx", "csv"}:
        raise Http404
    today = timezone.localdate()
    items = ItemFilterSet(request.GET, user=request.user).qs
    sample = items.filter(is_sample=True).exists()
    respond = exporting.xlsx_response if fmt == "xlsx" else exporting.csv_response
    return respond(items, stem=_("catalogue"), day=today, sample=sample)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An item: content, legal basis, discretion standard, lists, delegations, history."""
    item = get_restricted_object_or_404(PowerItem.objects.select_related("department"), request.user, pk=pk)
    today = timezone.localdate()
    page = item_page(request.user, item, today=today)
    return render(
        request,
        "powers/item_detail.html",
        {
            "item": item,
            "today": today,
            "page": page,
            "standards": page.standards,
            "current_standard": page.current_standard,
            "leniency": page.leniency,
            "delegations": page.delegations,
            "held_now": page.held_now,
            "versions": page.versions,
            "adjustments": page.adjustments,
            "evaluations": page.evaluations,
            "open_adjustment": page.open_adjustment,
            "actions": page.actions,
            "usage": page.usage,
            "show_sample": item.is_sample,
            "in_force": page.in_force,
        },
    )


@login_required
def discretion_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a new version of an item's discretion standard (the old one stays pinned)."""
    require(request, "powers.add_discretionstandard")
    item = get_restricted_object_or_404(PowerItem, request.user, "change", pk=pk)
    current = discretion_standard_on(item, timezone.localdate())
    initial_bands = [{"level": level} for level in DiscretionLevel.values]
    if current is not None:
        existing = {band.level: band for band in current.bands.all()}
        initial_bands = [
            {
                "level": level,
                "conditions": existing[level].conditions,
                "fine_min": existing[level].fine_min,
                "fine_max": existing[level].fine_max,
                "measures": existing[level].measures,
            }
            if level in existing
            else {"level": ""}
            for level in DiscretionLevel.values
        ]
    form = DiscretionForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    bands = BandFormSet(request.POST or None, initial=initial_bands, prefix="band")
    if request.method == "POST" and form.is_valid() and bands.is_valid():
        chosen = [b for b in bands.cleaned_data if b.get("level") or b.get("conditions")]
        try:
            standard = discretion_standard_create(
                actor=request.user,
                item=item,
                bands=chosen,
                effective_from=form.cleaned_data["effective_from"],
                note=form.cleaned_data["note"],
            )
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s of the discretion standard was published.") % {"version": standard.version},
            )
            warn_far_ahead(request, standard.effective_from)
            return redirect("powers:item_detail", pk=item.pk)
    return render(
        request, "powers/discretion_form.html", {"item": item, "form": form, "bands": bands, "current": current}
    )


@login_required
def leniency_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the item on a reduced- or no-penalty list."""
    require(request, "powers.add_leniencyentry")
    item = get_restricted_object_or_404(PowerItem, request.user, "change", pk=pk)
    form = LeniencyForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            leniency_entry_add(actor=request.user, item=item, **form.cleaned_data)
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("The list entry was added."))
            warn_far_ahead(request, form.cleaned_data["effective_from"])
            return redirect("powers:item_detail", pk=item.pk)
    return render(request, "powers/leniency_form.html", {"item": item, "form": form})


@login_required
@require_POST
def leniency_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an entry off its list from today (the record stays)."""
    require(request, "powers.change_leniencyentry")
    entry = get_restricted_object_or_404(LeniencyEntry, request.user, "change", pk=pk)
    try:
        leniency_entry_end(actor=request.user, entry=entry, last_day=timezone.localdate() - datetime.timedelta(days=1))
    except RuleViolation as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The entry left the list from today."))
    return redirect("powers:item_detail", pk=entry.item_id)
