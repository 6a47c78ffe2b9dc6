"""Importing the official catalogue: XLSX and CSV (UTF-8, GBK), preview, confirm, apply."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import AuditLog
from powers.choices import AdjustmentKind, AdjustmentStatus, ImportStatus, ItemStatus, PowerKind
from powers.exporting import rows as export_rows
from powers.fileformat import RowWriter
from powers.importing import import_apply, import_cancel, import_confirm, import_parse, import_upload
from powers.models import Adjustment, CatalogueImport, PowerItem
from powers.selectors import is_delegated
from tests.factories import unit

from .factories import make_item, second_admin

pytestmark = pytest.mark.django_db

# An official template with alias column names (编码 / 职权名称 / 类别 / 实施主体 / 适用范围 ...).
ALIAS_HEADER = [
    "序号", "编码", "子项", "职权名称", "类别", "实施主体", "设定依据", "实施依据", "处罚种类",
    "罚款最低额", "罚款最高额", "听证标准", "是否重大执法决定", "下放方式", "适用范围", "备注",
]  # fmt: skip
ROWS = [
    ["1", "440703100001", "", "对擅自占用城市道路摆卖的行政处罚", "行政处罚", "区城管执法局",
     "《城市道路管理条例》第二十七条", "《城市道路管理条例》第四十二条", "警告、罚款",
     "0", "2000", "公民5000元，法人或其他组织10万元", "否", "赋权", "全部", ""],
    ["2", "440703100002", "", "对露天焚烧秸秆的行政处罚", "行政处罚", "江门市生态环境局蓬江分局",
     "《大气污染防治法》第七十七条", "《大气污染防治法》第一百一十九条", "罚款",
     "500", "2000", "", "否", "委托", "镇", "仅限农村地区"],
    ["3", "440703100003", "01", "对公共场所卫生状况的行政检查", "行政检查", "区卫健局",
     "《公共场所卫生管理条例》第十条", "《公共场所卫生管理条例》第十条", "",
     "", "", "", "否", "赋权", "杜阮镇、白沙街道", ""],
]  # fmt: skip


@pytest.fixture
def today():
    return timezone.localdate()


def csv_bytes(header, rows, encoding="gbk", title=None) -> bytes:
    lines = ([title] if title else []) + [",".join(header)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(header, rows, title=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if v and v.isdigit() and len(v) == 12 else v for v in row])  # codes as Excel numbers
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(actor, content: bytes, name="目录.csv", *, effective_date=None, recall_missing=False) -> CatalogueImport:
    job = import_upload(
        actor=actor,
        file=SimpleUploadedFile(name, content),
        effective_date=effective_date or timezone.localdate(),
        recall_missing=recall_missing,
    )
    return import_parse(job.pk)


def run(actor, content: bytes, name="目录.csv", **kwargs) -> CatalogueImport:
    job = upload(actor, content, name, **kwargs)
    assert job.status == ImportStatus.PREVIEWED, (job.error_message, job.errors)
    job = import_confirm(actor=second_admin(), job=job)
    return import_apply(job.pk) or CatalogueImport.objects.get(pk=job.pk)


def counts(job) -> dict:
    return job.preview["counts"]


def test_gbk_csv_with_alias_columns_is_previewed_then_applied(district_admin, today):
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, ROWS, "gbk"))
    assert job.status == ImportStatus.PREVIEWED
    assert job.encoding == "gb18030"
    assert job.errors == []
    assert counts(job) == {"add": 3}
    assert not PowerItem.objects.exists()  # nothing is written before confirmation
    job = import_confirm(actor=second_admin(), job=job)
    job = import_apply(job.pk)
    assert job.status == ImportStatus.DONE and job.summary["applied"] == 3

    roadside = PowerItem.objects.get(code="440703100001")
    assert roadside.kind == PowerKind.PENALTY
    assert roadside.department == unit("dept-urban")
    assert roadside.penalty_types == ["warning", "fine"]
    assert roadside.fine_max == Decimal("2000") and roadside.hearing_threshold_organisation == Decimal("100000")
    assert roadside.delegations.count() == 6
    burning = PowerItem.objects.get(code="440703100002")
    assert burning.delegation_mode == "entrust" and burning.notes == "仅限农村地区"
    assert {d.township.code for d in burning.delegations.all()} == {"tangxia", "hetang", "duruan"}
    inspection = PowerItem.objects.get(code="440703100003", sub_code="01")
    assert inspection.kind == PowerKind.INSPECTION and inspection.penalty_types == []
    assert {d.township.code for d in inspection.delegations.all()} == {"duruan", "baisha"}
    assert set(Adjustment.objects.values_list("kind", "status").distinct()) == {(AdjustmentKind.ADD, "applied")}
    assert AuditLog.objects.filter(action="powers.import.applied", object_id=str(job.pk)).exists()


def test_xlsx_with_a_merged_title_row_and_codes_stored_as_numbers(district_admin):
    content = xlsx_bytes(ALIAS_HEADER, ROWS, title="蓬江区镇街综合行政执法事项目录（2026年）")
    job = upload(district_admin, content, "目录.xlsx")
    assert job.errors == [] and counts(job) == {"add": 3}
    assert job.preview["file"]["header_row"] == 2
    assert [a["code"] for a in job.preview["actions"]] == ["440703100001", "440703100002", "440703100003"]


def test_utf8_csv_with_bom_and_the_usual_column_names(district_admin):
    header = [
        "序号",
        "事项编码",
        "子项编码",
        "事项名称",
        "职权类型",
        "实施部门",
        "领域",
        "处罚依据",
        "罚款下限",
        "罚款上限",
    ]
    rows = [
        ["1", "440703100009", "", "对乱张贴的行政处罚", "行政处罚", "dept-urban", "市容环境卫生", "第X条", "", "100"]
    ]
    job = upload(district_admin, csv_bytes(header, rows, "utf-8-sig"))
    assert job.errors == []
    assert job.preview["actions"][0]["values"]["field"] == "市容环境卫生"


def test_reimporting_the_same_file_changes_nothing(district_admin):
    content = csv_bytes(ALIAS_HEADER, ROWS, "gbk")
    run(district_admin, content)
    last_audit = AuditLog.objects.order_by("-id").values_list("id", flat=True).first()
    second = upload(district_admin, content)
    assert second.errors == []
    assert second.preview["actions"] == []
    assert counts(second) == {"unchanged": 3}
    assert second.preview["same_file_as"]
    second = import_confirm(actor=second_admin(), job=second)
    assert second.status == ImportStatus.DONE
    assert Adjustment.objects.count() == 3
    new_rows = AuditLog.objects.filter(id__gt=last_audit).values_list("action", flat=True)
    assert sorted(new_rows) == ["powers.import.confirmed", "powers.import.uploaded"]  # no catalogue change


def test_exported_catalogue_imports_back_unchanged(district_admin):
    make_item(townships=["duruan", "hetang"], penalty_types=["fine", "warning"], notes="多行\n备注")
    make_item(townships=None, fine_min=None, fine_max=None, is_major=True, delegation_mode="entrust")
    recalled = make_item(townships=["baisha"])
    from powers.services import item_recall

    item_recall(actor=None, item=recalled, effective_date=dt.date(2025, 1, 1))
    buffer = io.BytesIO()
    from pengjiang_enforcement.tabular import write_xlsx

    write_xlsx(buffer, RowWriter.headers(), export_rows(PowerItem.objects.order_by("code")), preamble=[["示例"]])
    job = upload(district_admin, buffer.getvalue(), "导出.xlsx", recall_missing=True)
    assert job.errors == []
    assert job.preview["actions"] == [], job.preview["actions"]
    assert counts(job) == {"unchanged": 3}


def test_changed_rows_become_changes_recalls_and_redelegations(district_admin, today):
    run(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    changed = [list(r) for r in ROWS]
    changed[0][10] = "3000"  # fine maximum
    changed[1][14] = "杜阮镇"  # towns → only 杜阮
    changed[2] = [*changed[2][:-1], ""]
    header = [*ALIAS_HEADER, "状态"]
    rows = [[*r, "在用"] for r in changed]
    rows[2][-1] = "已收回"
    job = upload(district_admin, csv_bytes(header, rows), effective_date=today + dt.timedelta(days=30))
    assert job.errors == []
    by_code = {a["code"]: a for a in job.preview["actions"]}
    assert by_code["440703100001"]["type"] == AdjustmentKind.CHANGE
    assert by_code["440703100001"]["values"] == {"fine_max": "3000.00"}
    assert by_code["440703100001"]["before"] == {"fine_max": "2000.00"}
    assert by_code["440703100002"]["type"] == AdjustmentKind.RECALL
    assert sorted(by_code["440703100002"]["townships"]) == ["hetang", "tangxia"]
    assert by_code["440703100003"]["type"] == AdjustmentKind.RECALL

    job = import_apply(import_confirm(actor=second_admin(), job=job).pk)
    assert job.summary["waiting"] == 3  # approved, waiting for their date: nothing changed yet
    roadside = PowerItem.objects.get(code="440703100001")
    assert roadside.fine_max == Decimal("2000")
    # the same file again: already scheduled, nothing more to do
    again = upload(district_admin, csv_bytes(header, rows), effective_date=today + dt.timedelta(days=30))
    assert again.errors == [] and again.preview["actions"] == [] and counts(again) == {"scheduled": 3}

    from powers.adjustments import apply_due_adjustments

    apply_due_adjustments(today=today + dt.timedelta(days=30))
    roadside.refresh_from_db()
    assert roadside.fine_max == Decimal("3000")
    assert not is_delegated(PowerItem.objects.get(code="440703100002"), unit("hetang"), today + dt.timedelta(30))
    assert PowerItem.objects.get(code="440703100003").status == ItemStatus.RECALLED


def test_recall_missing_items_only_when_asked(district_admin):
    run(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    partial = csv_bytes(ALIAS_HEADER, ROWS[:2])
    assert upload(district_admin, partial).preview["actions"] == []
    job = upload(district_admin, partial, recall_missing=True)
    assert [(a["type"], a["code"], a.get("missing")) for a in job.preview["actions"]] == [
        (AdjustmentKind.RECALL, "440703100003", True)
    ]


# --- bad input: a clear message with row and column, and nothing written -----------------------
def bad(actor, rows, header=ALIAS_HEADER):
    job = upload(actor, csv_bytes(header, rows))
    assert job.status == ImportStatus.PREVIEWED
    with pytest.raises(RuleViolation) as exc:
        import_confirm(actor=actor, job=job)
    assert exc.value.rule == "import_has_errors"
    assert not PowerItem.objects.exists() and not Adjustment.objects.exists()
    return job.errors


def test_missing_code_is_reported_with_row_and_column(district_admin):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[1][1] = ""
    errors = bad(district_admin, rows)
    assert errors == [{"row": 3, "column": "B（编码）", "message": "缺少基本编码。"}]


def test_malformed_code_is_reported(district_admin):
    rows = [list(ROWS[0])]
    rows[0][1] = "44070310"
    assert "12 位数字" in bad(district_admin, rows)[0]["message"]


def test_duplicate_code_is_reported_on_the_second_row(district_admin):
    errors = bad(district_admin, [ROWS[0], ROWS[1], ROWS[0]])
    assert len(errors) == 1 and errors[0]["row"] == 4
    assert "第 2 行" in errors[0]["message"]


def test_unknown_department_is_reported(district_admin):
    rows = [list(ROWS[0])]
    rows[0][5] = "区不存在局"
    assert bad(district_admin, rows) == [
        {"row": 2, "column": "F（实施主体）", "message": "无法识别的实施部门：“区不存在局”。"}
    ]


def test_unknown_township_is_reported(district_admin):
    rows = [list(ROWS[0])]
    rows[0][14] = "杜阮镇、外海街道"
    errors = bad(district_admin, rows)
    assert errors[0]["column"] == "O（适用范围）" and "外海街道" in errors[0]["message"]


def test_fine_minimum_above_maximum_is_reported(district_admin):
    rows = [list(ROWS[0])]
    rows[0][9], rows[0][10] = "5000", "200"
    errors = bad(district_admin, rows)
    assert errors[0]["column"] == "J（罚款最低额）" and "5000" in errors[0]["message"]


def test_every_bad_row_is_listed(district_admin):
    rows = [list(r) for r in ROWS]
    rows[0][5] = "某局"
    rows[1][9] = "五百"
    rows[2][12] = "也许"
    errors = bad(district_admin, rows)
    assert [(e["row"], e["column"][0]) for e in errors] == [(2, "F"), (3, "J"), (4, "M")]


def test_effective_date_in_the_past_is_refused_at_upload(district_admin, today):
    with pytest.raises(RuleViolation) as exc:
        import_upload(
            actor=district_admin,
            file=SimpleUploadedFile("a.csv", csv_bytes(ALIAS_HEADER, ROWS)),
            effective_date=today - dt.timedelta(days=1),
        )
    assert exc.value.rule == "catalogue_effective_date"
    assert not CatalogueImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.4\x00\x01\x02 binary", "目录.pdf", "不是电子表格"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "目录.xls", ".xls"),
        ("事项编码,事项名称,实施部门\n".encode() + b"\xff\xfe\xff\x80\x80\n", "目录.csv", "编码"),
        (b"PK\x03\x04 not really a zip", "目录.xlsx", "已损坏"),
        ("名称,金额\n甲,1\n".encode(), "目录.csv", "缺少必需的列"),
    ],
    ids=["pdf", "old-xls", "unknown-encoding", "damaged-xlsx", "missing-columns"],
)
def test_unreadable_file_fails_with_a_message_and_keeps_the_file(district_admin, content, name, expected):
    job = upload(district_admin, content, name)
    assert job.status == ImportStatus.FAILED
    assert expected in job.error_message, job.error_message
    assert job.file.read() == content  # nothing uploaded is lost
    assert not PowerItem.objects.exists()


def test_rows_contradicting_an_open_adjustment_are_refused(district_admin, today):
    run(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    from powers.adjustments import adjustment_propose

    item = PowerItem.objects.get(code="440703100001")
    adjustment = adjustment_propose(
        actor=district_admin, kind=AdjustmentKind.RECALL, item=item, reason="收回", effective_date=today
    )
    rows = [list(ROWS[0])]
    rows[0][10] = "9000"
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, rows))
    assert len(job.errors) == 1 and f"{adjustment.pk}" in job.errors[0]["message"]


def test_a_cancelled_import_cannot_be_confirmed(district_admin):
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    import_cancel(actor=district_admin, job=job)
    with pytest.raises(RuleViolation) as exc:
        import_confirm(actor=district_admin, job=job)
    assert exc.value.rule == "import_transition"


def test_import_four_eyes_the_uploader_does_not_confirm(district_admin):
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    with pytest.raises(RuleViolation) as exc:
        import_confirm(actor=district_admin, job=job)
    assert exc.value.rule == "import_four_eyes"
    assert CatalogueImport.objects.get(pk=job.pk).status == ImportStatus.PREVIEWED
    assert not Adjustment.objects.exists()
    job = import_apply(import_confirm(actor=second_admin(), job=job).pk)
    assert job.status == ImportStatus.DONE
    assert set(Adjustment.objects.values_list("decided_by", flat=True)) == {second_admin().pk}


def test_apply_resumes_after_the_changes_already_made(district_admin, monkeypatch):
    import powers.importing as importing

    monkeypatch.setattr(importing, "APPLY_CHUNK", 1)
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    job = import_confirm(actor=second_admin(), job=job)
    # a worker that died after the first change: the row says one change is done
    from powers.importing import _apply_action

    townships = {t.code: t for t in importing.Unit.objects.filter(kind="township")}
    _apply_action(CatalogueImport.objects.get(pk=job.pk), job.preview["actions"][0], townships)
    CatalogueImport.objects.filter(pk=job.pk).update(applied_rows=1)
    job = import_apply(job.pk)
    assert job.status == ImportStatus.DONE
    assert PowerItem.objects.count() == 3 and Adjustment.objects.count() == 3
    assert import_apply(job.pk) is None  # a second delivery of the task does nothing


def test_import_row_refused_at_apply_time_stops_with_the_reason(district_admin, monkeypatch):
    import powers.importing as importing

    monkeypatch.setattr(importing, "APPLY_CHUNK", 1)
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    job = import_confirm(actor=second_admin(), job=job)
    make_item(code="440703100002")  # the code entered the catalogue between preview and apply
    job = import_apply(job.pk)
    assert job.status == ImportStatus.FAILED
    assert "440703100002" in job.error_message and "第 3 行" in job.error_message
    assert Adjustment.objects.filter(status=AdjustmentStatus.APPLIED).count() == 1


def test_rows_as_the_catalogue_is_now_are_unchanged_even_with_a_pending_adjustment(district_admin, today):
    run(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    from powers.adjustments import adjustment_propose

    item = PowerItem.objects.get(code="440703100001")
    adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.CHANGE,
        item=item,
        data={"notes": "下月起"},
        reason="补充",
        effective_date=today + dt.timedelta(days=30),
    )
    job = upload(district_admin, csv_bytes(ALIAS_HEADER, ROWS))
    assert job.errors == [] and counts(job) == {"unchanged": 3}


def test_import_file_size_limit(district_admin, monkeypatch):
    import powers.importing as importing

    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(RuleViolation) as exc:
        import_upload(
            actor=district_admin, file=SimpleUploadedFile("a.csv", b"x" * 101), effective_date=timezone.localdate()
        )
    assert exc.value.rule == "import_file_size"
