"""The filters of the case and lead queues, each declared once (django-filter FilterSets).

A filter set starts from what the user may see (``restrict(user, "view")``) and narrows it to the
user's township first, so the township indexes apply (see ``Case.Meta.indexes``); every filter
and sort after that is an indexed condition. Views bind a filter set to the query string, the
export and the home-page panels to a dict: :func:`case_queue` and :func:`lead_queue`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import django_filters as filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms import CheckboxInput
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.filters import QueueFilterSet
from pengjiang_enforcement.forms import DateInput
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import user_scope
from pengjiang_enforcement.search import search_query
from powers.choices import PowerKind
from powers.models import Delegation, PowerItem

from .choices import CASE_LIVE_STATES, LEAD_OPEN_STATUSES, CaseState, LeadSource, LeadStatus
from .forms import ChosenOnlySelect, ItemChoiceField, OfficerChoiceField
from .models import Case, CaseOfficer, Lead, Party
from .services.common import policy_for

CASE_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-id",),
    "oldest": ("id",),
    "due": ("next_due_on", "id"),
    "filed": ("-filed_on", "-id"),
    "filed_asc": ("filed_on", "id"),
}
CASE_SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("due", _("Nearest deadline")),
    ("filed", _("Filing date, newest")),
    ("filed_asc", _("Filing date, oldest")),
]
LEAD_SORTS: dict[str, tuple[str, ...]] = {"newest": ("-id",), "oldest": ("id",), "due": ("check_due", "id")}
LEAD_SORT_CHOICES = [("newest", _("Newest first")), ("oldest", _("Oldest first")), ("due", _("Nearest deadline"))]
SCOPES = ("mine", "township", "all")


def due_soon_days(user: User) -> int:
    """How many days ahead a deadline counts as due soon, by the user's township policy."""
    return policy_for(user_scope(user).township_id).due_soon_days


class ItemFilter(filters.ModelChoiceFilter):
    field_class = ItemChoiceField


def filter_items(user: User) -> QuerySet[PowerItem]:
    """The penalty items a user may filter the case queue by: those ever delegated to the user's
    township, or the whole catalogue's for district staff (what the item picker searches)."""
    items = PowerItem.objects.restrict(user, "view").filter(kind=PowerKind.PENALTY)
    township_id = user_scope(user).township_id
    if township_id is not None:
        items = items.filter(Exists(Delegation.objects.filter(item=OuterRef("pk"), township=township_id)))
    return items


def item_picker_attrs() -> dict[str, Any]:
    """The data attributes that turn the queue's item select into the searchable picker."""
    return {
        "data-item-picker": True,
        "data-search-url": reverse_lazy("cases:item_filter_search"),
        "data-fallback": "item-code-fallback",
        "data-placeholder": _("Type a name, a code or words (占道, 噪声)"),
        "data-empty-text": _("No item matches."),
        "data-more-text": _("More items match: type more words."),
        "data-results-label": _("Matching items"),
    }


class OfficerFilter(filters.ModelChoiceFilter):
    field_class = OfficerChoiceField


