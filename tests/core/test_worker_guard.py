"""The poison-message guard, with a real worker on RabbitMQ and on Redis and the real database.

On RabbitMQ a message whose worker died is redelivered at once, so without the guard a task
that kills its worker would loop for ever; on Redis after the visibility timeout.
"""

import uuid

import pytest
import redis
from django.conf import settings

from core.models import TaskQuarantine
from tests.core.worker import celery_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.xdist_group("worker")]


@pytest.mark.django_db(transaction=True)
def test_task_that_kills_its_worker_is_set_aside_and_the_worker_goes_on(broker):
    from tests.core import worker_tasks

    key = f"done-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    with celery_worker() as (proc, queue):
        poison = worker_tasks.kill_own_worker.apply_async(queue=queue)
        record = wait_for(
            lambda: TaskQuarantine.objects.filter(task_id=poison.id).first(), timeout=90
        )
        assert record.task_name == "tests.kill_own_worker"
        assert record.deliveries == settings.CELERY_MAX_DELIVERIES + 1
        assert "worker died" in record.error
        worker_tasks.mark_done.apply_async(args=[settings.CELERY_BROKER_URL, key], queue=queue)
        wait_for(lambda: client.get(key) == b"done", timeout=30)
        assert proc.poll() is None, "the worker process itself must survive"


@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_its_countdown_then_runs(broker):
    """Countdowns work on both brokers: on RabbitMQ the worker holds the message, unacknowledged,
    until it is due (so every delay stays below the broker's consumer timeout)."""
    from tests.core import worker_tasks

    key = f"retry-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    with celery_worker() as (_proc, queue):
        worker_tasks.retry_once.apply_async(
            args=[settings.CELERY_BROKER_URL, key, 3.0], queue=queue
        )
        wait_for(lambda: client.llen(key) == 2, timeout=60)
    first, second = (float(t) for t in client.lrange(key, 0, -1))
    assert 3.0 <= second - first < 8.0, second - first
    assert settings.CELERY_MAX_RETRY_DELAY < 30 * 60  # RabbitMQ's consumer timeout
