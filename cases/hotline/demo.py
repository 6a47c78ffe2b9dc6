"""Demo 12345 work orders: one import of an export file and orders in every state.

Called from ``cases.demo.load``. The export is built here, dated relative to today so the
deadline flags show; it goes through the real pipeline (read, preview, confirm, apply) run in
process, then the demo staff work the orders through the services. Running it again finds the
demo import (by its file name) and only takes the steps not taken yet, so it adds nothing.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pengjiang_enforcement.models import User
from pengjiang_enforcement.tabular import write_xlsx
from pengjiang_enforcement.workdays import add_working_days

from ..models import Lead
from . import applying, feed, importing, services
from .choices import ImportStatus, OrderState, RequestStatus
from .models import HotlineImport, HotlineOrder, HotlineSource

FILE_NAME = "演示-12345工单导出.xlsx"
HEADERS = ["工单编号", "受理时间", "诉求标题", "事项分类一级", "事项分类二级", "事项分类三级", "事项分类四级",
           "市民诉求", "承办单位", "诉求人", "联系电话", "办件状态", "处理结果", "承诺完成时间"]  # fmt: skip

# Demo numbers have the 19 digits of Jiangmen's work orders (domain.md §5.2).
PREFIX = "0750202699"


def _number(suffix: str) -> str:
    return f"{PREFIX}{int(suffix):09d}" if suffix else ""


# number suffix -> (days ago received, title, type, categories, body, unit, status, result)
ORDERS = [
    ("01", 1, "反映杜阮北路商户占道经营", "投诉", ("城市管理", "市容环境", "占道经营"),
     "地址：江门市蓬江区杜阮镇杜阮北路12号门口。\n事项：商户长期占用人行道摆卖水果，影响通行。",
     "杜阮镇人民政府", "待签收", ""),
    ("02", 4, "反映夜间施工噪音", "投诉", ("生态环境", "噪声污染", "建筑施工噪声"),
     "地址：杜阮镇龙榜村工业区三路。\n事项：工地每晚施工至凌晨，噪音扰民。\n备注：此事项转办杜阮镇人民政府。",
     "杜阮镇综合行政执法办公室", "办理中", ""),
    ("03", 1, "咨询违建拆除程序", "咨询", ("城乡建设", "违法建设", "咨询"),
     "地址：杜阮镇松园村。\n事项：市民咨询自建房加建是否需要报批。", "杜阮镇人民政府", "待签收", ""),
    ("04", 12, "反映垃圾焚烧", "举报", ("生态环境", "大气污染", "露天焚烧"),
     "地址：杜阮镇亭园村后山。\n事项：有人露天焚烧垃圾，烟雾较大。", "杜阮镇人民政府", "办理中", ""),
    ("05", 6, "反映餐饮油烟扰民", "投诉", ("生态环境", "大气污染", "餐饮油烟"),
     "地址：杜阮镇中心社区杜阮北路38号。\n事项：餐饮店油烟直排，影响楼上住户。", "杜阮镇人民政府", "办理中", ""),
    ("06", 8, "反映店铺招牌破损", "求助", ("城市管理", "市容环境", "户外广告"),
     "地址：杜阮镇金朗社区兴业路8号。\n事项：招牌破损有坠落风险。", "杜阮镇人民政府", "办理中", ""),
    ("07", 25, "反映路边长期停放车辆", "投诉", ("交通运输", "停车管理", "占道停车"),
     "地址：杜阮镇杜阮村文化广场旁。\n事项：车辆长期占道停放。", "杜阮镇人民政府", "办理中", ""),
    ("08", 30, "反映河堤乱倒建筑垃圾", "举报", ("城市管理", "市容环境", "建筑垃圾"),
     "地址：杜阮镇龙溪村河堤路17号旁。\n事项：夜间有车辆乱倒建筑垃圾。", "杜阮镇人民政府", "办理中", ""),
    ("09", 2, "再次反映河堤乱倒建筑垃圾", "举报", ("城市管理", "市容环境", "建筑垃圾"),
     "地址：杜阮镇龙溪村河堤路17号旁。\n事项：市民表示此前工单0750202699000000008仍未解决，又有车辆倾倒。",
     "杜阮镇人民政府", "待签收", ""),
    ("10", 40, "反映共享单车乱停放", "建议", ("城市管理", "市容环境", "共享单车"),
     "地址：杜阮镇中和村。\n事项：建议规划单车停放点。", "杜阮镇人民政府", "已办结",
     "已协调企业设置停放点并清理乱停车辆。"),
    ("11", 3, "反映白沙大道占道摆卖", "投诉", ("城市管理", "市容环境", "占道经营"),
     "地址：江门市蓬江区白沙街道白沙大道西100号。\n事项：流动摊贩占道摆卖。", "白沙街道办事处", "待签收", ""),
    ("12", 5, "反映良溪村违建", "举报", ("城乡建设", "违法建设", "违建"),
     "地址：良溪村后山。\n事项：有人在山边搭建铁皮房。", "江门市蓬江区城市管理和综合执法局", "待签收", ""),
    ("13", 2, "反映塔岗村污水直排", "投诉", ("生态环境", "水污染", "污水直排"),
     "地址：蓬江区荷塘镇塔岗村。\n事项：作坊污水直排河涌。", "", "待签收", ""),
    ("14", 1, "反映路灯不亮", "求助", ("市政设施", "照明", "路灯"),
     "地址：江海区礼乐街道德昌电机门口。\n事项：路灯不亮。", "", "待签收", ""),
    ("15", 2, "反映芝山村噪音", "投诉", ("生态环境", "噪声污染", "社会生活噪声"),
     "地址：芝山村。\n事项：广场舞音响过大。", "", "待签收", ""),
    ("17", 20, "反映小区门口摆卖", "求助", ("城市管理", "市容环境", "占道经营"),
     "地址：杜阮镇贯溪村口。\n事项：流动摊贩堵塞小区出入口。", "杜阮镇人民政府", "待签收", ""),
    ("", 2, "编号缺失的行", "投诉", ("", "", ""), "事项：导出文件里缺了工单编号。", "", "待签收", ""),
]  # fmt: skip


def export_bytes(today: datetime.date) -> bytes:
    """The demo export (the same bytes for a given day, so re-running finds the import by hash)."""
    rows = []
    for suffix, days_ago, title, kind, categories, body, unit, status, result in ORDERS:
        received = datetime.datetime.combine(today - datetime.timedelta(days=days_ago), datetime.time(9, 30))
        rows.append([_number(suffix), received, f"[粤省心]（蓬江）{title}", kind, *categories, body, unit, "李女士",
                     "138****5678", status, result, ""])  # fmt: skip
    # the export repeats order 02 with a later note (the later row wins) and carries a bad date
    again = ORDERS[1]
    rows.append([_number("02") + "-HBD", rows[1][1], rows[1][2], "投诉", *again[4], again[5] + "\n市民来电催办。",
                 again[6], "李先生", "139****1234", "办理中", "", ""])  # fmt: skip
    rows.append([_number("16"), "上周三", "[粤省心]日期不清的行", "投诉", "", "", "", "事项：受理时间无法识别。",
                 "杜阮镇人民政府", "", "", "待签收", "", ""])  # fmt: skip
    buffer = io.BytesIO()
    write_xlsx(buffer, HEADERS, rows, title="12345")
    return buffer.getvalue()


def _import(admin: User, stdout) -> HotlineImport | None:
    job = HotlineImport.objects.filter(original_name=FILE_NAME).order_by("pk").first()
    if job is None:
        content = export_bytes(timezone.localdate())
        job = importing.import_upload(actor=admin, file=SimpleUploadedFile(FILE_NAME, content))
        stdout.write(f"  12345: demo import #{job.pk}")
    if job.status in (ImportStatus.QUEUED, ImportStatus.READING):
        importing.import_read(job.pk)
        job.refresh_from_db()
    if job.status == ImportStatus.PREVIEWED:
        importing.import_confirm(job=job, actor=admin)
    if job.status in (ImportStatus.PREVIEWED, ImportStatus.APPLYING):
        applying.import_apply(job.pk)
        job.refresh_from_db()
    return job if job.status == ImportStatus.DONE else None


def _order(suffix: str) -> HotlineOrder | None:
    return HotlineOrder.objects.filter(order_no=_number(suffix)).first()


def _staff() -> dict[str, User]:
    wanted = ["admin", "dr_officer", "dr_officer2", "dr_head", "bs_officer", "bs_head"]
    return {u.username: u for u in User.objects.filter(username__in=wanted)}


def _work(people: dict[str, User]) -> None:
    """Take every demo order to its state; each step only if it was not taken yet."""
    officer, colleague, head = people["dr_officer"], people["dr_officer2"], people["dr_head"]
    o = _order("02")  # in progress, with an interim reply
    if o and o.state == OrderState.PENDING:
        services.order_accept(order=o, actor=officer)
        services.order_interim_reply(order=o, actor=officer, text="已安排执法队员夜间巡查，核实施工许可情况。")
    o = _order("04")  # extension requested
    if o and o.state == OrderState.PENDING:
        services.order_accept(order=o, actor=colleague)
        services.order_request_extension(
            order=o,
            actor=colleague,
            reason="需联合生态环境部门取证，申请延期。",
            due_on=add_working_days(o.due_on, 5),
        )
    o = _order("05")  # extension approved
    if o and o.state == OrderState.PENDING:
        services.order_accept(order=o, actor=officer)
        request = services.order_request_extension(
            order=o, actor=officer, reason="需约谈业主并复查整改情况。", due_on=add_working_days(o.due_on, 5)
        )
        services.order_decide_request(request=request, actor=head, approve=True, note="同意延期5个工作日。")
    o = _order("06")  # return requested
    if o and o.state == OrderState.PENDING:
        services.order_request_return(order=o, actor=officer, reason="招牌属某物业公司管理，建议转物业处理。")
    o = _order("07")  # returned
    if o and o.state == OrderState.PENDING:
        request = services.order_request_return(
            order=o, actor=colleague, reason="停车位于市政道路，属交警部门职责，不属本镇街赋权事项。"
        )
        services.order_decide_request(request=request, actor=head, approve=True, note="同意退单。")
    o = _order("03")  # replied in time
    if o and o.state == OrderState.PENDING:
        services.order_accept(order=o, actor=officer)
        services.order_reply(order=o, actor=officer, text="已电话答复市民：加建需向自然资源部门申请规划许可。")
    o = _order("08")  # turned into a lead, replied late (the case runs on)
    if o and o.state == OrderState.PENDING:
        lead = services.order_convert_to_lead(order=o, actor=officer)
        services.order_interim_reply(order=o, actor=officer, text=f"已登记案源{lead.reference}，正在核查。")
        services.order_reply(order=o, actor=officer, text="已立案调查，后续处理结果另行告知。")
    first = _order("08")
    o = _order("09")  # a repeat of 08, feeding the same lead
    if o and first and first.lead_id and not o.lead_id:
        services.order_link_to_lead(order=o, actor=officer, lead=first.lead)
    o = _order("11")
    people_bs = people.get("bs_officer")
    if o and people_bs and o.state == OrderState.PENDING and o.township_id == people_bs.township.pk:
        services.order_accept(order=o, actor=people_bs)


def _link_demo_lead(people: dict[str, User]) -> None:
    """The cases demo registered a 12345 lead by hand; its work order arrives by the feed."""
    lead = Lead.objects.filter(source="hotline_12345", township__code="duruan").order_by("pk").first()
    if lead is None or HotlineOrder.objects.filter(order_no=lead.hotline_order_no).exists():
        return
    source = HotlineSource.objects.filter(name="江门12345平台（演示）").first()
    if source is None:
        source, _token = services.source_create(actor=people["admin"], name="江门12345平台（演示）", note="demo")
    received = timezone.localtime() - datetime.timedelta(days=1)
    feed.feed_receive(
        source=source,
        items=[
            {
                "service_request_id": lead.hotline_order_no,
                "requested_datetime": received.isoformat(),
                "description": "地址：杜阮镇中心市场东门。事项：夜间餐饮店油烟和噪音扰民。",
                "agency_responsible": "杜阮镇人民政府",
                "诉求类型": "投诉",
            }
        ],
    )
    order = HotlineOrder.objects.get(order_no=lead.hotline_order_no)
    services.order_convert_to_lead(order=order, actor=people["dr_officer"])


def load(stdout) -> None:
    people = _staff()
    if "admin" not in people or "dr_officer" not in people:
        stdout.write("  12345: the demo users are missing; no demo work orders.")
        return
    job = _import(people["admin"], stdout)
    if job is None:
        stdout.write("  12345: the demo import did not finish.")
        return
    _work(people)
    _link_demo_lead(people)
    waiting = HotlineOrder.objects.filter(township__isnull=True, state=OrderState.PENDING).count()
    pending = HotlineOrder.objects.filter(requests__status=RequestStatus.PENDING).count()
    stdout.write(
        f"  12345: {HotlineOrder.objects.count()} work orders ({waiting} to route, {pending} requests waiting)"
    )
