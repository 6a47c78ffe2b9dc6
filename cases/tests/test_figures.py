"""The maintained figures (``cases.models.figures``): exact after every kind of write, in the same
transaction, and read only within the reader's scope."""

from __future__ import annotations

import io
import threading

import pytest
from django.db import connection, connections, transaction

from cases import selectors, services
from cases.choices import CaseState, LeadStatus
from cases.hotline.selectors import triage_count
from cases.models import Case, CaseEvent, Deadline, Figure, FigureKind, Lead
from cases.models.figures import compact

from ..hotline.tests.support import JIANGMEN, csv_bytes, jiangmen_row, run
from .factories import make_filed_case, make_lead, make_pending_case

pytestmark = pytest.mark.django_db

TABLES = {FigureKind.CASE: ("cases_case", "state"), FigureKind.LEAD: ("cases_lead", "status"),
          FigureKind.HOTLINE_ORDER: ("cases_hotlineorder", "state")}  # fmt: skip


def counted() -> dict[tuple, int]:
    """Every (township, kind, state) counted from the rows themselves."""
    real = {}
    with connection.cursor() as cursor:
        for kind, (table, column) in TABLES.items():
            cursor.execute(f"SELECT township_id, {column}, count(*) FROM {table} GROUP BY 1, 2")
            real.update({(township, str(kind), state): n for township, state, n in cursor.fetchall()})
    return real


def maintained() -> dict[tuple, int]:
    """Every figure: the sum of its rows of differences."""
    sums: dict[tuple, int] = {}
    for township, kind, state, n in Figure.objects.values_list("township_id", "kind", "state", "count"):
        sums[township, kind, state] = sums.get((township, kind, state), 0) + n
    return {key: n for key, n in sums.items() if n}


def test_figures_follow_registrations_and_transitions(duruan_officer, duruan_colleague, duruan_head, item):
    make_lead(duruan_officer, check=False)
    assert maintained() == counted()
    case = make_pending_case(duruan_officer, duruan_colleague, item=item)
    township = duruan_officer.township.pk
    assert maintained()[township, "case", CaseState.FILING_PENDING] == 1
    assert maintained()[township, "lead", LeadStatus.FILED] == 1
    services.case_approve_filing(case=case, actor=duruan_head, expected_version=case.version)
    assert (township, "case", CaseState.FILING_PENDING) not in maintained()
    assert maintained()[township, "case", CaseState.INVESTIGATING] == 1
    assert maintained() == counted()


def test_figures_follow_a_delete_and_an_update_by_hand(duruan_officer, duruan_colleague, baisha_officer):
    lead = make_lead(duruan_officer, check=False)
    make_lead(duruan_officer)
    Lead.objects.filter(pk=lead.pk).update(township=baisha_officer.township)  # as the admin or SQL would
    assert maintained() == counted()
    assert maintained()[baisha_officer.township.pk, "lead", LeadStatus.REGISTERED] == 1
    Deadline.objects.filter(lead=lead).delete()
    CaseEvent.objects.filter(lead=lead).delete()
    Lead.objects.filter(pk=lead.pk).delete()
    assert maintained() == counted()
    assert (baisha_officer.township.pk, "lead", LeadStatus.REGISTERED) not in maintained()


def test_figures_follow_a_bulk_copy(duruan_officer, duruan_colleague):
    make_lead(duruan_officer)
    columns = [f.column for f in Lead._meta.concrete_fields if f.column != "id"]
    copied = io.StringIO()
    with connection.cursor() as cursor:
        select = ", ".join("reference || '-' || n" if c == "reference" else c for c in columns)
        cursor.copy_expert(
            f"COPY (SELECT {select} FROM cases_lead, generate_series(1, 250) n) TO STDOUT",
            copied,
        )
        copied.seek(0)
        cursor.copy_expert(f"COPY cases_lead ({', '.join(columns)}) FROM STDIN", copied)
    assert Lead.objects.count() == 251
    assert maintained() == counted()
    assert maintained()[duruan_officer.township.pk, "lead", LeadStatus.CHECKING] == 251


