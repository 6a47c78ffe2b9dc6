"""What the catalogue's pages share: permission checks, filters, the tabs."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from pengjiang_enforcement.search import search_query

from ..choices import ItemStatus
from ..forms import ItemFilterForm
from ..models import Delegation, PowerItem


def require(request: HttpRequest, permission: str) -> None:
    """403 unless the user holds ``permission`` (for pages that create rather than open a row)."""
    if not request.user.has_perm(permission):
        raise PermissionDenied


def filter_items(items: QuerySet[PowerItem], form: ItemFilterForm, day: datetime.date) -> QuerySet[PowerItem]:
    """Apply the catalogue filters; every one is an indexed condition (see the model's indexes).

    "In force" (the default) means the item is in force and the township, when one is chosen,
    holds it on ``day``; otherwise the township filter means "held it at some time".
    """
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or ItemStatus.IN_FORCE
    if status != ItemFilterForm.STATUS_ALL:
        items = items.filter(status=status)
    if data.get("department"):
        items = items.filter(department=data["department"])
    if data.get("kind"):
        items = items.filter(kind=data["kind"])
    if data.get("township"):
        held = Delegation.objects.filter(item=OuterRef("pk"), township=data["township"])
        if status == ItemStatus.IN_FORCE:
            held = held.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        items = items.filter(Exists(held))
    query = search_query(data.get("q") or "")
    if query is not None:
        items = items.filter(search_vector=query)
    return items.order_by("code", "sub_code")
