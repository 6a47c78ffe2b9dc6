"""The calendar's overrides are shared: a day changed in one process counts in every other at once.

Each process keeps the override days in memory, filed under a generation token kept in Redis
that every save replaces. These tests use a second real process and a second cache client.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction

from pengjiang_enforcement import workdays
from pengjiang_enforcement.choices import CalendarDayKind
from pengjiang_enforcement.services import calendar_override_set
from pengjiang_enforcement.workdays import GENERATION_KEY, is_working_day

D = dt.date
BASE_DIR = Path(__file__).resolve().parents[2]

# The other process: answers "ask <date>" with 1/0 and "set <date> <kind> <user id>" with "ok".
CHILD = """
import datetime, sys, django
django.setup()
from pengjiang_enforcement.models import User
from pengjiang_enforcement.services import calendar_override_set
from pengjiang_enforcement.workdays import is_working_day
print("ready", flush=True)
for line in sys.stdin:
    command, day, *rest = line.split()
    day = datetime.date.fromisoformat(day)
    if command == "ask":
        print(int(is_working_day(day)), flush=True)
    else:
        actor = User.objects.get(pk=rest[1])
        calendar_override_set(actor=actor, date=day, kind=rest[0], name="x")
        print("ok", flush=True)
"""


class OtherProcess:
    """A second Django process on the same (test) database and Redis."""

    def __init__(self) -> None:
        database = settings.DATABASES["default"]["NAME"]
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "pengjiang_enforcement.settings"},
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._read() == "ready"

    def _read(self) -> str:
        line = self.process.stdout.readline().strip()
        assert line, "the other process stopped"
        return line

    def _send(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self._read()

    def is_working_day(self, day: dt.date) -> bool:
        return self._send(f"ask {day.isoformat()}") == "1"

    def set_override(self, day: dt.date, kind: str, actor) -> None:
        assert self._send(f"set {day.isoformat()} {kind} {actor.pk}") == "ok"

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def other_process(transactional_db):
    other = OtherProcess()
    yield other
    other.close()


def test_a_day_changed_here_counts_in_another_process_at_once(other_process, district_admin):
    saturday = D(2026, 10, 10)  # a make-up working Saturday after National Day
    assert other_process.is_working_day(saturday) is True  # the other process now holds its copy
    calendar_override_set(actor=district_admin, date=saturday, kind=CalendarDayKind.HOLIDAY, name="台风停工")
    assert other_process.is_working_day(saturday) is False


def test_a_day_changed_in_another_process_counts_here_at_once(other_process, district_admin):
    saturday = D(2026, 3, 7)  # an ordinary Saturday
    assert is_working_day(saturday) is False  # this process now holds its copy
    other_process.set_override(saturday, CalendarDayKind.WORKING_DAY, district_admin)
    assert is_working_day(saturday) is True
    assert workdays.add_working_days(D(2026, 3, 6), 1) == saturday


def test_a_rolled_back_override_does_not_stick(transactional_db, district_admin):
    saturday = D(2026, 3, 7)
    assert is_working_day(saturday) is False
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_override_set(actor=district_admin, date=saturday, kind=CalendarDayKind.WORKING_DAY, name="补班")
        assert is_working_day(saturday) is True  # the writer sees its own change ...
        raise RuntimeError("the surrounding work failed")
    assert is_working_day(saturday) is False  # ... and nobody keeps it after the rollback


def test_every_cache_client_sees_the_new_generation(district_admin):
    other_client = caches.create_connection("default")  # its own connection pool, as another process has
    before = other_client.get(GENERATION_KEY)
    calendar_override_set(actor=district_admin, date=D(2026, 5, 9), kind=CalendarDayKind.WORKING_DAY, name="补班")
    after = other_client.get(GENERATION_KEY)
    assert after is not None and after != before
    assert after == cache.get(GENERATION_KEY)


def test_cache_keys_are_namespaced_by_the_database():
    key = cache.make_key(GENERATION_KEY)
    assert key.startswith(f"pengjiang:{settings.DATABASES['default']['NAME']}:")
    assert settings.DATABASES["default"]["NAME"].startswith("test_")  # a test run never shares the live keys


def test_a_batch_reads_the_overrides_once(district_admin, django_assert_num_queries):
    day = D(2026, 3, 7)
    with workdays.batch():
        assert is_working_day(day) is False
        calendar_override_set(actor=district_admin, date=day, kind=CalendarDayKind.WORKING_DAY, name="补班")
        with django_assert_num_queries(0):
            # inside the batch the reading it started with holds
            days = [is_working_day(day + dt.timedelta(days=n)) for n in range(30)]
        assert days[0] is False
    assert is_working_day(day) is True  # the next lookup sees the change


def test_the_calendar_still_works_when_redis_does_not_answer(district_admin, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    saturday = D(2026, 3, 7)
    calendar_override_set(actor=district_admin, date=saturday, kind=CalendarDayKind.WORKING_DAY, name="补班")
    assert is_working_day(saturday) is True  # read from the database
    assert workdays.add_working_days(D(2026, 3, 6), 1) == saturday
