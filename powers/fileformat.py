"""The catalogue as a spreadsheet: the columns we read and write, and the values in them.

Import and export share this module, so a file the portal exports imports again unchanged.
Column names follow the published catalogues (序号, 事项编码, 事项名称, 职权类型, 实施部门 ...),
with the aliases other templates use; values are read as Chinese offices write them
(行政处罚, 赋权, 是/否, 5000元, "杜阮镇、白沙街道").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from pengjiang_enforcement.choices import TownshipType, UnitKind
from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.tabular import Column, Row, parse_bool, parse_decimal
from pengjiang_enforcement.text import halfwidth
from pengjiang_enforcement.unitnames import AmbiguousUnitName, UnitNames

from .choices import DelegationMode, ItemStatus, PenaltyType, PowerKind, TownshipCoverage
from .models.catalogue import DEFAULT_HEARING_ORGANISATION, DEFAULT_HEARING_PERSON
from .services import item_values

COLUMNS: list[Column] = [
    Column("seq", ("序号",)),
    Column("code", ("事项编码", "基本编码", "编码", "事项代码", "权责事项编码"), required=True),
    Column("sub_code", ("子项编码", "子项", "子项代码")),
    Column("name", ("事项名称", "职权名称", "名称", "职权事项名称", "事项"), required=True),
    Column("kind", ("职权类型", "事项类型", "职权类别", "权力类型")),
    Column("department", ("实施部门", "原实施部门", "实施主体", "原实施主体", "原行使部门"), required=True),
    # "类别" is the field in most templates; where it holds the kind instead, rows say so.
    Column("field", ("领域", "类别", "所属领域", "执法领域", "事项领域")),
    Column("setting_basis", ("设定依据",)),
    Column("penalty_basis", ("处罚依据", "实施依据")),
    Column("penalty_types", ("处罚种类", "处罚类型")),
    Column("fine_min", ("罚款下限", "罚款最低额", "罚款下限额")),
    Column("fine_max", ("罚款上限", "罚款最高额", "罚款上限额")),
    Column("penalty_range", ("处罚幅度", "处罚种类和幅度", "处罚种类及幅度", "裁量幅度")),
    Column("hearing", ("听证标准",)),
    Column("hearing_person", ("公民听证标准", "个人听证标准", "自然人听证标准")),
    Column("hearing_organisation", ("法人听证标准", "单位听证标准", "组织听证标准")),
    Column("is_major", ("是否重大执法决定", "重大执法决定", "是否重大")),
    Column("delegation_mode", ("承接方式", "下放方式", "调整方式")),
    Column("townships", ("适用镇街", "适用范围", "承接镇街")),
    Column("status", ("状态", "事项状态")),
    Column("notes", ("备注",)),
]
LABELS = {c.key: c.label for c in COLUMNS}
# The item fields each column carries. A column a file does not have leaves its fields as they
# are on the items the file changes (a new item takes their defaults).
CARRIES: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "kind": ("kind",),
    "department": ("department",),
    "field": ("field",),
    "setting_basis": ("setting_basis",),
    "penalty_basis": ("penalty_basis",),
    "penalty_types": ("penalty_types",),
    "fine_min": ("fine_min",),
    "fine_max": ("fine_max",),
    "penalty_range": ("penalty_range",),
    "hearing": ("hearing_threshold_person", "hearing_threshold_organisation"),
    "hearing_person": ("hearing_threshold_person",),
    "hearing_organisation": ("hearing_threshold_organisation",),
    "is_major": ("is_major",),
    "delegation_mode": ("delegation_mode",),
    "notes": ("notes",),
}

# What an export writes: one column per item field, under the first name of each column.
EXPORT_COLUMNS = [
    ("seq", "序号"),
    ("code", "事项编码"),
    ("sub_code", "子项编码"),
    ("name", "事项名称"),
    ("kind", "职权类型"),
    ("department", "实施部门"),
    ("field", "领域"),
    ("setting_basis", "设定依据"),
    ("penalty_basis", "处罚依据"),
    ("penalty_types", "处罚种类"),
    ("fine_min", "罚款下限（元）"),
    ("fine_max", "罚款上限（元）"),
    ("penalty_range", "处罚幅度"),
    ("hearing_person", "公民听证标准（元）"),
    ("hearing_organisation", "法人听证标准（元）"),
    ("is_major", "是否重大执法决定"),
    ("delegation_mode", "承接方式"),
    ("townships", "适用镇街"),
    ("status", "状态"),
    ("notes", "备注"),
]
EXPORT_WIDTHS = [6, 15, 9, 48, 12, 28, 14, 40, 40, 24, 12, 12, 30, 12, 12, 10, 9, 30, 8, 20]

_SPLIT = re.compile(r"[、,，;；/\\|\s]+|或|及")
_CODE = re.compile(r"^\d{12}$")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|千)?")

KIND_WORDS = {
    "行政处罚": PowerKind.PENALTY,
    "处罚": PowerKind.PENALTY,
    "行政检查": PowerKind.INSPECTION,
    "检查": PowerKind.INSPECTION,
    "行政强制": PowerKind.COERCIVE,
    "行政强制措施": PowerKind.COERCIVE,
    "强制措施": PowerKind.COERCIVE,
    "行政强制措施权": PowerKind.COERCIVE,
}
MODE_WORDS = {"赋权": DelegationMode.GRANT, "委托": DelegationMode.ENTRUST, "授权": DelegationMode.GRANT}
STATUS_WORDS = {
    "": ItemStatus.IN_FORCE,
    "在用": ItemStatus.IN_FORCE,
    "有效": ItemStatus.IN_FORCE,
    "生效": ItemStatus.IN_FORCE,
    "正常": ItemStatus.IN_FORCE,
    "保留": ItemStatus.IN_FORCE,
    "下放": ItemStatus.IN_FORCE,
    "已收回": ItemStatus.RECALLED,
    "收回": ItemStatus.RECALLED,
    "取消": ItemStatus.RECALLED,
    "停用": ItemStatus.RECALLED,
    "失效": ItemStatus.RECALLED,
}
PENALTY_SYNONYMS = {
    "暂扣许可证": PenaltyType.SUSPEND_LICENCE,
    "暂扣执照": PenaltyType.SUSPEND_LICENCE,
    "暂扣许可证件": PenaltyType.SUSPEND_LICENCE,
    "吊销许可证": PenaltyType.REVOKE_LICENCE,
    "吊销执照": PenaltyType.REVOKE_LICENCE,
    "吊销营业执照": PenaltyType.REVOKE_LICENCE,
    "责令停业": PenaltyType.SUSPEND_BUSINESS,
    "责令停产": PenaltyType.SUSPEND_BUSINESS,
    "限制开展生产经营": PenaltyType.RESTRICT_BUSINESS,
    "没收非法财物": PenaltyType.CONFISCATE_PROPERTY,
    "没收违法所得": PenaltyType.CONFISCATE_GAINS,
}
ALL_WORDS = {"全部", "全区", "全部镇街", "所有镇街", "全区镇街", "各镇街", "镇街", "全部镇（街）", "全部镇(街)"}
TOWN_WORDS = {"镇", "仅镇", "各镇", "全部镇", "仅限镇"}
STREET_WORDS = {"街道", "仅街道", "各街道", "全部街道", "仅限街道"}


def _zh(choices: Any) -> dict[str, str]:
    """value → Chinese label of a TextChoices class (the file is Chinese whatever the UI)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


