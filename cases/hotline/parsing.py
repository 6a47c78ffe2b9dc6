"""Parsing 12345 hotline exports (粤省心): columns, numbers, bodies, types.

Pure functions, no database: the importer calls them for every row. What they handle comes
from real Jiangmen exports (domain.md §5.2): column names that differ between templates,
numbers with suffixes such as "-HBD", bodies written as "地址：… 事项：… 备注：…", masked phone
numbers, bodies that cite earlier work-order numbers, titles with a channel prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pengjiang_enforcement.tabular import Column, clean_text
from pengjiang_enforcement.text import halfwidth, mask_phone

# Columns of the hotline's exports, by the names the templates give them. Open311 GeoReport v2
# names are accepted too, so a JSON feed and a spreadsheet map to the same keys.
HOTLINE_COLUMNS: list[Column] = [
    Column("order_no", ("工单编号", "工单号", "受理编号", "办件编号", "编号", "service_request_id"), required=True),
    Column("city_order_no", ("市级编号", "市工单编号")),
    Column("received_at", ("受理时间", "来件时间", "受理日期", "创建时间", "来电时间", "requested_datetime")),
    Column("dispatched_at", ("派发时间", "派单时间", "转办时间")),
    Column("due_at", ("承诺完成时间", "承诺时间", "办理时限", "办结时限", "expected_datetime")),
    Column("title", ("诉求标题", "工单标题", "投诉标题", "标题", "诉求主题", "service_name")),
    Column("content", ("诉求内容", "市民诉求", "反映内容", "投诉内容", "工单内容", "description")),
    Column("category_1", ("事项分类一级", "一级分类", "事项大类")),
    Column("category_2", ("事项分类二级", "二级分类", "事项小类")),
    Column("category_3", ("事项分类三级", "三级分类")),
    Column("category_4", ("事项分类四级", "四级分类", "最终事项分类")),
    # 诉求类型 holds 咨询 / 投诉 / 求助 …: the type of the order, which sets its deadline.
    Column("order_type", ("工单类型", "诉求类型", "诉求性质", "来电类型", "办件类型")),
    Column("channel", ("办件来源", "来源渠道", "受理渠道", "诉求渠道")),
    Column("handling_unit", ("承办单位", "办理单位", "受理部门", "责任单位", "agency_responsible")),
    Column("handling_dept", ("办理科室", "承办科室")),
    Column("address", ("地址", "事发地址", "诉求地址", "发生地址", "address")),
    Column("complainant", ("诉求人", "来电人", "反映人", "市民姓名")),
    Column("phone", ("诉求人电话", "联系电话", "来电号码", "联系方式", "phone")),
    Column("status", ("办件状态", "工单状态", "处理状态", "status")),
    Column("reply", ("处理结果", "办理结果", "答复内容", "回复内容", "status_notes")),
    Column("finished_at", ("完成时间", "办结时间", "updated_datetime")),
    Column("satisfaction", ("用户评价", "满意度", "回访结果")),
    Column("warning", ("预警状态",)),
    Column("latitude", ("纬度", "lat")),
    Column("longitude", ("经度", "long")),
]

_SUFFIX = re.compile(r"[-_ ]?(HBD\d*|CB\d*)$", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)
_CITED = re.compile(r"(?<!\d)(\d{19}|[A-Z]{2,4}\d{12,17})(?!\d)")


class OrderNumberError(ValueError):
    """A work-order number that cannot be used as an identity."""


def normalise_order_no(raw: object) -> str:
    """The work order's identity: no spaces, half-width, upper case, no "-HBD" style suffix.

    Excel turns long digit strings into floating-point numbers (8.26081308493182E+17) and
    loses digits; such a number cannot identify an order and is refused.
    """
    text = halfwidth(clean_text(raw)).upper()
    text = re.sub(r"\s+", "", text)
    if not text:
        raise OrderNumberError("empty")
    if _SCIENTIFIC.match(text):
        raise OrderNumberError("scientific")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    previous = None
    while previous != text:  # "…-HBD-HBD1" loses both
        previous = text
        text = _SUFFIX.sub("", text)
    if not re.fullmatch(r"[0-9A-Z]+(?:-[0-9A-Z]+)*", text):
        raise OrderNumberError("characters")
    return text


@dataclass
class Body:
    """A work order's text split into its labelled parts."""

    address: str = ""
    matter: str = ""
    remark: str = ""
    parts: list[tuple[str, str]] = field(default_factory=list)  # (address, matter) pairs
    rest: str = ""


_LABEL = re.compile(r"(地址|事项|备注)([一二三四五六七八九十\d]*)\s*[：:]")


def split_body(text: str) -> Body:
    """Split "地址：… 事项：… 备注：…" (also numbered 地址一/事项一…) into fields."""
    text = clean_text(text)
    body = Body()
    matches = list(_LABEL.finditer(text))
    if not matches:
        body.rest = text
        body.matter = text
        return body
    body.rest = text[: matches[0].start()].strip()
    pairs: dict[str, dict[str, str]] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip().rstrip("。；;，,").strip()
        label, number = match.group(1), match.group(2) or "一"
        if label == "备注":
            body.remark = f"{body.remark}\n{value}".strip() if body.remark else value
        else:
            pairs.setdefault(number, {})[label] = value
    for values in pairs.values():
        body.parts.append((values.get("地址", ""), values.get("事项", "")))
    if body.parts:
        body.address = "；".join(a for a, _ in body.parts if a)
        body.matter = "；".join(m for _, m in body.parts if m)
    return body


def display_phone(phone: str) -> str:
    """A phone number as lists show it: masked ones stay as given, full ones are masked."""
    return mask_phone(clean_text(phone))


def cited_order_numbers(text: str, *, own: str = "") -> list[str]:
    """Earlier work-order numbers a body cites (19-digit numbers and lettered numbers).

    12315 complaint numbers (25 digits) and longer digit runs are not work orders.
    """
    found = []
    for match in _CITED.finditer(halfwidth(clean_text(text)).upper()):
        number = match.group(1)
        if number != own and number not in found:
            found.append(number)
    return found


_CHANNEL = re.compile(r"^\s*[\[【]([^\]】]{1,12})[\]】]\s*(?:[（(]([^）)]{1,10})[）)])?")


def split_title(title: str) -> tuple[str, str, str]:
    """ "[粤省心]（江海）要求反映…" → ("粤省心", "江海", "要求反映…")."""
    title = clean_text(title)
    found = _CHANNEL.match(title)
    if not found:
        return "", "", title
    return found.group(1), found.group(2) or "", title[found.end() :].strip()


# --- types and their deadlines (《广东省12345政务服务便民热线管理办法》) ----------------------------
ORDER_TYPES = {
    "consultation": ("咨询",),
    "help": ("求助",),
    "suggestion": ("建议", "意见"),
    "complaint": ("投诉",),
    "report": ("举报",),
}
# Working days from receipt within which the hotline must be answered.
TYPE_DEADLINE_WORKING_DAYS = {"consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15}


def classify_type(*texts: str) -> str:
    """The order's type from its type column, categories or title ("" when none says).

    Texts are tried in order: a type column that starts with a type word wins over a title
    that merely mentions one ("投诉" in "咨询投诉电话" is a consultation).
    """
    for text in texts:
        text = clean_text(text)
        if not text:
            continue
        for key, words in ORDER_TYPES.items():
            if any(text.startswith(word) or text == word for word in words):
                return key
    for text in texts:
        text = clean_text(text)
        for key, words in ORDER_TYPES.items():
            if any(word in text for word in words):
                return key
    return ""
