"""The catalogue's screens: filters, detail, matrix, export, the procedures through the forms,
and the query count of every list (it must not grow with the rows)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pengjiang_enforcement.models import AuditLog
from powers.adjustments import adjustment_propose
from powers.choices import AdjustmentKind, AdjustmentStatus, ImportStatus, ItemStatus, PowerKind
from powers.importing import import_parse
from powers.models import Adjustment, CatalogueImport, DiscretionStandard, LeniencyEntry, PowerItem, PowerUsage
from powers.services import item_recall, usage_record
from tests.factories import unit

from .factories import approval_document, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def admin(login, district_admin):
    return login(district_admin)


@pytest.fixture
def second(login, reviewer):
    """A second admin's client: reviews and approves what ``admin`` proposes."""
    return login(reviewer)


def approval(note: str = "同意", number: int = 1) -> dict:
    return {"note": note, **approval_document(number)}


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


# --- the catalogue list --------------------------------------------------------------------------
def test_catalogue_filters_by_department_kind_township_status_and_chinese_text(admin):
    roadside = make_item(name="对占道经营的行政处罚", townships=["duruan"])
    noise = make_item(name="对夜间施工噪声扰民的行政处罚", department="dept-ecology", townships=["baisha"])
    check = make_item(name="对公共场所卫生的行政检查", kind=PowerKind.INSPECTION, penalty_types=[], fine_max=None)
    recalled = make_item(name="对擅自占道施工的行政处罚", townships=["duruan"])
    item_recall(actor=None, item=recalled, effective_date=dt.date(2025, 1, 1))

    def codes(query):
        text = page_text(admin, f"/catalogue/?{query}")
        return {i.code for i in (roadside, noise, check, recalled) if i.code in text}

    assert codes("") == {roadside.code, noise.code, check.code}  # in force by default
    assert codes(f"department={unit('dept-ecology').pk}") == {noise.code}
    assert codes("kind=inspection") == {check.code}
    assert codes(f"township={unit('duruan').pk}") == {roadside.code, check.code}
    assert codes("status=recalled") == {recalled.code}
    assert codes("status=all&q=占道") == {roadside.code, recalled.code}
    assert codes("q=噪声") == {noise.code}
    assert codes(f"q={roadside.code}") == {roadside.code}


def test_catalogue_list_query_count_does_not_grow_with_rows(admin):
    make_item(townships=["duruan"])
    few = queries(admin, "/catalogue/")
    for _ in range(30):
        make_item()
    assert queries(admin, "/catalogue/") == few
    assert queries(admin, "/catalogue/?q=摆卖&kind=penalty") <= few


def test_catalogue_list_count_is_the_count_of_the_filtered_list(admin):
    make_item(townships=["duruan"])
    make_item(townships=["baisha"], department="dept-ecology")
    make_item(townships=["baisha"], kind="inspection", fine_min=None, fine_max=None, penalty_types=[])

    def shown(query):
        text = page_text(admin, f"/catalogue/?{query}")
        count = int(re.search(r'data-testid="item-count" data-count="(\d+)"', text).group(1))
        rows = text.count('<a href="/catalogue/items/')
        return count, rows

    assert shown("") == (3, 3)
    assert shown(f"department={unit('dept-ecology').pk}") == (1, 1)
    assert shown("kind=inspection") == (1, 1)
    assert shown(f"township={unit('baisha').pk}") == (2, 2)
    assert "2 项符合筛选条件" in page_text(admin, f"/catalogue/?township={unit('baisha').pk}")
    assert shown("q=不存在的事项名称") == (0, 0)


def test_sample_banner_only_when_sample_items_are_shown(admin):
    make_item()
    assert 'data-testid="sample-banner"' not in page_text(admin, "/catalogue/")
    PowerItem.objects.update(is_sample=True)
    assert 'data-testid="sample-banner"' in page_text(admin, "/catalogue/")


