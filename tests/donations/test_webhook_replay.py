"""1,000 signed events for 200 donations, shuffled, duplicated, some forged: one effect each."""

import json
import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from charity.models import LedgerLeg
from charity.selectors import fund_general
from donations.models import Donation, Pledge, Receipt, StripeEvent
from donations.services import pledges
from tests.accounts import factories as f
from tests.donations import stripe_harness as h

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EVENT_TYPES = [
    "checkout.session.completed",
    "payment_intent.succeeded",
    "payment_intent.created",
    "charge.succeeded",
    "checkout.session.async_payment_succeeded",
]


def test_replayed_shuffled_duplicated_events_make_each_donation_once(
    client, stripe_world, django_capture_on_commit_callbacks
):
    rng = random.Random(20261122)
    org = f.organisation()
    rep = org.memberships.get().user
    fund = fund_general()
    events = []
    for i in range(200):
        pledge = pledges.pledge_create(
            user=rep,
            organisation=org,
            kind="money",
            fund=fund,
            show_name=bool(i % 2),
            amount=Decimal(10 + i),
        )
        checkout = pledges.checkout_start(
            pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
        )
        session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
        for event_type in EVENT_TYPES:
            obj = session if event_type.startswith("checkout") else intent
            if event_type == "charge.succeeded":
                obj = {
                    "id": f"ch_for_{intent['id']}",
                    "object": "charge",
                    "payment_intent": intent["id"],
                }
            events.append(h.event(event_type, obj))
    assert len(events) == 1000
    deliveries = [evt for evt in events for _ in range(rng.randint(1, 3))]
    forged = [dict(rng.choice(events), id=f"evt_forged_{n}") for n in range(60)]
    rng.shuffle(deliveries)

    with django_capture_on_commit_callbacks() as processing:
        for evt in deliveries:
            assert h.deliver(client, evt).status_code == 200
        for evt in forged:
            body = json.dumps(evt).encode()
            bad = h.sign(body, "whsec_not_ours") if rng.random() < 0.5 else h.sign(body + b" ")
            response = client.post(
                "/stripe/webhook/",
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=bad,
            )
            assert response.status_code == 400
    assert StripeEvent.objects.count() == 1000
    assert (
        len(processing) == 1000
    )  # one processing task per stored event, duplicates enqueue nothing
    for run_task in processing:  # the worker, in the order the events were stored
        run_task()

    assert Donation.objects.count() == 200
    assert Pledge.objects.filter(status=Pledge.Status.PAID).count() == 200
    sequences = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert len(sequences) == 200 and sequences == list(range(sequences[0], sequences[0] + 200))
    assert all(
        row["t"] == 0 for row in LedgerLeg.objects.values("currency").annotate(t=Sum("amount"))
    )
    assert Donation.objects.aggregate(t=Sum("amount"))["t"] == sum(
        Decimal(10 + i) for i in range(200)
    )
    assert not StripeEvent.objects.filter(status=StripeEvent.Status.FAILED).exists()
    assert not StripeEvent.objects.filter(stripe_id__startswith="evt_forged").exists()
