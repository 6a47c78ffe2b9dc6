"""The working-day calendar: weekends, statutory holidays and make-up working days (调休).

APL Art. 85: "二日/三日/五日/七日" in the Administrative Penalty Law are working days, which
exclude statutory holidays. China moves weekends around its holidays: some Saturdays and
Sundays are working days (调休上班) and some weekdays are days off. The ``chinesecalendar``
package knows the announced years and stays the authority for them. For a year it does not know,
the statutory holidays are computed from the rules themselves (see :func:`statutory_holidays`);
only the make-up working days and the bridging rest days the State Council announces for it
remain to be entered. :class:`~pengjiang_enforcement.models.CalendarOverride` rows take
precedence over both, for days announced after the package was released or corrected locally.

Counting follows the rule of Chinese procedural law that the day a period starts is not
counted (期间开始的日，不计算在内): ``add_working_days(d, 5)`` is the fifth working day after
``d``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import logging
import threading
import time
import uuid
from collections.abc import Iterator

import chinese_calendar
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_lazy as _
from lunar_python import Lunar
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Overrides are a handful of rows read on almost every deadline computation, so each process
# keeps them in memory. The copy is only used while it belongs to the current *generation*, a
# random token kept in the shared cache (Redis) that every save of an override replaces. Each
# lookup (one deadline, one page's run of days: see ``batch``) reads the token once, so a day
# changed by any process, web or worker, counts everywhere from the next lookup on. A random
# token rather than a counter: a Redis that lost its keys cannot bring back an old number that
# matches a stale copy.
GENERATION_KEY = "calendar:overrides:generation"
_memo_lock = threading.Lock()
_memo: tuple[str | None, dict[datetime.date, bool]] = (None, {})
_warned_at = -3600.0
# Set in a thread whose open transaction changed an override: its reads include rows that no
# other process sees yet and that a rollback may take back, so they neither use nor fill the
# shared copy until that transaction ends.
_uncommitted = threading.local()
# The overrides pinned for a run of lookups (see ``batch``).
_pinned: contextvars.ContextVar[dict[datetime.date, bool] | None] = contextvars.ContextVar(
    "calendar_overrides", default=None
)


def drop_local_copy() -> None:
    """Forget this process's copy of the overrides; its next lookup reads them again.

    Enough where only this process can have read rows that are gone, e.g. after a test's
    rolled-back transaction; a saved change calls :func:`clear_override_cache` instead.
    """
    global _memo
    with _memo_lock:
        _memo = (None, {})
    _uncommitted.active = False


def note_uncommitted_change() -> None:
    """This thread's open transaction changed an override (see ``_uncommitted``)."""
    if connection.in_atomic_block:
        _uncommitted.active = True


def clear_override_cache() -> None:
    """Start a new generation: every process reloads the overrides at its next lookup.

    Called when an override is saved or deleted, and again when that transaction commits (a
    process reading between the save and the commit would otherwise keep the old days).
    """
    drop_local_copy()
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except RedisError:
        # The other processes keep their copy until Redis answers again and the next save;
        # the error is worth a look, not a failed save.
        logger.exception("the calendar could not tell the other processes that an override changed")


def _generation() -> str | None:
    """The current generation token, or None when the shared cache cannot be reached."""
    try:
        token = cache.get(GENERATION_KEY)
        if token is None:
            # First use, or Redis lost the key: start one (add() keeps a token another process
            # set in the meantime, and everyone then reads the same one).
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            token = cache.get(GENERATION_KEY)
    except RedisError:
        global _warned_at
        if time.monotonic() - _warned_at > 60:  # once a minute, not once a lookup
            _warned_at = time.monotonic()
            logger.warning("the shared cache does not answer; calendar overrides are read from the database")
        return None
    return token


