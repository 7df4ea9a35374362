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


def test_pdf_work_is_routed_by_name_and_nothing_else_is():
    """Only the tasks named in PDF_TASKS go to the PDF queue; a task that merely starts
    with render_ does not."""
    from config.celery import PDF_TASKS

    celery_app.loader.import_default_modules()
    router = celery_app.amqp.router
    for name in celery_app.tasks:
        if name.startswith("celery."):
            continue
        queue = router.route({}, name)["queue"].name
        assert queue == ("pdf" if name in PDF_TASKS else "default"), name
    assert router.route({}, "wishes.tasks.render_poster")["queue"].name == "default"
    assert set(PDF_TASKS) <= set(celery_app.tasks)
