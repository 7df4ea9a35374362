"""The equipment catalogue at /lending/: prices and availability per station, the same
number of queries however many items there are, no private data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lending import services
from portal import content
from tests.accounts import factories as f
from tests.lending import factories as lf

pytestmark = pytest.mark.django_db


def test_the_catalogue_shows_what_is_free_where_and_when(client):
    content.demo_pages_ensure()
    worker = f.worker()
    type_ = lf.equipment_type()
    lf.items(type_, worker.station)
    busy_station = worker.station
    idle = f.station()
    lf.items(type_, idle, count=2, prefix="ID")
    today = timezone.localdate()
    resident = f.resident(by=worker, real_name="王秀英")
    services.loan_request(
        resident=resident,
        type=type_,
        station=busy_station,
        starts_on=today,
        ends_on=today + timedelta(days=9),
        by=worker,
    )
    page = client.get("/lending/wheelchair/").content.decode()
    assert busy_station.name in page and idle.name in page
    assert (today + timedelta(days=10)).isoformat() in page  # the earliest free day there
    assert "王秀英" not in page and resident.pseudonym not in page
    assert client.get("/en/lending/").status_code == 200
    assert client.get("/lending/no-such-thing/").status_code == 404


def test_catalogue_queries_do_not_grow_with_the_items(client):
    content.demo_pages_ensure()
    type_ = lf.equipment_type()
    station = f.station()
    lf.items(type_, station, count=2, prefix="A")
    client.get("/lending/")
    with CaptureQueriesContext(connection) as few:
        client.get("/lending/")
    lf.items(type_, station, count=30, prefix="B")
    lf.items(lf.equipment_type("walker", name="助行器", name_en="Walker"), f.station(), count=10)
    with CaptureQueriesContext(connection) as many:
        client.get("/lending/")
    assert len(many) <= len(few) + 1  # + one for the second station's row


def test_nearest_stations_first_with_the_walk_from_a_community_or_a_location(client):
    from decimal import Decimal

    from accounts import services as account_services
    from accounts.models import Station

    content.demo_pages_ensure()
    admin = f.fund_administrator()
    type_ = lf.equipment_type()
    far = account_services.station_create(
        name="远处驿站", address="远路 1 号", district="某区", latitude=31.300, longitude=121.600
    )
    near = account_services.station_create(
        name="近处驿站", address="近路 1 号", district="某区", latitude=31.2372, longitude=121.5060
    )
    unplaced = account_services.station_create(
        name="无坐标驿站", address="某路 1 号", district="某区"
    )
    for n, station in enumerate([far, near, unplaced]):
        lf.items(type_, station, prefix=f"N{n}")
    home = account_services.community_create(
        name="梅园一村",
        district="某区",
        latitude=Decimal("31.2372"),
        longitude=Decimal("121.5031"),
        by=admin,
    )
    page = client.get("/lending/wheelchair/", {"community": home.pk}).content.decode()
    # 梅园一村 → 近处驿站: 276 m straight; 1.3 × 276 m at 60 m a minute is 5.98 → 6 minutes
    assert page.index("近处驿站") < page.index("远处驿站") < page.index(unplaced.name)
    assert "步行约 6 分钟" in page or "about 6 minutes on foot" in page
    assert "公里" in page or "km away" in page  # the far one is more than an hour's walk
    # the browser's location works the same way (the button is JavaScript's; the form is not)
    located = client.get("/lending/", {"lat": "31.2999", "lng": "121.5999"}).content.decode()
    assert located.index("远处驿站") < located.index("近处驿站")
    # nonsense is refused with a message and the list stays as it was
    for bad in (
        {"community": "999999"},
        {"community": "x"},
        {"lat": "north", "lng": "1"},
        {"lat": "95", "lng": "1"},
    ):
        response = client.get("/lending/wheelchair/", bad)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    assert Station.objects.count() == 3


def test_only_fund_administrators_add_communities_on_the_map():
    from decimal import Decimal

    from django.core.exceptions import PermissionDenied, ValidationError

    from accounts import services as account_services
    from accounts.models import Community

    admin = f.fund_administrator()
    with pytest.raises(ValidationError):
        account_services.community_create(
            name="错", district="", latitude=Decimal("91"), longitude=Decimal("0"), by=admin
        )
    with pytest.raises(PermissionDenied):
        account_services.community_create(
            name="对", district="", latitude=Decimal("31"), longitude=Decimal("121"), by=f.worker()
        )
    account_services.community_create(
        name="对", district="", latitude=Decimal("31"), longitude=Decimal("121"), by=admin
    )
    with pytest.raises(ValidationError):  # once per name
        account_services.community_create(
            name="对", district="", latitude=Decimal("31"), longitude=Decimal("121"), by=admin
        )
    assert list(Community.objects.values_list("name", flat=True)) == ["对"]


def test_the_shared_availability_is_computed_again_after_any_change(
    client, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    settings.WISHPOOL_CATALOGUE_CACHE_SECONDS = 60
    cache.clear()
    content.demo_pages_ensure()
    worker = f.worker()
    type_ = lf.equipment_type()
    with django_capture_on_commit_callbacks(execute=True):
        lf.items(type_, worker.station)
    first = client.get("/lending/wheelchair/").context["stations"]
    assert [row["free_now"] for row in first] == [1]
    with CaptureQueriesContext(connection) as fresh:
        client.get("/lending/wheelchair/")
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        lf.ask(worker, type_, days=3)
    with CaptureQueriesContext(connection) as recomputed:
        after = client.get("/lending/wheelchair/").context["stations"]
    assert [row["free_now"] for row in after] == [0]
    assert after[0]["earliest"] == today + timedelta(days=3)
    # the shared copy saved the availability queries; the change cost them once again
    assert len(recomputed.captured_queries) > len(fresh.captured_queries)
    cache.clear()
