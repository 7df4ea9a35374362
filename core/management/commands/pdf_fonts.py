"""Build the PDFs' cut-down CJK font from the host's Noto Sans CJK SC (core/pdf_fonts.py)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.pdf_fonts import pdf_fonts_build


class Command(BaseCommand):
    help = "Build the PDFs' fonts (a few seconds; once per host, again after an upgrade)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Build it even if it exists.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        paths = pdf_fonts_build(force=force)
        if not paths:
            self.stdout.write(
                _("Noto Sans CJK SC is not installed (fonts-noto-cjk): PDFs use the host's fonts.")
            )
        for path in paths.values():
            self.stdout.write(_("PDF font ready: %(path)s") % {"path": path})
