"""The Celery app. Tasks are discovered per app; PDF work has its own queue.

Every task is acknowledged late and requeued if its worker dies, so a crash never
loses work. Requeueing has no limit of its own, so core.tasks.GuardedTask counts
deliveries and sets a message aside after CELERY_MAX_DELIVERIES.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

PDF_TASKS = ("donations.tasks.render_receipt",)

app = Celery("wishpool", task_cls="core.tasks:GuardedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="default",
    # PDF work has its own workers; each PDF task is named here, so a new task never lands
    # on the PDF queue by the accident of its name.
    task_routes={name: {"queue": "pdf"} for name in PDF_TASKS},
    broker_connection_retry_on_startup=True,
    timezone="Asia/Shanghai",
    beat_schedule={
        "wishes-lapse-claims": {"task": "wishes.tasks.lapse_claims", "schedule": 15 * 60},
        "wishes-remind-claims": {"task": "wishes.tasks.remind_claims", "schedule": 60 * 60},
        "wishes-release-holds": {"task": "wishes.tasks.release_expired_holds", "schedule": 5 * 60},
        "stripe-sweep-events": {"task": "donations.tasks.sweep_stripe_events", "schedule": 5 * 60},
        "pledges-expire-stale": {
            "task": "donations.tasks.expire_stale_pledges",
            "schedule": 15 * 60,
        },
        "stripe-reconcile-payments": {
            "task": "donations.tasks.reconcile_stripe_payments",
            "schedule": crontab(hour=3, minute=17),
        },
    },
)


app.autodiscover_tasks()
