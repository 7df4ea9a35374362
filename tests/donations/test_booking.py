"""A Stripe payment is booked in one transaction under the pledge's lock, looking for the
payment once there: no second look and no savepoints inside the booking."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from charity.models import Account, LedgerEntry
from charity.selectors import fund_general
from charity.services import Leg, account_get, entry_write
from donations.models import Donation
from donations.services import gifts, pledges, stripe_events
from tests.donations.helpers import company_donor, money_pledge

pytestmark = [pytest.mark.django_db, pytest.mark.cjk_pdf]  # receipts are rendered on the way


def _paid_intent(stripe_world) -> dict:  # type: ignore[no-untyped-def]
    checkout = pledges.checkout_start(
        pledge=money_pledge("500"), success_url="http://t/s", cancel_url="http://t/c"
    )
    _session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    return intent


def test_a_payment_is_looked_for_once_under_the_lock_and_booked_without_savepoints(
    stripe_world,
):
    # a first payment makes the accounts and this year's receipt counter
    assert stripe_events.donation_from_payment_intent(_paid_intent(stripe_world)["id"])
    intent = _paid_intent(stripe_world)
    with CaptureQueriesContext(connection) as seen:
        donation = stripe_events.donation_from_payment_intent(intent["id"])
    assert donation is not None and donation.amount == Decimal("500.00")
    sql = [q["sql"] for q in seen.captured_queries]
    # from the pledge's lock to the receipt: the gift, its entry and legs, with no savepoint
    start = next(i for i, s in enumerate(sql) if s.startswith('SELECT "donations_pledge"'))
    end = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "donations_receipt"'))
    assert not [s for s in sql[start:end] if "SAVEPOINT" in s], sql[start:end]
    looks = [s for s in sql if s.startswith('SELECT "donations_donation"')]
    assert len(looks) == 2, looks  # before asking Stripe, then under the pledge's lock
    assert not [s for s in sql if s.startswith('SELECT "charity_ledgerentry"')]
    # a repeat returns the same donation and posts nothing
    entries = LedgerEntry.objects.count()
    assert stripe_events.donation_from_payment_intent(intent["id"]) == donation
    assert LedgerEntry.objects.count() == entries


def test_booking_the_same_payment_twice_is_refused_by_the_database(stripe_world):
    intent = _paid_intent(stripe_world)
    donation = stripe_events.donation_from_payment_intent(intent["id"])
    assert donation is not None
    fund = fund_general()
    legs = [
        Leg(account_get(kind=Account.Kind.STRIPE_CLEARING, currency="CNY"), Decimal("500")),
        Leg(account_get(kind=Account.Kind.FUND, fund=fund), Decimal("-500")),
    ]
    before = (Donation.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(IntegrityError), transaction.atomic():
        gifts.donation_book(
            donor=donation.donor,
            fund=fund,
            amount=Decimal("500"),
            currency="CNY",
            method="card",
            legs=legs,
            stripe_payment_intent=intent["id"],
        )
    assert (Donation.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.django_db(transaction=True)
def test_booking_and_writing_refuse_outside_the_callers_transaction():
    fund = fund_general()
    legs = [
        Leg(account_get(kind=Account.Kind.CASH), Decimal("1")),
        Leg(account_get(kind=Account.Kind.FUND, fund=fund), Decimal("-1")),
    ]
    with pytest.raises(RuntimeError):
        entry_write(kind=LedgerEntry.Kind.DONATION, memo="x", legs=legs)
    with pytest.raises(RuntimeError):
        gifts.donation_book(
            donor=company_donor(),
            fund=fund,
            amount=Decimal("1"),
            currency="CNY",
            method="cash",
            legs=legs,
        )
    assert LedgerEntry.objects.count() == 0
