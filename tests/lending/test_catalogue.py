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
