"""Work done by separate processes in the concurrency tests (spawned, so each starts clean).

Spawned rather than forked: the test process may hold threads (a live server, Playwright's
driver) whose locks a forked child would inherit mid-use. A spawned child imports Django
afresh, points at the test database by name, and opens its own connection.
"""

from __future__ import annotations

import os
import time


def _setup(database: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pengjiang_enforcement.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = database
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database


def allocate_many(database: str, township_id: int, count: int, barrier, results) -> None:
    """Allocate ``count`` filing numbers, rolling every fifth back (its number is reused)."""
    _setup(database)
    from django.db import connection, transaction

    from cases import services
    from pengjiang_enforcement.models import Unit

    township = Unit.objects.get(pk=township_id)
    barrier.wait()
    numbers = []
    for n in range(count):
        try:
            with transaction.atomic():
                number = services.number_allocate(township=township, doc_type="filing", year=2026)
                time.sleep(0.001)  # hold the counter a moment, as an approval does
                if n % 5 == 4:
                    raise RuntimeError("rolled back")
                numbers.append(number)
        except RuntimeError:
            pass
    results.put(numbers)
    connection.close()


def approve(database: str, case_id: int, head_id: int, barrier, results) -> None:
    """Approve a filing as ``head``; report the number or the rule that refused."""
    _setup(database)
    from django.db import connection

    from cases import services
    from cases.models import Case
    from pengjiang_enforcement.exceptions import RuleViolation
    from pengjiang_enforcement.models import User

    case = Case.objects.get(pk=case_id)
    head = User.objects.get(pk=head_id)
    barrier.wait()
    try:
        approved = services.case_approve_filing(case=case, actor=head, expected_version=case.version)
        results.put(("ok", case_id, approved.number))
    except RuleViolation as exc:
        results.put(("refused", case_id, exc.rule))
    connection.close()
