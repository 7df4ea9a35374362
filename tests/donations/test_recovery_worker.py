"""A real worker is killed (SIGKILL, the whole worker) while it books a paid gift.

On RabbitMQ the broker puts the unacknowledged message back at once: the next worker books
the gift within seconds. On Redis the message waits for its visibility timeout (an hour);
meanwhile the donor sees "waiting for payment" and presses Pay now: the gift must be booked
from Stripe's own record, not paid a second time, and later the sweep finishes the event and
books nothing more.
"""

import contextlib
import os
import signal
import subprocess
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from charity.models import LedgerLeg
from charity.selectors import fund_general
from config.celery import app as celery_app
from donations import tasks
from donations.models import CheckoutSession, Donation, Pledge, StripeEvent
from donations.services import pledges, stripe_events
from tests.accounts import factories as f
from tests.core.worker import celery_worker, wait_for
from tests.donations import stripe_harness as h

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.cjk_pdf,
    pytest.mark.xdist_group("worker"),
]


def _kill_worker(proc: subprocess.Popen) -> None:
    children = subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for pid in [proc.pid, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_gift_whose_worker_was_killed_is_booked_once_and_never_charged_twice(
    broker,
    client,
    stripe_world,
    localstripe_url,
    tmp_path,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    org = f.organisation()
    pledge = pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=False,
        amount=Decimal("500"),
    )
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    with django_capture_on_commit_callbacks(execute=False):  # we hand the event to our worker
        assert h.deliver(client, h.event("checkout.session.completed", session)).status_code == 200
    event = StripeEvent.objects.get()
    slow = h.SlowStripe(localstripe_url, delay=4.0)
    env = {
        "STRIPE_SECRET_KEY": h.API_KEY,
        "STRIPE_WEBHOOK_SECRET": h.WEBHOOK_SECRET,
        "STRIPE_API_BASE": slow.url,
        "WISHPOOL_PRIVATE_MEDIA_ROOT": settings.PRIVATE_MEDIA_ROOT,
    }
    try:
        with celery_worker(extra_env=env, keep_queue=True) as (proc, queue):
            tasks.process_stripe_event.apply_async(args=[event.pk], queue=queue)
            if not slow.seen.wait(60):
                proc.terminate()
                pytest.fail("the worker never asked Stripe:\n" + proc.communicate()[0][-4000:])
            _kill_worker(proc)  # mid-event: the message is not acknowledged
    finally:
        slow.close()
    event.refresh_from_db()
    checkout.refresh_from_db()
    pledge.refresh_from_db()
    assert not Donation.objects.exists()
    assert checkout.status == CheckoutSession.Status.OPEN and pledge.status == Pledge.Status.PENDING
    env["STRIPE_API_BASE"] = localstripe_url

    if broker == "rabbitmq":
        # the broker hands the message to the next worker at once
        started = time.monotonic()
        with celery_worker(extra_env=env, queue=queue) as (_proc, _queue):
            wait_for(lambda: Donation.objects.exists(), timeout=60)
        assert time.monotonic() - started < 30
        checkout.refresh_from_db()
        assert checkout.status == CheckoutSession.Status.COMPLETE
    else:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)  # the stuck message would wait an hour
        # the donor presses Pay now: Stripe is asked about the earlier session, which was paid
        client.force_login(pledge.created_by)
        sessions = len(stripe_world.boundary.sessions)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("donations:pledge_pay", args=[pledge.pk]))
        assert len(stripe_world.boundary.sessions) == sessions
        assert Donation.objects.get().stripe_payment_intent == intent["id"]
        # later, a worker and the sweep finish the event: nothing more is booked
        StripeEvent.objects.filter(pk=event.pk).update(
            received_at=timezone.now() - timedelta(minutes=6)
        )
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("default")
        with celery_worker(extra_env=env, queues=["default"]) as (_proc, _queue):
            assert stripe_events.events_sweep() == 1
            wait_for(
                lambda: StripeEvent.objects.get(pk=event.pk).status == StripeEvent.Status.PROCESSED,
                timeout=60,
            )
    assert Donation.objects.get().stripe_payment_intent == intent["id"]
    assert sum(LedgerLeg.objects.values_list("amount", flat=True)) == 0