# --- the item page -------------------------------------------------------------------------------
def test_item_page_shows_history_delegations_standard_and_lists(admin, second, district_admin, today):
    item = make_item(townships=["duruan", "baisha"], fine_max="500")
    adjustment = adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.CHANGE,
        item=item,
        data={"fine_max": "800"},
        remove_townships=[unit("baisha")],
        reason="法规修订",
        effective_date=today,
    )
    second.post(f"/catalogue/adjustments/{adjustment.pk}/review/", {"note": "合法"})
    second.post(f"/catalogue/adjustments/{adjustment.pk}/approve/", approval())
    text = page_text(admin, f"/catalogue/items/{item.pk}/")
    assert "法规修订" in text  # the version's reason
    assert "v2" in text and "v1" in text
    assert "白沙街道" in text and "已结束" in text  # the ended delegation stays in the record
    assert "800" in text


def test_item_page_query_count_does_not_grow_with_versions(admin, district_admin, today):
    item = make_item(townships=["duruan"])
    url = f"/catalogue/items/{item.pk}/"
    before = queries(admin, url)
    from powers.services import item_change

    for n in range(5):
        item_change(actor=None, item=item, changes={"notes": f"第{n}次"}, effective_from=today)
    assert queries(admin, url) == before


# --- the matrix ----------------------------------------------------------------------------------
def test_matrix_shows_who_holds_what_on_a_date(admin, today):
    towns = make_item(name="对占道经营的行政处罚", townships=["duruan", "tangxia"])
    later = make_item(
        name="对夜间施工噪声的行政处罚", townships=["baisha"], effective_from=today + dt.timedelta(days=10)
    )
    text = page_text(admin, "/catalogue/matrix/")
    assert towns.name in text and later.name in text
    assert text.count('aria-label="承接"') == 2  # today: 杜阮 and 棠下 hold the first; nobody the second yet
    text = page_text(admin, f"/catalogue/matrix/?day={(today + dt.timedelta(days=10)).isoformat()}")
    assert text.count('aria-label="承接"') == 3
    one = page_text(admin, f"/catalogue/matrix/?township={unit('duruan').pk}")
    assert towns.name in one and later.name not in one


def test_matrix_is_not_one_query_per_cell(admin):
    for _ in range(3):
        make_item()
    few = queries(admin, "/catalogue/matrix/")
    for _ in range(30):
        make_item()
    assert queries(admin, "/catalogue/matrix/") == few
    assert queries(admin, f"/catalogue/matrix/?township={unit('duruan').pk}") <= few


# --- export --------------------------------------------------------------------------------------
def test_export_xlsx_and_csv_of_the_filtered_catalogue(login, duruan_officer):
    make_item(name="对占道经营的行政处罚", townships=["duruan"])
    make_item(name="对夜间施工噪声扰民的行政处罚", townships=["baisha"])
    client = login(duruan_officer)  # reading is enough to export
    response = client.get("/catalogue/export.xlsx?q=占道")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "事项编码", "子项编码", "事项名称")
    assert [r[3] for r in rows[1:]] == ["对占道经营的行政处罚"]
    assert rows[1][17] == "杜阮镇"
    response = client.get("/catalogue/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 3


def test_export_of_sample_items_says_so(admin):
    make_item()
    PowerItem.objects.update(is_sample=True)
    response = admin.get("/catalogue/export.csv")
    assert "示例数据" in b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]


# --- the procedures through the forms -------------------------------------------------------------
def test_admin_proposes_a_new_item_then_reviews_and_approves_it(admin, second, today):
    response = admin.post(
        "/catalogue/adjustments/new/add/",
        {
            "code": "440703555001",
            "sub_code": "",
            "name": "对在禁止吸烟场所吸烟的行政处罚",
            "kind": "penalty",
            "department": unit("dept-health").pk,
            "field": "控烟",
            "penalty_types": ["fine"],
            "fine_min": "50",
            "fine_max": "200",
            "hearing_threshold_person": "5000",
            "hearing_threshold_organisation": "100000",
            "delegation_mode": "grant",
            "townships": [unit("duruan").pk, unit("hetang").pk],
            "effective_date": today.isoformat(),
            "reason": "新增下放",
        },
    )
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/catalogue/adjustments/{adjustment.pk}/"
    assert not PowerItem.objects.exists()
    second.post(f"/catalogue/adjustments/{adjustment.pk}/review/", {"note": "合法"})
    response = second.post(f"/catalogue/adjustments/{adjustment.pk}/approve/", approval(), follow=True)
    assert "调整已批准并生效" in response.content.decode()
    item = PowerItem.objects.get(code="440703555001")
    assert {d.township.code for d in item.delegations.all()} == {"duruan", "hetang"}


