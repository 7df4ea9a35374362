"""PDFs from templates with WeasyPrint (needs Pango and a CJK font on the host): receipts,
statements, reports, label sheets all go through here."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


def pdf_from_template(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
