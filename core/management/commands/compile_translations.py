"""Compile the project's .po catalogues into .mo files.

Uses GNU gettext's msgfmt when the machine has it (as `compilemessages` does), and otherwise
polib, so `make run` works on a machine with nothing but Python installed.
"""

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo (msgfmt if present, else pure Python)."

    def handle(self, *args: Any, **options: Any) -> None:
        if shutil.which("msgfmt"):
            call_command("compilemessages", ignore_patterns=[".venv", "var"], verbosity=0)
            return
        import polib

        count = 0
        for root in settings.LOCALE_PATHS:
            for po_path in Path(root).glob("*/LC_MESSAGES/*.po"):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} catalogues with polib (msgfmt is not installed).")
