"""Stripe webhooks: stored once by event id, answered at once, processed after commit.

The answer only stores the row (an outbox): publishing a task per event would cost the
request more than the insert does. A dispatcher task claims stored events in batches and
processes them; one dispatcher is published per burst of events (``events_dispatch_soon``).

Handlers read the current object from Stripe rather than trusting the event's snapshot,
and every write they make is keyed (PaymentIntent, invoice, refund id), so events may
come in any order and any number of times.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from charity.models import LedgerEntry
from charity.purposes import purpose_for
from charity.selectors import fund_general
from core.money import from_minor, to_minor
from donations import stripe_gateway as gw
from donations.models import CheckoutSession, Donation, Pledge, StripeEvent
from donations.services import pledges
from donations.services.gifts import (
    donation_book,
    donation_record,
    settlement_of,
    stripe_income_legs,
)

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
            transaction.on_commit(events_dispatch_soon)
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


DISPATCH_KEY = "stripe-events:dispatch"
DISPATCH_KEY_SECONDS = 60  # a dispatcher lost on its way is published again after this
DISPATCH_BATCH = 50
CLAIM_LEASE = timedelta(minutes=2)
RETRY_FIRST_SECONDS = 5


def events_dispatch_soon() -> None:
    """After an event is stored: see that a dispatcher will run, publishing one per burst.

    The flag is cleared by the dispatcher before it claims anything, so an event stored
    after that clearing publishes a new dispatcher, and one stored before it is claimed by
    the running one: no event waits for the sweep unless a dispatcher dies.
    """
    from donations import tasks

    try:
        first = cache.add(DISPATCH_KEY, 1, timeout=DISPATCH_KEY_SECONDS)
    except Exception:  # the cache is down: publishing twice is harmless
        logger.warning("Cache unreachable: dispatching Stripe events without the flag")
        first = True
    if first:
        tasks.dispatch_stripe_events.delay()


def _events_claim(*, limit: int) -> list[int]:
    """Take up to ``limit`` stored events no dispatcher has taken, oldest first.

    The lease (``next_attempt_at``) keeps other dispatchers off them; if this one dies
    they stay unfinished and the sweep queues each of them on its own once the lease is
    over, so one event that kills its worker cannot take a batch down with it twice.
    """
    with transaction.atomic():
        ids = list(
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(status=StripeEvent.Status.RECEIVED, next_attempt_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            StripeEvent.objects.filter(pk__in=ids).update(
                next_attempt_at=timezone.now() + CLAIM_LEASE
            )
    return ids


def events_dispatch(*, batch: int = DISPATCH_BATCH) -> int:
    """Process stored events until none is left; returns how many were taken.

    A full batch means a backlog: another dispatcher is published so that every worker
    process helps. An event that fails goes to its own task, which retries it with back-off.
    """
    from donations import tasks

    try:
        cache.delete(DISPATCH_KEY)
    except Exception:  # the cache is down: the answers publish without the flag meanwhile
        logger.warning("Cache unreachable: the Stripe dispatch flag was not cleared")
    # run inline (eagerly), a second dispatcher would only drain this one's queue from inside it
    helpers = not tasks.dispatch_stripe_events.app.conf.task_always_eager
    taken = 0
    while ids := _events_claim(limit=batch):
        if len(ids) == batch and helpers:
            events_dispatch_soon()
        for event_id in ids:
            try:
                event_process(event_id=event_id)
            except Exception:
                logger.warning(
                    "Stripe event %s failed; retried on its own", event_id, exc_info=True
                )
                tasks.process_stripe_event.apply_async((event_id,), countdown=RETRY_FIRST_SECONDS)
        taken += len(ids)
    return taken


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
    done = {
        "status": StripeEvent.Status.PROCESSED if handler else StripeEvent.Status.IGNORED,
        "last_error": "",
        "processed_at": timezone.now(),
    }
    StripeEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1, **done)
    for name, value in done.items():
        setattr(event, name, value)
    event.attempts += 1  # as counted in the row when no other run counted meanwhile
    return event


def _pledge_id(obj: dict[str, Any]) -> int | None:
    raw = (obj.get("metadata") or {}).get("pledge_id")
    return int(raw) if raw and str(raw).isdigit() else None


def _pledge_from_metadata(obj: dict[str, Any]) -> Pledge | None:
    pledge_id = _pledge_id(obj)
    if pledge_id is None:
        return None
    return Pledge.objects.filter(pk=pledge_id).select_related("donor", "fund").first()


def _checkout_id(obj: dict[str, Any]) -> int | None:
    raw = (obj.get("metadata") or {}).get("checkout_id")
    return int(raw) if raw and str(raw).isdigit() else None


def _booked(pledge: Pledge, payment_intent_id: str) -> tuple[Donation | None, bool]:
    """(this payment's donation if booked already, whether it would be a duplicate), in one
    read. A one-time pledge is one gift: a second, different payment for it is a duplicate."""
    paid = Donation.objects.filter(stripe_payment_intent=payment_intent_id)
    if not pledge.is_recurring:
        paid |= Donation.objects.filter(pledge=pledge, stripe_payment_intent__isnull=False)
    found = list(paid.order_by("pk"))
    for donation in found:
        if donation.stripe_payment_intent == payment_intent_id:
            return donation, False
    return None, bool(found)


def donation_from_payment_intent(payment_intent_id: str) -> Donation | None:
    """A one-time gift, once its PaymentIntent has succeeded (whatever event or screen told us).

    Everything is read from Stripe first; then, in one transaction under the pledge's lock,
    the donation is booked with its receipt, its checkout marked complete and the pledge paid.
    Either all of it happens or none of it, so a checkout is never "complete" while its money
    is unbooked. A second payment for a one-time pledge is booked (money received is always
    booked) to the general pool and refunded automatically, and staff are told.
    """
    existing = Donation.objects.filter(stripe_payment_intent=payment_intent_id).first()
    if existing is not None:
        return existing
    intent, charge = gw.payment_intent_settled(payment_intent_id)
    pledge_id = _pledge_id(intent)
    if pledge_id is None or intent.get("status") != "succeeded":
        return None
    settlement = settlement_of(charge)
    currency = str(intent["currency"]).upper()
    amount = from_minor(int(intent.get("amount_received") or intent["amount"]), currency)
    with transaction.atomic():
        # everything the booking reads of the pledge, read once under its lock
        pledge = (
            Pledge.objects.select_for_update(of=("self",))
            .select_related("donor__organisation", "donor__user", "fund", "created_by")
            .filter(pk=pledge_id)
            .first()
        )
        if pledge is None:
            return None
        existing, duplicate = _booked(pledge, payment_intent_id)
        if existing is not None:
            return existing
        fund, purpose = pledge.fund, None if duplicate else pledge.purpose
        handler = purpose_for(purpose.key) if purpose else None
        if duplicate:
            fund = fund_general()
        elif handler is not None and purpose is not None:
            # The purpose takes the gift, or it goes to the general pool (overflowed below).
            fund = handler.settle(purpose_id=purpose.id, pledge_id=pledge.pk) or fund_general()
        # Only money the purpose took is split its way (a fee and a deposit) and kept out of
        # the gifts; money it refused is a plain gift to the general pool, refunded below.
        taken = handler is not None and purpose is not None and fund.pk == pledge.fund_id
        # a payment for a service (a loan) stays one even when it goes back to the payer
        gift = not pledge.purpose_key or purpose_for(pledge.purpose_key).is_gift
        # _booked has looked for this payment under the pledge's lock: book it, no second look
        donation = donation_book(
            donor=pledge.donor,
            fund=fund,
            amount=amount,
            currency=currency,
            method=gw.charge_method(charge),
            legs=stripe_income_legs(
                fund=fund,
                amount=amount,
                currency=currency,
                settlement=settlement,
                credits=handler.credits(purpose_id=purpose.id, amount=amount)
                if taken and handler and purpose
                else None,
            ),
            show_name=pledge.show_name,
            is_gift=gift,
            entry_kind=LedgerEntry.Kind.DONATION if gift else LedgerEntry.Kind.FEE,
            pledge=pledge,
            received_at=_when(charge.get("created") or intent.get("created")),
            stripe_payment_intent=payment_intent_id,
            stripe_charge=charge.get("id", ""),
        )
        checkout_id = _checkout_id(intent)
        if checkout_id is not None:
            pledges.checkout_complete(checkout_id=checkout_id, pledge_id=pledge.pk)
        pledges.pledge_mark_paid(pledge=pledge, reason=f"payment {payment_intent_id}", locked=True)
        if duplicate:
            _duplicate_handle(donation=donation)
        elif handler is not None and purpose is not None:
            if fund.pk == pledge.fund_id:
                handler.funded(purpose_id=purpose.id)
            else:
                handler.overflowed(
                    purpose_id=purpose.id, pledge_id=pledge.pk, donation_id=donation.pk
                )
        return donation


def _duplicate_handle(*, donation: Donation) -> None:
    """After commit: refund the second payment at Stripe and tell the fund administrators."""
    from donations import tasks

    transaction.on_commit(lambda: tasks.refund_duplicate.delay(donation.pk))
    transaction.on_commit(
        lambda: tasks.alert_staff.delay(
            subject=gettext_noop("A pledge was paid twice"),
            body=gettext_noop(
                "Pledge #%(pledge)s was paid twice. The second payment (donation #%(donation)s, "
                "%(amount)s %(currency)s) is being refunded automatically. Please check the "
                "refunds screen."
            ),
            params={
                "pledge": donation.pledge_id,
                "donation": donation.pk,
                "amount": f"{donation.amount:,.2f}",
                "currency": donation.currency,
            },
        )
    )


def pledge_checkout_resume(
    *, pledge: Pledge, success_url: str, cancel_url: str
) -> CheckoutSession | None:
    """Pay now: first ask Stripe about the pledge's earlier sessions and book a paid one;
    only then open (or reuse) a checkout. Returns None when the pledge turned out paid.

    This is what keeps a donor from paying twice when our booking of their first payment
    was delayed (a worker killed mid-event, Stripe unreachable for a while).
    """
    earlier = pledge.checkouts.filter(stripe_session_id__isnull=False).exclude(
        status=CheckoutSession.Status.EXPIRED
    )
    for checkout in earlier.order_by("-created_at"):
        session = gw.checkout_session_retrieve(checkout.stripe_session_id or "")
        if session.get("payment_status") == "paid" and session.get("payment_intent"):
            donation_from_payment_intent(gw._id(session["payment_intent"]) or "")
            return None
        if session.get("status") == "complete":
            # Paid by a method that settles later (e.g. a bank debit): wait for it.
            raise pledges.IllegalMove(
                _("Your payment is being processed; you will get a receipt when it arrives.")
            )
        if session.get("status") == "expired":
            pledges.checkout_close(
                stripe_session_id=checkout.stripe_session_id or "",
                status=CheckoutSession.Status.EXPIRED,
            )
    pledge.refresh_from_db()
    if pledge.status != Pledge.Status.PENDING:
        return None
    return pledges.checkout_start(pledge=pledge, success_url=success_url, cancel_url=cancel_url)


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
    if charge_id := gw.invoice_charge_id(invoice):
        charge = gw.charge_retrieve(charge_id)
    elif intent_id := gw.invoice_payment_intent_id(invoice):
        charge = gw.payment_intent_settled(intent_id)[1]
    else:
        charge = {}
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
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return
    if session.get("mode") == "payment" and session.get("payment_intent"):
        # Booking the payment marks its checkout complete in the same transaction.
        donation_from_payment_intent(gw._id(session["payment_intent"]) or "")
    else:
        pledges.checkout_close(
            stripe_session_id=session["id"], status=CheckoutSession.Status.COMPLETE
        )


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
    if _pledge_id(intent) is not None:  # ours: the booking reads the pledge itself
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


# --- recovery: events never finished, payments never announced ------------------------------

SWEEP_AFTER = timedelta(minutes=5)
SWEEP_CAP = 20  # attempts (the task's own retries included) before staff are told


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** min(attempts, 9), 360))


def events_sweep() -> int:
    """Beat: queue again every event still unfinished a few minutes after it arrived.

    Stripe does not resend an event we answered 2xx, so an event whose processing was lost (a
    worker killed, a broker restarted) or kept failing (Stripe unreachable) is ours to finish.
    Each event is queued at most once per back-off step, so two sweeps at once queue it once;
    past SWEEP_CAP attempts staff are told, once. Returns how many were queued.
    """
    from donations import tasks

    now = timezone.now()
    due = StripeEvent.objects.filter(
        status__in=(StripeEvent.Status.RECEIVED, StripeEvent.Status.FAILED),
        received_at__lte=now - SWEEP_AFTER,
    ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    queued = 0
    with transaction.atomic():
        for event in due.only("pk", "stripe_id", "type", "attempts", "next_attempt_at"):
            if event.attempts >= SWEEP_CAP:
                if StripeEvent.objects.filter(pk=event.pk, alerted_at__isnull=True).update(
                    alerted_at=now
                ):
                    _event_alert(event)
                continue
            claimed = StripeEvent.objects.filter(
                pk=event.pk, next_attempt_at=event.next_attempt_at
            ).update(next_attempt_at=now + _backoff(event.attempts))
            if claimed:
                transaction.on_commit(partial(tasks.process_stripe_event.delay, event.pk))
                queued += 1
    return queued


def _event_alert(event: StripeEvent) -> None:
    from donations import tasks

    params = {"event": event.stripe_id, "type": event.type, "attempts": event.attempts}
    transaction.on_commit(
        lambda: tasks.alert_staff.delay(
            subject=gettext_noop("A Stripe event still fails"),
            body=gettext_noop(
                "Stripe event %(event)s (%(type)s) has failed %(attempts)s times and is no "
                "longer retried by itself. Money may be waiting to be booked: check the "
                "books' reconciliation, then run manage.py stripe_reprocess_failed."
            ),
            params=params,
        )
    )


def payments_reconcile(*, days: int = 3, since: datetime | None = None) -> int:
    """Daily: book every payment Stripe says succeeded in the last days that we have not
    booked, and every refund of such a payment we have not recorded (dashboard refunds too).

    Webhooks can be lost for good (an endpoint down for days); Stripe's own list of charges
    is the ground truth. Returns how many payments were booked here.
    """
    from donations.services.refunds import refund_record_from_stripe

    start = since or timezone.now() - timedelta(days=days)
    booked = 0
    # Stripe's times are whole seconds: "after the second before" keeps the start's own second.
    for charge in gw.charges_since(created_after=int(start.timestamp()) - 1):
        if charge.get("status") != "succeeded" or not charge.get("paid"):
            continue
        intent_id = gw._id(charge.get("payment_intent"))
        known = Donation.objects.filter(stripe_charge=charge["id"])
        if intent_id:
            known = known | Donation.objects.filter(stripe_payment_intent=intent_id)
        donation = known.first()
        if donation is None:
            invoice_id = gw._id(charge.get("invoice"))
            if invoice_id:
                donation = donation_from_invoice({"id": invoice_id})
            elif intent_id:
                donation = donation_from_payment_intent(intent_id)
            if donation is not None:
                booked += 1
                logger.warning("Booked %s from Stripe's list: its event never came", donation)
        refunded = int(charge.get("amount_refunded") or 0)
        if donation is not None and refunded > to_minor(
            donation.refunded_amount, donation.currency
        ):
            for refund in gw.refunds_for_charge(charge["id"]):
                if refund.get("status") == "succeeded":
                    refund_record_from_stripe(refund=refund, charge=charge)
    return booked
