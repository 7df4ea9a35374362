"""Money is never charged twice and never left unbooked when something fails on the way:
Stripe unreachable, an event lost, a payment made twice, a refund button pressed twice.

The real Stripe SDK talks to localstripe (Checkout Sessions answered at the SDK boundary);
an outage is the SDK pointed at a closed port.
"""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from charity.models import LedgerLeg
from charity.selectors import fund_general
from donations import stripe_gateway as gw
from donations.models import CheckoutSession, Donation, Pledge, Refund, StripeEvent
from donations.services import pledges, refunds, stripe_events
from tests.accounts import factories as f
from tests.donations import stripe_harness as h
from tests.donations.helpers import money_pledge

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way

CLOSED = "http://127.0.0.1:9"  # nothing listens on the discard port here


def _pledge(amount: str = "300") -> Pledge:
    return money_pledge(amount)


def _balanced() -> bool:
    return sum(LedgerLeg.objects.values_list("amount", flat=True)) == 0


def test_when_stripe_is_unreachable_the_checkout_stays_open_and_pay_now_books_it(
    client, stripe_world, settings, django_capture_on_commit_callbacks
):
    pledge = _pledge()
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = CLOSED  # Stripe cannot be reached while the event comes in
    with django_capture_on_commit_callbacks(execute=False):
        assert h.deliver(client, h.event("checkout.session.completed", session)).status_code == 200
    event = StripeEvent.objects.get()
    with pytest.raises(stripe.APIConnectionError):
        stripe_events.event_process(event_id=event.pk)
    event.refresh_from_db()
    checkout.refresh_from_db()
    pledge.refresh_from_db()
    assert event.status == StripeEvent.Status.FAILED
    assert checkout.status == CheckoutSession.Status.OPEN  # never "complete" without its money
    assert pledge.status == Pledge.Status.PENDING and not Donation.objects.exists()

    # Stripe answers again; the donor, seeing "waiting for payment", presses Pay now
    settings.STRIPE_API_BASE = base
    client.force_login(pledge.created_by)
    sessions_before = len(stripe_world.boundary.sessions)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("donations:pledge_pay", args=[pledge.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/pledge/{pledge.pk}/")
    assert len(stripe_world.boundary.sessions) == sessions_before  # no second checkout
    donation = Donation.objects.get()
    assert donation.stripe_payment_intent == intent["id"] and donation.amount == Decimal("300.00")
    checkout.refresh_from_db()
    pledge.refresh_from_db()
    assert checkout.status == CheckoutSession.Status.COMPLETE
    assert pledge.status == Pledge.Status.PAID

    # the sweep finishes the failed event later: it finds the gift booked, books nothing more
    StripeEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - timedelta(minutes=6)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_events.events_sweep() == 1
        assert stripe_events.events_sweep() == 0  # queued once per back-off step
    event.refresh_from_db()
    assert event.status == StripeEvent.Status.PROCESSED
    assert Donation.objects.count() == 1 and _balanced()


def test_a_second_payment_for_one_gift_is_refunded_and_staff_are_told(
    client, stripe_world, mailoutbox, django_capture_on_commit_callbacks
):
    admin = f.fund_administrator()
    pledge = _pledge("200")
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    session, first = stripe_world.complete_checkout(checkout.stripe_session_id)
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("checkout.session.completed", session))
    # Stripe reports another succeeded payment for the same pledge
    second = stripe_world.pay(amount_minor=20000, metadata=session["metadata"])
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("payment_intent.succeeded", second))
    original = Donation.objects.get(stripe_payment_intent=first["id"])
    duplicate = Donation.objects.get(stripe_payment_intent=second["id"])
    assert original.fund == pledge.fund and original.status == Donation.Status.RECEIVED
    assert duplicate.status == Donation.Status.REFUNDED and duplicate.fund == fund_general()
    refund = Refund.objects.get(donation=duplicate)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == Decimal("200.00")
    assert any(admin.email in m.to and str(pledge.pk) in m.body for m in mailoutbox)
    assert _balanced()


def test_a_payment_whose_events_never_came_is_booked_by_the_daily_reconciliation(stripe_world):
    # localstripe outlives the test's rolled-back rows: look only at this test's payments
    # (Stripe's times are whole seconds; start in a second of our own)
    import time

    time.sleep(2.1)
    since = timezone.now()
    pledge = _pledge("150")
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    _session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    assert stripe_events.payments_reconcile(since=since) == 1
    assert stripe_events.payments_reconcile(since=since) == 0  # safe to run twice
    donation = Donation.objects.get()
    assert donation.stripe_payment_intent == intent["id"]
    checkout.refresh_from_db()
    assert checkout.status == CheckoutSession.Status.COMPLETE and _balanced()


def test_a_refund_made_twice_at_stripe_for_one_request_is_booked_twice(
    client, stripe_world, django_capture_on_commit_callbacks
):
    """Stripe (or a stand-in ignoring keys) made two refunds carrying one request's metadata:
    the second is not dropped, so the books stay with Stripe."""
    from tests.donations.helpers import paid_donation

    donation, intent = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    row = refunds.refund_request(donation=donation, amount=Decimal("100"), reason="r", by=None)
    assert row.status == Refund.Status.SUCCEEDED
    extra = stripe_world.sdk.v1.refunds.create(
        params={
            "payment_intent": intent["id"],
            "amount": 5000,
            "metadata": {"refund_id": str(row.pk)},
        }
    ).to_dict()
    with django_capture_on_commit_callbacks(execute=True):
        h.deliver(client, h.event("refund.created", extra))
    donation.refresh_from_db()
    assert donation.refunded_amount == Decimal("150.00")
    assert Refund.objects.filter(donation=donation, status="succeeded").count() == 2
    assert _balanced()


