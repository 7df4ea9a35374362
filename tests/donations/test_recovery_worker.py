"""A real worker on Redis is killed (SIGKILL, the whole worker) while it books a paid gift.

Redis hands the unacknowledged message out again only after its visibility timeout (an
hour). Meanwhile the donor sees "waiting for payment" and presses Pay now: the gift must be
booked from Stripe's own record, not paid a second time; later the sweep finishes the event
and books nothing more.
"""

import contextlib
import os
import signal
import subprocess
import threading
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


class SlowStripe:
    """A proxy in front of localstripe that holds every request for a while, so a worker can
    be killed while it waits on Stripe."""

    def __init__(self, target: str, delay: float) -> None:
        self.target, self.delay = target, delay
        self.seen = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                proxy.seen.set()
                time.sleep(proxy.delay)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                request = urllib.request.Request(
                    proxy.target + self.path,
                    data=body,
                    method=self.command,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, data, headers = response.status, response.read(), response.headers
                except urllib.error.HTTPError as error:
                    status, data, headers = error.code, error.read(), error.headers
                self.send_response(status)
                self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def real_broker():  # type: ignore[no-untyped-def]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("default")
    yield
    celery_app.conf.task_always_eager = eager


def _kill_worker(proc: subprocess.Popen) -> None:
    children = subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for pid in [proc.pid, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_gift_whose_worker_was_killed_is_booked_by_pay_now_and_never_charged_twice(
    real_broker,
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
    slow = SlowStripe(localstripe_url, delay=4.0)
    env = {
        "STRIPE_SECRET_KEY": h.API_KEY,
        "STRIPE_WEBHOOK_SECRET": h.WEBHOOK_SECRET,
        "STRIPE_API_BASE": slow.url,
        "WISHPOOL_PRIVATE_MEDIA_ROOT": settings.PRIVATE_MEDIA_ROOT,
    }
    try:
        with celery_worker(extra_env=env) as (proc, queue):
            tasks.process_stripe_event.apply_async(args=[event.pk], queue=queue)
            if not slow.seen.wait(60):
                proc.terminate()
                pytest.fail("the worker never asked Stripe:\n" + proc.communicate()[0][-4000:])
            _kill_worker(proc)  # mid-event: the message stays unacknowledged in Redis
    finally:
        slow.close()
    event.refresh_from_db()
    checkout.refresh_from_db()
    pledge.refresh_from_db()
    assert event.status == StripeEvent.Status.RECEIVED and not Donation.objects.exists()
    assert checkout.status == CheckoutSession.Status.OPEN and pledge.status == Pledge.Status.PENDING

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
    env["STRIPE_API_BASE"] = localstripe_url
    with celery_worker(extra_env=env, queues=["default"]) as (_proc, _queue):
        assert stripe_events.events_sweep() == 1
        wait_for(
            lambda: StripeEvent.objects.get(pk=event.pk).status == StripeEvent.Status.PROCESSED,
            timeout=60,
        )
    assert Donation.objects.count() == 1
    assert sum(LedgerLeg.objects.values_list("amount", flat=True)) == 0
