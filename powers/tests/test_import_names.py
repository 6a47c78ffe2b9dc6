"""A catalogue file names departments and townships as their authors write them, and every error of
a row is reported at once."""

from __future__ import annotations

import pytest

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.services import unit_update
from powers.choices import ImportStatus
from powers.models import PowerItem
from tests.factories import unit

from .test_import import ALIAS_HEADER, ROWS, csv_bytes, upload

pytestmark = pytest.mark.django_db

DEPARTMENT = ALIAS_HEADER.index("实施主体")
TOWNSHIPS = ALIAS_HEADER.index("适用范围")


def _rows_naming(*departments: str) -> list[list[str]]:
    rows = []
    for number, name in enumerate(departments, start=1):
        row = list(ROWS[0])
        row[0], row[1], row[DEPARTMENT] = str(number), f"4407031{number:05d}", name
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("区城市管理和综合执法局", "dept-urban"),
        ("蓬江区城市管理和综合执法局", "dept-urban"),
        ("城管局", "dept-urban"),
        ("区城管局", "dept-urban"),
        ("区卫生健康局", "dept-health"),
        ("卫健局", "dept-health"),
        ("区住房和城乡建设局", "dept-housing"),
        ("住建局", "dept-housing"),
        ("蓬江区市场监督管理局", "dept-market"),
        ("市场监管局", "dept-market"),
        ("区生态环境局", "dept-ecology"),
        ("江门市生态环境局蓬江分局", "dept-ecology"),
        ("区人力资源和社会保障局", "dept-hr"),
        ("ＥＸＴＲＡ区卫生健康局", None),
    ],
)
def test_department_names_in_their_usual_forms_are_recognised(district_admin, written, code):
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, _rows_naming(written)))
    assert job.status == ImportStatus.PREVIEWED
    if code is None:
        assert job.errors and "无法识别的实施部门" in job.errors[0]["message"]
        return
    assert job.errors == []
    assert job.preview["actions"][0]["values"]["department"] == unit(code).pk


def test_a_short_form_sheet_imports_on_every_row(district_admin):
    """The sheet that was refused on most rows: the district's usual forms, one per row."""
    names = ["区城市管理和综合执法局", "区卫生健康局", "区住房和城乡建设局", "区城管执法局", "江门市蓬江区卫生健康局"]
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, _rows_naming(*names)))
    assert job.errors == [] and job.preview["counts"] == {"add": 5}


def test_townships_in_their_usual_forms_are_recognised(district_admin):
    rows = _rows_naming("区城管局")
    rows[0][TOWNSHIPS] = "杜阮镇人民政府、白沙街道办事处、荷塘"
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, rows))
    assert job.errors == []
    assert sorted(job.preview["actions"][0]["townships"]) == ["baisha", "duruan", "hetang"]


def test_an_alias_the_admin_adds_is_recognised(district_admin):
    rows = _rows_naming("区城管委")
    assert upload(district_admin, csv_bytes(ALIAS_HEADER, rows)).errors[0]["column"] == "F（实施主体）"
    unit_update(unit=unit("dept-urban"), actor=district_admin, aliases=["区城管委"])
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, rows))
    assert job.errors == [] and job.preview["actions"][0]["values"]["department"] == unit("dept-urban").pk


def test_an_ambiguous_department_name_is_an_error_naming_the_candidates(district_admin):
    """Two units whose names reduce to the same key: the file's name is not guessed."""
    Unit.objects.filter(code="dept-education").update(name="江门市蓬江区城市管理局")
    rows = _rows_naming("区城管局")
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, rows))
    (error,) = job.errors
    assert error["column"] == "F（实施主体）"
    assert "江门市蓬江区城市管理和综合执法局" in error["message"] and "江门市蓬江区城市管理局" in error["message"]
    # The exact short name still names one unit.
    assert upload(district_admin, csv_bytes(ALIAS_HEADER, _rows_naming("区城管执法局"))).errors == []


def test_unit_alias_unique(district_admin):
    """An alias may name one unit only: not another unit's name in any usual form, nor its alias."""
    with pytest.raises(RuleViolation) as refused:
        unit_update(unit=unit("dept-housing"), actor=district_admin, aliases=["区卫生健康局"])
    assert refused.value.rule == "unit_alias_unique" and "江门市蓬江区卫生健康局" in refused.value.messages[0]
    unit_update(unit=unit("dept-urban"), actor=district_admin, aliases=["区城管委"])
    with pytest.raises(RuleViolation) as refused:
        unit_update(unit=unit("dept-housing"), actor=district_admin, aliases=["蓬江区城管委"])
    assert refused.value.rule == "unit_alias_unique"
    with pytest.raises(RuleViolation) as refused:
        unit_update(unit=unit("dept-housing"), actor=district_admin, aliases=["建设局", "区建设局"])
    assert refused.value.rule == "unit_alias_unique"
    assert Unit.objects.get(code="dept-housing").aliases == []


# --- every error of a row at once ------------------------------------------------------------
def test_every_error_of_a_row_is_reported_with_its_column(district_admin):
    rows = _rows_naming("某局")
    rows[0][ALIAS_HEADER.index("罚款最低额")] = "五百"
    rows[0][ALIAS_HEADER.index("是否重大执法决定")] = "也许"
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, rows))
    assert [(e["row"], e["column"][0]) for e in job.errors] == [(2, "F"), (2, "J"), (2, "M")]
    assert not PowerItem.objects.exists()


def test_a_duplicate_code_is_reported_whatever_else_is_wrong(district_admin):
    """The first occurrence has an error of its own, the second one too: both rows say so, and the
    second is also named as the repeat of the first."""
    first, second = list(ROWS[0]), list(ROWS[0])
    first[DEPARTMENT] = "某局"
    second[ALIAS_HEADER.index("罚款最低额")] = "五百"
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, [first, ROWS[1], second]))
    found = [(e["row"], e["column"][0]) for e in job.errors]
    assert found == [(2, "F"), (4, "J"), (4, "B")], job.errors
    assert "第 2 行" in job.errors[-1]["message"]
