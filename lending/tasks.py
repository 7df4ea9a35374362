"""Thin tasks: e-mails about loans and offers, and the beat jobs (each safe to run twice)."""

from smtplib import SMTPException

from celery import shared_task

from lending.services import lenders, notify, reminders, waitlist


@shared_task(autoretry_for=(SMTPException, ConnectionError), max_retries=5)
def send_offer_notice(entry_id: int) -> None:
    notify.offer_notice_send(entry_id=entry_id)


@shared_task(autoretry_for=(SMTPException, ConnectionError), max_retries=5)
def send_loan_reminder(reminder_id: int) -> None:
    notify.reminder_send(reminder_id=reminder_id)


@shared_task
def expire_offers() -> int:
    return waitlist.waitlist_offers_expire()


@shared_task
def remind_loans() -> int:
    return reminders.loan_reminders_send_due()


@shared_task
def lender_terms() -> int:
    return lenders.lender_terms_due()
