"""How every task is configured (no broker needed to check it)."""

from django.conf import settings

from config.celery import app as celery_app


def test_every_retry_delay_stays_below_the_visibility_timeout():
    from celery import Task

    visibility = settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    assert visibility > settings.CELERY_MAX_RETRY_DELAY
    celery_app.loader.import_default_modules()
    tasks = [t for name, t in celery_app.tasks.items() if not name.startswith("celery.")]
    assert tasks, "no project tasks registered"
    for task in tasks:
        assert isinstance(task, Task)
        assert task.acks_late and task.reject_on_worker_lost, task.name
        backoff_max = getattr(task, "retry_backoff_max", 0) or 0
        assert backoff_max < visibility, task.name
        assert (task.default_retry_delay or 0) < visibility, task.name