def test_figures_follow_a_12345_import(district_admin):
    numbers = [f"08260813084931824{n:02d}" for n in range(12)]
    rows = [jiangmen_row(n) for n in numbers[:9]] + [jiangmen_row(n, unit="不存在的单位") for n in numbers[9:]]
    run(district_admin, csv_bytes(JIANGMEN, rows), "export.csv")
    assert maintained() == counted()
    assert sum(n for (_t, kind, _s), n in maintained().items() if kind == "hotlineorder") == 12
    assert triage_count(district_admin) == sum(
        n for (township, kind, _s), n in counted().items() if kind == "hotlineorder" and township is None
    )


def test_a_township_reads_only_its_own_figures(duruan_officer, duruan_colleague, duruan_head, baisha_officer, item):
    make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item)
    make_pending_case(duruan_officer, duruan_colleague, item=item)
    mine = selectors.township_figures(duruan_officer)
    assert (mine.live_cases, mine.filings_pending) == (2, 1)
    theirs = selectors.township_figures(baisha_officer)
    assert (theirs.live_cases, theirs.filings_pending, theirs.leads_to_check) == (0, 0, 0)
    assert not Figure.objects.restrict(baisha_officer, "view").filter(township=duruan_officer.township).exists()
    assert Figure.objects.restrict(duruan_officer, "view").filter(township=duruan_officer.township).exists()


def test_the_home_page_shows_the_figures_and_the_bounded_overdue_count(
    duruan_officer, duruan_colleague, duruan_head, baisha_officer, item, login
):
    case = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item)
    Case.objects.filter(pk=case.pk).update(next_due_on=case.filed_on.replace(year=case.filed_on.year - 1))
    body = login(duruan_officer).get("/").content.decode()
    assert 'data-testid="figure-live-cases">1<' in body
    assert 'data-testid="figure-overdue-cases">1<' in body
    other = login(baisha_officer).get("/").content.decode()
    assert 'data-testid="figure-live-cases">0<' in other
    assert 'data-testid="figure-overdue-cases">0<' in other


def test_compacting_folds_each_figure_into_one_row_and_keeps_it_exact(duruan_officer, duruan_colleague, baisha_officer):
    lead = make_lead(duruan_officer, check=False)
    make_lead(duruan_officer)
    make_lead(baisha_officer)
    Lead.objects.filter(pk=lead.pk).update(township=baisha_officer.township)
    before = maintained()
    assert Figure.objects.count() > len(before)  # differences appended, not updated in place
    assert compact() == len(before)
    assert Figure.objects.count() == len(before)
    assert maintained() == before == counted()
    Deadline.objects.filter(lead=lead).delete()
    CaseEvent.objects.filter(lead=lead).delete()
    Lead.objects.filter(pk=lead.pk).delete()  # a figure that falls to zero is dropped by the next fold
    compact()
    assert maintained() == counted()
    assert Figure.objects.filter(count=0).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_township_never_wait_for_each_others_figures(
    transactional_reference_data, duruan_officer, duruan_colleague
):
    """Two transactions moving rows between the same states in opposite directions: with figures
    updated in place they would lock the same figure rows in crossing order (a deadlock, or a
    wait as long as the longer transaction); appended differences let both go on at once."""
    first = make_lead(duruan_officer, check=False)
    second = make_lead(duruan_officer)
    errors: list[BaseException] = []

    def the_other_writer():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                Lead.objects.filter(pk=second.pk).update(status=LeadStatus.REGISTERED)
        except BaseException as exc:  # noqa: BLE001  (reported to the test's thread)
            errors.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        Lead.objects.filter(pk=first.pk).update(status=LeadStatus.CHECKING)
        writer = threading.Thread(target=the_other_writer)
        writer.start()
        writer.join(10)
        assert not writer.is_alive()
    assert errors == []
    assert maintained() == counted()