def _overrides() -> dict[datetime.date, bool]:
    """The override days (date -> is a working day), checked against the shared generation."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    if getattr(_uncommitted, "active", False):
        if connection.in_atomic_block:
            return _load()
        _uncommitted.active = False  # committed (a new generation started) or rolled back
    global _memo
    # Read the generation before the rows: a save that lands in between leaves us with a copy
    # filed under the old token, which the next lookup replaces.
    token = _generation()
    with _memo_lock:
        if token is not None and _memo[0] == token:
            return _memo[1]
    days = _load()
    if token is not None:
        with _memo_lock:
            _memo = (token, days)
    return days


def _load() -> dict[datetime.date, bool]:
    from .models import CalendarOverride

    return {d: kind == "working_day" for d, kind in CalendarOverride.objects.values_list("date", "kind")}


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Use one reading of the overrides for every lookup inside (a month grid, a deadline).

    Saves a round trip to the shared cache per day; a change saved meanwhile counts from the
    next batch on.
    """
    if _pinned.get() is not None:
        yield
        return
    token = _pinned.set(_overrides())
    try:
        yield
    finally:
        _pinned.reset(token)


# The rules of 《全国年节及纪念日放假办法》 as amended in 2024, in force since 1 January 2025.
STATUTORY_RULES_SINCE = 2025
NEW_YEAR = "New Year's Day"
SPRING_FESTIVAL = "Spring Festival"
TOMB_SWEEPING = "Tomb-sweeping Day"
LABOUR_DAY = "Labour Day"
DRAGON_BOAT = "Dragon Boat Festival"
MID_AUTUMN = "Mid-autumn Festival"
NATIONAL_DAY = "National Day"


def _lunar_to_solar(year: int, month: int, day: int) -> datetime.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _run(first: datetime.date, days: int) -> list[datetime.date]:
    return [first + datetime.timedelta(days=offset) for offset in range(days)]


@functools.lru_cache(maxsize=256)
def _statutory_holidays(year: int) -> tuple[tuple[datetime.date, str], ...]:
    spring_festival = _lunar_to_solar(year, 1, 1)
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    runs = [
        (NEW_YEAR, [datetime.date(year, 1, 1)]),
        # 除夕 is the last day of the twelfth lunar month (the 29th or the 30th): the eve of 初一.
        (SPRING_FESTIVAL, _run(spring_festival - datetime.timedelta(days=1), 4)),
        (TOMB_SWEEPING, [datetime.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())]),
        (LABOUR_DAY, _run(datetime.date(year, 5, 1), 2)),
        (DRAGON_BOAT, [_lunar_to_solar(year, 5, 5)]),
        (NATIONAL_DAY, _run(datetime.date(year, 10, 1), 3)),
        (MID_AUTUMN, [_lunar_to_solar(year, 8, 15)]),
    ]
    days: dict[datetime.date, str] = {}
    # 中秋 may fall within 国庆 (2028, 2031): one day off, under the National Day's name.
    for name, run in runs:
        for day in run:
            days.setdefault(day, name)
    # Art. 6: a holiday of all citizens that falls on a Saturday or Sunday is made up on a
    # working day, here the first weekday after it that is not itself a holiday.
    for name, run in runs:
        for day in run:
            if day.weekday() < 5:
                continue
            make_up = day
            while make_up.weekday() >= 5 or make_up in days:
                make_up += datetime.timedelta(days=1)
            days[make_up] = name
    return tuple(sorted(days.items()))


def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """The statutory days off of ``year`` (date -> holiday name, in English), computed.

    《全国年节及纪念日放假办法》 (as amended in 2024), Art. 2: 元旦 1 day (1 January), 春节
    4 days (除夕 to 正月初三), 清明节 1 day (the day of the 清明 solar term), 劳动节 2 days
    (1-2 May), 端午节 1 day (五月初五), 中秋节 1 day (八月十五), 国庆节 3 days (1-3 October);
    Art. 6: one falling on a Saturday or Sunday is made up on a working day. Lunar dates and
    the solar term come from the lunar calendar. What the State Council decides each year, the
    make-up working days (调休) and the rest days they buy, cannot be computed.
    """
    return dict(_statutory_holidays(year))


