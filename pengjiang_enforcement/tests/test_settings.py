"""Configuration: production refuses to start without a real secret key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pengjiang_enforcement.env import env_bool, env_int, env_list
from pengjiang_enforcement.settings import check_allowed_hosts, check_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3Y-" + "a1B2c3D4e5F6g7H8i9J0" * 3


def _start_django(**env_overrides: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "AUDIT_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    for key, value in env_overrides.items():
        if value is not None:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**env, "DJANGO_SETTINGS_MODULE": "pengjiang_enforcement.settings"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _start_django(DEBUG="0", ALLOWED_HOSTS="portal.example")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = _start_django(DEBUG="0", ALLOWED_HOSTS="portal.example", SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_starts_with_a_strong_key_and_hosts():
    result = _start_django(DEBUG="0", ALLOWED_HOSTS="portal.example", SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_requires_allowed_hosts():
    result = _start_django(DEBUG="0", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_allowed_hosts_with_a_wildcard():
    result = _start_django(DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="zf.example.gov.cn,*")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS holds '*'" in result.stderr
    with pytest.raises(ImproperlyConfigured, match=r"\*"):
        check_allowed_hosts(["*.example.gov.cn"], debug=False)
    assert check_allowed_hosts(["*"], debug=True) == ["*"]


def test_production_refuses_a_weak_audit_key_naming_why():
    result = _start_django(DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="portal.example", AUDIT_KEY="short")
    assert result.returncode != 0
    assert "AUDIT_KEY is too weak for production (it has 5 characters, fewer than 50)" in result.stderr
    strong_audit_key = "aUd1T-" + "x9Y8z7W6v5U4t3S2r1Q0" * 3
    started = _start_django(
        DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="portal.example", AUDIT_KEY=strong_audit_key
    )
    assert started.returncode == 0, started.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("django-insecure-" + "a1B2c3D4e5" * 6, "starts with 'django-insecure'"),
        ("abcd" * 20, "fewer than 5 different characters"),
        ("a1B2c3", "6 characters, fewer than 50"),
    ],
)
def test_a_weak_secret_key_is_refused_with_its_reason(key, reason):
    with pytest.raises(ImproperlyConfigured, match=reason):
        check_secret_key(key, debug=False)


def test_sqlite_is_refused():
    result = _start_django(DEBUG="1", DATABASE_URL="sqlite:///tmp/x.db")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_development_key_only_with_debug():
    assert check_secret_key(None, debug=True)
    with pytest.raises(ImproperlyConfigured):
        check_secret_key(check_secret_key(None, debug=True), debug=False)


def test_typed_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST") == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "4.2")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 0)


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert ("en", "English") in settings.LANGUAGES
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
