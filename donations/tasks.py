"""Thin tasks: take ids, call a service, own their retries."""

from celery import shared_task

from donations.services import receipts, refunds, stripe_events


@shared_task(autoretry_for=(Exception,), max_retries=8)
def process_stripe_event(event_id: int) -> None:
    stripe_events.event_process(event_id=event_id)


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
