"""Demo leads and cases for every township, in the states of part 1 of the procedure and of the
simple procedure (当场处罚, from the decision to the archive).

Loaded by ``manage.py load_demo`` after the catalogue (powers). Items are chosen through the
catalogue's ``delegated_items``; without any, only leads are created and a note says why. Every
demo lead carries a stable key in ``external_ref`` (``DEMO-<township>-<n>``), so running the
command again adds only what is missing.
"""

from __future__ import annotations

import datetime
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from pengjiang_enforcement import workdays
from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.models import EnforcementCertificate, Unit, User
from pengjiang_enforcement.services import certificate_add, user_create
from powers.choices import PenaltyType, PowerKind
from powers.selectors import delegated_items

from . import services
from .choices import EvidenceKind, IntervieweeRole, LeadSource, PartyKind, ProposalOutcome
from .hotline import demo as hotline_demo
from .identity import make_credit_code, make_resident_id
from .models import Lead
from .models.proposals import AMOUNT_KINDS
from .services.proposals import statutory_terms

# The officers of the four townships the core demo does not staff (杜阮 and 白沙 have theirs).
EXTRA_OFFICERS = {
    "huanshi": ("hs", ["梁嘉豪", "罗晓彤"], "冯志明"),
    "chaolian": ("cl", ["邓振华", "谢婉婷"], "曾国良"),
    "tangxia": ("tx", ["苏俊杰", "彭丽华"], "蔡永康"),
    "hetang": ("ht", ["容家乐", "潘美玲"], "钟伟强"),
}
CORE_OFFICERS = {
    "duruan": ("dr", ["dr_officer", "dr_officer2"], "dr_head"),
    "baisha": ("bs", ["bs_officer", "bs_officer2"], "bs_head"),
}

PLACES = ["{t}中心市场东门", "{t}大道与兴业路交界", "{t}文化广场北侧", "{t}工业区三路8号", "{t}河堤路17号旁"]


@dataclass
class Staff:
    officer: User
    colleague: User
    head: User


def _png(width: int = 240, height: int = 160, colour: tuple[int, int, int] = (11, 61, 145)) -> bytes:
    """A small plain PNG (a stand-in for a site photo)."""
    row = b"\x00" + bytes(colour) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _staff(township: Unit, stdout) -> Staff:
    today = timezone.localdate()
    if township.code in CORE_OFFICERS:
        _prefix, officers, head = CORE_OFFICERS[township.code]
        users = {u.username: u for u in User.objects.filter(username__in=[*officers, head])}
        return Staff(users[officers[0]], users[officers[1]], users[head])
    prefix, names, head_name = EXTRA_OFFICERS[township.code]
    office = Unit.objects.get(code=f"{township.code}-office")
    people = []
    for index, (username, full_name, roles, title) in enumerate(
        [
            (f"{prefix}_officer", names[0], (Role.OFFICER,), "执法队员"),
            (f"{prefix}_officer2", names[1], (Role.OFFICER,), "执法队员"),
            (f"{prefix}_head", head_name, (Role.OFFICE_HEAD, Role.OFFICER), "执法办主任"),
        ],
        start=1,
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                full_name=full_name,
                unit=office,
                roles=roles,
                password=settings.DEMO_PASSWORD,
                title=title,
            )
            stdout.write(f"  demo user {username} ({full_name}, {township.name})")
        number = f"4407039{list(EXTRA_OFFICERS).index(township.code)}{index:03d}"
        if not EnforcementCertificate.objects.filter(number=number).exists():
            certificate_add(
                actor=None,
                user=user,
                number=number,
                issuing_body="江门市人民政府",
                valid_from=today - datetime.timedelta(days=700),
                valid_to=today + datetime.timedelta(days=1100),
            )
        people.append(user)
    return Staff(*people)


