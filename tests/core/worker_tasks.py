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
