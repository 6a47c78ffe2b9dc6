"""The working-day calendar: a year at a glance, and overrides kept by district admins."""

from __future__ import annotations

import calendar as pycalendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import workdays
from ..forms import CalendarOverrideForm
from ..models import CalendarOverride
from ..selectors import today
from ..services import calendar_override_set


def _month_grid(year: int, month: int, overrides: set[datetime.date]) -> list[list[dict | None]]:
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            working = workdays.is_working_day(day)
            weekend = day.weekday() >= 5
            row.append(
                {
                    "date": day,
                    "working": working,
                    "special": working == weekend,  # a working weekend or a weekday off
                    "override": day in overrides,
                }
            )
        weeks.append(row)
    return weeks


@login_required
@permission_required("core.view_calendaroverride", raise_exception=True)
def calendar_view(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", today().year))
    except ValueError:
        year = today().year
    year = max(2000, min(year, 2100))
    overrides = list(CalendarOverride.objects.restrict(request.user, "view").filter(date__year=year))
    override_days = {o.date for o in overrides}
    with workdays.batch():
        months = [{"month": m, "weeks": _month_grid(year, m, override_days)} for m in range(1, 13)]
    form = None
    if request.user.has_perm("core.add_calendaroverride"):
        form = CalendarOverrideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            calendar_override_set(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The calendar was updated."))
            return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "months": months,
            "overrides": overrides,
            "form": form,
            "today": today(),
            "year_computed": workdays.year_is_computed(year),
        },
    )
