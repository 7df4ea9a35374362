"""Requesting equipment: the price from the private record, one item per date range, the wait
list when none is free, and bad input refused."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from lending import selectors, services
from lending.models import Loan, WaitlistEntry
from tests.accounts import factories as f
from tests.lending import factories as lf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _ask(resident, type_, worker, start: date, days: int = 7):  # type: ignore[no-untyped-def]
    return services.loan_request(
        resident=resident,
        type=type_,
        station=resident.station,
        starts_on=start,
        ends_on=start + timedelta(days=days - 1),
        by=worker,
    )


@pytest.mark.parametrize(
    "category,proof,expires,free",
    [
        ("dibao", "verified", None, True),
        ("disability", "verified", date(2099, 1, 1), True),
        ("low_income", "verified", date(2000, 1, 1), False),  # proof expired
        ("youfu", "verified", None, False),  # not a category that borrows free
        ("tekun", "pending", None, False),  # proof not seen yet
        (None, None, None, False),
    ],
)
def test_the_price_comes_from_the_private_record(category, proof, expires, free):
    worker = f.worker()
    resident = f.resident(by=worker)
    if category:
        account_services.hardship_record(
            staff=worker,
            resident=resident,
            category=category,
            proof_status=proof,
            expires_on=expires,
        )
    type_ = lf.equipment_type()
    lf.items(type_, worker.station)
    loan = _ask(resident, type_, worker, TODAY() + timedelta(days=1), days=10)
    assert isinstance(loan, Loan) and loan.free is free
    if free:
        assert (loan.fee, loan.deposit) == (0, 0)
    else:
        assert (loan.fee, loan.deposit) == (Decimal("30.00"), Decimal("300.00"))


def test_one_item_is_never_held_twice_for_the_same_days():
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    first, second, later = (f.resident(by=worker) for _ in range(3))
    start = TODAY() + timedelta(days=2)
    assert isinstance(_ask(first, type_, worker, start), Loan)
    waiting = _ask(second, type_, worker, start + timedelta(days=3))  # overlaps
    assert isinstance(waiting, WaitlistEntry)
    assert selectors.waitlist_position(entry=waiting) == 1
    after = _ask(later, type_, worker, start + timedelta(days=7))  # the day after it is back
    assert isinstance(after, Loan) and after.item == item


@pytest.mark.parametrize(
    "start,days,message",
    [
        (-1, 3, "past"),
        (1, 400, "at most"),
        (300, 3, "six months"),
    ],
)
def test_bad_dates_are_refused_and_change_nothing(start, days, message):
    worker = f.worker()
    resident = f.resident(by=worker)
    type_ = lf.equipment_type()
    lf.items(type_, worker.station)
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match=message):
        _ask(resident, type_, worker, TODAY() + timedelta(days=start), days=days)
    assert not Loan.objects.exists() and not WaitlistEntry.objects.exists()


def test_only_the_resident_or_her_station_may_ask():
    worker = f.worker()
    resident = f.resident(by=worker)
    type_ = lf.equipment_type()
    lf.items(type_, worker.station)
    for stranger in (f.worker(), f.UserFactory()):
        with pytest.raises(PermissionDenied):
            _ask(resident, type_, stranger, TODAY())
    assert not Loan.objects.exists()


def test_a_worker_asks_for_a_resident_on_the_screen(client):
    worker = f.worker()
    resident = f.resident(by=worker)
    type_ = lf.equipment_type()
    lf.items(type_, worker.station)
    client.force_login(worker)
    start = TODAY() + timedelta(days=1)
    data = {
        "resident": str(resident.pk),
        "type": type_.slug,
        "station": str(worker.station_id),
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=4)).isoformat(),
    }
    page = client.post(reverse("lending:request"), data)
    assert page.status_code == 200 and Loan.objects.get().resident == resident
    assert "¥15.00" in page.content.decode()
    bad = client.post(reverse("lending:request"), {**data, "ends_on": "2000-01-01"})
    assert bad.status_code == 200 and Loan.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_wheelchair_goes_to_exactly_one_of_twenty():
    worker = f.worker()
    type_ = lf.equipment_type()
    lf.items(type_, worker.station)
    residents = [f.resident(by=worker) for _ in range(20)]
    start = TODAY() + timedelta(days=1)
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def press(i: int) -> None:
        try:
            barrier.wait()
            _ask(residents[i], type_, worker, start)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Loan.objects.filter(status="reserved").count() == 1
    assert WaitlistEntry.objects.filter(status="waiting").count() == 19
    positions = sorted(selectors.waitlist_position(entry=e) for e in WaitlistEntry.objects.all())
    assert positions == list(range(1, 20))


@pytest.mark.postgres
def test_the_database_itself_refuses_overlapping_loans():
    worker = f.worker()
    type_ = lf.equipment_type()
    (item,) = lf.items(type_, worker.station)
    start = TODAY() + timedelta(days=1)
    loan = _ask(f.resident(by=worker), type_, worker, start)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(
            item=item,
            resident=f.resident(by=worker),
            requested_by=worker,
            starts_on=start + timedelta(days=2),
            ends_on=start + timedelta(days=9),
            free=True,
        )
    assert Loan.objects.count() == 1 and loan.pk