def _lead(township: Unit, staff: Staff, n: int, *, days_ago: int, check: bool = True, **fields) -> Lead | None:
    key = f"DEMO-{township.code}-{n:02d}"
    if Lead.objects.filter(external_ref=key).exists():
        return None
    today = timezone.localdate()
    discovered = today - datetime.timedelta(days=days_ago)
    values = {
        "source": LeadSource.PATROL,
        "place": PLACES[n % len(PLACES)].format(t=township.short_name),
        "description": "巡查发现商户占用人行道摆卖，影响行人通行。",
        **fields,
    }
    lead = services.lead_register(
        actor=staff.officer, township=township, discovered_on=discovered, external_ref=key, today=discovered, **values
    )
    if check:
        lead = services.lead_start_check(lead=lead, actor=staff.officer)
    return lead


def _leads(township: Unit, staff: Staff, index: int) -> None:
    hotline_no = f"07502026{index:02d}{4001:06d}"
    _lead(
        township,
        staff,
        1,
        days_ago=1,
        check=False,
        source=LeadSource.HOTLINE_12345,
        hotline_order_no=hotline_no,
        reporter_name="李女士",
        reporter_phone="138****5678",
        description="市民反映夜间餐饮店油烟和噪音扰民，要求处理。",
    )
    _lead(township, staff, 2, days_ago=12, description="巡查发现沿街店铺擅自在门前搭建遮阳棚，占用公共通道。")
    _lead(
        township,
        staff,
        3,
        days_ago=30,
        source=LeadSource.COMPLAINT,
        reporter_name="张先生",
        reporter_phone="139****1234",
        description="投诉小区旁空地有人焚烧垃圾，烟雾较大。",
    )
    lead = _lead(
        township, staff, 4, days_ago=20, description="群众反映路边有车辆长期停放，经初步了解为私家车正常停放。"
    )
    if lead is not None:
        services.lead_conclude_not_filed(
            lead=lead,
            actor=staff.officer,
            reason="经核查，车辆停放于合法车位，未发现违法行为。",
            expected_version=lead.version,
        )
    lead = _lead(
        township,
        staff,
        5,
        days_ago=15,
        source=LeadSource.MEDIA,
        description="媒体报道某商铺销售过期食品。",
    )
    if lead is not None:
        services.lead_transfer(
            lead=lead,
            actor=staff.officer,
            target=Unit.objects.get(code="dept-market"),
            reason="涉及食品安全，不属于本镇街赋权事项，移送市场监管部门处理。",
            expected_version=lead.version,
        )
    lead = _lead(township, staff, 6, days_ago=5, description="巡查发现店铺招牌破损，存在安全隐患。")
    if lead is not None:
        services.lead_order_correction(
            lead=lead,
            actor=staff.officer,
            content="限期修复或拆除破损招牌，消除安全隐患。",
            legal_basis="《城市市容和环境卫生管理条例》",
            deadline=timezone.localdate() + datetime.timedelta(days=10),
            reason="情节轻微，当事人承诺立即整改，责令改正即可。",
            expected_version=lead.version,
        )


def _items(township: Unit, day: datetime.date, today: datetime.date) -> list:
    held_today = set(delegated_items(township, today).values_list("pk", flat=True))
    items = delegated_items(township, day).filter(kind=PowerKind.PENALTY).order_by("code", "sub_code")
    return [item for item in items[:200] if item.pk in held_today]


def _demo_amount(low: Decimal | None, high: Decimal | None) -> Decimal | None:
    """An amount inside [low, high]: the minimum when it is above zero, else up to 500 yuan."""
    amount = low if low is not None and low > 0 else min(high, Decimal("500")) if high else Decimal("500")
    return amount if amount > 0 and (high is None or amount <= high) else None


