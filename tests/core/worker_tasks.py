"""Tasks that exist only for the worker tests (the test worker loads them with --include)."""

import os
import signal

import redis
from celery import shared_task


@shared_task(name="tests.kill_own_worker")
def kill_own_worker() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@shared_task(name="tests.mark_done")
def mark_done(redis_url: str, key: str) -> None:
    redis.Redis.from_url(redis_url).set(key, "done", ex=300)


@shared_task(name="tests.retry_once", bind=True, max_retries=3)
def retry_once(self, redis_url: str, key: str, countdown: float) -> None:  # type: ignore[no-untyped-def]
    """Fails the first time, asking to be retried after `countdown`; records both times."""
    import time

    client = redis.Redis.from_url(redis_url)
    client.rpush(key, f"{time.time():.3f}")
    client.expire(key, 300)
    if self.request.retries == 0:
        raise self.retry(countdown=countdown)


@shared_task(name="tests.backend_pid")
def backend_pid(redis_url: str, key: str) -> None:
    """Records which PostgreSQL session ran the task."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    client = redis.Redis.from_url(redis_url)
    client.rpush(key, pid)
    client.expire(key, 300)
