"""Writes of the reports layer: monthly disbursement reports (``monthly``) and the year-end
statement batch (``statements``)."""

from reports.services.monthly import previous_month, report_email_send, report_make

__all__ = ["previous_month", "report_email_send", "report_make"]