def _demo_proposal(case) -> services.ProposalDraft:
    """A structured proposal that passes the rules for whatever item the case is on: the general
    band (or the first) of the standard of the act's date, a warning and a fine at the low end of
    the band within the item's legal range, as far as the item provides them."""
    standards = services.applicable_standards(case, timezone.localdate())
    terms = statutory_terms(case)
    bands = standards.act_bands or (list(standards.of_today.bands.all()) if standards.of_today else [])
    band = next((b for b in bands if b.level == "general"), bands[0] if bands else None)
    kinds = terms.kinds or [PenaltyType.WARNING]
    lows = [v for v in (terms.fine_min, band.fine_min if band else None) if v is not None]
    highs = [v for v in (terms.fine_max, band.fine_max if band else None) if v is not None]
    amount = _demo_amount(max(lows) if lows else None, min(highs) if highs else None)
    lines = []
    if PenaltyType.WARNING in kinds:
        lines.append(services.PenaltyLineDraft(kind=PenaltyType.WARNING))
    if PenaltyType.FINE in kinds and amount is not None:
        lines.append(services.PenaltyLineDraft(kind=PenaltyType.FINE, amount=amount))
    if not lines:
        kind = next((k for k in kinds if k not in AMOUNT_KINDS), None)
        if kind is not None:
            detail = "依照该事项处罚依据规定的其他行政处罚" if kind == PenaltyType.OTHER else ""
            lines.append(services.PenaltyLineDraft(kind=kind, detail=detail))
        elif amount is not None:
            lines.append(services.PenaltyLineDraft(kind=kinds[0], amount=amount))
    if not lines:
        return services.ProposalDraft(
            outcome=ProposalOutcome.NO_PENALTY,
            no_penalty_ground="minor_corrected",
            reasons="当事人违法行为轻微并已及时改正，没有造成危害后果，依法不予行政处罚并进行教育。",
        )
    reasons = "当事人初次违法，经责令后已改正，情节一般，按裁量基准相应档次提出处罚建议。"
    return services.ProposalDraft(outcome=ProposalOutcome.PENALTY, lines=tuple(lines), band=band, reasons=reasons)


def _case(township: Unit, staff: Staff, n: int, *, filed_days_ago: int, index: int, approve: bool = True):
    """A case filed ``filed_days_ago`` days ago (requested and approved on that day)."""
    today = timezone.localdate()
    filed = today - datetime.timedelta(days=filed_days_ago)
    act = filed - datetime.timedelta(days=4)
    choices = _items(township, act, today)
    if not choices:
        return None
    item = choices[(index * 7 + n) % len(choices)]
    lead = _lead(
        township, staff, n, days_ago=filed_days_ago + 2, description=f"巡查发现涉嫌违法行为：{item.name[:40]}。"
    )
    if lead is None:
        return None
    case = services.case_request_filing(
        lead=lead,
        actor=staff.officer,
        power_item=item,
        title=item.name.removeprefix("对").removesuffix("的行政处罚")[:60] + "案",
        facts=f"{lead.place}，当事人涉嫌{item.name.removeprefix('对').removesuffix('的行政处罚')}，需立案调查。",
        place=lead.place,
        act_date=act,
        lead_officer=staff.officer,
        co_officers=[staff.colleague],
        expected_lead_version=lead.version,
        today=filed,
    )
    if approve:
        case = services.case_approve_filing(case=case, actor=staff.head, expected_version=case.version, today=filed)
    return case


