"""Which system parts this machine has; tests marked with a missing part are skipped."""

import shutil
import socket
import subprocess
from functools import cache

from django.conf import settings


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@cache
def missing(part: str) -> str | None:
    """None if the part is here, else why not."""
    if part == "postgres":
        engine = settings.DATABASES["default"]["ENGINE"]
        return (
            None
            if "postgresql" in engine
            else "the tests run on SQLite (set DATABASE_URL=postgres://… or CI=true)"
        )
    if part == "rabbitmq":
        return (
            None if _answers("127.0.0.1", 5672) else "RabbitMQ is not answering on localhost:5672"
        )
    if part == "redis":
        return None if _answers("127.0.0.1", 6379) else "Redis is not answering on localhost:6379"
    if part == "chromium":
        return None if shutil.which("chromium") else "Debian's chromium is not installed"
    if part == "poppler":
        return None if shutil.which("pdftotext") else "poppler-utils (pdftotext) is not installed"
    if part == "zbar":
        return None if shutil.which("zbarimg") else "zbar-tools (zbarimg) is not installed"
    if part == "cjk_pdf":
        try:
            import weasyprint  # noqa: F401
        except OSError as exc:
            return f"WeasyPrint cannot load Pango: {exc}"
        out = subprocess.run(
            ["fc-list", ":lang=zh"], capture_output=True, text=True, check=False
        ).stdout
        return None if out.strip() else "no CJK font (fonts-noto-cjk) for Pango"
    raise ValueError(part)


PARTS = ("postgres", "redis", "rabbitmq", "chromium", "poppler", "cjk_pdf", "zbar")
