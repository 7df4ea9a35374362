"""`make run`: SQLite, a Celery broker in a SQLite file, e-mails into var/mail/."""

import os

import kombu.transport.sqlalchemy

# `make run` reads a developer's .env (Stripe test keys, say); see base.py.
os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "true")

from .base import *

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-" + "x" * 40
ALLOWED_HOSTS = ["*"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
if "EMAIL_URL" not in env:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# The SQLAlchemy transport polls every second by default; a shorter class-level
# interval gives ~30 ms round trips. (Passing it via broker_transport_options crashes.)
kombu.transport.sqlalchemy.Transport.polling_interval = 0.05
LOGGING["loggers"].update(  # type: ignore[attr-defined]  # keep `make run` readable
    {name: {"level": "WARNING"} for name in ("wagtail", "django_tasks", "celery.beat")}
)
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}