def test_proposal_with_a_past_date_shows_the_rule_and_writes_nothing(admin, today):
    item = make_item()
    response = admin.post(
        f"/catalogue/adjustments/new/recall/?item={item.pk}",
        {"effective_date": (today - dt.timedelta(days=3)).isoformat(), "reason": "收回"},
    )
    assert response.status_code == 200
    assert "已过" in response.content.decode()
    assert not Adjustment.objects.exists()


def test_new_item_form_shows_every_refused_rule_at_its_field(admin, today):
    """A past date, a code already taken and a fine range upside down: all three at once."""
    taken = make_item()
    response = admin.post(
        "/catalogue/adjustments/new/add/",
        {
            "code": taken.code,
            "sub_code": taken.sub_code,
            "name": "对在禁止吸烟场所吸烟的行政处罚",
            "kind": "penalty",
            "department": unit("dept-health").pk,
            "penalty_types": ["fine"],
            "fine_min": "500",
            "fine_max": "200",
            "hearing_threshold_person": "5000",
            "hearing_threshold_organisation": "100000",
            "delegation_mode": "grant",
            "townships": [unit("duruan").pk],
            "effective_date": (today - dt.timedelta(days=3)).isoformat(),
            "reason": "新增下放",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"effective_date", "code", "fine_min"} <= set(errors), errors
    assert not Adjustment.objects.exists()


def test_change_form_is_prefilled_and_only_differences_are_proposed(admin, today):
    item = make_item(fine_max="500", townships=["duruan"])
    form = admin.get(f"/catalogue/adjustments/new/change/?item={item.pk}").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "department": item.department_id,
            "fine_max": "900",
            "penalty_types": item.penalty_types,
            "is_major": "",
            "effective_date": (today + dt.timedelta(days=5)).isoformat(),
            "reason": "上位法修订",
            "add_townships": [unit("hetang").pk],
        }
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = admin.post(f"/catalogue/adjustments/new/change/?item={item.pk}", data)
    assert response.status_code == 302, response.context["form"].errors
    adjustment = Adjustment.objects.get()
    assert adjustment.proposed_data["changes"] == {"fine_max": "900.00"}
    assert adjustment.proposed_data["add_townships"] == ["hetang"]


