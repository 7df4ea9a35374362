"""pytest: PostgreSQL when DATABASE_URL says so or CI is set, else SQLite. Never reads .env."""

import os

os.environ["DJANGO_READ_DOT_ENV_FILE"] = "false"

from .base import *

if "DATABASE_URL" not in env and env.bool("CI", default=False):
    DATABASES = {"default": env.db_url_config("postgres://postgres@127.0.0.1:5432/wishpool")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and "DATABASE_URL" not in env:
    DATABASES["default"]["NAME"] = str(VAR_DIR / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)

DEBUG = False
SECRET_KEY = "test-only-not-secret-" + "x" * 40
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if env("TEST_EMAIL_FILE_PATH", default=""):  # a worker process started by a test: mail to files
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("TEST_EMAIL_FILE_PATH")
CACHES = {"default": cache_config(default="locmemcache://")}
# a web process started by a test may keep sessions as production does (cached_db on Redis)
# A test's changes are never committed, so the board's generation never moves on inside one:
# counts are taken fresh (tests/wishes/test_board_counts.py turns the keeping on, committing).
WISHPOOL_BOARD_COUNT_SECONDS = env.int("WISHPOOL_BOARD_COUNT_SECONDS", default=0)
WISHPOOL_FIGURES_SECONDS = env.int("WISHPOOL_FIGURES_SECONDS", default=0)  # the same, for the books
WISHPOOL_STATIONS_SECONDS = env.int("WISHPOOL_STATIONS_SECONDS", default=0)  # and for stations
SESSION_ENGINE = env("TEST_SESSION_ENGINE", default="django.contrib.sessions.backends.db")
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
ACCOUNT_RATE_LIMITS = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = str(VAR_DIR / "test-media")
PRIVATE_MEDIA_ROOT = env("WISHPOOL_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "test-private"))
WAGTAILADMIN_BASE_URL = "http://testserver"

# Tests share one local cache across many databases' worth of rows: the catalogue computes
# afresh unless a test turns its cache on (tests/lending/test_catalogue.py does).
WISHPOOL_CATALOGUE_CACHE_SECONDS = env.int("WISHPOOL_CATALOGUE_CACHE_SECONDS", default=0)
