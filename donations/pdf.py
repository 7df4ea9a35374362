"""Receipts and statements as PDF (WeasyPrint; needs Pango and a CJK font on the host)."""

import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from charity.selectors import fund_general
from core.money import chinese_capital
from core.pdf import pdf_from_template
from core.qr import qr_data_uri
from donations.models import Donor, Receipt


def verification_url(receipt: Receipt) -> str:
    # The printed link never changes: the default language's unprefixed path.
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("donations:receipt_verify", args=[receipt.verification_code])
    return settings.SITE_URL.rstrip("/") + path


FUND_NAME_SECONDS = 60
_fund_name: tuple[float, str] | None = None


def fund_name() -> str:
    """The fund's name on every PDF: read once a minute per process, not once per page (a
    PDF worker renders thousands)."""
    global _fund_name
    if settings.WISHPOOL_FUND_NAME:
        return str(settings.WISHPOOL_FUND_NAME)
    now = time.monotonic()
    if _fund_name is None or now - _fund_name[0] > FUND_NAME_SECONDS:
        _fund_name = (now, fund_general().name)
    return _fund_name[1]


def _render(template: str, context: dict[str, Any]) -> bytes:
    return pdf_from_template(template, {"fund_name": fund_name(), **context})


def receipt_pdf_bytes(receipt: Receipt) -> bytes:
    url = verification_url(receipt)
    donation = receipt.donation
    with translation.override("zh-hans"):
        method_zh = donation.get_method_display()
    with translation.override("en"):
        method_en = donation.get_method_display()
    return _render(
        "donations/receipt_pdf.html",
        {
            "receipt": receipt,
            "donation": donation,
            "donor_name": receipt.donor.legal_name,
            "capital": chinese_capital(receipt.amount) if receipt.currency == "CNY" else "",
            "issued_on": timezone.localtime(receipt.issued_at).date(),
            "received_on": timezone.localtime(donation.received_at).date(),
            "method_zh": method_zh,
            "method_en": method_en,
            "verify_url": url,
            # one pixel per module, drawn unsmoothed at 32 mm: an eighth of the pixels to
            # decode and embed, and as sharp on paper
            "qr": qr_data_uri(url, box_size=1),
        },
    )


def statement_pdf_bytes(*, donor: Donor, year: int, receipts: "QuerySet[Receipt]") -> bytes:
    rows = list(receipts)
    total = sum((r.amount for r in rows if r.status == Receipt.Status.VALID), start=Decimal(0))
    return _render(
        "donations/statement_pdf.html",
        {
            "donor_name": donor.legal_name,
            "year": year,
            "receipts": rows,
            "total": total,
            "capital": chinese_capital(total) if total else "零元整",
            "today": timezone.localdate(),
        },
    )
