"""The working-day calendar on real 2025 and 2026 holidays and make-up working days (调休)."""

from __future__ import annotations

import datetime as dt

import pytest

from pengjiang_enforcement import workdays
from pengjiang_enforcement.choices import CalendarDayKind
from pengjiang_enforcement.services import calendar_override_set
from pengjiang_enforcement.workdays import (
    add_calendar_days,
    add_months,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = dt.date


@pytest.fixture(autouse=True)
def _fresh_override_cache():
    workdays.clear_override_cache()
    yield
    workdays.clear_override_cache()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival 2025: 28 Jan - 4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked.
        (D(2025, 1, 26), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 8), True),
        # National Day 2025: 1-8 Oct off; Sunday 28 Sep and Saturday 11 Oct worked.
        (D(2025, 9, 28), True),
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),
        # Spring Festival 2026: 15-23 Feb off; Saturdays 14 and 28 Feb worked.
        (D(2026, 2, 14), True),
        (D(2026, 2, 16), False),
        (D(2026, 2, 23), False),
        (D(2026, 2, 28), True),
        # National Day 2026: 1-7 Oct off; Sunday 20 Sep and Saturday 10 Oct worked.
        (D(2026, 9, 20), True),
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),
        # ordinary days
        (D(2026, 3, 2), True),
        (D(2026, 3, 7), False),
    ],
)
def test_real_holidays_and_make_up_days(day, working):
    assert is_working_day(day) is working


@pytest.mark.django_db
def test_five_working_days_across_spring_festival_2026():
    # Notice served on Thursday 12 Feb 2026: Fri 13, Sat 14 (make-up), then the holiday runs to
    # Mon 23; Tue 24, Wed 25, Thu 26 complete the five working days.
    assert add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)


@pytest.mark.django_db
def test_seven_working_days_across_national_day_2025():
    # Served Friday 26 Sep 2025: Sun 28 Sep (make-up), Mon 29, Tue 30, then 1-8 Oct off,
    # Thu 9, Fri 10, Sat 11 (make-up), Mon 13.
    assert add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)


@pytest.mark.django_db
def test_start_day_is_not_counted():
    # Monday -> the first working day after it is Tuesday.
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    # A Friday plus one working day is the next Monday.
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)


@pytest.mark.django_db
def test_working_days_between_is_the_inverse_of_adding():
    for start in (D(2025, 1, 20), D(2025, 9, 25), D(2026, 2, 10), D(2026, 9, 18)):
        for n in (1, 2, 5, 7, 15, 20):
            assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(D(2026, 2, 26), D(2026, 2, 12)) == -5


@pytest.mark.django_db
def test_working_days_between_across_national_day_2026():
    # 30 Sep (Wed) to 12 Oct (Mon): Oct 8, 9, 10 (make-up Saturday) and 12 are working days.
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4


@pytest.mark.django_db
def test_negative_and_zero_working_days():
    assert add_working_days(D(2026, 2, 26), -5) == D(2026, 2, 12)
    assert add_working_days(D(2026, 2, 16), 0) == D(2026, 2, 24)  # a holiday rolls to the next working day
    assert add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


@pytest.mark.django_db
def test_calendar_period_ending_on_a_holiday_rolls_forward():
    # 15 days after 16 Sep 2026 is 1 Oct, a holiday: the period ends on Thursday 8 Oct.
    assert add_calendar_days(D(2026, 9, 16), 15) == D(2026, 10, 8)
    assert add_calendar_days(D(2026, 9, 16), 15, roll_forward=False) == D(2026, 10, 1)
    # 90 days from filing on 3 Mar 2026 end on 1 Jun 2026 (a Monday, a working day).
    assert add_calendar_days(D(2026, 3, 3), 90) == D(2026, 6, 1)


@pytest.mark.django_db
def test_months_clip_to_month_end_and_roll_forward():
    assert add_months(D(2026, 1, 31), 1, roll_forward=False) == D(2026, 2, 28)
    assert add_months(D(2025, 12, 15), 2, roll_forward=False) == D(2026, 2, 15)
    # 3 months after 1 Jul 2026 is Thursday 1 Oct: National Day, so it ends on 8 Oct.
    assert add_months(D(2026, 7, 1), 3) == D(2026, 10, 8)


@pytest.mark.django_db
def test_override_table_wins_over_the_package(district_admin):
    day = D(2026, 3, 9)  # an ordinary Monday
    assert is_working_day(day)
    calendar_override_set(actor=district_admin, date=day, kind=CalendarDayKind.HOLIDAY, name="台风停工")
    assert not is_working_day(day)
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
    saturday = D(2026, 3, 14)
    calendar_override_set(actor=district_admin, date=saturday, kind=CalendarDayKind.WORKING_DAY, name="补班")
    assert is_working_day(saturday)


@pytest.mark.django_db
def test_years_the_package_does_not_know_take_overrides(district_admin):
    day = D(2099, 5, 6)  # a Wednesday in a year no package covers, no statutory holiday
    assert is_working_day(day)
    assert not is_working_day(D(2099, 5, 9))  # Saturday
    calendar_override_set(actor=district_admin, date=day, kind=CalendarDayKind.HOLIDAY, name="劳动节")
    assert not is_working_day(day)


def test_years_the_package_does_not_know_are_computed():
    assert not workdays.year_is_computed(2026)
    assert workdays.year_is_computed(2027)
    assert workdays.year_is_computed(2099)
    assert not workdays.year_is_computed(2001)  # before the present rules and the package
