"""A loan's fee and deposit paid through Stripe Checkout (localstripe), part of the deposit
kept for damage, the rest refunded through Stripe; replaying every event changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from charity.models import LedgerEntry, LedgerLeg
from donations.models import Donation, Receipt, Refund
from donations.selectors import giving_for_user
from lending import services
from lending.models import Loan
from lending.services import payments
from portal.selectors import transparency
from tests.accounts import factories as f
from tests.donations import stripe_harness as h
from tests.lending import factories as lf

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _balance(kind: str, fund_code: str | None = None) -> Decimal:
    legs = LedgerLeg.objects.filter(account__kind=kind)
    if fund_code:
        legs = legs.filter(account__fund__code=fund_code)
    return legs.aggregate(s=Sum("amount"))["s"] or Decimal("0")


def _snapshot() -> tuple[int, int, int, Decimal]:
    return (
        LedgerEntry.objects.count(),
        Refund.objects.count(),
        Donation.objects.count(),
        _balance("deposits_held"),
    )


def _borrower_and_loan(worker):  # type: ignore[no-untyped-def]
    resident = f.resident(by=worker)
    user = f.UserFactory(kind="resident")
    account_services.resident_link_user(worker=worker, resident=resident, email=user.email)
    type_ = lf.equipment_type(daily_fee=Decimal("3"), deposit=Decimal("300"))
    (item,) = lf.items(type_, worker.station)
    today = timezone.localdate()
    loan = services.loan_request(
        resident=resident,
        type=type_,
        station=worker.station,
        starts_on=today,
        ends_on=today + timedelta(days=4),
        by=worker,
    )
    assert isinstance(loan, Loan) and loan.amount_due == Decimal("315.00")
    return user, item, loan


def _checkout(client, user, loan):  # type: ignore[no-untyped-def]
    """The borrower presses "Pay online": the Checkout the loan's pledge opened."""
    client.force_login(user)
    client.post(reverse("lending:pay", args=[loan.pk]))
    loan.refresh_from_db()
    return loan.pledge.checkouts.get()


def _paid_at_stripe(client, stripe_world, capture, checkout):  # type: ignore[no-untyped-def]
    """The borrower pays in Checkout (localstripe) and Stripe says so by webhook."""
    session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    with capture(execute=True):
        assert h.deliver(client, h.event("checkout.session.completed", session)).status_code == 200
    return session, intent


