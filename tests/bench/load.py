"""Throughput under load: gunicorn as production runs it, signed-in officers of every township.

At each size (``--sizes``, ``BENCH_SIZES``) the scratch database holds that many generated cases,
leads and 12345 orders (``generated.use_generated``: from cache after the first run). gunicorn
starts with the repository's ``gunicorn.conf.py`` on a free loopback port, DEBUG off, a throwaway
SECRET_KEY and static files collected as production collects them. Each simulated user is an
officer of one township (sessions are written straight into the session store, the cookie sent
with every request) and asks, one request after another, for queue pages (``/cases/`` and its
filters, sorts and pages) or case pages (random cases of the officer's township). Each phase is
bounded in requests and seconds; the table gives pages per second, p50/p95/p99 and errors.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .generated import ROOT, use_generated
from .registry import Row

QUEUE_TARGET = 60.0  # signed-in queue pages a second, two workers
CASE_TARGET = 80.0  # case pages a second
CONCURRENCY = [int(c) for c in os.environ.get("LOAD_USERS", "10,30").split(",")]
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))  # the target is for two
MAX_REQUESTS = int(os.environ.get("LOAD_REQUESTS", "3000"))  # per phase
MAX_SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))  # per phase
WARMUP = 40  # requests before each phase (every worker loads its templates and warms its caches)
CASES_PER_TOWNSHIP = 400
# The queue pages an officer opens, as the issue names them: the default, filtered by state,
# overdue, a Chinese search, sorted by deadline, a deep page.
QUEUE_PATHS = [
    "/cases/",
    "/cases/?state=",
    "/cases/?state=archived",
    "/cases/?deadline=overdue",
    "/cases/?state=&q=%E5%8D%A0%E9%81%93",  # 占道
    "/cases/?sort=due",
    "/cases/?state=&page=200",
]


@dataclass
class Officer:
    township: str
    cookie: str
    case_ids: list[int]


@dataclass
class Phase:
    kind: str
    users: int
    timings: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def quantile(self, q: float) -> float:
        if len(self.timings) < 2:
            return self.timings[0] if self.timings else 0.0
        return statistics.quantiles(self.timings, n=100, method="inclusive")[round(q * 100) - 1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(secret_key: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=static_root,
        DJANGO_SETTINGS_MODULE="pengjiang_enforcement.settings",
        LOG_LEVEL="WARNING",
    )
    env.pop("SENTRY_DSN", None)
    return env


def _collectstatic(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


class Gunicorn:
    """gunicorn with the repository's configuration on a loopback port; stopped on leaving."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.env = env
        self.process: subprocess.Popen | None = None
        handle, name = tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")
        os.close(handle)
        self.log = Path(name)

    def __enter__(self) -> Gunicorn:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    gunicorn,
                    *("--config", str(ROOT / "gunicorn.conf.py")),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS)),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers are stopped with it
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start (exit {self.process.returncode}): {self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/accounts/login/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
                conn.close()
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)


def _officers(secret_key: str) -> list[Officer]:
    """A signed-in session for an officer of every township, made in the session store."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.test.utils import override_settings

    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import Unit, User

    officers = []
    for township in Unit.objects.townships():
        user = User.objects.filter(unit__township=township, groups__name=Role.OFFICER, is_active=True).first()
        if user is None:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM cases_case WHERE township_id = %s ORDER BY random() LIMIT %s",
                [township.pk, CASES_PER_TOWNSHIP],
            )
            case_ids = [pk for (pk,) in cursor.fetchall()]
        if not case_ids:
            continue
        # The server signs with its own key: the session and the user's hash are made with it.
        with override_settings(SECRET_KEY=secret_key):
            session = import_module(settings.SESSION_ENGINE).SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
        officers.append(Officer(township.short_name, f"{settings.SESSION_COOKIE_NAME}={session.session_key}", case_ids))
    if not officers:
        raise RuntimeError("no township has an officer and cases")
    return officers


def _run_phase(port: int, phase: Phase, officers: list[Officer], *, limit: int, seconds: float, seed: int) -> None:
    """``phase.users`` threads, each an officer asking for one page after another."""
    lock = threading.Lock()
    issued = 0
    stop_at = time.monotonic() + seconds

    def take() -> bool:
        nonlocal issued
        with lock:
            if issued >= limit or time.monotonic() >= stop_at:
                return False
            issued += 1
            return True

    def user(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        officer = officers[index % len(officers)]
        headers = {"Cookie": officer.cookie, "Accept-Language": "zh-hans"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while take():
            path = rng.choice(QUEUE_PATHS) if phase.kind == "queue" else f"/cases/{rng.choice(officer.case_ids)}/"
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.will_close:
                    conn.close()
                with lock:
                    if response.status == 200:
                        phase.timings.append(elapsed)
                    else:
                        phase.errors.append(f"{response.status} {path} ({officer.township})")
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                with lock:
                    phase.errors.append(f"{type(error).__name__} {path} ({officer.township})")
        conn.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(phase.users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started


def _rows(group: str, phase: Phase) -> list[Row]:
    target = QUEUE_TARGET if phase.kind == "queue" else CASE_TARGET
    label = f"{phase.kind} pages, {phase.users} users"
    rate = len(phase.timings) / phase.seconds if phase.seconds else 0.0
    return [
        Row(group, f"{label}: pages/s", rate, "pages/s", f">= {target:.0f}", failed=rate < target),
        Row(group, f"{label}: p50", phase.quantile(0.50), "ms"),
        Row(group, f"{label}: p95", phase.quantile(0.95), "ms"),
        Row(group, f"{label}: p99", phase.quantile(0.99), "ms"),
        Row(group, f"{label}: errors", len(phase.errors), "errors", "0", failed=bool(phase.errors)),
    ]


def _one_size(n: int, env: dict[str, str]) -> list[Row]:
    group = f"load {n:,}"
    spent = use_generated(n)
    rows = [Row(group, "generated data ready (cache or generation)", spent, "s")]
    officers = _officers(env["SECRET_KEY"])
    with Gunicorn(env) as server:
        print(f"  gunicorn on 127.0.0.1:{server.port}, {len(officers)} townships' officers", flush=True)
        for kind in ("queue", "case"):
            for users in CONCURRENCY:
                warm = Phase(kind, users)
                _run_phase(server.port, warm, officers, limit=WARMUP, seconds=MAX_SECONDS, seed=0)
                phase = Phase(kind, users)
                load = os.getloadavg()[0]
                cpu = time.process_time()
                _run_phase(server.port, phase, officers, limit=MAX_REQUESTS, seconds=MAX_SECONDS, seed=users)
                cpu = time.process_time() - cpu
                print(
                    f"  {kind} pages, {users} users: {len(phase.timings)} in {phase.seconds:.1f}s, "
                    f"{len(phase.errors)} errors (load average before: {load:.1f}; "
                    f"the load generator's own CPU: {cpu:.1f}s)",
                    flush=True,
                )
                for error in sorted(set(phase.errors))[:5]:
                    print(f"    {error}", flush=True)
                rows += _rows(group, phase)
    return rows


def run() -> list[Row]:
    from django.core.management.utils import get_random_secret_key

    from .__main__ import fresh_database
    from .queues import sizes

    secret_key = get_random_secret_key() + get_random_secret_key()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = _server_env(secret_key, static_root)
    print(f"  load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)", flush=True)
    rows: list[Row] = []
    try:
        _collectstatic(env)
        for index, n in enumerate(sizes()):
            if index:
                fresh_database(os.environ["DATABASE_URL"])
            print(f"  {n:,} rows ...", flush=True)
            rows += _one_size(n, env)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    return rows
