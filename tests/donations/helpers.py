"""Building donations through the services, as the product does."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from charity.models import Fund
from charity.selectors import fund_general
from donations.models import Donation, Donor, Pledge
from donations.services import donors, offline, pledges
from tests.accounts import factories as f
from tests.donations import stripe_harness as h


def company_donor(name: str | None = None) -> Donor:
    return donors.donor_for_organisation(organisation=f.organisation(name=name))


def offline_gift(
    *,
    donor: Donor | None = None,
    amount: str = "500",
    reference: str | None = None,
    admin=None,  # type: ignore[no-untyped-def]
    fund: Fund | None = None,
    received_at: datetime | None = None,
) -> Donation:
    donor = donor or company_donor()
    admin = admin or f.fund_administrator()
    return offline.offline_income_record(
        donor=donor,
        fund=fund or fund_general(),
        amount=Decimal(amount),
        method="bank_transfer",
        reference=reference or f"TX{Donation.objects.count() + 1:06d}-{donor.pk}",
        received_at=received_at or timezone.now(),
        show_name=True,
        by=admin,
    )


def paid_donation(client, stripe_world, capture, *, amount="1000", interval="once"):  # type: ignore[no-untyped-def]
    """A company pays a pledge through Checkout (localstripe) and the webhook records it."""
    org = f.organisation()
    rep = org.memberships.get().user
    pledge = pledges.pledge_create(
        user=rep,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=False,
        amount=Decimal(amount),
        interval=interval,
    )
    checkout = pledges.checkout_start(
        pledge=pledge, success_url="http://t/s", cancel_url="http://t/c"
    )
    session, intent = stripe_world.complete_checkout(checkout.stripe_session_id)
    with capture(execute=True):
        assert h.deliver(client, h.event("checkout.session.completed", session)).status_code == 200
    return Donation.objects.get(stripe_payment_intent=intent["id"]), intent


def money_pledge(amount: str = "300", *, interval: str = "once") -> Pledge:
    """A member company's one-time (or recurring) money pledge to the general pool."""
    org = f.organisation()
    return pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="money",
        fund=fund_general(),
        show_name=False,
        amount=Decimal(amount),
        interval=interval,
    )


def goods_pledge(quantity: int = 200, *, description: str = "插线板") -> Pledge:
    """A member company's goods pledge, each unit estimated at ¥30."""
    org = f.organisation()
    return pledges.pledge_create(
        user=org.memberships.get().user,
        organisation=org,
        kind="goods",
        fund=fund_general(),
        show_name=False,
        goods_description=description,
        goods_quantity=quantity,
        goods_unit_value=Decimal("30"),
    )