def _investigate(case, staff: Staff, *, serial: int, organisation: bool = False, files: bool = True) -> None:
    filed = case.filed_on
    day = min(filed + datetime.timedelta(days=1), timezone.localdate())
    if organisation:
        services.party_add(
            case=case,
            actor=staff.officer,
            kind=PartyKind.ORGANISATION,
            name=f"江门市{case.township.short_name}恒昌贸易有限公司",
            credit_code=make_credit_code(7000 + serial),
            legal_representative="黄志伟",
            phone="0750-3888888",
            address=f"江门市蓬江区{case.township.name}",
        )
    else:
        # The first recent case of every township is against the same person, so the case page
        # shows the party's earlier cases in the district.
        recurring = serial % 10 == 1
        services.party_add(
            case=case,
            actor=staff.officer,
            kind=PartyKind.PERSON,
            name="王建国" if recurring else ["王建国", "陈秀英", "林国强", "吴美华"][serial % 4],
            gender="male" if recurring or serial % 2 == 0 else "female",
            id_number=make_resident_id("440703", datetime.date(1975, 6, 1), 1)
            if recurring
            else make_resident_id("440703", datetime.date(1970 + serial % 30, 1 + serial % 12, 10), serial),
            phone="13700000000",
            address=f"江门市蓬江区{case.township.name}",
        )
    attached = []
    if files:
        photo = SimpleUploadedFile(f"现场照片{serial}.png", _png(colour=(30 + serial * 20 % 200, 90, 140)))
        attached = [(services.blob_store(upload=photo), photo.name)]
    services.evidence_add(
        case=case,
        actor=staff.officer,
        kind=EvidenceKind.AUDIOVISUAL,
        title="现场照片",
        description="反映违法行为现场状况",
        collected_on=day,
        files=attached,
    )
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    services.inspection_record_add(
        case=case,
        actor=staff.officer,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=40),
        place=case.place,
        present_persons="当事人在场",
        officers=[staff.officer, staff.colleague],
        recorder=staff.colleague,
        findings="现场检查发现当事人正在实施涉嫌违法行为，执法人员已拍照取证。",
        media_refs="照片1-6",
        certificates_shown=True,
        party_signed=True,
    )
    services.interview_record_add(
        case=case,
        actor=staff.officer,
        started_at=start + datetime.timedelta(hours=1),
        ended_at=start + datetime.timedelta(hours=1, minutes=30),
        place=f"{case.township.name}综合行政执法办公室",
        interviewee_role=IntervieweeRole.PARTY,
        interviewee_name="当事人",
        officers=[staff.officer, staff.colleague],
        recorder=staff.colleague,
        qa=[
            {
                "q": "我们是镇综合行政执法办公室的执法人员，这是我们的执法证件，请过目。你是否看清楚？",
                "a": "看清楚了。",
            },
            {"q": "你是否申请执法人员回避？", "a": "不申请。"},
            {"q": "请陈述事情经过。", "a": "我不知道这样做违法，愿意改正。"},
        ],
        certificates_shown=True,
        rights_told=True,
        confirmed=True,
    )


# The simple procedure (当场处罚): one case at each state of its path, from the decision to the
# archive: (lead key, days ago, penalty, amount, collection, the last step taken).
ON_SPOT_CASES = [
    (20, 12, "warning", None, "", "archive"),
    (21, 9, "fine", 50, "on_spot", "archive"),
    (22, 6, "warning", None, "", "file_for_record"),
    (23, 3, "fine", 80, "on_spot", "pay"),
    (24, 1, "fine", 200, "bank", "serve"),
    (25, 0, "fine", 2000, "bank", "decide"),
]


def _on_spot(township: Unit, staff: Staff, index: int) -> int:
    """Cases of the simple procedure at each state, the oldest archived (idempotent by their leads)."""
    made = 0
    today = timezone.localdate()
    for n, days_ago, penalty, amount, collection, last in ON_SPOT_CASES:
        day = today - datetime.timedelta(days=days_ago)
        choices = _items(township, day, today)
        if not choices:
            return made
        item = choices[(index * 5 + n) % len(choices)]
        lead = _lead(township, staff, n, days_ago=days_ago, description="巡查发现当事人占道经营，当场处理。")
        if lead is None:
            continue
        organisation = amount is not None and amount > 200
        party = (
            {"kind": PartyKind.ORGANISATION, "name": f"江门市{township.short_name}示范商行有限公司",
             "credit_code": make_credit_code(index * 100 + n), "legal_representative": "李示范"}
            if organisation
            else {"kind": PartyKind.PERSON, "name": "陈黄李张吴林"[n % 6] + "某", "gender": "male",
                  "id_number": make_resident_id("440703", datetime.date(1985, 3, 9), index * 100 + n)}
        )  # fmt: skip
        hard = collection == "on_spot" and (amount or 0) > 100
        case = services.case_decide_on_spot(
            actor=staff.officer, township=township, lead=lead, expected_lead_version=lead.version, power_item=item,
            title=item.name.removeprefix("对").removesuffix("的行政处罚")[:60],
            facts=f"{lead.place}，{lead.description}", place=lead.place, act_date=day,
            legal_basis=(item.penalty_basis or item.name)[:300], penalty=penalty, amount=amount, collection=collection,
            on_spot_reason="当事人为外地流动人员，事后难以执行。" if hard else "",
            co_officers=[staff.colleague], party=party, certificates_shown=True, party_signed=n % 2 == 0,
            refusal_note="" if n % 2 == 0 else "当事人拒绝签收，已在决定书上注明。", today=day,
        )  # fmt: skip
        made += 1
        steps = ["decide", "serve", "pay", "file_for_record", "archive"]
        for step in steps[1 : steps.index(last) + 1]:
            case.refresh_from_db()
            if step == "serve":
                services.case_serve_on_spot(case=case, actor=staff.officer, expected_version=case.version, today=day)
            elif step == "pay" and penalty == "fine":
                services.case_execute_on_spot(
                    case=case, actor=staff.officer, expected_version=case.version, amount=amount, paid_on=day,
                    method="cash" if collection == "on_spot" else "bank", receipt_number=f"粤财{index:02d}{n:05d}",
                    today=day,
                )  # fmt: skip
                if collection == "on_spot" and last != "pay":
                    services.case_hand_over_cash(case=case, actor=staff.officer, handed_over_on=day, today=day)
            elif step == "file_for_record":
                services.case_file_for_record(case=case, actor=staff.officer, expected_version=case.version)
            elif step == "archive":
                services.case_archive(case=case, actor=staff.head, expected_version=case.version, today=day)
    return made


