"""Thin tasks: take ids, call a service, own their retries."""

import stripe
from celery import shared_task
from django.utils.translation import gettext_noop

from donations.services import alerts, notices, pledges, receipts, refunds, stripe_events


@shared_task(autoretry_for=(Exception,), max_retries=8)
def process_stripe_event(event_id: int) -> None:
    stripe_events.event_process(event_id=event_id)


@shared_task
def dispatch_stripe_events() -> int:
    return stripe_events.events_dispatch()


@shared_task(autoretry_for=(OSError,), max_retries=5)
def render_receipt(receipt_id: int, email: bool = True) -> None:
    receipts.receipt_pdf_render(receipt_id=receipt_id)
    if email:
        send_receipt.delay(receipt_id)


@shared_task(autoretry_for=(OSError,), max_retries=8)
def send_receipt(receipt_id: int) -> None:
    receipts.receipt_email_send(receipt_id=receipt_id)


@shared_task(autoretry_for=(ConnectionError,), max_retries=8)
def refund_overflow(donation_id: int) -> None:
    """A chip-in that arrived for a wish already funded, refunded as the fund's setting says."""
    refunds.overflow_refund(donation_id=donation_id)


@shared_task(autoretry_for=(ConnectionError, OSError), max_retries=8)
def refund_duplicate(donation_id: int) -> None:
    """The second payment of a one-time pledge goes back to the donor."""
    refunds.duplicate_refund(donation_id=donation_id)


@shared_task(
    autoretry_for=(
        ConnectionError,
        OSError,
        stripe.APIConnectionError,
        stripe.RateLimitError,
        stripe.APIError,
    ),
    max_retries=8,
)
def send_refund(refund_id: int) -> None:
    """A refund another domain prepared (a deposit's rest): sent with its saved key, so a
    retry or a second delivery never refunds twice. Refused by Stripe, it is marked failed and
    the fund administrators are told; a refund that never got through is asked again by
    beat (``resend_stuck_refunds``)."""
    refund = refunds.Refund.objects.get(pk=refund_id)
    try:
        refunds.refund_send(refund=refund)
    except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as exc:
        alerts.staff_alert_send(
            subject=gettext_noop("A refund was refused by Stripe"),
            body=gettext_noop(
                "Refund #%(id)s of %(amount)s (%(reason)s) was refused by Stripe: %(error)s. "
                "Please return it another way and record it."
            ),
            id=refund.pk,
            amount=f"{refund.amount:,.2f}",
            reason=refund.reason,
            error=str(exc)[:200],
        )


@shared_task
def resend_stuck_refunds() -> int:
    return refunds.refunds_resend_stuck()


@shared_task(autoretry_for=(OSError,), max_retries=5)
def alert_staff(*, subject: str, body: str, params: dict[str, object]) -> None:
    alerts.staff_alert_send(subject=subject, body=body, **params)


@shared_task
def sweep_stripe_events() -> int:
    return stripe_events.events_sweep()


@shared_task(autoretry_for=(ConnectionError, OSError), max_retries=5)
def reconcile_stripe_payments() -> int:
    return stripe_events.payments_reconcile(days=3)


@shared_task(autoretry_for=(OSError,), max_retries=5)
def send_pledge_notice(pledge_id: int, event: str, reason: str = "") -> None:
    notices.pledge_notice_send(pledge_id=pledge_id, event=event, reason=reason)


@shared_task(autoretry_for=(OSError,), max_retries=5)
def send_refund_notice(donation_id: int, amount: str, reason: str) -> None:
    from decimal import Decimal

    notices.refund_notice_send(donation_id=donation_id, amount=Decimal(amount), reason=reason)


@shared_task
def expire_stale_pledges() -> int:
    return pledges.pledges_expire_stale()
