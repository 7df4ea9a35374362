"""Stripe webhooks: stored once by event id, answered at once, processed after commit.

Handlers read the current object from Stripe rather than trusting the event's snapshot,
and every write they make is keyed (PaymentIntent, invoice, refund id), so events may
come in any order and any number of times.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from charity.purposes import purpose_for
from charity.selectors import fund_general
from core.money import from_minor
from donations import stripe_gateway as gw
from donations.models import CheckoutSession, Donation, Pledge, StripeEvent
from donations.services import pledges
from donations.services.gifts import donation_record, settlement_of, stripe_income_legs

logger = logging.getLogger(__name__)
ORPHAN_AFTER = timedelta(minutes=5)


def event_store(*, payload: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """Keep a verified event once; return (event, created). Processing is enqueued after commit."""
    from donations import tasks

    try:
        with transaction.atomic():
            event = StripeEvent.objects.create(
                stripe_id=payload["id"], type=payload.get("type", ""), payload=payload
            )
            transaction.on_commit(lambda: tasks.process_stripe_event.delay(event.pk))
            return event, True
    except IntegrityError:
        event = StripeEvent.objects.get(stripe_id=payload["id"])
        stale = event.received_at < timezone.now() - ORPHAN_AFTER
        if stale and event.status in (StripeEvent.Status.RECEIVED, StripeEvent.Status.FAILED):
            # Stripe retries an event long after we stored it only if something went wrong:
            # its processing may never have been queued (broker down). Queue it again;
            # processing is idempotent, so a second run does nothing.
            transaction.on_commit(lambda: tasks.process_stripe_event.delay(event.pk))
        return event, False


def event_process(*, event_id: int) -> StripeEvent:
    """Run the handler once; record a failure with its error (the task retries)."""
    event = StripeEvent.objects.get(pk=event_id)
    if event.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
        return event
    handler = HANDLERS.get(event.type)
    try:
        if handler is not None:
            handler(event.payload["data"]["object"])
    except Exception as exc:
        StripeEvent.objects.filter(pk=event.pk).update(
            status=StripeEvent.Status.FAILED,
            attempts=F("attempts") + 1,
            last_error=repr(exc)[:2000],
        )
        raise
    StripeEvent.objects.filter(pk=event.pk).update(
        status=StripeEvent.Status.PROCESSED if handler else StripeEvent.Status.IGNORED,
        attempts=F("attempts") + 1,
        last_error="",
        processed_at=timezone.now(),
    )
    event.refresh_from_db()
    return event


def _pledge_from_metadata(obj: dict[str, Any]) -> Pledge | None:
    pledge_id = (obj.get("metadata") or {}).get("pledge_id")
    if not pledge_id or not str(pledge_id).isdigit():
        return None
    return Pledge.objects.filter(pk=int(pledge_id)).select_related("donor", "fund").first()


def donation_from_payment_intent(payment_intent_id: str) -> Donation | None:
    """A one-time gift, once its PaymentIntent has succeeded (whatever event told us)."""
    existing = Donation.objects.filter(stripe_payment_intent=payment_intent_id).first()
    if existing is not None:
        return existing
    intent = gw.payment_intent_retrieve(payment_intent_id)
    pledge = _pledge_from_metadata(intent)
    if pledge is None or intent.get("status") != "succeeded":
        return None
    charge_id = gw.payment_intent_charge_id(intent)
    charge = gw.charge_retrieve(charge_id) if charge_id else {}
    currency = str(intent["currency"]).upper()
    amount = from_minor(int(intent.get("amount_received") or intent["amount"]), currency)
    with transaction.atomic():
        Pledge.objects.select_for_update().get(pk=pledge.pk)
        existing = Donation.objects.filter(stripe_payment_intent=payment_intent_id).first()
        if existing is not None:
            return existing
        fund, purpose = pledge.fund, pledge.purpose
        handler = purpose_for(purpose.key) if purpose else None
        if handler is not None and purpose is not None:
            # The purpose takes the gift, or it goes to the general pool (overflowed below).
            fund = handler.settle(purpose_id=purpose.id, pledge_id=pledge.pk) or fund_general()
        donation = donation_record(
            donor=pledge.donor,
            fund=fund,
            amount=amount,
            currency=currency,
            method=gw.charge_method(charge),
            legs=stripe_income_legs(
                fund=fund,
                amount=amount,
                currency=currency,
                settlement=settlement_of(charge),
            ),
            show_name=pledge.show_name,
            pledge=pledge,
            received_at=_when(charge.get("created") or intent.get("created")),
            stripe_payment_intent=payment_intent_id,
            stripe_charge=charge.get("id", ""),
        )
        pledges.pledge_mark_paid(pledge=pledge, reason=f"payment {payment_intent_id}")
        if handler is not None and purpose is not None:
            if fund.pk == pledge.fund_id:
                handler.funded(purpose_id=purpose.id)
            else:
                handler.overflowed(
                    purpose_id=purpose.id, pledge_id=pledge.pk, donation_id=donation.pk
                )
        return donation


def donation_from_invoice(invoice: dict[str, Any]) -> Donation | None:
    """Each paid invoice of a recurring pledge is its own donation (unique by invoice id)."""
    invoice_id = invoice["id"]
    existing = Donation.objects.filter(stripe_invoice=invoice_id).first()
    if existing is not None:
        return existing
    invoice = gw.invoice_retrieve(invoice_id)
    if invoice.get("status") != "paid" and not invoice.get("paid"):
        return None
    subscription_id = gw.invoice_subscription_id(invoice)
    if not subscription_id:
        return None
    pledge = Pledge.objects.filter(stripe_subscription_id=subscription_id).first()
    if pledge is None:
        pledge = _pledge_from_metadata(gw.subscription_retrieve(subscription_id))
        if pledge is None:
            return None
    charge_id = gw.invoice_charge_id(invoice)
    if not charge_id:
        intent_id = gw.invoice_payment_intent_id(invoice)
        charge_id = (
            gw.payment_intent_charge_id(gw.payment_intent_retrieve(intent_id))
            if intent_id
            else None
        )
    charge = gw.charge_retrieve(charge_id) if charge_id else {}
    currency = str(invoice["currency"]).upper()
    amount = from_minor(int(invoice["amount_paid"]), currency)
    if amount <= 0:
        return None
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if not locked.stripe_subscription_id:
            locked.stripe_subscription_id = subscription_id
            locked.save(update_fields=["stripe_subscription_id"])
        donation = donation_record(
            donor=pledge.donor,
            fund=pledge.fund,
            amount=amount,
            currency=currency,
            method=gw.charge_method(charge),
            legs=stripe_income_legs(
                fund=pledge.fund,
                amount=amount,
                currency=currency,
                settlement=settlement_of(charge),
            ),
            show_name=pledge.show_name,
            pledge=pledge,
            received_at=_when(charge.get("created") or invoice.get("created")),
            stripe_invoice=invoice_id,
            stripe_charge=charge.get("id", ""),
        )
        if locked.status in (Pledge.Status.PENDING, Pledge.Status.FAILED, Pledge.Status.EXPIRED):
            pledges.pledge_move(
                pledge=locked, to=Pledge.Status.ACTIVE, reason=f"invoice {invoice_id}"
            )
        return donation


def _when(timestamp: Any) -> datetime:
    return datetime.fromtimestamp(int(timestamp), tz=UTC) if timestamp else timezone.now()


# --- handlers ------------------------------------------------------------------------------


def on_checkout_completed(session: dict[str, Any]) -> None:
    pledge = _pledge_from_metadata(session)
    if session.get("mode") == "subscription" and pledge is not None and session.get("subscription"):
        with transaction.atomic():
            locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
            if not locked.stripe_subscription_id:
                locked.stripe_subscription_id = gw._id(session["subscription"])
                locked.stripe_customer_id = gw._id(session.get("customer")) or ""
                locked.save(update_fields=["stripe_subscription_id", "stripe_customer_id"])
            if locked.status in (
                Pledge.Status.PENDING,
                Pledge.Status.EXPIRED,
                Pledge.Status.FAILED,
            ):
                pledges.pledge_move(
                    pledge=locked, to=Pledge.Status.ACTIVE, reason="subscription started"
                )
    if session.get("payment_status") in ("paid", "no_payment_required"):
        pledges.checkout_close(
            stripe_session_id=session["id"], status=CheckoutSession.Status.COMPLETE
        )
        if session.get("mode") == "payment" and session.get("payment_intent"):
            donation_from_payment_intent(gw._id(session["payment_intent"]) or "")


def on_checkout_async_failed(session: dict[str, Any]) -> None:
    pledges.checkout_close(stripe_session_id=session["id"], status=CheckoutSession.Status.FAILED)
    _lapse_pledge(session, Pledge.Status.FAILED)


def on_checkout_expired(session: dict[str, Any]) -> None:
    pledges.checkout_close(stripe_session_id=session["id"], status=CheckoutSession.Status.EXPIRED)
    _lapse_pledge(session, Pledge.Status.EXPIRED)


def _lapse_pledge(session: dict[str, Any], to: str) -> None:
    """A pledge whose only checkout lapsed, with no payment, lapses too."""
    pledge = _pledge_from_metadata(session)
    if pledge is None or pledge.status != Pledge.Status.PENDING:
        return
    purpose = pledge.purpose
    if purpose is not None and not pledge.donations.exists():
        purpose_for(purpose.key).release(
            purpose_id=purpose.id, pledge_id=pledge.pk, reason=f"checkout {session['id']} {to}"
        )
    still_open = pledge.checkouts.filter(
        status__in=[CheckoutSession.Status.OPEN, CheckoutSession.Status.CREATING],
        expires_at__gt=timezone.now(),
    )
    if not still_open.exists() and not pledge.donations.exists():
        pledges.pledge_move(pledge=pledge, to=to, reason=f"checkout {session['id']}")


def on_payment_intent_succeeded(intent: dict[str, Any]) -> None:
    if _pledge_from_metadata(intent) is not None:
        donation_from_payment_intent(intent["id"])


def on_payment_intent_failed(intent: dict[str, Any]) -> None:
    """The donor may try again within the same checkout; only note the failure."""
    pledge = _pledge_from_metadata(intent)
    if pledge is not None:
        error = (intent.get("last_payment_error") or {}).get("message", "")
        logger.info("Payment failed for pledge %s: %s", pledge.pk, error)


def on_invoice_paid(invoice: dict[str, Any]) -> None:
    donation_from_invoice(invoice)


def on_charge_refunded(charge: dict[str, Any]) -> None:
    from donations.services.refunds import refund_record_from_stripe

    intent_id = gw._id(charge.get("payment_intent"))
    if intent_id:
        donation_from_payment_intent(intent_id)
    # Since API 2022-11-15 a charge no longer lists its refunds: ask for them.
    refunds = (charge.get("refunds") or {}).get("data")
    if refunds is None:
        refunds = gw.refunds_for_charge(charge["id"])
    for refund in refunds:
        refund_record_from_stripe(refund=refund, charge=charge)


def on_refund(refund: dict[str, Any]) -> None:
    from donations.services.refunds import refund_record_from_stripe

    if refund.get("status") in ("succeeded", "failed", "canceled"):
        refund_record_from_stripe(refund=refund)


def on_dispute_created(dispute: dict[str, Any]) -> None:
    from donations.services.refunds import donation_dispute

    donation_dispute(dispute=dispute)


def on_subscription_deleted(subscription: dict[str, Any]) -> None:
    pledge = Pledge.objects.filter(stripe_subscription_id=subscription["id"]).first()
    if pledge is not None and pledge.status == Pledge.Status.ACTIVE:
        pledges.pledge_move(
            pledge=pledge, to=Pledge.Status.CANCELLED, reason="subscription ended at Stripe"
        )


HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.async_payment_succeeded": on_checkout_completed,
    "checkout.session.async_payment_failed": on_checkout_async_failed,
    "checkout.session.expired": on_checkout_expired,
    "payment_intent.succeeded": on_payment_intent_succeeded,
    "payment_intent.payment_failed": on_payment_intent_failed,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_succeeded": on_invoice_paid,
    "charge.refunded": on_charge_refunded,
    "refund.created": on_refund,
    "refund.updated": on_refund,
    "charge.dispute.created": on_dispute_created,
    "customer.subscription.deleted": on_subscription_deleted,
}
