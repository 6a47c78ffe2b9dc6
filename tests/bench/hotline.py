"""12345 imports through a real Celery worker: rows per second and the worker's peak memory.

A worker subprocess (solo pool, its own queue) runs on the bench's scratch database. The bench
uploads generated exports through the import service, waits for the preview, confirms, and
waits for the end, as a person would (minus the human). A plain ``COPY`` of the same CSV into a
table of text columns is printed beside it: the floor. Memory is the worker's peak resident size
(VmHWM): measured after a 10,000-row import, after 100,000 rows and after 300,000, it shows
whether memory grows with the file. The worker's CPU time per row and how busy the worker was
are printed too: on a shared machine the wall clock depends on what else runs, the CPU time does
not.
"""

from __future__ import annotations

import csv
import datetime
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .registry import Row

ROWS = int(os.environ.get("BENCH_HOTLINE_ROWS", "100000"))
SMALL = 10000
QUEUE = "bench-hotline"
BIG = 300000
CSV_TARGET = 10000.0
XLSX_TARGET = 6000.0
MEMORY_LIMIT_MB = 200
HEADERS = ["工单编号", "受理时间", "诉求标题", "事项分类一级", "事项分类二级", "事项分类三级", "事项分类四级",
           "市民诉求", "承办单位", "诉求人", "联系电话", "办件状态", "承诺完成时间"]  # fmt: skip
UNITS = ["杜阮镇人民政府", "白沙街道办事处", "棠下镇人民政府", "荷塘镇人民政府", "环市街道办事处", "潮连街道办事处", ""]
MATTERS = [
    ("投诉", "城市管理", "市容环境", "占道经营", "商户占用人行道摆卖，影响通行"),
    ("举报", "城乡建设", "违法建设", "违建", "有人在天面加建铁皮房"),
    ("咨询", "政务服务", "办事指南", "证照", "咨询临时占道许可如何办理"),
    ("求助", "市政设施", "照明", "路灯", "路灯损坏夜间无照明"),
    ("投诉", "生态环境", "噪声污染", "建筑施工噪声", "工地夜间施工噪音扰民"),
]


def _rows(count: int, offset: int):
    start = datetime.datetime(2026, 3, 2, 8, 0)
    for n in range(offset, offset + count):
        kind, c2, c3, c4, matter = MATTERS[n % len(MATTERS)]
        unit = UNITS[n % len(UNITS)]
        village = ["杜阮镇龙榜村", "棠下镇良溪村", "荷塘镇塔岗村", "白沙街道"][n % 4]
        yield [
            f"0826{n:015d}",
            # The offset moves the numbers only: every file's orders are received within the year.
            (start + datetime.timedelta(minutes=n - offset)).strftime("%Y-%m-%d %H:%M"),
            f"[粤省心]（蓬江）反映{matter[:8]}",
            kind,
            c2,
            c3,
            c4,
            f"地址：江门市蓬江区{village}{n % 500}号。_x000D_\n事项：{matter}，编号{n}。\n备注：请尽快处理。",
            unit,
            "李女士",
            "138****5678",
            "待签收",
            "",
        ]


def _csv(path: Path, count: int, offset: int = 0) -> Path:
    with path.open("w", encoding="gb18030", newline="") as handle:  # as Chinese Excel saves CSV
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(_rows(count, offset))
    return path


def _xlsx(path: Path, count: int, offset: int = 0) -> Path:
    from pengjiang_enforcement.tabular import write_xlsx

    write_xlsx(path, HEADERS, _rows(count, offset))
    return path


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_cpu_seconds() -> float:
    """User + system CPU time every PostgreSQL process on the machine has used so far.

    The import's work is split between the worker and the database server (COPY, index upkeep,
    the upsert, triggers): the two together are what the machine's cores must do per row.
    Whatever else uses the database at the time is counted too: run the bench alone.
    """
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended meanwhile
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name == "postgres" or name.startswith("postgres:"):
            # Its own time, and that of its children that ended (a connection's server process
            # ends with the connection; the server's main process collects its time).
            fields = text.rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def _peak_rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, in MB (Linux /proc)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