# Needs no invalidation: it caches only what the chinesecalendar package says and the computed
# holidays, which cannot change while the process runs; overrides are looked up before it, per
# generation.
@functools.lru_cache(maxsize=8192)
def _package_says_working(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year >= STATUTORY_RULES_SINCE and day in statutory_holidays(day.year):
            return False
        # A year the package does not cover, before the present rules: weekends only, until
        # an admin records the year's holidays as overrides.
        return day.weekday() < 5


@functools.lru_cache(maxsize=256)
def package_knows_year(year: int) -> bool:
    """Whether the ``chinesecalendar`` package holds the State Council's arrangement of ``year``."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def year_is_computed(year: int) -> bool:
    """Whether the days off of ``year`` are computed from the statutory rules (the package does
    not know the year), so the announced 调休 days and bridging rest days must be entered."""
    return year >= STATUTORY_RULES_SINCE and not package_knows_year(year)


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is a working day (override first, then the holiday package, then the
    computed statutory holidays)."""
    override = _overrides().get(day)
    if override is not None:
        return override
    return _package_says_working(day)


HOLIDAY_NAMES = {
    NEW_YEAR: _("New Year's Day"),
    SPRING_FESTIVAL: _("Spring Festival"),
    TOMB_SWEEPING: _("Tomb-sweeping Day"),
    LABOUR_DAY: _("Labour Day"),
    DRAGON_BOAT: _("Dragon Boat Festival"),
    NATIONAL_DAY: _("National Day"),
    MID_AUTUMN: _("Mid-autumn Festival"),
}


def override_names(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    """The names given to the override days from ``start`` to ``end``, in one query."""
    from .models import CalendarOverride

    rows = CalendarOverride.objects.filter(date__range=(start, end)).exclude(name="").values_list("date", "name")
    return dict(rows)


def holiday_name(day: datetime.date, names: dict[datetime.date, str] | None = None) -> str | None:
    """The (translated) holiday a day off belongs to, e.g. 春节, if known. ``names``: the override
    names of the period (:func:`override_names`), for a caller naming many days."""
    if names is None:
        names = override_names(day, day)
    override = names.get(day)
    if override:
        return override
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        on_holiday = day.year >= STATUTORY_RULES_SINCE
        name = statutory_holidays(day.year).get(day) if on_holiday else None
    if not (on_holiday and name):
        return None
    return str(HOLIDAY_NAMES.get(name, name))


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted).

    ``days`` may be 0 (returns ``start`` if it is a working day, else the next working day)
    or negative (counts backwards).
    """
    if days == 0:
        return next_working_day(start, include_start=True)
    step = 1 if days > 0 else -1
    remaining = abs(days)
    day = start
    with batch():
        while remaining:
            day += datetime.timedelta(days=step)
            if is_working_day(day):
                remaining -= 1
    return day


def next_working_day(day: datetime.date, *, include_start: bool = False) -> datetime.date:
    """The first working day after ``day`` (or ``day`` itself when allowed and working)."""
    with batch():
        if include_start and is_working_day(day):
            return day
        day += datetime.timedelta(days=1)
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days lie after ``start`` up to and including ``end``.

    Negative when ``end`` is before ``start``. ``working_days_between(d, add_working_days(d, n))``
    is ``n``.
    """
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    with batch():
        while day < end:
            day += datetime.timedelta(days=1)
            if is_working_day(day):
                count += 1
    return count


def add_calendar_days(start: datetime.date, days: int, *, roll_forward: bool = True) -> datetime.date:
    """The end of a period of ``days`` calendar days starting after ``start``.

    With ``roll_forward`` (the default) a period that would end on a day off ends on the next
    working day instead (期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期;
    Civil Procedure Law Art. 85, applied to administrative procedure).
    """
    end = start + datetime.timedelta(days=days)
    return next_working_day(end, include_start=True) if roll_forward else end


def add_months(start: datetime.date, months: int, *, roll_forward: bool = True) -> datetime.date:
    """The end of a period of ``months`` months (the same day number, clipped to month end)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = (datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    end = datetime.date(year, month, min(start.day, last_day))
    return next_working_day(end, include_start=True) if roll_forward else end


def add_years(start: datetime.date, years: int) -> datetime.date:
    """The same date ``years`` later (29 February becomes 28 February); no rolling."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def today(override: datetime.date | None = None) -> datetime.date:
    """Today in the portal's time zone (Asia/Shanghai), the day every rule counts from.

    Services take ``override`` only from demo data and tests, which need a fixed day.
    """
    from django.utils import timezone

    return override or timezone.localdate()
