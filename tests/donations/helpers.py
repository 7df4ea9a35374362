"""Building donations through the services, as the product does."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from charity.models import Fund
from donations.models import Donation, Donor
from donations.services import offline, pledges
from tests.accounts import factories as f


def company_donor(name: str | None = None) -> Donor:
    return pledges.donor_for_organisation(organisation=f.organisation(name=name))


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
        fund=fund or Fund.objects.get(code="general"),
        amount=Decimal(amount),
        method="bank_transfer",
        reference=reference or f"TX{Donation.objects.count() + 1:06d}-{donor.pk}",
        received_at=received_at or timezone.now(),
        show_name=True,
        by=admin,
    )
