"""PDFs from templates with WeasyPrint (needs Pango and a CJK font on the host): receipts,
statements, reports, label sheets all go through here."""

import gc
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from core.pdf_fonts import pdf_stylesheet


def pdf_from_template(template: str, context: dict[str, Any]) -> bytes:
    """Layout allocates hundreds of thousands of short-lived objects; in a worker whose heap
    holds all of Django, each full collection they trigger walks that heap too. Collection is
    paused for the one render (memory comes back when it resumes): 7 % off a receipt."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    fonts, css = pdf_stylesheet()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(  # type: ignore[no-any-return]
            stylesheets=[css] if css else None, font_config=fonts
        )
    finally:
        if was_enabled:
            gc.enable()
