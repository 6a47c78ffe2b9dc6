"""Every spreadsheet the portal writes, downloaded through its real view with hostile values: text
beginning like a formula (``=cmd|' /C calc'!A0``, ``+1``, ``-1``, ``@SUM(1)``, a tab before ``=``) and
control characters (``\\x07``, ``\\x1b``). Each answers 200, holds no formula, no CSV field that begins
like one, no control character, and the text itself, as text.

PostgreSQL refuses NUL in text: the writers are tested with it directly (``test_tabular_writers``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cases import services as case_services
from cases.hotline import importing
from cases.hotline.models import HotlineOrder
from cases.hotline.tests import support as hotline
from cases.models import Case, Party
from cases.tests.factories import item_for, make_filed_case, person_values
from powers.tests.factories import make_item

pytestmark = pytest.mark.django_db

HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "警\x07报", "\x1b[31m红"]
# What each becomes: the control characters removed, the rest as it was.
WRITTEN = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "警报", "[31m红"]
make_orders = hotline.make_orders  # the fixture


def xlsx_texts(response) -> list[str]:
    """Every text cell of a downloaded workbook, after checking it holds no formula and no control
    character."""
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    texts = []
    for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not ILLEGAL_CHARACTERS_RE.search(cell.value), cell.value
                texts.append(cell.value)
    return texts


def csv_fields(response) -> list[str]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    fields = [field for row in csv.reader(io.StringIO(text, newline="")) for field in row]
    for field in fields:
        assert not field.startswith(("=", "+", "-", "@", "\t", "\r")), field
        assert not ILLEGAL_CHARACTERS_RE.search(field), field
    return fields


def _has(texts: list[str], value: str) -> bool:
    return any(value in text for text in texts)


def test_case_export(login, duruan_officer, duruan_colleague, duruan_head):
    case = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item_for())
    case_services.party_add(case=case, actor=duruan_officer, **person_values())
    client = login(duruan_officer)
    for value, written in zip(HOSTILE, WRITTEN, strict=True):
        Party.objects.filter(case=case).update(name=value)
        Case.objects.filter(pk=case.pk).update(title=value)
        texts = xlsx_texts(client.get("/cases/export.xlsx?state="))
        assert texts.count(written) == 2, (value, texts)  # the title and the party, as text


def test_hotline_reply_file(make_orders, login, duruan_officer):
    orders = make_orders(len(HOSTILE))
    for order, value in zip(orders, HOSTILE, strict=True):
        HotlineOrder.objects.filter(pk=order.pk).update(city_order_no=value, return_reason=value)
    texts = xlsx_texts(login(duruan_officer).get("/hotline/export.xlsx"))
    for written in WRITTEN:
        # the reason as written; the city number as the platform issued it (no spaces, half-width)
        assert written in texts and re.sub(r"\s+", "", written) in texts, (written, texts)


def test_hotline_import_report(login, duruan_head):
    rows = [hotline.jiangmen_row("", title=value, body=value, person=value) for value in HOSTILE]
    job = importing.import_upload(
        actor=duruan_head, file=hotline.upload(hotline.csv_bytes(hotline.JIANGMEN, rows), "x.csv")
    )
    importing.import_read(job.pk)
    texts = xlsx_texts(login(duruan_head).get(f"/hotline/imports/{job.pk}/report.xlsx"))
    for written in WRITTEN:
        assert texts.count(written) >= 3, (written, texts)


@pytest.fixture
def hostile_items(db):
    return [make_item(name=value, notes=value, field=value, townships=["duruan"]) for value in HOSTILE]


def test_catalogue_exports(hostile_items, login, duruan_officer):
    client = login(duruan_officer)
    texts = xlsx_texts(client.get("/catalogue/export.xlsx"))
    for written in WRITTEN:
        assert texts.count(written) >= 3, (written, texts)
    fields = csv_fields(client.get("/catalogue/export.csv"))
    for written in WRITTEN:
        expected = "'" + written if written[0] in "=+-@\t" else written
        assert fields.count(expected) >= 3, (expected, fields)


@pytest.mark.parametrize("url", ["/public/catalogue.xlsx", "/public/duruan/catalogue.xlsx"])
def test_public_catalogue_downloads(hostile_items, anonymous, url):
    texts = xlsx_texts(anonymous.get(url))
    for written in WRITTEN:
        assert texts.count(written) >= 3, (written, texts)
