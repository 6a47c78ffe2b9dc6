"""The delegation matrix: which township holds which item on a date.

A page of items (filtered like the catalogue) against the townships. Two queries fill it,
whatever the numbers of items and townships: the page of items, then the delegations of
those items on the date, turned into a set of (item, township) pairs.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.pagination import paginate

from ..filters import MatrixFilterSet
from ..models import Delegation

PER_PAGE = 50


@login_required
@permission_required("powers.view_delegation", raise_exception=True)
def matrix(request: HttpRequest) -> HttpResponse:
    filterset = MatrixFilterSet(request.GET, user=request.user)
    form = filterset.form
    day = filterset.reference_day
    items = filterset.qs.select_related("department").defer("search_vector")
    page = paginate(request, items, per_page=PER_PAGE)
    chosen = form.cleaned_data.get("township") if filterset.is_valid() else None
    columns = [chosen] if chosen else list(Unit.objects.townships())
    delegations = Delegation.objects.restrict(request.user, "view").filter(item_id__in=[i.pk for i in page])
    if chosen:
        # One township: show every period of each item there, not only the one covering the day.
        periods: dict[int, list[Delegation]] = {}
        for delegation in delegations.filter(township=chosen).order_by("valid_from"):
            periods.setdefault(delegation.item_id, []).append(delegation)
        rows = []
        for item in page:
            mine = periods.get(item.pk, [])
            rows.append((item, [any(p.covers(day) for p in mine)], mine))
    else:
        held = set(
            delegations.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .order_by()
            .values_list("item_id", "township_id")
        )
        rows = [(item, [(item.pk, t.pk) in held for t in columns], []) for item in page]
    page.object_list = rows
    return render(
        request,
        "powers/matrix.html",
        {
            "form": form,
            "page": page,
            "columns": columns,
            "day": day,
            "chosen": chosen,
            "show_sample": any(item.is_sample for item, _, _ in rows),
            "is_today": day == timezone.localdate(),
        },
    )
