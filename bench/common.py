"""What every benchmark needs: its own PostgreSQL database, Redis DB 14, processes it starts
and stops itself, and Django set up on config.settings.test against that database."""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import redis

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = BASE_DIR / ".venv" / "bin"
PERF_DIR = Path(
    os.environ.get(
        "WISHPOOL_PERF_DIR", str(Path(__file__).resolve().parent.parent.parent / "shared" / "perf")
    )
)
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
BROKER_URL = "redis://127.0.0.1:6379/14"
FALLBACK_RECEIPTS_DIR = BASE_DIR / "var" / "test-private" / "receipts"


# --- database ------------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def db_create(name: str) -> None:
    if not re.fullmatch(r"wishpool_bench\w*", name):
        raise ValueError(f"refusing to manage database {name!r}: not a bench database")
    db_drop(name)
    _admin(f'CREATE DATABASE "{name}"')


def db_drop(name: str) -> None:
    if not re.fullmatch(r"wishpool_bench\w*", name):
        raise ValueError(f"refusing to drop database {name!r}: not a bench database")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def redis_flush() -> None:
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def redis_queue_length(queue: str) -> int:
    client = redis.Redis.from_url(BROKER_URL)
    try:
        return int(client.llen(queue))  # type: ignore[arg-type]
    finally:
        client.close()


# --- environment and Django ----------------------------------------------------------------


def bench_env(*, db_name: str, private_root: Path, **extra: str) -> dict[str, str]:
    """The environment for this process, migrate, workers and gunicorn alike."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(db_name),
        "CELERY_BROKER_URL": BROKER_URL,
        "TEST_CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WISHPOOL_PRIVATE_MEDIA_ROOT": str(private_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        # as in production (config/settings/base.py keeps a connection 60 s; the test
        # settings close it after every request or task, a new PostgreSQL backend each time)
        "DJANGO_CONN_MAX_AGE": "60",
        # as in production (config/settings/test.py turns the keeping of counts off)
        "WISHPOOL_BOARD_COUNT_SECONDS": "600",
        "WISHPOOL_FIGURES_SECONDS": "600",
        "WISHPOOL_STATIONS_SECONDS": "3600",
        **extra,
    }


class SettingsReport:
    """What config.settings.test made of the environment we passed."""

    def __init__(self, *, private_root: Path) -> None:
        from django.conf import settings

        self.private_root_honoured = Path(settings.PRIVATE_MEDIA_ROOT) == private_root
        asked = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "false").lower() == "true"
        self.eager_honoured = settings.CELERY_TASK_ALWAYS_EAGER is asked
        self.broker = settings.CELERY_BROKER_URL

    def notes(self) -> list[str]:
        notes = []
        if not self.private_root_honoured:
            notes.append(
                "NEEDED CHANGE: config/settings/test.py sets PRIVATE_MEDIA_ROOT without reading "
                "WISHPOOL_PRIVATE_MEDIA_ROOT; PDFs go to var/test-private/receipts, which this "
                "run removes at the end."
            )
        if not self.eager_honoured:
            notes.append(
                "NEEDED CHANGE: config/settings/test.py does not follow CELERY_TASK_ALWAYS_EAGER "
                "from the environment; tasks run where this bench did not ask them to."
            )
        return notes


def django_setup(env: dict[str, str], *, private_root: Path) -> SettingsReport:
    os.environ.update(env)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from config.celery import app

    # The bench process sends to Redis like a web process would.
    app.conf.task_always_eager = False
    report = SettingsReport(private_root=private_root)
    if report.broker != BROKER_URL:
        raise RuntimeError(f"broker is {report.broker}, not the bench's {BROKER_URL}")
    for note in report.notes():
        print(note, flush=True)
    return report


def django_close() -> None:
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()


def fallback_cleanup(report: SettingsReport | None) -> None:
    if report is not None and not report.private_root_honoured:
        shutil.rmtree(FALLBACK_RECEIPTS_DIR, ignore_errors=True)


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    args: list[str], *, env: dict[str, str], log: Path, cwd: Path = BASE_DIR
) -> subprocess.Popen[bytes]:
    """Start a process in a session of its own (so its children can be stopped with it)."""
    handle = log.open("wb")
    try:
        return subprocess.Popen(
            args, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        handle.close()


def stop(proc: subprocess.Popen[bytes] | None, *, timeout: float = 30) -> None:
    """SIGTERM (warm shutdown for celery, graceful for gunicorn), then SIGKILL its group."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def celery_worker(
    queue: str, *, env: dict[str, str], log: Path, concurrency: int = 2
) -> subprocess.Popen[bytes]:
    return start(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            str(concurrency),
        ],
        env=env,
        log=log,
    )


def gunicorn(
    app: str, *, port: int, env: dict[str, str], log: Path, chdir: Path | None = None
) -> subprocess.Popen[bytes]:
    args = [str(VENV_BIN / "gunicorn")]
    if chdir is not None:
        args += ["--chdir", str(chdir)]
    args += [app, "-w", "2", "-b", f"127.0.0.1:{port}"]
    proc = start(args, env=env, log=log)
    wait_for(lambda: _answers(port), timeout=30, what=f"gunicorn on :{port}", proc=proc, log=log)
    return proc


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for(
    predicate: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    interval: float = 0.1,
    proc: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited ({proc.returncode})\n{tail(log)}")
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}\n{tail(log)}")


def tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# --- figures -------------------------------------------------------------------------------


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def steady_rate(stamps: list[Any]) -> float | None:
    """Items per second between the first and the last completion timestamp."""
    stamps = sorted(stamps)
    if len(stamps) < 2:
        return None
    span = (stamps[-1] - stamps[0]).total_seconds()
    return (len(stamps) - 1) / span if span > 0 else None


def load() -> str:
    """The 1/5/15-minute load average: the machine may be shared, so say how busy it was."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


CPU_KINDS = (
    ("celery", "celery worker"),
    ("gunicorn", "gunicorn"),
    ("localstripe", "localstripe"),
    ("postgres", "postgres"),
    ("redis-server", "redis"),
)


def cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) so far of every process of the kinds above, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # its own time and that of its children that ended (a PostgreSQL backend that
        # closed, a pool process that was replaced)
        seconds = sum(int(value) for value in fields[11:15]) / tick
        for needle, kind in CPU_KINDS:
            if needle in cmdline or stat.split("(", 1)[1].startswith(needle):
                found[int(entry.name)] = (kind, seconds)
                break
    return found


def cpu_split(before: dict[int, tuple[str, float]], units: int) -> list[tuple[str, float]]:
    """CPU milliseconds per unit of work by process kind since ``before`` (a process started
    since then counts from zero)."""
    totals: dict[str, float] = {}
    for pid, (kind, seconds) in cpu_seconds().items():
        spent = seconds - before.get(pid, (kind, 0.0))[1]
        totals[kind] = totals.get(kind, 0.0) + spent
    return sorted(((k, v * 1000 / units) for k, v in totals.items()), key=lambda kv: -kv[1])


def line(label: str, value: str) -> None:
    print(f"  {label:<46} {value}", flush=True)
