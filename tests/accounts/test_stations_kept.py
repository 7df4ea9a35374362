"""The open stations are kept between pages and forgotten when a station changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import selectors, services
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.WISHPOOL_STATIONS_SECONDS = 600
    from django.core.cache import cache

    cache.clear()


def test_stations_are_read_once_and_again_after_a_change(django_capture_on_commit_callbacks):
    admin = f.fund_administrator()
    with django_capture_on_commit_callbacks(execute=True):
        station = f.station("梅园驿站")
    assert [s.name for s in selectors.stations_active()] == ["梅园驿站"]
    with CaptureQueriesContext(connection) as queries:
        assert [s.name for s in selectors.stations_active()] == ["梅园驿站"]
    assert len(queries) == 0

    def update(*, is_active: bool) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.station_update(
                station=station,
                by=admin,
                name="梅园社区驿站",
                address="梅园路 1 号",
                district="浦东新区",
                is_active=is_active,
            )

    update(is_active=True)
    assert [s.name for s in selectors.stations_active()] == ["梅园社区驿站"]
    update(is_active=False)
    assert selectors.stations_active() == []
    with django_capture_on_commit_callbacks(execute=True):
        f.station("竹园驿站")
    assert [s.name for s in selectors.stations_active()] == ["竹园驿站"]