def _words(choices: Any) -> dict[str, str]:
    """Chinese label, English label and value → value."""
    result = {value: value for value in choices.values}
    result.update({str(label): value for value, label in choices.choices})
    result.update({label: value for value, label in _zh(choices).items()})
    return result


@dataclass
class Lookups:
    """What rows refer to by name: departments and townships (loaded once per file).

    Names are resolved by ``unitnames.UnitNames``: the unit's name, short name, code, its aliases
    and the usual forms of its name (区卫生健康局, 卫健局 for 江门市蓬江区卫生健康局).
    """

    departments: UnitNames
    townships: dict[str, Unit]  # code → township
    active_townships: list[Unit]
    township_names: UnitNames

    @classmethod
    def load(cls) -> Lookups:
        departments = UnitNames.of(Unit.objects.filter(kind=UnitKind.DEPARTMENT))
        everyone = list(Unit.objects.townships(active=None))
        active = [unit for unit in everyone if unit.is_active]
        return cls(departments, {unit.code: unit for unit in everyone}, active, UnitNames.of(everyone))

    def township(self, name: str) -> Unit | None:
        """The township a name means (AmbiguousUnitName when it fits several)."""
        pk = self.township_names.resolve(name)
        return next((unit for unit in self.townships.values() if unit.pk == pk), None) if pk else None

    def coverage(self, codes: Iterable[str]) -> str:
        held = set(codes)
        if held == {t.code for t in self.active_townships}:
            return TownshipCoverage.ALL
        if held == {t.code for t in self.active_townships if t.township_type == TownshipType.TOWN}:
            return TownshipCoverage.TOWNS
        if held == {t.code for t in self.active_townships if t.township_type == TownshipType.STREET}:
            return TownshipCoverage.STREETS
        return TownshipCoverage.LISTED

    def coverage_text(self, codes: Iterable[str]) -> str:
        """How a file writes who holds an item: 全部 / 镇 / 街道 / the names."""
        codes = set(codes)
        coverage = self.coverage(codes)
        if coverage == TownshipCoverage.ALL:
            return "全部"
        if coverage == TownshipCoverage.TOWNS:
            return "镇"
        if coverage == TownshipCoverage.STREETS:
            return "街道"
        ordered = [t.name for t in self.active_townships if t.code in codes]
        ordered += sorted(u.name for c, u in self.townships.items() if c in codes and not u.is_active)
        return "、".join(ordered)


