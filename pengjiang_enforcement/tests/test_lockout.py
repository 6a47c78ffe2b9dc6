"""Failed sign-ins are throttled: a user name + address is locked for a while, shown and audited.

Every test signs in through the real login view with the real client; the attempts axes counts
live in PostgreSQL and roll back with each test.
"""

from __future__ import annotations

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from pengjiang_enforcement.models import AuditLog
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED_ZH = "登录失败次数过多，账户已暂时锁定"


def _fail(client: Client, username: str, times: int):
    response = None
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "not-the-password"})
    return response


def _sign_in(client: Client, username: str):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def _locked_out_rows():
    return AuditLog.objects.filter(action="core.user.locked_out")


def test_brute_force_locked_out(duruan_officer):
    client = Client()
    last = _fail(client, duruan_officer.username, 80)
    assert last.status_code == 429
    response = _sign_in(client, duruan_officer.username)
    assert response.status_code == 429
    assert LOCKED_ZH in response.content.decode()
    assert client.get("/").status_code == 302  # still signed out
    assert "_auth_user_id" not in client.session
    (row,) = _locked_out_rows()
    assert row.object_id == str(duruan_officer.pk)
    assert row.after["by"] == "username_address"


def test_brute_force_rotating_addresses_locks_the_user_name(duruan_officer, duruan_colleague):
    # 80 wrong passwords, each from another address: no address + user name pair fills up.
    for n in range(80):
        response = _fail(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), duruan_officer.username, 1)
    assert response.status_code == 429
    response = _sign_in(Client(REMOTE_ADDR="198.51.100.20"), duruan_officer.username)
    assert response.status_code == 429
    assert LOCKED_ZH in response.content.decode()
    (row,) = _locked_out_rows()
    assert row.object_id == str(duruan_officer.pk)
    assert row.after == {
        "ip": f"203.0.113.{settings.AXES_USERNAME_FAILURE_LIMIT}",
        "failures": settings.AXES_USERNAME_FAILURE_LIMIT,
        "minutes": settings.AXES_COOLOFF_MINUTES,
        "by": "username",
    }
    # Other people, from any of those addresses, are not locked.
    assert _sign_in(Client(REMOTE_ADDR="203.0.113.5"), duruan_colleague.username).status_code == 302


def test_brute_force_rotating_user_names_locks_the_address(duruan_officer, baisha_officer):
    attacker = "203.0.113.66"
    names = [f"guess{n}" for n in range(78)] + [baisha_officer.username, duruan_officer.username]
    for name in names:
        response = _fail(Client(REMOTE_ADDR=attacker), name, 1)
    assert response.status_code == 429
    response = _sign_in(Client(REMOTE_ADDR=attacker), duruan_officer.username)
    assert response.status_code == 429
    assert LOCKED_ZH in response.content.decode()
    (row,) = _locked_out_rows()
    assert row.object_id in ("", None)  # the name that tipped it belongs to nobody
    assert row.after["by"] == "address" and row.after["ip"] == attacker
    assert row.after["failures"] == settings.AXES_ADDRESS_FAILURE_LIMIT
    # The same people from their own addresses still sign in.
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.20"), duruan_officer.username).status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_a_few_typos_each(duruan_officer, duruan_colleague):
    office = "198.51.100.1"
    for person in (duruan_officer, duruan_colleague):
        _fail(Client(REMOTE_ADDR=office), person.username, settings.AXES_FAILURE_LIMIT - 1)
        assert _sign_in(Client(REMOTE_ADDR=office), person.username).status_code == 302
    assert not _locked_out_rows().exists()


def test_the_failure_that_reaches_the_limit_shows_the_lockout_page(duruan_officer):
    client = Client()
    assert _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT - 1).status_code == 200
    response = _fail(client, duruan_officer.username, 1)
    assert response.status_code == 429
    body = response.content.decode()
    # In the portal's own layout, with the sign-in form, and in Chinese.
    assert "portal-navbar" in body and 'name="password"' in body
    assert f"{LOCKED_ZH}，请 {settings.AXES_COOLOFF_MINUTES} 分钟后再试" in body
    assert "用户名或密码不正确" not in body


def test_lockout_page_speaks_english_when_asked(duruan_officer):
    client = Client(headers={"accept-language": "en"})
    response = _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert f"Please try again in {settings.AXES_COOLOFF_MINUTES} minutes" in response.content.decode()


def test_lockout_is_audited_once_and_every_failure_still_is(duruan_officer):
    client = Client()
    _fail(client, duruan_officer.username, 12)
    lockouts = AuditLog.objects.filter(action="core.user.locked_out", object_id=str(duruan_officer.pk))
    assert lockouts.count() == 1
    assert lockouts.get().after == {
        "ip": "127.0.0.1",
        "failures": settings.AXES_FAILURE_LIMIT,
        "minutes": settings.AXES_COOLOFF_MINUTES,
        "by": "username_address",
    }
    failed = AuditLog.objects.filter(action="core.user.login_failed", object_id=str(duruan_officer.pk))
    assert failed.count() == 12


def _age_attempts(minutes: int) -> None:
    """Move the recorded failures back in time, as if the person had waited that long."""
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=minutes)
    )


def test_the_page_counts_down_the_minutes_left(duruan_officer):
    client = Client()
    _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT)
    _age_attempts(settings.AXES_COOLOFF_MINUTES - 4)
    response = _sign_in(client, duruan_officer.username)
    assert response.status_code == 429
    assert f"{LOCKED_ZH}，请 4 分钟后再试" in response.content.decode()


def test_sign_in_works_again_after_the_cool_off(duruan_officer):
    client = Client()
    _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT + 3)
    _age_attempts(settings.AXES_COOLOFF_MINUTES + 1)
    response = _sign_in(client, duruan_officer.username)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert not AccessAttempt.objects.exists()  # the expired failures are forgotten


def test_a_shorter_configured_cool_off_is_honoured(duruan_officer, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=2)
    client = Client()
    _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT)
    _age_attempts(3)
    assert _sign_in(client, duruan_officer.username).status_code == 302


def test_another_user_at_the_same_address_is_not_locked(duruan_officer, duruan_colleague):
    _fail(Client(), duruan_officer.username, settings.AXES_FAILURE_LIMIT + 3)
    colleague = Client()  # the same office, behind the same NAT address
    assert _sign_in(colleague, duruan_colleague.username).status_code == 302
    assert colleague.get("/").status_code == 200


def test_the_same_user_from_another_address_is_not_locked(duruan_officer):
    _fail(Client(REMOTE_ADDR="203.0.113.7"), duruan_officer.username, settings.AXES_FAILURE_LIMIT + 3)
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.20"), duruan_officer.username).status_code == 302


def test_fewer_failures_than_the_limit_are_forgotten_after_a_success(duruan_officer):
    client = Client()
    _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT - 1)
    assert _sign_in(client, duruan_officer.username).status_code == 302
    client.post("/accounts/logout/")
    # The typos before the success no longer count towards a lock.
    assert _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT - 1).status_code == 200


def test_an_admin_unlocks_with_axes_reset_username(duruan_officer):
    client = Client()
    _fail(client, duruan_officer.username, settings.AXES_FAILURE_LIMIT)
    assert _sign_in(client, duruan_officer.username).status_code == 429
    call_command("axes_reset_username", duruan_officer.username, stdout=io.StringIO())
    assert _sign_in(client, duruan_officer.username).status_code == 302
