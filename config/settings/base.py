"""Settings shared by every environment. All environment is read here (django-environ)."""

from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file is read only where asked for (dev settings ask; tests never do), so a
# developer's .env cannot change what the test suite sees.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("WISHPOOL_SITE_URL", default="http://127.0.0.1:8000")

# Database: PostgreSQL in production; SQLite (WAL, immediate transactions) by default.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'wishpool.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "core",
    "accounts",
    "charity",
    "donations",
    "wishes",
    "lending",
    "reports",
    "portal",
    "api",
    # Open data
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "csp",
    # allauth
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # anonymous copies of the wish board: inside every header-setting middleware above,
    # before sessions, locale and auth (wishes/cache.py)
    "wishes.cache.BoardCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.site",
                "accounts.context_processors.nav",
            ]
        },
    }
]

# Users: e-mail login, allauth for every login (site, Wagtail admin, Django admin).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("WISHPOOL_HTTP_PROTOCOL", default="https")
# Behind a reverse proxy every request comes from the proxy: allauth's rate limits (ten failed
# logins a minute per address) must count the client's address from X-Forwarded-For, taking
# the entry this many proxies from the end (0: no proxy, use the connection's address).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Wishpool"

# Internationalisation: zh-hans first and unprefixed, English under /en/.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Money: one currency by default; amounts are Decimal with two places (core.money).
WISHPOOL_CURRENCY = env("WISHPOOL_CURRENCY", default="CNY")
WISHPOOL_FUND_NAME = env("WISHPOOL_FUND_NAME", default="")
# the PDFs' cut-down CJK font, built by `manage.py pdf_fonts` (core/pdf_fonts.py)
WISHPOOL_PDF_FONT_DIR = env("WISHPOOL_PDF_FONT_DIR", default=str(VAR_DIR / "fonts"))

# Open data (/api/v1/): read by anyone, from any origin; cached and rate-limited per client.
WISHPOOL_API_CACHE_SECONDS = env.int("WISHPOOL_API_CACHE_SECONDS", default=60)
WISHPOOL_API_RATE = env("WISHPOOL_API_RATE", default="120/min")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.views.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # behind a load balancer the client is the address it adds last (X-Forwarded-For)
    "NUM_PROXIES": env.int("WISHPOOL_NUM_PROXIES", default=0) or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Wishpool open data",
    "DESCRIPTION": (
        "Read-only figures of the community charity pool: balances, money in and out by "
        "month, wishes and loans counted, and the public list of gifts. Only public data."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_URLCONF": "api.urls",  # the open data only, never Wagtail's admin API
    "DEFAULT_GENERATOR_CLASS": "api.schema.OpenDataSchemaGenerator",
    "COMPONENT_SPLIT_REQUEST": True,
}
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
# A statement mail started this long ago and not finished: its worker died mid-send.
WISHPOOL_SEND_STUCK_SECONDS = env.int("WISHPOOL_SEND_STUCK_SECONDS", default=300)
# Account mails (allauth) go out as "[the fund's name] …"; without a name, the site's name in
# the recipient's language (AccountAdapter renders each mail in that language).
ACCOUNT_EMAIL_SUBJECT_PREFIX = format_lazy("[{}] ", WISHPOOL_FUND_NAME or gettext_lazy("Wishpool"))
# Anonymous visitors share a copy of each wish board page for this long (0: never cached).
WISHPOOL_BOARD_CACHE_SECONDS = env.int("WISHPOOL_BOARD_CACHE_SECONDS", default=60)
# the board's counts, kept until a wish changes (or this long)
WISHPOOL_BOARD_COUNT_SECONDS = env.int("WISHPOOL_BOARD_COUNT_SECONDS", default=600)
# the open stations (the board's filters), kept until a station changes (or this long)
WISHPOOL_STATIONS_SECONDS = env.int("WISHPOOL_STATIONS_SECONDS", default=3600)
# balances and flows, kept until an entry is posted (or this long)
WISHPOOL_FIGURES_SECONDS = env.int("WISHPOOL_FIGURES_SECONDS", default=600)
# The equipment catalogue's availability, shared by every visitor; a change starts afresh.
WISHPOOL_CATALOGUE_CACHE_SECONDS = env.int("WISHPOOL_CATALOGUE_CACHE_SECONDS", default=60)
# A chip-in that arrives when the wish needs nothing more: "pool" (keep it for the general
# pool and tell the donor) or "refund".
WISHPOOL_WISH_OVERFLOW = env("WISHPOOL_WISH_OVERFLOW", default="pool")
# `seed_demo` creates staff with a published password: allowed everywhere but production.
WISHPOOL_DEMO_ALLOWED = True
# Members-only pledging (Charity Law): on in production, off in the demo.
WISHPOOL_MEMBERS_ONLY = env.bool("WISHPOOL_MEMBERS_ONLY", default=False)

