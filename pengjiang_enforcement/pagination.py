"""Bounded pagination: no COUNT(*) over the table, a page fetches one row more than it shows.

Lists of a million cases cannot afford a count on every page view, nor deep OFFSETs. A page
knows whether a next page exists by asking for ``per_page + 1`` rows, and page numbers stop at
``MAX_PAGE``: past that, users narrow the list with filters (or export it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest

MAX_PAGE = 200


@dataclass
class BoundedPage:
    object_list: list[Any]
    number: int
    per_page: int
    has_next: bool
    query_without_page: str

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.object_list) - 1 if self.object_list else 0

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = 25, *, keys_first: bool = False) -> BoundedPage:
    """The requested page of an ordered queryset, without counting it.

    ``keys_first`` (the big queues) finds the page's keys before reading its rows, in the same
    query: ``WHERE pk IN (SELECT pk ... ORDER BY ... LIMIT n OFFSET m)``. The skipped rows and
    the candidates of a sort are then read from the index alone, not fetched whole (a page 200,
    or the newest of a township's overdue cases, would otherwise read and sort thousands of
    full rows to show 25).
    """
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    number = max(1, min(number, MAX_PAGE))
    offset = (number - 1) * per_page
    if keys_first:
        rows = list(queryset.filter(pk__in=queryset.values("pk")[offset : offset + per_page + 1]))
    else:
        rows = list(queryset[offset : offset + per_page + 1])
    params = request.GET.copy()
    params.pop("page", None)
    return BoundedPage(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page and number < MAX_PAGE,
        query_without_page=urlencode(list(params.lists()), doseq=True),
    )
