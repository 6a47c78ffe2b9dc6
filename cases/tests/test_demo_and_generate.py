"""Demo data (idempotent, every township, several states) and the bulk generator."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cases.choices import CaseState, LeadStatus
from cases.filters import case_queue
from cases.models import Case, CaseOfficer, IssuedNumber, Lead, Party, Proposal
from pengjiang_enforcement.models import Unit, User

from .factories import item_for, make_filed_case

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Lead.objects.count(),
        Case.objects.count(),
        Party.objects.count(),
        IssuedNumber.objects.count(),
        User.objects.count(),
    )


def test_demo_without_a_catalogue_creates_leads_only_and_says_why():
    # load_demo loads the sample catalogue first; run the two demo steps without it.
    from cases import demo as cases_demo
    from pengjiang_enforcement import demo as core_demo

    out = io.StringIO()
    core_demo.load(out)
    cases_demo.load(out)
    assert "no power item" in out.getvalue()
    assert Lead.objects.exists() and not Case.objects.exists()


def test_demo_fills_every_township_in_several_states_and_runs_twice_without_change():
    for n in range(3):
        item_for(
            townships=("duruan", "baisha", "huanshi", "chaolian", "tangxia", "hetang"), name=f"对事项{n}的行政处罚"
        )
    call_command("load_demo", quiet=True, stdout=io.StringIO())
    first = _snapshot()
    call_command("load_demo", quiet=True, stdout=io.StringIO())
    assert _snapshot() == first
    for township in Unit.objects.filter(kind="township"):
        states = set(Case.objects.filter(township=township).values_list("state", flat=True))
        assert states == {
            CaseState.FILING_PENDING,
            CaseState.FILING_RETURNED,
            CaseState.INVESTIGATING,
            CaseState.INVESTIGATION_CLOSED,
            # the simple procedure, each state of its path
            CaseState.ON_SPOT_DECIDED,
            CaseState.ON_SPOT_SERVED,
            CaseState.EXECUTING,
            CaseState.FILED_FOR_RECORD,
            CaseState.ARCHIVED,
        }, township.code
        statuses = set(Lead.objects.filter(township=township).values_list("status", flat=True))
        assert {LeadStatus.REGISTERED, LeadStatus.CHECKING, LeadStatus.NOT_FILED, LeadStatus.TRANSFERRED} <= statuses
    # every closed investigation carries a structured proposal that passed the rules
    closed = Case.objects.filter(state=CaseState.INVESTIGATION_CLOSED)
    proposals = Proposal.objects.filter(case__in=closed)
    assert proposals.count() == closed.count() and all(p.is_complete and not p.migrated for p in proposals)
    # deadlines of every kind of flag exist, for the queues to show
    assert Case.objects.filter(next_due_on__isnull=False).count() >= 18


def test_generate_cases_writes_consistent_searchable_rows_and_numbers_continue(
    duruan_officer, duruan_colleague, duruan_head
):
    out = io.StringIO()
    call_command("generate_cases", cases=300, stdout=out)
    assert "300 cases generated" in out.getvalue()
    assert Case.objects.count() == 300 and Party.objects.count() == 300
    assert CaseOfficer.objects.count() == 600
    filed = Case.objects.exclude(number="")
    assert filed.count() == IssuedNumber.objects.count()
    assert not Case.objects.filter(filed_on__isnull=False, number="").exists()
    duruan = Unit.objects.get(code="duruan")
    some = filed.filter(township=duruan).order_by("-id").first()
    word = some.title[:2]
    assert some in case_queue(duruan_officer, state="", q=word)
    assert some in case_queue(duruan_officer, state="", party=some.party_summary)
    # a case filed through the portal afterwards takes the next number of the year
    year_numbers = IssuedNumber.objects.filter(township=duruan, doc_type="filing")
    latest = year_numbers.order_by("-year").values_list("year", flat=True).first()
    case = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item_for())
    last = year_numbers.filter(year=case.filed_on.year).exclude(number=case.number).order_by("-seq").first()
    expected = (last.seq + 1) if last else 1
    assert case.number.endswith(f"〕{expected}号") and latest is not None


def test_generate_cases_interleaves_townships_in_date_order_as_an_office_files_them():
    call_command("generate_cases", cases=1200, stdout=io.StringIO())
    rows = list(Case.objects.order_by("id").values_list("township_id", "created_at"))
    townships = set(Unit.objects.townships().values_list("pk", flat=True))
    assert {t for t, _ in rows} == townships
    # every township appears in every window of 200 consecutive ids: none holds a block of ids
    for start in range(0, len(rows), 200):
        assert {t for t, _ in rows[start : start + 200]} == townships, start
    # ids follow the calendar across townships
    stamps = [created for _, created in rows]
    assert stamps == sorted(stamps)
    # the shares differ as the townships' caseloads do
    counts = sorted(sum(1 for t, _ in rows if t == township) for township in townships)
    assert counts[-1] > 1.5 * counts[0]


def test_admin_lists_cases_and_saves_reference_data_through_the_audit(filed_case, district_admin, login):
    from pengjiang_enforcement.models import AuditLog

    client = login(district_admin)
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get(f"/admin/cases/case/{filed_case.pk}/change/").status_code == 200
    response = client.post(
        "/admin/cases/numberpattern/add/", {"township": "", "doc_type": "filing", "pattern": "{township}立{seq}号"}
    )
    assert response.status_code == 200  # refused: no year in the pattern
    from cases.models import ProcedurePolicy

    policy = ProcedurePolicy.objects.get(township__isnull=True)
    response = client.post(
        f"/admin/cases/procedurepolicy/{policy.pk}/change/",
        {"township": "", "check_working_days": 10, "due_soon_days": 3},
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="cases.procedurepolicy.changed", actor=district_admin).exists()
    assert client.get("/admin/cases/case/add/").status_code == 403


def test_generate_leads_and_orders_interleave_townships_in_date_order():
    from cases.hotline.models import HotlineOrder

    out = io.StringIO()
    call_command("generate_cases", cases=0, leads=1000, orders=1000, stdout=out)
    assert "1,000 leads generated" in out.getvalue() and "1,000 12345 work orders generated" in out.getvalue()
    townships = set(Unit.objects.townships().values_list("pk", flat=True))
    for rows in (
        list(Lead.objects.order_by("id").values_list("township_id", "discovered_on")),
        list(HotlineOrder.objects.order_by("id").values_list("township_id", "received_at")),
    ):
        assert len(rows) == 1000
        for start in range(0, len(rows), 200):
            assert {t for t, _ in rows[start : start + 200]} == townships, start
        days = [day for _, day in rows]
        assert days == sorted(days)
    assert Lead.objects.filter(status__in=[LeadStatus.REGISTERED, LeadStatus.CHECKING]).exists()
    assert HotlineOrder.objects.filter(state="pending").exists()


def _shape(tables):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            # an index by its name (a partial index's condition reads back in another spelling)
            "SELECT indexname, '' FROM pg_indexes WHERE tablename = ANY(%s) "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables, tables],
        )
        return cursor.fetchall()


def test_a_large_generation_makes_every_index_and_foreign_key_again(monkeypatch):
    from django.db import IntegrityError, connection, transaction

    from cases import generate
    from cases.hotline.models import HotlineOrder

    tables = ["cases_case", "cases_caseofficer", "cases_party", "cases_issuednumber", "cases_lead"]
    tables.append(HotlineOrder._meta.db_table)
    before = _shape(tables)
    monkeypatch.setattr(generate, "REINDEX_FROM", 10)  # the large-load path, on a few rows
    out = io.StringIO()
    call_command("generate_cases", cases=60, leads=60, orders=60, stdout=out)
    assert "dropping" in out.getvalue() and "foreign keys again" in out.getvalue()
    assert _shape(tables) == before
    assert Case.objects.count() == 60 and Lead.objects.count() == 60 and HotlineOrder.objects.count() == 60
    # the foreign keys are in force again: a case of a township that does not exist is refused
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("UPDATE cases_case SET township_id = -1 WHERE id = %s", [Case.objects.first().pk])