class Worker:
    """A Celery worker subprocess on the bench database, consuming only the bench's queue."""

    def __init__(self) -> None:
        env = dict(os.environ)
        # The worker runs as in production: with DEBUG on, Django keeps the text of every query
        # (thousands of ids per batch) for the process's life, and memory would follow the files.
        # Its keys are its own; the scratch database's audit trail is not verified.
        env.update(DEBUG="0", ALLOWED_HOSTS="127.0.0.1")
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        env.setdefault("AUDIT_KEY", secrets.token_urlsafe(50))
        self.name = f"bench-{os.getpid()}"
        command = [sys.executable, "-m", "celery", "-A", "pengjiang_enforcement", "--quiet", "worker",
                   "-P", "solo", "-Q", QUEUE, "--without-heartbeat", "--without-gossip", "--without-mingle",
                   "-l", "WARNING", "-n", self.name]  # fmt: skip
        self.process = subprocess.Popen(command, env=env)  # inherits the scratch DATABASE_URL
        from pengjiang_enforcement.celery import app

        app.conf.task_default_queue = QUEUE  # what the services queue goes to the bench worker
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the bench worker exited")
            if app.control.ping(destination=[f"celery@{self.name}"], timeout=1):
                return
        raise RuntimeError("the bench worker did not answer")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _wait(job, statuses: set[str], timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return
        if job.status == "failed":
            raise RuntimeError(f"import {job.pk} failed: {job.error_message}")
        time.sleep(0.2)
    raise TimeoutError(f"import {job.pk} is still {job.status}")


def _import(actor, path: Path) -> tuple[float, float, object]:
    """Upload through the service, wait for the preview, confirm, wait for the end."""
    from django.core.files import File

    from cases.hotline import importing

    started = time.perf_counter()
    with path.open("rb") as handle:
        upload = File(handle, name=path.name)
        upload.size = path.stat().st_size
        job = importing.import_upload(actor=actor, file=upload)
    _wait(job, {"previewed"})
    previewed = time.perf_counter()
    importing.import_confirm(job=job, actor=actor)
    _wait(job, {"done"})
    return previewed - started, time.perf_counter() - previewed, job


def _copy_floor(path: Path) -> float:
    """Seconds a plain ``COPY`` of the same CSV into a table of text columns takes: the floor no
    import that checks, parses and indexes its rows can go under."""
    from django.db import connection

    with connection.cursor() as cursor:
        columns = ", ".join(f"c{n} text" for n in range(len(HEADERS)))
        cursor.execute(f"CREATE TEMPORARY TABLE bench_hotline_floor ({columns})")
        started = time.perf_counter()
        with path.open("rb") as handle:
            cursor.cursor.copy_expert(
                "COPY bench_hotline_floor FROM STDIN WITH (FORMAT csv, HEADER, ENCODING 'GB18030')", handle
            )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_hotline_floor")
    return elapsed


@dataclass
class Timed:
    read: float  # seconds from the upload to the preview
    apply: float  # seconds from the confirmation to done
    worker_cpu: float  # CPU seconds the worker used
    database_cpu: float  # CPU seconds the database server used
    job: object

    def rows(self, label: str, count: int) -> list[Row]:
        """Where the CPU went, per row, and the most this machine could do with it."""
        cores = os.cpu_count() or 1
        worker_us = 1e6 * self.worker_cpu / count
        database_us = 1e6 * self.database_cpu / count
        ceiling = count / ((self.worker_cpu + self.database_cpu) / cores)
        return [
            Row("hotline", f"  worker CPU per row ({label})", worker_us, "µs"),
            Row("hotline", f"  database CPU per row ({label})", database_us, "µs"),
            Row("hotline", f"  ceiling: rows/s with all {cores} cores busy on this work ({label})", ceiling, "rows/s"),
            Row("hotline", f"  cores busy, on average ({label})",
                (self.worker_cpu + self.database_cpu) / (self.read + self.apply), "cores"),
        ]  # fmt: skip


def _timed(worker: Worker, actor, path: Path) -> Timed:
    worker_before, database_before = _cpu_seconds(worker.process.pid), _database_cpu_seconds()
    read, apply, job = _import(actor, path)
    return Timed(read, apply, _cpu_seconds(worker.process.pid) - worker_before,
                 _database_cpu_seconds() - database_before, job)  # fmt: skip


def run() -> list[Row]:
    from pengjiang_enforcement.choices import Role
    from pengjiang_enforcement.models import Unit
    from pengjiang_enforcement.services import user_create

    actor = user_create(
        actor=None, username="bench_hotline", full_name="基准", unit=Unit.objects.get(code="pengjiang"),
        roles=(Role.DISTRICT_ADMIN,), password="bench-password-2026",
    )  # fmt: skip
    rows: list[Row] = []
    worker = Worker()
    try:
        with tempfile.TemporaryDirectory() as folder:
            folder_path = Path(folder)
            _import(actor, _csv(folder_path / "warm.csv", SMALL, offset=10_000_000))
            _rss, small_peak = _peak_rss_mb(worker.process.pid)

            path = _csv(folder_path / "export.csv", ROWS)
            floor = ROWS / _copy_floor(path)
            timed = _timed(worker, actor, path)
            read, apply, job = timed.read, timed.apply, timed.job
            _rss, peak = _peak_rss_mb(worker.process.pid)
            total = read + apply
            rows += [
                Row("hotline", f"floor: plain COPY of the same {ROWS:,}-row CSV", floor, "rows/s"),
                Row("hotline", f"read {ROWS:,} CSV rows (GB18030) to a preview", ROWS / read, "rows/s"),
                Row("hotline", f"apply {ROWS:,} rows (upsert, audit row per order)", ROWS / apply, "rows/s"),
                Row("hotline", f"import {ROWS:,} rows, upload to done (CSV)", ROWS / total, "rows/s",
                    f">= {CSV_TARGET:,.0f}", failed=ROWS / total < CSV_TARGET or job.result.get("created") != ROWS),
                Row("hotline", "  the floor is this many times faster", floor / (ROWS / total), "x"),
                # Other work on the machine slows the wall clock; the CPU time per row does not move.
                *timed.rows("CSV", ROWS),
                Row("hotline", f"worker peak RSS after {SMALL:,} rows", small_peak, "MB"),
                Row("hotline", f"worker peak RSS after {ROWS:,} rows", peak, "MB",
                    f"<= {MEMORY_LIMIT_MB} and flat (+< 64)",
                    failed=peak > MEMORY_LIMIT_MB or peak - small_peak > 64),
            ]  # fmt: skip

            timed = _timed(worker, actor, folder_path / "export.csv")
            read, apply, job = timed.read, timed.apply, timed.job
            rows.append(Row("hotline", "re-import of the same file (all unchanged)", ROWS / (read + apply), "rows/s",
                            "nothing created", failed=job.result.get("unchanged") != ROWS))  # fmt: skip

            xlsx_rows = int(os.environ.get("BENCH_HOTLINE_XLSX_ROWS", str(ROWS)))
            if xlsx_rows:
                path = _xlsx(folder_path / "export.xlsx", xlsx_rows, offset=20_000_000)
                timed = _timed(worker, actor, path)
                read, apply, job = timed.read, timed.apply, timed.job
                rate = xlsx_rows / (read + apply)
                _rss, xlsx_peak = _peak_rss_mb(worker.process.pid)
                rows += [
                    Row("hotline", f"read {xlsx_rows:,} XLSX rows to a preview", xlsx_rows / read, "rows/s"),
                    Row("hotline", f"import {xlsx_rows:,} rows, upload to done (XLSX)", rate, "rows/s",
                        f">= {XLSX_TARGET:,.0f}", failed=rate < XLSX_TARGET or job.result.get("created") != xlsx_rows),
                    *timed.rows("XLSX", xlsx_rows),
                    Row("hotline", f"worker peak RSS after {xlsx_rows:,} XLSX rows", xlsx_peak, "MB",
                        f"<= {MEMORY_LIMIT_MB}", failed=xlsx_peak > MEMORY_LIMIT_MB),
                ]  # fmt: skip

            big = int(os.environ.get("BENCH_HOTLINE_BIG_ROWS", str(BIG)))
            if big:
                # Memory must not follow the file: a file three times larger, same peak.
                path = _csv(folder_path / "big.csv", big, offset=30_000_000)
                timed = _timed(worker, actor, path)
                read, apply, job = timed.read, timed.apply, timed.job
                _rss, big_peak = _peak_rss_mb(worker.process.pid)
                rows += [
                    Row("hotline", f"import {big:,} rows, upload to done (CSV)", big / (read + apply), "rows/s"),
                    Row("hotline", f"worker peak RSS after {big:,} rows", big_peak, "MB",
                        f"<= {MEMORY_LIMIT_MB} and flat (+< 64)",
                        failed=big_peak > MEMORY_LIMIT_MB or big_peak - small_peak > 64),
                ]  # fmt: skip
    finally:
        worker.stop()
        _remove_uploads()
    return rows


def _remove_uploads() -> None:
    from cases.hotline.models import HotlineImport

    for job in HotlineImport.objects.exclude(file=""):
        job.file.delete(save=False)
