"""What every list's filters share (django-filter FilterSets over the permission chokepoint).

A list declares its filters once, as a :class:`QueueFilterSet`: the view binds it to the query
string, a panel or an export to a dict. The filter set starts from what the user may see
(``base_queryset``, built on ``restrict(user, "view")``), fills in the defaults of filters the
query does not carry, and sorts last.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.http import QueryDict

from .permissions import user_scope
from .workdays import today as local_today


class QueueFilterSet(filters.FilterSet):
    """What the queues share: the user, the default of a filter missing from the query, and a
    sort applied last (the default sort when none or an unknown one is asked for)."""

    defaults: dict[str, str] = {}
    default_sort = "newest"

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, user: Any, today: datetime.date | None = None, **kwargs: Any
    ) -> None:
        params = data.copy() if isinstance(data, QueryDict) else QueryDict(mutable=True)
        if not isinstance(data, QueryDict):
            params.update(data or {})
        for name, value in self.defaults.items():
            params.setdefault(name, value)
        self.user = user
        self.today = local_today(today)
        self.scope = user_scope(user)
        super().__init__(params, queryset=self.base_queryset(), **kwargs)

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        rows = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            rows = self.filter_sort(rows, "sort", self.default_sort)
        return rows

    def filter_sort(self, rows: QuerySet, name: str, value: str) -> QuerySet:
        raise NotImplementedError
