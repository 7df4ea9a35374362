"""The A4 sheet of QR labels staff stick on equipment: each label's QR opens the item's staff
page (the worker's phone camera is the scanner), with the type in Chinese and the tag in large
print for when there is no phone at hand."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.pdf import pdf_from_template
from core.qr import qr_data_uri
from lending.models import Item

MOST = 240  # ten sheets of 3 × 8 labels of 70 × 37 mm, the common A4 label sheet


def item_url(item: Item) -> str:
    """The printed link never changes: the default language's unprefixed path."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("lending:item", args=[item.tag])
    return settings.SITE_URL.rstrip("/") + path


def label_sheet_pdf(items: list[Item]) -> bytes:
    labels = [
        {"item": item, "qr": qr_data_uri(item_url(item), box_size=6)} for item in items[:MOST]
    ]
    return pdf_from_template("lending/labels_pdf.html", {"labels": labels})
