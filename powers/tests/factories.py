"""Catalogue factories for tests of every app (cases use them to file on an item)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from pengjiang_enforcement.models import Unit
from powers.choices import PowerKind
from powers.models import PowerItem
from powers.services import item_create

_codes = itertools.count(1)


def make_item(
    *,
    townships: list[str] | None = None,
    effective_from: datetime.date = datetime.date(2024, 1, 1),
    department: str = "dept-urban",
    **data: Any,
) -> PowerItem:
    """An item in force from ``effective_from``, delegated to ``townships`` (codes; default all)."""
    values = {
        "code": f"4407{next(_codes):08d}",
        "name": "对在城市道路两侧擅自摆卖物品的行政处罚",
        "kind": PowerKind.PENALTY,
        "department": Unit.objects.get(code=department),
        "field": "市容环境卫生",
        "setting_basis": "《城市市容和环境卫生管理条例》第十四条",
        "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条",
        "penalty_types": ["warning", "fine"],
        "fine_min": "0",
        "fine_max": "500",
        **data,
    }
    targets = [Unit.objects.get(code=c) for c in townships] if townships is not None else None
    return item_create(actor=None, data=values, effective_from=effective_from, townships=targets)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def approval_document(number: int = 1, name: str = "批复.pdf", content: bytes = PDF) -> dict[str, Any]:
    """What an approval records: the approving document's number and the file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "document_number": f"蓬府函〔2026〕{number}号",
        "document": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }


def second_admin():
    """A district admin other than the ``district_admin`` persona: the four eyes of a decision."""
    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import User
    from tests.fixtures import _make

    found = User.objects.filter(username="qu_admin2").first()
    return found or _make("qu_admin2", "区复核", "pengjiang", roles=(Role.DISTRICT_ADMIN,), is_staff=True)
