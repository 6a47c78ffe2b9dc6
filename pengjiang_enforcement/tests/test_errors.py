"""Errors reach the administrators: ADMINS from the environment, ERROR records mailed, Sentry optional."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import path

from pengjiang_enforcement.env import env_addresses

BASE_DIR = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("the printer caught fire")


# A URL map for these tests only (pytest.mark.urls): the portal's own has no page that fails on purpose.
urlpatterns = [path("boom/", _boom)]


# --- reading ADMINS ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "Chen Li <chen@example.gov.cn>, ops@example.gov.cn",
            [("Chen Li", "chen@example.gov.cn"), ("ops@example.gov.cn", "ops@example.gov.cn")],
        ),
        (
            "陈主任 <chen@example.gov.cn>,Other <other@example.gov.cn>",
            [("陈主任", "chen@example.gov.cn"), ("Other", "other@example.gov.cn")],
        ),
        ('"Chen, Li" <chen@example.gov.cn>', [("Chen, Li", "chen@example.gov.cn")]),
        (
            "a@example.gov.cn,,b@example.gov.cn,",
            [("a@example.gov.cn", "a@example.gov.cn"), ("b@example.gov.cn", "b@example.gov.cn")],
        ),
        ("", []),
        ("  ", []),
    ],
)
def test_admins_are_read_as_name_address_pairs(monkeypatch, value, expected):
    monkeypatch.setenv("ADMINS", value)
    assert env_addresses("ADMINS") == expected


@pytest.mark.parametrize(
    "value",
    [
        "not-an-address",
        "a@example.gov.cn b@example.gov.cn",
        "a@example.gov.cn;b@example.gov.cn",
        "陈主任 chen@example.gov.cn",
    ],
)
def test_a_mistyped_admin_address_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("ADMINS", value)
    with pytest.raises(ImproperlyConfigured, match="ADMINS"):
        env_addresses("ADMINS")


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess:
    names = [
        "ADMINS",
        "SERVER_EMAIL",
        "DEFAULT_FROM_EMAIL",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; import sentry_sdk; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}} | "
        "{'sentry': sentry_sdk.get_client().is_active(), "
        "'pii': sentry_sdk.get_client().options.get('send_default_pii'), "
        "'integrations': sorted(sentry_sdk.get_client().integrations)}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SENTRY_")) and k != "ADMINS"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "pengjiang_enforcement.settings"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_mail_settings_come_from_the_environment():
    result = _settings_in_subprocess(
        ADMINS="陈主任 <chen@example.gov.cn>, ops@example.gov.cn",
        SERVER_EMAIL="portal@example.gov.cn",
        EMAIL_HOST="smtp.example.gov.cn",
        EMAIL_USE_SSL="1",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["ADMINS"] == [["陈主任", "chen@example.gov.cn"], ["ops@example.gov.cn", "ops@example.gov.cn"]]
    assert values["SERVER_EMAIL"] == values["DEFAULT_FROM_EMAIL"] == "portal@example.gov.cn"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"], values["EMAIL_USE_SSL"]) == ("smtp.example.gov.cn", 465, True)
    assert values["sentry"] is False  # no DSN, no error tracking


def test_tls_and_ssl_together_are_refused():
    result = _settings_in_subprocess(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "not both" in result.stderr


def test_sentry_starts_only_with_a_dsn_and_sends_no_personal_data():
    # A DSN on this machine's loopback: nothing is sent while nothing fails.
    result = _settings_in_subprocess(SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["sentry"] is True
    assert values["pii"] is False
    assert {"django", "celery", "logging"} <= set(values["integrations"])


# --- mail to ADMINS ----------------------------------------------------------------------------
@pytest.mark.urls(__name__)
def test_a_failed_request_is_mailed_to_the_admins_once(settings):
    settings.ADMINS = [("Ops", "ops@example.gov.cn")]
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.gov.cn"]
    assert message.subject.startswith(settings.EMAIL_SUBJECT_PREFIX + "ERROR")
    assert "RuntimeError" in message.body and "the printer caught fire" in message.body
    assert "Internal Server Error: /boom/" in message.body


@pytest.mark.urls(__name__)
def test_without_admins_a_failed_request_still_answers_500_and_mails_nobody(settings):
    settings.ADMINS = []
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "系统出现错误" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("logger_name", ["celery.app.trace", "cases.hotline.importing", "powers.importing"])
def test_errors_of_tasks_and_imports_are_mailed(settings, logger_name):
    settings.ADMINS = [("Ops", "ops@example.gov.cn")]
    try:
        raise ValueError("row 12 broke the reader")
    except ValueError:
        logging.getLogger(logger_name).exception("import 7 failed")
    assert len(mail.outbox) == 1
    assert "import 7 failed" in mail.outbox[0].subject
    assert "ValueError\nrow 12 broke the reader" in mail.outbox[0].body


def test_warnings_are_not_mailed(settings):
    settings.ADMINS = [("Ops", "ops@example.gov.cn")]
    logging.getLogger("cases.hotline.importing").warning("a row was skipped")
    assert mail.outbox == []
