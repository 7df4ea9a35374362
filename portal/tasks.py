"""Thin tasks of the top layer: the annual report's PDF, on the PDF queue."""

from celery import shared_task

from portal import services


@shared_task(autoretry_for=(OSError,), max_retries=5)
def make_annual_report_pdf(page_id: int) -> int | None:
    made = services.annual_report_pdf_make(page_id=page_id)
    return made.pk if made else None
