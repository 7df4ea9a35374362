import os

import pytest

from tests import parts

_skipped: list[tuple[str, str]] = []


def pytest_report_header(config: pytest.Config) -> list[str]:
    from django.conf import settings

    db = settings.DATABASES["default"]
    where = (
        db["NAME"]
        if "sqlite" in db["ENGINE"]
        else f"{db.get('HOST') or 'socket'}:{db.get('PORT') or ''}"
    )
    return [f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({where})"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for part in parts.PARTS:
            if item.get_closest_marker(part):
                reason = parts.missing(part)
                if reason:
                    item.add_marker(pytest.mark.skip(reason=f"needs {part}: {reason}"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append((report.nodeid, str(reason)))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if not _skipped or hasattr(config, "workerinput"):
        return
    terminalreporter.section("skipped for a missing system part")
    for nodeid, reason in sorted(set(_skipped)):
        terminalreporter.write_line(f"SKIPPED {nodeid}: {reason}")
    if os.environ.get("CI") == "true":
        terminalreporter.write_line("CI=true: a skipped test fails the run.", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and os.environ.get("CI") == "true" and not hasattr(session.config, "workerinput"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _language():  # type: ignore[no-untyped-def]
    """Every test starts in the site's default language, whatever an earlier one left."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache: nothing kept by an earlier test's data shows."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def _baseline_ensure() -> None:
    """Re-create what the data migrations made if a transactional test's flush removed it.

    With --reuse-db the database outlives a run, and a flush at the end of a
    transactional test would otherwise leave the next run without roles, the main
    warehouse or Wagtail's root page.
    """
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    ContentType.objects.clear_cache()  # a flush gave the content types new ids
    if Page.get_first_root_node() is None:  # first: the editors' page permissions hang on it
        locale = Locale.objects.get_or_create(language_code="zh-hans")[0]
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))
    importlib.import_module("accounts.migrations.0002_roles").create_roles(apps, None)
    importlib.import_module("accounts.migrations.0003_warehouse").create_main(apps, None)
    importlib.import_module("charity.migrations.0004_funds").create_funds(apps, None)
    importlib.import_module("donations.migrations.0007_fund_admin_views").grant(apps, None)
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    importlib.import_module("accounts.migrations.0004_editor_collections").grant(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        _baseline_ensure()


@pytest.fixture(autouse=True)
def _baseline_for_transactional(request):  # type: ignore[no-untyped-def]
    """A transactional test starts from a flushed database: put the migrations' data back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _baseline_ensure()


@pytest.fixture(scope="session")
def localstripe_url():  # type: ignore[no-untyped-def]
    """localstripe (a fake, stateful Stripe server) on loopback, one per test process."""
    from tests.donations import stripe_harness as h

    proc, url = h.start_localstripe()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_world(localstripe_url, settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Payments configured against localstripe, with the Checkout boundary in front of it."""
    from donations import stripe_gateway
    from tests.donations import stripe_harness as h

    settings.STRIPE_SECRET_KEY = h.API_KEY
    settings.STRIPE_WEBHOOK_SECRET = h.WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe_url
    boundary = h.CheckoutBoundary()
    monkeypatch.setattr(stripe_gateway, "http_client", boundary)
    return h.Stripe(localstripe_url, boundary)


BROKER_URLS = {
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
    "redis": "redis://127.0.0.1:6379/15",
}


def _celery_use(url: str) -> None:
    from config.celery import app as celery_app
    from config.settings.base import broker_transport_options

    os.environ.pop("CELERY_BROKER_URL", None)  # Celery prefers it to its own setting
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = broker_transport_options(url)
    celery_app._pool = None  # kombu keeps one pool per broker address; pick the new one
    celery_app.amqp._producer_pool = None


@pytest.fixture(
    params=[
        pytest.param("rabbitmq", marks=pytest.mark.rabbitmq),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def broker(request):  # type: ignore[no-untyped-def]
    """A real broker for worker tests, each test run on RabbitMQ and on Redis; tasks go to it
    (not run eagerly) and tests.core.worker starts workers against it."""
    from config.celery import app as celery_app

    before = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    _celery_use(BROKER_URLS[request.param])
    celery_app.conf.task_always_eager = False
    yield request.param
    celery_app.conf.task_always_eager = before[1]
    _celery_use(before[0])
