"""Importing 12345 exports: formats, encodings, aliases, bad input, re-imports, resumable jobs."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from cases.hotline import applying, importing
from cases.hotline.choices import ImportStatus, OrderState, RawRowStatus
from cases.hotline.models import HotlineImport, HotlineOrder, HotlineRawRow
from cases.hotline.rows import describe
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import AuditLog, Unit

from .support import (
    JIANGMEN,
    KNOWLEDGE_BASE,
    csv_bytes,
    jiangmen_row,
    read,
    run,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

NUMBERS = ["0826081308493182401", "0826081308493182402", "0826081308493182403"]


def rows(numbers=NUMBERS, **fields):
    return [jiangmen_row(n, **fields) for n in numbers]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("utf8.csv", lambda: csv_bytes(JIANGMEN, rows())),
        ("utf8-bom.csv", lambda: csv_bytes(JIANGMEN, rows(), encoding="utf-8-sig")),
        ("gbk.csv", lambda: csv_bytes(JIANGMEN, rows(), encoding="gbk")),
        ("gb18030.csv", lambda: csv_bytes(JIANGMEN, rows(), encoding="gb18030")),
        ("export.xlsx", lambda: xlsx_bytes(JIANGMEN, rows())),
    ],
)
def test_exports_in_every_encoding_and_format_import_the_same_orders(district_admin, name, content):
    job = run(district_admin, content(), name)
    assert job.status == ImportStatus.DONE
    assert job.result["created"] == 3
    order = HotlineOrder.objects.get(order_no=NUMBERS[0])
    assert order.address == "江门市蓬江区杜阮镇杜阮北路12号门口"
    assert order.matter == "商户占用人行道摆卖水果"
    assert order.township.code == "duruan" and order.route_method == "unit"
    assert order.order_type == "complaint"
    assert [order.category_1, order.category_2, order.category_3, order.category_4] == [
        "投诉",
        "城市管理",
        "市容环境",
        "占道经营",
    ]
    assert order.phone == "138****5678"  # masked stays masked
    assert "_x000D_" not in order.content and "\r" not in order.content


def test_xlsx_header_below_a_merged_title_with_trailing_empty_columns(district_admin):
    job = read(district_admin, xlsx_bytes(JIANGMEN, rows(), trailing=3))
    assert job.header_row == 2 and job.table_kind == "xlsx"
    assert job.rows_read == 3 and job.rows_invalid == 0
    # every raw row is kept exactly as read, trailing empty cells aside
    raw = HotlineRawRow.objects.get(job=job, row_number=3)
    assert raw.cells[0] == NUMBERS[0]
    assert raw.cells[7].endswith("摆卖水果。")
    assert "_x000D_" in raw.cells[7]  # the artefact is in the raw row, not in the order


def test_knowledge_base_template_is_recognised_by_alias(district_admin):
    row = ["1", "ＧＤ２０２６０３０１０００１２-HBD", "12345热线", "JM20260301", "反映噪音扰民", "事项：夜间施工噪音。",
           "蓬江区棠下镇人民政府", "综合行政执法办公室", "王先生", "139****0000", "", "投诉", "噪声污染",
           "2026-03-01 10:00", "2026/03/20 18:00", "待签收", "张三", ""]  # fmt: skip
    job = run(district_admin, csv_bytes(KNOWLEDGE_BASE, [row]), "kb.csv")
    order = HotlineOrder.objects.get()
    assert order.order_no == "GD2026030100012"  # full-width digits and the -HBD suffix removed
    assert order.order_no_raw == "ＧＤ２０２６０３０１０００１２-HBD"
    assert order.city_order_no == "JM20260301" and order.channel == "12345热线"
    assert order.township.code == "tangxia"
    assert order.promised_at is not None and order.due_on == datetime.date(2026, 3, 20)
    assert order.received_at == order.dispatched_at  # no receipt column: dispatched counts as received
    assert job.unknown_headers == ["序号", "派单员"]


def test_empty_file_and_not_a_spreadsheet_are_refused_at_once(district_admin):
    for content, rule in [
        (b"", "hotline_import_empty_file"),
        (b"%PDF-1.4\n\x00\x01", "hotline_import_not_spreadsheet"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            importing.import_upload(actor=district_admin, file=upload(content, "x.xlsx"))
        assert refused.value.rule == rule
    assert not HotlineImport.objects.exists()


def test_a_sheet_without_a_number_column_fails_with_the_reason(district_admin):
    job = read(district_admin, csv_bytes(["序号", "受理时间", "诉求内容"], [["1", "2026-03-02", "噪音"]]), "x.csv")
    assert job.status == ImportStatus.FAILED
    assert job.error_code == "missing_columns" and "工单编号" in job.error_message
    assert AuditLog.objects.filter(action="cases.workorder.import_failed", object_id=str(job.pk)).exists()


def test_rows_without_a_number_or_a_date_are_reported_and_kept(district_admin):
    content = csv_bytes(
        JIANGMEN,
        [
            jiangmen_row(""),
            jiangmen_row("0826081308493182499", received=""),
            jiangmen_row("0826081308493182498", received="昨天下午"),
            jiangmen_row("8.26081308493182E+17"),
            jiangmen_row(NUMBERS[0]),
        ],
    )
    job = read(district_admin, content, "bad.csv")
    assert job.status == ImportStatus.PREVIEWED
    assert job.rows_read == 5 and job.rows_invalid == 4 and job.counts["new"] == 1
    errors = {r.row_number: [describe(e) for e in r.errors] for r in HotlineRawRow.objects.filter(job=job)}
    assert [e["code"] for e in HotlineRawRow.objects.get(job=job, row_number=2).errors] == ["no_number"]
    assert [e["code"] for e in HotlineRawRow.objects.get(job=job, row_number=3).errors] == ["no_received"]
    assert "昨天下午" in errors[4][0]
    assert [e["code"] for e in HotlineRawRow.objects.get(job=job, row_number=5).errors] == ["number_scientific"]
    assert errors[6] == []
    # nothing lost: every row is stored, the bad ones with their cells
    assert HotlineRawRow.objects.filter(job=job, status=RawRowStatus.INVALID).count() == 4
    assert HotlineRawRow.objects.get(job=job, row_number=4).cells[1] == "昨天下午"


def test_numbers_excel_stored_as_figures_are_refused():
    from cases.hotline.routing import Gazetteer
    from cases.hotline.rows import ParseContext, parse_row

    parsed = parse_row(
        {"order_no": "826081308493182400", "received_at": "2026-03-02"},
        {"order_no": 8.260813084931824e17, "received_at": "2026-03-02"},
        ParseContext(Gazetteer([], [])),
    )
    assert parsed.values is None and parsed.errors[0]["code"] == "number_scientific"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-03-02 09:30", datetime.datetime(2026, 3, 2, 9, 30)),
        ("2026/3/2 9:30:15", datetime.datetime(2026, 3, 2, 9, 30, 15)),
        ("2026年3月2日 9时30分", datetime.datetime(2026, 3, 2, 9, 30)),
        ("2026.03.02", datetime.datetime(2026, 3, 2)),
        ("20260302", datetime.datetime(2026, 3, 2)),
        ("２０２６－０３－０２　０９：３０", datetime.datetime(2026, 3, 2, 9, 30)),
        ("2026-03-02T09:30:00+08:00", datetime.datetime(2026, 3, 2, 9, 30)),
        ("2026-03-02T01:30:00Z", datetime.datetime(2026, 3, 2, 9, 30)),
    ],
)
def test_dates_in_several_formats(district_admin, written, expected):
    run(district_admin, csv_bytes(JIANGMEN, [jiangmen_row(NUMBERS[0], received=written)]), "d.csv")
    from django.utils import timezone

    assert timezone.localtime(HotlineOrder.objects.get().received_at).replace(tzinfo=None) == expected


def test_excel_date_cells_are_read_as_dates(district_admin):
    moment = datetime.datetime(2026, 3, 2, 9, 30)
    run(district_admin, xlsx_bytes(JIANGMEN, [jiangmen_row(NUMBERS[0], received=moment)]))
    from django.utils import timezone

    assert timezone.localtime(HotlineOrder.objects.get().received_at).replace(tzinfo=None) == moment


def test_a_number_repeated_in_one_file_the_later_row_wins_and_both_are_reported(district_admin):
    content = csv_bytes(
        JIANGMEN,
        [
            jiangmen_row(NUMBERS[0], body="事项：第一次反映。"),
            jiangmen_row(NUMBERS[1]),
            jiangmen_row(NUMBERS[0] + "-HBD", body="事项：再次反映，仍未处理。"),
        ],
    )
    job = read(district_admin, content, "dup.csv")
    assert job.counts["duplicate_numbers"] == 1 and job.counts["superseded"] == 1
    assert job.counts["duplicates"] == [{"order_no": NUMBERS[0], "rows": [2, 4], "different": True}]
    first, later = HotlineRawRow.objects.filter(job=job, order_no=NUMBERS[0]).order_by("row_number")
    assert first.superseded and not later.superseded
    for row in (first, later):
        assert any(w["code"] == "duplicate" for w in row.warnings), row.row_number
        assert "2、4" in describe(next(w for w in row.warnings if w["code"] == "duplicate"))
    importing.import_confirm(job=job, actor=district_admin)
    applying.import_apply(job.pk)
    job.refresh_from_db()
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "superseded": 1}
    assert HotlineOrder.objects.get(order_no=NUMBERS[0]).matter == "再次反映，仍未处理"


def test_reimporting_a_file_changes_nothing_and_an_overlapping_export_updates(district_admin):
    first = run(district_admin, csv_bytes(JIANGMEN, rows()), "march.csv")
    assert first.result["created"] == 3
    ids = dict(HotlineOrder.objects.values_list("order_no", "pk"))

    again = run(district_admin, csv_bytes(JIANGMEN, rows()), "march.csv")
    assert again.counts["unchanged"] == 3 and again.result == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "superseded": 0,
    }
    assert importing.earlier_import_of_same_file(again) == first

    later = rows([*NUMBERS[1:], "0826081308493182404"])
    later[0][11] = "已办结"  # the hotline moved the second order on
    later[0][7] = "地址：杜阮镇杜阮北路12号。事项：占道经营，已多次反映。"
    overlap = run(district_admin, csv_bytes(JIANGMEN, later), "march-later.csv")
    assert overlap.counts == {**overlap.counts, "new": 1, "updated": 1, "unchanged": 1}
    assert overlap.result["created"] == 1 and overlap.result["updated"] == 1
    assert HotlineOrder.objects.count() == 4
    assert dict(HotlineOrder.objects.filter(order_no__in=NUMBERS).values_list("order_no", "pk")) == ids
    updated = HotlineOrder.objects.get(order_no=NUMBERS[1])
    assert updated.platform_status == "已办结" and updated.last_import_id == overlap.pk
    assert updated.first_import_id == first.pk


def test_reimport_keeps_the_townships_handling(district_admin, duruan_officer):
    from cases.hotline import services

    run(district_admin, csv_bytes(JIANGMEN, rows(NUMBERS[:1])), "a.csv")
    order = HotlineOrder.objects.get()
    services.order_accept(order=order, actor=duruan_officer)
    changed = rows(NUMBERS[:1], unit="白沙街道办事处", body="地址：白沙街道。事项：已改派。")
    run(district_admin, csv_bytes(JIANGMEN, changed), "b.csv")
    order.refresh_from_db()
    # an accepted order keeps its township and state; the hotline's texts follow the export
    assert order.township.code == "duruan" and order.state == OrderState.IN_PROGRESS
    assert order.matter == "已改派"


def test_a_pending_order_follows_the_hotlines_new_dispatch(district_admin):
    run(district_admin, csv_bytes(JIANGMEN, rows(NUMBERS[:1])), "a.csv")
    run(district_admin, csv_bytes(JIANGMEN, rows(NUMBERS[:1], unit="白沙街道办事处")), "b.csv")
    assert HotlineOrder.objects.get().township.code == "baisha"


def many_rows(count: int) -> bytes:
    return csv_bytes(JIANGMEN, [jiangmen_row(f"0826{n:015d}", body=f"事项：第{n}号反映。") for n in range(count)])


def test_a_read_killed_in_the_middle_resumes_without_duplicates(district_admin, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ROWS", 10)
    job = importing.import_upload(actor=district_admin, file=upload(many_rows(35), "big.csv"))
    importing.import_read(job.pk, max_batches=2)  # the worker dies after two committed batches
    job.refresh_from_db()
    assert job.status == ImportStatus.READING and job.rows_read == 20 and job.read_cursor == 21
    assert HotlineRawRow.objects.filter(job=job).count() == 20
    importing.import_read(job.pk)  # the task runs again
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and job.rows_read == 35
    assert HotlineRawRow.objects.filter(job=job).count() == 35
    assert sorted(HotlineRawRow.objects.filter(job=job).values_list("row_number", flat=True)) == list(range(2, 37))
    assert job.counts["new"] == 35


def test_an_apply_killed_in_the_middle_gives_the_same_result_when_run_again(district_admin, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ROWS", 10)
    clean = run(district_admin, many_rows(35), "clean.csv")
    expected = list(HotlineOrder.objects.order_by("order_no").values_list("order_no", "content_hash", "due_on"))
    HotlineOrder.objects.all().delete()

    job = read(district_admin, many_rows(35), "killed.csv")
    importing.import_confirm(job=job, actor=district_admin)
    applying.import_apply(job.pk, max_batches=2)
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING and job.rows_applied == 20
    assert HotlineOrder.objects.count() == 20
    # the batch after the cursor is applied again, as a re-delivered task would (harmless)
    HotlineImport.objects.filter(pk=job.pk).update(apply_cursor=job.apply_cursor - 10)
    applying.import_apply(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert list(HotlineOrder.objects.order_by("order_no").values_list("order_no", "content_hash", "due_on")) == expected
    assert HotlineOrder.objects.count() == 35 == clean.result["created"]


def test_a_task_run_twice_changes_nothing_the_second_time(district_admin):
    from cases.hotline.tasks import hotline_import_apply, hotline_import_read

    job = importing.import_upload(actor=district_admin, file=upload(csv_bytes(JIANGMEN, rows()), "t.csv"))
    assert hotline_import_read(job.pk) == ImportStatus.PREVIEWED
    assert hotline_import_read(job.pk) == ImportStatus.PREVIEWED  # delivered twice
    assert HotlineRawRow.objects.filter(job=job).count() == 3
    job.refresh_from_db()
    importing.import_confirm(job=job, actor=district_admin)
    assert hotline_import_apply(job.pk) == ImportStatus.DONE
    assert hotline_import_apply(job.pk) == ImportStatus.DONE
    assert HotlineOrder.objects.count() == 3
    assert AuditLog.objects.filter(action="cases.workorder.imported", object_id=str(job.pk)).count() == 1
    assert hotline_import_read(999999) == "skipped"


def test_a_preview_must_be_confirmed_once_and_can_be_discarded(district_admin):
    job = read(district_admin, csv_bytes(JIANGMEN, rows()), "p.csv")
    assert not HotlineOrder.objects.exists()  # a preview imports nothing
    importing.import_discard(job=job, actor=district_admin)
    with pytest.raises(RuleViolation):
        importing.import_confirm(job=job, actor=district_admin)
    assert not HotlineOrder.objects.exists()


def test_the_job_and_each_order_it_writes_are_audited(district_admin):
    """The job's steps on the job's chain; every order created (or changed) on its own chain."""
    job = run(district_admin, csv_bytes(JIANGMEN, rows()), "a.csv")
    from django.contrib.contenttypes.models import ContentType

    jobs = ContentType.objects.get_for_model(HotlineImport)
    trail = AuditLog.objects.filter(content_type=jobs, object_id=str(job.pk)).order_by("id")
    actions = list(trail.values_list("action", flat=True))
    assert actions == [
        "cases.workorder.import_uploaded",
        "cases.workorder.import_read",
        "cases.workorder.import_confirmed",
        "cases.workorder.imported",
    ]
    orders = AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(HotlineOrder))
    assert sorted(orders.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in HotlineOrder.objects.values_list("pk", flat=True)
    )
    assert set(orders.values_list("action", flat=True)) == {"cases.workorder.created_by_import"}
    assert all(row.after == {"import": job.pk} and row.actor == district_admin for row in orders)


def test_the_importers_township_scopes_the_job(duruan_head, baisha_officer):
    job = read(duruan_head, csv_bytes(JIANGMEN, rows()), "a.csv")
    assert job.township == Unit.objects.get(code="duruan")
    assert not HotlineImport.objects.restrict(baisha_officer, "view").filter(pk=job.pk).exists()
    assert HotlineImport.objects.restrict(duruan_head, "view").filter(pk=job.pk).exists()


def test_a_stalled_job_can_be_resumed(district_admin, django_capture_on_commit_callbacks):
    job = importing.import_upload(actor=district_admin, file=upload(csv_bytes(JIANGMEN, rows()), "s.csv"))
    with pytest.raises(RuleViolation):
        importing.import_resume(job=job, actor=district_admin)
    stale_after = datetime.timedelta(seconds=settings.JOB_STALE_AFTER)
    HotlineImport.objects.filter(pk=job.pk).update(
        heartbeat_at=job.created_at - stale_after - datetime.timedelta(minutes=1),
        created_at=job.created_at - stale_after - datetime.timedelta(minutes=1),
    )
    job.refresh_from_db()
    assert importing.is_stale(job)
    with django_capture_on_commit_callbacks() as callbacks:
        importing.import_resume(job=job, actor=district_admin)
    assert len(callbacks) == 1


def test_search_tokens_match_the_portal_tokenisation_with_pairs_only_for_the_body():
    from pengjiang_enforcement.search import search_document, tokens

    short, long = ["陈先生 GD2026", "杜阮镇龙榜村"], ["夜间施工噪音扰民，路。"]
    found = set(search_document(short, long).split())
    body_pairs = {t for t in tokens(long[0]) if len(t) == 2} | {"路"}  # a lone character stands for itself
    assert found == set(tokens(" ".join(short))) | body_pairs
    assert "噪" not in found and "噪音" in found and "陈" in found


def test_one_character_finds_the_citizen_and_two_find_the_body(district_admin, duruan_officer):
    from cases.hotline.filters import order_queue

    run(district_admin, csv_bytes(JIANGMEN, rows(NUMBERS[:1], person="欧阳女士")), "s.csv")
    found = lambda q: order_queue(duruan_officer, q=q, state="").count()  # noqa: E731
    assert found("欧") == 1 and found("摆卖") == 1 and found("噪音") == 0


def test_hotline_import_size(district_admin, monkeypatch):
    """A file over the limit is refused before anything is stored (the limit is lowered here)."""
    content = csv_bytes(JIANGMEN, rows())
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", len(content) - 1)
    with pytest.raises(RuleViolation) as exc:
        importing.import_upload(actor=district_admin, file=upload(content, "big.csv"))
    assert exc.value.rule == "hotline_import_size"
    assert not HotlineImport.objects.exists()


def test_hotline_import_old_xls(district_admin):
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(RuleViolation) as exc:
        importing.import_upload(actor=district_admin, file=upload(old_excel, "export.xls"))
    assert exc.value.rule == "hotline_import_old_xls"
    assert "xlsx" in exc.value.messages[0].lower()
    assert not HotlineImport.objects.exists()


def test_hotline_import_nothing(district_admin):
    job = read(district_admin, csv_bytes(JIANGMEN, [jiangmen_row(""), jiangmen_row("8.26081308493182E+17")]), "x.csv")
    assert job.status == ImportStatus.PREVIEWED and job.rows_invalid == 2
    with pytest.raises(RuleViolation) as exc:
        importing.import_confirm(job=job, actor=district_admin)
    assert exc.value.rule == "hotline_import_nothing"
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and not HotlineOrder.objects.exists()


def test_hotline_import_not_previewed(district_admin):
    job = read(district_admin, csv_bytes(JIANGMEN, rows()), "p.csv")
    importing.import_discard(job=job, actor=district_admin)
    for step in (importing.import_confirm, importing.import_discard):
        with pytest.raises(RuleViolation) as exc:
            step(job=job, actor=district_admin)
        assert exc.value.rule == "hotline_import_not_previewed"
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and not HotlineOrder.objects.exists()


def test_hotline_import_not_stalled(district_admin, django_capture_on_commit_callbacks):
    job = importing.import_upload(actor=district_admin, file=upload(csv_bytes(JIANGMEN, rows()), "s.csv"))
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuleViolation) as exc:
        importing.import_resume(job=job, actor=district_admin)
    assert exc.value.rule == "hotline_import_not_stalled"
    assert callbacks == []
