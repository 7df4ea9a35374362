"""Thin tasks: the monthly report on the 1st (safe to run twice) and its e-mail; the year-end
statements, one task per donor on the PDF queue."""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from reports import selectors, services
from reports.models import Statement
from reports.services import statements


@shared_task
def make_monthly_report() -> int:
    start, end = services.previous_month(timezone.localdate())
    return services.report_make(start=start, end=end).pk


@shared_task(autoretry_for=(SMTPException, ConnectionError), max_retries=5)
def email_report(report_id: int) -> None:
    services.report_email_send(report_id=report_id)


STATEMENTS_PER_TASK = 10


@shared_task
def dispatch_statements(batch_id: int) -> int:
    """Queue the statements not yet mailed, ten to a task (a task's own cost, small against
    a PDF, is then paid once for ten). A repeat queues some twice; making a statement is safe
    to run twice."""
    ids = selectors.statements_to_send(batch_id=batch_id)
    for first in range(0, len(ids), STATEMENTS_PER_TASK):
        make_statements.delay(ids[first : first + STATEMENTS_PER_TASK])
    return len(ids)


@shared_task
def make_statements(statement_ids: list[int]) -> int:
    """Several statements in turn; one that meets a passing fault (mail server, disk) goes to
    the single-statement task with its own retries, so the others are not held up."""
    sent = 0
    for statement_id in statement_ids:
        try:
            sent += statements.statement_make(statement_id=statement_id)
        except (SMTPException, ConnectionError, OSError):
            make_statement.delay(statement_id)
        except Exception as exc:
            _pdf_failed(statement_id, exc)
    return sent


def _pdf_failed(statement_id: int, exc: Exception) -> None:
    """A PDF that cannot be made: listed with its reason, not retried."""
    statements.statement_fail(
        statement_id=statement_id,
        failure=Statement.Failure.PDF,
        detail=f"{type(exc).__name__}: {exc}",
    )


@shared_task(bind=True, max_retries=5)
def make_statement(self, statement_id: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        return statements.statement_make(statement_id=statement_id)
    except (SMTPException, ConnectionError, OSError) as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc) from exc
        statements.statement_fail(
            statement_id=statement_id, failure=Statement.Failure.MAIL, detail=str(exc)
        )
    except Exception as exc:
        _pdf_failed(statement_id, exc)
    return False