def test_decision_that_breaks_a_rule_shows_a_message_not_a_500(admin, district_admin, today):
    adjustment = adjustment_propose(
        actor=district_admin, kind=AdjustmentKind.RECALL, item=make_item(), reason="收回", effective_date=today
    )
    response = admin.post(f"/catalogue/adjustments/{adjustment.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "不能变为" in response.content.decode()
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.PROPOSED


def test_discretion_and_leniency_forms(admin, today):
    item = make_item(fine_max="500")
    data = {"band-TOTAL_FORMS": 4, "band-INITIAL_FORMS": 0, "effective_from": today.isoformat(), "note": "新版"}
    data |= {"band-0-level": "minor", "band-0-conditions": "初次违法", "band-0-fine_max": "50"}
    data |= {
        "band-1-level": "general",
        "band-1-conditions": "一般情形",
        "band-1-fine_min": "50",
        "band-1-fine_max": "300",
    }
    response = admin.post(f"/catalogue/items/{item.pk}/discretion/new/", data)
    assert response.status_code == 302
    assert DiscretionStandard.objects.get(item=item).bands.count() == 2
    data["band-1-fine_max"] = "900"  # beyond the legal 500
    response = admin.post(f"/catalogue/items/{item.pk}/discretion/new/", data)
    assert response.status_code == 200 and "超出事项的法定幅度" in response.content.decode()

    response = admin.post(
        f"/catalogue/items/{item.pk}/leniency/new/",
        {"kind": "no_penalty", "circumstances": "首次违法且及时改正", "basis": "《行政处罚法》第三十三条",
         "effective_from": today.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    entry = LeniencyEntry.objects.get(item=item)
    admin.post(f"/catalogue/leniency/{entry.pk}/end/")
    entry.refresh_from_db()
    assert entry.effective_to == today - dt.timedelta(days=1)


def test_discretion_form_shows_what_is_wrong_with_every_level_at_once(admin, today):
    """A past date, a level beyond the legal range and a level upside down: three messages."""
    item = make_item(fine_max="500")
    data = {"band-TOTAL_FORMS": 4, "band-INITIAL_FORMS": 0, "note": "新版"}
    data |= {"effective_from": (today - dt.timedelta(days=2)).isoformat()}
    data |= {"band-0-level": "minor", "band-0-conditions": "初次违法", "band-0-fine_min": "80", "band-0-fine_max": "50"}
    data |= {"band-1-level": "general", "band-1-conditions": "一般情形", "band-1-fine_max": "900"}
    response = admin.post(f"/catalogue/items/{item.pk}/discretion/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "已过" in " ".join(form.errors.get("effective_from", [])), form.errors
    others = " ".join(form.non_field_errors())
    assert "超出事项的法定幅度" in others and "80" in others, others
    assert not DiscretionStandard.objects.filter(item=item).exists()


# --- adjustments, evaluation, imports ------------------------------------------------------------
def test_adjustment_queue_query_count_does_not_grow_with_rows(admin, district_admin, today):
    adjustment_propose(
        actor=district_admin, kind=AdjustmentKind.RECALL, item=make_item(), reason="x", effective_date=today
    )
    few = queries(admin, "/catalogue/adjustments/")
    for _ in range(15):
        adjustment_propose(
            actor=district_admin, kind=AdjustmentKind.RECALL, item=make_item(), reason="x", effective_date=today
        )
    assert queries(admin, "/catalogue/adjustments/") == few
    assert queries(admin, "/catalogue/adjustments/?status=all") == few


def test_evaluation_view_flags_candidates_and_records_with_a_recall(admin, today):
    used = make_item(name="对占道经营的行政处罚", townships=["duruan"])
    unused = make_item(name="对夜间施工噪声的行政处罚", townships=["duruan"])
    usage_record(item=used, township=unit("duruan"), case_id=1, kind="used", day=today - dt.timedelta(days=5))
    text = page_text(admin, "/catalogue/evaluation/?flagged=on")
    assert unused.name in text and used.name not in text
    few = queries(admin, "/catalogue/evaluation/")
    for n in range(10):
        item = make_item()
        usage_record(item=item, township=unit("duruan"), case_id=100 + n, kind="used", day=today)
    assert queries(admin, "/catalogue/evaluation/") == few
    assert PowerUsage.objects.count() == 11

    start = (today - dt.timedelta(days=365)).isoformat()
    response = admin.post(
        f"/catalogue/evaluation/items/{unused.pk}/",
        {
            "township": unit("duruan").pk,
            "period_start": start,
            "period_end": today.isoformat(),
            "decision": "recall",
            "reasons": "全年未使用",
            "start_adjustment": "on",
            "effective_date": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    adjustment = Adjustment.objects.get(item=unused)
    assert adjustment.kind == AdjustmentKind.RECALL and adjustment.evaluation is not None


def test_import_through_the_screens(admin, second, today):
    content = "事项编码,事项名称,实施部门,适用镇街\n440703777001,对乱张贴的行政处罚,区城管执法局,杜阮镇\n".encode("gbk")
    response = admin.post(
        "/catalogue/imports/new/",
        {"file": SimpleUploadedFile("目录.csv", content), "effective_date": today.isoformat()},
    )
    job = CatalogueImport.objects.get()
    assert response["Location"] == f"/catalogue/imports/{job.pk}/"
    progress = admin.get(f"/catalogue/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" in progress.content.decode() and "HX-Refresh" not in progress
    import_parse(job.pk)  # the worker's part (a worker test runs it in Celery)
    progress = admin.get(f"/catalogue/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    text = page_text(admin, f"/catalogue/imports/{job.pk}/")
    assert "对乱张贴的行政处罚" in text and "确认并执行" in text
    response = admin.post(f"/catalogue/imports/{job.pk}/confirm/", follow=True)
    assert "另一名管理员" in response.content.decode()  # the uploader does not confirm
    assert CatalogueImport.objects.get().status == ImportStatus.PREVIEWED
    second.post(f"/catalogue/imports/{job.pk}/confirm/")
    assert CatalogueImport.objects.get().status == ImportStatus.APPLYING
    assert admin.get(f"/catalogue/imports/{job.pk}/file/").getvalue() == content


def test_import_with_bad_rows_lists_them_and_cannot_be_confirmed(admin, today):
    content = "事项编码,事项名称,实施部门\n12345,对乱张贴的行政处罚,区不存在局\n".encode()
    admin.post("/catalogue/imports/new/", {"file": SimpleUploadedFile("a.csv", content), "effective_date": today})
    job = CatalogueImport.objects.get()
    import_parse(job.pk)
    text = page_text(admin, f"/catalogue/imports/{job.pk}/")
    assert "12 位数字" in text and "区不存在局" in text and "A（事项编码）" in text
    response = admin.post(f"/catalogue/imports/{job.pk}/confirm/", follow=True)
    assert "处错误" in response.content.decode()
    assert CatalogueImport.objects.get().status == ImportStatus.PREVIEWED and not PowerItem.objects.exists()


def test_upload_with_a_past_date_or_an_empty_file_is_refused_with_a_message(admin, today):
    response = admin.post(
        "/catalogue/imports/new/",
        {"file": SimpleUploadedFile("a.csv", b"x"), "effective_date": (today - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200 and "已过" in response.content.decode()
    response = admin.post(
        "/catalogue/imports/new/", {"file": SimpleUploadedFile("a.csv", b""), "effective_date": today}
    )
    assert response.status_code == 200 and "空" in response.content.decode()
    assert not CatalogueImport.objects.exists()


def test_import_list_query_count_does_not_grow(admin, district_admin, today):
    from powers.importing import import_upload

    def upload():
        import_upload(actor=district_admin, file=SimpleUploadedFile("a.csv", b"x"), effective_date=today)

    upload()
    few = queries(admin, "/catalogue/imports/")
    for _ in range(10):
        upload()
    assert queries(admin, "/catalogue/imports/") == few


def test_home_panel_shows_catalogue_figures(admin, district_admin, today):
    make_item(department="dept-ecology")
    adjustment_propose(
        actor=district_admin, kind=AdjustmentKind.RECALL, item=make_item(), reason="x", effective_date=today
    )
    text = page_text(admin, "/")
    assert 'data-panel="powers_catalogue"' in text
    assert "生态环境蓬江分局" in text
    assert 'data-testid="items-in-force">2<' in text


def test_every_change_through_the_screens_is_audited(admin, second, district_admin, reviewer, today):
    item = make_item()
    admin.post(
        f"/catalogue/adjustments/new/recall/?item={item.pk}", {"effective_date": today.isoformat(), "reason": "收回"}
    )
    adjustment = Adjustment.objects.get()
    second.post(f"/catalogue/adjustments/{adjustment.pk}/review/")
    second.post(f"/catalogue/adjustments/{adjustment.pk}/approve/", approval())
    assert PowerItem.objects.get(pk=item.pk).status == ItemStatus.RECALLED
    assert AuditLog.objects.filter(actor=district_admin, action="powers.adjustment.proposed").exists()
    actions = set(AuditLog.objects.filter(actor=reviewer).values_list("action", flat=True))
    assert {"powers.adjustment.reviewed", "powers.adjustment.approved", "powers.item.recalled"} <= actions
