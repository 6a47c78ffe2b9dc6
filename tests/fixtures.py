"""Personas shared by every test module (loaded as a pytest plugin from pyproject.toml).

An officer of 杜阮镇 and a colleague in the same office, their office head, an officer of
白沙街道, the 杜阮 judicial-office supervisor, a district admin, a district supervisor, a
department liaison, a social supervisor and an anonymous visitor.
"""

from __future__ import annotations

import os

import pytest
from django.test import Client

from pengjiang_enforcement.choices import Role

# Models can only be imported once Django is set up, after this plugin is loaded.


def _own_redis_database_per_test_worker() -> None:
    """Under pytest-xdist each worker has its own test database (pytest-django's doing) and, from
    here, its own Redis database: a task queued by one worker's test must not be consumed by the
    Celery worker of another, which would look for the job in the wrong database.

    This plugin is imported before pytest-django reads the settings, so changing the environment
    here is early enough.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not worker.startswith("gw") or not url:
        return
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    db = parts.path.strip("/")
    number = (int(db) if db.isdigit() else 0) + 1 + int(worker[2:])
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{number % 16}"))


_own_redis_database_per_test_worker()


def _make(username: str, full_name: str, unit_code: str, **kwargs):
    from pengjiang_enforcement.models import Unit

    from .factories import UserFactory, unit

    if not Unit.objects.filter(code=unit_code).exists():  # flushed by an earlier transactional test
        restore_reference_data()
    return UserFactory(username=username, full_name=full_name, unit=unit(unit_code), **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests hash passwords with MD5: the production hasher spends ~0.3 s on purpose per hash, and
    the personas, the demo data and every sign-in of the suite would pay it thousands of times."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _own_media_root(tmp_path_factory):
    """Uploaded and generated files of the suite go to a folder of this test run (and worker)."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def duruan_officer(db):
    return _make("dr_alice", "陈爱丽", "duruan-office", certified=True)


@pytest.fixture
def duruan_colleague(db):
    return _make("dr_bob", "李博", "duruan-office", certified=True)


@pytest.fixture
def duruan_head(db):
    return _make("dr_head_t", "黄主任", "duruan-office", roles=(Role.OFFICE_HEAD, Role.OFFICER), certified=True)


@pytest.fixture
def baisha_officer(db):
    return _make("bs_charlie", "张查理", "baisha-office", certified=True)


@pytest.fixture
def duruan_supervisor(db):
    return _make("dr_judicial", "何司法", "duruan-judicial", roles=(Role.JUDICIAL_SUPERVISOR,))


@pytest.fixture
def district_admin(db):
    return _make("qu_admin", "区管理", "pengjiang", roles=(Role.DISTRICT_ADMIN,), is_staff=True)


@pytest.fixture
def district_supervisor(db):
    return _make("qu_sup", "林监督", "justice-bureau", roles=(Role.DISTRICT_SUPERVISOR,))


@pytest.fixture
def department_liaison(db):
    return _make("cg_liaison_t", "周联络", "dept-urban", roles=(Role.DEPARTMENT_LIAISON,))


@pytest.fixture
def social_supervisor(db):
    return _make("social_t", "欧阳社", "pengjiang", roles=(Role.SOCIAL_SUPERVISOR,))


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def login():
    """A client signed in as the given user (through the real login view)."""

    def _login(user) -> Client:
        client = Client()
        from .factories import PASSWORD

        response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "log-in failed"
        return client

    return _login


@pytest.fixture
def celery_worker_thread(transactional_reference_data):
    """A real Celery worker consuming the real Redis broker, in a thread of the test process."""
    from celery.contrib.testing.worker import start_worker
    from django.db import connection

    from pengjiang_enforcement.celery import app

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30) as worker:
        yield worker
    # The worker thread's database connection outlives the thread; end it so the test database
    # can be flushed and dropped.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def restore_reference_data() -> None:
    """Put back what migrations load (roles, permissions, the organisation).

    Transactional tests (live server, real worker) end with a flush that empties every table,
    including rows data migrations wrote; the next transactional test needs them again.
    Reference-data migrations are idempotent, so running them against the live registry is safe.
    """
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings

    for app_label, names in settings.REFERENCE_DATA_MIGRATIONS:
        for name in names:
            module = import_module(f"{apps.get_app_config(app_label).name}.migrations.{name}")
            module.forwards(apps, None)


@pytest.fixture
def transactional_reference_data(transactional_db):
    restore_reference_data()


@pytest.fixture
def live_portal(transactional_reference_data, live_server):
    """The live server, with the reference data in place."""
    return live_server


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download needed)."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's ORM calls from the test body are
    # still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def csp_violations(page) -> list[str]:
    """The console messages of the page that report something the Content-Security-Policy
    blocked (an inline script, handler or style, a foreign source), collected as they come."""
    violations: list[str] = []

    def listen(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", listen)
    return violations


@pytest.fixture
def page(browser):
    """A desktop browser tab; the test fails if the page breaks its Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    violations = csp_violations(page)
    yield page
    context.close()
    if violations:
        pytest.fail("Blocked by the Content-Security-Policy:\n" + "\n".join(violations))


@pytest.fixture
def phone(browser):
    """A phone-sized browser tab; the test fails if the page breaks its Content-Security-Policy."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    violations = csp_violations(page)
    yield page
    context.close()
    if violations:
        pytest.fail("Blocked by the Content-Security-Policy:\n" + "\n".join(violations))


def sign_in(page, live_server, username: str, password: str | None = None) -> None:
    """Sign in through the login form of the live server."""
    from .factories import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture(autouse=True)
def _calendar_overrides_reload():
    """Every test starts and ends without this process's copy of the calendar overrides.

    An override a test writes rolls back with it, and a rollback sends no signal: the process
    would otherwise keep the rolled-back day, filed under a generation still current in Redis.
    Only the local copy is dropped, so a test without a database never touches Redis.
    """
    from pengjiang_enforcement import workdays

    workdays.drop_local_copy()
    yield
    workdays.drop_local_copy()
