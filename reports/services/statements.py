"""The year-end statement batch: an annual statement PDF for every donor who gave in a year,
e-mailed once.

A batch is one row per year; starting it again adds donors whose first gift was booked since
and queues every statement whose mail has not been started, so it resumes after a crash
without sending anything twice. Sending is at most once: ``sending_at`` is committed before
the mail leaves, and a statement found with ``sending_at`` but no ``emailed_at`` (the worker
died in between) is listed for staff rather than sent again.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import is_fund_administrator
from core.files import private_exists, private_read, private_save
from donations.models import Donor, Receipt
from donations.pdf import statement_pdf_bytes
from reports.models import Statement, StatementBatch

FIRST_YEAR = 2000


def statement_batch_start(*, year: int, by: User) -> StatementBatch:
    """Start (or resume) the batch of ``year``, a year that has ended."""
    if not is_fund_administrator(by):
        raise PermissionDenied
    if not FIRST_YEAR <= year < timezone.localdate().year:
        raise ValidationError(_("Statements are made for a year that has ended."))
    with transaction.atomic():
        batch, created = StatementBatch.objects.select_for_update().get_or_create(
            year=year, defaults={"started_by": by}
        )
        if not created:
            batch.starts = F("starts") + 1
            batch.resumed_at = timezone.now()
            batch.save(update_fields=["starts", "resumed_at"])
            batch.refresh_from_db()
        donors = (
            Receipt.objects.filter(year=year, status=Receipt.Status.VALID)
            .values_list("donor_id", flat=True)
            .distinct()
        )
        Statement.objects.bulk_create(
            [Statement(batch=batch, donor_id=donor_id) for donor_id in donors],
            ignore_conflicts=True,
            batch_size=1000,
        )
        # a retry of this start clears the failures that are worth trying again
        Statement.objects.filter(batch=batch, sending_at__isnull=True).exclude(failure="").update(
            failure="", failure_detail=""
        )
        transaction.on_commit(lambda: _dispatch_later(batch.pk))
    return batch


def _dispatch_later(batch_id: int) -> None:
    from reports import tasks

    tasks.dispatch_statements.delay(batch_id)


def statement_path_name(statement: Statement) -> str:
    return f"statements/{statement.batch.year}/{statement.donor_id}.pdf"


def statement_recipient(*, donor: Donor) -> tuple[str, str]:
    """(address, language) the statement goes to: the person, or the company's contact
    address, else its first administrator."""
    if donor.user is not None:
        return donor.user.email, donor.user.language or settings.LANGUAGE_CODE
    org = donor.organisation
    assert org is not None
    if org.contact_email:
        return org.contact_email, settings.LANGUAGE_CODE
    admin = (
        Membership.objects.filter(organisation=org, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if admin is None:
        return "", settings.LANGUAGE_CODE
    return admin.user.email, admin.user.language or settings.LANGUAGE_CODE


def statement_make(*, statement_id: int) -> bool:
    """Make the statement's PDF (once) and e-mail it (at most once). Returns whether a mail
    went out now."""
    statement = Statement.objects.select_related("batch", "donor__user", "donor__organisation").get(
        pk=statement_id
    )
    if statement.sending_at is not None:
        return False
    if statement.rendered_at is None or not private_exists(statement.pdf):
        _render(statement)
    return _send(statement)


def _render(statement: Statement) -> None:
    year = statement.batch.year
    rows = (
        Receipt.objects.filter(donor_id=statement.donor_id, year=year)
        .select_related("donation__fund")
        .order_by("sequence")
    )
    name = statement_path_name(statement)
    private_save(name, statement_pdf_bytes(donor=statement.donor, year=year, receipts=rows))
    statement.pdf, statement.rendered_at = name, timezone.now()
    Statement.objects.filter(pk=statement.pk).update(pdf=name, rendered_at=statement.rendered_at)


def _send(statement: Statement) -> bool:
    address, language = statement_recipient(donor=statement.donor)
    if not address:
        statement_fail(statement_id=statement.pk, failure=Statement.Failure.NO_ADDRESS)
        return False
    with transaction.atomic():
        claimed = Statement.objects.filter(pk=statement.pk, sending_at__isnull=True).update(
            sending_at=timezone.now()
        )
    if not claimed:
        return False  # another delivery of the same task got here first
    year = statement.batch.year
    with translation.override(language):
        message = EmailMessage(
            subject=_("Your annual statement of gifts, %(year)s") % {"year": year},
            body=render_to_string(
                "reports/email/statement.txt", {"year": year, "donor": statement.donor}
            ),
            to=[address],
        )
    message.attach(f"statement-{year}.pdf", private_read(statement.pdf), "application/pdf")
    try:
        message.send()
    except Exception:
        # the server refused it: nothing left, so it may be tried again
        Statement.objects.filter(pk=statement.pk).update(sending_at=None)
        raise
    Statement.objects.filter(pk=statement.pk).update(
        emailed_at=timezone.now(), emailed_to=address, failure="", failure_detail=""
    )
    return True


def statement_fail(*, statement_id: int, failure: str, detail: str = "") -> None:
    """Record why a statement did not go out; a later start of the batch tries again (except
    an interrupted send, which staff check first)."""
    Statement.objects.filter(pk=statement_id, emailed_at__isnull=True).update(
        failure=failure, failure_detail=detail[:300]
    )
