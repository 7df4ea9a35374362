"""The webhook's outbox: answering stores the row; dispatchers claim stored events in batches.

A burst of events publishes one dispatcher, not one task per event; an event stored after a
dispatcher cleared its flag publishes another; two dispatchers never take the same event; a
dispatcher that dies leaves its batch to the sweep.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from charity.models import LedgerLeg
from charity.selectors import fund_general
from donations.models import Donation, Pledge, StripeEvent
from donations.services import pledges, stripe_events
from tests.accounts import factories as f
from tests.core.worker import celery_worker, wait_for
from tests.donations import stripe_harness as h

# the broker's queue "default" and the cache's flag are shared: one test of them at a time
pytestmark = pytest.mark.xdist_group("worker")

# The cache this process and the worker share, as in production: a Redis database of its own
# per broker, since a test's two broker variants may run at once in two xdist workers and the
# dispatch flag must be theirs alone.
CACHE_DBS = {"rabbitmq": 10, "redis": 11}


@pytest.fixture
def shared_cache(settings, broker):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    location = f"redis://127.0.0.1:6379/{CACHE_DBS[broker]}"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    }
    cache.clear()
    yield location
    cache.clear()


def _paid_events(stripe_world, count: int) -> list[dict]:  # type: ignore[no-untyped-def]
    """``count`` pledges, each paid by a PaymentIntent in localstripe; their events."""
    org = f.organisation()
    rep = org.memberships.get().user
    events = []
    for i in range(count):
        pledge = pledges.pledge_create(
            user=rep,
            organisation=org,
            kind="money",
            fund=fund_general(),
            show_name=True,
            amount=Decimal(20 + i),
        )
        intent = stripe_world.pay(
            amount_minor=(20 + i) * 100, metadata={"pledge_id": str(pledge.pk)}
        )
        events.append(h.event("payment_intent.succeeded", intent))
    return events


@pytest.fixture
def dispatchers():  # type: ignore[no-untyped-def]
    """How many dispatcher tasks this process publishes (Celery's own signal, sent as each
    message goes to the broker): counted here, not on the queue, which a worker of another
    test may be reading."""
    from celery.signals import before_task_publish

    sent: list[str] = []

    def count(sender: str, **kwargs: object) -> None:
        if sender == "donations.tasks.dispatch_stripe_events":
            sent.append(sender)

    before_task_publish.connect(count, weak=False)
    yield sent
    before_task_publish.disconnect(count)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_events_publishes_one_dispatcher_and_a_worker_books_them_all(
    broker, client, stripe_world, localstripe_url, shared_cache, settings, dispatchers
):
    events = _paid_events(stripe_world, 60)  # more than one batch
    for evt in events:
        assert h.deliver(client, evt).status_code == 200
    assert StripeEvent.objects.count() == 60
    assert len(dispatchers) == 1  # one dispatcher for the burst, not 60 tasks

    env = {
        "STRIPE_SECRET_KEY": h.API_KEY,
        "STRIPE_WEBHOOK_SECRET": h.WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe_url,
        "CACHE_URL": shared_cache,
        "WISHPOOL_PRIVATE_MEDIA_ROOT": settings.PRIVATE_MEDIA_ROOT,
    }
    with celery_worker(extra_env=env, queues=["default"], concurrency=2) as (proc, _queue):
        processed = StripeEvent.objects.filter(status=StripeEvent.Status.PROCESSED)
        try:
            wait_for(lambda: processed.count() == 60, timeout=120)
        except AssertionError:
            proc.terminate()
            raise AssertionError(proc.communicate()[0][-4000:]) from None
    assert Donation.objects.count() == 60
    assert Pledge.objects.filter(status=Pledge.Status.PAID).count() == 60
    assert Donation.objects.aggregate(t=Sum("amount"))["t"] == sum(
        Decimal(20 + i) for i in range(60)
    )
    assert sum(LedgerLeg.objects.values_list("amount", flat=True)) == 0


@pytest.mark.django_db(transaction=True)
def test_an_event_stored_after_the_dispatcher_cleared_its_flag_publishes_again(
    broker, client, shared_cache, settings, dispatchers
):
    settings.STRIPE_WEBHOOK_SECRET = h.WEBHOOK_SECRET
    other = [
        h.event("customer.updated", {"id": f"cus_{n}", "object": "customer"}) for n in range(4)
    ]
    assert h.deliver(client, other[0]).status_code == 200
    assert h.deliver(client, other[1]).status_code == 200
    assert len(dispatchers) == 1
    # a dispatcher runs (here, in this process): it clears the flag, then claims both
    assert stripe_events.events_dispatch() == 2
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"ignored"}
    assert h.deliver(client, other[2]).status_code == 200  # after the clearing: published
    assert h.deliver(client, other[3]).status_code == 200  # same burst: not again
    assert len(dispatchers) == 2


@pytest.mark.django_db(transaction=True)
def test_a_full_batch_publishes_a_second_dispatcher_to_help(
    broker, client, shared_cache, settings, dispatchers
):
    settings.STRIPE_WEBHOOK_SECRET = h.WEBHOOK_SECRET
    for n in range(3):
        evt = h.event("customer.updated", {"id": f"cus_{n}", "object": "customer"})
        assert h.deliver(client, evt).status_code == 200
    assert len(dispatchers) == 1  # the burst's own; its work is done here instead
    assert stripe_events.events_dispatch(batch=2) == 3
    assert len(dispatchers) == 2  # its first batch was full: a helper was published
    assert stripe_events.events_dispatch(batch=3) == 0  # the helper finds nothing left


@pytest.mark.django_db
def test_a_dispatcher_that_died_leaves_its_batch_to_the_sweep(
    client, stripe_world, django_capture_on_commit_callbacks
):
    events = _paid_events(stripe_world, 3)
    with django_capture_on_commit_callbacks(execute=False):  # no dispatcher runs yet
        for evt in events:
            assert h.deliver(client, evt).status_code == 200
    claimed = stripe_events._events_claim(limit=50)  # then the dispatcher died
    assert len(claimed) == 3
    assert stripe_events.events_dispatch() == 0  # the lease keeps others off
    assert not Donation.objects.exists()
    StripeEvent.objects.update(received_at=timezone.now() - timedelta(minutes=6))
    assert stripe_events.events_sweep() == 0  # the lease is not over yet
    StripeEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_events.events_sweep() == 3  # each on its own task
    assert Donation.objects.count() == 3
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_take_the_same_event():
    StripeEvent.objects.bulk_create(
        StripeEvent(stripe_id=f"evt_{n}", type="customer.updated", payload={"id": f"evt_{n}"})
        for n in range(200)
    )
    start = threading.Barrier(4)
    taken: list[list[int]] = []

    def dispatcher() -> None:
        try:
            start.wait()
            while ids := stripe_events._events_claim(limit=10):
                taken.append(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [event_id for batch in taken for event_id in batch]
    assert len(every) == 200 and len(set(every)) == 200
    assert not StripeEvent.objects.filter(next_attempt_at__isnull=True).exists()
