"""What a catalogue file changes: only what it carries. A column the file lacks leaves the field as
it is; an empty cell empties the field only when the admin confirms it."""

from __future__ import annotations

import pytest

from pengjiang_enforcement.exceptions import RuleViolation
from powers.choices import ImportStatus, PenaltyType
from powers.importing import import_apply, import_confirm
from powers.models import PowerItem

from .factories import second_admin
from .test_import import ALIAS_HEADER, ROWS, csv_bytes, run, upload

pytestmark = pytest.mark.django_db

CODE = "440703100001"


@pytest.fixture
def item(district_admin):
    """The first row's item, in force, with a field, penalty types and a major-decision flag."""
    run(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    PowerItem.objects.filter(code=CODE).update(
        field="市容环境", penalty_types=[PenaltyType.WARNING, PenaltyType.FINE], is_major=True
    )
    return PowerItem.objects.get(code=CODE)


def _without(*names: str) -> tuple[list[str], list[list[str]]]:
    keep = [i for i, name in enumerate(ALIAS_HEADER) if name not in names]
    return [ALIAS_HEADER[i] for i in keep], [[row[i] for i in keep] for row in ROWS]


def test_a_column_the_file_lacks_leaves_the_field_as_it_is(district_admin, item):
    header, rows = _without("类别", "处罚种类", "是否重大执法决定")
    job = upload(district_admin, csv_bytes(header, rows), "没有这些列.csv")
    assert job.status == ImportStatus.PREVIEWED, job.errors
    changes = [a for a in job.preview["actions"] if a.get("code") == CODE]
    assert changes == []  # nothing to change: the file says nothing about those fields
    assert job.preview["counts"].get("emptying") is None


def test_a_township_column_the_file_lacks_keeps_who_holds_the_item(district_admin, item):
    header, rows = _without("适用范围", "类别", "处罚种类", "是否重大执法决定")
    rows = [r for r in rows if r[1] == CODE]
    job = upload(district_admin, csv_bytes(header, rows), "没有适用范围.csv")
    found = [a for a in job.preview["actions"] if a.get("code") == CODE]
    assert found == [], found


def test_import_emptying_confirmed(district_admin, item):
    """An empty 重大执法决定 cell would remove a required legal review: the admin ticks it first."""
    rows = [list(r) for r in ROWS]
    rows[0][ALIAS_HEADER.index("是否重大执法决定")] = ""
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, rows), "空单元格.csv")
    change = next(a for a in job.preview["actions"] if a.get("code") == CODE)
    assert change["values"] == {"is_major": False} and change["emptied"] == ["is_major"]
    assert job.preview["counts"]["emptying"] == 1
    with pytest.raises(RuleViolation) as refused:
        import_confirm(actor=district_admin, job=job)
    assert refused.value.rule == "import_emptying_confirmed"
    import_confirm(actor=second_admin(), job=job, emptying_confirmed=True)
    import_apply(job.pk)
    assert PowerItem.objects.get(code=CODE).is_major is False


def test_a_written_no_is_a_change_not_an_emptying(district_admin, item):
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, ROWS), "写明否.csv")  # the row says 否
    change = next(a for a in job.preview["actions"] if a.get("code") == CODE)
    assert change["values"] == {"is_major": False} and change["emptied"] == []
    import_confirm(actor=second_admin(), job=job)  # no tick needed


def test_penalty_types_and_range_column_is_read_as_the_penalty_range(district_admin):
    header = [h if h != "处罚种类" else "处罚种类及幅度" for h in ALIAS_HEADER]
    rows = [list(r) for r in ROWS]
    rows[0][header.index("处罚种类及幅度")] = "警告，可并处二千元以下罚款"
    job = run(district_admin, csv_bytes(header, rows), "种类及幅度.csv")
    assert job.status == ImportStatus.DONE, job.error_message
    assert PowerItem.objects.get(code=CODE).penalty_range == "警告，可并处二千元以下罚款"