def test_fee_and_deposit_through_checkout_then_part_kept_and_the_rest_refunded(
    client, stripe_world, django_capture_on_commit_callbacks
):
    worker = f.worker()
    user, item, loan = _borrower_and_loan(worker)
    client.force_login(user)
    # Pay twice: one pledge, one Checkout
    first = client.post(reverse("lending:pay", args=[loan.pk]))
    again = client.post(reverse("lending:pay", args=[loan.pk]))
    assert first.status_code == 302 and first["Location"] == again["Location"]
    loan.refresh_from_db()
    checkout = loan.pledge.checkouts.get()
    session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    paid_events = [
        h.event("checkout.session.completed", session),
        h.event("payment_intent.succeeded", intent),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for evt in paid_events:
            assert h.deliver(client, evt).status_code == 200
    loan.refresh_from_db()
    assert loan.paid_at is not None and loan.paid_by == Loan.Payment.ONLINE
    donation = Donation.objects.get(pledge=loan.pledge)
    # a payment for a service: no receipt, not a gift anywhere
    assert donation.is_gift is False and donation.entry.kind == LedgerEntry.Kind.FEE
    assert not Receipt.objects.filter(donation=donation).exists()
    assert all(d.pk != donation.pk for d in transparency()["recent"])
    assert all(
        not group["donations"] and not group["pledges"] for group in giving_for_user(user=user)
    )
    # the fee is the lending fund's income, the deposit is held
    assert _balance("fund", "lending") == Decimal("-15.00")
    assert _balance("deposits_held") == Decimal("-300.00")

    # at the station: out, back damaged, part of the deposit kept with a reason
    client.force_login(worker)
    url = reverse("lending:item", args=[item.tag])
    client.post(url, {"action": "checkout"})
    client.post(url, {"action": "checkin", "condition": "damaged", "note": "刹车失灵"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "deposit", "kept": "80", "reason": "刹车需更换"})
        client.post(url, {"action": "deposit", "kept": "80", "reason": "刹车需更换"})  # a repeat
    loan.refresh_from_db()
    assert (loan.deposit_kept, loan.deposit_returned) == (Decimal("80.00"), Decimal("220.00"))
    refund = Refund.objects.get(donation=donation)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == Decimal("220.00")
    assert loan.deposit_refund_id == refund.pk and loan.deposit_refunded_at is not None
    refunds_at_stripe = stripe_world.sdk.v1.refunds.list(params={"payment_intent": intent["id"]})
    assert [r.amount for r in refunds_at_stripe.data] == [22000]
    # deposits held back to zero; the kept part is income; the ledger balances
    assert _balance("deposits_held") == Decimal("0")
    assert _balance("fund", "lending") == Decimal("-95.00")
    assert LedgerLeg.objects.aggregate(s=Sum("amount"))["s"] == 0

    # replay every event, twice: nothing changes
    before = _snapshot()
    charge = stripe_world.charge_of(intent)
    stripe_refund = refunds_at_stripe.data[0]
    replay = [
        *paid_events,
        h.event("charge.refunded", charge),
        h.event("refund.created", stripe_refund.to_dict()),
        h.event("refund.updated", stripe_refund.to_dict()),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for evt in replay + replay:
            assert h.deliver(client, evt).status_code == 200
    assert _snapshot() == before
    loan.refresh_from_db()
    assert loan.deposit_returned == Decimal("220.00") and loan.paid_by == Loan.Payment.ONLINE
    # the borrower sees what was kept, why, and that the rest was refunded
    client.force_login(user)
    page = client.get(reverse("lending:mine")).content.decode()
    assert "刹车需更换" in page and "¥220" in page


def test_a_payment_for_a_loan_already_paid_in_cash_goes_back(
    client, stripe_world, django_capture_on_commit_callbacks
):
    worker = f.worker()
    user, item, loan = _borrower_and_loan(worker)
    checkout = _checkout(client, user, loan)
    payments.loan_pay_cash(loan=loan, by=worker)  # paid at the station meanwhile
    _session, intent = _paid_at_stripe(
        client, stripe_world, django_capture_on_commit_callbacks, checkout
    )
    loan.refresh_from_db()
    assert loan.paid_by == Loan.Payment.CASH
    donation = Donation.objects.get(stripe_payment_intent=intent["id"])
    assert donation.is_gift is False and donation.status == Donation.Status.REFUNDED
    assert not Receipt.objects.filter(donation=donation).exists()
    # the cash is what is held; the online money went back whole
    assert _balance("deposits_held") == Decimal("-300.00")
    assert LedgerLeg.objects.aggregate(s=Sum("amount"))["s"] == 0


def test_only_the_borrower_pays_their_own_loan_online(client, stripe_world):
    worker = f.worker()
    _user, _item, loan = _borrower_and_loan(worker)
    stranger = f.UserFactory(kind="resident")
    client.force_login(stranger)
    assert client.post(reverse("lending:pay", args=[loan.pk])).status_code == 404
    loan.refresh_from_db()
    assert loan.pledge_id is None


def test_a_deposit_refund_never_sent_is_sent_by_beat_and_other_refunds_are_refused(
    client, stripe_world, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from donations.services import refunds

    worker = f.worker()
    user, item, loan = _borrower_and_loan(worker)
    checkout = _checkout(client, user, loan)
    _paid_at_stripe(client, stripe_world, django_capture_on_commit_callbacks, checkout)
    loan.refresh_from_db()
    donation = Donation.objects.get(pledge=loan.pledge)
    # cash is refused for a loan paid online; the refunds screen refuses a loan's payment
    with pytest.raises(ValidationError):
        payments.loan_pay_cash(loan=loan, by=worker)
    with pytest.raises(ValidationError):
        refunds.refund_request(donation=donation, amount=Decimal("10"), reason="x", by=None)
    services.loan_checkout(loan=loan, tag=item.tag, by=worker)
    services.loan_checkin(loan=loan, by=worker, condition="good")
    # the deposit settled, but the worker process dies before the refund task runs
    with transaction.atomic():
        payments.loan_deposit_settle(loan=loan, by=worker, kept=Decimal("0"))
    refund = Refund.objects.get(donation=donation)
    assert refund.status == Refund.Status.REQUESTED and refund.sent_at is None
    # beat asks Stripe again with the saved key: once, however often it runs
    from datetime import timedelta as td

    with django_capture_on_commit_callbacks(execute=True):
        assert refunds.refunds_resend_stuck(older_than=td(0)) == 1
        assert refunds.refunds_resend_stuck(older_than=td(0)) == 0
    refund.refresh_from_db()
    loan.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and loan.deposit_refunded_at is not None
    assert _balance("deposits_held") == Decimal("0")
    assert LedgerLeg.objects.aggregate(s=Sum("amount"))["s"] == 0