@dataclass
class ParsedRow:
    """One data row of a catalogue file: the item it describes, or what is wrong with it."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    townships: list[str] = field(default_factory=list)  # township codes
    status: str = ItemStatus.IN_FORCE
    errors: list[dict[str, Any]] = field(default_factory=list)
    # The item fields the file has a column for, and those of them whose cell is empty (an
    # empty cell empties the field, which the admin confirms explicitly).
    carried: set[str] = field(default_factory=set)
    empty: set[str] = field(default_factory=set)
    townships_carried: bool = True
    status_carried: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.values.get("code", ""), self.values.get("sub_code", ""))


class RowReader:
    """Turns rows of a catalogue file into :class:`ParsedRow` objects."""

    def __init__(self, columns: dict[str, int], headers: list[str], lookups: Lookups):
        self.columns = columns
        self.headers = headers
        self.lookups = lookups
        self.kinds = {**_words(PowerKind), **KIND_WORDS}
        self.modes = {**_words(DelegationMode), **MODE_WORDS}
        self.statuses = {**_words(ItemStatus), **STATUS_WORDS}
        self.penalties = {**_words(PenaltyType), **PENALTY_SYNONYMS}

    def where(self, key: str) -> str:
        """How an error names a column: its letter and its header as the file writes it."""
        index = self.columns.get(key)
        if index is None:
            return LABELS.get(key, key)
        header = self.headers[index] if index < len(self.headers) else LABELS.get(key, key)
        return f"{get_column_letter(index + 1)}（{header}）"

    def read(self, row: Row) -> ParsedRow:
        parsed = ParsedRow(number=row.number)
        v = row.values
        out = parsed.values

        def fail(key: str, message: str) -> None:
            parsed.errors.append({"row": row.number, "column": self.where(key), "message": message})

        for key, fields in CARRIES.items():
            if key in self.columns:
                parsed.carried.update(fields)
                if not str(v.get(key, "")).strip():
                    parsed.empty.update(fields)
        parsed.townships_carried = "townships" in self.columns
        parsed.status_carried = "status" in self.columns

        code = halfwidth(v.get("code", "")).replace(" ", "")
        if not code:
            fail("code", _("The basic code is missing."))
        elif not _CODE.match(code):
            fail("code", _("The basic code must have 12 digits: “%(value)s”.") % {"value": code})
        out["code"] = code
        out["sub_code"] = halfwidth(v.get("sub_code", "")).replace(" ", "")
        if len(out["sub_code"]) > 10:
            fail("sub_code", _("The sub-item code is longer than 10 characters."))
        out["name"] = v.get("name", "").strip()
        if not out["name"]:
            fail("name", _("The item name is missing."))
        elif len(out["name"]) > 300:
            fail("name", _("The item name is longer than 300 characters."))

        out["field"] = v.get("field", "")
        kind_text = v.get("kind", "").strip()
        if not kind_text and "kind" not in self.columns and out["field"] in self.kinds:
            # A file whose "类别" column holds the kind of power, not the field.
            kind_text, out["field"] = out["field"], ""
            parsed.carried = (parsed.carried - {"field"}) | {"kind"}
        if kind_text:
            kind = self.kinds.get(kind_text)
            if kind is None:
                fail("kind", _("Unknown kind of power: “%(value)s”.") % {"value": kind_text})
            out["kind"] = kind or PowerKind.PENALTY
        else:
            out["kind"] = guess_kind(out["name"])
        if len(out["field"]) > 50:
            fail("field", _("The field is longer than 50 characters."))

        department = v.get("department", "").strip()
        out["department"] = None
        if not department:
            fail("department", _("The source department is missing."))
        else:
            try:
                out["department"] = self.lookups.departments.resolve(department)
            except AmbiguousUnitName as exc:
                fail("department", ambiguous_message(exc))
            else:
                if out["department"] is None:
                    fail("department", _("Unknown department: “%(value)s”.") % {"value": department})

        out["setting_basis"] = v.get("setting_basis", "")
        out["penalty_basis"] = v.get("penalty_basis", "")
        out["penalty_range"] = v.get("penalty_range", "")
        out["notes"] = v.get("notes", "")

        types: list[str] = []
        for word in _SPLIT.split(halfwidth(v.get("penalty_types", ""))):
            if not word:
                continue
            value = self.penalties.get(word)
            if value is None:
                fail("penalty_types", _("Unknown penalty type: “%(value)s”.") % {"value": word})
            elif value not in types:
                types.append(value)
        out["penalty_types"] = types

        for key in ("fine_min", "fine_max"):
            out[key] = self._amount(v.get(key, ""), key, fail)
        low, high = out["fine_min"], out["fine_max"]
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            fail(
                "fine_min",
                _("The minimum fine (%(min)s) exceeds the maximum (%(max)s).") % {"min": low, "max": high},
            )

        person, organisation = DEFAULT_HEARING_PERSON, DEFAULT_HEARING_ORGANISATION
        if v.get("hearing"):
            try:
                person, organisation = parse_hearing(v["hearing"], person, organisation)
            except ValueError:
                fail("hearing", _("Write the hearing threshold as two amounts, e.g. “公民5000元，法人100000元”."))
        if v.get("hearing_person"):
            person = self._amount(v["hearing_person"], "hearing_person", fail) or person
        if v.get("hearing_organisation"):
            organisation = self._amount(v["hearing_organisation"], "hearing_organisation", fail) or organisation
        out["hearing_threshold_person"] = str(Decimal(person).quantize(Decimal("0.01")))
        out["hearing_threshold_organisation"] = str(Decimal(organisation).quantize(Decimal("0.01")))

        try:
            out["is_major"] = bool(parse_bool(v.get("is_major", "")))
        except ValueError:
            fail("is_major", _("Write 是 or 否: “%(value)s”.") % {"value": v.get("is_major", "")})
            out["is_major"] = False

        mode_text = v.get("delegation_mode", "").strip()
        out["delegation_mode"] = self.modes.get(mode_text, DelegationMode.GRANT) if mode_text else DelegationMode.GRANT
        if mode_text and mode_text not in self.modes:
            fail("delegation_mode", _("Unknown delegation mode: “%(value)s”.") % {"value": mode_text})

        parsed.townships = self._townships(v.get("townships", ""), fail)
        out["coverage"] = self.lookups.coverage(parsed.townships)

        status_text = v.get("status", "").strip()
        if status_text not in self.statuses:
            fail("status", _("Unknown status: “%(value)s”.") % {"value": status_text})
        parsed.status = self.statuses.get(status_text, ItemStatus.IN_FORCE)
        parsed.values = item_values(out)
        return parsed

    def _amount(self, text: str, key: str, fail) -> str | None:
        try:
            amount = parse_decimal(text)
        except ValueError:
            fail(key, _("Not an amount of money: “%(value)s”.") % {"value": text})
            return None
        if amount is None:
            return None
        if amount < 0:
            fail(key, _("A fine cannot be negative."))
            return None
        return str(amount.quantize(Decimal("0.01")))

    def _townships(self, text: str, fail) -> list[str]:
        text = halfwidth(text).strip()
        active = self.lookups.active_townships
        if text in ALL_WORDS or not text:
            return [t.code for t in active]
        if text in TOWN_WORDS:
            return [t.code for t in active if t.township_type == TownshipType.TOWN]
        if text in STREET_WORDS:
            return [t.code for t in active if t.township_type == TownshipType.STREET]
        codes: list[str] = []
        for word in _SPLIT.split(text):
            if not word:
                continue
            try:
                unit = self.lookups.township(word)
            except AmbiguousUnitName as exc:
                fail("townships", ambiguous_message(exc))
                continue
            if unit is None:
                fail("townships", _("Unknown township or street: “%(value)s”.") % {"value": word})
            elif unit.code not in codes:
                codes.append(unit.code)
        return codes


def ambiguous_message(exc: AmbiguousUnitName) -> str:
    return _("“%(value)s” could mean several units: %(candidates)s. Write the full name or add it as another name of "
             "one unit.") % {"value": exc.text, "candidates": "、".join(exc.candidates)}  # fmt: skip


def guess_kind(name: str) -> str:
    """The kind of power a name states (“对……的行政检查”); a penalty when it says none."""
    if "行政强制" in name or "查封" in name or "扣押" in name:
        return PowerKind.COERCIVE
    if "行政检查" in name or name.endswith("检查"):
        return PowerKind.INSPECTION
    return PowerKind.PENALTY


def parse_hearing(text: str, person: Any, organisation: Any) -> tuple[Decimal, Decimal]:
    """“公民5000元，法人或其他组织10万元” → (5000, 100000). Amounts without a word for whom
    they apply to are read in that order; one bare amount is ambiguous (ValueError)."""
    text = halfwidth(text).replace(",", "")
    found: dict[str, Decimal] = {}
    bare: list[Decimal] = []
    position = 0
    for match in _AMOUNT.finditer(text):
        amount = Decimal(match.group(1)) * {"万": 10000, "千": 1000}.get(match.group(2) or "", 1)
        before = text[position : match.start()]
        position = match.end()
        if any(w in before for w in ("法人", "单位", "组织", "企业")):
            found["organisation"] = amount
        elif any(w in before for w in ("公民", "个人", "自然人")):
            found["person"] = amount
        else:
            bare.append(amount)
    for key in ("person", "organisation"):
        if key not in found and bare:
            found[key] = bare.pop(0)
    if not found or (len(found) == 1 and not any(w in text for w in ("公民", "个人", "法人", "单位", "组织"))):
        raise ValueError(text)
    return found.get("person", Decimal(person)), found.get("organisation", Decimal(organisation))


# --- writing ---------------------------------------------------------------------------------
class RowWriter:
    """Turns items into rows of :data:`EXPORT_COLUMNS`, in Chinese."""

    def __init__(self, lookups: Lookups):
        self.lookups = lookups
        self.kinds = _zh(PowerKind)
        self.modes = _zh(DelegationMode)
        self.statuses = {ItemStatus.IN_FORCE: "在用", ItemStatus.RECALLED: "已收回"}
        self.penalties = _zh(PenaltyType)

    @staticmethod
    def headers() -> list[str]:
        return [label for _, label in EXPORT_COLUMNS]

    def row(self, number: int, item: Any, department: str, township_codes: Iterable[str]) -> list[Any]:
        codes = list(township_codes or [])
        values = {
            "seq": number,
            "code": item.code,
            "sub_code": item.sub_code,
            "name": item.name,
            "kind": self.kinds.get(item.kind, item.kind),
            "department": department,
            "field": item.field,
            "setting_basis": item.setting_basis,
            "penalty_basis": item.penalty_basis,
            "penalty_types": "、".join(self.penalties.get(p, p) for p in item.penalty_types),
            "fine_min": _number(item.fine_min),
            "fine_max": _number(item.fine_max),
            "penalty_range": item.penalty_range,
            "hearing_person": _number(item.hearing_threshold_person),
            "hearing_organisation": _number(item.hearing_threshold_organisation),
            "is_major": "是" if item.is_major else "否",
            "delegation_mode": self.modes.get(item.delegation_mode, item.delegation_mode),
            "townships": self.lookups.coverage_text(codes) if codes else "",
            "status": self.statuses.get(item.status, item.status),
            "notes": item.notes,
        }
        return [values[key] for key, _ in EXPORT_COLUMNS]


def _number(value: Decimal | None) -> int | float | None:
    """An amount as a spreadsheet number (5000, not "5000.00")."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)
