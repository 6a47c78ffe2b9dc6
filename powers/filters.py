"""The filters of the catalogue list, its export and the delegation matrix, declared once.

Every filter is an indexed condition (see ``PowerItem.Meta.indexes``). "In force" (the default)
means the item is in force and the township, when one is chosen, holds it on the day; otherwise
the township filter means "held it at some time".
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters as filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.filters import QueueFilterSet
from pengjiang_enforcement.forms import DateInput
from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.search import search_query

from .choices import ItemStatus, PowerKind
from .models import Delegation, PowerItem
from .selectors import departments

STATUS_ALL = "all"


class UnitChoiceFilter(filters.ModelChoiceFilter):
    """A unit by its name (townships) or short name (departments)."""

    def __init__(self, *args: Any, short: bool = False, **kwargs: Any) -> None:
        self.short = short
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = (lambda unit: unit.short_name) if self.short else (lambda unit: unit.name)
        return field


class ItemFilterSet(QueueFilterSet):
    """The catalogue list (and its XLSX/CSV export): search, department, kind, township, status."""

    defaults = {"status": ItemStatus.IN_FORCE}
    default_sort = "code"

    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    department = UnitChoiceFilter(
        label=_("source department"), queryset=Unit.objects.none(), empty_label=_("All departments"), short=True
    )
    kind = filters.ChoiceFilter(label=_("kind of power"), empty_label=_("All kinds"), choices=PowerKind.choices)
    township = UnitChoiceFilter(
        label=_("township"),
        queryset=Unit.objects.none(),
        empty_label=_("All townships and streets"),
        method="filter_township",
    )
    status = filters.ChoiceFilter(
        label=_("status"),
        method="filter_status",
        empty_label=None,
        choices=[(ItemStatus.IN_FORCE, _("In force")), (ItemStatus.RECALLED, _("Recalled")), (STATUS_ALL, _("All"))],
    )

    class Meta:
        model = PowerItem
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["department"].queryset = departments()
        self.form.fields["township"].queryset = Unit.objects.townships()

    @property
    def reference_day(self) -> datetime.date:
        """The day "in force" and "holds" refer to (today; the matrix lets the user choose)."""
        return self.today

    def base_queryset(self) -> QuerySet[PowerItem]:
        return PowerItem.objects.restrict(self.user, "view")

    def filter_q(self, items: QuerySet[PowerItem], name: str, value: str) -> QuerySet[PowerItem]:
        query = search_query(value)
        return items.filter(search_vector=query) if query is not None else items

    def filter_status(self, items: QuerySet[PowerItem], name: str, value: str) -> QuerySet[PowerItem]:
        return items if value == STATUS_ALL else items.filter(status=value)

    def filter_township(self, items: QuerySet[PowerItem], name: str, value: Unit) -> QuerySet[PowerItem]:
        held = Delegation.objects.filter(item=OuterRef("pk"), township=value)
        if self.form.cleaned_data.get("status") == ItemStatus.IN_FORCE:
            day = self.reference_day
            held = held.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        return items.filter(Exists(held))

    def filter_sort(self, items: QuerySet[PowerItem], name: str, value: str) -> QuerySet[PowerItem]:
        return items.order_by("code", "sub_code")


class MatrixFilterSet(ItemFilterSet):
    """The delegation matrix: the catalogue's filters, on a day of the user's choice."""

    day = filters.DateFilter(label=_("on"), method="filter_day", widget=DateInput())

    @property
    def reference_day(self) -> datetime.date:
        chosen = self.form.cleaned_data.get("day") if self.is_valid() else None
        return chosen or self.today

    def filter_day(self, items: QuerySet[PowerItem], name: str, value: datetime.date) -> QuerySet[PowerItem]:
        return items  # the day is read by the township filter and by the matrix itself
