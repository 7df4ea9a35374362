"""A real Celery worker process on Redis, sharing the test database."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app


def database_url() -> str:
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]
    user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{db.get('PORT') or 5432}/{name}"


@contextmanager
def celery_worker(
    *,
    concurrency: int = 1,
    extra_env: dict[str, str] | None = None,
    queues: list[str] | None = None,
    queue: str | None = None,
    keep_queue: bool = False,
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start `celery worker` on a queue of its own (and ``queues``, e.g. the default queue a
    beat job sends to); yield (process, queue); stop it after."""
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_CELERY_BROKER_URL": celery_app.conf.broker_url,
        # as in production: what a task enqueues goes to the broker, never runs inline
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            ",".join([queue, *(queues or [])]),
            "--concurrency",
            str(concurrency),
            "--include",
            "tests.core.worker_tasks",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{queue}@%h",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield proc, queue
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if not keep_queue:
            with celery_app.connection_for_write() as conn:
                conn.default_channel.queue_delete(queue)


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
