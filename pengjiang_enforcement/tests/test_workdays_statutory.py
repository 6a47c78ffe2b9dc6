"""Statutory holidays computed for years the ``chinesecalendar`` package does not know.

《全国年节及纪念日放假办法》 as amended in 2024: 元旦 1 day, 春节 4 days from 除夕, 清明 1 day,
劳动节 2 days, 端午 1 day, 中秋 1 day, 国庆 3 days; a holiday on a weekend is made up on a weekday.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from lunar_python import Solar

from pengjiang_enforcement import workdays
from pengjiang_enforcement.choices import CalendarDayKind
from pengjiang_enforcement.services import calendar_override_set
from pengjiang_enforcement.workdays import add_working_days, is_working_day, statutory_holidays

D = dt.date


@pytest.fixture(autouse=True)
def _fresh_override_cache():
    workdays.clear_override_cache()
    yield
    workdays.clear_override_cache()


def _weekends_only_add(start: dt.date, days: int) -> dt.date:
    """What the calendar counted for a year the package does not know, before the holidays were computed."""
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _lunar_day(solar: Solar) -> tuple[int, int]:
    lunar = solar.getLunar()
    return lunar.getMonth(), lunar.getDay()


@pytest.mark.django_db
def test_statutory_holidays_new_year_2027_is_not_a_working_day():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 1))  # the package does not know the year
    assert D(2027, 1, 1).weekday() == 4  # a Friday
    assert not is_working_day(D(2027, 1, 1))
    assert workdays.holiday_name(D(2027, 1, 1)) == "元旦"
    assert is_working_day(D(2027, 1, 4))


@pytest.mark.django_db
def test_statutory_holidays_spring_festival_2027_four_days_from_the_eve():
    # 除夕 2027 is Friday 5 February (the last day of the twelfth lunar month), 初一 is 6 February.
    assert _lunar_day(Solar.fromYmd(2027, 2, 5))[0] == 12
    assert _lunar_day(Solar.fromYmd(2027, 2, 6)) == (1, 1)
    holidays = statutory_holidays(2027)
    spring = [day for day, name in holidays.items() if name == workdays.SPRING_FESTIVAL]
    # 除夕 to 初三, Friday to Monday; Saturday and Sunday are made up on Tuesday and Wednesday.
    assert spring == [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10)]
    assert is_working_day(D(2027, 2, 4))
    for day in spring:
        assert not is_working_day(day)
        assert workdays.holiday_name(day) == "春节"
    assert is_working_day(D(2027, 2, 11))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "qingming", "dragon_boat", "mid_autumn"),
    [
        (2027, D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15)),
        (2028, D(2028, 4, 4), D(2028, 5, 28), D(2028, 10, 3)),
        (2029, D(2029, 4, 4), D(2029, 6, 16), D(2029, 9, 22)),
        (2030, D(2030, 4, 5), D(2030, 6, 5), D(2030, 9, 12)),
    ],
)
def test_statutory_holidays_qingming_dragon_boat_mid_autumn_2027_to_2030(year, qingming, dragon_boat, mid_autumn):
    # The dates, as every almanac prints them, checked against the lunar calendar itself.
    assert Solar.fromYmd(year, qingming.month, qingming.day).getLunar().getJieQi() == "清明"
    assert _lunar_day(Solar.fromYmd(year, dragon_boat.month, dragon_boat.day)) == (5, 5)
    assert _lunar_day(Solar.fromYmd(year, mid_autumn.month, mid_autumn.day)) == (8, 15)
    holidays = statutory_holidays(year)
    assert holidays[qingming] == workdays.TOMB_SWEEPING
    assert holidays[dragon_boat] == workdays.DRAGON_BOAT
    # 中秋 2028 falls on 3 October, inside National Day.
    assert holidays[mid_autumn] in (workdays.MID_AUTUMN, workdays.NATIONAL_DAY)
    for day in (qingming, dragon_boat, mid_autumn):
        assert not is_working_day(day)
    # The day before each is not a holiday of its own.
    assert qingming - dt.timedelta(days=1) not in holidays
    assert dragon_boat - dt.timedelta(days=1) not in holidays


@pytest.mark.parametrize("year", [2027, 2028, 2029, 2030, 2031])
def test_statutory_holidays_count_thirteen_days_with_weekend_make_ups(year):
    holidays = statutory_holidays(year)
    runs = {
        workdays.NEW_YEAR: [D(year, 1, 1)],
        workdays.LABOUR_DAY: [D(year, 5, 1), D(year, 5, 2)],
        workdays.NATIONAL_DAY: [D(year, 10, 1), D(year, 10, 2), D(year, 10, 3)],
    }
    for name, days in runs.items():
        for day in days:
            assert holidays[day] == name
    statutory = 1 + 4 + 1 + 2 + 1 + 1 + 3
    # Every holiday on a weekend is made up on a weekday; 中秋 inside 国庆 (2028, 2031) is one day less.
    weekdays_off = [day for day in holidays if day.weekday() < 5]
    overlap = 1 if year in (2028, 2031) else 0
    assert len(weekdays_off) == statutory - overlap


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_agree_with_the_package_where_it_knows_the_year(year):
    # Every computed day is a day off in the State Council's arrangement; a weekday one carries
    # the same holiday's name there.
    for day, name in statutory_holidays(year).items():
        on_holiday, package_name = chinese_calendar.get_holiday_detail(day)
        assert on_holiday, day
        if day.weekday() < 5:
            assert package_name == name, day


@pytest.mark.django_db
def test_statutory_holidays_deadline_across_new_year_2027_is_a_day_later():
    # Five working days from Monday 28 December 2026: Tue 29, Wed 30, Thu 31, then 元旦 (Fri
    # 1 January 2027) is skipped: Mon 4 and Tue 5 January.
    start = D(2026, 12, 28)
    assert _weekends_only_add(start, 5) == D(2027, 1, 4)
    assert add_working_days(start, 5) == D(2027, 1, 5)


@pytest.mark.django_db
def test_statutory_holidays_entered_make_up_days_are_honoured(district_admin):
    # Suppose the State Council announces Sunday 31 January 2027 as a working day and Thursday
    # 11 February as a rest day bridging the Spring Festival.
    sunday, bridge = D(2027, 1, 31), D(2027, 2, 11)
    assert not is_working_day(sunday)
    assert is_working_day(bridge)
    calendar_override_set(actor=district_admin, date=sunday, kind=CalendarDayKind.WORKING_DAY, name="春节调休上班")
    calendar_override_set(actor=district_admin, date=bridge, kind=CalendarDayKind.HOLIDAY, name="春节")
    assert is_working_day(sunday)
    assert not is_working_day(bridge)
    # Friday 29 January + 1 working day is the make-up Sunday; Wednesday 3 February + 5 working
    # days: Thu 4, then the festival and the bridge (5-11 February), Fri 12, Mon 15, Tue 16, Wed 17.
    assert add_working_days(D(2027, 1, 29), 1) == sunday
    assert add_working_days(D(2027, 2, 3), 5) == D(2027, 2, 17)
    # An entered working day wins over a computed holiday too.
    calendar_override_set(actor=district_admin, date=D(2027, 2, 10), kind=CalendarDayKind.WORKING_DAY, name="补班")
    assert is_working_day(D(2027, 2, 10))


@pytest.mark.django_db
def test_statutory_holidays_calendar_page_says_which_days_to_enter(login, district_admin):
    client = login(district_admin)
    warning = "2027 年的法定节假日为计算所得；国务院公布放假安排后，请录入调休上班日和衔接休息日。"
    body = client.get("/calendar/?year=2027").content.decode()
    assert warning in body
    assert "年的法定节假日为计算所得" not in client.get("/calendar/?year=2026").content.decode()
