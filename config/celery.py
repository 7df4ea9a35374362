"""The Celery app. Tasks are discovered per app; PDF work has its own queue.

Every task is acknowledged late and requeued if its worker dies, so a crash never loses
work. Requeueing has no limit of its own, so core.tasks.GuardedTask counts deliveries and
sets a message aside after CELERY_MAX_DELIVERIES. Queues are durable and messages
persistent, so a broker restart loses nothing either; on RabbitMQ every publish is
confirmed (CELERY_BROKER_TRANSPORT_OPTIONS).
"""

import os
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

PDF_TASKS = (
    "donations.tasks.render_receipt",
    "reports.tasks.make_statement",
    "reports.tasks.make_statements",
    "portal.tasks.make_annual_report_pdf",
)

app = Celery("wishpool", task_cls="core.tasks:GuardedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One message per worker process at a time: a long PDF never holds a second one back.
    worker_prefetch_multiplier=1,
    task_default_queue="default",
    task_queues=(
        Queue("default", Exchange("default", durable=True), routing_key="default", durable=True),
        Queue("pdf", Exchange("pdf", durable=True), routing_key="pdf", durable=True),
    ),
    task_default_delivery_mode="persistent",
    # PDF work has its own workers; each PDF task is named here, so a new task never lands
    # on the PDF queue by the accident of its name.
    task_routes={name: {"queue": "pdf", "routing_key": "pdf"} for name in PDF_TASKS},
    broker_connection_retry_on_startup=True,
    timezone="Asia/Shanghai",
    beat_schedule={
        "wishes-lapse-claims": {"task": "wishes.tasks.lapse_claims", "schedule": 15 * 60},
        "wishes-remind-claims": {"task": "wishes.tasks.remind_claims", "schedule": 60 * 60},
        "wishes-release-holds": {"task": "wishes.tasks.release_expired_holds", "schedule": 5 * 60},
        "lending-expire-offers": {"task": "lending.tasks.expire_offers", "schedule": 10 * 60},
        "lending-remind-loans": {"task": "lending.tasks.remind_loans", "schedule": 60 * 60},
        "lending-lender-terms": {
            "task": "lending.tasks.lender_terms",
            "schedule": crontab(hour=7, minute=5),
        },
        "refunds-resend-stuck": {
            "task": "donations.tasks.resend_stuck_refunds",
            "schedule": 10 * 60,
        },
        "reports-monthly": {
            "task": "reports.tasks.make_monthly_report",
            "schedule": crontab(day_of_month=1, hour=6, minute=10),
        },
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

# Celery's Django fixup closes the database connection before and after every task unless
# CELERY_DB_REUSE_MAX is set: each receipt then opened a new PostgreSQL session (measured by
# bench.receipts, one per receipt, and the session's start cost more PostgreSQL CPU than the
# receipt's own queries). The fixup now closes only after many tasks; in between, connections
# live as in a web request: CONN_MAX_AGE and CONN_HEALTH_CHECKS decide, around every task.
app.conf.update(CELERY_DB_REUSE_MAX=500)


@task_prerun.connect
@task_postrun.connect
def _connections_tidy(task: Task | None = None, **_: Any) -> None:
    if task is not None and not task.request.is_eager:
        from django.db import close_old_connections

        close_old_connections()


app.autodiscover_tasks()