@transaction.atomic
def _township(township: Unit, index: int, stdout) -> int:
    staff = _staff(township, stdout)
    _leads(township, staff, index)
    today = timezone.localdate()
    if not _items(township, today, today):
        return 0
    made = 0
    # Filed in the order of their filing dates, so the numbers follow the calendar.
    # under investigation, decision deadline passed, preservation not decided (overdue flags)
    case = _case(township, staff, 14, filed_days_ago=95, index=index)
    if case is not None:
        _investigate(case, staff, serial=index * 10 + 3, files=False)
        registered = workdays.add_working_days(case.filed_on, 2)
        services.preservation_register(
            case=case,
            actor=staff.officer,
            items="涉案物品一批（详见清单）",
            place_kept="执法办暂存室",
            reason="证据可能灭失",
            approved_by=staff.head,
            registered_on=registered,
            today=registered,
        )
        made += 1
    # under investigation, the decision deadline close
    case = _case(township, staff, 13, filed_days_ago=87, index=index)
    if case is not None:
        _investigate(case, staff, serial=index * 10 + 2, files=False)
        made += 1
    # investigation closed, with an organisation as party
    case = _case(township, staff, 15, filed_days_ago=40, index=index)
    if case is not None:
        _investigate(case, staff, serial=index * 10 + 4, organisation=True, files=False)
        case.refresh_from_db()
        services.case_close_investigation(
            case=case,
            actor=staff.officer,
            expected_version=case.version,
            facts_found="经调查，当事人实施了违法行为，事实清楚。",
            evidence_summary="现场照片、现场检查笔录、询问笔录。",
            violated_provision=case.power_item.setting_basis[:200] or "见职权事项设定依据",
            penalty_provision=case.power_item.penalty_basis[:200],
            proposal=_demo_proposal(case),
        )
        made += 1
    # under investigation, recently filed
    case = _case(township, staff, 12, filed_days_ago=6, index=index)
    if case is not None:
        _investigate(case, staff, serial=index * 10 + 1)
        made += 1
    # waiting for the head's approval
    if _case(township, staff, 10, filed_days_ago=0, index=index, approve=False):
        made += 1
    # returned for changes
    case = _case(township, staff, 11, filed_days_ago=0, index=index, approve=False)
    if case is not None:
        services.case_return_filing(
            case=case, actor=staff.head, reason="请补充违法行为持续时间和现场照片。", expected_version=case.version
        )
        made += 1
    made += _on_spot(township, staff, index)
    return made


def load(stdout) -> None:
    townships = list(Unit.objects.townships())
    total = 0
    for index, township in enumerate(townships, start=1):
        total += _township(township, index, stdout)
    today = timezone.localdate()
    if not any(delegated_items(t, today).filter(kind=PowerKind.PENALTY).exists() for t in townships):
        stdout.write("  cases: no power item is delegated to any township yet; demo leads only, no cases.")
    elif total:
        stdout.write(f"  cases: {total} demo cases added")
    hotline_demo.load(stdout)