class CaseFilterSet(QueueFilterSet):
    """My cases, the township's, or every case the user may see (district staff)."""

    defaults = {"state": "live"}

    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    state = filters.ChoiceFilter(label=_("state"), method="filter_state", empty_label=None)
    deadline = filters.ChoiceFilter(
        label=_("Deadline"),
        method="filter_deadline",
        empty_label=_("Any"),
        choices=[("overdue", _("Overdue")), ("due_soon", _("Due soon"))],
    )
    township = filters.ModelChoiceFilter(label=_("township"), queryset=Unit.objects.none(), method="filter_township")
    item = ItemFilter(
        label=_("power item"),
        field_name="power_item",
        queryset=PowerItem.objects.none(),
        widget=ChosenOnlySelect(attrs=item_picker_attrs()),
    )
    item_code = filters.CharFilter(
        label=_("Power item code"),
        method="filter_item_code",
        max_length=30,
        help_text=_("The 12-digit code, with its sub-item code after a hyphen if it has one."),
        validators=[
            RegexValidator(
                r"^\s*\d{12}(-\S+)?(\s.*)?$",
                _("Type the item's 12-digit code, e.g. 440700000001 or 440700000001-01."),
            )
        ],
    )
    officer = OfficerFilter(label=_("Officer"), queryset=User.objects.none(), method="filter_officer")
    party = filters.CharFilter(label=_("Party"), method="filter_party", max_length=100)
    source = filters.ChoiceFilter(label=_("source"), empty_label=_("Any source"), choices=LeadSource.choices)
    filed_from = filters.DateFilter(label=_("Filed from"), field_name="filed_on", lookup_expr="gte", widget=DateInput())
    filed_to = filters.DateFilter(label=_("Filed until"), field_name="filed_on", lookup_expr="lte", widget=DateInput())
    sort = filters.ChoiceFilter(label=_("Sort"), method="filter_sort", empty_label=None, choices=CASE_SORT_CHOICES)

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User, scope: str = "township", **kwargs):
        if scope not in SCOPES:
            scope = "township"
        if scope == "township" and not user_scope(user).township_id:
            scope = "all"  # district staff: every township
        self.queue = scope
        super().__init__(data, user=user, **kwargs)
        form = self.form
        live = [(s.value, s.label) for s in CaseState if s.value in CASE_LIVE_STATES]
        closed = [(s.value, s.label) for s in CaseState if s.value not in CASE_LIVE_STATES]
        form.fields["state"].choices = [("live", _("Live cases")), ("", _("All states")), (_("Live"), live),
                                        (_("Ended"), closed)]  # fmt: skip
        township_id = self.scope.township_id
        if township_id is None:
            form.fields["township"].queryset = Unit.objects.townships(active=None)
        else:
            form.fields.pop("township")
        form.fields["item"].queryset = filter_items(user)
        officers = User.objects.restrict(user, "view").filter(
            is_active=True, groups__name__in=[Role.OFFICER, Role.OFFICE_HEAD]
        )
        if township_id is not None:
            officers = officers.filter(unit__township=township_id)
        # The filter needs the officer's key only, the option their name.
        form.fields["officer"].queryset = officers.distinct().order_by("full_name").only("full_name", "username")

    def base_queryset(self) -> QuerySet[Case]:
        cases = Case.objects.restrict(self.user, "view")
        if self.queue == "mine":
            cases = cases.filter(pk__in=CaseOfficer.objects.filter(user=self.user).values("case_id"))
        if self.queue in ("mine", "township") and self.scope.township_id:
            # Also narrows the chokepoint's OR to one township, so the township indexes apply
            # (a township officer handles the township's cases: the team is chosen among them).
            cases = cases.filter(township=self.scope.township_id)
        return cases

    # --- the filters that are more than a lookup -------------------------------------------
    def filter_q(self, cases: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        text = value.strip()
        if not text:
            return cases
        match = Q(number=text)
        query = search_query(text)
        if query is not None:
            match |= Q(search_vector=query)
        return cases.filter(match)

    def filter_state(self, cases: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "live":
            return cases.filter(state__in=CASE_LIVE_STATES)
        return cases.filter(state=value)

    def filter_deadline(self, cases: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "overdue":
            return cases.filter(next_due_on__lt=self.today)
        soon = self.today + datetime.timedelta(days=due_soon_days(self.user))
        return cases.filter(next_due_on__gte=self.today, next_due_on__lte=soon)

    def filter_township(self, cases: QuerySet[Case], name: str, value: Unit) -> QuerySet[Case]:
        return cases.filter(township=value)

    def filter_item_code(self, cases: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        words = value.split()
        if not words:
            return cases
        code, _hyphen, sub_code = words[0].partition("-")
        items = filter_items(self.user).filter(code=code, sub_code=sub_code)
        return cases.filter(power_item__in=items.values("pk"))

    def filter_officer(self, cases: QuerySet[Case], name: str, value: User) -> QuerySet[Case]:
        return cases.filter(pk__in=CaseOfficer.objects.filter(user=value).values("case_id"))

    def filter_party(self, cases: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        text = value.strip()
        if not text:
            return cases
        parties = Party.objects.filter(Q(name__startswith=text) | Q(identity_key=text.upper()))
        return cases.filter(pk__in=parties.values("case_id"))

    def filter_sort(self, cases: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        sort = value if value in CASE_SORTS else "newest"
        if sort == "due":
            cases = cases.filter(next_due_on__isnull=False)
        elif sort in ("filed", "filed_asc"):
            cases = cases.filter(filed_on__isnull=False)
        return cases.order_by(*CASE_SORTS[sort])


class LeadFilterSet(QueueFilterSet):
    """The township's leads (the district's for district staff)."""

    defaults = {"status": "open"}

    q = filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    status = filters.ChoiceFilter(label=_("status"), method="filter_status", empty_label=None)
    source = filters.ChoiceFilter(label=_("source"), empty_label=_("Any source"), choices=LeadSource.choices)
    mine = filters.BooleanFilter(label=_("Mine to check"), method="filter_mine", widget=CheckboxInput())
    overdue = filters.BooleanFilter(label=_("Check overdue"), method="filter_overdue", widget=CheckboxInput())
    discovered_from = filters.DateFilter(
        label=_("Discovered from"), field_name="discovered_on", lookup_expr="gte", widget=DateInput()
    )
    discovered_to = filters.DateFilter(
        label=_("Discovered until"), field_name="discovered_on", lookup_expr="lte", widget=DateInput()
    )
    sort = filters.ChoiceFilter(label=_("Sort"), method="filter_sort", empty_label=None, choices=LEAD_SORT_CHOICES)

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User, **kwargs: Any) -> None:
        super().__init__(data, user=user, **kwargs)
        self.form.fields["status"].choices = [("open", _("Awaiting check")), ("", _("All")), *LeadStatus.choices]

    def base_queryset(self) -> QuerySet[Lead]:
        leads = Lead.objects.restrict(self.user, "view")
        if self.scope.township_id:
            leads = leads.filter(township=self.scope.township_id)
        return leads.select_related("township", "checker")

    def filter_q(self, leads: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        text = value.strip()
        if not text:
            return leads
        match = Q(reference=text) | Q(hotline_order_no=text)
        query = search_query(text)
        if query is not None:
            match |= Q(search_vector=query)
        return leads.filter(match)

    def filter_status(self, leads: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        if value == "open":
            return leads.filter(status__in=LEAD_OPEN_STATUSES)
        return leads.filter(status=value)

    def filter_mine(self, leads: QuerySet[Lead], name: str, value: bool) -> QuerySet[Lead]:
        if not value:
            return leads
        return leads.filter(mine_to_check(self.user))

    def filter_overdue(self, leads: QuerySet[Lead], name: str, value: bool) -> QuerySet[Lead]:
        if not value:
            return leads
        return leads.filter(status__in=LEAD_OPEN_STATUSES, check_due__lt=self.today)

    def filter_sort(self, leads: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return leads.order_by(*LEAD_SORTS[value if value in LEAD_SORTS else "newest"])


def case_queue(
    user: User, *, scope: str = "township", today: datetime.date | None = None, **params: Any
) -> QuerySet[Case]:
    """The cases a user may see, filtered and sorted (for panels, tasks and the benchmark)."""
    return CaseFilterSet(params, user=user, scope=scope, today=today).qs


def mine_to_check(user: User) -> Q:
    """The leads a user is to check: those they check, and those they registered that nobody
    took yet (the queue's "mine" filter and the home panel)."""
    return Q(checker=user) | Q(checker__isnull=True, registered_by=user)


def lead_queue(user: User, *, today: datetime.date | None = None, **params: Any) -> QuerySet[Lead]:
    """The leads a user may see, filtered and sorted."""
    return LeadFilterSet(params, user=user, today=today).qs
