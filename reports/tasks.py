"""Thin tasks: the monthly report on the 1st (safe to run twice), and its e-mail."""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from reports import services


@shared_task
def make_monthly_report() -> int:
    start, end = services.previous_month(timezone.localdate())
    return services.report_make(start=start, end=end).pk


@shared_task(autoretry_for=(SMTPException, ConnectionError), max_retries=5)
def email_report(report_id: int) -> None:
    services.report_email_send(report_id=report_id)