# Files
STATIC_URL = "/static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = env("WISHPOOL_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # receipts, statements, reports, annual-report PDFs and photos: never a public address
    "private": {"BACKEND": "core.files.PrivateFileStorage"},
}
# Several web hosts and the PDF workers share files through an S3-compatible object store.
WISHPOOL_S3_BUCKET = env("WISHPOOL_S3_BUCKET", default="")
if WISHPOOL_S3_BUCKET:
    _S3 = {
        "bucket_name": WISHPOOL_S3_BUCKET,
        "endpoint_url": env("WISHPOOL_S3_ENDPOINT_URL", default=None),
        "region_name": env("WISHPOOL_S3_REGION", default=None),
        "access_key": env("WISHPOOL_S3_ACCESS_KEY", default=None),
        "secret_key": env("WISHPOOL_S3_SECRET_KEY", default=None),
        "default_acl": None,  # the bucket's own policy: private
        "file_overwrite": True,  # a file re-rendered replaces its one name
        "querystring_auth": True,  # any URL handed out is signed and short-lived
        "querystring_expire": env.int("WISHPOOL_S3_URL_SECONDS", default=3600),
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3, "location": "private"},
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3, "location": "media"},
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Browser policies. The public site runs no inline script and loads nothing from elsewhere;
# forms post to the site itself, whose answer may send the browser on to Stripe Checkout.
# Style attributes are allowed (the thermometers on /transparency/ set their width with one).
# The Wagtail and Django admins use inline scripts and styles, so they keep no policy of
# their own here; they still get the other security headers.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],  # data: for the TOTP QR code
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, "https://checkout.stripe.com"],
    },
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}


def cache_config(*, default: str | None = None) -> dict[str, Any]:
    """CACHE_URL as Django's cache settings (required where there is no default); Redis
    through core.redis_cache (one client per server instead of one per operation)."""
    config: dict[str, Any] = (
        env.cache("CACHE_URL") if default is None else env.cache("CACHE_URL", default=default)
    )
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "core.redis_cache.RedisCache"
    return config


# Cache: shared by all processes (rate limits, pages). Redis in production.
CACHES = {"default": cache_config(default=f"filecache://{VAR_DIR / 'cache'}")}

# E-mail
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Wishpool <noreply@wishpool.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: RabbitMQ in production (Redis possible); see docs/decisions/0012-rabbitmq-broker.md.
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
# Every retry delay stays under the Redis visibility timeout (a retried message is never
# redelivered to a second worker while the first still waits on it) and under RabbitMQ's
# consumer timeout (30 min: a worker holding an unacknowledged countdown longer is cut off).
CELERY_MAX_RETRY_DELAY = min(600, CELERY_BROKER_VISIBILITY_TIMEOUT // 2)


def broker_transport_options(url: str) -> dict[str, object]:
    """RabbitMQ confirms every publish (a task is never lost between us and the broker);
    Redis hands an unacknowledged message out again only after its visibility timeout."""
    if url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return {"confirm_publish": True}
    if url.startswith(("redis://", "rediss://")):
        return {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
    return {}


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
# A message whose worker dies this many times is set aside (core.TaskQuarantine).
CELERY_MAX_DELIVERIES = env.int("CELERY_MAX_DELIVERIES", default=3)

# Stripe (issue 3 builds the payment flow on these).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")

WAGTAIL_SITE_NAME = "Wishpool"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "/cms/login/"  # our view: allauth for visitors, 403 for non-staff
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
