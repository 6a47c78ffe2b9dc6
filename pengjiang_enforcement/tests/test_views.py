"""The web shell: sign-in, the home page of every role, units, people, calendar, audit, admin."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.demo import DEMO_USERS
from pengjiang_enforcement.home import HOME_TITLES, primary_role
from pengjiang_enforcement.models import AuditLog, Unit, User
from tests.factories import PASSWORD, UserFactory, unit

pytestmark = pytest.mark.django_db

# What each role's home page is called in Chinese.
HOME_HEADINGS_ZH = {
    Role.OFFICER: "我的工作",
    Role.OFFICE_HEAD: "执法办工作台",
    Role.LEGAL_REVIEWER: "法制审核工作台",
    Role.TOWNSHIP_LEADER: "镇街工作概览",
    Role.JUDICIAL_SUPERVISOR: "审查队列",
    Role.DISTRICT_SUPERVISOR: "全区审查队列",
    Role.DEPARTMENT_LIAISON: "部门联络工作台",
    Role.SOCIAL_SUPERVISOR: "社会监督",
    Role.DISTRICT_ADMIN: "目录与单位",
}


def test_every_role_has_a_home_heading():
    assert set(HOME_HEADINGS_ZH) == set(Role.values) == set(HOME_TITLES)


def test_every_demo_role_logs_in_and_lands_on_its_home_page():
    call_command("load_demo", quiet=True)
    seen_roles = set()
    for demo in DEMO_USERS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": demo.username, "password": settings.DEMO_PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/", demo.username
        user = User.objects.get(username=demo.username)
        role = primary_role(user)
        seen_roles.add(role)
        body = response.content.decode()
        assert f'data-testid="home-title">{HOME_HEADINGS_ZH[role]}</h1>' in body, demo.username
    assert seen_roles == set(Role.values)


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", quiet=True)
    counts = (User.objects.count(), Unit.objects.count(), AuditLog.objects.count())
    call_command("load_demo", quiet=True)
    assert (User.objects.count(), Unit.objects.count(), AuditLog.objects.count()) == counts


def test_wrong_password_is_refused_with_a_message_and_audited(duruan_officer):
    response = Client().post("/accounts/login/", {"username": "dr_alice", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditLog.objects.filter(action="core.user.login_failed", object_id=str(duruan_officer.pk)).exists()


def test_pages_need_a_login(anonymous):
    for url in ["/", "/units/", "/people/", "/calendar/", "/audit/"]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_logout_and_password_change(login, duruan_officer):
    client = login(duruan_officer)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-new-Secret-2026", "new_password2": "a-new-Secret-2026"},
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="core.user.password_changed", object_id=str(duruan_officer.pk)).exists()
    assert client.get("/").status_code == 200  # the session survives its own password change
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    # Through the sign-in view: the throttling backend needs the request that client.login() lacks.
    response = Client().post("/accounts/login/", {"username": "dr_alice", "password": "a-new-Secret-2026"})
    assert response.status_code == 302


def test_officer_cannot_list_or_open_another_townships_units(login, duruan_officer):
    client = login(duruan_officer)
    listing = client.get("/units/").content.decode()
    assert "杜阮镇综合行政执法办公室" in listing
    assert "白沙街道" not in listing
    assert client.get(f"/units/{unit('baisha-office').pk}/").status_code == 404
    assert client.get(f"/units/{unit('duruan-office').pk}/").status_code == 200


def test_district_admin_lists_and_opens_every_unit(login, district_admin):
    client = login(district_admin)
    listing = client.get("/units/").content.decode()
    assert "白沙街道" in listing and "杜阮镇" in listing
    assert client.get(f"/units/{unit('baisha-office').pk}/").status_code == 200


def test_officer_may_see_but_not_edit_own_unit(login, duruan_officer):
    client = login(duruan_officer)
    assert client.get(f"/units/{unit('duruan-office').pk}/edit/").status_code == 403
    assert client.get(f"/units/{unit('baisha-office').pk}/edit/").status_code == 404


def test_district_admin_edits_a_unit_short_name(login, district_admin):
    client = login(district_admin)
    target = unit("hetang")
    response = client.post(
        f"/units/{target.pk}/edit/",
        {"name": "荷塘镇", "short_name": "荷塘镇", "address": "", "phone": "", "sort_order": 70, "is_active": "on"},
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=target.pk).short_name == "荷塘镇"


def test_unit_edit_refuses_a_clashing_short_name(login, district_admin):
    client = login(district_admin)
    target = unit("hetang")
    response = client.post(
        f"/units/{target.pk}/edit/",
        {"name": "荷塘镇", "short_name": "杜阮", "address": "", "phone": "", "sort_order": 70, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "已有其他镇街使用简称" in response.content.decode()
    assert Unit.objects.get(pk=target.pk).short_name == "荷塘"


def test_unit_edit_shows_every_refused_rule_beside_its_field(login, district_admin):
    """A clashing short name and a clashing other name: both messages at once, each at its field."""
    client = login(district_admin)
    target = unit("hetang")
    response = client.post(
        f"/units/{target.pk}/edit/",
        {"name": "荷塘镇", "short_name": "杜阮", "aliases": "白沙街道办事处、荷塘镇政府", "address": "", "phone": "",
         "sort_order": 70, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["short_name"] and "已有其他镇街使用简称" in form.errors["short_name"][0]
    assert form.errors["aliases"] and "白沙街道" in form.errors["aliases"][0]
    assert Unit.objects.get(pk=target.pk).aliases == []


def test_unit_edit_keeps_other_names(login, district_admin):
    client = login(district_admin)
    target = unit("dept-urban")
    response = client.post(
        f"/units/{target.pk}/edit/",
        {"name": target.name, "short_name": target.short_name, "aliases": "区城管委，城管大队、区城管委",
         "address": "", "phone": "", "sort_order": 0, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Unit.objects.get(pk=target.pk).aliases == ["区城管委", "城管大队"]
    assert "区城管委、城管大队" in client.get(f"/units/{target.pk}/edit/").content.decode()
    assert "区城管委、城管大队" in client.get(f"/units/{target.pk}/").content.decode()


def test_people_list_is_scoped_and_its_query_count_is_pinned(login, duruan_officer, baisha_officer):
    client = login(duruan_officer)
    client.get("/people/")
    with CaptureQueriesContext(connection) as few:
        body = client.get("/people/").content.decode()
    assert "陈爱丽" in body and "张查理" not in body
    for i in range(8):
        UserFactory(username=f"extra{i}", certified=True)
    with CaptureQueriesContext(connection) as many:
        client.get("/people/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_unit_list_query_count_is_pinned(login, district_admin):
    client = login(district_admin)
    client.get("/units/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/units/")
    assert len(ctx.captured_queries) <= 10


def test_admin_records_a_certificate_for_an_officer(login, district_admin, duruan_colleague):
    client = login(district_admin)
    response = client.post(
        f"/people/{duruan_colleague.pk}/",
        {
            "number": "44070399999",
            "issuing_body": "江门市人民政府",
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
        },
    )
    assert response.status_code == 302
    assert duruan_colleague.certificates.filter(number="44070399999").exists()


def test_certificate_that_ends_before_it_starts_is_refused(login, district_admin, duruan_colleague):
    client = login(district_admin)
    response = client.post(
        f"/people/{duruan_colleague.pk}/",
        {
            "number": "44070388888",
            "issuing_body": "江门市人民政府",
            "valid_from": "2026-01-01",
            "valid_to": "2025-12-31",
        },
    )
    assert response.status_code == 200
    assert "证件失效日期不能早于生效日期" in response.content.decode()
    assert not duruan_colleague.certificates.filter(number="44070388888").exists()


def test_officer_cannot_record_certificates(login, duruan_officer, duruan_colleague):
    client = login(duruan_officer)
    response = client.post(
        f"/people/{duruan_colleague.pk}/",
        {"number": "1", "issuing_body": "x", "valid_from": "2026-01-01", "valid_to": "2027-01-01"},
    )
    assert response.status_code == 403


def test_calendar_page_shows_the_year(login, duruan_officer):
    response = login(duruan_officer).get("/calendar/?year=2026")
    assert response.status_code == 200
    assert "工作日历" in response.content.decode()


def test_only_admins_record_calendar_overrides(login, duruan_officer, district_admin):
    data = {"date": "2026-12-28", "kind": "holiday", "name": "台风", "note": ""}
    assert login(duruan_officer).post("/calendar/", data).status_code == 403
    assert login(district_admin).post("/calendar/", data).status_code == 302


def test_audit_list_for_district_staff_only(login, duruan_officer, district_admin):
    assert login(duruan_officer).get("/audit/").status_code == 403
    response = login(district_admin).get("/audit/")
    assert response.status_code == 200
    assert "core.user.logged_in" in response.content.decode()


def test_audit_list_names_the_portal_itself_in_the_users_language(login, district_admin):
    from pengjiang_enforcement.audit import audit_record

    audit_record(action="core.unit.updated", obj=district_admin.unit, actor=None, after={})
    page = login(district_admin).get("/audit/?action=core.unit").content.decode()
    assert "<td>系统</td>" in page and "<td>system</td>" not in page


def test_django_admin_is_for_district_admins(login, district_admin, duruan_officer):
    assert login(district_admin).get("/admin/").status_code == 200
    assert login(duruan_officer).get("/admin/").status_code == 302


def test_english_is_available(login, duruan_officer):
    client = login(duruan_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'data-testid="home-title">My work</h1>' in client.get("/").content.decode()


def test_home_page_works_on_a_phone_viewport_meta(login, duruan_officer):
    body = login(duruan_officer).get("/").content.decode()
    assert 'name="viewport"' in body
    assert "/static/vendor/bootstrap/bootstrap.min.css" in body
    assert "cdn" not in body.lower()
