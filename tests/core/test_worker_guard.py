"""The poison-message guard, with a real worker on Redis and the real database."""

import uuid

import pytest
import redis
from django.conf import settings

from config.celery import app as celery_app
from core.models import TaskQuarantine
from tests.core.worker import celery_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.xdist_group("worker")]


@pytest.fixture
def real_broker():
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


@pytest.mark.django_db(transaction=True)
def test_task_that_kills_its_worker_is_set_aside_and_the_worker_goes_on(real_broker):
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
