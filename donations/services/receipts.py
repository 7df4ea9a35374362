"""Receipts: numbered without gaps, never deleted, voided with a reason, replaced where needed."""

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.files import private_read, private_save
from core.transitions import transition_record
from donations.models import Donation, Receipt, ReceiptCounter

SERIES = "WP"


def _returning() -> bool:
    """Whether the database answers an upsert with its row (not SQLite before 3.35)."""
    return bool(connection.features.can_return_columns_from_insert)


def _next_number(*, series: str, year: int) -> int:
    """Take the series' next number, locking its counter row for the rest of the posting
    transaction.

    A rolled-back posting rolls the counter back too, so numbers have no gaps; the row
    lock makes concurrent postings take numbers one after another, so none is reused. One
    statement (an upsert) creates the year's row, locks it and counts on.
    """
    if not _returning():
        ReceiptCounter.objects.bulk_create(
            [ReceiptCounter(series=series, year=year)], ignore_conflicts=True
        )
        counter = ReceiptCounter.objects.select_for_update().get(series=series, year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return counter.last_number
    table = connection.ops.quote_name(ReceiptCounter._meta.db_table)  # ours, not input
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (series, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [series, year],
        )
        return int(cursor.fetchone()[0])


def receipt_issue(
    *, donation: Donation, amount: Decimal | None = None, replaces: Receipt | None = None
) -> Receipt:
    """Number and record a receipt, in the transaction that posts the donation; the PDF
    is rendered after commit."""
    from donations import tasks

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("receipt_issue must run inside the posting transaction")
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    sequence = _next_number(series=SERIES, year=year)
    recipient = receipt_recipient(donation=donation)
    receipt = Receipt.objects.create(
        number=f"{SERIES}-{year}-{sequence:06d}",
        series=SERIES,
        year=year,
        sequence=sequence,
        donation=donation,
        donor=donation.donor,
        amount=amount if amount is not None else donation.amount,
        currency=donation.currency,
        issued_at=issued_at,
        language=getattr(recipient, "language", None) or settings.LANGUAGE_CODE,
        replaces=replaces,
    )
    transaction.on_commit(lambda: tasks.render_receipt.delay(receipt.pk))
    return receipt


def receipt_void(*, receipt: Receipt, reason: str, by: User | None = None) -> Receipt:
    """Void with a reason; the receipt stays, marked void. A repeat changes nothing."""
    from donations import tasks

    if not reason.strip():
        raise ValueError("A void needs a reason.")
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == Receipt.Status.VOID:
            return receipt
        receipt.status = Receipt.Status.VOID
        receipt.void_reason = reason.strip()[:255]
        receipt.voided_at = timezone.now()
        receipt.save(update_fields=["status", "void_reason", "voided_at"])
        transition_record(obj=receipt, from_state="valid", to_state="void", by=by, reason=reason)
        transaction.on_commit(lambda: tasks.render_receipt.delay(receipt.pk, email=False))
        return receipt


def receipt_recipient(*, donation: Donation) -> User | None:
    """Who gets the receipt: the person who pledged, else the person donor."""
    if donation.pledge_id is not None:
        return donation.pledge.created_by  # type: ignore[union-attr]
    return donation.donor.user


def receipt_name(receipt: Receipt) -> str:
    """The receipt's one file in private storage."""
    return f"receipts/{receipt.year}/{receipt.number}.pdf"


def receipt_pdf_render(*, receipt_id: int) -> str:
    """Render the PDF to its one name (replaced whole), so running twice leaves one file."""
    from donations.pdf import receipt_pdf_bytes

    receipt = Receipt.objects.select_related(
        "donation__fund", "donor__organisation", "donor__user"
    ).get(pk=receipt_id)
    data = receipt_pdf_bytes(receipt)
    name = private_save(receipt_name(receipt), data)
    Receipt.objects.filter(pk=receipt.pk).update(pdf_path=name, pdf_rendered_at=timezone.now())
    return name


def receipt_email_send(*, receipt_id: int) -> bool:
    """E-mail the PDF once, in the recipient's language. Returns whether a mail went out."""
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("donation__pledge", "donor__organisation")
            .get(pk=receipt_id)
        )
        if receipt.emailed_at is not None or receipt.status != Receipt.Status.VALID:
            return False
        recipient = receipt_recipient(donation=receipt.donation)
        address = (
            recipient.email
            if recipient
            else receipt.donor.organisation and receipt.donor.organisation.contact_email
        )
        if not address:
            return False
        with translation.override(receipt.language):
            message = EmailMessage(
                subject=_("Your donation receipt %(number)s") % {"number": receipt.number},
                body=render_to_string("donations/email/receipt.txt", {"receipt": receipt}),
                to=[address],
            )
        message.attach(
            f"{receipt.number}.pdf", private_read(receipt_name(receipt)), "application/pdf"
        )
        message.send()
        receipt.emailed_at = timezone.now()
        receipt.save(update_fields=["emailed_at"])
        return True
