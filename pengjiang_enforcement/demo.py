"""Demo people of the shared kernel: one user per role, plus colleagues a case needs.

Loaded by ``manage.py load_demo``. Adding only what is missing, it can run any number of times.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .choices import Role, UnitKind
from .models import EnforcementCertificate, Unit, User
from .services import certificate_add, unit_create, user_create

CERT_ISSUER = "江门市人民政府"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit_code: str
    roles: tuple[str, ...]
    title: str = ""
    certificate: str | None = None  # "valid", "expired" or None
    legal_qualification: bool = False
    is_staff: bool = False


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "区管理员", "pengjiang", (Role.DISTRICT_ADMIN,), "系统管理员", is_staff=True),
    DemoUser("admin2", "区目录审核员", "pengjiang", (Role.DISTRICT_ADMIN,), "目录审核", is_staff=True),
    DemoUser("dr_officer", "陈志强", "duruan-office", (Role.OFFICER,), "执法队员", "valid"),
    DemoUser("dr_officer2", "李晓燕", "duruan-office", (Role.OFFICER,), "执法队员", "valid"),
    DemoUser("dr_officer3", "何文辉", "duruan-office", (Role.OFFICER,), "执法队员", "expired"),
    DemoUser("dr_head", "黄建华", "duruan-office", (Role.OFFICE_HEAD, Role.OFFICER), "执法办主任", "valid"),
    DemoUser(
        "dr_legal", "梁静", "duruan-office", (Role.LEGAL_REVIEWER,), "法制审核员", "valid", legal_qualification=True
    ),
    DemoUser("dr_leader", "吴国栋", "duruan", (Role.TOWNSHIP_LEADER,), "分管副镇长"),
    DemoUser("dr_sfs", "何丽", "duruan-judicial", (Role.JUDICIAL_SUPERVISOR,), "司法所所长"),
    DemoUser("bs_officer", "张伟", "baisha-office", (Role.OFFICER,), "执法队员", "valid"),
    DemoUser("bs_officer2", "刘芳", "baisha-office", (Role.OFFICER,), "执法队员", "valid"),
    DemoUser("bs_head", "郑永强", "baisha-office", (Role.OFFICE_HEAD, Role.OFFICER), "执法办主任", "valid"),
    DemoUser("qu_supervisor", "林海", "justice-bureau", (Role.DISTRICT_SUPERVISOR,), "执法监督科科长"),
    DemoUser("cg_liaison", "周敏", "dept-urban", (Role.DEPARTMENT_LIAISON,), "法规科"),
    DemoUser("social1", "欧阳明", "contact-point-duruan", (Role.SOCIAL_SUPERVISOR,), "社会监督员"),
]

CONTACT_POINTS = [
    ("contact-point-duruan", "杜阮镇行政执法监督联系点（杜阮商会）", "杜阮联系点", "duruan"),
    ("contact-point-baisha", "白沙街道行政执法监督联系点（白沙社区）", "白沙联系点", "baisha"),
]


def _certificate_number(index: int) -> str:
    return f"4407030{index:05d}"


@transaction.atomic
def load(stdout) -> list[DemoUser]:
    district = Unit.objects.get(code="pengjiang")
    for code, name, short_name, township_code in CONTACT_POINTS:
        if not Unit.objects.filter(code=code).exists():
            unit_create(
                actor=None,
                code=code,
                kind=UnitKind.CONTACT_POINT,
                name=name,
                short_name=short_name,
                parent=Unit.objects.get(code=township_code) if township_code else district,
            )
    today = timezone.localdate()
    for index, demo in enumerate(DEMO_USERS, start=1):
        if User.objects.filter(username=demo.username).exists():
            continue
        user = user_create(
            actor=None,
            username=demo.username,
            full_name=demo.full_name,
            unit=Unit.objects.get(code=demo.unit_code),
            roles=demo.roles,
            password=settings.DEMO_PASSWORD,
            is_staff=demo.is_staff,
            title=demo.title,
            legal_qualification=demo.legal_qualification,
            legal_qualification_number="A20184407030001" if demo.legal_qualification else "",
        )
        number = _certificate_number(index)
        if demo.certificate and not EnforcementCertificate.objects.filter(number=number).exists():
            if demo.certificate == "valid":
                start, end = today - datetime.timedelta(days=700), today + datetime.timedelta(days=1100)
            else:
                start, end = today - datetime.timedelta(days=1900), today - datetime.timedelta(days=60)
            certificate_add(
                actor=None, user=user, number=number, issuing_body=CERT_ISSUER, valid_from=start, valid_to=end
            )
    return DEMO_USERS
