"""The filters of the 12345 work-order queue and of the reply file, declared once."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.forms import TextInput
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pengjiang_enforcement.filters import QueueFilterSet
from pengjiang_enforcement.forms import DateInput
from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.search import search_query

from .choices import OPEN_STATES, OrderState, OrderType
from .deadlines import soon_horizon
from .models import HotlineOrder

ORDER_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_on", "id"),
    "newest": ("-received_at", "-id"),
    "oldest": ("received_at", "id"),
}


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Typed this far (with a digit), a number is searched as the start of the orders' numbers.
NUMBER_PREFIX_MIN = 4


def text_match(text: str) -> Q:
    """An order number or its first characters (typed half- or full-width), else the words.

    The number is normalised as the import normalises it and compared with ``order_no`` by
    ``LIKE 'prefix%'``, which the ``varchar_pattern_ops`` index PostgreSQL keeps for the unique
    ``order_no`` serves; with the GIN-indexed words, the whole condition can use indexes.
    """
    from .parsing import OrderNumberError, normalise_order_no

    # What cannot be normalised is no stored number either: every order's number was
    # normalised from the number as received, so only the words remain to match.
    text = text.strip()
    match = Q(pk__in=[])
    try:
        number = normalise_order_no(text)
    except OrderNumberError:
        pass
    else:
        if len(number) >= NUMBER_PREFIX_MIN and any(c.isdigit() for c in number):
            match = Q(order_no__startswith=number)
        else:
            match = Q(order_no=number)
    query = search_query(text)
    if query is not None:
        match |= Q(search_vector=query)
    return match


class OrderFilterSet(QueueFilterSet):
    """The routed orders a user may see: the township's (every township's for district staff)."""

    defaults = {"state": "open"}
    default_sort = "due"

    q = filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=100,
        widget=TextInput(attrs={"placeholder": _("number, words of the title, address or matter")}),
    )
    state = filters.ChoiceFilter(label=_("state"), method="filter_state", empty_label=None)
    order_type = filters.ChoiceFilter(label=_("type"), method="filter_type", empty_label=_("any"))
    deadline = filters.ChoiceFilter(
        label=_("deadline"),
        method="filter_deadline",
        empty_label=_("any"),
        choices=[("overdue", _("overdue")), ("due_soon", _("due soon"))],
    )
    lead = filters.ChoiceFilter(
        label=_("lead"),
        method="filter_lead",
        empty_label=_("any"),
        choices=[("with", _("turned into a lead")), ("without", _("no lead"))],
    )
    # Bounds as instants (not ``received_at__date``), so the (township, received_at) index applies.
    received_from = filters.DateFilter(label=_("received from"), method="filter_received_from", widget=DateInput())
    received_to = filters.DateFilter(label=_("received until"), method="filter_received_to", widget=DateInput())
    township = filters.ModelChoiceFilter(label=_("township"), queryset=Unit.objects.none(), field_name="township")
    sort = filters.ChoiceFilter(
        label=_("sort"),
        method="filter_sort",
        empty_label=None,
        choices=[("due", _("deadline first")), ("newest", _("newest")), ("oldest", _("oldest"))],
    )

    class Meta:
        model = HotlineOrder
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["state"].choices = [
            ("open", pgettext_lazy("work orders", "open")),
            ("", pgettext_lazy("states", "all")),
            *OrderState.choices,
        ]
        fields["order_type"].choices = [("", _("any")), *[(v or "none", label) for v, label in OrderType.choices]]
        if self.scope.everything:
            fields["township"].queryset = Unit.objects.townships()
        else:
            del fields["township"]

    def base_queryset(self) -> QuerySet[HotlineOrder]:
        orders = HotlineOrder.objects.restrict(self.user, "view").filter(township__isnull=False)
        if self.scope.township_id:
            orders = orders.filter(township=self.scope.township_id)  # narrows the chokepoint's OR to the index
        return orders

    def filter_q(self, orders: QuerySet[HotlineOrder], name: str, value: str) -> QuerySet[HotlineOrder]:
        return orders.filter(text_match(value)) if value.strip() else orders

    def filter_state(self, orders: QuerySet[HotlineOrder], name: str, value: str) -> QuerySet[HotlineOrder]:
        if value == "open":
            return orders.filter(state__in=OPEN_STATES)
        return orders.filter(state=value)

    def filter_type(self, orders: QuerySet[HotlineOrder], name: str, value: str) -> QuerySet[HotlineOrder]:
        return orders.filter(order_type="" if value == "none" else value)

    def filter_deadline(self, orders: QuerySet[HotlineOrder], name: str, value: str) -> QuerySet[HotlineOrder]:
        if value == "overdue":
            return orders.filter(state__in=OPEN_STATES, due_on__lt=self.today)
        return orders.filter(state__in=OPEN_STATES, due_on__gte=self.today, due_on__lte=soon_horizon(self.today))

    def filter_lead(self, orders: QuerySet[HotlineOrder], name: str, value: str) -> QuerySet[HotlineOrder]:
        return orders.filter(lead__isnull=value == "without")

    def filter_received_from(
        self, orders: QuerySet[HotlineOrder], name: str, value: datetime.date
    ) -> QuerySet[HotlineOrder]:
        return orders.filter(received_at__gte=_day_start(value))

    def filter_received_to(
        self, orders: QuerySet[HotlineOrder], name: str, value: datetime.date
    ) -> QuerySet[HotlineOrder]:
        return orders.filter(received_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_sort(self, orders: QuerySet[HotlineOrder], name: str, value: str) -> QuerySet[HotlineOrder]:
        return orders.order_by(*ORDER_SORTS[value if value in ORDER_SORTS else "due"])


def order_queue(user: Any, *, today: datetime.date | None = None, **params: Any) -> QuerySet[HotlineOrder]:
    """The routed orders a user may see, filtered and sorted (panels, tests, the benchmark)."""
    return OrderFilterSet(params, user=user, today=today).qs
