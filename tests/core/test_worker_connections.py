"""A worker keeps its database session between tasks as a web process does between requests
(CONN_MAX_AGE, CONN_HEALTH_CHECKS), instead of Celery's default of one session per task."""

import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.core.worker import celery_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.xdist_group("worker")]


def _run(queue: str, key: str, count: int) -> list[int]:
    from tests.core import worker_tasks

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    start = client.llen(key)
    for _ in range(count):
        worker_tasks.backend_pid.apply_async(args=[settings.CELERY_BROKER_URL, key], queue=queue)
    wait_for(lambda: client.llen(key) == start + count, timeout=60)
    return [int(pid) for pid in client.lrange(key, start, -1)]


@pytest.mark.django_db(transaction=True)
def test_tasks_share_one_session_and_a_dead_one_is_replaced(broker):
    key = f"pids-{uuid.uuid4().hex}"
    with celery_worker(extra_env={"DJANGO_CONN_MAX_AGE": "60"}) as (_proc, queue):
        pids = _run(queue, key, 12)
        assert len(set(pids)) == 1, pids
        with connection.cursor() as cursor:  # the database ends that session
            cursor.execute("SELECT pg_terminate_backend(%s)", [pids[0]])
        after = _run(queue, key, 3)
    assert pids[0] not in after and len(set(after)) == 1, after


@pytest.mark.django_db(transaction=True)
def test_conn_max_age_zero_still_means_a_session_per_task(broker):
    key = f"pids-{uuid.uuid4().hex}"
    with celery_worker(extra_env={"DJANGO_CONN_MAX_AGE": "0"}) as (_proc, queue):
        pids = _run(queue, key, 4)
    assert len(set(pids)) == 4, pids
