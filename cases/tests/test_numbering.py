"""Document numbers: patterns, and gapless, duplicate-free allocation under concurrency.

The concurrency tests spawn real processes (``concurrency.py``), each with its own database
connection, against a transactional test database, and start them together at a barrier.
"""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections, transaction

from cases import services
from cases.choices import CaseState, DocumentType
from cases.models import Case, IssuedNumber, NumberPattern
from cases.services.numbering import pattern_problem
from pengjiang_enforcement.exceptions import RuleViolation
from tests.factories import UserFactory, unit

from . import concurrency
from .factories import item_for, make_pending_case

SPAWN = multiprocessing.get_context("spawn")


def _database() -> str:
    return connections["default"].settings_dict["NAME"]


@pytest.mark.django_db
def test_pattern_renders_district_township_year_and_sequence():
    with transaction.atomic():
        number = services.number_allocate(township=unit("duruan"), doc_type=DocumentType.FILING, year=2026)
    assert number == "蓬江杜阮综执立〔2026〕1号"


@pytest.mark.django_db
def test_township_pattern_overrides_the_district_one_and_padding_works():
    NumberPattern.objects.create(
        township=unit("baisha"), doc_type=DocumentType.FILING, pattern="白综执立〔{year}〕{seq:03d}号"
    )
    with transaction.atomic():
        assert (
            services.number_allocate(township=unit("baisha"), doc_type="filing", year=2026) == "白综执立〔2026〕001号"
        )
        assert services.number_allocate(township=unit("duruan"), doc_type="filing", year=2026).startswith("蓬江杜阮")


@pytest.mark.django_db
def test_sequences_restart_each_year_and_per_document_type():
    with transaction.atomic():
        allocate = services.number_allocate
        assert allocate(township=unit("duruan"), doc_type="filing", year=2025).endswith("〕1号")
        assert allocate(township=unit("duruan"), doc_type="filing", year=2025).endswith("〕2号")
        assert allocate(township=unit("duruan"), doc_type="filing", year=2026).endswith("〕1号")
        assert allocate(township=unit("duruan"), doc_type="correction", year=2026) == "蓬江杜阮综执改〔2026〕1号"


@pytest.mark.parametrize(
    "pattern,ok",
    [
        ("{district}{township}综执立〔{year}〕{seq}号", True),
        ("{township}立〔{year}〕{seq:04d}号", True),
        ("{township}立{seq}号", False),  # no year: numbers would repeat every year
        ("{township}立〔{year}〕号", False),
        ("{township}立〔{year}〕{seq}号{unknown}", False),
        ("{township}立〔{year}〕{seq", False),
        ("{township:>5}立〔{year}〕{seq}号", False),
    ],
)
def test_number_pattern_valid(pattern, ok):
    assert (pattern_problem(pattern) is None) is ok


@pytest.mark.django_db
def test_number_pattern_valid_is_checked_again_when_a_number_is_allocated():
    """The admin form checks a pattern; a row written past it (a data fix) is refused at use."""
    NumberPattern.objects.create(township=unit("baisha"), doc_type=DocumentType.FILING, pattern="白综执立{seq}号")
    with pytest.raises(RuleViolation) as exc, transaction.atomic():
        services.number_allocate(township=unit("baisha"), doc_type="filing", year=2026)
    assert exc.value.rule == "number_pattern_valid"
    assert not IssuedNumber.objects.exists()


@pytest.mark.django_db
def test_a_pattern_colliding_with_issued_numbers_is_refused_not_duplicated():
    NumberPattern.objects.filter(doc_type="filing").update(pattern="综执立〔{year}〕{seq}号")  # no township
    with transaction.atomic():
        services.number_allocate(township=unit("duruan"), doc_type="filing", year=2026)
    with pytest.raises(RuleViolation) as exc, transaction.atomic():
        services.number_allocate(township=unit("baisha"), doc_type="filing", year=2026)
    assert exc.value.rule == "number_unique"
    assert IssuedNumber.objects.count() == 1


@pytest.mark.django_db
def test_a_rolled_back_allocation_gives_its_number_back():
    township = unit("duruan")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.number_allocate(township=township, doc_type="filing", year=2026)
        raise RuntimeError("the approval failed after numbering")
    with transaction.atomic():
        assert services.number_allocate(township=township, doc_type="filing", year=2026).endswith("〕1号")


@pytest.mark.django_db(transaction=True)
def test_numbers_allocated_from_several_processes_at_once_have_no_gap_and_no_duplicate(transactional_reference_data):
    township = unit("duruan")
    processes, per_process = 6, 20
    barrier = SPAWN.Barrier(processes)
    results = SPAWN.Queue()
    workers = [
        SPAWN.Process(target=concurrency.allocate_many, args=(_database(), township.pk, per_process, barrier, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    numbers = [n for _ in workers for n in results.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    kept = processes * per_process * 4 // 5
    assert len(numbers) == len(set(numbers)) == kept
    seqs = sorted(IssuedNumber.objects.filter(township=township, year=2026).values_list("seq", flat=True))
    assert seqs == list(range(1, kept + 1))
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [
        f"蓬江杜阮综执立〔2026〕{seq}号" for seq in range(1, kept + 1)
    ]


def _run_approvals(pairs: list[tuple[int, int]]) -> list[tuple]:
    barrier = SPAWN.Barrier(len(pairs))
    results = SPAWN.Queue()
    workers = [SPAWN.Process(target=concurrency.approve, args=(_database(), c, h, barrier, results)) for c, h in pairs]
    for worker in workers:
        worker.start()
    out = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    return out


@pytest.mark.django_db(transaction=True)
def test_two_heads_approving_at_the_same_moment_get_consecutive_numbers(
    transactional_reference_data, duruan_officer, duruan_colleague, duruan_head
):
    second_head = UserFactory(username="dr_head2", full_name="副主任", roles=("office_head", "officer"), certified=True)
    item = item_for()
    cases = [make_pending_case(duruan_officer, duruan_colleague, item=item) for _ in range(4)]
    heads = [duruan_head, second_head, duruan_head, second_head]
    out = _run_approvals([(c.pk, h.pk) for c, h in zip(cases, heads, strict=True)])
    numbers = sorted(number for status, _case, number in out if status == "ok")
    assert len(numbers) == 4 and len(set(numbers)) == 4
    year = Case.objects.get(pk=cases[0].pk).filed_on.year
    assert numbers == sorted(f"蓬江杜阮综执立〔{year}〕{n}号" for n in range(1, 5))


@pytest.mark.django_db(transaction=True)
def test_the_same_filing_approved_twice_at_once_is_filed_once(
    transactional_reference_data, duruan_officer, duruan_colleague, duruan_head
):
    second_head = UserFactory(username="dr_head2", full_name="副主任", roles=("office_head", "officer"), certified=True)
    case = make_pending_case(duruan_officer, duruan_colleague, item=item_for())
    out = _run_approvals([(case.pk, duruan_head.pk), (case.pk, second_head.pk)])
    statuses = sorted(status for status, _case, _detail in out)
    assert statuses == ["ok", "refused"]
    refused = next(detail for status, _case, detail in out if status == "refused")
    # the loser saw the case after the winner's commit: a newer version, or no longer pending
    assert refused in {"edit_conflict", "transition_order"}
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING
    assert IssuedNumber.objects.filter(doc_type="filing").count() == 1