def test_stripes_idempotency_error_counts_as_already_done(
    client, stripe_world, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.donations.helpers import paid_donation

    donation, intent = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    made: dict[str, object] = {}
    real_create = gw.refund_create

    def refund_then_conflict(**kwargs):  # type: ignore[no-untyped-def]
        made["refund"] = real_create(**kwargs)  # Stripe acted, then the answer was a 409
        raise stripe.IdempotencyError("Keys for idempotent requests can only be used once")

    monkeypatch.setattr(gw, "refund_create", refund_then_conflict)
    row = refunds.refund_request(donation=donation, amount=Decimal("80"), reason="r", by=None)
    assert row.status == Refund.Status.SUCCEEDED and row.stripe_refund_id == made["refund"]["id"]  # type: ignore[index]
    donation.refresh_from_db()
    assert donation.refunded_amount == Decimal("80.00")


def test_a_refund_pressed_twice_goes_to_stripe_once(
    client, stripe_world, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.donations.helpers import paid_donation

    donation, _intent = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    calls: list[dict] = []

    def timing_out(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        raise stripe.APIConnectionError("timed out")

    monkeypatch.setattr(gw, "refund_create", timing_out)
    with pytest.raises(stripe.APIConnectionError):
        refunds.refund_request(donation=donation, amount=Decimal("100"), reason="r", by=None)
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match="already on its way"):
        refunds.refund_request(donation=donation, amount=Decimal("100"), reason="r", by=None)
    assert len(calls) == 1
    # after a while the same refund may be sent again, with the same key
    Refund.objects.update(sent_at=timezone.now() - timedelta(minutes=3))
    with pytest.raises(stripe.APIConnectionError):
        refunds.refund_request(donation=donation, amount=Decimal("100"), reason="r", by=None)
    assert [c["idempotency_key"] for c in calls] == [calls[0]["idempotency_key"]] * 2
    assert Refund.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refund_posts_at_the_same_moment_reach_stripe_once(
    client, stripe_world, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.donations.helpers import paid_donation

    donation, _intent = paid_donation(client, stripe_world, django_capture_on_commit_callbacks)
    calls: list[str] = []
    lock = threading.Lock()

    def ignoring_keys(**kwargs):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(kwargs["idempotency_key"])
        return {
            "id": f"re_fake_{len(calls)}",
            "status": "pending",
            "amount": kwargs["amount_minor"],
            "metadata": kwargs["metadata"],
        }

    monkeypatch.setattr(gw, "refund_create", ignoring_keys)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press() -> None:
        try:
            barrier.wait()
            refunds.refund_request(donation=donation, amount=Decimal("100"), reason="r", by=None)
            outcomes.append("sent")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1, outcomes
    assert sorted(outcomes) == ["ValidationError", "sent"]


def test_sweep_tells_staff_once_when_an_event_keeps_failing(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = f.fund_administrator()
    event = StripeEvent.objects.create(
        stripe_id="evt_stuck",
        type="payment_intent.succeeded",
        payload={"data": {"object": {}}},
        status=StripeEvent.Status.FAILED,
        attempts=stripe_events.SWEEP_CAP,
    )
    StripeEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_events.events_sweep() == 0
        stripe_events.events_sweep()
    alerts = [m for m in mailoutbox if admin.email in m.to]
    assert len(alerts) == 1 and "evt_stuck" in alerts[0].body


def test_a_correctly_signed_webhook_that_is_not_an_object_is_refused_and_stores_nothing(
    client, stripe_world
):
    for body in (b"[1, 2]", b"42", json.dumps([h.event("x", {})]).encode()):
        response = client.post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=h.sign(body),
        )
        assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_monthly_gift_is_refunded_from_the_screen_by_its_charge(client, stripe_world):
    """A gift paid by an invoice has no PaymentIntent of ours: it is refunded by its charge."""
    from charity.models import Account
    from charity.services import Leg, account_get
    from donations.services.gifts import donation_record
    from tests.donations.helpers import company_donor

    intent = stripe_world.pay(amount_minor=5000, metadata={})
    charge = stripe_world.charge_of(intent)
    fund = fund_general()
    donation = donation_record(
        donor=company_donor(),
        fund=fund,
        amount=Decimal("50"),
        currency="CNY",
        method="card",
        legs=[
            Leg(account_get(kind=Account.Kind.STRIPE_CLEARING), Decimal("50")),
            Leg(account_get(kind=Account.Kind.FUND, fund=fund), Decimal("-50")),
        ],
        stripe_invoice="in_test_monthly_1",
        stripe_charge=charge["id"],
    )
    admin = f.fund_administrator()
    client.force_login(admin)
    page = client.get(reverse("fund:refunds"), {"q": "in_test_monthly_1"})
    row = next(r for r in page.context["rows"] if r["donation"].pk == donation.pk)
    assert row["online"] and row["actionable"]
    prefix = f"donation-{donation.pk}"
    client.post(
        reverse("fund:refund_create", args=[donation.pk]),
        {f"{prefix}-amount": "50", f"{prefix}-reason": "不再每月捐赠"},
    )
    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert Refund.objects.get(donation=donation).status == Refund.Status.SUCCEEDED
