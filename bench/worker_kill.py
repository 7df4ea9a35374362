"""A worker killed with SIGKILL while it books a paid gift: how long until another worker has
booked the gift and written its receipt PDF, on RabbitMQ and on Redis, side by side.

Run from the project root: .venv/bin/python -m bench.worker_kill
"""

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench import common as c

DB_NAME = "wishpool_bench_kill"
BROKERS = {
    "RabbitMQ": "amqp://guest:guest@127.0.0.1:5672//",
    "Redis": c.BROKER_URL,  # DB 14, the bench's own
}
ROUNDS = 3
WAIT_CAP = 120.0  # seconds; Redis would wait for its visibility timeout (an hour)


def _use_broker(url: str) -> None:
    from config.celery import app
    from config.settings.base import broker_transport_options

    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    os.environ.pop("CELERY_BROKER_URL", None)
    app.conf.broker_url = url
    app.conf.broker_transport_options = broker_transport_options(url)
    app._pool = None
    app.amqp._producer_pool = None


def _purge(queues: list[str]) -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        for queue in queues:
            with contextlib.suppress(Exception):  # a queue not declared yet holds nothing
                conn.default_channel.queue_purge(queue)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _paid_gift(stripe) -> int:  # type: ignore[no-untyped-def]
    """A pledge paid at Stripe (localstripe) and its payment_intent.succeeded event, stored."""
    from charity.selectors import fund_general
    from donations.services import pledges
    from tests.accounts import factories as f
    from tests.donations import stripe_harness as h

    org = f.organisation()
    pledge = pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=False,
        amount=Decimal("500"),
    )
    intent = stripe.pay(amount_minor=50000, metadata={"pledge_id": str(pledge.pk)})
    from donations.models import StripeEvent

    # stored as the webhook view would, but not queued: the round queues it to its worker
    event = StripeEvent.objects.create(
        stripe_id=f"evt_bench_{intent['id']}",
        type="payment_intent.succeeded",
        payload=h.event("payment_intent.succeeded", intent),
    )
    return int(event.pk)


def _round(name: str, url: str, env: dict[str, str], stripe, tmp: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from core.files import private_exists
    from donations import tasks
    from donations.models import Donation, Receipt, StripeEvent
    from donations.services.receipts import receipt_name
    from tests.donations import stripe_harness as h

    _use_broker(url)
    _purge(["default", "pdf"])
    event_id = _paid_gift(stripe)
    slow = h.SlowStripe(stripe.base, delay=3.0)
    worker_env = {
        **env,
        "CELERY_BROKER_URL": url,
        "TEST_CELERY_BROKER_URL": url,
        "STRIPE_API_BASE": slow.url,
    }
    log = tmp / f"{name}-a.log"
    first = c.celery_worker("default,pdf", env=worker_env, log=log, concurrency=1)
    try:
        tasks.process_stripe_event.apply_async(args=[event_id])
        if not slow.seen.wait(60):
            raise RuntimeError(f"{name}: the worker never asked Stripe\n{c.tail(log)}")
        _kill_group(first)  # SIGKILL, mid-event: the message is not acknowledged
    finally:
        slow.close()
        c.stop(first)
    killed_at = time.monotonic()
    worker_env["STRIPE_API_BASE"] = stripe.base
    second = c.celery_worker("default,pdf", env=worker_env, log=tmp / f"{name}-b.log")
    booked = pdf = float("inf")
    try:
        deadline = killed_at + WAIT_CAP
        while time.monotonic() < deadline:
            event = StripeEvent.objects.get(pk=event_id)
            donation = Donation.objects.filter(
                stripe_payment_intent=event.payload["data"]["object"]["id"]
            ).first()
            if donation is not None and booked == float("inf"):
                booked = time.monotonic() - killed_at
            if donation is not None:
                receipt = Receipt.objects.filter(donation=donation).first()
                if receipt and receipt.pdf_rendered_at and private_exists(receipt_name(receipt)):
                    pdf = time.monotonic() - killed_at
                    break
            time.sleep(0.1)
    finally:
        c.stop(second)
    return {"booked": booked, "pdf": pdf}


def main() -> None:
    from tests.donations import stripe_harness as h

    tmp = Path(tempfile.mkdtemp(prefix="wishpool-bench-kill-"))
    private = tmp / "private"
    env = c.bench_env(db_name=DB_NAME, private_root=private)
    localstripe = None
    print(f"load at start: {c.load()}", flush=True)
    try:
        c.db_create(DB_NAME)
        c.migrate(env)
        c.redis_flush()
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings

        from config.celery import app

        app.conf.task_always_eager = False
        localstripe, base = h.start_localstripe()
        settings.STRIPE_SECRET_KEY = h.API_KEY
        settings.STRIPE_API_BASE = base
        env.update(STRIPE_SECRET_KEY=h.API_KEY, STRIPE_WEBHOOK_SECRET=h.WEBHOOK_SECRET)
        stripe = h.Stripe(base, h.CheckoutBoundary())
        results: dict[str, list[dict[str, float]]] = {name: [] for name in BROKERS}
        for _ in range(ROUNDS):
            for name, url in BROKERS.items():
                results[name].append(_round(name, url, env, stripe, tmp))
        print(
            "\nWorker killed (SIGKILL) mid-event; seconds from the kill until another worker has "
            f"booked the gift / written its receipt PDF ({ROUNDS} rounds, cap {WAIT_CAP:.0f} s):"
        )
        for name, rounds in results.items():
            figures = ", ".join(
                f"{r['booked']:.1f} / {r['pdf']:.1f}"
                if r["pdf"] != float("inf")
                else f"not within {WAIT_CAP:.0f} s"
                for r in rounds
            )
            c.line(name, figures)
        print(
            "  (Redis hands an unacknowledged message out again only after its visibility "
            f"timeout, {settings.CELERY_BROKER_VISIBILITY_TIMEOUT} s.)"
        )
    finally:
        c.django_close()
        if localstripe is not None:
            localstripe.terminate()
        _use_broker(BROKERS["RabbitMQ"])
        _purge(["default", "pdf"])
        c.redis_flush()
        c.db_drop(DB_NAME)
        print(f"load at end: {c.load()}", flush=True)


if __name__ == "__main__":
    main()
